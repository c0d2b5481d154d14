"""``conv2d`` with PyTorch's full signature: ``groups`` and ``padding="same"|"valid"``, built on
the one convolution kernel of ``ops.conv`` (no new kernel).

Groups: the C_in channels are cut into G blocks of C_in/G, the O filters into G blocks of O/G,
and block g of the output sees only block g of the input::

    y[:, g·O/G:(g+1)·O/G] = conv2d(x[:, g·C/G:(g+1)·C/G], W[g·O/G:(g+1)·O/G])      W: (O, C/G, kh, kw)

G = C_in is the depthwise convolution (one filter bank per channel).  The cut is ``split`` (whose
backward is one concatenation), the join is ``cat``: both differentiate to any order.

``padding="same"`` keeps H×W for stride 1: the kernel's reach d·(k − 1) is padded with ⌊·/2⌋ on
the left/top and the rest on the right/bottom (PyTorch's rule; asymmetric for even kernels).
``"valid"`` is no padding.
"""

from __future__ import annotations

from ..tensor import Tensor
from ._strided import pair
from .conv import conv2d as _conv2d
from .movement import cat, split, with_batch_dim
from .padding import pad


def same_padding(kernel_size: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """(left, right, top, bottom) that keep the size at stride 1: the reach d·(k − 1), split as
    ⌊reach/2⌋ before and the rest after (PyTorch's rule), in ``F.pad``'s order."""
    (th, tw) = (dilation[0] * (kernel_size[0] - 1), dilation[1] * (kernel_size[1] - 1))
    return tw // 2, tw - tw // 2, th // 2, th - th // 2


def conv2d(
    input: Tensor,  # noqa: A002 - PyTorch's name
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``:

    y[n, o, i, j] = b[o] + Σ_{c, p, q} W[o, c, p, q] · x_pad[n, g(o)·C/G + c, s·i + d·p, s·j + d·q]

    ``input`` (N, C, H, W), ``weight`` (O, C/groups, kh, kw), ``bias`` (O,); ``padding`` is a number
    of zero pixels on both sides, ``"valid"`` (none) or ``"same"`` (output H×W = input H×W; stride 1
    only).  Output (N, O, ⌊(H + 2p − d(kh−1) − 1)/s⌋ + 1, …).  An unbatched (C, H, W) input gives
    (O, H_out, W_out), as torch.
    """
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError(f"conv2d: non-positive groups is not supported, got groups={groups}")
    if input.ndim == 3:
        return with_batch_dim(input, 4, lambda x: conv2d(x, weight, bias, stride, padding, dilation, groups))
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"conv2d: invalid padding string {padding!r}, should be one of 'valid', 'same'")
        if padding == "same" and pair(stride, "stride", "conv2d") != (1, 1):
            raise RuntimeError(f"conv2d: padding='same' is not supported for strided convolutions (stride={stride})")
        if padding == "valid" or weight.ndim != 4:
            padding = 0
        else:
            left, right, top, bottom = same_padding(weight.shape[2:], pair(dilation, "dilation", "conv2d"))
            if (left, top) == (right, bottom):
                padding = (top, left)
            else:  # even reach: one more pixel on the right/bottom, padded explicitly
                input, padding = pad(input, (left, right, top, bottom)), 0
    if groups == 1:
        return _conv2d(input, weight, bias, stride, padding, dilation)
    if input.ndim == 4 and weight.ndim == 4:
        if weight.shape[0] % groups:
            raise RuntimeError(f"conv2d: given groups={groups}, expected the weight to be divisible by {groups} at "
                               f"dimension 0, but got weight of shape {weight.shape}")
        if input.shape[1] != weight.shape[1] * groups:
            raise RuntimeError(f"conv2d: given groups={groups} and a weight of shape {weight.shape}, expected the "
                               f"input of shape {input.shape} to have {weight.shape[1] * groups} channels, but "
                               f"got {input.shape[1]} channels")
    else:  # the single-group op names the wrong rank
        return _conv2d(input, weight, bias, stride, padding, dilation)
    if bias is not None and bias.shape != (weight.shape[0],):
        raise RuntimeError(f"conv2d: bias must have shape ({weight.shape[0]},), got {bias.shape}")
    xs = split(input, input.shape[1] // groups, 1)
    ws = split(weight, weight.shape[0] // groups, 0)
    bs = split(bias, weight.shape[0] // groups, 0) if bias is not None else (None,) * groups
    return cat([_conv2d(x, w, b, stride, padding, dilation) for x, w, b in zip(xs, ws, bs)], 1)


__all__ = ["conv2d", "same_padding"]
