"""``unfold`` and ``fold``: the im2col / col2im of the convolution, as torch's functions.

``unfold`` cuts an image (N, C, H, W) into its sliding kh×kw blocks, one column per block:
(N, C·kh·kw, L), L the number of blocks.  It is exactly the ``im2col`` that ``conv2d`` runs on
(``_strided.im2col``), so a convolution is ``W.reshape(O, −1) @ unfold(x)`` — the lecture's
"convolution = one matrix product" made visible.  ``fold`` is its adjoint (``col2im``): it puts
each column back at its block's place, *summing* where blocks overlap.  Each one's backward is
the other, so both differentiate to any order.
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._strided import col2im, im2col, out_size, pair
from .movement import with_batch_dim


class _BlockGeometry:
    """Kernel, dilation, padding, stride of the blocks, and the image size they cover."""

    def __init__(self, image_shape: tuple[int, ...], kernel, dilation, padding, stride) -> None:
        self.image_shape = tuple(image_shape)
        self.kernel, self.dilation, self.padding, self.stride = kernel, dilation, padding, stride
        self.out_hw = tuple(out_size(image_shape[2 + a], kernel[a], stride[a], padding[a], dilation[a])
                            for a in (0, 1))


class Unfold(Function):
    """(N, C, H, W) → (N, C·kh·kw, L): y[n, (c, i, j), l] = x_pad[n, c, s·h_l + d·i, s·w_l + d·j]."""

    saves = ()

    def __init__(self, geo: _BlockGeometry) -> None:
        self.geo = geo

    def forward(self, x):
        g = self.geo
        cols = im2col(x, g.kernel, g.stride, g.padding, g.dilation, g.out_hw)  # (C·kh·kw, N·L)
        n = x.shape[0]
        return backend.get_array_module(x).ascontiguousarray(cols.reshape(cols.shape[0], n, -1).transpose(1, 0, 2))

    def backward(self, gy):
        return Fold(self.geo)(gy)


class Fold(Function):
    """(N, C·kh·kw, L) → (N, C, H, W): each column added back at its block (the adjoint of Unfold)."""

    saves = ()

    def __init__(self, geo: _BlockGeometry) -> None:
        self.geo = geo

    def forward(self, cols):
        g = self.geo
        flat = cols.transpose(1, 0, 2).reshape(cols.shape[1], -1)  # (C·kh·kw, N·L)
        return col2im(flat, g.image_shape, g.kernel, g.stride, g.padding, g.dilation, g.out_hw)

    def backward(self, gy):
        return Unfold(self.geo)(gy)


def _block_args(op: str, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple:
    k, d, p, s = (pair(v, name, op) for v, name in ((kernel_size, "kernel_size"), (dilation, "dilation"),
                                                    (padding, "padding"), (stride, "stride")))
    if min(k) < 1 or min(d) < 1 or min(s) < 1 or min(p) < 0:
        raise RuntimeError(f"{op}: kernel_size, dilation and stride must be positive and padding non-negative, got "
                           f"kernel_size={k}, dilation={d}, padding={p}, stride={s}")
    return k, d, p, s


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
           stride: Any = 1) -> Tensor:
    """Sliding blocks as columns (im2col): (N, C, H, W) or (C, H, W) → (N, C·kh·kw, L) or (C·kh·kw, L),
    L = OH·OW with OH = ⌊(H + 2p − d(kh − 1) − 1)/s⌋ + 1 (the conv2d output size)."""
    if input.ndim not in (3, 4):  # torch: IndexError below 3-D (it indexes the missing spatial dim)
        error = IndexError if input.ndim < 3 else RuntimeError
        raise error(f"unfold: Expected 3D or 4D (batch mode) tensor for input, but got input of shape "
                    f"{tuple(input.shape)}")
    k, d, p, s = _block_args("unfold", kernel_size, dilation, padding, stride)

    def run(x: Tensor) -> Tensor:
        geo = _BlockGeometry(x.shape, k, d, p, s)
        if min(geo.out_hw) < 1:
            raise RuntimeError(f"unfold: the kernel {k} (dilation {d}) does not fit the padded input "
                               f"{tuple(x.shape[2 + a] + 2 * p[a] for a in (0, 1))} (input shape "
                               f"{tuple(input.shape)})")
        return Unfold(geo)(x)

    return with_batch_dim(input, 4, run)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
         stride: Any = 1) -> Tensor:
    """Columns back to an image (col2im), summing overlaps: (N, C·kh·kw, L) or (C·kh·kw, L) →
    (N, C, H, W) or (C, H, W), (H, W) = ``output_size``; L must be the number of blocks of that image."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"fold: Expected 2D or 3D (batch mode) tensor for input, but got input of shape "
                           f"{tuple(input.shape)}")
    k, d, p, s = _block_args("fold", kernel_size, dilation, padding, stride)

    def run(cols: Tensor) -> Tensor:
        n, ck, length = cols.shape
        if ck % (k[0] * k[1]):
            raise RuntimeError(f"fold: Expected size of input's dimension 1 to be divisible by the product of "
                               f"kernel_size {k}, but got input of shape {tuple(input.shape)}")
        h, w = pair(output_size, "output_size", "fold")
        geo = _BlockGeometry((n, ck // (k[0] * k[1]), h, w), k, d, p, s)
        if geo.out_hw[0] * geo.out_hw[1] != length or min(geo.out_hw) < 1:
            raise RuntimeError(f"fold: Given output_size={(h, w)}, kernel_size={k}, dilation={d}, padding={p}, "
                               f"stride={s}, expected size of input's dimension 2 to match the calculated number of "
                               f"sliding blocks {geo.out_hw[0]} * {geo.out_hw[1]} = {geo.out_hw[0] * geo.out_hw[1]}, "
                               f"but got input of shape {tuple(input.shape)}")
        return Fold(geo)(cols)

    return with_batch_dim(input, 3, run)


__all__ = ["unfold", "fold", "Unfold", "Fold"]
