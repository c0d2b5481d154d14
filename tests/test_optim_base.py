"""Optimizer base behaviour: groups, validation, state_dict resume, skipping, clipping, weight decay,
the lectures' forms, dtypes."""

import copy

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import optim

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 3))
Y = RNG.normal(size=(12,))


def quad_problem(dtype=tg.float64, w0=None):
    w = tg.Tensor(np.ones(3) if w0 is None else w0.copy(), requires_grad=True, dtype=dtype)
    x, y = tg.Tensor(X, dtype=dtype), tg.Tensor(Y, dtype=dtype)

    def loss_fn():
        r = x @ w - y
        return (r * r).mean()

    return w, loss_fn


def train(opt, w, loss_fn, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
    return w.data.copy()


ALL = [
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)), (optim.Adagrad, dict(lr=0.1)),
    (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5)), (optim.Adadelta, {}),
    (optim.Adam, dict(lr=0.05, amsgrad=True)), (optim.AdamW, dict(lr=0.05)), (optim.Adamax, {}),
    (optim.NAdam, {}), (optim.RAdam, {}), (optim.SignSGD, dict(lr=0.01, momentum=0.9)), (optim.Lion, {}),
    (optim.SGDBB, dict(lr=0.05)), (optim.Rprop, dict(lr=0.05)), (optim.ASGD, dict(lr=0.05, t0=3)),
]


@pytest.mark.parametrize("cls,kw", ALL, ids=[c.__name__ for c, _ in ALL])
def test_state_dict_resume_is_bit_identical(cls, kw):
    w, loss_fn = quad_problem()
    opt = cls([w], **kw)
    train(opt, w, loss_fn, 7)
    sd = opt.state_dict()
    w_saved = w.data.copy()
    ref = train(opt, w, loss_fn, 8)
    # the state dict holds copies: training on did not change it
    w2, loss_fn2 = quad_problem(w0=w_saved)
    opt2 = cls([w2], **kw)
    opt2.load_state_dict(copy.deepcopy(sd))
    assert np.array_equal(train(opt2, w2, loss_fn2, 8), ref)


def test_lbfgs_state_dict_resume():
    w, loss_fn = quad_problem()
    opt = optim.LBFGS([w], max_iter=3, history_size=3)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    opt.step(closure)
    sd, w_saved = opt.state_dict(), w.data.copy()
    opt.step(closure)
    w2, loss_fn2 = quad_problem(w0=w_saved)
    opt2 = optim.LBFGS([w2], max_iter=3, history_size=3)
    opt2.load_state_dict(sd)

    def closure2():
        opt2.zero_grad()
        loss = loss_fn2()
        loss.backward()
        return loss

    opt2.step(closure2)
    assert np.array_equal(w2.data, w.data)


def test_param_groups_and_skipping():
    a = tg.Tensor(np.ones(2), requires_grad=True)
    b = tg.Tensor(np.ones(2), requires_grad=True)
    c = tg.Tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1, momentum=0.5)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 1.0
    assert opt.param_groups[1]["momentum"] == 0.5
    opt.add_param_group({"params": c, "lr": 0.01})
    a.grad = tg.Tensor(np.ones(2))
    c.grad = tg.Tensor(np.ones(2))
    opt.step()                            # b has no grad: skipped, no state
    np.testing.assert_allclose(a.data, 0.9)
    np.testing.assert_allclose(b.data, 1.0)
    np.testing.assert_allclose(c.data, 0.99)
    assert b not in opt.state and a in opt.state
    with pytest.raises(ValueError, match="more than one"):
        opt.add_param_group({"params": [a]})
    opt.zero_grad(set_to_none=False)
    assert np.all(a.grad.data == 0)
    opt.zero_grad()
    assert a.grad is None
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1], [2]]


def test_bad_inputs():
    w = tg.Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError):
        optim.SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([], lr=0.1)


