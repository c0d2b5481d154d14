"""Optimizers against torch.optim, 30 steps in float64 on a tiny two-layer net (skipped without torch)."""

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import optim

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 3))
Y = RNG.normal(size=(16, 1))
W1 = RNG.normal(size=(3, 5)) * 0.5
B1 = RNG.normal(size=(5,)) * 0.1
W2 = RNG.normal(size=(5, 1)) * 0.5
STEPS = 30
RTOL = 1e-6


def tg_problem():
    ps = [tg.Tensor(a.copy(), requires_grad=True, dtype=tg.float64) for a in (W1, B1, W2)]
    x, y = tg.Tensor(X, dtype=tg.float64), tg.Tensor(Y, dtype=tg.float64)

    def loss_fn():
        h = (x @ ps[0] + ps[1]).tanh()
        r = h @ ps[2] - y
        return (r * r).mean()

    return ps, loss_fn


def torch_problem():
    ps = [torch.tensor(a.copy(), dtype=torch.float64, requires_grad=True) for a in (W1, B1, W2)]
    x, y = torch.tensor(X), torch.tensor(Y)

    def loss_fn():
        h = torch.tanh(x @ ps[0] + ps[1])
        return ((h @ ps[2] - y) ** 2).mean()

    return ps, loss_fn


def _run(problem, to_float, to_numpy, cls, kw, closure_mode):
    """STEPS optimizer steps on ``problem()``; the same driver for both frameworks."""
    ps, loss_fn = problem()
    opt = cls(ps, **kw)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    losses = []
    for _ in range(STEPS):
        if closure_mode:
            losses.append(to_float(opt.step(closure)))
        else:
            losses.append(to_float(closure()))
            opt.step()
    return [to_numpy(p) for p in ps], losses


def run_tg(cls, kw, closure_mode=False):
    return _run(tg_problem, lambda t: float(t.item()), lambda p: p.data.copy(), cls, kw, closure_mode)


def run_torch(cls, kw, closure_mode=False):
    return _run(torch_problem, lambda t: float(t.detach()), lambda p: p.detach().numpy().copy(), cls, kw,
                closure_mode)


def max_rel(a_list, b_list):
    return max(float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12))) for a, b in zip(a_list, b_list))


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.2, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.01)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.01, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("Adamax", dict(lr=0.01, weight_decay=0.01)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
]


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{'-'.join(k)}" for n, k in CASES])
def test_matches_torch(name, kw):
    ours, _ = run_tg(getattr(optim, name), kw)
    ref, _ = run_torch(getattr(torch.optim, name), kw)
    assert max_rel(ours, ref) <= RTOL


def test_defaults_match_torch():
    for name in ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "LBFGS"]:
        ours = getattr(optim, name)([tg.Tensor(np.zeros(2), requires_grad=True)]).defaults
        theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).defaults
        for key, value in ours.items():
            if key in theirs:
                assert theirs[key] == value, (name, key)


# L-BFGS on the non-convex net amplifies rounding ~10x per step (torch against itself with a
# 1e-15 perturbation of the start differs by O(1) after 30 steps), so it is compared on a strongly
# convex problem: L2-regularised logistic regression.
XL = RNG.normal(size=(40, 4))
YL = np.where(XL @ np.array([1.0, -2.0, 0.5, 0.0]) + RNG.normal(size=40) > 0, 1.0, -1.0)


def logreg_tg(opt_cls, kw):
    w = tg.Tensor(np.zeros(4), requires_grad=True, dtype=tg.float64)
    x, y = tg.Tensor(XL, dtype=tg.float64), tg.Tensor(YL, dtype=tg.float64)
    opt = opt_cls([w], **kw)

    def closure():
        opt.zero_grad()
        loss = (1 + (-(y * (x @ w))).exp()).log().mean() + 0.01 * (w * w).sum()
        loss.backward()
        return loss

    return w, opt, closure


def logreg_torch(kw):
    w = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    x, y = torch.tensor(XL), torch.tensor(YL)
    opt = torch.optim.LBFGS([w], **kw)

    def closure():
        opt.zero_grad()
        loss = torch.log(1 + torch.exp(-(y * (x @ w)))).mean() + 0.01 * (w * w).sum()
        loss.backward()
        return loss

    return w, opt, closure


@pytest.mark.parametrize("kw", [
    dict(lr=0.5, max_iter=3, history_size=3),
    dict(lr=1, max_iter=2, history_size=5, line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-14),
], ids=["fixed-step", "wolfe-short", "wolfe-defaults"])
def test_lbfgs_matches_torch(kw):
    w, opt, closure = logreg_tg(optim.LBFGS, kw)
    tw, topt, tclosure = logreg_torch(kw)
    for step in range(STEPS):
        loss = float(opt.step(closure).item())
        tloss = float(topt.step(tclosure).detach())
        assert loss == pytest.approx(tloss, rel=RTOL), step
        np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=RTOL, atol=1e-12)
    s, ts = opt.state[w], topt.state[tw]
    assert (s["func_evals"], s["n_iter"]) == (ts["func_evals"], ts["n_iter"])


def test_lbfgs_on_the_net_matches_torch_while_converging():
    kw = dict(lr=0.1, max_iter=20)
    ours, l_ours = run_tg(optim.LBFGS, kw, closure_mode=True)
    ref, l_ref = run_torch(torch.optim.LBFGS, kw, closure_mode=True)
    assert max_rel(ours, ref) <= RTOL


def test_clip_grad_norm_matches_torch():
    rng = np.random.default_rng(3)
    arrays = [rng.normal(size=(3, 4)), rng.normal(size=(5,))]
    for norm_type in (2.0, 1.0, 3.0, float("inf")):
        ps = [tg.Tensor(a, requires_grad=True, dtype=tg.float64) for a in arrays]
        tps = [torch.tensor(a, requires_grad=True) for a in arrays]
        for p, tp, a in zip(ps, tps, arrays):
            p.grad = tg.Tensor(a * 3, dtype=tg.float64)
            tp.grad = torch.tensor(a * 3)
        n = optim.clip_grad_norm_(ps, 1.5, norm_type=norm_type)
        tn = torch.nn.utils.clip_grad_norm_(tps, 1.5, norm_type=norm_type)
        assert float(n.item()) == pytest.approx(float(tn), rel=1e-12)
        for p, tp in zip(ps, tps):
            np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-12)
