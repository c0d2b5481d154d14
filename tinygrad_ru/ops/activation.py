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
from .elementwise import _constant, erf, exp


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


__all__ = ["tanh", "sigmoid", "relu", "leaky_relu", "elu", "softplus", "silu", "gelu"]
