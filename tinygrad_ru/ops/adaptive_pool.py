"""Adaptive pooling: pool (…, H, W) to a chosen output size (OH, OW), whatever H and W are.

Output row i pools input rows start(i) … end(i) − 1 with PyTorch's rule

    start(i) = ⌊i·H/OH⌋,   end(i) = ⌈(i + 1)·H/OH⌉

(the same for columns), so windows may differ in size by one and overlap when H is not a multiple
of OH; when it is, this is plain pooling with kernel = stride = H/OH.

Average: a linear map, y = A_H · x · A_Wᵀ with A_H[i, r] = 1/(end(i) − start(i)) on row i's window
(so its gradient is Aᵀ·g·A and every order of derivative comes from ``matmul``).
Max: every window is gathered (padded to the longest window by repeating its last element, which
changes no maximum) to find the first maximum's position, as PyTorch; the output is then one
differentiable gather of those positions, so the gradient goes to them.
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..tensor import Tensor
from .elementwise import _constant
from .indexing import gather
from .matmul import matmul
from .movement import reshape


def _output_size(x: Tensor, output_size: Any, op: str, global_mean_any_rank: bool = False) -> tuple[int, int]:
    """(OH, OW) with PyTorch's checks and exception types, in its order; ``global_mean_any_rank``: an
    output of (1, 1) takes any input of two or more dimensions (torch's average pool)."""
    pair = isinstance(output_size, (tuple, list))
    if pair and x.ndim < 3:
        raise ValueError(f"{op}: an output_size pair needs a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape "
                         f"{x.shape}")
    size = tuple(output_size) if pair else (output_size, output_size)
    if len(size) != 2:
        raise RuntimeError(f"{op}: output_size must be 2 numbers (or None to keep that size), got {output_size!r}")
    out = tuple(x.shape[-2 + a] if s is None else int(s) for a, s in enumerate(size))
    # torch's average pool to (1, 1) is a mean over the last two axes, of any input with at least two
    # dimensions (the pooling here is that mean too: A_H and A_W are rows of 1/H and 1/W)
    global_mean = global_mean_any_rank and out == (1, 1)
    if global_mean and x.ndim < 2:
        raise IndexError(f"{op}: output_size 1 averages the last two dimensions, but the input of shape {x.shape} "
                         f"has {x.ndim}")
    if x.ndim not in (3, 4) and not global_mean:
        raise RuntimeError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {x.shape}")
    if 0 in x.shape[-3:]:
        raise RuntimeError(f"{op}: expected input to have non-zero size for non-batch dimensions, got shape {x.shape}")
    if min(out) < 0:
        raise RuntimeError(f"{op}: output_size must be non-negative, got {output_size!r}")
    return out


def _windows(n: int, m: int) -> list[tuple[int, int]]:
    """[start(i), end(i)) of the m output positions over n inputs (PyTorch's rule)."""
    return [((i * n) // m, -((-(i + 1) * n) // m)) for i in range(m)]


def _average_matrix(xp: Any, n: int, m: int, dtype: Any) -> Any:
    a = xp.zeros((m, n), dtype=dtype)
    for i, (s, e) in enumerate(_windows(n, m)):
        a[i, s:e] = 1.0 / (e - s)
    return a


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """Average over adaptive windows: (N, C, H, W) or (C, H, W) → (…, OH, OW).  To (1, 1) any input
    (…, H, W) of two or more dimensions → (…, 1, 1) (a pair needs three), as torch.

    ``output_size``: an int (square) or a pair whose entries may be None (keep that size).
    y[…, i, j] = mean of x[…, start(i):end(i), start(j):end(j)] (windows in the module docstring).
    """
    oh, ow = _output_size(input, output_size, "adaptive_avg_pool2d", global_mean_any_rank=True)
    (h, w), xp, dtype = input.shape[-2:], input.xp, input.dtype
    rows = _constant(_average_matrix(xp, h, oh, dtype))                   # (OH, H)
    cols = _constant(_average_matrix(xp, w, ow, dtype).T.copy())          # (W, OW)
    return matmul(matmul(rows, input), cols)


def _window_index(xp: Any, n: int, m: int) -> Any:
    """(m, longest window) input positions of each window, the short ones padded with their last."""
    spans = _windows(n, m)
    k = max((e - s for s, e in spans), default=1)
    return xp.asarray([[min(s + t, e - 1) for t in range(k)] for s, e in spans], dtype=backend.int64).reshape(m, k)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """Maximum over adaptive windows: (N, C, H, W) or (C, H, W) → (…, OH, OW).

    With ``return_indices`` also the position of each maximum in its input plane, h·W + w (int64),
    as PyTorch.  The gradient goes to the first maximum of each window (row-major).
    """
    oh, ow = _output_size(input, output_size, "adaptive_max_pool2d")
    (h, w), xp = input.shape[-2:], input.xp
    if oh == 0 or ow == 0:  # an empty output: no window to take a maximum of
        values = adaptive_avg_pool2d(input, (oh, ow))
        return (values, Tensor._wrap(xp.zeros(values.shape, dtype=backend.int64), False)) if return_indices \
            else values
    # where each maximum is: found on the raw array, outside the graph
    rows, cols = _window_index(xp, h, oh), _window_index(xp, w, ow)   # (OH, KH), (OW, KW)
    kh, kw = rows.shape[1], cols.shape[1]
    patches = input.data[..., rows[:, None, :, None], cols[None, :, None, :]]   # (…, OH, OW, KH, KW)
    k = patches.reshape(patches.shape[:-2] + (kh * kw,)).argmax(axis=-1)        # first maximum
    index = rows[xp.arange(oh)[:, None], k // kw] * w + cols[xp.arange(ow)[None, :], k % kw]
    # the values: one differentiable gather from the flattened planes (gradient to the argmax)
    lead = input.shape[:-2]
    flat = reshape(input, lead + (h * w,))
    where = Tensor._wrap(index.reshape(lead + (oh * ow,)), False)  # a Tensor: stays on the device
    values = reshape(gather(flat, -1, where), lead + (oh, ow))
    return (values, Tensor._wrap(index.astype(backend.int64), False)) if return_indices else values


__all__ = ["adaptive_avg_pool2d", "adaptive_max_pool2d"]
