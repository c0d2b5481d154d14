"""Pooling layers: ``MaxPool2d`` (y = max over each window) and ``AvgPool2d`` (y = mean over it), and
their adaptive forms, which choose the windows to reach a given output size; the 1-D ``MaxPool1d``,
``AvgPool1d`` and ``AdaptiveAvgPool1d`` over (N, C, L) (the 2-D pools on a unit-height image)."""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from ..module import Module


class _Pool2d(Module):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """y[n, c, i, j] = max over the kernel_size window at (stride·i − padding, stride·j − padding);
    the gradient flows only to the maximum of each window.  ``stride`` defaults to ``kernel_size``.
    Input (N, C, H, W) or unbatched (C, H, W)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """y[n, c, i, j] = mean over the kernel_size window (zero padding counted, as PyTorch's default);
    the gradient is spread evenly over the window.  ``stride`` defaults to ``kernel_size``.
    Input (N, C, H, W) or unbatched (C, H, W)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


class _AdaptivePool(Module):
    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool):
    """(N, C, H, W) → (N, C, OH, OW) for any H, W: y[…, i, j] = mean of x over rows
    ⌊i·H/OH⌋ … ⌈(i+1)·H/OH⌉ − 1 and the columns likewise (PyTorch's windows).
    ``output_size``: an int or a pair; None in the pair keeps that input size."""

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePool):
    """(N, C, H, W) → (N, C, OH, OW): the maximum over the adaptive windows of
    :class:`AdaptiveAvgPool2d`; ``return_indices`` also returns each maximum's position h·W + w."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, x: Tensor) -> Any:
        return F.adaptive_max_pool2d(x, self.output_size, self.return_indices)


class MaxPool1d(Module):
    """y[n, c, i] = max of x over the window of length ``kernel_size`` at stride·i − padding; the
    gradient flows to each window's first maximum.  ``stride`` defaults to ``kernel_size``."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


def _single(v: Any) -> tuple[int]:
    return (int(v[0]),) if isinstance(v, (tuple, list)) else (int(v),)


class AvgPool1d(Module):
    """y[n, c, i] = mean of x over the window of length ``kernel_size`` (zero padding counted unless
    ``count_include_pad=False``).  ``stride`` defaults to ``kernel_size``."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """(N, C, L) → (N, C, output_size): the mean over torch's adaptive windows."""

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(x, self.output_size)


__all__ = ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "MaxPool1d", "AvgPool1d",
           "AdaptiveAvgPool1d"]
