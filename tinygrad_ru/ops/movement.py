"""Ops that move values around without arithmetic: shapes, axes, broadcasting, indexing, joining.

Their backward moves the gradient back the same way: reshape ↔ reshape, permute ↔ inverse
permute, broadcast ↔ sum over the broadcast axes, index ↔ scatter (repeated indices add up).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import broadcast_shapes, canonical_dim, canonical_dims


def _shape_arg(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


# ----------------------------------------------------------------------------- reshape
class Reshape(Function):
    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise RuntimeError(
                f"reshape: cannot reshape a tensor of shape {tuple(x.shape)} ({x.size} elements) "
                f"into {self.shape}"
            ) from None

    def backward(self, g):
        return reshape(g, self.in_shape)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    shape = tuple(int(s) for s in _shape_arg(shape))
    if shape == x.shape:
        return x
    return Reshape(shape)(x)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x.ndim == 0:
        return reshape(x, 1)
    start, end = canonical_dim(start_dim, x.ndim, "flatten"), canonical_dim(end_dim, x.ndim, "flatten")
    if start > end:
        raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = x.shape[:start] + (-1,) + x.shape[end + 1:]
    if 0 in x.shape:
        n = 1
        for s in x.shape[start:end + 1]:
            n *= s
        shape = x.shape[:start] + (n,) + x.shape[end + 1:]
    return reshape(x, shape)


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    if dim is None:
        return reshape(x, tuple(s for s in x.shape if s != 1))
    dims = canonical_dims(dim if isinstance(dim, (tuple, list)) else (dim,), x.ndim, "squeeze")
    if not x.ndim:
        return x
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    dim = canonical_dim(dim, x.ndim, "unsqueeze", extra=1)
    return reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


def with_batch_dim(x: Tensor, ndim: int, run: Callable[[Tensor], Tensor]) -> Tensor:
    """Torch's unbatched inputs: ``run(x)``, except that an input with one dimension fewer than
    the batched ``ndim`` (e.g. (C, H, W) for an (N, C, H, W) op) runs as a batch of one,

        y = squeeze(run(unsqueeze(x, 0)), 0),

    so values and gradients are those of the batched op (the reshapes are differentiable)."""
    if x.ndim != ndim - 1:
        return run(x)
    return squeeze(run(unsqueeze(x, 0)), 0)


# ----------------------------------------------------------------------------- axes
class Permute(Function):
    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, dims: tuple[int, ...]) -> None:
        self.dims = dims

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, g):
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return permute(g, *inverse)


def permute(x: Tensor, *dims: Any) -> Tensor:
    dims = _shape_arg(dims)
    if len(dims) != x.ndim:
        raise RuntimeError(
            f"permute: the number of dims ({len(dims)}: {dims}) must equal the tensor's dimensions ({x.ndim}, "
            f"shape {x.shape})"
        )
    dims = canonical_dims(dims, x.ndim, "permute")
    if dims == tuple(range(x.ndim)):
        return x
    return Permute(dims)(x)


def transpose(x: Tensor, dim0: int = 0, dim1: int = 1) -> Tensor:
    dim0, dim1 = canonical_dim(dim0, x.ndim, "transpose"), canonical_dim(dim1, x.ndim, "transpose")
    if x.ndim < 2:
        return x
    dims = list(range(x.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return permute(x, *dims)


# ----------------------------------------------------------------------------- broadcasting
class BroadcastTo(Function):
    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        xp = backend.get_array_module(x)
        try:
            return xp.broadcast_to(x, self.shape)
        except ValueError:
            raise RuntimeError(f"broadcast_to: cannot broadcast shape {tuple(x.shape)} to {self.shape}") from None

    def backward(self, g):
        return sum_to(g, self.in_shape)


class SumTo(Function):
    """Sum over the axes that broadcasting added or stretched: the adjoint of broadcast_to."""

    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        lead = x.ndim - len(self.shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(self.shape) if n == 1 and x.shape[lead + i] != 1
        )
        y = x.sum(axis=axes, keepdims=True) if axes else x
        if lead:
            y = y.reshape(self.shape)
        return y

    def backward(self, g):
        return broadcast_to(g, self.in_shape)


def broadcast_to(x: Tensor, shape: Any) -> Tensor:
    shape = tuple(int(s) for s in shape)
    if shape == x.shape:
        return x
    return BroadcastTo(shape)(x)


def expand(x: Tensor, *shape: Any) -> Tensor:
    shape = _shape_arg(shape)
    lead = len(shape) - x.ndim
    if lead < 0:
        raise RuntimeError(f"expand: the new shape {shape} has fewer dimensions than {x.shape}")
    full = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    if any(n != s and n != 1 for n, s in zip(x.shape, full[lead:])):
        raise RuntimeError(f"expand: cannot expand a tensor of shape {x.shape} to {shape}")
    return broadcast_to(x, full)


def sum_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Reduce a broadcast gradient back to ``shape``."""
    if x.shape == tuple(shape):
        return x
    return SumTo(tuple(shape))(x)


