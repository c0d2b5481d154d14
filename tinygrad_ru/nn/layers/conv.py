"""``Conv2d``: the 2-D convolution (cross-correlation, as in every DL library).

    y[n, o, i, j] = b[o] + Σ_c Σ_{p,q} W[o, c, p, q] · x[n, c, s·i + d·p − pad, s·j + d·q − pad]

(c runs over the input channels of o's group when ``groups`` > 1.)
"""

from __future__ import annotations

from typing import Any

from ...ops.conv_groups import same_padding
from ...tensor import Tensor
from .. import functional as F
from .linear import _WeightedLayer


def _pair(v: Any, name: str) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"Conv2d: {name} must be an int or a pair, got {v!r}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class Conv2d(_WeightedLayer):
    """A 2-D convolution over an input of shape (N, C_in, H, W) → (N, C_out, H_out, W_out), with

        H_out = ⌊(H + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1   (the same for W).

    ``weight``: (out_channels, in_channels/groups, kh, kw); ``bias``: (out_channels,) — PyTorch's
    shapes.  ``groups`` = G cuts the channels into G independent convolutions (G = in_channels:
    depthwise).  ``padding``: pixels per side, ``"valid"`` (0) or ``"same"`` (H_out = H; stride 1;
    with an even kernel reach the extra pixel goes right/bottom, as PyTorch).  ``padding_mode``:
    what the border holds — ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"`` (``F.pad``).
    Default initialisation is PyTorch's (kaiming_uniform_ with a=√5, fan_in = C_in/G·kh·kw);
    ``init="he"|"xavier"|"lecun"`` or a callable picks the lecture's, with zero bias.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None, init: Any = None) -> None:
        super().__init__()
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        if self.in_channels <= 0 or self.out_channels <= 0:
            raise ValueError(f"Conv2d: channel counts must be positive, got {in_channels}, {out_channels}")
        self.groups = int(groups)
        if self.groups <= 0:
            raise ValueError(f"Conv2d: groups must be a positive integer, got {groups}")
        if self.in_channels % self.groups:
            raise ValueError(f"Conv2d: in_channels must be divisible by groups, got {in_channels} and {groups}")
        if self.out_channels % self.groups:
            raise ValueError(f"Conv2d: out_channels must be divisible by groups, got {out_channels} and {groups}")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.dilation = _pair(dilation, "dilation")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Conv2d: invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and self.stride != (1, 1):
                raise ValueError(f"Conv2d: padding='same' is not supported for strided convolutions "
                                 f"(stride={self.stride})")
            self.padding: Any = padding
        else:
            self.padding = _pair(padding, "padding")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"Conv2d: padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode={padding_mode!r}")
        self.padding_mode = padding_mode
        numeric_padding = self.padding if isinstance(self.padding, tuple) else (0, 0)
        if min(self.kernel_size) <= 0 or min(self.stride) <= 0 or min(self.dilation) <= 0 or min(numeric_padding) < 0:
            raise ValueError(
                f"Conv2d: kernel_size, stride, dilation must be positive and padding non-negative, got "
                f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}"
            )
        # F.pad's (left, right, top, bottom) for the non-zero padding modes
        if self.padding == "same":
            self._reversed_padding_repeated_twice = same_padding(self.kernel_size, self.dilation)
        else:
            (ph, pw) = numeric_padding
            self._reversed_padding_repeated_twice = (pw, pw, ph, ph)
        weight_shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self._make_parameters(weight_shape, bias, init, device, dtype)

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
        if self.padding_mode != "zeros":
            x = F.pad(x, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


__all__ = ["Conv2d"]
