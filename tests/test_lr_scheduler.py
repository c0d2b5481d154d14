"""Learning-rate schedules: torch's lr sequences (where torch is installed) and the formulas."""

import math

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import optim
from tinygrad_ru.optim import lr_scheduler as S

N = 40
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of:UserWarning")


def make_opt(cls=optim.SGD, groups=1, **kw):
    params = [{"params": [tg.Tensor(np.zeros(2), requires_grad=True)], "lr": 0.1 * (i + 1)} for i in range(groups)]
    return cls(params, **kw)


def lr_sequence(sched, opt, n=N, metric=None):
    seq = [[g["lr"] for g in opt.param_groups]]
    for i in range(n):
        if metric is None:
            sched.step()
        else:
            sched.step(metric(i))
        seq.append([g["lr"] for g in opt.param_groups])
    return np.array(seq)


def test_inverse_time_formula():
    opt = make_opt()
    seq = lr_sequence(S.InverseTimeLR(opt, decay_rate=0.5), opt)[:, 0]
    np.testing.assert_allclose(seq, [0.1 / (1 + 0.5 * t) for t in range(N + 1)], rtol=1e-15)


def test_cosine_closed_form_within_period():
    opt = make_opt()
    seq = lr_sequence(S.CosineAnnealingLR(opt, T_max=10, eta_min=0.01), opt, n=10)[:, 0]
    np.testing.assert_allclose(seq, [0.01 + 0.09 * (1 + math.cos(math.pi * t / 10)) / 2 for t in range(11)],
                               rtol=1e-12)


def test_steplr_and_triangular_by_hand():
    opt = make_opt()
    seq = lr_sequence(S.StepLR(opt, step_size=3, gamma=0.5), opt, n=7)[:, 0]
    np.testing.assert_allclose(seq, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025])
    opt = make_opt()
    seq = lr_sequence(S.CyclicLR(opt, 0.1, 0.5, step_size_up=2, mode="triangular2", cycle_momentum=False),
                      opt, n=8)[:, 0]
    np.testing.assert_allclose(seq, [0.1, 0.3, 0.5, 0.3, 0.1, 0.2, 0.3, 0.2, 0.1])


def test_cyclic_momentum_needs_momentum_option():
    with pytest.raises(ValueError, match="momentum"):
        S.CyclicLR(make_opt(optim.Adagrad), 0.1, 1.0)


def test_scheduler_state_dict_roundtrip():
    opt = make_opt()
    s = S.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
    for _ in range(5):
        s.step()
    sd = s.state_dict()
    assert "optimizer" not in sd
    opt2 = make_opt()
    opt2.param_groups[0]["initial_lr"] = 0.1
    s2 = S.CosineAnnealingWarmRestarts(opt2, T_0=3, T_mult=2)
    s2.load_state_dict(sd)
    s.step()
    s2.step()
    assert s.get_last_lr() == s2.get_last_lr()


# ----------------------------------------------------------------------------- against torch
def _torch_factory():
    return [
        ("LambdaLR", lambda m, o: m.LambdaLR(o, lambda t: 0.95**t + 0.01 * t)),
        ("MultiplicativeLR", lambda m, o: m.MultiplicativeLR(o, lambda t: 0.97)),
        ("StepLR", lambda m, o: m.StepLR(o, step_size=7, gamma=0.3)),
        ("MultiStepLR", lambda m, o: m.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.5)),
        ("ConstantLR", lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=6)),
        ("ExponentialLR", lambda m, o: m.ExponentialLR(o, gamma=0.93)),
        ("LinearLR", lambda m, o: m.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=15)),
        ("PolynomialLR", lambda m, o: m.PolynomialLR(o, total_iters=25, power=2.0)),
        ("CosineAnnealingLR", lambda m, o: m.CosineAnnealingLR(o, T_max=9, eta_min=0.001)),
        ("CosineAnnealingWarmRestarts", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.01)),
        ("CyclicLR-triangular", lambda m, o: m.CyclicLR(o, 0.01, 0.2, step_size_up=4, step_size_down=6)),
        ("CyclicLR-triangular2", lambda m, o: m.CyclicLR(o, [0.01, 0.02], 0.2, step_size_up=3, mode="triangular2")),
        ("CyclicLR-exp_range", lambda m, o: m.CyclicLR(o, 0.01, 0.2, step_size_up=5, mode="exp_range", gamma=0.97)),
        ("OneCycleLR", lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=N + 1)),
        ("OneCycleLR-3phase-linear", lambda m, o: m.OneCycleLR(o, max_lr=[1.0, 0.5], epochs=7, steps_per_epoch=6,
                                                               anneal_strategy="linear", three_phase=True)),
        ("SequentialLR", lambda m, o: m.SequentialLR(o, [m.LinearLR(o, 0.1, total_iters=5),
                                                         m.ExponentialLR(o, 0.9),
                                                         m.CosineAnnealingLR(o, T_max=8)], milestones=[5, 20])),
    ]


@pytest.mark.parametrize("name,factory", _torch_factory(), ids=[n for n, _ in _torch_factory()])
def test_matches_torch(name, factory):
    torch = pytest.importorskip("torch")
    opt = make_opt(groups=2, momentum=0.9)
    ours = lr_sequence(factory(S, opt), opt)
    tparams = [{"params": [torch.zeros(2, requires_grad=True)], "lr": 0.1 * (i + 1)} for i in range(2)]
    topt = torch.optim.SGD(tparams, momentum=0.9)
    theirs = lr_sequence(factory(torch.optim.lr_scheduler, topt), topt)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    if "Cyclic" in name or "OneCycle" in name:  # momentum is cycled too
        assert [g["momentum"] for g in opt.param_groups] == pytest.approx([g["momentum"] for g in topt.param_groups])


def test_cyclic_beta1_matches_torch():
    torch = pytest.importorskip("torch")
    opt = optim.Adam([tg.Tensor(np.zeros(2), requires_grad=True)])
    topt = torch.optim.Adam([torch.zeros(2, requires_grad=True)])
    s = S.OneCycleLR(opt, max_lr=0.01, total_steps=20)
    ts = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.01, total_steps=20)
    for _ in range(15):
        s.step()
        ts.step()
        assert opt.param_groups[0]["betas"] == pytest.approx(topt.param_groups[0]["betas"])
        assert s.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)


def test_reduce_on_plateau_matches_torch():
    torch = pytest.importorskip("torch")
    losses = [1.0, 0.9, 0.9, 0.91, 0.95, 0.9, 0.89, 0.89, 0.89, 0.89, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75] * 3

    def run(mod, o, **kw):
        s = mod.ReduceLROnPlateau(o, **kw)
        return lr_sequence(s, o, n=len(losses), metric=lambda i: losses[i])

    for kw in [dict(patience=2), dict(patience=1, cooldown=2, factor=0.5, min_lr=0.02),
               dict(mode="max", patience=1, threshold=0.05, threshold_mode="abs")]:
        opt = make_opt(groups=2)
        topt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": 0.1 * (i + 1)}
                                for i in range(2)])
        np.testing.assert_allclose(run(S, opt, **kw), run(torch.optim.lr_scheduler, topt, **kw), rtol=1e-12)


def test_step_with_epoch_uses_closed_form_like_torch():
    torch = pytest.importorskip("torch")
    opt = make_opt()
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    s, ts = S.StepLR(opt, 3, 0.5), torch.optim.lr_scheduler.StepLR(topt, 3, 0.5)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for e in [4, 9, 2]:
            s.step(e)
            ts.step(e)
            assert s.get_last_lr() == pytest.approx(ts.get_last_lr())
