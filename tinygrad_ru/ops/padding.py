"""``pad``: constant, reflect, replicate and circular padding (``torch.nn.functional.pad``).

The constant border is one ``Pad`` node (its backward crops); the other modes copy elements
through an index along each padded axis (``PadIndex``), whose backward adds the copies back.
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from .movement import getitem


class Pad(Function):
    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, widths: tuple[tuple[int, int], ...], value: float) -> None:
        self.widths = widths
        self.value = value

    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.pad(x, self.widths, mode="constant", constant_values=self.value)

    def backward(self, g):
        index = tuple(slice(lo, g.shape[i] - hi) for i, (lo, hi) in enumerate(self.widths))
        return getitem(g, index)


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _pad_index(xp: Any, n: int, lo: int, hi: int, mode: str) -> Any:
    """Where each output position along one axis reads from, for an axis of size ``n`` padded by
    ``lo`` before and ``hi`` after (negative: cropped).  PyTorch's rules::

        reflect    d c b | a b c d | c b a      (the edge is not repeated)
        replicate  a a a | a b c d | d d d
        circular   b c d | a b c d | a b c      (of what is left after cropping, as PyTorch)
    """
    if mode == "circular":
        start, stop = max(-lo, 0), n - max(-hi, 0)
        return start + xp.arange(-max(lo, 0), stop - start + max(hi, 0)) % (stop - start)
    j = xp.arange(-lo, n + hi)
    if mode == "replicate":
        return xp.clip(j, 0, n - 1)
    return (n - 1) - xp.abs((n - 1) - xp.abs(j))  # reflect about 0 and about n − 1


class PadIndex(Function):
    """Gather along one axis: y = x.take(index, axis) — the non-constant padding modes.

    Its adjoint is a scatter-add of g to ``index``; the interior (a contiguous run, read once) is a
    plain copy and only the few border positions go through the slower scatter.
    """

    def __init__(self, axis: int, index: Any, size: int, interior: tuple[int, int, int]) -> None:
        self.axis, self.index, self.size, self.interior = axis, index, size, interior

    def forward(self, x):
        return backend.get_array_module(x).take(x, self.index, axis=self.axis)

    def backward(self, g):
        return PadIndexAdjoint(self)(g)


class PadIndexAdjoint(Function):
    """∂L/∂x of :class:`PadIndex`: x̄[index[k]] += ḡ[k] along the axis."""

    def __init__(self, gather: PadIndex) -> None:
        self.gather = gather

    def forward(self, g):
        xp = backend.get_array_module(g)
        ax, index = self.gather.axis, self.gather.index
        out_pos, src_pos, m = self.gather.interior
        shape = list(g.shape)
        shape[ax] = self.gather.size
        out = xp.zeros(shape, dtype=g.dtype)
        o, gm = xp.moveaxis(out, ax, 0), xp.moveaxis(g, ax, 0)  # views: the axis first
        o[src_pos:src_pos + m] = gm[out_pos:out_pos + m]
        border = xp.concatenate([xp.arange(out_pos), xp.arange(out_pos + m, g.shape[ax])]).astype(index.dtype)
        if border.size:
            backend.scatter_add(o, index[border], gm[border])
        return out

    def backward(self, gg):
        return PadIndex(self.gather.axis, self.gather.index, self.gather.size, self.gather.interior)(gg)


def _check_pad(x: Tensor, pad: Any, mode: str, value: Any) -> tuple[int, ...]:
    """PyTorch's checks of ``F.pad`` arguments, in its order and with its exception types."""
    pad = _check_pad_args(x, pad, mode, value)
    for i in range(len(pad) // 2):
        _check_pad_dim(x, x.ndim - 1 - i, pad[2 * i], pad[2 * i + 1], mode)
    return pad


def _check_pad_args(x: Tensor, pad: Any, mode: str, value: Any) -> tuple[int, ...]:
    """The padding tuple, the mode and the value, against the input's number of dimensions."""
    if not isinstance(pad, (tuple, list)) or not all(backend.is_scalar(p) and float(p) == int(p)
                                                     and not isinstance(p, float) for p in pad):
        raise TypeError(f"pad: pad must be a tuple of ints, got {pad!r}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got {pad}")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError(f"pad: padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of shape {x.shape}")
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"pad: unrecognised padding mode {mode!r}; expected one of {_PAD_MODES}")
    if mode != "constant":
        if value is not None and value != 0:
            raise RuntimeError(f'pad: padding mode "{mode}" doesn\'t take in value argument')
        k = len(pad) // 2
        if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
            raise NotImplementedError(
                f"pad: mode {mode!r} pads the last 1, 2 or 3 dimensions of a (batched) tensor: a padding "
                f"of length {len(pad)} needs a {k + 1}-D or {k + 2}-D input, got shape {x.shape}"
            )
    return pad


def _check_pad_dim(x: Tensor, d: int, lo: int, hi: int, mode: str) -> None:
    """The padding (lo, hi) of dimension ``d`` leaves elements, and the mode can make it."""
    n = x.shape[d]
    kept = n - max(-lo, 0) - max(-hi, 0)
    if kept < 0 or (mode != "constant" and n + lo + hi <= 0):
        raise RuntimeError(f"pad: padding ({lo}, {hi}) leaves no elements in dimension {d} of size {n} "
                           f"(input shape {x.shape})")
    if mode != "constant" and n == 0 and (lo or hi):
        raise RuntimeError(f"pad: mode {mode!r} cannot pad the empty dimension {d} of the input of shape {x.shape}")
    if mode == "reflect" and (lo >= n or hi >= n):
        raise RuntimeError(f"pad: padding size should be less than the corresponding input dimension, but "
                           f"got padding ({lo}, {hi}) at dimension {d} of input {list(x.shape)}")
    if mode == "circular" and (lo > kept or hi > kept):  # PyTorch checks only against n, then reads garbage
        raise RuntimeError(f"pad: padding value causes wrapping around more than once: padding ({lo}, {hi}) "
                           f"at dimension {d} of size {n} ({kept} left after cropping)")


def pad(x: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """``torch.nn.functional.pad``: ``pad = (left, right, top, bottom, front, back)`` from the last
    dimension backwards; a negative entry crops that side instead.

    * ``"constant"``: fill with ``value`` (0 by default), any number of dimensions;
    * ``"reflect"`` (mirror without repeating the edge; each pad < the size), ``"replicate"``
      (repeat the edge), ``"circular"`` (wrap around): the last 1, 2 or 3 dimensions of a
      (batched) 2-D…5-D input, as in PyTorch.

    Gradient: the constant border gets none; the other modes add each output's gradient to the
    element it was copied from.
    """
    pad = _check_pad(x, pad, mode, value)
    pairs = {x.ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)}
    if mode == "constant":
        spans = [pairs.get(d, (0, 0)) for d in range(x.ndim)]
        if any(lo < 0 or hi < 0 for lo, hi in spans):  # crop first
            x = getitem(x, tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(x.shape, spans)))
        widths = tuple((max(lo, 0), max(hi, 0)) for lo, hi in spans)
        if any(lo or hi for lo, hi in widths):
            x = Pad(widths, 0.0 if value is None else value)(x)
        return x
    for d, (lo, hi) in sorted(pairs.items()):
        if lo or hi:
            n = x.shape[d]
            index = _pad_index(x.xp, n, lo, hi, mode)
            kept = n - max(-lo, 0) - max(-hi, 0)
            x = PadIndex(d, index, n, (max(lo, 0), max(-lo, 0), kept))(x)
    return x


__all__ = ["pad"]
