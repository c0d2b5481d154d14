"""The course's own methods converge to the known optimum of convex problems.

Problems: the quadratic f(x) = ½xᵀAx − bᵀx (optimum A⁻¹b, condition number 10) and
L2-regularised logistic regression (optimum computed here by Newton's method in NumPy).
"""

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import optim

RNG = np.random.default_rng(0)
A = np.diag([1.0, 2.0, 5.0, 10.0])
Q, _ = np.linalg.qr(RNG.normal(size=(4, 4)))
A = Q @ A @ Q.T
B = RNG.normal(size=4)
X_STAR = np.linalg.solve(A, B)

N, D, LAM = 200, 5, 1e-2
XL = RNG.normal(size=(N, D))
YL = (XL @ RNG.normal(size=D) + 0.5 * RNG.normal(size=N) > 0).astype(float)


def _logreg_optimum():
    w = np.zeros(D)
    for _ in range(50):
        p = 1 / (1 + np.exp(-XL @ w))
        g = XL.T @ (p - YL) / N + LAM * w
        H = XL.T @ (XL * (p * (1 - p))[:, None]) / N + LAM * np.eye(D)
        w -= np.linalg.solve(H, g)
    return w


W_STAR = _logreg_optimum()


def quad_closure(x, opt):
    At, bt = tg.Tensor(A, dtype=tg.float64), tg.Tensor(B, dtype=tg.float64)

    def loss():
        return 0.5 * (x * (At @ x)).sum() - (bt * x).sum()

    def closure():
        opt.zero_grad()
        value = loss()
        value.backward()
        return value

    return loss, closure


def logreg_loss(w, idx=None):
    x = tg.Tensor(XL if idx is None else XL[idx], dtype=tg.float64)
    y = tg.Tensor(YL if idx is None else YL[idx], dtype=tg.float64)
    z = x @ w
    # log(1 + e^z) − y z, written stably enough for |z| < 30
    return ((1 + z.exp()).log() - y * z).mean() + 0.5 * LAM * (w * w).sum()


def test_accelerated_gd_quadratic():
    x = tg.Tensor(np.zeros(4), requires_grad=True, dtype=tg.float64)
    opt = optim.AcceleratedGD([x], lr=1 / 10)
    _, closure = quad_closure(x, opt)
    for _ in range(200):
        opt.step(closure)
    assert np.linalg.norm(x.data - X_STAR) < 1e-6


def test_accelerated_beats_plain_gd_in_few_steps():
    f_star = -0.5 * B @ X_STAR
    res = {}
    for cls in (optim.AcceleratedGD, optim.GD):
        x = tg.Tensor(np.zeros(4), requires_grad=True, dtype=tg.float64)
        opt = cls([x], lr=1 / 10)
        loss, closure = quad_closure(x, opt)
        for _ in range(30):
            opt.step(closure)
        res[cls.__name__] = float(loss().item()) - f_star
    assert res["AcceleratedGD"] < 0.1 * res["GD"]


def test_sign_sgd_and_signum_reach_a_neighbourhood():
    for momentum in (0.0, 0.9):
        x = tg.Tensor(np.zeros(4), requires_grad=True, dtype=tg.float64)
        opt = optim.SignSGD([x], lr=0.05, momentum=momentum)
        sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.98)
        _, closure = quad_closure(x, opt)
        for _ in range(400):
            opt.step(closure)
            sched.step()
        assert np.max(np.abs(x.data - X_STAR)) < 1e-3, momentum


def test_lion_reaches_a_neighbourhood():
    x = tg.Tensor(np.zeros(4), requires_grad=True, dtype=tg.float64)
    opt = optim.Lion([x], lr=0.05)
    sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.99)
    _, closure = quad_closure(x, opt)
    for _ in range(1000):
        opt.step(closure)
        sched.step()
    assert np.max(np.abs(x.data - X_STAR)) < 1e-3


def test_newton_cg_logistic_regression():
    w = tg.Tensor(np.zeros(D), requires_grad=True, dtype=tg.float64)
    opt = optim.NewtonCG([w], damping=1e-6, cg_max_iter=D)
    for _ in range(8):
        opt.step(lambda: logreg_loss(w))
    assert np.linalg.norm(w.data - W_STAR) < 1e-8


# consistent least squares y = X w_true (zero gradient noise at the optimum, condition number ~3)
XS = RNG.normal(size=(N, D)) * np.array([1, 1, 1.5, 0.7, 1.2])
W_TRUE = RNG.normal(size=D)
YS = XS @ W_TRUE


def lsq_loss(w, idx):
    r = tg.Tensor(XS[idx], dtype=tg.float64) @ w - tg.Tensor(YS[idx], dtype=tg.float64)
    return 0.5 * (r * r).mean()


@pytest.mark.parametrize("beta", [None, 0.2])
def test_sgdbb_least_squares(beta):
    rng = np.random.default_rng(1)
    w = tg.Tensor(np.zeros(D), requires_grad=True, dtype=tg.float64)
    opt = optim.SGDBB([w], lr=0.05, beta=beta)
    lrs = []
    for _ in range(30):
        for idx in np.array_split(rng.permutation(N), 20):
            opt.zero_grad()
            lsq_loss(w, idx).backward()
            opt.step()
        lrs.append(opt.epoch_end()[0])
    assert lrs[0] == 0.05 and lrs[1] != 0.05          # BB takes over after two epochs
    assert np.linalg.norm(w.data - W_TRUE) < 1e-6


def _overlapping_batches(rng, n_steps, batch=50, overlap=20):
    perm = rng.permutation(N)
    start = 0
    for _ in range(n_steps):
        idx = np.take(perm, np.arange(start, start + batch), mode="wrap")
        yield idx, idx[batch - overlap:]       # the next batch starts with these
        start += batch - overlap


def _closures(opt, loss_fn, w, idx, ov):
    def closure():
        opt.zero_grad()
        loss = loss_fn(w, idx)
        loss.backward()
        return loss

    def overlap_closure():
        opt.zero_grad()
        loss = loss_fn(w, ov)
        loss.backward()
        return loss

    return closure, overlap_closure


def test_multibatch_lbfgs_least_squares():
    rng = np.random.default_rng(2)
    w = tg.Tensor(np.zeros(D), requires_grad=True, dtype=tg.float64)
    opt = optim.MultiBatchLBFGS([w], lr=1.0, history_size=5)
    for idx, ov in _overlapping_batches(rng, 40):
        opt.step(*_closures(opt, lsq_loss, w, idx, ov))
    assert np.linalg.norm(w.data - W_TRUE) < 1e-8


def test_multibatch_lbfgs_logistic_regression():
    """Stochastic gradients: a decaying step (ExponentialLR) brings it into the optimum's neighbourhood."""
    rng = np.random.default_rng(2)
    w = tg.Tensor(np.zeros(D), requires_grad=True, dtype=tg.float64)
    opt = optim.MultiBatchLBFGS([w], lr=1.0, history_size=5)
    sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.97)
    for idx, ov in _overlapping_batches(rng, 100):
        opt.step(*_closures(opt, logreg_loss, w, idx, ov))
        sched.step()
    assert np.linalg.norm(w.data - W_STAR) < 0.1 * np.linalg.norm(W_STAR)


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_logistic_regression(line_search):
    w = tg.Tensor(np.zeros(D), requires_grad=True, dtype=tg.float64)
    opt = optim.LBFGS([w], line_search_fn=line_search, tolerance_grad=1e-10, tolerance_change=1e-14)

    def closure():
        opt.zero_grad()
        loss = logreg_loss(w)
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    assert np.linalg.norm(w.data - W_STAR) < 1e-6
