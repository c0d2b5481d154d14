"""Ops that move values around without arithmetic: shapes, axes, broadcasting, indexing, joining.

Their backward moves the gradient back the same way: reshape ↔ reshape, permute ↔ inverse
permute, broadcast ↔ sum over the broadcast axes, index ↔ scatter (repeated indices add up).
"""

from __future__ import annotations

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


def setitem(x: Tensor, index: Any, value: Any) -> None:
    """``x[index] = value``: only on tensors outside the graph (PyTorch would need version counters)."""
    from ..autograd.grad_mode import grad_mode

    if x.requires_grad and (grad_mode.enabled or x.grad_fn is not None):
        raise RuntimeError(
            "setitem: in-place assignment into a tensor that requires grad would corrupt the graph; "
            "build a new tensor instead (tg.where, tg.cat) or do it under tg.no_grad()"
        )
    v = value.data if isinstance(value, Tensor) else value
    x.data[_raw_index(index)] = v
    from .inplace import mark_dirty

    mark_dirty(x)


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


# ----------------------------------------------------------------------------- padding
class Pad(Function):
    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, widths: tuple[tuple[int, int], ...], value: float) -> None:
        self.widths = widths
        self.value = value

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.pad(x, self.widths, mode="constant", constant_values=self.value)

    def backward(self, g):
        index = tuple(slice(lo, g.shape[i] - hi) for i, (lo, hi) in enumerate(self.widths))
        return getitem(g, index)


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _pad_index(xp: Any, n: int, lo: int, hi: int, mode: str) -> Any:
    """Where each output position along one axis reads from, for an axis of size ``n`` padded by
    ``lo`` before and ``hi`` after (negative: cropped).  PyTorch's rules::

        reflect    d c b | a b c d | c b a      (the edge is not repeated)
        replicate  a a a | a b c d | d d d
        circular   b c d | a b c d | a b c      (of what is left after cropping, as PyTorch)
    """
    if mode == "circular":
        start, stop = max(-lo, 0), n - max(-hi, 0)
        return start + xp.arange(-max(lo, 0), stop - start + max(hi, 0)) % (stop - start)
    j = xp.arange(-lo, n + hi)
    if mode == "replicate":
        return xp.clip(j, 0, n - 1)
    return (n - 1) - xp.abs((n - 1) - xp.abs(j))  # reflect about 0 and about n − 1


class PadIndex(Function):
    """Gather along one axis: y = x.take(index, axis) — the non-constant padding modes.

    Its adjoint is a scatter-add of g to ``index``; the interior (a contiguous run, read once) is a
    plain copy and only the few border positions go through the slower scatter.
    """

    def __init__(self, axis: int, index: Any, size: int, interior: tuple[int, int, int]) -> None:
        self.axis, self.index, self.size, self.interior = axis, index, size, interior

    def forward(self, x):
        return backend.get_array_module(x).take(x, self.index, axis=self.axis)

    def backward(self, g):
        return PadIndexAdjoint(self)(g)


class PadIndexAdjoint(Function):
    """∂L/∂x of :class:`PadIndex`: x̄[index[k]] += ḡ[k] along the axis."""

    def __init__(self, gather: PadIndex) -> None:
        self.gather = gather

    def forward(self, g):
        xp = backend.get_array_module(g)
        ax, index = self.gather.axis, self.gather.index
        out_pos, src_pos, m = self.gather.interior
        shape = list(g.shape)
        shape[ax] = self.gather.size
        out = xp.zeros(shape, dtype=g.dtype)
        o, gm = xp.moveaxis(out, ax, 0), xp.moveaxis(g, ax, 0)  # views: the axis first
        o[src_pos:src_pos + m] = gm[out_pos:out_pos + m]
        border = xp.concatenate([xp.arange(out_pos), xp.arange(out_pos + m, g.shape[ax])]).astype(index.dtype)
        if border.size:
            backend.scatter_add(o, index[border], gm[border])
        return out

    def backward(self, gg):
        return PadIndex(self.gather.axis, self.gather.index, self.gather.size, self.gather.interior)(gg)