# ----------------------------------------------------------------------------- indexing
def _raw_index(index: Any) -> Any:
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return [i.data if isinstance(i, Tensor) else i for i in index]
    return index


def _is_basic(index: Any) -> bool:
    """Slices, ints, None and Ellipsis only: each element is read at most once."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (slice, int, type(None), type(Ellipsis))) for i in items)


class GetItem(Function):
    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x):
        self.in_shape = x.shape
        try:
            return x[self.index]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor of shape {tuple(x.shape)})") from None

    def backward(self, g):
        return IndexAdd(self.index, self.in_shape)(g)


class IndexAdd(Function):
    """Scatter ``g`` into zeros of ``shape`` at ``index``; repeated indices accumulate."""

    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, index: Any, shape: tuple[int, ...]) -> None:
        self.index = index
        self.shape = shape

    def forward(self, g):
        xp = backend.get_array_module(g)
        out = xp.zeros(self.shape, dtype=g.dtype)
        if _is_basic(self.index):
            out[self.index] = g
        else:
            backend.scatter_add(out, self.index, g)
        return out

    def backward(self, gg):
        return GetItem(self.index)(gg)


def getitem(x: Tensor, index: Any) -> Tensor:
    return GetItem(_raw_index(index))(x)


# ----------------------------------------------------------------------------- joining
class Cat(Function):
    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def forward(self, *xs):
        xp = backend.get_array_module(*xs)
        self.sizes = [x.shape[self.dim] for x in xs]
        return xp.concatenate(xs, axis=self.dim)

    def backward(self, g):
        grads, start = [], 0
        for n in self.sizes:
            index = (slice(None),) * self.dim + (slice(start, start + n),)
            grads.append(getitem(g, index))
            start += n
        return tuple(grads)


def cat(tensors: Any, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("cat: expected a non-empty list of tensors")
    ref = tensors[0]
    dim = canonical_dim(dim, ref.ndim, "cat")
    for t in tensors[1:]:
        if t.ndim != ref.ndim or t.shape[:dim] + t.shape[dim + 1:] != ref.shape[:dim] + ref.shape[dim + 1:]:
            raise RuntimeError(
                f"cat: shapes {', '.join(str(x.shape) for x in tensors)} must match except in dimension {dim}"
            )
    return Cat(dim)(*tensors)


def stack(tensors: Any, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack: expected a non-empty list of tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    dim = canonical_dim(dim, tensors[0].ndim, "stack", extra=1)
    return cat([unsqueeze(t, dim) for t in tensors], dim)


class Split(Function):
    """Cut ``x`` along ``dim`` into consecutive pieces of the given sizes (views, no copy).

    Backward concatenates the pieces' gradients (zeros for a piece that got none): one pass over
    the input's size, however many pieces there are.
    """

    def __init__(self, sizes: tuple[int, ...], dim: int) -> None:
        self.sizes, self.dim = sizes, dim

    def forward(self, x):
        pieces, start = [], 0
        for n in self.sizes:
            pieces.append(x[(slice(None),) * self.dim + (slice(start, start + n),)])
            start += n
        self.shapes = [p.shape for p in pieces]
        return tuple(pieces)

    def backward(self, *grads):
        known = next(g for g in grads if g is not None)
        xp = backend.get_array_module(known.data)
        return cat([Tensor._wrap(xp.zeros(shape, dtype=known.dtype), False) if g is None else g
                    for g, shape in zip(grads, self.shapes)], self.dim)


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.split``: pieces of ``split_size`` along ``dim`` (the last one may be smaller), or
    pieces of the listed sizes (which must add up to the size of ``dim``)."""
    if x.ndim == 0:
        raise RuntimeError("split: expected at least a 1-dimensional tensor")
    dim = canonical_dim(dim, x.ndim, "split")
    n = x.shape[dim]
    if isinstance(split_size_or_sections, (tuple, list)):
        sizes = tuple(int(s) for s in split_size_or_sections)
        if any(s < 0 for s in sizes) or sum(sizes) != n:
            raise RuntimeError(f"split: sizes {list(sizes)} must be non-negative and add up to {n}, the size "
                               f"of dimension {dim} of the tensor of shape {x.shape}")
    else:
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and n):
            raise RuntimeError(f"split: split_size must be positive, got {size}")
        sizes = tuple(min(size, n - start) for start in range(0, n, size)) if n else (0,)
    return Split(sizes, dim)(x)


