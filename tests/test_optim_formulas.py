"""Every optimizer, step by step, against its formula written out by hand in NumPy.

The gradients are fed directly (``p.grad = ...``) from a fixed random sequence, so the test
checks the update rule alone; the reference implementations below are the docstrings' formulas.
"""

import math

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import optim

STEPS = 12
RNG = np.random.default_rng(0)
THETA0 = RNG.normal(size=(3, 2))
GRADS = [RNG.normal(size=(3, 2)) for _ in range(STEPS)]


def run(cls, grads=GRADS, theta0=THETA0, **kw):
    p = tg.Tensor(theta0.copy(), requires_grad=True, dtype=tg.float64)
    opt = cls([p], **kw)
    out = []
    for g in grads:
        p.grad = tg.Tensor(g.copy(), dtype=tg.float64)
        opt.step()
        out.append(p.data.copy())
    return out


def check(ours, ref, rtol=1e-12):
    assert len(ours) == len(ref)
    for t, (a, b) in enumerate(zip(ours, ref)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-14, err_msg=f"step {t + 1}")


# ----------------------------------------------------------------------------- references
def ref_sgd(lr, momentum=0.0, dampening=0.0, wd=0.0, nesterov=False, maximize=False):
    th, buf, out = THETA0.copy(), None, []
    for g in GRADS:
        g = (-g if maximize else g) + wd * th
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        th = th - lr * g
        out.append(th)
    return out


def ref_adagrad(lr, lr_decay=0.0, wd=0.0, init=0.0, eps=1e-10, inside=False):
    th, G, out = THETA0.copy(), np.full_like(THETA0, init), []
    for t, g in enumerate(GRADS, 1):
        g = g + wd * th
        G = G + g * g
        denom = np.sqrt(G + eps) if inside else np.sqrt(G) + eps
        th = th - lr / (1 + (t - 1) * lr_decay) * g / denom
        out.append(th)
    return out


def ref_rmsprop(lr, alpha=0.99, eps=1e-8, wd=0.0, momentum=0.0, centered=False, inside=False):
    th, v, gbar, b, out = THETA0.copy(), 0 * THETA0, 0 * THETA0, 0 * THETA0, []
    for g in GRADS:
        g = g + wd * th
        v = alpha * v + (1 - alpha) * g**2
        vt = v
        if centered:
            gbar = alpha * gbar + (1 - alpha) * g
            vt = v - gbar**2
        denom = np.sqrt(vt + eps) if inside else np.sqrt(vt) + eps
        if momentum:
            b = momentum * b + g / denom
            th = th - lr * b
        else:
            th = th - lr * g / denom
        out.append(th)
    return out


def ref_adadelta(lr=1.0, rho=0.9, eps=1e-6, wd=0.0):
    th, v, u, out = THETA0.copy(), 0 * THETA0, 0 * THETA0, []
    for g in GRADS:
        g = g + wd * th
        v = rho * v + (1 - rho) * g**2
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        th = th - lr * delta
        out.append(th)
    return out


def ref_adam(lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, amsgrad=False, decoupled=False, inside=False,
             maximize=False):
    th, m, v, vmax, out = THETA0.copy(), 0 * THETA0, 0 * THETA0, 0 * THETA0, []
    for t, g in enumerate(GRADS, 1):
        g = -g if maximize else g
        if decoupled:
            th = th * (1 - lr * wd)
        else:
            g = g + wd * th
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        vmax = np.maximum(vmax, v)
        mhat = m / (1 - b1**t)
        vhat = (vmax if amsgrad else v) / (1 - b2**t)
        th = th - lr * mhat / (np.sqrt(vhat + eps) if inside else np.sqrt(vhat) + eps)
        out.append(th)
    return out


