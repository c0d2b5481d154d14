"""Activation layers: module wrappers of the activation functions, and ``PReLU`` (learned slope)."""

from __future__ import annotations

from typing import Any

from ... import backend, ops
from ...autograd.function import Function
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from ..parameter import Parameter


class ReLU(Module):
    """y = max(0, x)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return ops.relu(x)


class LeakyReLU(Module):
    """y = x for x > 0, negative_slope·x otherwise."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return ops.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """y = x for x > 0, α(eˣ − 1) otherwise."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Tensor) -> Tensor:
        return ops.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(Module):
    """y = x·Φ(x), Φ the standard normal CDF; ``approximate="tanh"``: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return ops.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """y = x·σ(x) (also called Swish)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return ops.silu(x)


Swish = SiLU


class Sigmoid(Module):
    """y = σ(x) = 1 / (1 + e⁻ˣ)."""

    def forward(self, x: Tensor) -> Tensor:
        return ops.sigmoid(x)


class Tanh(Module):
    """y = tanh(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return ops.tanh(x)


class Softplus(Module):
    """y = (1/β)·ln(1 + e^{βx}) (linear above ``threshold``)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return ops.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


def _softmax_dim(ndim: int, dim: int | None) -> int:
    # PyTorch's legacy rule when no dim is given: 0 for 0-, 1- and 3-D input, else 1
    if dim is not None:
        return dim
    return 0 if ndim in (0, 1, 3) else 1


class Softmax(Module):
    """y_i = e^{x_i} / Σ_j e^{x_j} along ``dim`` (give it: with dim=None PyTorch's legacy rule picks it)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, _softmax_dim(x.ndim, self.dim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """y_i = x_i − log Σ_j e^{x_j} along ``dim`` (computed stably); pairs with NLLLoss."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, _softmax_dim(x.ndim, self.dim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


# ----------------------------------------------------------------------------- PReLU
class PReLUFunction(Function):
    """y = max(0, x) + a·min(0, x) with a learned slope a (one, or one per channel on dim 1).

    ∂y/∂x = 1 where x > 0, a elsewhere;  ∂y/∂a = min(0, x), summed over every position that
    shares the slope.  The backward is written with Tensor ops, so it can be differentiated again.
    """

    def forward(self, x, a):
        xp = backend.get_array_module(x)
        if a.size == 1:
            self.a_shape = (1,) * x.ndim
        else:
            self.a_shape = (1, a.size) + (1,) * (x.ndim - 2)
        self.positive = x > 0
        return xp.where(self.positive, x, x * a.reshape(self.a_shape)).astype(x.dtype, copy=False)

    def backward(self, g):
        x, a = self.inputs
        pos = Tensor._wrap(self.positive.astype(g.dtype), False)
        neg = 1.0 - pos
        gx = ga = None
        if self.needs_input_grad[0]:
            gx = g * (pos + neg * a.reshape(self.a_shape))
        if self.needs_input_grad[1]:
            contrib = g * x * neg
            if a.numel() == 1:
                ga = contrib.sum().reshape(a.shape)
            else:
                dims = tuple(d for d in range(x.ndim) if d != 1)
                ga = contrib.sum(dims).reshape(a.shape)
        return gx, ga


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """PReLU with slope tensor ``weight`` of shape (1,) or (C,) (channel dimension 1 of ``x``)."""
    if weight.numel() != 1:
        if x.ndim < 2 or x.shape[1] != weight.numel():
            raise ValueError(
                f"PReLU: {weight.numel()} slopes need an input with {weight.numel()} channels on dim 1, "
                f"got shape {tuple(x.shape)}"
            )
    return PReLUFunction()(x, weight)


class PReLU(Module):
    """y = max(0, x) + a·min(0, x), a learned (``num_parameters`` = 1 or the number of channels,
    initialised to ``init`` = 0.25); ``weight`` has shape (num_parameters,) as in PyTorch."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = int(num_parameters)
        xp = backend.array_module(device or "cpu")
        self.weight = Parameter(Tensor(xp.full((self.num_parameters,), init, dtype=backend.as_dtype(dtype)),
                                       dtype=backend.as_dtype(dtype)))

    def forward(self, x: Tensor) -> Tensor:
        return prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


__all__ = [
    "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Swish", "Sigmoid", "Tanh", "Softplus", "Softmax", "LogSoftmax",
    "PReLU", "PReLUFunction", "prelu",
]
