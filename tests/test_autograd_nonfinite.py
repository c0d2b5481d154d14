"""Gradients at the edges (zeros, infinities, ties) are PyTorch's, case by case; an inf/NaN term
leaves the gradients of branches it does not touch alone (the seed of backward is ones)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_ru as tg

# name -> (f(lib, *xs), inputs as lists): every input requires grad, float64
CASES = {
    "x / 0": (lambda lib, x: (x / 0.0).sum(), [[1.0, -2.0]]),
    "1 / x at 0": (lambda lib, x: (1.0 / x).sum(), [[0.0, 2.0]]),
    "a / b, b = 0": (lambda lib, a, b: (a / b).sum(), [[1.0, -1.0], [0.0, 0.0]]),
    "norm at 0": (lambda lib, x: x.norm(), [[0.0, 0.0, 0.0]]),
    "norm": (lambda lib, x: x.norm(), [[3.0, -4.0]]),
    "norm p=1 at 0": (lambda lib, x: x.norm(1), [[0.0, 2.0]]),
    "norm p=3 at 0": (lambda lib, x: x.norm(3), [[0.0, 0.0]]),
    "norm p=3": (lambda lib, x: x.norm(3), [[1.0, -2.0, 0.0]]),
    "norm p=inf, ties": (lambda lib, x: x.norm(float("inf")), [[3.0, -3.0, 1.0]]),
    "pow base 0, d/dexponent": (lambda lib, a, b: (a ** b).sum(), [[0.0, 0.0, 2.0], [2.0, 0.5, 3.0]]),
    "pow exponent 0 at base 0": (lambda lib, a, b: (a ** b).sum(), [[0.0], [0.0]]),
    "x ** 0 at 0": (lambda lib, x: (x ** 0).sum(), [[0.0, 1.0]]),
    "x ** 0.5 at 0": (lambda lib, x: (x ** 0.5).sum(), [[0.0, 4.0]]),
    "sqrt at 0": (lambda lib, x: x.sqrt().sum(), [[0.0, 4.0]]),
    "abs at 0": (lambda lib, x: x.abs().sum(), [[0.0, -1.0, 2.0]]),
    "log at 0": (lambda lib, x: x.log().sum(), [[0.0, 1.0]]),
    "relu at 0": (lambda lib, x: x.relu().sum(), [[0.0, -1.0, 1.0]]),
    "max ties": (lambda lib, x: x.max(), [[1.0, 3.0, 3.0]]),
    "max over a dim, ties": (lambda lib, x: x.max(1)[0].sum(), [[[2.0, 2.0], [1.0, 0.0]]]),
    "min ties": (lambda lib, x: x.min(), [[0.0, 0.0, 5.0]]),
    "maximum ties": (lambda lib, a, b: lib.maximum(a, b).sum(), [[1.0, 2.0], [1.0, 0.0]]),
    "clamp at the bounds": (lambda lib, x: x.clamp(0.0, 1.0).sum(), [[0.0, 1.0, 0.5, 2.0]]),
    "inf loss leaves other branches alone": (lambda lib, w, z: (2 * w).sum() + z.log().sum(),
                                             [[1.0, 2.0], [0.0]]),
    "nan loss leaves other branches alone": (lambda lib, w, z: (3 * w).sum() + (z * float("nan")).sum(),
                                             [[1.0, 2.0], [1.0]]),
    "exp overflow": (lambda lib, x: x.exp().sum(), [[1000.0, 0.0]]),
}


def _run(lib, name):
    f, values = CASES[name]
    xs = [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in values]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy warns on 1/0 and log(0)
        f(lib, *xs).backward()
    return [np.asarray(x.grad.detach().numpy() if lib.__name__ == "torch" else x.grad.numpy()) for x in xs]


@pytest.mark.parametrize("name", list(CASES))
def test_edge_gradients_as_torch(name):
    torch = pytest.importorskip("torch")
    for ours, theirs in zip(_run(tg, name), _run(torch, name)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)  # inf and NaN in the same places too


def test_inf_loss_does_not_poison_other_branches():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    z = tg.tensor(0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy warns on log(0)
        loss = (2 * w).sum() + z.log()
        loss.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 2.0])


def test_the_seed_is_ones_even_for_an_inf_output():
    x = tg.tensor([1.0], requires_grad=True)
    captured = []
    y = x * float("inf")
    y.register_hook(lambda g: captured.append(g.numpy().copy()))
    y.sum().backward()
    np.testing.assert_array_equal(captured[0], [1.0])


@pytest.mark.parametrize("make", [
    lambda t: t / 0.0, lambda t: 0.0 / (t - 1.0), lambda t: (t - 1.0).log(), lambda t: (-t).sqrt(),
    lambda t: (t - 1.0) ** -1.0, lambda t: (t - 1.0).log2(), lambda t: (-t - 1.0).log1p(), lambda t: (t - 1.0).rsqrt(),
    lambda t: (t - 1.0) ** tg.tensor([-0.5]),
])
def test_domain_edges_give_inf_or_nan_without_numpy_warnings_as_torch(make):
    x = tg.tensor([1.0], dtype=tg.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        y = make(x)
        y.sum().backward()
    assert not np.isfinite(y.detach().numpy()).all()