@pytest.mark.parametrize("cls,kw,what", [
    (optim.SGD, dict(lr=-1), "learning rate"),
    (optim.SGD, dict(lr=0.1, momentum=-0.1), "momentum"),
    (optim.SGD, dict(lr=0.1, weight_decay=-1), "weight_decay"),
    (optim.SGD, dict(lr=0.1, nesterov=True), "Nesterov"),
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov"),
    (optim.Adam, dict(betas=(1.0, 0.999)), "beta parameter at index 0"),
    (optim.Adam, dict(betas=(0.9, -0.1)), "beta parameter at index 1"),
    (optim.Adam, dict(eps=0.0), "epsilon"),
    (optim.AdamW, dict(eps=-1e-8), "epsilon"),
    (optim.Adagrad, dict(lr_decay=-1), "lr_decay"),
    (optim.Adagrad, dict(initial_accumulator_value=-1), "initial_accumulator_value"),
    (optim.RMSprop, dict(alpha=-0.5), "alpha"),
    (optim.Adadelta, dict(rho=1.5), "rho"),
    (optim.NAdam, dict(momentum_decay=-1), "momentum_decay"),
    (optim.Lion, dict(betas=(0.9, 1.0)), "beta"),
    (optim.SignSGD, dict(momentum=1.0), "momentum"),
    (optim.SGDBB, dict(beta=0.0), "beta"),
    (optim.LBFGS, dict(line_search_fn="armijo"), "line_search_fn"),
    (optim.LBFGS, dict(history_size=0), "history_size"),
    (optim.NewtonCG, dict(damping=-1), "damping"),
])
def test_invalid_hyperparameters_raise(cls, kw, what):
    with pytest.raises(ValueError) as e:
        cls([tg.Tensor(np.ones(2), requires_grad=True)], **kw)
    assert what in str(e.value) and cls.__name__ in str(e.value)


def test_float32_stays_float32():
    for cls, kw in ALL + [(optim.LBFGS, {})]:
        w, loss_fn = quad_problem(dtype=tg.float32)
        opt = cls([w], **kw)
        if cls is optim.LBFGS:
            def closure(opt=opt, loss_fn=loss_fn):
                opt.zero_grad()
                loss = loss_fn()
                loss.backward()
                return loss
            opt.step(closure)
        else:
            train(opt, w, loss_fn, 3)
        assert w.data.dtype == np.float32, cls.__name__
        for v in opt.state[w].values():
            if isinstance(v, np.ndarray):
                assert v.dtype == np.float32, (cls.__name__, v.dtype)


def test_closure_runs_with_grad_enabled_inside_no_grad():
    w, loss_fn = quad_problem()
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    with tg.no_grad():
        loss = opt.step(closure)
    assert loss is not None and w.grad is not None


# ----------------------------------------------------------------------------- weight decay
def test_coupled_l2_and_decoupled_coincide_for_sgd_differ_for_adam():
    lam, lr = 0.1, 0.05
    # SGD: coupled λ  ==  an explicit decay θ ← θ(1 − ηλ) followed by the plain step
    w1, f1 = quad_problem()
    w2, f2 = quad_problem()
    opt1 = optim.SGD([w1], lr=lr, weight_decay=lam)
    opt2 = optim.SGD([w2], lr=lr)
    for _ in range(10):
        opt1.zero_grad()
        f1().backward()
        opt1.step()
        opt2.zero_grad()
        f2().backward()
        w2.data *= 1 - lr * lam
        opt2.step()
    np.testing.assert_allclose(w1.data, w2.data, rtol=1e-12)
    # Adam: coupled L2 (Adam(weight_decay)) vs decoupled (AdamW) give different iterates
    w3, f3 = quad_problem()
    w4, f4 = quad_problem()
    a = train(optim.Adam([w3], lr=lr, weight_decay=lam), w3, f3, 10)
    b = train(optim.AdamW([w4], lr=lr, weight_decay=lam), w4, f4, 10)
    assert np.max(np.abs(a - b)) > 1e-3


