"""Writes along an index: index_fill (a where), index_copy (the Scatter of indexing.py) and
scatter_reduce (sum, prod, mean, amax, amin; a Function, its backward in Tensor ops)."""

from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from .copies import _constant
from .elementwise import where
from .indexing import Scatter, _check_along, _index_array, _src_part, along
from .movement import _dim_arg, getitem


def _slices(x: Tensor, dim: int, idx: Any) -> Any:
    """A boolean mask of the slices ``idx`` along ``dim``."""
    mask = x.xp.zeros(x.shape, dtype=bool)
    mask[(slice(None),) * dim + (idx,)] = True
    return mask


def _index_1d(x: Tensor, dim: int, index: Any, op: str) -> tuple[int, Any]:
    dim = _dim_arg(x, dim, op)
    idx = _index_array(index, op)
    if idx.ndim > 1:
        raise IndexError(f"{op}: Index is supposed to be a vector, got shape {tuple(idx.shape)}")
    idx = idx.reshape(-1)
    n = x.shape[dim] if x.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError(f"{op}: index out of range for dimension {dim} of size {n}")
    return dim, idx


def index_fill(input: Tensor, dim: int, index: Any, value: Any) -> Tensor:  # noqa: A002
    """input with the slices ``index`` along ``dim`` set to ``value`` (a number or a 0-d tensor,
    which then gets the gradient of those places)."""
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"index_fill: only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s)")
    dim, idx = _index_1d(input, dim, index, "index_fill")
    if isinstance(value, Tensor) and value.dtype != input.dtype:
        value = value.to(dtype=input.dtype)
    return where(_slices(input, dim, idx), value, input)


def index_copy(input: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:  # noqa: A002
    """input with ``out[..., index[i], ...] = source[..., i, ...]`` along ``dim``."""
    dim, idx = _index_1d(input, dim, index, "index_copy")
    expected = input.shape[:dim] + (idx.shape[0],) + input.shape[dim + 1:]
    if source.ndim == input.ndim and source.shape[dim] != idx.shape[0]:
        raise IndexError(f"index_copy: Number of indices ({idx.shape[0]}) should be equal to source.size(dim) "
                         f"({source.shape[dim]})")
    if tuple(source.shape) != expected:
        raise RuntimeError(f"index_copy: source of shape {source.shape} must have shape {expected}")
    if source.dtype != input.dtype:
        raise RuntimeError(f"index_copy: source dtype {source.dtype} differs from the input dtype {input.dtype}")
    return Scatter((slice(None),) * dim + (idx,), input.shape)(input, source)


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


class ScatterReduce(Function):
    """out = x, then each src element is reduced into out[along(index)] (x itself taking part when
    ``include_self``).  Gradients, as PyTorch: sum — g to each contributor; mean — g/count; amax/amin —
    g shared evenly among the contributors equal to the result; prod — g·(product of the other
    contributors), exact with zeros (0 unless the element is a slot's only zero)."""

    def __init__(self, where_: tuple, reduce: str, include_self: bool) -> None:
        self.where, self.reduce, self.include_self = where_, reduce, include_self

    def _identity(self, xp, dtype):
        if self.reduce in ("sum", "mean"):
            return 0
        if self.reduce == "prod":
            return 1
        big = xp.inf if dtype.kind == "f" else xp.iinfo(dtype).max
        return -big if self.reduce == "amax" else big

    def forward(self, x, src):
        xp = backend.get_array_module(x)
        self.hit = xp.zeros(x.shape, dtype=bool)
        self.hit[self.where] = True
        out = x.copy()
        if not self.include_self:
            out[self.hit] = self._identity(xp, x.dtype)
        ufunc = {"sum": xp.add, "mean": xp.add, "prod": xp.multiply, "amax": xp.maximum, "amin": xp.minimum}
        ufunc[self.reduce].at(out, self.where, src)
        if self.reduce == "mean":  # the contributors per place (backward divides by them too)
            self.count = xp.full(x.shape, 1 if self.include_self else 0, dtype=x.dtype)
            xp.add.at(self.count, self.where, 1)
            safe = xp.maximum(self.count, 1)
            out = out // safe if x.dtype.kind in "iub" else out / safe
        return out

    def backward(self, g):
        x, src = self.inputs
        out = self.outputs[0]()
        xp, w, hit = x.xp, self.where, _constant(self.hit)
        own = None if self.include_self else hit  # the places where x does not take part
        if self.reduce in ("sum", "mean"):
            scale = g / _constant(xp.maximum(self.count, 1)) if self.reduce == "mean" else g
            return scale if own is None else where(own, 0.0, g), getitem(scale, w)
        if self.reduce in ("amax", "amin"):
            # PyTorch counts x's ties in the share even without include_self (and then drops x's part)
            self_hit = x.data == out.data
            src_hit = src.data == out.data[w]
            n = self_hit.astype(x.dtype)
            xp.add.at(n, w, src_hit)
            share = g / _constant(xp.maximum(n, 1))
            gx = share * _constant(self_hit.astype(x.dtype))
            return (gx if own is None else where(own, 0.0, gx)), getitem(share, w) * _constant(src_hit.astype(x.dtype))
        # prod, PyTorch's formulas: a zero of x gets the product of the others (x's zeros set to 1
        # and the reduction run again); a src element that is its place's only zero likewise; any
        # other element gets result / itself
        if self.include_self:
            masked_x = where(_constant(x.data == 0), 1.0, x)
            gx = g * ScatterReduce(w, "prod", True)(masked_x, src) / masked_x
        else:  # x takes no part where src is written: g passes elsewhere
            gx = where(own, 0.0, g)
        src_zero = src.data == 0
        zeros = xp.zeros(x.shape, dtype=x.dtype)
        xp.add.at(zeros, w, src_zero)
        single = _constant(src_zero & (zeros[w] == 1))
        without = ScatterReduce(w, "prod", self.include_self)(x, where(single, 1.0, src))
        gsrc = where(single, getitem(g * without, w), getitem(g * out, w) / where(_constant(src_zero), 1.0, src))
        return gx, gsrc


def scatter_reduce(input: Tensor, dim: int, index: Any, src: Tensor, reduce: str, *,  # noqa: A002
                   include_self: bool = True) -> Tensor:
    """out = input, then ``out[index[i][j]][j] = reduce(out[…], src[i][j])`` (dim = 0) for reduce in
    sum, prod, mean, amax, amin; ``include_self=False`` leaves input's values out of the places written."""
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"scatter_reduce: reduce argument must be one of {', '.join(_REDUCTIONS)}, got {reduce!r}")
    dim = _dim_arg(input, dim, "scatter_reduce")
    idx = _index_array(index, "scatter_reduce")
    _check_along(input, dim, idx, "scatter_reduce", src)
    if src.dtype != input.dtype:
        raise RuntimeError(f"scatter_reduce: src dtype {src.dtype} differs from the input dtype {input.dtype}")
    return ScatterReduce(along(idx, dim), reduce, include_self)(input, _src_part(src, idx))


__all__ = ["index_fill", "index_copy", "scatter_reduce"]
