"""1-D convolution and pooling over (N, C, L) signals: the 2-D ops on a unit-height image.

A signal (N, C, L) is the image (N, C, 1, L); a 1-D kernel of length k is the 1×k kernel, and
stride, padding and dilation act on the width only.  So ``conv1d`` is ``conv2d`` (groups and
``padding="same"|"valid"`` included), the pools are the 2-D pools: no new kernel, the same
gradients (and second derivatives).  An unbatched (C, L) input gets a batch of one, as in torch.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .adaptive_pool import adaptive_avg_pool2d
from .conv import avg_pool2d, max_pool2d
from .conv_groups import conv2d
from .movement import squeeze, unsqueeze


def single(value: Any, name: str, op: str) -> int:
    """``3`` or ``(3,)`` → 3; a clear error otherwise."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise RuntimeError(f"{op}: expected {name} to be a single integer value or a list of 1 values to match "
                               f"the convolution dimensions, but got {name}={list(value)}")
        value = value[0]
    return int(value)


def as_image(x: Tensor, op: str) -> Tensor:
    """(N, C, L) → (N, C, 1, L) and (C, L) → (C, 1, L): an image of height 1 (the 2-D ops take unbatched input too)."""
    if x.ndim not in (2, 3):
        raise RuntimeError(f"{op}: Expected 2D (unbatched) or 3D (batched) input, but got input of size: "
                           f"{list(x.shape)}")
    return unsqueeze(x, -2)


def as_signal(y: Tensor) -> Tensor:
    """The inverse of :func:`as_image`."""
    return squeeze(y, -2)


def conv1d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] | str = 0,
    dilation: int | tuple[int] = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation, as ``torch.nn.functional.conv1d``:

    y[n, o, i] = b[o] + Σ_{c, p} W[o, c, p] · x_pad[n, g(o)·C/G + c, s·i + d·p]

    ``input`` (N, C, L) or (C, L), ``weight`` (O, C/groups, k); computed as conv2d on (N, C, 1, L)."""
    x = as_image(input, "conv1d")
    if weight.ndim != 3:
        raise RuntimeError(f"conv1d: expected a 3-D weight (out_channels, in_channels/groups, k), got shape "
                           f"{tuple(weight.shape)}")
    if input.shape[-2] != weight.shape[1] * int(groups):
        raise RuntimeError(f"conv1d: given groups={groups} and a weight of shape {tuple(weight.shape)}, expected "
                           f"the input of shape {tuple(input.shape)} to have {weight.shape[1] * int(groups)} channels, "
                           f"but got {input.shape[-2]} channels")
    if not isinstance(padding, str):
        padding = (0, single(padding, "padding", "conv1d"))
    y = conv2d(x, unsqueeze(weight, 2), bias, (1, single(stride, "stride", "conv1d")), padding,
               (1, single(dilation, "dilation", "conv1d")), groups)
    return as_signal(y)


def _pool1d_args(op: str, kernel_size: Any, stride: Any, padding: Any) -> tuple[tuple, tuple, tuple]:
    k = single(kernel_size, "kernel_size", op)
    default = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    s = k if default else single(stride, "stride", op)
    return (1, k), (1, s), (0, single(padding, "padding", op))


def _unsupported(op: str, **options: Any) -> None:
    given = {name: v for name, (v, default) in options.items() if v != default}
    if given:
        raise NotImplementedError(f"{op}: {', '.join(f'{k}={v!r}' for k, v in given.items())} is not supported")


def max_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    dilation: int | tuple[int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """Max over windows of length k: y[n, c, i] = max_{p<k} x_pad[n, c, s·i + p] (padding −∞);
    the gradient goes to the first maximum of each window.  ``stride`` defaults to ``kernel_size``."""
    _unsupported("max_pool1d", dilation=(single(dilation, "dilation", "max_pool1d"), 1), ceil_mode=(ceil_mode, False),
                 return_indices=(return_indices, False))
    x = as_image(input, "max_pool1d")
    return as_signal(max_pool2d(x, *_pool1d_args("max_pool1d", kernel_size, stride, padding)))


def avg_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """Mean over windows of length k: y[n, c, i] = (1/k) Σ_{p<k} x_pad[n, c, s·i + p] (zero padding
    counted unless ``count_include_pad=False``).  ``stride`` defaults to ``kernel_size``."""
    _unsupported("avg_pool1d", ceil_mode=(ceil_mode, False))
    x = as_image(input, "avg_pool1d")
    return as_signal(avg_pool2d(x, *_pool1d_args("avg_pool1d", kernel_size, stride, padding), count_include_pad))


def adaptive_avg_pool1d(input: Tensor, output_size: int | tuple[int]) -> Tensor:  # noqa: A002
    """(N, C, L) → (N, C, OL): y[…, i] = mean of x[…, ⌊i·L/OL⌋ : ⌈(i+1)·L/OL⌉] (torch's windows)."""
    x = as_image(input, "adaptive_avg_pool1d")
    return as_signal(adaptive_avg_pool2d(x, (1, single(output_size, "output_size", "adaptive_avg_pool1d"))))


__all__ = ["conv1d", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d"]
