"""Activation functions of the lecture: sigmoid, tanh, ReLU and its relatives.

Where the textbook formula overflows (σ(x) = 1/(1+e⁻ˣ) for x = −1000, softplus for large x),
the forward uses an equivalent form that does not.
"""

from __future__ import annotations

import math

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._grad_math import grad_math
from ._util import canonical_dim
from .elementwise import _constant, erf, exp, where
from .elementwise import abs as _abs
from .inplace import unary_
from .movement import chunk
from .softmax_family import legacy_softmax_dim, softmax


def _tanh_grad(xp):
    def tanh_grad(g, y):
        return g * (1.0 - y * y)
    return tanh_grad


def _sigmoid_grad(xp):
    def sigmoid_grad(g, y):
        return g * y * (1.0 - y)
    return sigmoid_grad


def _relu_grad(xp):
    def relu_grad(g, y):
        return g * (y > 0)
    return relu_grad


class Tanh(Function):
    """y = tanh x; ∂y/∂x = 1 − y²."""

    saves = ()
    saves_output = True  # backward reads the output

    def forward(self, x):
        return backend.get_array_module(x).tanh(x)

    def backward(self, g):
        m = grad_math()
        return m.grad(m.fused(_tanh_grad, *m.arrays(g, self.outputs[0]())))


class Sigmoid(Function):
    """y = σ(x) = 1/(1+e⁻ˣ); ∂y/∂x = y(1 − y). Computed as e^{min(x,0)}/(1+e^{−|x|}): no overflow."""

    saves = ()
    saves_output = True  # backward reads the output

    def forward(self, x):
        xp = backend.get_array_module(x)
        z = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1.0, z) / (1.0 + z)

    def backward(self, g):
        m = grad_math()
        return m.grad(m.fused(_sigmoid_grad, *m.arrays(g, self.outputs[0]())))


class ReLU(Function):
    """y = max(0, x); ∂y/∂x = [x > 0]."""

    saves = ()
    saves_output = True  # backward reads the output

    def forward(self, x):
        return backend.get_array_module(x).maximum(x, 0)

    def backward(self, g):
        # [x > 0] equals [y > 0]: read the mask off the output instead of storing it in forward
        m = grad_math()
        y = m.const(self.outputs[0]().data)  # the mask takes no gradient
        return m.grad(m.fused(_relu_grad, m.arrays(g)[0], y))


class LeakyReLU(Function):
    """y = x for x > 0, a·x otherwise."""

    def __init__(self, slope: float) -> None:
        self.slope = slope

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.factor = xp.where(x > 0, 1.0, self.slope).astype(x.dtype)
        return x * self.factor

    def backward(self, g):
        return g * _constant(self.factor)


