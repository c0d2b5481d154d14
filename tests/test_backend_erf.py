"""erf on the host: SciPy's when installed, Python's math.erf otherwise — the same numbers."""

import math
import sys

import numpy as np

from tinygrad_ru import backend


def test_erf_without_scipy_matches_math_erf(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)  # import scipy now fails
    monkeypatch.setattr(backend, "_host_erf", None)
    x = np.linspace(-4, 4, 33)
    got = backend.erf(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, [math.erf(v) for v in x], rtol=0, atol=1e-15)
    x32 = x.astype(np.float32)
    assert backend.erf(x32).dtype == np.float32


def test_erf_is_found_once_and_kept():
    backend.erf(np.zeros(2))
    first = backend._host_erf
    backend.erf(np.ones(2))
    assert backend._host_erf is first
