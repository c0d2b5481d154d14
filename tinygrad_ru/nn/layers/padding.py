"""Padding layers: ``F.pad`` as a module, one class per mode and number of padded dimensions.

``padding`` is an int (the same on every side) or PyTorch's tuple ``(left, right)`` for 1-D and
``(left, right, top, bottom)`` for 2-D; negative values crop.
"""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from ..module import Module


class _PadNd(Module):
    mode = "constant"
    dims = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = tuple(padding) if isinstance(padding, (tuple, list)) else (int(padding),) * (2 * self.dims)

    def forward(self, x: Tensor) -> Tensor:
        return F.pad(x, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, x: Tensor) -> Tensor:
        return F.pad(x, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with ``value``: (…, W) → (…, left + W + right)."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with ``value``: (…, H, W) → (…, top + H + bottom, left + W + right)."""

    dims = 2


class ZeroPad1d(_ConstantPadNd):
    """Pad the last dimension with zeros."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ZeroPad1d):
    """Pad the last two dimensions with zeros (the border of an image)."""

    dims = 2


class ReflectionPad1d(_PadNd):
    """Mirror the last dimension at its ends without repeating the edge: d c b | a b c d | c b a."""

    mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Mirror the last two dimensions (each padding smaller than that size), as ``F.pad(mode="reflect")``."""

    dims = 2


class ReplicationPad1d(_PadNd):
    """Repeat the edge value of the last dimension: a a a | a b c d | d d d."""

    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Repeat the edge values of the last two dimensions."""

    dims = 2


class CircularPad1d(_PadNd):
    """Wrap the last dimension around: b c d | a b c d | a b c."""

    mode = "circular"


class CircularPad2d(CircularPad1d):
    """Wrap the last two dimensions around (a torus), as ``F.pad(mode="circular")``."""

    dims = 2


__all__ = [
    "ConstantPad1d", "ConstantPad2d", "ZeroPad1d", "ZeroPad2d", "ReflectionPad1d", "ReflectionPad2d",
    "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d",
]
