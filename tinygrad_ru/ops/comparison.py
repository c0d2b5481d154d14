"""Comparisons and selections: maximum/minimum, clamp, tril/triu, masked_fill, and the comparisons
and logical ops (no gradient: their outputs are booleans)."""

from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import operand, operands
from .copies import _constant, cast
from .elementwise import _Binary, where
from .movement import sum_to


def _triangle(x: Tensor, diagonal: int, upper: bool, op: str) -> Tensor:
    if x.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape {x.shape}")
    n, m = x.shape[-2:]
    xp = x.xp
    keep = ~xp.tri(n, m, diagonal - 1, dtype=bool) if upper else xp.tri(n, m, diagonal, dtype=bool)
    return where(keep, x, 0)


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle x[..., i, j] for j ≤ i + diagonal, zeros above (the gradient too)."""
    return _triangle(x, diagonal, False, "tril")


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle x[..., i, j] for j ≥ i + diagonal, zeros below."""
    return _triangle(x, diagonal, True, "triu")


class _Select(_Binary):
    """maximum/minimum: the gradient goes to the chosen input; ties split it in half (as PyTorch)."""

    saves = ()  # the choice is kept as weights

    def compute(self, a, b):
        xp = backend.get_array_module(a, b)
        first = self.pick_first(a, b)
        self.weight_a = first + 0.5 * (a == b)
        return xp.where(first | (a == b), a, b)

    def backward(self, g):
        a, b = self.inputs
        wa = _constant(self.weight_a.astype(g.dtype))
        ga = sum_to(g * wa, a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(g * (1.0 - wa), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Maximum(_Select):
    op = "maximum"

    @staticmethod
    def pick_first(a, b):
        return a > b


class Minimum(_Select):
    op = "minimum"

    @staticmethod
    def pick_first(a, b):
        return a < b


def maximum(a: Any, b: Any) -> Tensor:
    return Maximum()(*operands(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    return Minimum()(*operands(a, b))


class Clamp(Function):
    """Clip to [min, max]; the gradient passes where min ≤ x ≤ max (as PyTorch).

    y = min(max(x, min), max), so min > max gives max everywhere (as PyTorch)."""

    saves = ()  # the mask is kept

    def __init__(self, low: float | None, high: float | None) -> None:
        self.low, self.high = low, high

    def forward(self, x):
        xp = backend.get_array_module(x)
        mask = xp.ones(x.shape, dtype=bool)
        if self.low is not None:
            mask &= x >= self.low
        if self.high is not None:
            mask &= x <= self.high
        self.mask = mask
        y = x if self.low is None else xp.maximum(x, self.low)
        y = y if self.high is None else xp.minimum(y, self.high)
        return y.astype(x.dtype, copy=False)

    def backward(self, g):
        return g * _constant(self.mask.astype(g.dtype))


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Clip to [min, max] (numbers or tensors, which broadcast); either may be None."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):  # tensor bounds get their own gradient
        out = x
        if min is not None:
            out = where(out < min, min, out)
        if max is not None:
            out = where(out > max, max, out)
        return out
    return Clamp(min, max)(x)


def clamp_min(x: Tensor, min: Any) -> Tensor:  # noqa: A002
    return clamp(x, min, None)


def clamp_max(x: Tensor, max: Any) -> Tensor:  # noqa: A002
    return clamp(x, None, max)


# ----------------------------------------------------------------------------- no gradient
def compare(a: Any, b: Any, name: str) -> Tensor:
    """Comparisons and logical ops: boolean results, outside the graph."""
    a, b = operands(a, b)
    xp = backend.get_array_module(a.data, b.data)
    try:
        return _constant(getattr(xp, name)(a.data, b.data))
    except ValueError:
        raise RuntimeError(f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast together") from None


def logical_not(x: Tensor) -> Tensor:
    return _constant(x.xp.logical_not(x.data))


def logical_and(a: Any, b: Any) -> Tensor:
    return compare(a, b, "logical_and")


def logical_or(a: Any, b: Any) -> Tensor:
    return compare(a, b, "logical_or")


def logical_xor(a: Any, b: Any) -> Tensor:
    return compare(a, b, "logical_xor")


def isnan(x: Tensor) -> Tensor:
    return _constant(x.xp.isnan(x._data))


def isinf(x: Tensor) -> Tensor:
    return _constant(x.xp.isinf(x._data))


def isfinite(x: Tensor) -> Tensor:
    return _constant(x.xp.isfinite(x._data))


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """x with ``value`` where the boolean ``mask`` (broadcast to x) holds; gradient to x elsewhere."""
    m = mask._data if isinstance(mask, Tensor) else mask
    if getattr(m, "dtype", None) is None or m.dtype.kind != "b":
        raise RuntimeError(f"masked_fill: expected a boolean mask, got {getattr(m, 'dtype', type(m).__name__)}")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"masked_fill: only supports a 0-dimensional value tensor, got shape {value.shape}")
    out = where(m, operand(value, x), x)
    if out.shape != x.shape:
        raise RuntimeError(f"masked_fill: the mask of shape {tuple(m.shape)} does not broadcast to the tensor's "
                           f"shape {x.shape}")
    return out if out.dtype == x.dtype else cast(out, x.dtype)


__all__ = [
    "tril", "triu", "maximum", "minimum", "clamp", "clamp_min", "clamp_max", "compare", "logical_not",
    "logical_and", "logical_or", "logical_xor", "isnan", "isinf", "isfinite", "masked_fill",
]