def _dim_arg(x: Tensor, dim: int, op: str) -> int:
    return canonical_dim(dim, x.ndim, op)


# ----------------------------------------------------------------------------- repeating, splitting
def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """Tile x ``sizes`` times along each dim (PyTorch's repeat = NumPy's tile):
    reshape to (1, n₀, 1, n₁, …), expand to (r₀, n₀, r₁, n₁, …), merge the pairs."""
    sizes = _shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(f"repeat: the number of repeats {len(sizes)} cannot be smaller than the number of "
                           f"dimensions of a tensor of shape {x.shape}")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    paired = tuple(v for n in shape for v in (1, n))
    expanded = tuple(v for r, n in zip(sizes, shape) for v in (r, n))
    out = broadcast_to(reshape(x, paired), expanded)
    return reshape(out, tuple(r * n for r, n in zip(sizes, shape)))


def tile(x: Tensor, dims: Any) -> Tensor:
    """Like repeat, but fewer ``dims`` than x has are padded with ones in front."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    return repeat(x, *((1,) * (x.ndim - len(dims)) + dims))


def repeat_interleave(x: Tensor, repeats: Any, dim: int | None = None) -> Tensor:
    """Each element (slice along ``dim``) repeated ``repeats`` times in place: [a, b] → [a, a, b, b]."""
    if dim is None:
        x, dim = reshape(x, -1), 0
    dim = _dim_arg(x, dim, "repeat_interleave")
    xp = x.xp
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    return getitem(x, (slice(None),) * dim + (xp.repeat(xp.arange(x.shape[dim]), reps),))


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunks`` pieces of ⌈n / chunks⌉ along dim (fewer when n does not fill them, as PyTorch)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk: chunks must be positive, got {chunks}")
    dim = _dim_arg(x, dim, "chunk")
    n = x.shape[dim]
    return split(x, max(-(-n // chunks), 1), dim)


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along dim, the dim removed."""
    dim = _dim_arg(x, dim, "unbind")
    return tuple(getitem(x, (slice(None),) * dim + (i,)) for i in range(x.shape[dim]))


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    dim = _dim_arg(x, dim, "narrow")
    n = x.shape[dim]
    start = start + n if start < 0 else start
    if not 0 <= start <= n or length < 0 or start + length > n:
        raise RuntimeError(f"narrow: start {start} + length {length} exceeds dimension {dim} of size {n}")
    return getitem(x, (slice(None),) * dim + (slice(start, start + length),))


