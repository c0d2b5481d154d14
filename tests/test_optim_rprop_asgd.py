"""Rprop and ASGD: step by step against their formulas written out in NumPy, and against torch.optim.

Reuses the drivers of the existing optimizer tests: ``run``/``check`` (fed gradients) from
tests/test_optim_formulas.py, ``run_tg``/``run_torch`` (30 steps on a tiny net) from
tests/test_optim_torch.py, and the state-dict resume problem from tests/test_optim_base.py.
"""


import numpy as np
import pytest

import tinygrad_ru as tg
from tests.test_optim_formulas import GRADS, THETA0, check, run
from tinygrad_ru import optim


# ----------------------------------------------------------------------------- references
def ref_rprop(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False, grads=GRADS):
    th, prev, delta, out = THETA0.copy(), np.zeros_like(THETA0), np.full_like(THETA0, lr), []
    for g in grads:
        g = -g if maximize else g.copy()
        s = np.sign(g * prev)
        delta = np.clip(delta * np.where(s > 0, etas[1], np.where(s < 0, etas[0], 1.0)), *step_sizes)
        g[s < 0] = 0
        th = th - delta * np.sign(g)
        prev = g
        out.append(th)
    return out


def ref_asgd(lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, wd=0.0, maximize=False, with_avg=False):
    th, ax, eta, mu, out, avgs = THETA0.copy(), np.zeros_like(THETA0), lr, 1.0, [], []
    for t, g in enumerate(GRADS, 1):
        g = (-g if maximize else g) + wd * th
        th = th * (1 - lambd * eta) - eta * g
        ax = ax + mu * (th - ax)
        eta = lr / (1 + lambd * lr * t) ** alpha
        mu = 1 / max(1, t - t0)
        out.append(th)
        avgs.append(ax)
    return (out, avgs) if with_avg else out


# gradients whose signs flip and repeat, so that every branch of the Rprop rule is taken
FLIPS = [np.sign(GRADS[0]) * (1.0 + 0.1 * k) * (-1) ** (k // 2) for k in range(len(GRADS))]

CASES = [
    ("Rprop", optim.Rprop, dict(), lambda: ref_rprop()),
    ("Rprop etas lr maximize", optim.Rprop, dict(lr=0.1, etas=(0.3, 1.5), maximize=True),
     lambda: ref_rprop(0.1, (0.3, 1.5), maximize=True)),
    ("Rprop clipped", optim.Rprop, dict(lr=0.1, step_sizes=(0.05, 0.2)),
     lambda: ref_rprop(0.1, step_sizes=(0.05, 0.2))),
    ("ASGD", optim.ASGD, dict(lr=0.1), lambda: ref_asgd(0.1)),
    ("ASGD t0 lambd wd maximize", optim.ASGD, dict(lr=0.05, lambd=0.1, alpha=0.5, t0=4, weight_decay=0.1,
                                                   maximize=True),
     lambda: ref_asgd(0.05, 0.1, 0.5, 4, 0.1, maximize=True)),
]


@pytest.mark.parametrize("name,cls,kw,ref", CASES, ids=[c[0] for c in CASES])
def test_steps_match_formula(name, cls, kw, ref):
    check(run(cls, **kw), ref())


def test_rprop_sign_flips_take_every_branch():
    check(run(optim.Rprop, grads=FLIPS, lr=0.1), ref_rprop(0.1, grads=FLIPS))
    p = tg.Tensor(THETA0.copy(), requires_grad=True, dtype=tg.float64)
    opt = optim.Rprop([p], lr=0.1)
    for g in FLIPS[:3]:  # same sign, same sign, flipped
        p.grad = tg.Tensor(g, dtype=tg.float64)
        opt.step()
    state = opt.state[p]
    np.testing.assert_array_equal(state["prev"], 0 * THETA0)  # the flipped gradient is stored as 0
    np.testing.assert_allclose(state["step_size"], 0.1 * 1.2 * 0.5)  # grew once, then halved
    assert state["step"] == 3


def test_asgd_average_is_the_mean_of_the_iterates_after_t0():
    kw = dict(lr=0.05, lambd=0.1, alpha=0.5, t0=4)
    p = tg.Tensor(THETA0.copy(), requires_grad=True, dtype=tg.float64)
    opt = optim.ASGD([p], **kw)
    iterates = []
    for g in GRADS:
        p.grad = tg.Tensor(g.copy(), dtype=tg.float64)
        opt.step()
        iterates.append(p.data.copy())
    _, avgs = ref_asgd(0.05, 0.1, 0.5, 4, with_avg=True)
    np.testing.assert_allclose(opt.state[p]["ax"], avgs[-1], rtol=1e-12)
    # step t averages with μ_{t−1} = 1/max(1, t − 1 − t₀): θ̄ restarts at θ_{t₀+2}, then is the running mean
    np.testing.assert_allclose(opt.state[p]["ax"], np.mean(iterates[5:], axis=0), rtol=1e-12)


# state_dict resume: the ALL table of tests/test_optim_base.py


def test_float32_parameters_keep_their_dtype():
    for cls in (optim.Rprop, optim.ASGD):
        p = tg.Tensor(THETA0.astype(np.float32), requires_grad=True)
        opt = cls([p])
        for g in GRADS[:3]:
            p.grad = tg.Tensor(g.astype(np.float32))
            opt.step()
        assert p.dtype == np.float32
        assert all(v.dtype == np.float32 for v in opt.state[p].values() if hasattr(v, "dtype"))


def test_step_bumps_the_version_counter():
    for cls in (optim.Rprop, optim.ASGD):
        p = tg.Tensor(THETA0.copy(), requires_grad=True)
        p.grad = tg.ones_like(p)
        v = p._version
        cls([p]).step()
        assert p._version == v + 1


# ----------------------------------------------------------------------------- against torch.optim
torch = pytest.importorskip("torch")
from tests.test_optim_torch import RTOL, max_rel, run_tg, run_torch  # noqa: E402

TORCH_CASES = [
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.4, 1.3), step_sizes=(1e-4, 0.5))),
    ("Rprop", dict(lr=0.02, maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.6, t0=10, weight_decay=0.01)),
    ("ASGD", dict(lr=0.002, t0=5, maximize=True)),
]


