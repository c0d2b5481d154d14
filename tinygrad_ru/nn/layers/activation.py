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


class Softmax(Module):
    """y_i = e^{x_i} / Σ_j e^{x_j} along ``dim`` (give it: with dim=None PyTorch's legacy rule picks it)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, ops.legacy_softmax_dim(x.ndim, self.dim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """y_i = x_i − log Σ_j e^{x_j} along ``dim`` (computed stably); pairs with NLLLoss."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, ops.legacy_softmax_dim(x.ndim, self.dim))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


# ----------------------------------------------------------------------------- more activations (as torch.nn)
def _inplace_str(inplace: bool, sep: str = ", ") -> str:
    return f"{sep}inplace=True" if inplace else ""


class Hardtanh(Module):
    """y = clip(x, min_val, max_val); the gradient is 1 on the open interval, 0 outside and at the corners."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if not max_val > min_val:
            raise AssertionError(f"Hardtanh: max_val must be greater than min_val, got {min_val} and {max_val}")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_str(self.inplace)}"


class ReLU6(Hardtanh):
    """y = min(max(0, x), 6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace, "")


class _InplaceActivation(Module):
    """An activation whose only option is ``inplace``: ``fn`` is its F function."""

    fn = staticmethod(F.relu6)

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return type(self).fn(x, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_str(self.inplace, "")


class SELU(_InplaceActivation):
    """y = λ·(x for x > 0, α(eˣ − 1) otherwise), α ≈ 1.6733, λ ≈ 1.0507."""

    fn = staticmethod(F.selu)


class Mish(_InplaceActivation):
    """y = x·tanh(softplus(x))."""

    fn = staticmethod(F.mish)


class Hardswish(_InplaceActivation):
    """y = x·relu6(x + 3)/6."""

    fn = staticmethod(F.hardswish)

    def extra_repr(self) -> str:
        return ""  # PyTorch does not show inplace here


class Hardsigmoid(Hardswish):
    """y = relu6(x + 3)/6."""

    fn = staticmethod(F.hardsigmoid)


class CELU(Module):
    """y = max(0, x) + min(0, α(e^{x/α} − 1))."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.celu(x, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_str(self.inplace)}"


class Threshold(Module):
    """y = x where x > threshold, else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.threshold(x, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace_str(self.inplace)}"


class RReLU(Module):
    """y = x for x ≥ 0, a·x otherwise: a ~ U(lower, upper) per element in training, (lower + upper)/2 in eval."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.rrelu(x, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}{_inplace_str(self.inplace)}"


class _Shrink(Module):
    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Hardshrink(_Shrink):
    """y = x where |x| > λ, else 0."""

    def forward(self, x: Tensor) -> Tensor:
        return F.hardshrink(x, self.lambd)


class Softshrink(_Shrink):
    """y = x − λ·sign(x) where |x| > λ, else 0."""

    def forward(self, x: Tensor) -> Tensor:
        return F.softshrink(x, self.lambd)


class Tanhshrink(Module):
    """y = x − tanh(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.tanhshrink(x)


class Softsign(Module):
    """y = x / (1 + |x|)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.softsign(x)


class LogSigmoid(Module):
    """y = log σ(x), finite for any x."""

    def forward(self, x: Tensor) -> Tensor:
        return F.logsigmoid(x)


class Softmin(Module):
    """y_i = e^{−x_i} / Σ_j e^{−x_j} along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmin(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels at every location: dim −3 of a (C, H, W) or (N, C, H, W) input."""

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {x.ndim}D instead "
                             f"(shape {tuple(x.shape)})")
        return F.softmax(x, -3)


class GLU(Module):
    """Gated linear unit: halves a, b of x along ``dim``; y = a ⊙ σ(b)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.glu(x, self.dim)

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
            raise RuntimeError(
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
    "PReLU", "PReLUFunction", "prelu", "Hardtanh", "ReLU6", "SELU", "CELU", "Mish", "Hardswish", "Hardsigmoid",
    "Threshold", "RReLU", "Hardshrink", "Softshrink", "Tanhshrink", "Softsign", "LogSigmoid", "Softmin",
    "Softmax2d", "GLU",
]
