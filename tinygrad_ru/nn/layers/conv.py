"""``Conv2d``, ``Conv1d`` and ``ConvTranspose2d`` (cross-correlation, as in every DL library).

    y[n, o, i, j] = b[o] + Σ_c Σ_{p,q} W[o, c, p, q] · x[n, c, s·i + d·p − pad, s·j + d·q − pad]

(c runs over the input channels of o's group when ``groups`` > 1.)  ``Conv1d`` is the same layer
with one spatial axis (computed as a 1×k conv2d); ``ConvTranspose2d`` is conv2d's input gradient.
"""

from __future__ import annotations

from typing import Any

from ...ops.conv_groups import same_padding
from ...tensor import Tensor
from .. import functional as F
from .linear import _WeightedLayer


def _ntuple(v: Any, n: int, name: str, layer: str) -> tuple[int, ...]:
    if isinstance(v, (tuple, list)):
        if len(v) != n:
            raise ValueError(f"{layer}: {name} must be an int or {n} ints, got {v!r}")
        return tuple(int(a) for a in v)
    return (int(v),) * n


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(_WeightedLayer):
    """What Conv1d and Conv2d share: the options, their checks, the parameters and torch's repr."""

    _dims = 2
    _transposed = False

    def _t(self, v: Any, name: str) -> tuple[int, ...]:
        return _ntuple(v, self._dims, name, type(self).__name__)

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None, init: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        if self.in_channels <= 0 or self.out_channels <= 0:
            raise ValueError(f"{name}: channel counts must be positive, got {in_channels}, {out_channels}")
        self.groups = int(groups)
        if self.groups <= 0:
            raise ValueError(f"{name}: groups must be a positive integer, got {groups}")
        if self.in_channels % self.groups:
            raise ValueError(f"{name}: in_channels must be divisible by groups, got {in_channels} and {groups}")
        if self.out_channels % self.groups:
            raise ValueError(f"{name}: out_channels must be divisible by groups, got {out_channels} and {groups}")
        self.kernel_size = self._t(kernel_size, "kernel_size")
        self.stride = self._t(stride, "stride")
        self.dilation = self._t(dilation, "dilation")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and self.stride != (1,) * self._dims:
                raise ValueError(f"{name}: padding='same' is not supported for strided convolutions "
                                 f"(stride={self.stride})")
            self.padding: Any = padding
        else:
            self.padding = self._t(padding, "padding")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode={padding_mode!r}")
        self.padding_mode = padding_mode
        self.output_padding = (0,) * self._dims  # torch's attribute; ConvTranspose2d sets its own
        numeric_padding = self.padding if isinstance(self.padding, tuple) else (0,) * self._dims
        if min(self.kernel_size) <= 0 or min(self.stride) <= 0 or min(self.dilation) <= 0 or min(numeric_padding) < 0:
            raise ValueError(
                f"{name}: kernel_size, stride, dilation must be positive and padding non-negative, got "
                f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}"
            )
        # F.pad's (left, right, top, bottom) for the non-zero padding modes
        if self.padding == "same":  # same_padding's 2-D answer, last axis first; a 1-D layer keeps its first pair
            pads = same_padding((1,) * (2 - self._dims) + self.kernel_size, (1,) * (2 - self._dims) + self.dilation)
            self._reversed_padding_repeated_twice = pads[:2 * self._dims]
        else:
            self._reversed_padding_repeated_twice = tuple(p for p in reversed(numeric_padding) for _ in (0, 1))
        if self._transposed:  # (C_in, C_out/G, k…): the conv2d weight whose input gradient this layer is
            weight_shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        else:
            weight_shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self._make_parameters(weight_shape, bias, init, device, dtype, bias_size=self.out_channels)

    def _conv_forward(self, x: Tensor, conv: Any) -> Tensor:
        """``conv`` (F.conv1d / F.conv2d) with this layer's options; a non-zero ``padding_mode`` pads first."""
        if self.padding_mode != "zeros":
            x = F.pad(x, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return conv(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        n = self._dims
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """A 2-D convolution over an input of shape (N, C_in, H, W) → (N, C_out, H_out, W_out) (or
    unbatched (C_in, H, W) → (C_out, H_out, W_out)), with

        H_out = ⌊(H + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1   (the same for W).

    ``weight``: (out_channels, in_channels/groups, kh, kw); ``bias``: (out_channels,) — PyTorch's
    shapes.  ``groups`` = G cuts the channels into G independent convolutions (G = in_channels:
    depthwise).  ``padding``: pixels per side, ``"valid"`` (0) or ``"same"`` (H_out = H; stride 1;
    with an even kernel reach the extra pixel goes right/bottom, as PyTorch).  ``padding_mode``:
    what the border holds — ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"`` (``F.pad``).
    Default initialisation is PyTorch's (kaiming_uniform_ with a=√5, fan_in = C_in/G·kh·kw);
    ``init="he"|"xavier"|"lecun"`` or a callable picks the lecture's, with zero bias.
    """

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (3, 4):
            raise RuntimeError(
                f"Conv2d: expected a 3-D (unbatched: C, H, W) or 4-D (batched: N, C, H, W) input with "
                f"C={self.in_channels}, got shape {tuple(x.shape)}"
            )
        if x.shape[-3] != self.in_channels:
            raise RuntimeError(
                f"Conv2d: expected input with {self.in_channels} channels (N, {self.in_channels}, H, W) or "
                f"({self.in_channels}, H, W), got shape {tuple(x.shape)}"
            )
        return self._conv_forward(x, F.conv2d)


class Conv1d(_ConvNd):
    """A 1-D convolution over (N, C_in, L) (or unbatched (C_in, L)) → (N, C_out, L_out),
    L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1; ``weight`` (out_channels,
    in_channels/groups, k), ``bias`` (out_channels,), torch's initialisation.  The options are
    Conv2d's; it runs as a 1×k Conv2d on (N, C, 1, L)."""

    _dims = 1

    def forward(self, x: Tensor) -> Tensor:
        return self._conv_forward(x, F.conv1d)


class ConvTranspose2d(_ConvNd):
    """The transposed convolution (N, C_in, H, W) → (N, C_out, H_out, W_out), the gradient of a
    Conv2d with respect to its input (used to upsample in decoders, GANs, U-Nets):

        H_out = (H − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.

    ``weight``: (in_channels, out_channels/groups, kh, kw), ``bias``: (out_channels,), torch's
    initialisation (fan_in = out_channels/groups·kh·kw, as torch computes it from the weight).
    ``forward(x, output_size)`` picks the output_padding that reaches ``output_size``."""

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None, init: Any = None) -> None:
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding={padding!r} is not supported, give the pixels per side")
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for ConvTranspose2d, got {padding_mode!r}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype, init)
        self.output_padding = self._t(output_padding, "output_padding")

    def _output_padding(self, x: Tensor, output_size: Any) -> tuple[int, ...]:
        if output_size is None:
            return self.output_padding
        want = tuple(int(v) for v in output_size)[-2:]
        pads = []
        for a in (0, 1):
            natural = ((x.shape[-2 + a] - 1) * self.stride[a] - 2 * self.padding[a]
                       + self.dilation[a] * (self.kernel_size[a] - 1) + 1)
            extra = want[a] - natural
            if not 0 <= extra < max(self.stride[a], self.dilation[a]):
                raise ValueError(f"ConvTranspose2d: requested an output size of {want}, but valid sizes range from "
                                 f"the natural size {natural} to {natural + max(self.stride[a], self.dilation[a]) - 1} "
                                 f"on axis {a} (for an input with size {tuple(x.shape[-2:])})")
            pads.append(extra)
        return tuple(pads)

    def forward(self, x: Tensor, output_size: Any = None) -> Tensor:
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(x, output_size), self.groups, self.dilation)


__all__ = ["Conv2d", "Conv1d", "ConvTranspose2d"]
