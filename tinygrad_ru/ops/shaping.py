"""torch's joining, splitting and shaping helpers, all compositions of the movement ops (so their
gradients come from cat, reshape, broadcast_to, getitem): hstack/vstack/dstack/column_stack,
atleast_nd, broadcast_tensors, tensor_split and h/v/dsplit, rot90, inner, t, detach, masked_select,
take, kron, cross, cartesian_prod, block_diag, diag_embed/diagflat, and the value-only selections
nonzero/argwhere.
"""

from __future__ import annotations

import operator
from typing import Any

from .. import backend
from ..tensor import Tensor
from ._util import broadcast_shapes, canonical_dim
from .copies import _constant
from .indexing import index_add
from .matmul import matmul
from .movement import broadcast_to, cat, diag, flip, getitem, movedim, narrow, reshape, split, stack, transpose
from .padding import pad


def _tensors(tensors: tuple, op: str) -> list[Tensor]:
    """``f(a, b)`` and ``f([a, b])`` alike."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected Tensors, got {type(t).__name__}")
    return list(tensors)


concat = concatenate = cat


def t(input: Tensor) -> Tensor:  # noqa: A002
    """The transpose of a matrix (a tensor of ≤ 2 dims is returned as it is when it has < 2)."""
    if input.ndim > 2:
        raise RuntimeError(f"t: expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return transpose(input, 0, 1) if input.ndim == 2 else input


def detach(input: Tensor) -> Tensor:  # noqa: A002
    """The same values, cut from the graph."""
    return input.detach()


def _atleast(n: int, op: str, tensors: tuple) -> Any:
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    out = []
    for x in _tensors(tensors, op):
        if x.ndim < n:
            shape = {0: (1, 1, 1), 1: (1, x.numel(), 1), 2: (*x.shape, 1)}[x.ndim] if n == 3 else \
                (1,) * (n - x.ndim) + x.shape
            x = reshape(x, shape)
        out.append(x)
    return out[0] if single else tuple(out)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least 1 dim (a 0-d one becomes shape (1,)); one tensor in, one out."""
    return _atleast(1, "atleast_1d", tensors)


def atleast_2d(*tensors: Any) -> Any:
    """At least 2 dims: (n,) → (1, n)."""
    return _atleast(2, "atleast_2d", tensors)


def atleast_3d(*tensors: Any) -> Any:
    """At least 3 dims: (n,) → (1, n, 1), (m, n) → (m, n, 1)."""
    return _atleast(3, "atleast_3d", tensors)


def hstack(tensors: Any) -> Tensor:
    """Join along dim 1 (dim 0 for 1-D tensors)."""
    xs = atleast_1d(*_tensors((tensors,), "hstack"))
    return cat(xs, 0 if all(x.ndim == 1 for x in xs) else 1)


def vstack(tensors: Any) -> Tensor:
    """Join along dim 0 after atleast_2d (rows)."""
    return cat(atleast_2d(*_tensors((tensors,), "vstack")), 0)


row_stack = vstack


def dstack(tensors: Any) -> Tensor:
    """Join along dim 2 after atleast_3d (depth)."""
    return cat(atleast_3d(*_tensors((tensors,), "dstack")), 2)


def column_stack(tensors: Any) -> Tensor:
    """Join along dim 1, 0-d and 1-D tensors taken as columns (n, 1)."""
    xs = [reshape(x, x.numel(), 1) if x.ndim < 2 else x for x in _tensors((tensors,), "column_stack")]
    return cat(xs, 1)


def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """The tensors broadcast to their common shape."""
    xs = _tensors(tensors, "broadcast_tensors")
    shape = broadcast_shapes("broadcast_tensors", *(x.shape for x in xs))
    return tuple(x if x.shape == shape else broadcast_to(x, shape) for x in xs)


