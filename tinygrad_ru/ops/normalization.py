"""Normalisation: batch, layer, group, instance and RMS norm, all one fused ``Normalize`` node.

y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² over the batch (batch norm, per channel), over the last
axes of each sample (layer norm), over each group of channels of a sample (group norm) or over
the positions of each channel of a sample (instance norm); RMS norm does not centre (μ = 0,
σ² = mean x²).  The backward is the closed form, x̂ and 1/σ kept from forward.  Also here: the
vector normalisations ``normalize``, ``cosine_similarity`` and ``pairwise_distance``.
"""

from __future__ import annotations

import math
from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._grad_math import grad_math
from ._util import broadcast_shapes, canonical_dim
from .comparison import clamp_min
from .conv import avg_pool2d
from .elementwise import _constant, sqrt
from .movement import reshape
from .padding import pad
from .reduce import mean, sum


class Normalize(Function):
    """y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε), μ and σ² (biased) over ``axes``.

    Closed-form backward (x̂ and 1/σ kept from forward):
        ∂L/∂x = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),  ĝ = γ·g,  means over ``axes``
        ∂L/∂γ = Σ g·x̂,   ∂L/∂β = Σ g   (sums over ``param_axes``, the axes γ is broadcast along)

    ``center=False`` (RMS norm): μ = 0, so σ² = mean x² and the ``− mean(ĝ)`` term drops out.
    """

    def __init__(self, axes: tuple[int, ...], param_axes: tuple[int, ...], param_shape: tuple[int, ...],
                 eps: float, has_weight: bool, has_bias: bool, center: bool = True) -> None:
        self.axes, self.param_axes, self.param_shape = axes, param_axes, param_shape
        self.eps, self.has_weight, self.has_bias, self.center = eps, has_weight, has_bias, center

    def forward(self, x, *params):
        xp = backend.get_array_module(x)
        mu = x.mean(axis=self.axes, keepdims=True) if self.center else xp.zeros((), dtype=x.dtype)
        xc = x - mu
        var = (xc * xc).mean(axis=self.axes, keepdims=True)
        self.batch_mean, self.batch_var = mu, var
        inv = 1.0 / xp.sqrt(var + self.eps)
        xc *= inv
        self.xhat, self.inv = xc, inv
        params = list(params)
        y = xc * params.pop(0).reshape(self.param_shape) if self.has_weight else xc.copy()
        if self.has_bias:
            y += params.pop(0).reshape(self.param_shape)
        return y

    def _xhat(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """x̂ and 1/σ rebuilt from x with Tensor ops, so that second derivatives flow through them."""
        xc = x - mean(x, self.axes, True) if self.center else x
        inv = (mean(xc * xc, self.axes, True) + self.eps) ** -0.5
        return xc * inv, inv

    def backward(self, g):
        m = grad_math()
        needs = self.needs_input_grad
        x, g = m.arrays(self.inputs[0], g)
        xhat, inv = m.saved((self.xhat, self.inv), lambda: self._xhat(self.inputs[0]))
        grads = [None] * len(self.inputs)
        if needs[0]:
            gh = g * m.reshape(m.arrays(self.inputs[1])[0], self.param_shape) if self.has_weight else g
            centred = gh - m.mean(gh, self.axes, True) if self.center else gh
            grads[0] = inv * (centred - xhat * m.mean(gh * xhat, self.axes, True))
        if self.has_weight and needs[1]:
            grads[1] = m.reshape(m.sum(g * xhat, self.param_axes), self.inputs[1].shape)
        if self.has_bias and needs[-1]:
            grads[-1] = m.reshape(m.sum(g, self.param_axes), self.inputs[-1].shape)
        return m.grads(*grads)


def batch_norm(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation over every axis but the channel axis 1 of (N, C), (N, C, L), (N, C, H, W), ….

    Training: x̂ = (x − μ_B)/√(σ²_B + ε) with the batch mean and *biased* variance, y = γx̂ + β,
    and the running estimates are updated in place (PyTorch; α = momentum):
        μ̂ ← (1 − α)·μ̂ + α·μ_B,   σ̂² ← (1 − α)·σ̂² + α·σ²_B·m/(m − 1)   (unbiased, m values per channel)
    Evaluation: y = γ·(x − μ̂)/√(σ̂² + ε) + β (batch statistics if no running estimates are given).
    """
    stats = (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias))
    if input.ndim < 2:  # torch: IndexError (no dim 1), or RuntimeError when a statistic of C values is given
        error = IndexError if all(t is None for _, t in stats) else RuntimeError
        raise error(f"batch_norm: expected an input (N, C, ...) with at least 2 dimensions, got shape {input.shape}")
    c = input.shape[1]
    for name, t in stats:
        if t is not None and t.shape != (c,):
            raise RuntimeError(f"batch_norm: {name} must have shape ({c},) for an input of shape {input.shape}, "
                             f"got {t.shape}")
    axes = (0,) + tuple(range(2, input.ndim))
    param_shape = (1, c) + (1,) * (input.ndim - 2)
    use_batch_stats = training or running_mean is None or running_var is None
    if not use_batch_stats:
        xp = input.xp
        inv = 1.0 / xp.sqrt(running_var.data + eps)
        scale = _constant(inv.astype(input.dtype, copy=False))
        shift = _constant((-running_mean.data * inv).astype(input.dtype, copy=False))
        if weight is not None:
            scale = weight * scale
            shift = weight * shift
        if bias is not None:
            shift = shift + bias
        return input * reshape(scale, param_shape) + reshape(shift, param_shape)
    m = input.numel() // c
    if training and m <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input "
                         f"shape {input.shape}")
    params = [t for t in (weight, bias) if t is not None]
    fn = Normalize(axes, axes, param_shape, eps, weight is not None, bias is not None)
    out = fn(input, *params)
    if training and running_mean is not None:
        _update_running(running_mean, fn.batch_mean.reshape(c), momentum)
    if training and running_var is not None:
        _update_running(running_var, fn.batch_var.reshape(c) * (m / (m - 1)), momentum)
    return out


def _update_running(running: Tensor, stat: Any, momentum: float) -> None:
    """running ← (1 − momentum)·running + momentum·stat, in place and in the running tensor's dtype."""
    mom = float(momentum)
    running.data *= 1.0 - mom
    running.data += mom * stat.astype(running.dtype, copy=False)


def layer_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: int | tuple[int, ...],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalisation over the last ``len(normalized_shape)`` axes of each sample:

    y = γ·(x − μ)/√(σ² + ε) + β, μ and σ² (biased) over those axes; γ, β of shape normalized_shape.
    """
    shape = _normalized_shape(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or input.shape[-k:] != shape:
        raise RuntimeError(f"layer_norm: normalized_shape {shape} does not match the last dimensions of the "
                         f"input of shape {input.shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise RuntimeError(f"layer_norm: {name} must have shape {shape}, got {t.shape}")
    nd = input.ndim
    axes = tuple(range(nd - k, nd))
    param_axes = tuple(range(nd - k))
    params = [t for t in (weight, bias) if t is not None]
    return Normalize(axes, param_axes, shape, eps, weight is not None, bias is not None)(input, *params)


def _affine_params(op: str, c: int, shape: tuple, weight: Tensor | None, bias: Tensor | None) -> list[Tensor]:
    """The given γ and β, each checked to hold one value per channel."""
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{op}: expected {name} to be a vector of size equal to the number of channels "
                               f"in input ({c}), got {name} of shape {tuple(t.shape)} for input {shape}")
    return [t for t in (weight, bias) if t is not None]


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Group normalisation (Wu & He, 2018): the C channels of each sample split into G groups,
    each group normalised over its channels and positions, then y = γ_c·x̂ + β_c per channel.
    For an input (N, C, *) it is batch norm's formula on the view (N, G, C/G, *) with statistics
    over all but the first two axes."""
    shape = tuple(input.shape)
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: Expected at least 2 dimensions for input tensor but received {input.ndim}")
    n, c = shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"group_norm: Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {shape} and num_groups={num_groups}")
    params = _affine_params("group_norm", c, shape, weight, bias)
    grouped = reshape(input, (n, num_groups, c // num_groups, -1))
    fn = Normalize((2, 3), (0, 3), (1, num_groups, c // num_groups, 1), eps, weight is not None, bias is not None)
    return reshape(fn(grouped, *params), shape)


def instance_norm(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Instance normalisation (Ulyanov et al., 2016): each channel of each sample normalised over its
    positions, y = γ_c·(x − μ_nc)/√(σ²_nc + ε) + β_c.  With ``use_input_stats=False`` the running
    estimates are used instead (batch norm's evaluation); running estimates given with input
    statistics are updated with the batch average of the per-instance mean and unbiased variance."""
    shape = tuple(input.shape)
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected an input (N, C, *) with at least one spatial dimension, "
                         f"got shape {shape}")
    c = shape[1]
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("instance_norm: Expected running_mean and running_var to be defined when "
                               "use_input_stats is false")
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    positions = math.prod(shape[2:])
    if positions == 1:  # torch checks the positions of one instance, whatever the batch size
        raise ValueError(f"instance_norm: Expected more than 1 spatial element when training, got input size {shape}")
    params = _affine_params("instance_norm", c, shape, weight, bias)
    axes = tuple(range(2, input.ndim))
    fn = Normalize(axes, (0,) + axes, (1, c) + (1,) * len(axes), eps, weight is not None, bias is not None)
    out = fn(input, *params)
    if running_mean is not None:
        _update_running(running_mean, fn.batch_mean.reshape(shape[0], c).mean(axis=0), momentum)
    if running_var is not None:
        unbiased = fn.batch_var.reshape(shape[0], c) * (positions / max(positions - 1, 1))
        _update_running(running_var, unbiased.mean(axis=0), momentum)
    return out


def _normalized_shape(normalized_shape: int | tuple[int, ...] | list[int]) -> tuple[int, ...]:
    if isinstance(normalized_shape, (tuple, list)):
        return tuple(int(s) for s in normalized_shape)
    return (int(normalized_shape),)


def rms_norm(input: Tensor, normalized_shape: int | tuple[int, ...] | list[int],  # noqa: A002
             weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """RMS normalisation (Zhang & Sennrich, 2019) over the last ``len(normalized_shape)`` axes:

    y = γ · x / √(mean(x²) + ε),  ε = the dtype's machine epsilon when None (as torch).
    """
    shape = _normalized_shape(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[-k:]) != shape:
        raise RuntimeError(f"rms_norm: Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size {tuple(input.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"rms_norm: weight must have shape {shape}, got {tuple(weight.shape)}")
    if eps is None:
        eps = float(input.xp.finfo(input.dtype).eps)
    nd = input.ndim
    fn = Normalize(tuple(range(nd - k, nd)), tuple(range(nd - k)), shape, eps, weight is not None, False,
                   center=False)
    return fn(input, *([weight] if weight is not None else []))


def _p_norm(x: Tensor, p: float, dim: int, keepdim: bool) -> Tensor:
    return x.norm(p, dim, keepdim=keepdim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,  # noqa: A002
              out: Tensor | None = None) -> Tensor:
    """v / max(‖v‖_p, ε) along ``dim``: unit vectors (in the p-norm) whose norm is not too small."""
    if out is not None:
        raise TypeError("normalize: out= is not supported; use the returned tensor")
    d = canonical_dim(dim, input.ndim, "normalize")
    return input / clamp_min(_p_norm(input, p, d, True), eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos(x₁, x₂) = Σ x₁x₂ / (max(‖x₁‖, ε)·max(‖x₂‖, ε)) along ``dim`` (the inputs broadcast)."""
    nd = max(x1.ndim, x2.ndim)
    d = canonical_dim(dim, nd, "cosine_similarity")
    both = broadcast_shapes("cosine_similarity", tuple(x1.shape), tuple(x2.shape))
    x1, x2 = x1.broadcast_to(both), x2.broadcast_to(both)
    w12 = sum(x1 * x2, d)
    n1 = clamp_min(sqrt(sum(x1 * x1, d)), eps)
    n2 = clamp_min(sqrt(sum(x2 * x2, d)), eps)
    return w12 / (n1 * n2)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x₁ − x₂ + ε‖_p along the last dimension (ε keeps the gradient finite where x₁ = x₂)."""
    nd = max(x1.ndim, x2.ndim)
    diff = x1 - x2 + eps
    if nd == 0:
        return _p_norm(diff.reshape(1), p, 0, keepdim).reshape(())
    return _p_norm(diff, p, nd - 1, keepdim)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,  # noqa: A002
                        k: float = 1.0) -> Tensor:
    """Local response normalisation across channels (AlexNet, Krizhevsky et al., 2012):

    y_c = x_c / (k + α/n · Σ_{c' near c} x_{c'}²)^β,  the sum over the n = ``size`` channels
    c − ⌊n/2⌋ … c + ⌊(n−1)/2⌋ (zeros beyond the edges): an average pool of x² along the channels."""
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions, shape {tuple(input.shape)})")
    if input.numel() == 0:
        return input
    shape = tuple(input.shape)
    sq = reshape(input * input, (shape[0], 1, shape[1], -1))  # channels as the rows of a one-channel image
    sq = pad(sq, (0, 0, size // 2, (size - 1) // 2))
    div = reshape(avg_pool2d(sq, (size, 1), stride=1), shape)
    return input / (div * alpha + k) ** beta


__all__ = ["local_response_norm", "batch_norm", "layer_norm", "group_norm",
           "instance_norm", "rms_norm", "normalize", "cosine_similarity",
           "pairwise_distance", "Normalize"]
