"""Dtypes: NumPy's dtype objects under PyTorch's names, the default dtype, and torch's promotion rules."""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
bool_ = np.dtype("bool")
uint8 = np.dtype("uint8")
int8 = np.dtype("int8")
int16 = np.dtype("int16")

_DTYPE_NAMES = {
    "float": float32, "float32": float32, "float64": float64, "double": float64,
    "half": float16, "float16": float16, "int": int64, "long": int64, "int64": int64,
    "int32": int32, "bool": bool_, "uint8": uint8, "int8": int8, "int16": int16, "short": int16,
}

_default_dtype = float32


def as_dtype(dtype: Any) -> np.dtype:
    """Normalise ``tg.float32``, ``np.float64``, ``"float32"`` or a torch-style name to a NumPy dtype."""
    if dtype is None:
        return _default_dtype
    if isinstance(dtype, str):
        try:
            return _DTYPE_NAMES[dtype]
        except KeyError:
            raise TypeError(f"unknown dtype name {dtype!r}; use one of {sorted(_DTYPE_NAMES)}") from None
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"cannot interpret {dtype!r} as a dtype") from None


def get_default_dtype() -> np.dtype:
    return _default_dtype


def set_default_dtype(dtype: Any) -> None:
    """Set the floating dtype of new tensors made from Python numbers and floating arrays."""
    global _default_dtype
    d = as_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {d}")
    _default_dtype = d


def is_floating(dtype: Any) -> bool:
    return np.dtype(dtype).kind == "f"


# ----------------------------------------------------------------------------- dtype rules (torch's)
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}  # bool < integers < floating < complex


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """The smallest dtype both convert to, by torch's rule: within a category (bool, integer,
    floating) as NumPy; across categories the higher category's dtype wins whatever its size
    (int64 with float16 is float16, where NumPy would say float64)."""
    a, b = as_dtype(type1), as_dtype(type2)
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def can_cast(from_: Any, to: Any) -> bool:
    """Whether torch's type promotion allows a cast from ``from_`` to ``to``: never to a lower
    category (floating → integer, integer → bool); any size within one (float64 → float32 is allowed)."""
    return _CATEGORY[as_dtype(from_).kind] <= _CATEGORY[as_dtype(to).kind]


class finfo:  # noqa: N801 - torch's name
    """Machine limits of a floating dtype, as ``torch.finfo`` (default: the default dtype).

    ``bits``, ``eps`` (the gap between 1 and the next number), ``max``, ``min`` (= −max), ``tiny``
    (= ``smallest_normal``, the smallest positive normal number), ``resolution`` (10^−precision)
    and ``dtype`` (its name), as Python numbers.
    """

    def __init__(self, type: Any = None) -> None:  # noqa: A002 - torch's keyword
        d = as_dtype(type)
        if d.kind != "f":
            raise TypeError(f"finfo() requires a floating point input type, got {d}; use iinfo for integer types")
        info = np.finfo(d)
        self.bits, self.dtype = int(info.bits), d.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - torch's name
    """Limits of an integer dtype, as ``torch.iinfo``: ``bits``, ``min``, ``max``, ``dtype``."""

    def __init__(self, type: Any) -> None:  # noqa: A002 - torch's keyword
        d = as_dtype(type)
        if d.kind not in "iu":
            raise TypeError(f"iinfo() requires an integer input type, got {d}; use finfo for floating types")
        info = np.iinfo(d)
        self.bits, self.min, self.max, self.dtype = int(info.bits), int(info.min), int(info.max), d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