def ref_adamax(lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    th, m, u, out = THETA0.copy(), 0 * THETA0, 0 * THETA0, []
    for t, g in enumerate(GRADS, 1):
        g = g + wd * th
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        th = th - lr / (1 - b1**t) * m / u
        out.append(th)
    return out


def ref_nadam(lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, psi=4e-3, decoupled=False):
    th, m, v, prod, out = THETA0.copy(), 0 * THETA0, 0 * THETA0, 1.0, []
    for t, g in enumerate(GRADS, 1):
        if decoupled:
            th = th * (1 - lr * wd)
        else:
            g = g + wd * th
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod *= mu
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        denom = np.sqrt(v / (1 - b2**t)) + eps
        th = th - lr * (1 - mu) / (1 - prod) * g / denom - lr * mu_next / (1 - prod * mu_next) * m / denom
        out.append(th)
    return out


def ref_radam(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    th, m, v, out = THETA0.copy(), 0 * THETA0, 0 * THETA0, []
    rho_inf = 2 / (1 - b2) - 1
    for t, g in enumerate(GRADS, 1):
        g = g + wd * th
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        mhat = m / (1 - b1**t)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            th = th - lr * mhat * r * math.sqrt(1 - b2**t) / (np.sqrt(v) + eps)
        else:
            th = th - lr * mhat
        out.append(th)
    return out


def ref_sign(lr, beta=0.0, wd=0.0):
    th, m, out = THETA0.copy(), 0 * THETA0, []
    for g in GRADS:
        g = g + wd * th
        if beta:
            m = beta * m + (1 - beta) * g
            g = m
        th = th - lr * np.sign(g)
        out.append(th)
    return out


def ref_lion(lr=1e-4, b1=0.9, b2=0.99, wd=0.0):
    th, m, out = THETA0.copy(), 0 * THETA0, []
    for g in GRADS:
        c = b1 * m + (1 - b1) * g
        th = th * (1 - lr * wd) - lr * np.sign(c)
        m = b2 * m + (1 - b2) * g
        out.append(th)
    return out


CASES = [
    ("SGD plain", optim.SGD, dict(lr=0.1), lambda: ref_sgd(0.1)),
    ("GD", optim.GD, dict(lr=0.1, weight_decay=0.01), lambda: ref_sgd(0.1, wd=0.01)),
    ("SGD momentum", optim.SGD, dict(lr=0.1, momentum=0.9), lambda: ref_sgd(0.1, 0.9)),
    ("SGD dampening wd", optim.SGD, dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1),
     lambda: ref_sgd(0.05, 0.8, 0.3, 0.1)),
    ("SGD nesterov maximize", optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True),
     lambda: ref_sgd(0.1, 0.9, nesterov=True, maximize=True)),
    ("Adagrad", optim.Adagrad, dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2),
     lambda: ref_adagrad(0.1, 0.05, 0.1, 0.2)),
    ("Adagrad eps inside", optim.Adagrad, dict(lr=0.1, eps=1e-3, eps_inside_sqrt=True),
     lambda: ref_adagrad(0.1, eps=1e-3, inside=True)),
    ("RMSprop", optim.RMSprop, dict(lr=0.01), lambda: ref_rmsprop(0.01)),
    ("RMSprop centered momentum wd", optim.RMSprop,
     dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1),
     lambda: ref_rmsprop(0.01, 0.9, momentum=0.5, centered=True, wd=0.1)),
    ("RMSprop eps inside", optim.RMSprop, dict(lr=0.01, eps=1e-2, eps_inside_sqrt=True),
     lambda: ref_rmsprop(0.01, eps=1e-2, inside=True)),
    ("Adadelta", optim.Adadelta, dict(weight_decay=0.1), lambda: ref_adadelta(wd=0.1)),
    ("Adam", optim.Adam, dict(lr=0.01), lambda: ref_adam(0.01)),
    ("Adam amsgrad wd maximize", optim.Adam, dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True),
     lambda: ref_adam(0.01, amsgrad=True, wd=0.1, maximize=True)),
    ("Adam eps inside", optim.Adam, dict(lr=0.01, eps=1e-3, eps_inside_sqrt=True),
     lambda: ref_adam(0.01, eps=1e-3, inside=True)),
    ("AdamW", optim.AdamW, dict(lr=0.01, weight_decay=0.1), lambda: ref_adam(0.01, wd=0.1, decoupled=True)),
    ("Adamax", optim.Adamax, dict(weight_decay=0.1), lambda: ref_adamax(wd=0.1)),
    ("NAdam", optim.NAdam, dict(weight_decay=0.1), lambda: ref_nadam(wd=0.1)),
    ("NAdamW", optim.NAdam, dict(weight_decay=0.1, decoupled_weight_decay=True),
     lambda: ref_nadam(wd=0.1, decoupled=True)),
    ("RAdam", optim.RAdam, dict(lr=0.01, weight_decay=0.1), lambda: ref_radam(0.01, wd=0.1)),
    ("SignSGD", optim.SignSGD, dict(lr=0.01, weight_decay=0.1), lambda: ref_sign(0.01, wd=0.1)),
    ("Signum", optim.SignSGD, dict(lr=0.01, momentum=0.9), lambda: ref_sign(0.01, beta=0.9)),
    ("Lion", optim.Lion, dict(lr=0.01, weight_decay=0.5), lambda: ref_lion(0.01, wd=0.5)),
]