# ----------------------------------------------------------------------------- lecture forms
def test_lecture_momentum_coincides_with_constant_lr_and_differs_after_lr_change():
    w1, f1 = quad_problem()
    w2, f2 = quad_problem()
    o1 = optim.SGD([w1], lr=0.05, momentum=0.9)
    o2 = optim.SGD([w2], lr=0.05, momentum=0.9, lecture_form=True)
    a, b = train(o1, w1, f1, 10), train(o2, w2, f2, 10)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    for o in (o1, o2):
        o.param_groups[0]["lr"] = 0.01
    a, b = train(o1, w1, f1, 3), train(o2, w2, f2, 3)
    assert np.max(np.abs(a - b)) > 1e-4


def test_lecture_nesterov_lookahead_points_are_torch_nesterov_iterates():
    """v = γv + η∇f(θ − γv), θ ← θ − v: the look-ahead points θ − γv follow PyTorch's Nesterov."""
    gamma = 0.9
    w1, f1 = quad_problem()
    w2, f2 = quad_problem()
    o1 = optim.SGD([w1], lr=0.02, momentum=gamma, nesterov=True)
    o2 = optim.SGD([w2], lr=0.02, momentum=gamma, nesterov=True, lecture_form=True)

    def closure():
        o2.zero_grad()
        loss = f2()
        loss.backward()
        return loss

    with pytest.raises(ValueError, match="closure"):
        o2.step()
    for _ in range(15):
        train(o1, w1, f1, 1)
        o2.step(closure)
        lookahead = w2.data - gamma * o2.state[w2]["momentum_buffer"]
        np.testing.assert_allclose(lookahead, w1.data, rtol=1e-10)
    assert np.max(np.abs(w2.data - w1.data)) > 1e-4      # the parameters themselves differ


@pytest.mark.parametrize("cls", [optim.Adam, optim.RMSprop, optim.Adagrad])
def test_eps_inside_sqrt_agrees_for_large_gradients_not_for_tiny(cls):
    def run(scale, inside):
        w = tg.Tensor(np.ones(3), requires_grad=True, dtype=tg.float64)
        opt = cls([w], lr=0.01, eps=1e-8, eps_inside_sqrt=inside)
        for g in np.linspace(0.5, 1.5, 15).reshape(5, 3):
            w.grad = tg.Tensor(g * scale, dtype=tg.float64)
            opt.step()
        return w.data - 1

    big_out, big_in = run(1.0, False), run(1.0, True)
    np.testing.assert_allclose(big_out, big_in, rtol=1e-6)          # ε ≪ v: same steps
    tiny_out, tiny_in = run(1e-5, False), run(1e-5, True)           # v ~ 1e-10 < ε: ε inside dominates
    assert np.max(np.abs(tiny_out - tiny_in) / np.abs(tiny_out)) > 0.5


# ----------------------------------------------------------------------------- clipping
def test_clip_grad_norm_and_value():
    a = tg.Tensor(np.zeros(2), requires_grad=True, dtype=tg.float64)
    b = tg.Tensor(np.zeros(1), requires_grad=True, dtype=tg.float64)
    a.grad = tg.Tensor(np.array([3.0, 0.0]), dtype=tg.float64)
    b.grad = tg.Tensor(np.array([4.0]), dtype=tg.float64)
    total = optim.clip_grad_norm_([a, b], max_norm=1.0)
    assert float(total.item()) == pytest.approx(5.0)
    np.testing.assert_allclose(np.concatenate([a.grad.data, b.grad.data]), np.array([3, 0, 4]) / (5 + 1e-6))
    total = optim.clip_grad_norm_([a, b], max_norm=10.0)            # below the max: unchanged
    np.testing.assert_allclose(np.linalg.norm(np.concatenate([a.grad.data, b.grad.data])), 5 / (5 + 1e-6))
    a.grad = tg.Tensor(np.array([3.0, -7.0]), dtype=tg.float64)
    optim.clip_grad_value_(a, 2.5)
    np.testing.assert_allclose(a.grad.data, [2.5, -2.5])
    a.grad = tg.Tensor(np.array([np.inf, 1.0]), dtype=tg.float64)
    with pytest.raises(RuntimeError, match="non-finite"):
        optim.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