def select(x: Tensor, dim: int, index: int) -> Tensor:
    dim = _dim_arg(x, dim, "select")
    n = x.shape[dim]
    if not -n <= index < n:
        raise IndexError(f"select: index {index} out of range for dimension {dim} of size {n}")
    return getitem(x, (slice(None),) * dim + (index,))


# ----------------------------------------------------------------------------- reordering
def flip(x: Tensor, dims: Any) -> Tensor:
    """Reverse the order along ``dims``: a view-like slice whose gradient is flipped back."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    dims = {_dim_arg(x, d, "flip") for d in dims}
    return getitem(x, tuple(slice(None, None, -1) if d in dims else slice(None) for d in range(x.ndim)))


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements cyclically along dims (flattened when dims is None)."""
    if dims is None:
        return reshape(roll(reshape(x, -1), shifts, 0), x.shape)
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    out = x
    for s, d in zip(shifts, dims):
        d = _dim_arg(x, d, "roll")
        n = x.shape[d]
        s = s % n if n else 0
        if s:
            pre = (slice(None),) * d
            out = cat([getitem(out, pre + (slice(n - s, None),)), getitem(out, pre + (slice(0, n - s),))], d)
    return out


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    src = tuple(source) if isinstance(source, (tuple, list)) else (source,)
    dst = tuple(destination) if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: source {src} and destination {dst} must have the same number of dims")
    src = tuple(_dim_arg(x, d, "movedim") for d in src)
    dst = tuple(_dim_arg(x, d, "movedim") for d in dst)
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dims in source {src} or destination {dst}")
    order = [d for d in range(x.ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(x, *order)


def _diagonal_index(xp, n: int, m: int, offset: int):
    length = max(min(n, m - offset) if offset >= 0 else min(n + offset, m), 0)
    rows = xp.arange(length) + max(-offset, 0)
    return rows, rows + offset


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal x[i, i + offset] of the (dim1, dim2) planes, appended as the last dim."""
    d1, d2 = _dim_arg(x, dim1, "diagonal"), _dim_arg(x, dim2, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: dim1 and dim2 cannot be the same dimension ({dim1})")
    moved = movedim(x, (d1, d2), (-2, -1))
    rows, cols = _diagonal_index(x.xp, x.shape[d1], x.shape[d2], offset)
    return getitem(moved, (Ellipsis, rows, cols))


_diagonal_of = diagonal


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor → the matrix with it on the ``diagonal``-th diagonal; a 2-D tensor → that diagonal."""
    if x.ndim == 2:
        return _diagonal_of(x, diagonal)
    if x.ndim != 1:
        raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {x.shape}")
    n = x.shape[0] + abs(diagonal)
    rows, cols = _diagonal_index(x.xp, n, n, diagonal)
    return IndexAdd((rows, cols), (n, n))(x)


def unflatten(x: Tensor, dim: int, sizes: Any) -> Tensor:
    dim = _dim_arg(x, dim, "unflatten")
    sizes = tuple(int(s) for s in sizes)
    if -1 in sizes:
        known = 1
        for s in sizes:
            known *= s if s != -1 else 1
        sizes = tuple(x.shape[dim] // known if s == -1 else s for s in sizes)
    total = 1
    for s in sizes:
        total *= s
    if total != x.shape[dim]:
        raise RuntimeError(f"unflatten: sizes {sizes} don't multiply up to the size of dimension {dim} "
                           f"({x.shape[dim]}) of a tensor of shape {x.shape}")
    return reshape(x, x.shape[:dim] + sizes + x.shape[dim + 1:])


__all__ = [
    "reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose", "broadcast_to", "expand",
    "sum_to", "getitem", "cat", "stack", "split", "broadcast_shapes", "repeat", "tile", "repeat_interleave",
    "chunk", "unbind", "narrow", "select", "flip", "roll", "movedim", "unflatten", "diagonal", "diag",
]