@pytest.mark.parametrize("name,cls,kw,ref", CASES, ids=[c[0] for c in CASES])
def test_steps_match_formula(name, cls, kw, ref):
    check(run(cls, **kw), ref())


def test_radam_uses_both_branches():
    # rho_t > 5 first happens at t = 6 for beta2 = 0.999: the test above covers both branches
    b2 = 0.999
    rho_inf = 2 / (1 - b2) - 1
    rho = [rho_inf - 2 * t * b2**t / (1 - b2**t) for t in range(1, STEPS + 1)]
    assert rho[0] <= 5 < rho[-1]


def test_sgdbb_steps_and_bb_rule():
    """SGD steps inside an epoch with the running average; after two epochs η = ‖s‖²/|sᵀy|, s = Δθ/T."""
    lr, beta, T = 0.05, 0.3, 4
    p = tg.Tensor(THETA0.copy(), requires_grad=True, dtype=tg.float64)
    opt = optim.SGDBB([p], lr=lr, beta=beta)
    th, avg, eta = THETA0.copy(), None, lr
    ends, avgs = [THETA0.copy()], []
    for k in range(3):
        for t in range(T):
            g = GRADS[k * T + t]
            p.grad = tg.Tensor(g.copy(), dtype=tg.float64)
            opt.step()
            avg = g.copy() if avg is None else (1 - beta) * avg + beta * g
            th = th - eta * g
            np.testing.assert_allclose(p.data, th, rtol=1e-12)
        new = opt.epoch_end()
        ends.append(th.copy())
        avgs.append(avg.copy())
        if k >= 1:
            s = (ends[-1] - ends[-2]) / T
            y = avgs[-1] - avgs[-2]
            eta = float((s * s).sum() / abs((s * y).sum()))
        assert new == [pytest.approx(eta, rel=1e-12)]


def test_accelerated_gd_formula():
    """x_{k+1} = y_k − η∇f(y_k), y_k = x_k + (k−1)/(k+2)(x_k − x_{k−1}) on f(x) = ½xᵀAx − bᵀx."""
    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    b = np.array([1.0, -2.0])
    eta = 0.2
    x = tg.Tensor(np.zeros(2), requires_grad=True, dtype=tg.float64)
    At, bt = tg.Tensor(A, dtype=tg.float64), tg.Tensor(b, dtype=tg.float64)
    opt = optim.AcceleratedGD([x], lr=eta)
    seen_y = []

    def closure():
        opt.zero_grad()
        seen_y.append(x.data.copy())
        loss = 0.5 * (x * (At @ x)).sum() - (bt * x).sum()
        loss.backward()
        return loss

    xk, xprev = np.zeros(2), np.zeros(2)
    for k in range(1, 10):
        y = xk + (k - 1) / (k + 2) * (xk - xprev)
        xprev, xk = xk, y - eta * (A @ y - b)
        opt.step(closure)
        np.testing.assert_allclose(seen_y[-1], y, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(x.data, xk, rtol=1e-12, atol=1e-15)


def test_multibatch_lbfgs_two_loop_equals_bfgs_matrix():
    """With history ≥ number of pairs, the two-loop direction equals −H g with H from the BFGS
    inverse update H⁺ = (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ, H₀ = (sᵀy/yᵀy)·I (latest pair)."""
    from tinygrad_ru.optim.lbfgs import two_loop_recursion

    rng = np.random.default_rng(1)
    n = 5
    M = rng.normal(size=(n, n))
    A = M @ M.T + n * np.eye(n)
    S = [rng.normal(size=n) for _ in range(3)]
    Y = [A @ s for s in S]
    g = rng.normal(size=n)
    h0 = (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1])
    H = h0 * np.eye(n)
    for s, y in zip(S, Y):
        rho = 1 / (y @ s)
        V = np.eye(n) - rho * np.outer(y, s)
        H = V.T @ H @ V + rho * np.outer(s, s)
    d = two_loop_recursion(g.copy(), S, Y, [1 / (y @ s) for s, y in zip(S, Y)], h0)
    np.testing.assert_allclose(d, -H @ g, rtol=1e-10)


