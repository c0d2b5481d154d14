"""erf on the host: SciPy's when installed, Python's math.erf otherwise — the same numbers."""

import math
import sys

import numpy as np

from tinygrad_ru import backend
from tinygrad_ru.backend import host_special


def test_erf_without_scipy_matches_math_erf(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)  # import scipy now fails
    monkeypatch.setattr(host_special, "_host_special", {})
    x = np.linspace(-4, 4, 33)
    got = backend.erf(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, [math.erf(v) for v in x], rtol=0, atol=1e-15)
    x32 = x.astype(np.float32)
    assert backend.erf(x32).dtype == np.float32


def test_erf_is_found_once_and_kept():
    backend.erf(np.zeros(2))
    first = host_special._host_special["erf"]
    backend.erf(np.ones(2))
    assert host_special._host_special["erf"] is first


def test_erfc_and_erfinv_without_scipy(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setattr(host_special, "_host_special", {})
    x = np.linspace(-6, 6, 25)
    np.testing.assert_allclose(backend.special("erfc", x), [math.erfc(v) for v in x], rtol=1e-15, atol=0)
    y = np.array([-1.0, -0.999999, -0.5, 0.0, 1e-9, 0.3, 0.9, 0.999999, 1.0, 1.5])
    got = backend.special("erfinv", y)
    finite = np.abs(y) < 1
    np.testing.assert_allclose([math.erf(v) for v in got[finite]], y[finite], rtol=1e-14, atol=1e-16)
    assert got[0] == -np.inf and got[-2] == np.inf and np.isnan(got[-1])
