"""Gather / scatter and the index ops built on them (index_select, index_add, take_along_dim).

One mechanism, :func:`along`, builds the advanced index of all of them; their backwards are each other.
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import broadcast_shapes
from .movement import IndexAdd, _dim_arg, broadcast_to, getitem, reshape


def _index_array(index: Any, op: str, ndim: int | None = None) -> Any:
    idx = index._data if isinstance(index, Tensor) else backend.host.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected an integer (int64) index, got dtype {idx.dtype}")
    if ndim is not None and idx.ndim != ndim:
        raise RuntimeError(f"{op}: the index must have {ndim} dimension(s), got shape {tuple(idx.shape)}")
    return idx


def along(index: Any, dim: int) -> tuple:
    """The advanced index that reads ``x[i₀, …, index[i₀…iₙ], …, iₙ]`` for every position of ``index``.

    The one mechanism behind gather (``x[along]``), scatter (``out[along] = src``) and scatter_add
    (``out[along] += src``, repeated indices adding up): their backwards are each other.
    """
    xp = backend.get_array_module(index)
    grids = []
    for d, n in enumerate(index.shape):
        shape = [1] * index.ndim
        shape[d] = n
        grids.append(index if d == dim else xp.arange(n).reshape(shape))
    return tuple(grids)


def _check_along(x: Tensor, dim: int, idx: Any, op: str, src: Any = None) -> None:
    if idx.ndim != max(x.ndim, 1) and not (x.ndim == 0 and idx.ndim <= 1):
        raise RuntimeError(f"{op}: index of shape {tuple(idx.shape)} needs as many dimensions as the input "
                           f"of shape {x.shape}")
    for d, n in enumerate(idx.shape):
        if d != dim and n > x.shape[d]:
            raise RuntimeError(f"{op}: index of shape {tuple(idx.shape)} is larger than the input of shape "
                               f"{x.shape} in dimension {d}")
        if src is not None and n > src.shape[d]:
            raise RuntimeError(f"{op}: index of shape {tuple(idx.shape)} is larger than src of shape "
                               f"{src.shape} in dimension {d}")
    if idx.size and (int(idx.min()) < -x.shape[dim] or int(idx.max()) >= x.shape[dim]):
        raise RuntimeError(f"{op}: index out of range for dimension {dim} of size {x.shape[dim]} "
                         f"(indices from {int(idx.min())} to {int(idx.max())})")


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """out[i][j][k] = x[index[i][j][k]][j][k] (dim = 0); the gradient scatters back, repeats adding up."""
    dim = _dim_arg(x, dim, "gather")
    idx = _index_array(index, "gather")
    _check_along(x, dim, idx, "gather")
    return getitem(x, along(idx, dim))


def _src_part(src: Tensor, idx: Any) -> Tensor:
    """The leading ``idx.shape`` block of src (PyTorch reads only that much of a larger src)."""
    if src.shape == tuple(idx.shape):
        return src
    return getitem(src, tuple(slice(0, n) for n in idx.shape))


class Scatter(Function):
    """out = x with ``out[along(index)] = src``; ∂/∂x is g with the overwritten places zeroed,
    ∂/∂src is g gathered at the index."""

    def __init__(self, where: tuple, shape: tuple[int, ...]) -> None:
        self.where, self.shape = where, shape

    def forward(self, x, src):
        out = x.copy()
        out[self.where] = src
        return out

    def backward(self, g):
        keep = backend.get_array_module(g.data).ones(self.shape, dtype=g.dtype)
        keep[self.where] = 0
        gx = g * Tensor._wrap(keep, False) if self.needs_input_grad[0] else None
        gs = getitem(g, self.where) if self.needs_input_grad[1] else None
        return gx, gs


def scatter(x: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """out = x, then ``out[index[i][j]][j] = src[i][j]`` (dim = 0); ``value=`` writes one number."""
    if reduce is not None:
        if reduce != "add":
            raise RuntimeError(f"scatter: reduce={reduce!r} is not supported here (use 'add' or scatter_add)")
        return scatter_add(x, dim, index, src)
    dim = _dim_arg(x, dim, "scatter")
    idx = _index_array(index, "scatter")
    if src is None:
        if value is None:
            raise TypeError("scatter: give src (a tensor) or value (a number)")
        src = value
    if not isinstance(src, Tensor):  # a number: PyTorch's scatter(dim, index, value)
        src = Tensor._wrap(x.xp.full(idx.shape, src, dtype=x.dtype), False)
    _check_along(x, dim, idx, "scatter", src)
    src = _src_part(src, idx)
    if src.dtype != x.dtype:
        raise RuntimeError(f"scatter: src dtype {src.dtype} differs from the input dtype {x.dtype}")
    return Scatter(along(idx, dim), x.shape)(x, src)


def scatter_add(x: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    """out = x, then ``out[index[i][j]][j] += src[i][j]`` (dim = 0), repeated indices adding up."""
    dim = _dim_arg(x, dim, "scatter_add")
    idx = _index_array(index, "scatter_add")
    _check_along(x, dim, idx, "scatter_add", src)
    if src.dtype != x.dtype:
        raise RuntimeError(f"scatter_add: src dtype {src.dtype} differs from the input dtype {x.dtype}")
    return x + IndexAdd(along(idx, dim), x.shape)(_src_part(src, idx))


def index_select(x: Tensor, dim: int, index: Any) -> Tensor:
    """The slices ``index`` (1-D) along ``dim``; the gradient adds up over repeated indices."""
    dim = _dim_arg(x, dim, "index_select")
    idx = _index_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError(f"index_select: index must be 0-D or 1-D, got shape {tuple(idx.shape)}")
    return getitem(x, (slice(None),) * dim + (idx.reshape(-1),))


def index_add(x: Tensor, dim: int, index: Any, source: Tensor, *, alpha: float = 1.0) -> Tensor:
    """out = x, then ``out[..., index[i], ...] += alpha·source[..., i, ...]`` along ``dim``."""
    dim = _dim_arg(x, dim, "index_add")
    idx = _index_array(index, "index_add").reshape(-1)
    expected = x.shape[:dim] + (idx.shape[0],) + x.shape[dim + 1:]
    if source.shape != expected:
        raise RuntimeError(f"index_add: source of shape {source.shape} must have shape {expected}")
    src = source if alpha == 1 else source * alpha
    return x + IndexAdd((slice(None),) * dim + (idx,), x.shape)(src)


def take_along_dim(x: Tensor, indices: Any, dim: int | None = None) -> Tensor:
    """``numpy.take_along_axis``: gather with the index and the input broadcast against each other."""
    idx = _index_array(indices, "take_along_dim")
    if dim is None:
        return gather(reshape(x, -1), 0, idx.reshape(-1))
    dim = _dim_arg(x, dim, "take_along_dim")
    xs, ish = list(x.shape), list(idx.shape)
    xs[dim] = ish[dim] = 1
    common = list(broadcast_shapes("take_along_dim", tuple(xs), tuple(ish)))
    target_x = tuple(common[:dim] + [x.shape[dim]] + common[dim + 1:])
    target_i = tuple(common[:dim] + [idx.shape[dim]] + common[dim + 1:])
    xp = backend.get_array_module(idx)
    return gather(broadcast_to(x, target_x), dim, xp.broadcast_to(idx, target_i))


__all__ = ["along", "gather", "scatter", "scatter_add", "index_select", "index_add", "take_along_dim"]
