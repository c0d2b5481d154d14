"""Ops that move values around without arithmetic: shapes, axes, broadcasting, indexing, joining.

Their backward moves the gradient back the same way: reshape ↔ reshape, permute ↔ inverse
permute, broadcast ↔ sum over the broadcast axes, index ↔ scatter (repeated indices add up).
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import broadcast_shapes


def _shape_arg(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


# ----------------------------------------------------------------------------- reshape
class Reshape(Function):
    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ValueError(
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
    for d in (start_dim, end_dim):
        if not -x.ndim <= d < x.ndim:
            raise IndexError(f"flatten: dimension {d} out of range for a tensor with {x.ndim} dimensions")
    start, end = start_dim % x.ndim, end_dim % x.ndim
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
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
    for d in dim if isinstance(dim, (tuple, list)) else (dim,):
        if not -max(x.ndim, 1) <= d < max(x.ndim, 1):
            raise IndexError(f"squeeze: dimension {d} out of range for a tensor with {x.ndim} dimensions")
    dims = {d % x.ndim for d in (dim if isinstance(dim, (tuple, list)) else (dim,))} if x.ndim else set()
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    if not -x.ndim - 1 <= dim <= x.ndim:
        raise IndexError(f"unsqueeze: dimension {dim} out of range for a tensor with {x.ndim} dimensions")
    dim = dim % (x.ndim + 1)
    return reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


# ----------------------------------------------------------------------------- axes
class Permute(Function):
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
    if sorted(d % max(x.ndim, 1) for d in dims) != list(range(x.ndim)):
        raise ValueError(f"permute: dims {dims} are not a permutation of the {x.ndim} dimensions of {x.shape}")
    dims = tuple(d % x.ndim for d in dims)
    if dims == tuple(range(x.ndim)):
        return x
    return Permute(dims)(x)


def transpose(x: Tensor, dim0: int = 0, dim1: int = 1) -> Tensor:
    if x.ndim < 2:
        return x
    for d in (dim0, dim1):
        if not -x.ndim <= d < x.ndim:
            raise IndexError(f"transpose: dimension {d} out of range for a tensor with {x.ndim} dimensions")
    dims = list(range(x.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return permute(x, *dims)


# ----------------------------------------------------------------------------- broadcasting
class BroadcastTo(Function):
    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        xp = backend.get_array_module(x)
        try:
            return xp.broadcast_to(x, self.shape)
        except ValueError:
            raise ValueError(f"broadcast_to: cannot broadcast shape {tuple(x.shape)} to {self.shape}") from None

    def backward(self, g):
        return sum_to(g, self.in_shape)


class SumTo(Function):
    """Sum over the axes that broadcasting added or stretched: the adjoint of broadcast_to."""

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
        raise ValueError(f"expand: the new shape {shape} has fewer dimensions than {x.shape}")
    full = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    if any(n != s and n != 1 for n, s in zip(x.shape, full[lead:])):
        raise ValueError(f"expand: cannot expand a tensor of shape {x.shape} to {shape}")
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


# ----------------------------------------------------------------------------- joining
class Cat(Function):
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
        raise ValueError("cat: expected a non-empty list of tensors")
    ref = tensors[0]
    if not -ref.ndim <= dim < max(ref.ndim, 1):
        raise IndexError(f"cat: dimension {dim} out of range for tensors with {ref.ndim} dimensions")
    dim = dim % ref.ndim
    for t in tensors[1:]:
        if t.ndim != ref.ndim or t.shape[:dim] + t.shape[dim + 1:] != ref.shape[:dim] + ref.shape[dim + 1:]:
            raise ValueError(
                f"cat: shapes {', '.join(str(x.shape) for x in tensors)} must match except in dimension {dim}"
            )
    return Cat(dim)(*tensors)


def stack(tensors: Any, dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    dim = dim % (tensors[0].ndim + 1)
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
    if not -max(x.ndim, 1) <= dim < max(x.ndim, 1) or x.ndim == 0:
        raise IndexError(f"split: dimension {dim} out of range for a tensor of shape {x.shape}")
    dim = dim % x.ndim
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


__all__ = [
    "reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose", "broadcast_to", "expand",
    "sum_to", "getitem", "setitem", "cat", "stack", "split", "pad", "broadcast_shapes",
]
