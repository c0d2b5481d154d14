"""Small helpers shared by the ops: operands, axes, broadcasting."""

from __future__ import annotations

import operator
from typing import Any

from .. import backend
from ..tensor import Tensor
from .copies import cast


def operand(value: Any, like: Tensor) -> Tensor:
    """Turn a Python number or array into a constant Tensor on ``like``'s device.

    A number takes ``like``'s floating dtype (``x * 2.0`` stays float32, as in PyTorch); a float
    with an integer/bool tensor takes the default float dtype, an int with a bool tensor int64.
    """
    if isinstance(value, Tensor):
        return value
    xp = like.xp
    if backend.is_scalar(value):
        if like.dtype.kind in "fc":
            dtype = like.dtype
        elif isinstance(value, float):
            dtype = backend.get_default_dtype()
        elif isinstance(value, bool):
            dtype = like.dtype
        elif like.dtype.kind == "b":
            dtype = backend.int64
        else:
            dtype = like.dtype
        return Tensor._wrap(xp.asarray(value, dtype=dtype), False)
    return Tensor(value, device=like.device)


def operands(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Both operands as Tensors, with PyTorch's promotion across kinds: an integer/bool tensor meets a
    floating one in the floating one's dtype (NumPy would widen int64 + float32 to float64)."""
    if isinstance(a, Tensor):
        b = operand(b, a)
    elif isinstance(b, Tensor):
        a = operand(a, b)
    else:
        raise TypeError(f"expected at least one Tensor operand, got {type(a).__name__} and {type(b).__name__}")
    da, db = a._data.dtype, b._data.dtype
    if da is not db and (da.kind in "fc") != (db.kind in "fc"):
        if da.kind in "fc":
            b = cast(b, da)
        else:
            a = cast(a, db)
    return a, b


def canonical_dim(dim: Any, ndim: int, op: str, extra: int = 0) -> int:
    """``dim`` as an index in [0, ndim + extra): −1 is the last (PyTorch's wrapping; a 0-d tensor
    takes −1 and 0).  ``extra=1`` for ops that add a dimension (unsqueeze, stack).

    Out of range: PyTorch's IndexError, naming the op, e.g. "sum: Dimension out of range
    (expected to be in range of [-3, 2], but got 5)"."""
    n = max(ndim + extra, 1)
    try:
        d = operator.index(dim)
    except TypeError:
        raise TypeError(f"{op}: dim must be an integer, got {type(dim).__name__} ({dim!r})") from None
    if not -n <= d < n:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
    return d % n


def canonical_dims(dims: Any, ndim: int, op: str) -> tuple[int, ...]:
    """Several dims (a reduction's list, a permutation): each checked as :func:`canonical_dim`;
    a repeated dim is PyTorch's RuntimeError "dim 0 appears multiple times in the list of dims"."""
    out: list[int] = []
    for d in dims:
        d = canonical_dim(d, ndim, op)
        if d in out:
            raise RuntimeError(f"{op}: dim {d} appears multiple times in the list of dims")
        out.append(d)
    return tuple(out)


def normalize_axis(dim: Any, axis: Any, keepdim: bool, keepdims: Any, ndim: int, op: str):
    """Accept PyTorch's ``dim``/``keepdim`` and NumPy's ``axis``/``keepdims``; check the range."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: give either dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return None, bool(keepdim)
    dims = canonical_dims(tuple(dim) if isinstance(dim, (tuple, list)) else (dim,), ndim, op)
    if ndim == 0:
        return None, bool(keepdim)
    return tuple(sorted(dims)), bool(keepdim)


def reduced_shape(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape of a keepdim reduction: reduced axes become 1."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def broadcast_shapes(op: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast shape, or a clear error naming the op and the shapes."""
    ndim = max(len(s) for s in shapes)
    out = []
    for i in range(-ndim, 0):
        sizes = {s[i] for s in shapes if len(s) >= -i} - {1}
        if len(sizes) > 1:
            raise RuntimeError(f"{op}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)
