"""Changing the resolution of images: ``pixel_shuffle``/``pixel_unshuffle`` and ``interpolate``.

pixel_shuffle moves r² channels into an r×r block of pixels, (*, C·r², H, W) → (*, C, rH, rW);
pixel_unshuffle is its inverse.  Both are a reshape, a permutation and a reshape.

interpolate resamples each spatial axis separately from source positions (torch's rules):
* ``nearest``: y[i] = x[min(⌊i·scale⌋, n − 1)];
* ``linear``/``bilinear``: y[i] = (1 − λ)·x[i₀] + λ·x[i₀ + 1] at the source position
  src = (i + ½)·scale − ½ (clamped at 0), or src = i·(n − 1)/(m − 1) with ``align_corners=True``.
scale = n/m, or 1/scale_factor when ``scale_factor`` is given (unless ``recompute_scale_factor``).
Both are gathers along an axis (``index_select``) and weighted sums, so gradients come free.
"""

from __future__ import annotations

import math
from typing import Any

from .. import backend
from ..tensor import Tensor
from .elementwise import _constant
from .indexing import index_select
from .movement import permute, reshape


def _check_rank(x: Tensor, op: str) -> None:
    if x.ndim < 3:
        raise RuntimeError(f"{op}: expects input to have at least 3 dimensions, but got input with {x.ndim} "
                           f"dimension(s) (shape {tuple(x.shape)})")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:  # noqa: A002
    """(*, C·r², H, W) → (*, C, H·r, W·r): y[…, c, h·r + i, w·r + j] = x[…, c·r² + i·r + j, h, w]."""
    _check_rank(input, "pixel_shuffle")
    r = int(upscale_factor)
    *lead, c, h, w = input.shape
    if r <= 0 or c % (r * r):
        raise RuntimeError(f"pixel_shuffle: expects its input's 'channel' dimension to be divisible by the square "
                           f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    k = len(lead)
    x = reshape(input, (*lead, c // (r * r), r, r, h, w))
    x = permute(x, *range(k), k, k + 3, k + 1, k + 4, k + 2)
    return reshape(x, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:  # noqa: A002
    """(*, C, H·r, W·r) → (*, C·r², H, W), the inverse of :func:`pixel_shuffle`."""
    _check_rank(input, "pixel_unshuffle")
    r = int(downscale_factor)
    *lead, c, h, w = input.shape
    if r <= 0 or h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle: expects height and width to be divisible by downscale_factor, but "
                           f"input of shape {tuple(input.shape)} is not divisible by {r}")
    k = len(lead)
    x = reshape(input, (*lead, c, h // r, r, w // r, r))
    x = permute(x, *range(k), k, k + 2, k + 4, k + 1, k + 3)
    return reshape(x, (*lead, c * r * r, h // r, w // r))


_MODES = {"nearest": (3, 4), "linear": (3,), "bilinear": (4,)}


def _sizes_and_scales(x: Tensor, size: Any, scale_factor: Any, recompute: Any) -> tuple[list[int], list[float]]:
    spatial = x.shape[2:]
    n = len(spatial)
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is not None:
        out = list(size) if isinstance(size, (tuple, list)) else [size] * n
        if len(out) != n:
            raise ValueError(f"interpolate: Input and output must have the same number of spatial dimensions, but "
                             f"got input with spatial dimensions of {list(spatial)} and output size of {size}")
        out = [int(o) for o in out]
        return out, [i / o for i, o in zip(spatial, out)]
    if scale_factor is None:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    factors = list(scale_factor) if isinstance(scale_factor, (tuple, list)) else [scale_factor] * n
    if len(factors) != n:
        raise ValueError(f"interpolate: Input and scale_factor must have the same number of spatial dimensions, but "
                         f"got input with spatial dimensions of {list(spatial)} and scale_factor of {scale_factor}")
    out = [int(math.floor(i * float(f))) for i, f in zip(spatial, factors)]
    scales = [i / o for i, o in zip(spatial, out)] if recompute else [1.0 / float(f) for f in factors]
    return out, scales


def _nearest_index(n: int, m: int, scale: float) -> Any:
    """Source rows of nearest resizing, as torch computes them (float32 arithmetic)."""
    xp = backend.array_module("cpu")
    dst = xp.arange(m, dtype=xp.float32)
    return xp.minimum(xp.floor(dst * xp.float32(scale)).astype(xp.int64), n - 1)


def _linear_weights(n: int, m: int, scale: float, align_corners: bool, dtype: Any) -> tuple[Any, Any, Any]:
    """i₀, i₁ = min(i₀ + 1, n − 1) and λ of linear resizing along one axis (torch's source positions)."""
    xp = backend.array_module("cpu")
    dst = xp.arange(m, dtype=dtype)
    if align_corners:
        src = dst * ((n - 1) / (m - 1) if m > 1 else 0.0)
    else:
        src = xp.maximum((dst + 0.5) * scale - 0.5, 0.0)
    i0 = xp.minimum(src.astype(xp.int64), n - 1)
    i1 = xp.minimum(i0 + 1, n - 1)
    return i0, i1, (src - i0).astype(dtype)


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) to ``size`` or by ``scale_factor`` (see the module docstring);
    modes ``"nearest"``, ``"linear"`` (3-D) and ``"bilinear"`` (4-D)."""
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported; use one of {sorted(_MODES)}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("interpolate: align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if input.ndim not in _MODES[mode]:
        raise NotImplementedError(f"interpolate: got {input.ndim}D input, but mode {mode!r} needs "
                                  f"{' or '.join(f'{d}D' for d in _MODES[mode])} input (shape {tuple(input.shape)})")
    out, scales = _sizes_and_scales(input, size, scale_factor, recompute_scale_factor)
    y = input
    for axis, (n, m, scale) in enumerate(zip(input.shape[2:], out, scales), start=2):
        if mode == "nearest":
            y = index_select(y, axis, _constant(backend.to_device(_nearest_index(n, m, scale), input.device)))
            continue
        i0, i1, lam = _linear_weights(n, m, scale, bool(align_corners), input.dtype)
        shape = [1] * input.ndim
        shape[axis] = m
        lam = _constant(backend.to_device(lam.reshape(shape), input.device))
        lo = index_select(y, axis, _constant(backend.to_device(i0, input.device)))
        hi = index_select(y, axis, _constant(backend.to_device(i1, input.device)))
        y = lo + (hi - lo) * lam
    return y


__all__ = ["pixel_shuffle", "pixel_unshuffle", "interpolate"]
