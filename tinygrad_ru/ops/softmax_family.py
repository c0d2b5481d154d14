"""The softmax family: softmax and log-softmax along one axis, each one fused node.

Both subtract the maximum first (no overflow); both backward passes read only the output y.
"""

from __future__ import annotations

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._grad_math import grad_math
from ._util import canonical_dim


def _dim(x: Tensor, dim: int, op: str) -> int:
    return canonical_dim(dim, x.ndim, op)


def _softmax_grad(xp):
    def softmax_grad(g, y, s):  # s = Σⱼ gⱼyⱼ along the softmax axis
        return y * (g - s)
    return softmax_grad


def _log_softmax_grad(xp):
    def log_softmax_grad(g, y, s):  # s = Σⱼ gⱼ along the axis
        return g - xp.exp(y) * s
    return log_softmax_grad


def _log_softmax_tail(xp):
    def log_softmax_tail(z, s):  # z = x − max x, s = Σ e^z
        return z - xp.log(s)
    return log_softmax_tail


class _AlongDim(Function):
    """A softmax-like op along one axis whose backward reads only its output."""

    saves = ()
    saves_output = True  # backward reads the output

    def __init__(self, dim: int) -> None:
        self.dim = dim


class Softmax(_AlongDim):
    """yᵢ = e^{xᵢ−m} / Σⱼ e^{xⱼ−m} (m = max x: no overflow); ∂L/∂x = y ⊙ (g − Σ g⊙y)."""

    def forward(self, x):
        xp = backend.get_array_module(x)
        e = xp.exp(x - x.max(axis=self.dim, keepdims=True))
        e /= e.sum(axis=self.dim, keepdims=True)
        return e

    def backward(self, g):
        m = grad_math()
        g, y = m.arrays(g, self.outputs[0]())
        # the elementwise tail after the sum is one fused kernel on a GPU
        return m.grad(m.fused(_softmax_grad, g, y, m.sum(g * y, self.dim, True)))


class LogSoftmax(_AlongDim):
    """yᵢ = xᵢ − m − log Σⱼ e^{xⱼ−m} (stable for any logits); ∂L/∂x = g − e^y · Σ g."""

    def forward(self, x):
        xp = backend.get_array_module(x)
        z = x - x.max(axis=self.dim, keepdims=True)
        # the tail z − log Σe^z is one fused kernel on a GPU
        return backend.elementwise(_log_softmax_tail, z)(z, xp.exp(z).sum(axis=self.dim, keepdims=True))

    def backward(self, g):
        m = grad_math()
        g, y = m.arrays(g, self.outputs[0]())
        return m.grad(m.fused(_log_softmax_grad, g, y, m.sum(g, self.dim, True)))  # g − e^y·Σg


def legacy_softmax_dim(ndim: int, dim: int | None) -> int | None:
    """The dim a softmax takes when none is given: PyTorch's legacy rule, 0 for 0-, 1- and 3-D input, else 1."""
    if dim is not None:
        return dim
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """softmax(x)ᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along ``dim`` (computed with the max subtracted)."""
    return Softmax(_dim(input, dim, "softmax"))(input)


def log_softmax(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """log softmax(x)ᵢ = xᵢ − log Σⱼ e^{xⱼ} along ``dim``; finite for logits of any size."""
    return LogSoftmax(_dim(input, dim, "log_softmax"))(input)


__all__ = ["softmax", "log_softmax", "legacy_softmax_dim", "Softmax", "LogSoftmax"]
