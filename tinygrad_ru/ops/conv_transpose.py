"""``conv_transpose2d``: the transposed ("fractionally strided") convolution — conv2d's input gradient.

The gradient of y = conv2d(x, W) with respect to x maps (N, O, OH, OW) back to (N, C, H, W):
that map *is* the transposed convolution, with W of shape (C_in, C_out, kh, kw) read as conv2d's
(O, C, kh, kw).  So its forward is ``Conv2dGradInput`` (the one col2im route of ``ops.conv``), its
backward conv2d and the weight gradient — the same closed triple, so second derivatives work.
Output size: H_out = (H − 1)·s − 2p + d·(kh − 1) + output_padding + 1.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from ._strided import pair
from .conv import Conv2dGradInput, _ConvGeometry
from .movement import cat, reshape, split, with_batch_dim
from .padding import pad


def _transpose_single(x: Tensor, w: Tensor, s, p, out_pad, d) -> Tensor:
    n = x.shape[0]
    out_hw = tuple((x.shape[2 + a] - 1) * s[a] - 2 * p[a] + d[a] * (w.shape[2 + a] - 1) + out_pad[a] + 1
                   for a in (0, 1))
    if min(out_hw) < 1:
        raise RuntimeError(f"conv_transpose2d: the output size {out_hw} is not positive (input shape "
                           f"{tuple(x.shape)}, weight shape {tuple(w.shape)}, stride {s}, padding {p})")
    if all(out_pad[a] < s[a] for a in (0, 1)):  # the usual case: exactly the input gradient of that conv2d
        return Conv2dGradInput(_ConvGeometry((n, w.shape[1], *out_hw), w.shape, s, p, d))(x, w)
    # stride ≤ output_padding < dilation: that conv2d would see a larger input; take the unpadded
    # result, add the output_padding zeros at the bottom/right, then cut the padding from each side
    full = tuple((x.shape[2 + a] - 1) * s[a] + d[a] * (w.shape[2 + a] - 1) + 1 for a in (0, 1))
    y = Conv2dGradInput(_ConvGeometry((n, w.shape[1], *full), w.shape, s, (0, 0), d))(x, w)
    y = pad(y, (0, out_pad[1], 0, out_pad[0]))
    return y[:, :, p[0]:p[0] + out_hw[0], p[1]:p[1] + out_hw[1]]


def conv_transpose2d(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``:

    y[n, o, s·i + d·p − pad, s·j + d·q − pad] += Σ_c x[n, c, i, j] · W[c, o, p, q]   (+ b[o])

    ``input`` (N, C_in, H, W) or (C_in, H, W), ``weight`` (C_in, C_out/groups, kh, kw); it is the
    gradient of ``conv2d`` with respect to its input.  ``output_padding`` (< stride or dilation)
    adds rows/columns at the bottom/right, which only the bias reaches."""
    op = "conv_transpose2d"
    if input.ndim not in (3, 4):
        raise RuntimeError(f"{op}: Expected 3D (unbatched) or 4D (batched) input, but got input of size: "
                           f"{list(input.shape)}")
    if weight.ndim != 4:
        raise RuntimeError(f"{op}: expected a 4-D weight (in_channels, out_channels/groups, kh, kw), got shape "
                           f"{tuple(weight.shape)}")
    if input.ndim == 3:
        return with_batch_dim(input, 4, lambda x: conv_transpose2d(x, weight, bias, stride, padding, output_padding,
                                                                   groups, dilation))
    x = input
    groups = int(groups)
    if groups <= 0 or x.shape[1] != weight.shape[0] or weight.shape[0] % groups:
        raise RuntimeError(f"{op}: given groups={groups} and a weight of shape {tuple(weight.shape)}, expected the "
                           f"input of shape {tuple(input.shape)} to have {weight.shape[0]} channels (divisible by "
                           f"groups), but got {x.shape[1]} channels")
    s, p, d = pair(stride, "stride", op), pair(padding, "padding", op), pair(dilation, "dilation", op)
    out_pad = pair(output_padding, "output_padding", op)
    if min(s) < 1 or min(d) < 1 or min(p) < 0:
        raise RuntimeError(f"{op}: stride and dilation must be ≥ 1 and padding ≥ 0, got {s}, {d}, {p}")
    if any(out_pad[a] < 0 or out_pad[a] >= max(s[a], d[a]) for a in (0, 1)):
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or dilation, but got "
                           f"output_padding={out_pad}, stride={s}, dilation={d}")
    c_out = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (c_out,):
        raise RuntimeError(f"{op}: bias must have shape ({c_out},), got {tuple(bias.shape)}")
    if groups == 1:
        y = _transpose_single(x, weight, s, p, out_pad, d)
    else:  # block g of the input through block g of the filters (as conv2d's groups)
        xs, ws = split(x, x.shape[1] // groups, 1), split(weight, weight.shape[0] // groups, 0)
        y = cat([_transpose_single(xg, wg, s, p, out_pad, d) for xg, wg in zip(xs, ws)], 1)
    if bias is not None:
        y = y + reshape(bias, (1, c_out, 1, 1))
    return y


__all__ = ["conv_transpose2d"]