def inner(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Σₖ a[…, k]·b[…, k] over the last dims: shape a.shape[:-1] + b.shape[:-1] (a product for 0-d)."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    n = input.shape[-1]
    if other.shape[-1] != n:
        raise RuntimeError(f"inner: the last dims must match, got shapes {input.shape} and {other.shape}")
    out = matmul(reshape(input, -1, n), transpose(reshape(other, -1, n), 0, 1))
    return reshape(out, input.shape[:-1] + other.shape[:-1])


# ----------------------------------------------------------------------------- splitting
def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """An int n: n pieces, the first (size mod n) one element longer; a list of indices: cut before each."""
    d = canonical_dim(dim, input.ndim, "tensor_split")
    size = input.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, (list, tuple)):
        cuts = [min(max(int(i) + (size if int(i) < 0 else 0), 0), size) for i in indices_or_sections]
    else:
        n = operator.index(indices_or_sections)
        if n <= 0:
            raise RuntimeError(f"tensor_split: number of sections must be larger than 0, got {n}")
        q, r = divmod(size, n)
        cuts = [i * q + min(i, r) for i in range(1, n)]
    bounds = [0, *cuts, size]
    return tuple(narrow(input, d, lo, max(hi - lo, 0)) for lo, hi in zip(bounds, bounds[1:]))