class ELU(Function):
    """y = x for x > 0, α(eˣ − 1) otherwise; ∂y/∂x = 1 or α·eˣ."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.positive = x > 0
        return xp.where(self.positive, x, self.alpha * xp.expm1(xp.minimum(x, 0))).astype(x.dtype)

    def backward(self, g):
        x, = self.inputs
        pos = _constant(self.positive.astype(g.dtype))
        return g * (pos + (1.0 - pos) * self.alpha * exp(x * (1.0 - pos)))


class Softplus(Function):
    """y = (1/β)·ln(1 + e^{βx}), linear (y = x) where βx > threshold; ∂y/∂x = σ(βx)."""

    def __init__(self, beta: float, threshold: float) -> None:
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        xp = backend.get_array_module(x)
        bx = self.beta * x
        self.linear = bx > self.threshold
        soft = (xp.log1p(xp.exp(-xp.abs(bx))) + xp.maximum(bx, 0)) / self.beta
        return xp.where(self.linear, x, soft).astype(x.dtype)

    def backward(self, g):
        x, = self.inputs
        lin = _constant(self.linear.astype(g.dtype))
        return g * (lin + (1.0 - lin) * sigmoid(x * self.beta))


def tanh(x: Tensor) -> Tensor:
    return Tanh()(x)


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid()(x)


def relu(x: Tensor) -> Tensor:
    return ReLU()(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyReLU(negative_slope)(x)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return ELU(alpha)(x)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return Softplus(beta, threshold)(x)


def silu(x: Tensor) -> Tensor:
    """SiLU / Swish: x·σ(x)."""
    return x * sigmoid(x)


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU: x·Φ(x) with Φ(x) = ½(1 + erf(x/√2)); ``approximate="tanh"``:
    ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    if approximate == "none":
        return x * (0.5 * (1.0 + erf(x * (1.0 / math.sqrt(2.0)))))
    if approximate == "tanh":
        return 0.5 * x * (1.0 + tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))
    raise RuntimeError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


# ----------------------------------------------------------------------------- the relatives of ReLU
# Piecewise ops pass the gradient through a constant mask (``where`` with a constant branch), so the
# gradient at a kink is exactly PyTorch's choice, and the second derivative (zero) comes for free.
def _maybe_inplace(x: Tensor, inplace: bool, name: str, fn, *args) -> Tensor:
    """``fn(x, *args)``, written into ``x`` when ``inplace`` (PyTorch's ``inplace=True``)."""
    return unary_(x, name, fn, *args) if inplace else fn(x, *args)


def _hardtanh(x: Tensor, min_val: float, max_val: float) -> Tensor:
    xp = x.xp
    inside = (x.data > min_val) & (x.data < max_val)  # PyTorch: no gradient at the two corners
    return where(inside, x, _constant(xp.clip(x.data, min_val, max_val).astype(x.dtype, copy=False)))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """hardtanh(x) = clip(x, min_val, max_val); ∂/∂x = 1 on the open interval (min_val, max_val), else 0."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val, got min_val={min_val}, max_val={max_val}")
    return _maybe_inplace(input, inplace, "hardtanh_", _hardtanh, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    """In-place :func:`hardtanh`."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """relu6(x) = min(max(0, x), 6) = hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _threshold(x: Tensor, threshold: float, value: float) -> Tensor:
    return where(x.data > threshold, x, value)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:  # noqa: A002
    """y = x where x > threshold, else ``value``; ∂y/∂x = [x > threshold]."""
    return _maybe_inplace(input, inplace, "threshold_", _threshold, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:  # noqa: A002
    """In-place :func:`threshold`."""
    return unary_(input, "threshold_", _threshold, threshold, value)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """y = x where |x| > λ, else 0; ∂y/∂x = [|x| > λ]."""
    return where(input.xp.abs(input.data) > lambd, input, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """y = x − λ for x > λ, x + λ for x < −λ, else 0 (λ ≥ 0); ∂y/∂x = [|x| > λ]."""
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be greater or equal to 0, but found to be {lambd}")
    x = input.data
    return where(x > lambd, input - lambd, where(x < -lambd, input + lambd, 0.0))


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """y = x − tanh x."""
    return input - tanh(input)


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """y = x / (1 + |x|); ∂y/∂x = 1 / (1 + |x|)²."""
    return input / (1.0 + _abs(input))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _selu(x: Tensor) -> Tensor:
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """SELU: y = λ·(x for x > 0, α(eˣ − 1) otherwise), α ≈ 1.6733, λ ≈ 1.0507 (self-normalising)."""
    return _maybe_inplace(input, inplace, "selu_", _selu)


def selu_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place :func:`selu`."""
    return selu(input, inplace=True)


def _celu(x: Tensor, alpha: float) -> Tensor:
    return alpha * elu(x / alpha, 1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """CELU: y = max(0, x) + min(0, α(e^{x/α} − 1)) = α·elu(x/α); ∂y/∂x at 0 is 1 (continuous)."""
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError: alpha cannot be 0 for CELU")
    return _maybe_inplace(input, inplace, "celu_", _celu, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """In-place :func:`celu`."""
    return celu(input, alpha, inplace=True)


def _mish(x: Tensor) -> Tensor:
    return x * tanh(softplus(x))


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """Mish: y = x·tanh(softplus(x)) = x·tanh(ln(1 + eˣ))."""
    return _maybe_inplace(input, inplace, "mish_", _mish)


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """logsigmoid(x) = log(1 / (1 + e⁻ˣ)) = −softplus(−x), computed without overflow (−1000 → −1000,
    1000 → 0); ∂y/∂x = σ(−x).  Softplus without its linear cut-off: exact everywhere."""
    return -softplus(-input, threshold=math.inf)


def _hardsigmoid(x: Tensor) -> Tensor:
    return _hardtanh(x + 3.0, 0.0, 6.0) / 6.0


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """y = relu6(x + 3) / 6; ∂y/∂x = 1/6 for −3 < x < 3, else 0."""
    return _maybe_inplace(input, inplace, "hardsigmoid_", _hardsigmoid)


class Hardswish(Function):
    """y = x·relu6(x + 3)/6; ∂y/∂x = 0 for x ≤ −3, x/3 + ½ for −3 < x < 3, 1 for x ≥ 3 (PyTorch's corners)."""

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.middle = (x > -3) & (x < 3)
        self.above = x >= 3
        return (x * xp.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    def backward(self, g):
        x, = self.inputs
        middle, above = (_constant(m.astype(g.dtype)) for m in (self.middle, self.above))
        return g * (middle * (x / 3.0 + 0.5) + above)


def _hardswish(x: Tensor) -> Tensor:
    return Hardswish()(x)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """Hardswish (MobileNetV3): y = x·relu6(x + 3)/6."""
    return _maybe_inplace(input, inplace, "hardswish_", _hardswish)


def _rrelu(x: Tensor, lower: float, upper: float, training: bool) -> Tensor:
    if not training:
        return leaky_relu(x, (lower + upper) / 2)
    slopes = backend.rng().uniform(lower, upper, size=x.shape).astype(x.dtype)
    slopes = backend.to_device(slopes, x.device)
    return x * _constant(x.xp.where(x.data > 0, 1.0, slopes).astype(x.dtype, copy=False))


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,  # noqa: A002
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: y = x for x ≥ 0, a·x otherwise, a ~ U(lower, upper) per element in
    training (from ``tg.manual_seed``'s generator), a = (lower + upper)/2 at test."""
    return _maybe_inplace(input, inplace, "rrelu_", _rrelu, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:  # noqa: A002
    """In-place :func:`rrelu`."""
    return rrelu(input, lower, upper, training, inplace=True)


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """Gated linear unit: split x in halves a, b along ``dim``; y = a ⊙ σ(b)."""
    if input.ndim == 0:
        raise RuntimeError("glu: does not support scalars because halving size must be even")
    d = canonical_dim(dim, input.ndim, "glu")
    if input.shape[d] % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size {input.shape[d]} "
                           f"(input shape {tuple(input.shape)})")
    a, b = chunk(input, 2, d)
    return a * sigmoid(b)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:  # noqa: A002
    """softmin(x)ᵢ = e^{−xᵢ} / Σⱼ e^{−xⱼ} = softmax(−x) along ``dim`` (None: PyTorch's legacy choice)."""
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, legacy_softmax_dim(input.ndim, dim))


def relu_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place :func:`relu`."""
    return unary_(input, "relu_", relu)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """In-place :func:`elu`."""
    return unary_(input, "elu_", elu, alpha)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    """In-place :func:`leaky_relu`."""
    return unary_(input, "leaky_relu_", leaky_relu, negative_slope)


__all__ = [
    "tanh", "sigmoid", "relu", "leaky_relu", "elu", "softplus", "silu", "gelu",
    "hardtanh", "hardtanh_", "relu6", "threshold", "threshold_", "hardshrink", "softshrink", "tanhshrink",
    "softsign", "selu", "selu_", "celu", "celu_", "mish", "logsigmoid", "hardsigmoid", "hardswish", "rrelu",
    "rrelu_", "glu", "softmin", "relu_", "elu_", "leaky_relu_", "Hardswish",
]
