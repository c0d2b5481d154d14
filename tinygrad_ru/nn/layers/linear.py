"""Fully connected layers: ``Linear`` (y = x Wᵀ + b), ``Identity``, ``Flatten``, ``Unflatten``."""

from __future__ import annotations

from typing import Any

from ... import backend
from ...tensor import Tensor
from .. import functional as F
from .. import init as _init
from ..module import Module
from ..parameter import Parameter


def _empty(*shape: int, device: Any = None, dtype: Any = None) -> Parameter:
    xp = backend.array_module(device or "cpu")
    return Parameter(Tensor(xp.zeros(shape, dtype=backend.as_dtype(dtype)), dtype=backend.as_dtype(dtype)))


def _reset(weight: Parameter, bias: Parameter | None, scheme: Any) -> None:
    if scheme is None or scheme == "torch" or scheme == "default":
        _init.default_layer_init(weight, bias)
    else:
        _init.init_layer(weight, bias, scheme)


class _WeightedLayer(Module):
    """A layer with a ``weight``, an optional ``bias`` (shape: the weight's first dim) and an ``init`` scheme."""

    def _make_parameters(self, weight_shape: tuple[int, ...], bias: bool, init: Any, device: Any, dtype: Any,
                         bias_size: int | None = None) -> None:
        """``bias_size``: the bias length when it is not the weight's first dim (a transposed conv)."""
        self.weight = _empty(*weight_shape, device=device, dtype=dtype)
        if bias:
            self.bias = _empty(weight_shape[0] if bias_size is None else bias_size, device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)
        self.init = init
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset(self.weight, self.bias, self.init)


class Linear(_WeightedLayer):
    """y = x Wᵀ + b, with W of shape (out_features, in_features) and b of shape (out_features,).

    ``init=None`` (default) is PyTorch's: W ~ U[−1/√n_in, 1/√n_in] (kaiming_uniform_ with a=√5),
    b ~ U[−1/√n_in, 1/√n_in].  ``init="he"`` (ReLU nets: W ~ N(0, 2/n_in)), ``"xavier"`` (tanh nets:
    W ~ U[±√6/√(n_in+n_out)]), ``"lecun"`` (N(0, 1/n_in)) or a callable ``fn(weight)`` pick the
    lecture's schemes, with b = 0.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, init: Any = None,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if int(in_features) <= 0 or int(out_features) < 0:
            raise ValueError(
                f"Linear: in_features and out_features must be positive, got {in_features}, {out_features}"
            )
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self._make_parameters((self.out_features, self.in_features), bias, init, device, dtype)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise RuntimeError(
                f"Linear: expected input with last dimension {self.in_features}, got shape {tuple(x.shape)}"
            )
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """y = x (a placeholder; accepts and ignores any constructor arguments)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x


class Flatten(Module):
    """Merge dimensions start_dim…end_dim into one: (N, C, H, W) → (N, C·H·W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size``: (N, 784) → (N, 1, 28, 28)."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...]) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x: Tensor) -> Tensor:
        dim = self.dim % x.ndim
        return x.reshape(*x.shape[:dim], *self.unflattened_size, *x.shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


__all__ = ["Linear", "Identity", "Flatten", "Unflatten"]