def split_with_sizes(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """Pieces of the given sizes along dim (they must add up to the dim's size)."""
    return split(input, list(split_sizes), dim)


def _directional_split(input: Tensor, sections: Any, dim: int, need: int, op: str) -> tuple[Tensor, ...]:
    if input.ndim < need:
        raise RuntimeError(f"{op}: requires a tensor with at least {need} dimension(s), but got a tensor with "
                           f"{input.ndim} dimensions (shape {input.shape})")
    if not isinstance(sections, (list, tuple, Tensor)) and input.shape[dim] % operator.index(sections):
        raise RuntimeError(f"{op}: attempted to split along dimension {dim}, but the size of the dimension "
                           f"{input.shape[dim]} is not divisible by the split_size {sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """tensor_split along dim 1 (dim 0 for 1-D); an int must divide the size evenly."""
    return _directional_split(input, sections, 1 if input.ndim > 1 else 0, 1, "hsplit")


def vsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """tensor_split along dim 0 of a tensor with ≥ 2 dims."""
    return _directional_split(input, sections, 0, 2, "vsplit")


def dsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """tensor_split along dim 2 of a tensor with ≥ 3 dims."""
    return _directional_split(input, sections, 2, 3, "dsplit")


# ----------------------------------------------------------------------------- rotating, selecting
def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:  # noqa: A002
    """Rotate by 90° k times in the plane ``dims``, from the first axis towards the second."""
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = canonical_dim(dims[0], input.ndim, "rot90"), canonical_dim(dims[1], input.ndim, "rot90")
    if d0 == d1:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return flip(transpose(input, d0, d1), (d1,))
    return input


def masked_select(input: Tensor, mask: Any) -> Tensor:  # noqa: A002
    """The elements where the boolean ``mask`` (broadcast with input) holds, as a 1-D tensor."""
    m = mask.data if isinstance(mask, Tensor) else mask
    if getattr(m, "dtype", None) is None or m.dtype.kind != "b":
        raise RuntimeError(f"masked_select: expected a boolean mask, got {getattr(m, 'dtype', type(m).__name__)}")
    shape = broadcast_shapes("masked_select", input.shape, m.shape)
    x = input if input.shape == shape else broadcast_to(input, shape)
    return getitem(x, input.xp.broadcast_to(m, shape))


def take(input: Tensor, index: Any) -> Tensor:  # noqa: A002
    """input viewed as 1-D, read at ``index`` (any shape; negative counts from the end)."""
    idx = index.data if isinstance(index, Tensor) else input.xp.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"take: expected an integer index, got {idx.dtype}")
    n = input.numel()
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError(f"take: index out of range for a tensor of {n} elements (shape {input.shape})")
    return getitem(reshape(input, -1), idx)


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, or one 1-D tensor per dim."""
    xp = input.xp
    found = xp.nonzero(input.data) if input.ndim else xp.nonzero(input.data.reshape(1))
    if as_tuple:
        return tuple(_constant(i.astype(backend.int64)) for i in found)
    if input.ndim == 0:
        return _constant(xp.zeros((int(found[0].size), 0), dtype=backend.int64))
    return _constant(xp.stack(found, axis=1).astype(backend.int64))


# ----------------------------------------------------------------------------- products of shapes
def kron(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The Kronecker product: out[i·m + k, j·n + l] = a[i, j]·b[k, l] (any number of dims)."""
    nd = max(input.ndim, other.ndim)
    a = reshape(input, (1,) * (nd - input.ndim) + input.shape)
    b = reshape(other, (1,) * (nd - other.ndim) + other.shape)
    interleaved_a = [n for s in a.shape for n in (s, 1)]
    interleaved_b = [n for s in b.shape for n in (1, s)]
    out = reshape(a, *interleaved_a) * reshape(b, *interleaved_b)
    return reshape(out, *(p * q for p, q in zip(a.shape, b.shape)))


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """The cross product a × b of 3-vectors along ``dim`` (they broadcast); dim=None is torch.cross's
    default, the first dim of size 3."""
    shape = broadcast_shapes("cross", input.shape, other.shape)
    a, b = broadcast_tensors(input, other)
    if dim is None:
        dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"cross: no dimension of size 3 in input of shape {shape}")
    d = canonical_dim(dim, len(shape), "cross")
    if shape[d] != 3:
        raise RuntimeError(f"cross: inputs dimension {d} must have length 3, got shapes {input.shape} and "
                           f"{other.shape}")
    a0, a1, a2 = (narrow(a, d, i, 1) for i in range(3))
    b0, b1, b2 = (narrow(b, d, i, 1) for i in range(3))
    return cat([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All tuples (a[i], b[j], …) of the 1-D tensors, as rows (one tensor: itself)."""
    xs = _tensors(tensors, "cartesian_prod")
    for x in xs:
        if x.ndim != 1:
            raise RuntimeError(f"cartesian_prod: expects 1-D tensors, got shape {x.shape}")
    if len(xs) == 1:
        return xs[0]
    sizes = tuple(x.shape[0] for x in xs)
    grids = [broadcast_to(reshape(x, *(n if j == i else 1 for j, n in enumerate(sizes))), sizes)
             for i, x in enumerate(xs)]
    return reshape(stack(grids, -1), -1, len(xs))


def block_diag(*tensors: Tensor) -> Tensor:
    """The matrices (0-d and 1-D tensors count as one row) along the diagonal of a zero matrix."""
    xs = _tensors(tensors, "block_diag")
    for x in xs:
        if x.ndim > 2:
            raise RuntimeError(f"block_diag: Input tensors must have 2 or fewer dimensions, got shape {x.shape}")
    xs = [x if x.ndim == 2 else reshape(x, 1, -1) for x in xs]
    width = sum(x.shape[1] for x in xs)
    rows, left = [], 0
    for x in xs:
        rows.append(pad(x, (left, width - left - x.shape[1])))
        left += x.shape[1]
    return cat(rows, 0)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """The last dim of input placed on the ``offset`` diagonal of new (dim1, dim2) planes, zeros elsewhere."""
    n = input.shape[-1] if input.ndim else 1
    m = n + abs(offset)
    d1, d2 = canonical_dim(dim1, input.ndim + 1, "diag_embed"), canonical_dim(dim2, input.ndim + 1, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diag_embed: diagonal dimensions cannot be identical {dim1}, {dim2}")
    xp = input.xp
    i = xp.arange(n)
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    flat = Tensor._wrap(xp.zeros(input.shape[:-1] + (m * m,), dtype=input.dtype), False)
    out = reshape(index_add(flat, -1, rows * m + cols, input), *input.shape[:-1], m, m)
    return movedim(out, (-2, -1), (d1, d2))


def diagflat(input: Tensor, offset: int = 0) -> Tensor:  # noqa: A002
    """The flattened input on the ``offset`` diagonal of a square matrix."""
    return diag(reshape(input, -1), offset)


def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    """nonzero(input): the (n, ndim) indices of the non-zero elements."""
    return nonzero(input)


__all__ = [
    "concat", "concatenate", "t", "detach", "atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack",
    "row_stack", "dstack", "column_stack", "broadcast_tensors", "inner", "tensor_split", "split_with_sizes",
    "hsplit", "vsplit", "dsplit", "rot90", "masked_select", "take", "nonzero", "argwhere", "kron", "cross",
    "cartesian_prod", "block_diag", "diag_embed", "diagflat",
]
