"""Normalisation layers: ``BatchNorm1d``/``2d``, ``InstanceNorm1d``/``2d``, ``GroupNorm``, ``LayerNorm``, ``RMSNorm``.

Batch normalisation (Ioffe & Szegedy, 2015), per channel c over the batch (and spatial positions):

    μ_B = mean(x),  σ²_B = mean((x − μ_B)²),  x̂ = (x − μ_B) / √(σ²_B + ε),  y = γ·x̂ + β

In training the running estimates are updated as μ̂ ← (1 − momentum)·μ̂ + momentum·μ_B (the
lecture's μ̂ = αμ_B + (1−α)μ̂ with α = momentum), and σ̂² the same with the *unbiased* batch
variance (PyTorch's convention).  At test time (``eval()``) x̂ = (x − μ̂)/√(σ̂² + ε).
"""

from __future__ import annotations

from typing import Any

from ... import backend
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from ..parameter import Parameter


def _full(shape: tuple[int, ...], value: float, device: Any, dtype: Any) -> Tensor:
    xp = backend.array_module(device or "cpu")
    d = backend.as_dtype(dtype)
    return Tensor(xp.full(shape, value, dtype=d), dtype=d)


def _affine(module: Module, shape: tuple[int, ...], affine: bool, bias: bool, device: Any, dtype: Any) -> None:
    """Register γ (``weight``, ones) and β (``bias``, zeros) of ``shape``, or None where switched off."""
    module.register_parameter("weight", Parameter(_full(shape, 1.0, device, dtype)) if affine else None)
    module.register_parameter("bias", Parameter(_full(shape, 0.0, device, dtype)) if affine and bias else None)


class _BatchNorm(Module):
    _expected_ndim: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = int(num_features)
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine(self, (self.num_features,), affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", _full((self.num_features,), 0.0, device, dtype))
            self.register_buffer("running_var", _full((self.num_features,), 1.0, device, dtype))
            xp = backend.array_module(device or "cpu")
            self.register_buffer("num_batches_tracked", Tensor(xp.zeros((), dtype=backend.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight.data[...] = 1
            if self.bias is not None:
                self.bias.data[...] = 0

    def _check_input(self, x: Tensor) -> None:
        name = type(self).__name__
        if x.ndim not in self._expected_ndim:
            want = " or ".join(f"{d}-D" for d in self._expected_ndim)
            raise ValueError(f"{name}: expected {want} input, got shape {tuple(x.shape)}")
        if x.shape[1] != self.num_features:  # torch: F.batch_norm's RuntimeError (the rank is the layer's ValueError)
            raise RuntimeError(
                f"{name}: expected {self.num_features} features/channels on dim 1, got shape {tuple(x.shape)}"
            )

    def forward(self, x: Tensor) -> Tensor:
        self._check_input(x)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch_stats = self.training or self.running_mean is None
        if use_batch_stats and x.numel() // x.shape[1] <= 1:
            raise ValueError(
                f"{type(self).__name__}: expected more than 1 value per channel when training, got input shape "
                f"{tuple(x.shape)}"
            )
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            x,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over (N, C) or (N, C, L) input, per feature C (see the module docstring)."""

    _expected_ndim = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over (N, C, H, W) input, per channel C, statistics over N, H, W."""

    _expected_ndim = (4,)


class _InstanceNorm(_BatchNorm):
    """Instance normalisation: each channel of each sample over its own positions,
    y = γ_c·(x − μ_nc)/√(σ²_nc + ε) + β_c; the same parameters and buffers as batch norm, but no
    affine map and no running estimates by default (as torch)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        name = type(self).__name__
        if x.ndim not in self._expected_ndim:
            want = " or ".join(f"{d}D" for d in self._expected_ndim)
            raise ValueError(f"{name}: expected {want} input (got {x.ndim}D input of shape {tuple(x.shape)})")
        unbatched = x.ndim == self._expected_ndim[0]
        if unbatched:
            x = x.unsqueeze(0)
        if self.affine and x.shape[1] != self.num_features:
            raise ValueError(f"{name}: expected input's size at dim={0 if unbatched else 1} to match num_features "
                             f"({self.num_features}), but got: {x.shape[1]} (input shape {tuple(x.shape)})")
        y = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats,
                            0.0 if self.momentum is None else self.momentum, self.eps)
        return y.squeeze(0) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) input, or unbatched (C, L)."""

    _expected_ndim = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) input, or unbatched (C, H, W)."""

    _expected_ndim = (3, 4)


class GroupNorm(Module):
    """Group normalisation: the channels split into ``num_groups`` groups, each normalised over its
    channels and positions within each sample; then y = γ_c·x̂ + β_c per channel (γ = 1, β = 0 at
    first).  The same in training and evaluation (no running statistics)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"GroupNorm: num_channels must be divisible by num_groups, got num_channels="
                             f"{num_channels} and num_groups={num_groups}")
        self.num_groups, self.num_channels = int(num_groups), int(num_channels)
        self.eps, self.affine = eps, affine
        _affine(self, (self.num_channels,), affine, bias, device, dtype)

    def forward(self, x: Tensor) -> Tensor:
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """y = γ · x / √(mean(x²) + ε) over the last dimensions (``normalized_shape``); ε = None takes the
    dtype's machine epsilon, as torch.  γ (``weight``) starts at 1."""

    def __init__(self, normalized_shape: Any, eps: float | None = None, elementwise_affine: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(s) for s in normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(_full(self.normalized_shape, 1.0, device, dtype))
        else:
            self.register_parameter("weight", None)

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LocalResponseNorm(Module):
    """y_c = x_c / (k + α/n · Σ x_{c'}²)^β over the n = ``size`` neighbouring channels (AlexNet)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, x: Tensor) -> Tensor:
        return F.local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class LayerNorm(Module):
    """Normalise over the last dimensions (``normalized_shape``) of each sample:

        y = (x − mean(x)) / √(var(x) + ε) · γ + β,   mean and (biased) var over the normalised dims.

    Same in training and evaluation; γ (``weight``) and β (``bias``) have shape ``normalized_shape``.
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(s) for s in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine(self, self.normalized_shape, elementwise_affine, bias, device, dtype)

    def forward(self, x: Tensor) -> Tensor:
        k = len(self.normalized_shape)
        if tuple(x.shape[-k:]) != self.normalized_shape or x.ndim < k:
            raise RuntimeError(
                f"LayerNorm: expected input with trailing shape {self.normalized_shape}, got shape {tuple(x.shape)}"
            )
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


__all__ = ["BatchNorm1d", "BatchNorm2d", "InstanceNorm1d", "InstanceNorm2d", "GroupNorm", "LayerNorm", "RMSNorm",
           "LocalResponseNorm"]
