"""Convolution and pooling on (N, C, H, W) images, PyTorch's conventions.

conv2d as im2col + one GEMM (see ``_strided``)::

    cols = im2col(x)                      (C·kh·kw, N·OH·OW)
    y    = W.reshape(O, −1) · cols + b    (O, N·OH·OW) → (N, O, OH, OW)

and its two adjoints, which are convolutions again:

    ∂L/∂W = g · colsᵀ                     (the "weight gradient" conv of x with g)
    ∂L/∂x = col2im(Wᵀ · g)                (the "transposed" conv of g with W)
    ∂L/∂b = Σ_{n,h,w} g

Each of the three is a Function whose backward calls the other two, so the set is closed under
differentiation: double backward (Hessian-vector products through a CNN) works.
Pooling pairs a forward with its adjoint in the same way (max-pool: gather at the argmax ↔
scatter to the argmax; avg-pool: window mean ↔ spread over the window).
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Function
from ..autograd.grad_mode import grad_mode
from ..tensor import Tensor
from ._strided import (
    accumulate_windows,
    col2im,
    crop_hw,
    flat_windows,
    grid_chunk,
    im2col,
    out_size,
    pad_hw,
    pair,
    windows,
)
from .movement import with_batch_dim
from .reduce import sum as _sum

# ----------------------------------------------------------------------------- conv2d


class _ConvGeometry:
    """Kernel, stride, padding, dilation and the spatial sizes of one convolution."""

    __slots__ = ("kernel", "stride", "padding", "dilation", "x_shape", "w_shape", "out_hw", "flat")

    def __init__(self, x_shape, w_shape, stride, padding, dilation) -> None:
        self.x_shape, self.w_shape = tuple(x_shape), tuple(w_shape)
        self.kernel = (w_shape[2], w_shape[3])
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self.out_hw = tuple(
            out_size(x_shape[2 + a], self.kernel[a], stride[a], padding[a], dilation[a]) for a in (0, 1)
        )
        # stride 1: the cache-blocked "flat grid" route (see ``_strided.flat_windows``)
        self.flat = tuple(stride) == (1, 1)

    def cols(self, x):
        return im2col(x, self.kernel, self.stride, self.padding, self.dilation, self.out_hw)


def _flat_chunks(x, dtype, geo: _ConvGeometry):
    """Yield (start, stop, columns) for chunks of images: columns (images, C·kh·kw, Q) of the flat
    grid (``_strided.flat_windows``), copied into one reused buffer that stays in cache."""
    xp = backend.get_array_module(x)
    view, _ = flat_windows(x, geo.kernel, geo.padding, geo.dilation, geo.out_hw)
    n, c, kh, kw, q = view.shape
    k = c * kh * kw
    step = grid_chunk(k, q, xp.dtype(dtype).itemsize, n, like=x)
    buf = xp.empty((step, c, kh, kw, q), dtype=dtype)
    for start in range(0, n, step):
        stop = min(n, start + step)
        cols = buf[:stop - start]
        xp.copyto(cols, view[start:stop])
        yield start, stop, cols.reshape(stop - start, k, q)


def _flat_conv(x, w, b, geo: _ConvGeometry):
    """Stride-1 conv2d: per chunk of images y[n] = W · cols[n] on the flat grid, then drop the
    wrap-around columns."""
    xp = backend.get_array_module(x, w)
    dtype = xp.result_type(x.dtype, w.dtype)
    n, o, (oh, ow) = x.shape[0], w.shape[0], geo.out_hw
    wp = x.shape[3] + 2 * geo.padding[1]
    q = (oh - 1) * wp + ow
    wm = w.reshape(o, -1)
    y = xp.empty((n, o, oh * wp), dtype=dtype)  # the tail of the last row is never read
    with backend.blas_single_thread(x):  # small GEMMs: one BLAS thread (see DevicePolicy)
        for start, stop, cols in _flat_chunks(x, dtype, geo):
            xp.matmul(wm, cols, out=y[start:stop, :, :q])
    y = y.reshape(n, o, oh, wp)[:, :, :, :ow]
    return xp.ascontiguousarray(y) if b is None else y + b.reshape(1, o, 1, 1)


def _flat_grad_weight(x, g, geo: _ConvGeometry):
    """Stride-1 weight gradient: Σ_n cols[n] · g[n]ᵀ, g laid on the flat grid with zeros in the
    wrap-around columns; the columns are rebuilt chunk by chunk (cheaper than keeping them)."""
    xp = backend.get_array_module(x, g)
    dtype = xp.result_type(x.dtype, g.dtype)
    n, o, (oh, ow) = x.shape[0], g.shape[1], geo.out_hw
    wp = x.shape[3] + 2 * geo.padding[1]
    q = (oh - 1) * wp + ow
    grid = xp.zeros((n, o, oh, wp), dtype=dtype)
    grid[..., :ow] = g
    grid = grid.reshape(n, o, oh * wp)[:, :, :q]
    acc = None
    with backend.blas_single_thread(x):
        for start, stop, cols in _flat_chunks(x, dtype, geo):
            part = xp.matmul(cols, grid[start:stop].transpose(0, 2, 1)).sum(axis=0)  # (C·kh·kw, O)
            acc = part if acc is None else acc + part
    return xp.ascontiguousarray(acc.T).reshape(geo.w_shape)


def _flat_conv_transpose(g, w, geo: _ConvGeometry):
    """Stride-1 input gradient as a convolution again: ∂L/∂x = g ⋆ W̃ with W̃[c, o, i, j] =
    W[o, c, kh−1−i, kw−1−j] and padding d·(k−1) − p, on the cache-blocked flat grid (measured 5.0 →
    2.9 ms for conv 6→16 at 16×16 against im2col's col2im: no big column matrix, no kh·kw adds)."""
    xp = backend.get_array_module(g, w)
    flipped = xp.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    pad = tuple(geo.dilation[a] * (geo.kernel[a] - 1) - geo.padding[a] for a in (0, 1))
    return _flat_conv(g, flipped, None, _ConvGeometry(g.shape, flipped.shape, (1, 1), pad, geo.dilation))


def _small_cols(x, geo: _ConvGeometry) -> bool:
    """Keep im2col's columns for the weight gradient when the device policy says they are small: one
    (C·kh·kw, N·OH·OW) GEMM on stored columns instead of rebuilding them per chunk.  A GPU keeps
    whatever fits its memory; the CPU rebuilds them in cache (measured: see ``backend.DevicePolicy``)."""
    c, (kh, kw), (oh, ow) = x.shape[1], geo.kernel, geo.out_hw
    return backend.policy(x).keep_columns(c * kh * kw * x.shape[0] * oh * ow * x.dtype.itemsize)


def _g_matrix(g):
    """(N, O, OH, OW) → a contiguous (O, N·OH·OW) (a broadcast g, e.g. from ``sum``, would reshape
    to a zero-stride view that BLAS cannot take: NumPy then falls back to a loop 100× slower)."""
    return backend.get_array_module(g).ascontiguousarray(g.transpose(1, 0, 2, 3)).reshape(g.shape[1], -1)


class Conv2d(Function):
    """y = W ⋆ x + b as ``W.reshape(O, −1) · im2col(x)``; inputs (x, W) or (x, W, b)."""

    def __init__(self, geometry: _ConvGeometry, keep_cols: bool = True) -> None:
        self.geo = geometry
        self.keep_cols = keep_cols

    def forward(self, x, w, b=None):
        xp = backend.get_array_module(x, w)
        geo = self.geo
        if geo.flat and not (self.keep_cols and _small_cols(x, geo)):
            self.cols = None  # the weight gradient rebuilds them chunk by chunk
            return _flat_conv(x, w, b, geo)
        cols = geo.cols(x)
        y = w.reshape(w.shape[0], -1) @ cols
        if b is not None:
            y += b.reshape(-1, 1)
        # cols is only needed for ∂L/∂W; the caller knows whether W requires grad
        self.cols = cols if self.keep_cols else None
        n, (oh, ow) = x.shape[0], geo.out_hw
        return xp.ascontiguousarray(y.reshape(w.shape[0], n, oh, ow).transpose(1, 0, 2, 3))

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        needs = self.needs_input_grad
        gx = Conv2dGradInput(self.geo)(g, w) if needs[0] else None
        gw = Conv2dGradWeight(self.geo, self.cols)(x, g) if needs[1] else None
        if len(self.inputs) == 2:
            return gx, gw
        gb = None
        if needs[2]:
            gb = _sum(g, (0, 2, 3)) if grad_mode.enabled else Tensor._wrap(g.data.sum(axis=(0, 2, 3)), False)
        return gx, gw, gb


class Conv2dGradInput(Function):
    """∂L/∂x = col2im(Wᵀ · g) (a transposed convolution); linear in g and in W."""

    def __init__(self, geometry: _ConvGeometry) -> None:
        self.geo = geometry

    def forward(self, g, w):
        geo = self.geo
        if geo.flat and all(geo.padding[a] <= geo.dilation[a] * (geo.kernel[a] - 1) for a in (0, 1)):
            return _flat_conv_transpose(g, w, geo)
        cols = w.reshape(w.shape[0], -1).T @ _g_matrix(g)
        return col2im(cols, geo.x_shape, geo.kernel, geo.stride, geo.padding, geo.dilation, geo.out_hw)

    def backward(self, h):
        g, w = self.inputs
        needs = self.needs_input_grad
        # ⟨h, gx(g, W)⟩ = ⟨conv(h, W), g⟩: so ∂/∂g = conv(h, W) and ∂/∂W = weight-grad(h, g)
        dg = Conv2d(self.geo, keep_cols=False)(h, w) if needs[0] else None
        dw = Conv2dGradWeight(self.geo)(h, g) if needs[1] else None
        return dg, dw


class Conv2dGradWeight(Function):
    """∂L/∂W = g · im2col(x)ᵀ; linear in x and in g."""

    def __init__(self, geometry: _ConvGeometry, cols: Any = None) -> None:
        self.geo = geometry
        self.cached_cols = cols

    def forward(self, x, g):
        if self.geo.flat and self.cached_cols is None:
            return _flat_grad_weight(x, g, self.geo)
        cols = self.cached_cols if self.cached_cols is not None else self.geo.cols(x)
        self.cached_cols = None
        # (cols · gᵀ)ᵀ, not g · colsᵀ: the same product, but OpenBLAS (2 threads) splits the long
        # K = N·OH·OW axis badly in the second form (measured 3–100× slower)
        return (cols @ _g_matrix(g).T).T.reshape(self.geo.w_shape)

    def backward(self, h):
        x, g = self.inputs
        needs = self.needs_input_grad
        # ⟨H, gW(x, g)⟩ = ⟨conv(x, H), g⟩: so ∂/∂x = grad-input(g, H) and ∂/∂g = conv(x, H)
        dx = Conv2dGradInput(self.geo)(g, h) if needs[0] else None
        dg = Conv2d(self.geo, keep_cols=False)(x, h) if needs[1] else None
        return dx, dg


def conv2d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``:

    y[n, o, i, j] = b[o] + Σ_{c, p, q} W[o, c, p, q] · x_pad[n, c, s·i + d·p, s·j + d·q]

    ``input`` (N, C, H, W), ``weight`` (O, C, kh, kw), ``bias`` (O,); ``padding`` is zeros on
    both sides.  Output (N, O, ⌊(H + 2p − d(kh−1) − 1)/s⌋ + 1, …).  ``groups`` must be 1.
    Bad shapes or options: RuntimeError, as torch.
    """
    if groups != 1:
        raise NotImplementedError("conv2d: groups != 1 is not supported")
    if input.ndim != 4:  # the public conv2d (ops.conv_groups) gives a (C, H, W) input its batch of one
        raise RuntimeError(f"conv2d: expected a 3-D (unbatched: C, H, W) or 4-D (batched: N, C, H, W) input, "
                           f"got shape {input.shape}")
    if weight.ndim != 4:
        raise RuntimeError(f"conv2d: expected a 4-D weight (out_channels, in_channels, kh, kw), got shape "
                           f"{weight.shape}")
    if input.shape[1] != weight.shape[1]:
        raise RuntimeError(
            f"conv2d: input has {input.shape[1]} channels (shape {input.shape}) but the weight expects "
            f"{weight.shape[1]} (weight shape {weight.shape})"
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise RuntimeError(f"conv2d: bias must have shape ({weight.shape[0]},), got {bias.shape}")
    s, p, d = pair(stride, "stride", "conv2d"), pair(padding, "padding", "conv2d"), pair(dilation, "dilation", "conv2d")
    if min(s) < 1 or min(d) < 1 or min(p) < 0:
        raise RuntimeError(f"conv2d: stride and dilation must be ≥ 1 and padding ≥ 0, got {s}, {d}, {p}")
    geo = _ConvGeometry(input.shape, weight.shape, s, p, d)
    if min(geo.out_hw) < 1:
        eff = tuple(d[a] * (weight.shape[2 + a] - 1) + 1 for a in (0, 1))
        padded = tuple(input.shape[2 + a] + 2 * p[a] for a in (0, 1))
        raise RuntimeError(
            f"conv2d: kernel size {eff} (with dilation) is larger than the padded input {padded} "
            f"(input shape {input.shape}, weight shape {weight.shape})"
        )
    fn = Conv2d(geo, keep_cols=weight.requires_grad and grad_mode.enabled)
    return fn(input, weight) if bias is None else fn(input, weight, bias)


# ----------------------------------------------------------------------------- pooling


class _PoolGeometry:
    __slots__ = ("kernel", "stride", "padding", "x_shape", "out_hw", "tiled")

    def __init__(self, x_shape, kernel, stride, padding, op: str) -> None:
        if len(x_shape) != 4:
            raise RuntimeError(f"{op}: expected a 3-D (unbatched: C, H, W) or 4-D (batched: N, C, H, W) input, "
                               f"got shape {tuple(x_shape)}")
        self.x_shape, self.kernel, self.stride, self.padding = tuple(x_shape), kernel, stride, padding
        if min(kernel) < 1 or min(stride) < 1 or min(padding) < 0:
            raise RuntimeError(f"{op}: kernel_size and stride must be ≥ 1 and padding ≥ 0, got "
                             f"{kernel}, {stride}, {padding}")
        if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
            raise RuntimeError(f"{op}: padding {padding} should be at most half of kernel_size {kernel}")
        self.out_hw = tuple(out_size(x_shape[2 + a], kernel[a], stride[a], padding[a], 1) for a in (0, 1))
        if min(self.out_hw) < 1:
            raise RuntimeError(f"{op}: kernel_size {kernel} is larger than the padded input "
                             f"{tuple(x_shape[2 + a] + 2 * padding[a] for a in (0, 1))} (input shape {tuple(x_shape)})")
        # stride == kernel, no padding: the windows tile the image → plain reshapes
        self.tiled = kernel == stride and padding == (0, 0)

    def tiles_view(self, x):
        """(N, C, OH, kh, OW, kw) view of the (cropped) image; only when ``tiled``."""
        (kh, kw), (oh, ow) = self.kernel, self.out_hw
        n, c = x.shape[:2]
        return x[:, :, :oh * kh, :ow * kw].reshape(n, c, oh, kh, ow, kw)

    def window_view(self, x, fill: float):
        """(N, C, OH, OW, kh, kw) view of the windows of x padded with ``fill``."""
        return windows(pad_hw(x, *self.padding, value=fill), self.kernel, self.stride, (1, 1), self.out_hw)

    def scatter(self, per_window):
        """Adjoint of taking windows: (N, C, OH, OW, kh, kw) values → summed into (N, C, H, W)."""
        xp = backend.get_array_module(per_window)
        n, c, h, w = self.x_shape
        (kh, kw), (oh, ow), (ph, pw) = self.kernel, self.out_hw, self.padding
        if self.tiled:
            out = per_window.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh * kh, ow * kw)
            if out.shape[2:] != (h, w):  # floor mode dropped the last rows/columns
                full = xp.zeros(self.x_shape, dtype=out.dtype)
                full[:, :, :oh * kh, :ow * kw] = out
                out = full
            return out
        buf = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=per_window.dtype)
        accumulate_windows(per_window.transpose(4, 5, 0, 1, 2, 3), buf, self.kernel, self.stride, (1, 1),
                           self.out_hw)
        return crop_hw(buf, ph, pw)


def _pool_args(x: Tensor, kernel_size, stride, padding, op: str) -> _PoolGeometry:
    k = pair(kernel_size, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else pair(stride, "stride", op)
    return _PoolGeometry(x.shape, k, s, pair(padding, "padding", op), op)


def _taps(geo: _PoolGeometry, x, fill: float):
    """The kh·kw strided views x_window[..., i, j], each (N, C, OH, OW), in row-major tap order."""
    if geo.tiled:
        view = geo.tiles_view(x)
        return [view[:, :, :, i, :, j] for i in range(geo.kernel[0]) for j in range(geo.kernel[1])]
    view = geo.window_view(x, fill)
    return [view[..., i, j] for i in range(geo.kernel[0]) for j in range(geo.kernel[1])]


class _LazyTiles:
    """``tiles[i, j]`` computed on demand (so that only one tap is in memory at a time)."""

    def __init__(self, make) -> None:
        self.make = make

    def __getitem__(self, ij):
        return self.make(*ij)


class MaxPool2d(Function):
    """y = max over each window; the gradient goes to the (first) argmax of the window, as PyTorch.

    The max and its tap index are found with kh·kw vectorised comparisons over strided views
    (no window copy; faster than ``argmax`` over a tiny last axis).  When the windows tile the
    image (stride == kernel) the choice is kept as a one-hot mask in the image's own layout, so
    that the backward is one broadcast multiply (measured on (64, 6, 32, 32), 2×2: forward
    2.6 → 1.4 ms, backward 1.8 → 1.1 ms).
    """

    def __init__(self, geometry: _PoolGeometry) -> None:
        self.geo = geometry

    def forward(self, x):
        xp = backend.get_array_module(x)
        fill = -float("inf") if x.dtype.kind == "f" else x.min()
        if backend.policy(x).pool_argmax:  # GPU: a few whole-array kernels instead of kh·kw passes
            win = _window_rows(self.geo, x, fill)
            self.choice = win.argmax(axis=-1)  # the first maximum wins ties, as in PyTorch
            return xp.take_along_axis(win, self.choice[..., None], axis=-1)[..., 0]
        taps = _taps(self.geo, x, fill)
        if self.geo.tiled:
            best, self.choice = _tiled_max(self.geo, x, taps)
            return best
        best = taps[0].copy()
        index = xp.zeros(best.shape, dtype=backend.int32)
        for t, tap in enumerate(taps[1:], start=1):
            better = tap > best  # strict: the first maximum wins ties, as in PyTorch
            xp.maximum(best, tap, out=best)
            index[better] = t
        self.choice = index
        return best

    def backward(self, g):
        return MaxPool2dScatter(self.geo, self.choice)(g)


def _window_rows(geo: _PoolGeometry, x, fill: float):
    """A copy of the windows as rows: (N, C, OH, OW, kh·kw) (the accelerator's route: one copy, then
    one reduction over the last axis)."""
    if geo.tiled:
        view = geo.tiles_view(x).transpose(0, 1, 2, 4, 3, 5)
    else:
        view = geo.window_view(x, fill)
    n, c, oh, ow, kh, kw = view.shape
    return view.reshape(n, c, oh, ow, kh * kw)


def _onehot_choice(geo: _PoolGeometry, choice) -> bool:
    """Whether ``choice`` is the tiled CPU route's one-hot mask (else: the tap index per window)."""
    return geo.tiled and choice.ndim == 6


def _tiled_max(geo: _PoolGeometry, x, taps):
    """Window maxima and the one-hot (N, C, OH, kh, OW, kw) mask of each window's first maximum."""
    xp = backend.get_array_module(x)
    best = taps[0].copy()
    for tap in taps[1:]:
        xp.maximum(best, tap, out=best)
    n, c = x.shape[:2]
    (kh, kw), (oh, ow) = geo.kernel, geo.out_hw
    mask = xp.empty((n, c, oh, kh, ow, kw), dtype=bool)
    taken = None
    for t, tap in enumerate(taps):
        hit = tap == best
        if taken is None:
            taken = hit.copy()
        else:  # the first maximum wins ties (ReLU outputs tie at 0 all the time), as in PyTorch
            hit &= ~taken
            taken |= hit
        mask[:, :, :, t // kw, :, t % kw] = hit
    return best, mask


class MaxPool2dScatter(Function):
    """The adjoint of max-pooling: each output's gradient goes to its window's argmax.

    ``choice``: the tap index per window, or (tiled pools) the one-hot mask of ``_tiled_max``.
    """

    def __init__(self, geometry: _PoolGeometry, choice: Any) -> None:
        self.geo, self.choice = geometry, choice

    def forward(self, g):
        xp = backend.get_array_module(g)
        geo = self.geo
        (kh, kw), (oh, ow) = geo.kernel, geo.out_hw
        n, c, h, w = geo.x_shape
        if backend.policy(g).pool_argmax:  # one-hot rows from the argmax, then one scatter
            taps = xp.arange(kh * kw, dtype=self.choice.dtype)
            rows = xp.where(self.choice[..., None] == taps, g[..., None], xp.zeros((), dtype=g.dtype))
            return geo.scatter(rows.reshape(n, c, oh, ow, kh, kw))
        if _onehot_choice(geo, self.choice):  # windows do not overlap: one broadcast multiply by the mask
            covered = (oh * kh, ow * kw) == (h, w)
            out = xp.empty(geo.x_shape, dtype=g.dtype) if covered else xp.zeros(geo.x_shape, dtype=g.dtype)
            view = out[:, :, :oh * kh, :ow * kw].reshape(n, c, oh, kh, ow, kw)
            xp.multiply(self.choice, g[:, :, :, None, :, None], out=view)
            return out
        zero = xp.zeros((), dtype=g.dtype)
        per_tap = _LazyTiles(lambda i, j: xp.where(self.choice == i * kw + j, g, zero))
        (ph, pw) = geo.padding
        buf = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
        accumulate_windows(per_tap, buf, geo.kernel, geo.stride, (1, 1), geo.out_hw)
        return crop_hw(buf, ph, pw)

    def backward(self, h):
        return MaxPool2dGather(self.geo, self.choice)(h)


class MaxPool2dGather(Function):
    """Take each window's value at the argmax found by a max-pool (the adjoint of the scatter)."""

    def __init__(self, geometry: _PoolGeometry, choice: Any) -> None:
        self.geo, self.choice = geometry, choice

    def forward(self, x):
        xp = backend.get_array_module(x)
        if backend.policy(x).pool_argmax:
            win = _window_rows(self.geo, x, 0.0)
            return xp.take_along_axis(win, self.choice[..., None], axis=-1)[..., 0]
        if _onehot_choice(self.geo, self.choice):  # one hit per window: a masked sum is the gathered value
            return xp.where(self.choice, self.geo.tiles_view(x), 0).sum(axis=(3, 5)).astype(x.dtype, copy=False)
        taps = _taps(self.geo, x, 0.0)
        out = xp.zeros(taps[0].shape, dtype=x.dtype)
        for t, tap in enumerate(taps):
            hit = self.choice == t
            out[hit] = tap[hit]
        return out

    def backward(self, g):
        return MaxPool2dScatter(self.geo, self.choice)(g)


def max_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> Tensor:
    """Max over kh×kw windows (``stride`` defaults to ``kernel_size``; padding is −∞).

    y[n, c, i, j] = max_{p<kh, q<kw} x_pad[n, c, s·i + p, s·j + q];  ∂y/∂x is 1 at the first
    maximum of the window (row-major order) and 0 elsewhere, as in PyTorch.  ``input`` (N, C, H, W)
    or unbatched (C, H, W); bad shapes or options: RuntimeError, as torch.
    """
    return with_batch_dim(input, 4, lambda x: MaxPool2d(_pool_args(x, kernel_size, stride, padding, "max_pool2d"))(x))


class AvgPool2d(Function):
    """y = mean over each window (padding counted as zeros when ``count_include_pad``)."""

    def __init__(self, geometry: _PoolGeometry, count_include_pad: bool) -> None:
        self.geo, self.count_include_pad = geometry, count_include_pad

    def divisor(self, xp, dtype):
        geo = self.geo
        (kh, kw) = geo.kernel
        if self.count_include_pad or geo.padding == (0, 0):
            return float(kh * kw)
        ones = xp.ones((1, 1) + geo.x_shape[2:], dtype=dtype)
        counts = geo.window_view(ones, 0.0).sum(axis=(-2, -1))
        return counts  # (1, 1, OH, OW)

    def forward(self, x):
        xp = backend.get_array_module(x)
        geo = self.geo
        if geo.tiled:
            total = geo.tiles_view(x).sum(axis=(3, 5))
        else:
            total = geo.window_view(x, 0.0).sum(axis=(-2, -1))
        self.div = self.divisor(xp, x.dtype)
        return (total / self.div).astype(x.dtype, copy=False)

    def backward(self, g):
        return AvgPool2dSpread(self)(g)


class AvgPool2dSpread(Function):
    """The adjoint of average pooling: each output's gradient, divided by the count, to its window."""

    def __init__(self, pool: AvgPool2d) -> None:
        self.pool = pool

    def forward(self, g):
        geo = self.pool.geo
        (kh, kw) = geo.kernel
        per = (g / self.pool.div).astype(g.dtype, copy=False)
        xp = backend.get_array_module(g)
        per_window = xp.broadcast_to(per[..., None, None], (*g.shape, kh, kw))
        return geo.scatter(per_window)

    def backward(self, h):
        fn = AvgPool2d(self.pool.geo, self.pool.count_include_pad)
        return fn(h)


def avg_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    count_include_pad: bool = True,
) -> Tensor:
    """Mean over kh×kw windows (``stride`` defaults to ``kernel_size``; zero padding counted, as PyTorch).

    y[n, c, i, j] = (1/(kh·kw)) Σ_{p<kh, q<kw} x_pad[n, c, s·i + p, s·j + q]

    ``input`` (N, C, H, W) or unbatched (C, H, W); fewer dimensions: IndexError (torch reads dim −3),
    other bad shapes or options: RuntimeError.
    """
    if input.ndim < 3:
        raise IndexError(f"avg_pool2d: expected a 3-D (unbatched: C, H, W) or 4-D (batched: N, C, H, W) input, "
                         f"got shape {input.shape} (no dimension -3)")
    return with_batch_dim(input, 4, lambda x: AvgPool2d(_pool_args(x, kernel_size, stride, padding, "avg_pool2d"),
                                                        count_include_pad)(x))


__all__ = ["conv2d", "max_pool2d", "avg_pool2d", "Conv2d", "Conv2dGradInput", "Conv2dGradWeight",
           "MaxPool2d", "AvgPool2d"]
