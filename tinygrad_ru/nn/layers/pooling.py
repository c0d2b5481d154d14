"""Pooling layers: ``MaxPool2d`` (y = max over each window) and ``AvgPool2d`` (y = mean over it)."""

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

    def _check(self, x: Tensor) -> None:
        if x.ndim not in (3, 4):
            raise ValueError(f"{type(self).__name__}: expected a 3-D or 4-D input (N, C, H, W), got shape {x.shape}")

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """y[n, c, i, j] = max over the kernel_size window at (stride·i − padding, stride·j − padding);
    the gradient flows only to the maximum of each window.  ``stride`` defaults to ``kernel_size``."""

    def forward(self, x: Tensor) -> Tensor:
        self._check(x)
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """y[n, c, i, j] = mean over the kernel_size window (zero padding counted, as PyTorch's default);
    the gradient is spread evenly over the window.  ``stride`` defaults to ``kernel_size``."""

    def forward(self, x: Tensor) -> Tensor:
        self._check(x)
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


__all__ = ["MaxPool2d", "AvgPool2d"]
