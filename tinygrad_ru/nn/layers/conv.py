"""``Conv2d``: the 2-D convolution (cross-correlation, as in every DL library).

    y[n, o, i, j] = b[o] + Σ_c Σ_{p,q} W[o, c, p, q] · x[n, c, s·i + d·p − pad, s·j + d·q − pad]
"""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from .linear import _WeightedLayer


def _pair(v: Any, name: str) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"Conv2d: {name} must be an int or a pair, got {v!r}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


class Conv2d(_WeightedLayer):
    """A 2-D convolution over an input of shape (N, C_in, H, W) → (N, C_out, H_out, W_out), with

        H_out = ⌊(H + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1   (the same for W).

    ``weight``: (out_channels, in_channels, kh, kw); ``bias``: (out_channels,) — PyTorch's shapes.
    Default initialisation is PyTorch's (kaiming_uniform_ with a=√5, fan_in = C_in·kh·kw);
    ``init="he"|"xavier"|"lecun"`` or a callable picks the lecture's, with zero bias.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, bias: bool = True, init: Any = None, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        if self.in_channels <= 0 or self.out_channels <= 0:
            raise ValueError(f"Conv2d: channel counts must be positive, got {in_channels}, {out_channels}")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        if isinstance(padding, str):
            raise ValueError("Conv2d: string padding ('same'/'valid') is not supported; give the number of pixels")
        self.padding = _pair(padding, "padding")
        self.dilation = _pair(dilation, "dilation")
        if min(self.kernel_size) <= 0 or min(self.stride) <= 0 or min(self.dilation) <= 0 or min(self.padding) < 0:
            raise ValueError(
                f"Conv2d: kernel_size, stride, dilation must be positive and padding non-negative, got "
                f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}"
            )
        self._make_parameters((self.out_channels, self.in_channels, *self.kernel_size), bias, init, device, dtype)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4:
            raise ValueError(
                f"Conv2d: expected a 4-D input (N, C, H, W) with C={self.in_channels}, got shape {tuple(x.shape)}"
            )
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2d: expected input with {self.in_channels} channels (N, {self.in_channels}, H, W), "
                f"got shape {tuple(x.shape)}"
            )
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.bias is None:
            s += ", bias=False"
        return s


__all__ = ["Conv2d"]