def test_multibatch_lbfgs_pairs_from_overlap():
    """s = θ_{k+1} − θ_k and y = g_O(θ_{k+1}) − g_O(θ_k), where O is the overlap closure's data."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 3))
    yv = rng.normal(size=20)
    w = tg.Tensor(np.zeros(3), requires_grad=True, dtype=tg.float64)
    Xt, yt = tg.Tensor(X, dtype=tg.float64), tg.Tensor(yv, dtype=tg.float64)
    opt = optim.MultiBatchLBFGS([w], lr=0.1, history_size=5)
    batch, overlap = np.arange(0, 12), np.arange(8, 12)

    def grad_np(wv, idx):
        return X[idx].T @ (X[idx] @ wv - yv[idx]) / len(idx)

    def make(idx):
        def closure():
            opt.zero_grad()
            r = Xt[idx] @ w - yt[idx]
            loss = (r * r).sum() / (2 * len(idx))
            loss.backward()
            return loss
        return closure

    w0 = np.zeros(3)
    opt.step(make(batch), make(overlap))
    w1 = w0 - 0.1 * grad_np(w0, batch)          # first step: SGD
    np.testing.assert_allclose(w.data, w1, rtol=1e-12)
    st = opt.state[w]
    np.testing.assert_allclose(st["old_s"][0], w1 - w0, rtol=1e-12)
    np.testing.assert_allclose(st["old_y"][0], grad_np(w1, overlap) - grad_np(w0, overlap), rtol=1e-10)
    # second step uses H from that pair: H0 = sᵀy/yᵀy, one BFGS update
    s, y = st["old_s"][0], st["old_y"][0]
    g1 = grad_np(w1, batch)
    rho = 1 / (s @ y)
    V = np.eye(3) - rho * np.outer(y, s)
    H = V.T @ ((s @ y) / (y @ y) * np.eye(3)) @ V + rho * np.outer(s, s)
    opt.step(make(batch), make(overlap))
    np.testing.assert_allclose(w.data, w1 - 0.1 * H @ g1, rtol=1e-10)


def test_multibatch_lbfgs_skips_bad_curvature():
    w = tg.Tensor(np.array([1.0, 1.0]), requires_grad=True, dtype=tg.float64)
    opt = optim.MultiBatchLBFGS([w], lr=0.1)

    def concave():
        opt.zero_grad()
        loss = -(w * w).sum()     # sᵀy < 0 everywhere
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(concave)
    assert opt.state[w]["old_s"] == [] and opt.state[w]["skipped"] == 3


def test_newton_cg_hvp_and_step_on_quadratic():
    """On f = ½xᵀAx − bᵀx with λ = 0 and enough CG iterations, one step lands on A⁻¹b."""
    A = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]])
    b = np.array([1.0, 2.0, 3.0])
    x = tg.Tensor(np.zeros(3), requires_grad=True, dtype=tg.float64)
    At, bt = tg.Tensor(A, dtype=tg.float64), tg.Tensor(b, dtype=tg.float64)
    opt = optim.NewtonCG([x], damping=0.0, cg_max_iter=3)
    opt.step(lambda: 0.5 * (x * (At @ x)).sum() - (bt * x).sum())
    np.testing.assert_allclose(x.data, np.linalg.solve(A, b), rtol=1e-10)
    np.testing.assert_allclose(x.grad.data, -b)   # gradient at the old point x = 0
