"""Special functions (erf, erfc, erfinv) on host arrays: SciPy's when installed, else Python's math.

SciPy is imported on first use (importing it costs ~0.2 s at start-up); the found functions are kept
in ``_host_special``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

_host_special: dict[str, Callable[[Any], Any]] = {}  # found on first use (importing SciPy is slow)


def _newton_erfinv(y: Any) -> Any:
    """erf⁻¹ without SciPy: Giles' single-precision approximation, then Newton steps on erf."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log((1.0 - y) * (1.0 + y))
        small = w < 5.0
        ws, wl = w - 2.5, np.sqrt(w) - 3.0
        ps = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941):
            ps = c + ps * ws
        pl = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                  0.00943887047, 1.00167406, 2.83297682):
            pl = c + pl * wl
        x = np.where(small, ps, pl) * y
        erf_ = np.frompyfunc(math.erf, 1, 1)
        for _ in range(3):
            x = x - (np.asarray(erf_(x), dtype=np.float64) - y) / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
        x = np.where(np.abs(y) == 1.0, np.copysign(np.inf, y), x)
        return np.where(np.abs(y) > 1.0, np.nan, x)


# the functions without SciPy: Python's math module (exact, one element at a time), or erfinv by Newton
_SPECIAL_FALLBACK: dict[str, Callable[[Any], Any]] = {
    "erf": np.frompyfunc(math.erf, 1, 1), "erfc": np.frompyfunc(math.erfc, 1, 1), "erfinv": _newton_erfinv,
}


def _find_host_special(name: str) -> Callable[[Any], Any]:
    try:
        from scipy import special

        f = getattr(special, name)
        return lambda x: f(x).astype(x.dtype, copy=False)
    except Exception:  # SciPy is optional
        fallback = _SPECIAL_FALLBACK[name]
        return lambda x: np.asarray(fallback(x), dtype=x.dtype)


def host_function(name: str) -> Callable[[Any], Any]:
    """The host function ``name`` (found once, then cached)."""
    f = _host_special.get(name)
    if f is None:
        f = _host_special[name] = _find_host_special(name)
    return f