@pytest.fixture
def torch_float64():
    """torch keeps ASGD's η and μ in scalars of the default dtype: float64 ones, as ours are Python floats."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


@pytest.mark.parametrize("name,kw", TORCH_CASES, ids=[f"{n}-{'-'.join(k)}" for n, k in TORCH_CASES])
def test_matches_torch(torch_float64, name, kw):
    ours, _ = run_tg(getattr(optim, name), kw)
    ref, _ = run_torch(getattr(torch.optim, name), dict(kw, foreach=False))
    assert max_rel(ours, ref) <= RTOL
    ref_foreach, _ = run_torch(getattr(torch.optim, name), dict(kw, foreach=True))
    assert max_rel(ours, ref_foreach) <= RTOL


def test_asgd_state_matches_torch(torch_float64):
    kw = dict(lr=0.05, lambd=0.01, t0=3)
    a = THETA0.copy()
    p = tg.Tensor(a.copy(), requires_grad=True, dtype=tg.float64)
    tp = torch.tensor(a.copy(), requires_grad=True)
    opt, topt = optim.ASGD([p], **kw), torch.optim.ASGD([tp], **kw)
    for g in GRADS:
        p.grad, tp.grad = tg.Tensor(g.copy(), dtype=tg.float64), torch.tensor(g.copy())
        opt.step()
        topt.step()
    s, ts = opt.state[p], topt.state[tp]
    np.testing.assert_allclose(s["ax"], ts["ax"].numpy(), rtol=1e-12)
    assert s["eta"] == pytest.approx(float(ts["eta"]), rel=1e-12)
    assert s["mu"] == pytest.approx(float(ts["mu"]), rel=1e-12)
    assert s["step"] == int(ts["step"])


def test_defaults_match_torch():
    for name in ("Rprop", "ASGD"):
        ours = getattr(optim, name)([tg.Tensor(np.zeros(2), requires_grad=True)]).defaults
        theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).defaults
        for key, value in ours.items():
            assert theirs[key] == value, (name, key)


BAD = [
    ("Rprop", dict(lr=-1.0)),
    ("Rprop", dict(etas=(1.5, 1.2))),
    ("Rprop", dict(etas=(0.5, 0.9))),
    ("Rprop", dict(etas=(0.0, 1.2))),
    ("ASGD", dict(lr=-0.1)),
    ("ASGD", dict(weight_decay=-1.0)),
]


@pytest.mark.parametrize("name,kw", BAD, ids=[f"{n}-{k}" for n, k in BAD])
def test_bad_hyper_parameters_raise_like_torch(name, kw):
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)
    with pytest.raises(ValueError, match=name):
        getattr(optim, name)([tg.zeros(2, requires_grad=True)], **kw)
