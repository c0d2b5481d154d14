"""Transforms and data augmentation, in NumPy on the host.

A transform is a callable on one sample.  The classes here also have ``batch(xs)``, which
transforms a whole batch (first axis = sample) in a few array calls with *independent*
randomness per sample; DataLoader uses it on datasets that batch by array indexing.

Layout: images enter as ``uint8`` H×W (grey) or H×W×C (colour), as stored in the files;
:class:`ToTensor` turns them into float C×H×W in [0, 1].  Spatial transforms (flip, crop,
rotation, resize, zoom) act on the *last two* axes, so put them after ``ToTensor`` for colour
images (for grey H×W images either place works).

All randomness comes from ``backend.rng()`` (seeded by ``tg.manual_seed``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_ru import backend

__all__ = [
    "Transform", "Compose", "ToTensor", "Normalize", "RandomHorizontalFlip", "RandomVerticalFlip",
    "RandomCrop", "RandomRotation", "RandomZoom", "Resize", "Rescale", "GaussianNoise", "LabelNoise",
    "Lambda", "Flatten",
]


def _rng() -> np.random.Generator:
    return backend.rng()


def _float_dtype(x: np.ndarray) -> np.dtype:
    return x.dtype if x.dtype.kind == "f" else backend.get_default_dtype()


def _restore_dtype(out: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Float results back to ``like``'s dtype (integers rounded and clipped to their range)."""
    if like.dtype.kind == "f":
        return out.astype(like.dtype, copy=False)
    if like.dtype.kind in "iu":
        info = np.iinfo(like.dtype)
        return np.clip(np.rint(out), info.min, info.max).astype(like.dtype)
    return out.astype(like.dtype)


def _check_image(name: str, x: np.ndarray, batched: bool) -> None:
    need = 3 if batched else 2
    if x.ndim < need:
        what = "a batch (N, …, H, W)" if batched else "an image (…, H, W)"
        raise ValueError(f"{name}: expected {what} with at least {need} dims, got shape {x.shape}")


def _pair(value: Any, name: str) -> tuple[int, int]:
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    if isinstance(value, Sequence) and len(value) == 2:
        return int(value[0]), int(value[1])
    raise ValueError(f"{name}: expected an int or a pair (h, w), got {value!r}")