def _check_pad(x: Tensor, pad: Any, mode: str, value: Any) -> tuple[int, ...]:
    """PyTorch's checks of ``F.pad`` arguments, in its order and with its exception types."""
    if not isinstance(pad, (tuple, list)) or not all(backend.is_scalar(p) and float(p) == int(p)
                                                     and not isinstance(p, float) for p in pad):
        raise TypeError(f"pad: pad must be a tuple of ints, got {pad!r}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got {pad}")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError(f"pad: padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of shape {x.shape}")
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"pad: unrecognised padding mode {mode!r}; expected one of {_PAD_MODES}")
    if mode != "constant":
        if value is not None and value != 0:
            raise RuntimeError(f'pad: padding mode "{mode}" doesn\'t take in value argument')
        k = len(pad) // 2
        if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
            raise NotImplementedError(
                f"pad: mode {mode!r} pads the last 1, 2 or 3 dimensions of a (batched) tensor: a padding "
                f"of length {len(pad)} needs a {k + 1}-D or {k + 2}-D input, got shape {x.shape}"
            )
    for i in range(len(pad) // 2):
        d = x.ndim - 1 - i
        n, lo, hi = x.shape[d], pad[2 * i], pad[2 * i + 1]
        kept = n - max(-lo, 0) - max(-hi, 0)
        if kept < 0 or (mode != "constant" and n + lo + hi <= 0):
            raise RuntimeError(f"pad: padding ({lo}, {hi}) leaves no elements in dimension {d} of size {n} "
                               f"(input shape {x.shape})")
        if mode != "constant" and n == 0 and (lo or hi):
            raise RuntimeError(f"pad: mode {mode!r} cannot pad the empty dimension {d} of the input of shape {x.shape}")
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"pad: padding size should be less than the corresponding input dimension, but "
                               f"got padding ({lo}, {hi}) at dimension {d} of input {list(x.shape)}")
        if mode == "circular" and (lo > kept or hi > kept):  # PyTorch checks only against n, then reads garbage
            raise RuntimeError(f"pad: padding value causes wrapping around more than once: padding ({lo}, {hi}) "
                               f"at dimension {d} of size {n} ({kept} left after cropping)")
    return pad


def pad(x: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """``torch.nn.functional.pad``: ``pad = (left, right, top, bottom, front, back)`` from the last
    dimension backwards; a negative entry crops that side instead.

    * ``"constant"``: fill with ``value`` (0 by default), any number of dimensions;
    * ``"reflect"`` (mirror without repeating the edge; each pad < the size), ``"replicate"``
      (repeat the edge), ``"circular"`` (wrap around): the last 1, 2 or 3 dimensions of a
      (batched) 2-D…5-D input, as in PyTorch.

    Gradient: the constant border gets none; the other modes add each output's gradient to the
    element it was copied from.
    """
    pad = _check_pad(x, pad, mode, value)
    pairs = {x.ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)}
    if mode == "constant":
        spans = [pairs.get(d, (0, 0)) for d in range(x.ndim)]
        if any(lo < 0 or hi < 0 for lo, hi in spans):  # crop first
            x = getitem(x, tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(x.shape, spans)))
        widths = tuple((max(lo, 0), max(hi, 0)) for lo, hi in spans)
        if any(lo or hi for lo, hi in widths):
            x = Pad(widths, 0.0 if value is None else value)(x)
        return x
    for d, (lo, hi) in sorted(pairs.items()):
        if lo or hi:
            n = x.shape[d]
            index = _pad_index(x.xp, n, lo, hi, mode)
            kept = n - max(-lo, 0) - max(-hi, 0)
            x = PadIndex(d, index, n, (max(lo, 0), max(-lo, 0), kept))(x)
    return x


# ----------------------------------------------------------------------------- gather / scatter
def _dim_arg(x: Tensor, dim: int, op: str) -> int:
    return canonical_dim(dim, x.ndim, op)


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
    "sum_to", "getitem", "setitem", "cat", "stack", "split", "pad", "broadcast_shapes", "along", "gather", "scatter",
    "scatter_add", "index_select", "index_add", "take_along_dim", "repeat", "tile", "repeat_interleave",
    "chunk", "unbind", "narrow", "select", "flip", "roll", "movedim", "unflatten", "diagonal", "diag",
]
