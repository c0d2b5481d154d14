"""Sliding windows over images, on raw arrays: im2col / col2im for convolution and pooling.

A k×k window sliding over an (N, C, H, W) image with stride s and dilation d is a *view*
(``backend.as_strided``) of shape (N, C, OH, OW, kh, kw): no data is copied until the one copy
that lays the windows out as the columns of a matrix, so that a convolution is one GEMM.

Column layout: ``cols`` is (C·kh·kw, N·OH·OW) — one column per output position, rows ordered
(c, i, j) like ``weight.reshape(O, -1)``.  Measured on (64, 3, 32, 32) with 6@5×5 (2 cores,
OpenBLAS) this "K-major" layout is 2× faster for forward + backward than the row layout
(N·OH·OW, C·kh·kw): the copy reads whole image rows (OW contiguous), and both GEMMs stream the
long N·OH·OW axis.

Stride-1 convolutions take a faster route, :func:`flat_windows`: on the padded image flattened
per channel, output (h, w) is grid position q = h·Wp + w and its kernel tap (i, j) reads input
position q + dh·i·Wp + dw·j — one *uniform* shift per tap.  The windows of one image are then an
(C, kh, kw, Q) view whose inner axis is contiguous (Q ≈ OH·Wp), so the copy into columns runs at
memcpy speed; the Wp − OW "wrap-around" columns per row are computed and dropped (a few % to 50%
more GEMM work on small images).  On the CPU the convolution copies and multiplies a few images at
a time so that the columns stay in cache (``backend.DevicePolicy`` decides; a GPU takes whole
batches).  Measured on the lecture CIFAR net, 2 cores: conv 3→6 at 32×32
forward 6.3 → 2.4 ms, its weight gradient 3.7 → 2.5 ms, without keeping the 20 MB of columns.

col2im is the adjoint: every kernel tap (i, j) adds its (C, N, OH, OW) slab into a strided
slice of the padded image — kh·kw vectorised adds, never ``np.add.at``.
"""

from __future__ import annotations

from typing import Any

from .. import backend


def pair(value: Any, name: str, op: str) -> tuple[int, int]:
    """``3`` → (3, 3); ``(2, 1)`` → (2, 1); a clear error otherwise."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
        a, b = value
    else:
        a = b = value
    try:
        a, b = int(a), int(b)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}") from None
    return a, b


def out_size(n: int, k: int, s: int, p: int, d: int) -> int:
    """Output length of a sliding window: ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def pad_hw(x: Any, ph: int, pw: int, value: float = 0.0) -> Any:
    """Pad the last two axes of ``x`` by (ph, pw) on both sides with ``value`` (a new array)."""
    if ph == 0 and pw == 0:
        return x
    xp = backend.get_array_module(x)
    *lead, h, w = x.shape
    out = xp.full((*lead, h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
    out[..., ph:ph + h, pw:pw + w] = x
    return out


def windows(x: Any, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int],
            out_hw: tuple[int, int]) -> Any:
    """A read-only (N, C, OH, OW, kh, kw) view of the windows of an (already padded) x."""
    xp = backend.get_array_module(x)
    if not x.flags.c_contiguous:
        x = xp.ascontiguousarray(x)
    sn, sc, sh, sw = x.strides
    n, c = x.shape[:2]
    return backend.as_strided(
        x,
        (n, c, out_hw[0], out_hw[1], kernel[0], kernel[1]),
        (sn, sc, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1]),
    )


def im2col(x: Any, kernel: tuple[int, int], stride: tuple[int, int], padding: tuple[int, int],
           dilation: tuple[int, int], out_hw: tuple[int, int]) -> Any:
    """(N, C, H, W) → columns (C·kh·kw, N·OH·OW)."""
    n, c = x.shape[:2]
    view = windows(pad_hw(x, *padding), kernel, stride, dilation, out_hw)
    # (N, C, OH, OW, kh, kw) → (C, kh, kw, N, OH, OW): the reshape makes the one copy
    return view.transpose(1, 4, 5, 0, 2, 3).reshape(c * kernel[0] * kernel[1], -1)