class Transform:
    """Base class.  Subclasses implement ``batch(xs)`` (and may override ``__call__``).

    ``t(x)`` on one sample equals ``t.batch(x[None])[0]`` unless overridden.
    """

    def __call__(self, x: Any) -> Any:
        return self.batch(np.asarray(x)[None])[0]

    def batch(self, xs: Any) -> Any:
        return np.stack([np.asarray(self(x)) for x in xs])

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class Compose(Transform):
    """Apply transforms one after another: ``Compose([f, g])(x) = g(f(x))``."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def batch(self, xs: Any) -> Any:
        for t in self.transforms:
            fn = getattr(t, "batch", None)
            xs = fn(xs) if fn is not None else np.stack([np.asarray(t(x)) for x in xs])
        return xs

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])"


class ToTensor(Transform):
    """Image as stored → float C×H×W: ``uint8`` values scaled by 1/255 into [0, 1].

    H×W → 1×H×W; H×W×C → C×H×W (channels moved first).  Float input is cast to the default dtype
    without scaling.  Returns a NumPy array (the DataLoader makes the Tensor).
    """

    def _convert(self, x: np.ndarray) -> np.ndarray:
        dtype = backend.get_default_dtype()
        if x.dtype == np.uint8:
            return np.divide(x, 255, dtype=dtype)
        return x.astype(dtype, copy=False)

    def __call__(self, x: Any) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim == 2:
            x = x[None]
        elif x.ndim == 3:
            x = x.transpose(2, 0, 1)
        else:
            raise ValueError(f"ToTensor: expected an image H×W or H×W×C, got shape {x.shape}")
        return np.ascontiguousarray(self._convert(x))

    def batch(self, xs: Any) -> np.ndarray:
        xs = np.asarray(xs)
        if xs.ndim == 3:
            xs = xs[:, None]
        elif xs.ndim == 4:
            xs = xs.transpose(0, 3, 1, 2)
        else:
            raise ValueError(f"ToTensor: expected a batch N×H×W or N×H×W×C, got shape {xs.shape}")
        return np.ascontiguousarray(self._convert(xs))


class Normalize(Transform):
    """Per-channel standardisation ``x̂_c = (x_c − μ_c) / σ_c`` on C×H×W images (or N×C×H×W).

    MNIST: ``Normalize((0.1307,), (0.3081,))``; CIFAR-10:
    ``Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))``.
    """

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float]) -> None:
        m = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        s = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if m.ndim != 1 or s.ndim != 1 or (m.size != s.size and 1 not in (m.size, s.size)):
            raise ValueError(f"Normalize: mean and std must be numbers or equally long sequences, "
                             f"got {mean!r} and {std!r}")
        if np.any(s == 0):
            raise ValueError(f"Normalize: std must be non-zero, got {std!r}")
        self.mean, self.std = tuple(m.tolist()), tuple(s.tolist())

    def _apply(self, x: np.ndarray, channel_axis: int) -> np.ndarray:
        dtype = _float_dtype(x)
        c = max(len(self.mean), len(self.std))
        if c == 1:
            mean, std = np.asarray(self.mean[0], dtype), np.asarray(self.std[0], dtype)
        else:
            if x.ndim < channel_axis + 3 or x.shape[channel_axis] != c:
                raise ValueError(f"Normalize: {c} channel statistics but input shape {x.shape} "
                                 f"(expected C×H×W with C={c})")
            shape = (c, 1, 1)
            mean = np.broadcast_to(np.asarray(self.mean, dtype), (c,)).reshape(shape)
            std = np.broadcast_to(np.asarray(self.std, dtype), (c,)).reshape(shape)
        out = x.astype(dtype)  # a copy: never normalise the dataset's own array in place
        out -= mean
        out /= std
        return out

    def __call__(self, x: Any) -> np.ndarray:
        return self._apply(np.asarray(x), 0)

    def batch(self, xs: Any) -> np.ndarray:
        return self._apply(np.asarray(xs), 1)


class RandomHorizontalFlip(Transform):
    """Mirror left↔right (last axis) with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p}")
        self.p = float(p)

    _axis = -1

    def batch(self, xs: Any) -> np.ndarray:
        xs = np.asarray(xs)
        _check_image(type(self).__name__, xs, batched=True)
        flip = _rng().random(xs.shape[0]) < self.p
        out = xs.copy()
        out[flip] = np.flip(xs[flip], axis=self._axis)
        return out


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top↔bottom (second-to-last axis) with probability ``p``."""

    _axis = -2


class RandomCrop(Transform):
    """Pad the image, then cut a random ``size`` window (the lecture's "random crop with padding").

    ``padding``: int (all sides), (left/right, top/bottom) or (left, top, right, bottom);
    ``padding_mode``: ``"constant"`` (value ``fill``), ``"edge"``, ``"reflect"``, ``"symmetric"``.
    CIFAR-10: ``RandomCrop(32, padding=4)``.
    """

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None,
                 fill: float = 0, padding_mode: str = "constant") -> None:
        self.size = _pair(size, "RandomCrop size")
        if padding is None:
            pad = (0, 0, 0, 0)
        elif isinstance(padding, (int, np.integer)):
            pad = (int(padding),) * 4
        elif len(padding) == 2:
            pad = (int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1]))
        elif len(padding) == 4:
            pad = tuple(int(p) for p in padding)
        else:
            raise ValueError(f"RandomCrop: padding must be an int, 2 or 4 ints, got {padding!r}")
        if min(pad) < 0:
            raise ValueError(f"RandomCrop: padding must be >= 0, got {padding!r}")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"RandomCrop: unknown padding_mode {padding_mode!r}")
        self.padding = pad  # left, top, right, bottom
        self.fill = fill
        self.padding_mode = padding_mode

    def batch(self, xs: Any) -> np.ndarray:
        xs = np.asarray(xs)
        _check_image("RandomCrop", xs, batched=True)
        left, top, right, bottom = self.padding
        widths = [(0, 0)] * (xs.ndim - 2) + [(top, bottom), (left, right)]
        if any(self.padding):
            kw = {"constant_values": self.fill} if self.padding_mode == "constant" else {}
            xs = np.pad(xs, widths, mode=self.padding_mode, **kw)
        h, w = self.size
        hp, wp = xs.shape[-2:]
        if h > hp or w > wp:
            raise ValueError(f"RandomCrop: crop size {(h, w)} larger than padded image {(hp, wp)}")
        n = xs.shape[0]
        flat = xs.reshape(n, -1, hp, wp)
        i = _rng().integers(0, hp - h + 1, size=n)
        j = _rng().integers(0, wp - w + 1, size=n)
        windows = np.lib.stride_tricks.sliding_window_view(flat, (h, w), axis=(-2, -1))
        out = windows[np.arange(n), :, i, j]  # (N, R, h, w): only the chosen windows are copied
        return out.reshape(xs.shape[:-2] + (h, w))


def _affine_sample(xs: np.ndarray, mats: np.ndarray, interpolation: str, fill: float) -> np.ndarray:
    """Resample N images (N, …, H, W) through per-image 2×2 maps about the image centre.

    Output pixel (i, j) reads the input at ``c + A_n · ((i, j) − c)``, c = ((H−1)/2, (W−1)/2);
    points outside the image read ``fill``.  Bilinear or nearest interpolation.
    """
    n, hgt, wid = xs.shape[0], xs.shape[-2], xs.shape[-1]
    dtype = _float_dtype(xs)
    # A two-pixel border of `fill` around every image: source corners are clipped into
    # [-2, H] × [-2, W], which lands every outside corner on the border, so the four gathers
    # need no masks and share one flat index.
    p = 2
    hp, wp = hgt + 2 * p, wid + 2 * p
    channels = int(np.prod(xs.shape[1:-2], dtype=np.int64))
    padded = np.full((channels, n, hp, wp), fill, dtype=dtype)
    padded[:, :, p:-p, p:-p] = xs.reshape(n, channels, hgt, wid).transpose(1, 0, 2, 3)
    table = padded.reshape(channels, n * hp * wp)  # one flat row per channel: cheap gathers
    cy, cx = (hgt - 1) / 2.0, (wid - 1) / 2.0
    f32 = np.float32
    yy, xx = np.meshgrid(np.arange(hgt, dtype=f32) - f32(cy), np.arange(wid, dtype=f32) - f32(cx),
                         indexing="ij")
    m = mats.astype(f32)
    sy = m[:, 0, 0, None, None] * yy + m[:, 0, 1, None, None] * xx
    sy += f32(cy)
    sx = m[:, 1, 0, None, None] * yy + m[:, 1, 1, None, None] * xx
    sx += f32(cx)
    base = (np.arange(n, dtype=np.int64) * (hp * wp) + p * wp + p)[:, None, None]
    if interpolation == "nearest":
        r = np.clip(np.rint(sy), -p, hgt).astype(np.int64)
        c = np.clip(np.rint(sx), -p, wid).astype(np.int64)
        out = table[:, base + r * wp + c]
    else:
        r0, c0 = np.floor(sy), np.floor(sx)
        wy, wx = (sy - r0).astype(dtype), (sx - c0).astype(dtype)
        idx = base + np.clip(r0, -p, hgt).astype(np.int64) * wp + np.clip(c0, -p, wid).astype(np.int64)
        top = table[:, idx] * (1 - wx) + table[:, idx + 1] * wx
        bottom = table[:, idx + wp] * (1 - wx) + table[:, idx + wp + 1] * wx
        out = top * (1 - wy) + bottom * wy
    out = out.transpose(1, 0, 2, 3).reshape(xs.shape)  # (C, N, H, W) → (N, …, H, W)
    return _restore_dtype(out, xs)


def _check_interpolation(name: str, interpolation: str) -> str:
    if interpolation not in ("bilinear", "nearest"):
        raise ValueError(f"{name}: interpolation must be 'bilinear' or 'nearest', got {interpolation!r}")
    return interpolation


class RandomRotation(Transform):
    """Rotate by an angle θ ~ U[−degrees, degrees] (or U[a, b] for a pair), counter-clockwise.

    Inverse mapping about the centre c: the output pixel at offset (y, x) from c reads the input
    at offset ``(cosθ·y + sinθ·x, −sinθ·y + cosθ·x)`` from c, with bilinear or nearest
    interpolation; pixels that map outside the image get ``fill``.
    Rotating a square image by 90° gives exactly ``np.rot90``.  Pure NumPy, no SciPy.
    """

    def __init__(self, degrees: float | Sequence[float], interpolation: str = "bilinear",
                 fill: float = 0.0) -> None:
        if isinstance(degrees, (int, float, np.number)):
            if degrees < 0:
                raise ValueError(f"RandomRotation: degrees must be >= 0, got {degrees}")
            self.degrees = (-float(degrees), float(degrees))
        else:
            lo, hi = (float(d) for d in degrees)
            if lo > hi:
                raise ValueError(f"RandomRotation: degrees range ({lo}, {hi}) is empty")
            self.degrees = (lo, hi)
        self.interpolation = _check_interpolation("RandomRotation", interpolation)
        self.fill = fill

    @staticmethod
    def matrices(angles_deg: np.ndarray) -> np.ndarray:
        theta = np.deg2rad(np.asarray(angles_deg, dtype=np.float64))
        cos, sin = np.cos(theta), np.sin(theta)
        cos = np.where(np.abs(cos) < 1e-12, 0.0, cos)  # exact for multiples of 90°
        sin = np.where(np.abs(sin) < 1e-12, 0.0, sin)
        return np.stack([np.stack([cos, sin], -1), np.stack([-sin, cos], -1)], -2)

    def batch(self, xs: Any) -> np.ndarray:
        xs = np.asarray(xs)
        _check_image("RandomRotation", xs, batched=True)
        angles = _rng().uniform(self.degrees[0], self.degrees[1], size=xs.shape[0])
        return _affine_sample(xs, self.matrices(angles), self.interpolation, self.fill)


class RandomZoom(Transform):
    """Random rescaling about the centre keeping the size: factor s ~ U[scale] (s > 1 zooms in).

    Output pixel p reads the input at ``c + (p − c)/s``.
    """

    def __init__(self, scale: tuple[float, float] = (0.9, 1.1), interpolation: str = "bilinear",
                 fill: float = 0.0) -> None:
        lo, hi = float(scale[0]), float(scale[1])
        if not 0 < lo <= hi:
            raise ValueError(f"RandomZoom: scale must be a range 0 < a <= b, got {scale!r}")
        self.scale = (lo, hi)
        self.interpolation = _check_interpolation("RandomZoom", interpolation)
        self.fill = fill

    def batch(self, xs: Any) -> np.ndarray:
        xs = np.asarray(xs)
        _check_image("RandomZoom", xs, batched=True)
        s = _rng().uniform(self.scale[0], self.scale[1], size=xs.shape[0])
        mats = np.zeros((xs.shape[0], 2, 2))
        mats[:, 0, 0] = mats[:, 1, 1] = 1.0 / s
        return _affine_sample(xs, mats, self.interpolation, self.fill)


def _resize_axis(x: np.ndarray, axis: int, out_len: int, interpolation: str) -> np.ndarray:
    in_len = x.shape[axis]
    scale = in_len / out_len
    dst = np.arange(out_len, dtype=np.float64)
    if interpolation == "nearest":  # PyTorch's "nearest": src = ⌊dst·scale⌋
        idx = np.minimum(np.floor(dst * scale).astype(np.int64), in_len - 1)
        return np.take(x, idx, axis=axis)
    # bilinear with half-pixel centres (PyTorch align_corners=False)
    src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_len - 1)
    i1 = np.minimum(i0 + 1, in_len - 1)
    w = (src - i0).astype(x.dtype)
    shape = [1] * x.ndim
    shape[axis] = out_len
    w = w.reshape(shape)
    return np.take(x, i0, axis=axis) * (1 - w) + np.take(x, i1, axis=axis) * w


class Resize(Transform):
    """Resize the last two axes to ``size`` = (h, w) (or an int for both).

    Bilinear uses half-pixel centres, ``src = (dst + ½)·(in/out) − ½`` (PyTorch's
    ``interpolate(..., align_corners=False)`` without antialiasing); nearest uses
    ``src = ⌊dst·in/out⌋``.  Deterministic.
    """

    def __init__(self, size: int | Sequence[int], interpolation: str = "bilinear") -> None:
        self.size = _pair(size, "Resize size")
        if min(self.size) <= 0:
            raise ValueError(f"Resize: size must be positive, got {size!r}")
        self.interpolation = _check_interpolation(type(self).__name__, interpolation)

    def _out_size(self, hw: tuple[int, int]) -> tuple[int, int]:
        return self.size

    def _apply(self, x: np.ndarray) -> np.ndarray:
        h, w = self._out_size(x.shape[-2:])
        if self.interpolation == "nearest":
            return _resize_axis(_resize_axis(x, x.ndim - 2, h, "nearest"), x.ndim - 1, w, "nearest")
        f = x.astype(_float_dtype(x))
        out = _resize_axis(_resize_axis(f, x.ndim - 2, h, "bilinear"), x.ndim - 1, w, "bilinear")
        return _restore_dtype(out, x)

    def __call__(self, x: Any) -> np.ndarray:
        x = np.asarray(x)
        _check_image(type(self).__name__, x, batched=False)
        return self._apply(x)

    def batch(self, xs: Any) -> np.ndarray:
        xs = np.asarray(xs)
        _check_image(type(self).__name__, xs, batched=True)
        return self._apply(xs)


class Rescale(Resize):
    """Resize by a factor: (H, W) → (round(H·s), round(W·s))."""

    def __init__(self, factor: float, interpolation: str = "bilinear") -> None:
        if factor <= 0:
            raise ValueError(f"Rescale: factor must be > 0, got {factor}")
        self.factor = float(factor)
        self.interpolation = _check_interpolation("Rescale", interpolation)

    def _out_size(self, hw: tuple[int, int]) -> tuple[int, int]:
        return max(1, round(hw[0] * self.factor)), max(1, round(hw[1] * self.factor))


class GaussianNoise(Transform):
    """Additive input noise ``x̃ = x + ε``, ε ~ N(mean, std²) per element; optional ``clip=(lo, hi)``.

    Integer input is first converted to the default float dtype (no scaling).
    """

    def __init__(self, std: float, mean: float = 0.0, clip: tuple[float, float] | None = None) -> None:
        if std < 0:
            raise ValueError(f"GaussianNoise: std must be >= 0, got {std}")
        self.std, self.mean, self.clip = float(std), float(mean), clip

    def batch(self, xs: Any) -> np.ndarray:
        xs = np.asarray(xs)
        dtype = _float_dtype(xs)
        noise = _rng().normal(self.mean, self.std, size=xs.shape).astype(dtype)
        out = xs.astype(dtype) + noise
        if self.clip is not None:
            np.clip(out, self.clip[0], self.clip[1], out=out)
        return out


class LabelNoise(Transform):
    """Target transform: with probability ``p`` replace the label by a *different* class.

    The new class is uniform over the other K−1 classes, ``y' = (y + U{1..K−1}) mod K``, so the
    fraction of changed labels is ``p``.
    """

    def __init__(self, p: float, num_classes: int) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"LabelNoise: p must be in [0, 1], got {p}")
        if num_classes < 2:
            raise ValueError(f"LabelNoise: num_classes must be >= 2, got {num_classes}")
        self.p, self.num_classes = float(p), int(num_classes)

    def batch(self, ys: Any) -> np.ndarray:
        ys = np.asarray(ys)
        if ys.dtype.kind not in "iu":
            raise TypeError(f"LabelNoise: labels must be integers, got dtype {ys.dtype}")
        if ys.size and (ys.min() < 0 or ys.max() >= self.num_classes):
            raise ValueError(f"LabelNoise: labels must lie in [0, {self.num_classes}), "
                             f"got range [{ys.min()}, {ys.max()}]")
        g = _rng()
        flip = g.random(ys.shape) < self.p
        shift = g.integers(1, self.num_classes, size=ys.shape)
        return np.where(flip, (ys.astype(np.int64) + shift) % self.num_classes, ys).astype(ys.dtype)

    def __call__(self, y: Any) -> Any:
        out = self.batch(np.asarray(y)[None])[0]
        return int(out) if isinstance(y, (int, np.integer)) and not isinstance(y, bool) else out


class Lambda(Transform):
    """Wrap a function as a transform; ``batched=True`` says ``fn`` also works on whole batches."""

    def __init__(self, fn: Callable[[Any], Any], batched: bool = False) -> None:
        if not callable(fn):
            raise TypeError(f"Lambda: expected a callable, got {type(fn).__name__}")
        self.fn, self.batched = fn, bool(batched)

    def __call__(self, x: Any) -> Any:
        return self.fn(x)

    def batch(self, xs: Any) -> Any:
        if self.batched:
            return self.fn(xs)
        return np.stack([np.asarray(self.fn(x)) for x in xs])


class Flatten(Transform):
    """Flatten each sample to a vector (e.g. 1×28×28 → 784 for an MLP)."""

    def __call__(self, x: Any) -> np.ndarray:
        return np.asarray(x).reshape(-1)

    def batch(self, xs: Any) -> np.ndarray:
        xs = np.asarray(xs)
        return xs.reshape(xs.shape[0], -1)
