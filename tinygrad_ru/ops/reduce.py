"""Reductions: sum, mean, var/std, max/min, logsumexp, argmax/argmin.

Backward of a reduction spreads the gradient back over the reduced axes: evenly for sum
and mean, to the selected element for max/min, with softmax weights for logsumexp.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import normalize_axis, reduced_shape
from .elementwise import _constant, exp, sign, sqrt, where
from .elementwise import abs as _abs
from .indexing import gather
from .movement import broadcast_to, flip, reshape

# what PyTorch's max(dim), sort, topk, … return: a tuple that also has .values and .indices
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _spread(g: Tensor, in_shape: tuple[int, ...], axis, keepdim: bool) -> Tensor:
    """Broadcast a reduced gradient back to the input shape."""
    if not keepdim:
        g = reshape(g, reduced_shape(in_shape, axis))
    return broadcast_to(g, in_shape)


class Sum(Function):
    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, axis, keepdim: bool) -> None:
        self.axis, self.keepdim = axis, keepdim

    def forward(self, x):
        self.in_shape = x.shape
        return x.sum(axis=self.axis, keepdims=self.keepdim)

    def backward(self, g):
        return _spread(g, self.in_shape, self.axis, self.keepdim)


class Mean(Function):
    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, axis, keepdim: bool) -> None:
        self.axis, self.keepdim = axis, keepdim

    def forward(self, x):
        self.in_shape = x.shape
        y = x.mean(axis=self.axis, keepdims=self.keepdim)
        self.count = x.size // y.size if y.size else 1
        return y

    def backward(self, g):
        return _spread(g * (1.0 / self.count), self.in_shape, self.axis, self.keepdim)


def sum(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:  # noqa: A001
    ax, kd = normalize_axis(dim, axis, keepdim, keepdims, x.ndim, "sum")
    return Sum(ax, kd)(x)


def mean(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"mean: needs a floating tensor, got dtype {x.dtype} (use .float())")
    ax, kd = normalize_axis(dim, axis, keepdim, keepdims, x.ndim, "mean")
    return Mean(ax, kd)(x)


def _correction(unbiased, correction) -> float:
    if correction is not None:
        if unbiased is not None:
            raise TypeError("var/std: give either unbiased or correction, not both")
        return float(correction)
    return 1.0 if unbiased is None or unbiased else 0.0


def var(x: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None,
        _op: str = "var") -> Tensor:
    """Variance Σ(x − x̄)²/(N − correction); ``unbiased=True`` (the default) is correction = 1."""
    ax, kd = normalize_axis(dim, axis, keepdim, keepdims, x.ndim, _op)
    c = _correction(unbiased, correction)
    n = x.numel() if ax is None else int(_prod(x.shape[a] for a in ax))
    centered = x - mean(x, ax, True)
    return sum(centered * centered, ax, kd) * (1.0 / (n - c) if n - c > 0 else float("nan"))


def std(x: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None) -> Tensor:
    return sqrt(var(x, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims, _op="std"))


def _prod(values) -> int:
    out = 1
    for v in values:
        out *= v
    return out


class _Extremum(Function):
    """max/min. Over one dim the gradient goes to the returned index (as PyTorch); over the
    whole tensor it is shared evenly among tied elements (also as PyTorch)."""

    saves = ()  # the selection is kept as weights

    def __init__(self, axis, keepdim: bool) -> None:
        self.axis, self.keepdim = axis, keepdim

    def forward(self, x):
        xp = backend.get_array_module(x)
        if x.size == 0:
            raise RuntimeError(f"{self.reduce}: cannot reduce an empty tensor of shape {tuple(x.shape)}")
        if self.axis is None:
            y = getattr(x, self.reduce)()
            hits = x == y
            self.weight = (hits / hits.sum()).astype(x.dtype)
            return y.reshape((1,) * x.ndim) if self.keepdim else y
        (ax,) = self.axis
        self.index = getattr(xp, "arg" + self.reduce)(x, axis=ax)
        idx = xp.expand_dims(self.index, ax)
        shape = [1] * x.ndim
        shape[ax] = x.shape[ax]
        self.weight = (xp.arange(x.shape[ax]).reshape(shape) == idx).astype(x.dtype)
        y = xp.take_along_axis(x, idx, axis=ax)
        return y if self.keepdim else y.squeeze(ax)

    def backward(self, g):
        return _spread(g, self.weight.shape, self.axis, self.keepdim) * _constant(self.weight)


class Max(_Extremum):
    reduce = "max"


class Min(_Extremum):
    reduce = "min"


def _extremum(cls, x: Tensor, dim, keepdim, axis, keepdims, name: str):
    if dim is None and axis is None:
        ax, kd = normalize_axis(None, None, keepdim, keepdims, x.ndim, name)
        return cls(None, kd)(x)
    ax, kd = normalize_axis(dim, axis, keepdim, keepdims, x.ndim, name)
    if ax is None:  # a 0-d tensor
        return ValuesIndices(cls(None, kd)(x), Tensor._wrap(x.xp.zeros((), dtype=backend.int64), False))
    if len(ax) != 1:
        raise TypeError(f"{name}: reduce over one dim at a time when indices are returned, got {dim} "
                        "(amax/amin take several dims)")
    fn = cls(ax, kd)
    values = fn(x)
    index = fn.index if kd is False else x.xp.expand_dims(fn.index, ax[0])
    return ValuesIndices(values, Tensor._wrap(index.astype(backend.int64), False))


def max(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    """``x.max()`` → a tensor; ``x.max(dim)`` → (values, indices) as in PyTorch."""
    return _extremum(Max, x, dim, keepdim, axis, keepdims, "max")


def min(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=None):  # noqa: A001
    return _extremum(Min, x, dim, keepdim, axis, keepdims, "min")


class _AExtremum(Function):
    """amax/amin over any dims: the gradient is shared evenly among tied extremes (as PyTorch)."""

    def __init__(self, axis, keepdim: bool) -> None:
        self.axis, self.keepdim = axis, keepdim

    def forward(self, x):
        if x.size == 0:
            raise RuntimeError(f"{self.reduce}: cannot reduce an empty tensor of shape {tuple(x.shape)}")
        y = getattr(x, self.reduce)(axis=self.axis, keepdims=True)
        hits = x == y
        self.weight = (hits / hits.sum(axis=self.axis, keepdims=True)).astype(x.dtype)
        return y if self.keepdim else y.reshape(_squeezed(y, self.axis))

    def backward(self, g):
        return _spread(g, self.weight.shape, self.axis, self.keepdim) * _constant(self.weight)


class AMax(_AExtremum):
    reduce = "max"


class AMin(_AExtremum):
    reduce = "min"


def amax(x: Tensor, dim=None, keepdim=False) -> Tensor:
    """The largest value over ``dim`` (an int, a tuple, or all dims); no indices."""
    ax, kd = normalize_axis(dim, None, keepdim, None, x.ndim, "amax")
    return AMax(ax, kd)(x)


def amin(x: Tensor, dim=None, keepdim=False) -> Tensor:
    ax, kd = normalize_axis(dim, None, keepdim, None, x.ndim, "amin")
    return AMin(ax, kd)(x)


def _logical(name: str, x: Tensor, dim, keepdim) -> Tensor:
    ax, kd = normalize_axis(dim, None, keepdim, None, x.ndim, name)
    return Tensor._wrap(getattr(x.xp, name)(x._data, axis=ax, keepdims=kd), False)


def any(x: Tensor, dim=None, keepdim=False) -> Tensor:  # noqa: A001 - the PyTorch name
    """True where any element (over ``dim``) is non-zero; a bool tensor, no gradient."""
    return _logical("any", x, dim, keepdim)


def all(x: Tensor, dim=None, keepdim=False) -> Tensor:  # noqa: A001 - the PyTorch name
    return _logical("all", x, dim, keepdim)


def count_nonzero(x: Tensor, dim=None) -> Tensor:
    ax, _ = normalize_axis(dim, None, False, None, x.ndim, "count_nonzero")
    return Tensor._wrap(x.xp.asarray(x.xp.count_nonzero(x._data, axis=ax), dtype=backend.int64), False)


class CumSum(Function):
    """yᵢ = Σ_{j≤i} xⱼ along dim; ∂L/∂xⱼ = Σ_{i≥j} gᵢ, a cumulative sum of the reversed gradient."""

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def forward(self, x):
        return backend.get_array_module(x).cumsum(x, axis=self.dim)

    def backward(self, g):
        return _reverse_cumsum(g, self.dim)


def _reverse_cumsum(g: Tensor, dim: int) -> Tensor:
    """Σ_{i≥j} gᵢ along ``dim``: the running sum from the end (cumsum's backward)."""
    return flip(cumsum(flip(g, dim), dim), dim)


def cumsum(x: Tensor, dim: int, dtype=None) -> Tensor:
    """Running sums along ``dim``; integer and bool tensors sum in int64 (as PyTorch)."""
    ax, _ = normalize_axis(dim, None, False, None, x.ndim, "cumsum")
    if dtype is not None:
        x = x.to(dtype=dtype)
    elif x.dtype.kind in "biu":
        x = Tensor._wrap(x._data.astype(backend.int64), False)
    if ax is None:  # a 0-d tensor
        return reshape(CumSum(0)(reshape(x, 1)), ())
    return CumSum(ax[0])(x)


# ----------------------------------------------------------------------------- order statistics
def _order(x: Tensor, dim: int, descending: bool, op: str):
    """Stable sorting permutation along dim (ties keep their order, NaN last as in PyTorch)."""
    if x.ndim == 0:
        return x.xp.zeros((), dtype=backend.int64), 0
    ax, _ = normalize_axis(dim, None, False, None, x.ndim, op)
    d = ax[0]
    data = x._data
    if descending:
        if data.dtype.kind == "b":
            data = data.astype(backend.int64)
        data = -data if data.dtype.kind in "fi" else data.max() - data
    return x.xp.argsort(data, axis=d, kind="stable").astype(backend.int64), d


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> ValuesIndices:
    """(values, indices) sorted along dim; the gradient goes back to where each value came from."""
    idx, d = _order(x, dim, descending, "sort")
    if x.ndim == 0:
        return ValuesIndices(x, Tensor._wrap(idx, False))
    return ValuesIndices(gather(x, d, idx), Tensor._wrap(idx, False))


def argsort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    return Tensor._wrap(_order(x, dim, descending, "argsort")[0], False)


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:  # noqa: A002
    """The k largest (or smallest) values along dim with their indices, largest first."""
    n = x.shape[dim] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: k ({k}) out of range for dimension {dim} of size {n} (shape {x.shape})")
    idx, d = _order(x, dim, largest, "topk")
    if x.ndim == 0:
        return ValuesIndices(x, Tensor._wrap(idx, False))
    idx = idx[(slice(None),) * d + (slice(0, k),)]
    return ValuesIndices(gather(x, d, idx), Tensor._wrap(idx, False))


def kthvalue(x: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    """The k-th smallest value (k from 1) along dim, and its index."""
    n = x.shape[dim] if x.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue: k ({k}) out of range for dimension {dim} of size {n}")
    idx, d = _order(x, dim, False, "kthvalue")
    if x.ndim == 0:
        return ValuesIndices(x, Tensor._wrap(idx, False))
    idx = idx[(slice(None),) * d + (slice(k - 1, k),)]
    values = gather(x, d, idx)
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return ValuesIndices(values, Tensor._wrap(idx, False))


def median(x: Tensor, dim=None, keepdim: bool = False):
    """The lower median (PyTorch's): of all elements → a tensor; along dim → (values, indices)."""
    if dim is None:
        flat = reshape(x, -1)
        if flat.shape[0] == 0:
            return Tensor._wrap(x.xp.asarray(float("nan"), dtype=x.dtype), False)
        return kthvalue(flat, (flat.shape[0] + 1) // 2, 0).values
    n = x.shape[dim] if x.ndim else 1
    return kthvalue(x, (n + 1) // 2, dim, keepdim)


def _arg(name: str, x: Tensor, dim, keepdim, axis, keepdims) -> Tensor:
    ax, kd = normalize_axis(dim, axis, keepdim, keepdims, x.ndim, name)
    fn = getattr(x.xp, name)
    if ax is None:
        out = fn(x.data.reshape(-1))
        if kd:
            out = out.reshape((1,) * x.ndim)
    else:
        if len(ax) != 1:
            raise TypeError(f"{name}: expects a single dim, got {dim}")
        out = fn(x.data, axis=ax[0], keepdims=kd)
    return Tensor._wrap(x.xp.asarray(out, dtype=backend.int64), False)


def argmax(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    return _arg("argmax", x, dim, keepdim, axis, keepdims)


def argmin(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    return _arg("argmin", x, dim, keepdim, axis, keepdims)


class LogSumExp(Function):
    """y = log Σ eˣ computed as m + log Σ e^{x−m} (m = max x): no overflow; ∂y/∂x = softmax(x)."""

    saves_output = True

    def __init__(self, axis, keepdim: bool) -> None:
        self.axis, self.keepdim = axis, keepdim

    def forward(self, x):
        xp = backend.get_array_module(x)
        self.in_shape = x.shape
        m = x.max(axis=self.axis, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        y = xp.log(xp.exp(x - m).sum(axis=self.axis, keepdims=True)) + m
        return y if self.keepdim else y.reshape(_squeezed(y, self.axis))

    def backward(self, g):
        x, = self.inputs
        y = _spread(self.outputs[0](), self.in_shape, self.axis, self.keepdim)
        return _spread(g, self.in_shape, self.axis, self.keepdim) * exp(x - y)


def _squeezed(y, axis) -> tuple[int, ...]:
    if axis is None:
        return ()
    return tuple(n for i, n in enumerate(y.shape) if i not in axis)


def logsumexp(x: Tensor, dim=None, keepdim=False, *, axis=None, keepdims=None) -> Tensor:
    ax, kd = normalize_axis(dim, axis, keepdim, keepdims, x.ndim, "logsumexp")
    return LogSumExp(ax, kd)(x)


class Prod(Function):
    """y = Πᵢ xᵢ; ∂y/∂xᵢ = Π_{j≠i} xⱼ, computed as (product of the elements before i)·(product of
    those after i) with cumulative products, so zeros in x are handled exactly (no y/x).
    The backward works on arrays: first derivatives only."""

    def __init__(self, axis: int | None, keepdim: bool) -> None:
        self.axis, self.keepdim = axis, keepdim

    def forward(self, x):
        self.in_shape = x.shape
        return x.prod(axis=self.axis, keepdims=self.keepdim)

    def backward(self, g):
        x, = self.inputs
        xp = x.xp
        ax = 0 if self.axis is None else self.axis
        data = x.data.reshape(-1) if self.axis is None else x.data
        ones = xp.ones_like(xp.take(data, [0], axis=ax))
        before = xp.cumprod(xp.concatenate([ones, xp.take(data, range(data.shape[ax] - 1), axis=ax)], axis=ax),
                            axis=ax)
        flipped = xp.flip(data, axis=ax)
        after = xp.flip(xp.cumprod(xp.concatenate(
            [ones, xp.take(flipped, range(data.shape[ax] - 1), axis=ax)], axis=ax), axis=ax), axis=ax)
        others = _constant((before * after).reshape(self.in_shape))
        axis = None if self.axis is None else (self.axis,)
        return _spread(g, self.in_shape, axis, self.keepdim) * others


def prod(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Product of the elements (over one ``dim``, or all of them)."""
    if dim is None:
        return Prod(None, keepdim)(x)
    ax, kd = normalize_axis(dim, None, keepdim, None, x.ndim, "prod")
    if ax is None:
        return Prod(None, kd)(x)
    return Prod(ax[0], kd)(x)


class Norm(Function):
    """y = ‖x‖ₚ = (Σ|x|ᵖ)^{1/p} over ``axis`` (all elements when None); ∂y/∂x = sign(x)·|x|ᵖ⁻¹ / yᵖ⁻¹
    (x/y for p = 2; for p = ∞ shared evenly among the largest |x|, as PyTorch).

    At y = 0 the gradient is 0 (a subgradient), as PyTorch — not the 0/0 = NaN of the chain
    through sqrt."""

    saves_output = True

    def __init__(self, p: float, axis: tuple[int, ...] | None = None, keepdim: bool = False) -> None:
        self.p, self.axis, self.keepdim = p, axis, keepdim

    def forward(self, x):
        xp = backend.get_array_module(x)
        a, axis = xp.abs(x), self.axis
        if self.p == 2:
            y = xp.sqrt((x * x).sum(axis=axis, keepdims=True))
        elif self.p == 1:
            y = a.sum(axis=axis, keepdims=True)
        elif self.p == float("inf"):
            y = a.max(axis=axis, keepdims=True) if a.size else xp.zeros(reduced_shape(x.shape, axis), x.dtype)
        else:
            y = (a ** self.p).sum(axis=axis, keepdims=True) ** (1.0 / self.p)
        return y if self.keepdim else y.reshape(_squeezed(y, axis))

    def backward(self, g):
        x, = self.inputs
        kept = reduced_shape(x.shape, self.axis)
        y, g = reshape(self.outputs[0](), kept), reshape(g, kept)
        zero = _constant(y.data == 0)
        safe_y = where(zero, 1.0, y)  # the result is 0 there anyway
        if self.p == 1:
            local = sign(x)
        elif self.p == float("inf"):
            hits = _abs(x).data == y.data
            count = hits.sum(axis=self.axis, keepdims=True)
            local = sign(x) * _constant((hits / x.xp.maximum(count, 1)).astype(x.dtype))
        elif self.p == 2:
            local = x / safe_y
        else:
            local = sign(x) * _abs(x) ** (self.p - 1) / safe_y ** (self.p - 1)
        return where(zero, 0.0, g) * local


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,  # noqa: A002
         dtype: Any = None) -> Tensor:
    """torch.norm: the p-norm (Σ|x|ᵖ)^{1/p} over ``dim`` (all elements when None); p > 0 or ∞,
    ``"fro"`` (the default) is p = 2 over the given dims."""
    if dtype is not None:
        input = input.to(dtype=dtype)
    if p == "fro" or p is None:
        p = 2.0
    if isinstance(p, str):
        raise RuntimeError(f"norm: p={p!r} is not supported here (a number > 0, inf or 'fro')")
    if not p > 0:
        raise RuntimeError(f"norm: p must be positive here, got {p}")
    if input.dtype.kind not in "fc":
        raise RuntimeError(f"norm: input dtype should be floating point, but got {input.dtype}")
    axis, kd = normalize_axis(dim, None, keepdim, None, input.ndim, "norm")
    return Norm(float(p), axis, kd)(input)


def dist(input: Tensor, other: Any, p: float = 2.0) -> Tensor:  # noqa: A002
    """‖input − other‖ₚ of all elements (they broadcast)."""
    return norm(input - other, p)


__all__ = [
    "prod", "sum", "mean", "var", "std", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp", "norm", "dist",
    "any", "all", "count_nonzero", "cumsum", "sort", "argsort", "topk", "kthvalue", "median", "ValuesIndices",
]

