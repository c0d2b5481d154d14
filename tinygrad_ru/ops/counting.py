"""Counting and ordering queries: unique, bincount, histc, searchsorted, bucketize.

Their results are counts and positions, piecewise constant in the input: no gradient (as PyTorch,
whose versions are not differentiable either; bincount's weights and histc's values included).
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..tensor import Tensor
from .copies import _constant


def _raw(value: Any, like: Tensor) -> Any:
    """The array of ``value`` (a Tensor or anything array-like) on ``like``'s device."""
    return value.data if isinstance(value, Tensor) else like.xp.asarray(value)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct elements, sorted (torch sorts them also for ``sorted=False`` on the CPU); with
    ``return_inverse`` the index of each input element in them, with ``return_counts`` how often each occurs."""
    if dim is not None:
        raise NotImplementedError("unique: only dim=None (the flattened tensor) is supported here")
    xp = input.xp
    found = xp.unique(input.data, return_inverse=return_inverse, return_counts=return_counts)
    if not isinstance(found, tuple):
        found = (found,)
    out = [_constant(found[0])]
    if return_inverse:
        out.append(_constant(found[1].reshape(input.shape).astype(backend.int64)))
    if return_counts:
        out.append(_constant(found[-1].astype(backend.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """How often each value 0, 1, … occurs in the 1-D non-negative integer ``input`` (summing
    ``weights`` instead when given); at least ``minlength`` bins."""
    x = input.data
    if x.dtype.kind not in "iub":
        raise NotImplementedError(f"bincount: not implemented for dtype {input.dtype} (integers only)")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError(f"bincount: only supports 1-d non-negative integral inputs, got shape {input.shape} "
                           f"and dtype {input.dtype}")
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    w = None if weights is None else _raw(weights, input)
    if w is not None and w.shape != x.shape:
        raise RuntimeError(f"bincount: weights of shape {tuple(w.shape)} should have the input's shape {input.shape}")
    out = input.xp.bincount(x, weights=w, minlength=minlength)
    if w is None:
        return _constant(out.astype(backend.int64))
    return _constant(out.astype(w.dtype if w.dtype.kind == "f" else backend.float64))


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """A histogram of ``bins`` equal bins over [min, max] (the data's range when both are 0);
    values outside are ignored, the last bin includes max."""
    if bins <= 0:
        raise RuntimeError(f"histc: bins must be > 0, got {bins}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"histc: expected a floating point tensor, got {input.dtype}")
    xp, x = input.xp, input.data.reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"histc: max must be larger than min, got min={min} and max={max}")
    counts, _ = xp.histogram(x, bins=bins, range=(lo, hi))
    return _constant(counts.astype(input.dtype))


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False, right: bool = False,  # noqa: A002
                 side: str | None = None, sorter: Any = None) -> Tensor:
    """For each value, the index where it would be inserted into the sorted last dim of
    ``sorted_sequence`` to keep it sorted (before equal values; after them with ``right``/``side="right"``)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"searchsorted: side can only be 'left' or 'right', got {side!r}")
        if right and side == "left":
            raise RuntimeError("searchsorted: side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    seq = sorted_sequence.data
    values = _raw(input, sorted_sequence)
    if sorter is not None:
        seq = sorted_sequence.xp.take_along_axis(seq, _raw(sorter, sorted_sequence), axis=-1)
    how = "right" if right else "left"
    xp = sorted_sequence.xp
    if seq.ndim == 1:
        out = xp.searchsorted(seq, values, side=how)
    else:
        if seq.shape[:-1] != values.shape[:-1]:
            raise RuntimeError(f"searchsorted: boundaries of shape {tuple(seq.shape)} and input of shape "
                               f"{tuple(values.shape)} must have the same leading dims")
        rows = seq.reshape(-1, seq.shape[-1])
        vals = values.reshape(rows.shape[0], -1)
        out = xp.stack([xp.searchsorted(r, v, side=how) for r, v in zip(rows, vals)]).reshape(values.shape)
    return _constant(xp.asarray(out).astype(backend.int32 if out_int32 else backend.int64))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:  # noqa: A002
    """The bucket of each value among the 1-D sorted ``boundaries``: i with b[i−1] < x ≤ b[i]
    (b[i−1] ≤ x < b[i] with ``right``)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


__all__ = ["unique", "bincount", "histc", "searchsorted", "bucketize"]