def flat_windows(x: Any, kernel: tuple[int, int], padding: tuple[int, int], dilation: tuple[int, int],
                 out_hw: tuple[int, int]) -> tuple[Any, int]:
    """Stride-1 windows of (N, C, H, W) as an (N, C, kh, kw, Q) view over the padded, flattened image.

    ``view[n, c, i, j, q]`` is the input under tap (i, j) of the output at grid position
    q = h·Wp + w, for h < OH and w < Wp (w ≥ OW are wrap-around columns to drop); Q = (OH−1)·Wp + OW.
    Returns the view and Wp.
    """
    xp = backend.get_array_module(x)
    xpad = pad_hw(x, *padding)
    if not xpad.flags.c_contiguous:
        xpad = xp.ascontiguousarray(xpad)
    n, c, hp, wp = xpad.shape
    (oh, ow), (kh, kw), (dh, dw) = out_hw, kernel, dilation
    flat = xpad.reshape(n, c, hp * wp)
    sn, sc, item = flat.strides
    q = (oh - 1) * wp + ow
    return backend.as_strided(flat, (n, c, kh, kw, q), (sn, sc, dh * wp * item, dw * item, item)), wp


def grid_chunk(k_rows: int, q: int, itemsize: int, n: int, like: Any = None) -> int:
    """Images per chunk of columns (k_rows × q per image), as the device policy of ``like`` says:
    on the CPU a chunk stays in cache (~0.5 MiB); on a GPU it is the whole batch (bounded by free
    memory), since every chunk costs kernel launches (measured on an H200: CIFAR step 31 → 3.96 ms)."""
    return backend.policy(like).chunk(k_rows * q * itemsize, n)


def accumulate_windows(tiles: Any, out: Any, kernel: tuple[int, int], stride: tuple[int, int],
                       dilation: tuple[int, int], out_hw: tuple[int, int]) -> Any:
    """``out[..., window (i, j)] += tiles[i, j]`` for every kernel tap: the adjoint of :func:`windows`.

    ``tiles`` is (kh, kw, A, B, OH, OW) and ``out`` an (A, B, Hp, Wp) array (or view) to add into.
    """
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    for i in range(kh):
        r0 = i * dh
        for j in range(kw):
            c0 = j * dw
            out[:, :, r0:r0 + sh * (oh - 1) + 1:sh, c0:c0 + sw * (ow - 1) + 1:sw] += tiles[i, j]
    return out


def crop_hw(x: Any, ph: int, pw: int) -> Any:
    """Undo :func:`pad_hw` (a contiguous copy when there was padding)."""
    if ph == 0 and pw == 0:
        return x
    xp = backend.get_array_module(x)
    h, w = x.shape[-2:]
    return xp.ascontiguousarray(x[..., ph:h - ph, pw:w - pw])


def col2im(cols: Any, x_shape: tuple[int, ...], kernel: tuple[int, int], stride: tuple[int, int],
           padding: tuple[int, int], dilation: tuple[int, int], out_hw: tuple[int, int]) -> Any:
    """Columns (C·kh·kw, N·OH·OW) → (N, C, H, W), summing overlapping windows (adjoint of im2col)."""
    xp = backend.get_array_module(cols)
    n, c, h, w = x_shape
    (kh, kw), (ph, pw) = kernel, padding
    tiles = cols.reshape(c, kh, kw, n, out_hw[0], out_hw[1]).transpose(1, 2, 0, 3, 4, 5)
    # accumulate in a (C, N, Hp, Wp) buffer: each tile (C, N, OH, OW) is then a contiguous read
    buf = xp.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    accumulate_windows(tiles, buf, kernel, stride, dilation, out_hw)
    return xp.ascontiguousarray(buf[:, :, ph:ph + h, pw:pw + w].transpose(1, 0, 2, 3))
