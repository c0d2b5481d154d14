"""The training loop does not fail silently: NaN guard for every optimizer (closures too), gradient
norms for closure optimizers, empty loaders, hyper-parameters of the wrong type."""

from __future__ import annotations

import inspect
import numbers

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.optim as optim
from tinygrad_ru.data import DataLoader, TensorDataset
from tinygrad_ru.train import Callback, GradientNormRatio, fit


def blobs(n=64, seed=0, poison=False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.standard_normal((n, 2)) * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    if poison:
        x[:] = np.nan
    return TensorDataset(x.astype(np.float32), y.astype(np.int64))


def small_net():
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2), nn.LogSoftmax(dim=1))


CLOSURE_OPTIMIZERS = {
    "LBFGS": lambda p: optim.LBFGS(p, max_iter=3),
    "AcceleratedGD": lambda p: optim.AcceleratedGD(p, lr=0.1),
    "NewtonCG": lambda p: optim.NewtonCG(p, lr=0.5),
}


# ----------------------------------------------------------------------------- the NaN guard
@pytest.mark.parametrize("name", sorted(CLOSURE_OPTIMIZERS))
def test_nan_loss_stops_closure_optimizers_with_a_clear_error(name):
    model = small_net()
    opt = CLOSURE_OPTIMIZERS[name](model.parameters())
    loader = DataLoader(blobs(poison=True), batch_size=16)
    with pytest.raises(FloatingPointError, match=rf"loss became nan at step 1 \({name}\)"):
        fit(model, nn.NLLLoss(), opt, loader, epochs=1, progress=False)


def test_diverging_accelerated_gd_is_stopped_not_trained_to_nan():
    # least squares with a step far above 2/L: |θ| grows geometrically until the loss overflows
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 2)).astype(np.float32) * 2
    data = TensorDataset(x, (x @ np.array([[1.0], [-2.0]], np.float32)))
    tg.manual_seed(0)
    model = nn.Linear(2, 1)
    with pytest.raises(FloatingPointError, match=r"loss became (nan|inf) at step \d+ \(AcceleratedGD\); lower the lr"):
        fit(model, nn.MSELoss(), optim.AcceleratedGD(model.parameters(), lr=10.0),
            DataLoader(data, batch_size=16), epochs=100, progress=False)


def test_lbfgs_without_line_search_is_told_about_strong_wolfe():
    model = small_net()
    with pytest.raises(FloatingPointError, match="line_search_fn='strong_wolfe'"):
        fit(model, nn.NLLLoss(), optim.LBFGS(model.parameters(), max_iter=2),
            DataLoader(blobs(poison=True), batch_size=16), epochs=1, progress=False)


def test_plain_optimizer_guard_still_works():
    model = small_net()
    with pytest.raises(FloatingPointError, match=r"loss became nan at step 1 \(SGD\); lower the lr$"):
        fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1), DataLoader(blobs(poison=True), batch_size=16),
            progress=False)


@pytest.mark.parametrize("name", sorted(CLOSURE_OPTIMIZERS))
def test_closure_optimizers_train_finite_on_a_sane_problem(name):
    model = small_net()
    history = fit(model, nn.NLLLoss(), CLOSURE_OPTIMIZERS[name](model.parameters()),
                  DataLoader(blobs(n=128), batch_size=32, shuffle=True), epochs=2, progress=False)
    losses = [r["loss"] for r in history.iterations]
    assert all(np.isfinite(losses)) and history.epochs[-1]["train_loss"] < history.epochs[0]["train_loss"] * 1.5


# ----------------------------------------------------------------------------- gradient norms
class _Norms(Callback):
    needs_grad_norm = True

    def __init__(self):
        self.norms = []

    def on_batch_end(self, trainer, step, logs):
        self.norms.append(logs["grad_norm"])


def _norm_at(model, x, y) -> float:
    model.zero_grad()
    nn.NLLLoss()(model(x), y).backward()
    return float(np.sqrt(sum((p.grad.numpy().astype(np.float64) ** 2).sum() for p in model.parameters())))


@pytest.mark.parametrize("name", sorted(CLOSURE_OPTIMIZERS))
def test_grad_norm_is_logged_for_closure_optimizers_at_the_step_start(name):
    data = blobs(n=32)
    model = small_net()
    expected = _norm_at(model, tg.tensor(data.tensors[0]), tg.tensor(data.tensors[1]))
    model.zero_grad()
    probe = _Norms()
    fit(model, nn.NLLLoss(), CLOSURE_OPTIMIZERS[name](model.parameters()), DataLoader(data, batch_size=32),
        epochs=2, callbacks=[probe, GradientNormRatio(eps=1e-9)], progress=False)
    assert len(probe.norms) == 2 and all(np.isfinite(probe.norms))
    if name != "AcceleratedGD":  # AcceleratedGD's first gradient is taken at y_1 = x_1, the start, too
        assert probe.norms[0] == pytest.approx(expected, rel=1e-5)
    else:
        assert probe.norms[0] == pytest.approx(expected, rel=1e-5)


def test_gradient_norm_ratio_stops_lbfgs():
    model = small_net()
    history = fit(model, nn.NLLLoss(), optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe"),
                  DataLoader(blobs(n=64), batch_size=64), epochs=50,
                  callbacks=[GradientNormRatio(eps=0.05, smoothing=0.0)], progress=False)
    assert history.stop_reason is not None and "grad J" in history.stop_reason


def test_gradient_norm_ratio_without_a_logged_norm_says_so():
    cb = GradientNormRatio(eps=0.1)
    cb.on_train_begin(None)
    with pytest.raises(KeyError, match="no 'grad_norm'"):
        cb.on_batch_end(None, 1, {"loss": 1.0})


# ----------------------------------------------------------------------------- empty loaders
@pytest.mark.parametrize("loader", [[], DataLoader(TensorDataset(np.zeros((0, 2), np.float32),
                                                                 np.zeros(0, np.int64)), batch_size=4)],
                         ids=["list", "DataLoader"])
def test_fit_on_an_empty_loader_is_a_value_error(loader):
    model = small_net()
    with pytest.raises(ValueError, match="yielded no batches in epoch 1"):
        fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1), loader, progress=False)


# ----------------------------------------------------------------------------- hyper-parameter types
def _optimizer_classes():
    return [getattr(optim, n) for n in optim.__all__
            if isinstance(getattr(optim, n), type) and issubclass(getattr(optim, n), optim.Optimizer)
            and getattr(optim, n) is not optim.Optimizer]


def _numeric_arguments():
    cases = []
    for cls in _optimizer_classes():
        for name, param in inspect.signature(cls.__init__).parameters.items():
            d = param.default
            if (isinstance(d, numbers.Real) and not isinstance(d, bool)) or isinstance(d, tuple):
                cases.append((cls, name))
    return cases


@pytest.mark.parametrize("cls,arg", _numeric_arguments(), ids=lambda v: getattr(v, "__name__", v))
def test_a_string_hyper_parameter_is_a_type_error_naming_optimizer_and_option(cls, arg):
    w = tg.zeros(3, requires_grad=True)
    with pytest.raises(TypeError, match=rf"^{cls.__name__}: {arg} must be a (tuple of )?real number"):
        cls([w], **{arg: "0.1"})


def test_every_optimizer_has_numeric_options_checked():
    assert len(_optimizer_classes()) >= 17
    assert len(_numeric_arguments()) >= 50


def test_optional_and_group_options_are_checked_too():
    w = tg.zeros(3, requires_grad=True)
    with pytest.raises(TypeError, match="SGDBB: beta must be a real number or None, got str"):
        optim.SGDBB([w], beta="0.5")
    optim.SGDBB([w], beta=None)
    with pytest.raises(TypeError, match="LBFGS: max_eval must be a real number or None"):
        optim.LBFGS([w], max_eval="5")
    with pytest.raises(TypeError, match="SGD: lr must be a real number, got str '0.1'"):
        optim.SGD([{"params": [w], "lr": "0.1"}], lr=0.1)
    with pytest.raises(TypeError, match=r"Adam: betas must be a tuple of real numbers, got tuple \('0.9', 0.999\)"):
        optim.Adam([w], betas=("0.9", 0.999))
    optim.SGD([w], lr=np.float32(0.1), momentum=np.float64(0.9))  # NumPy scalars are numbers


def test_negative_lr_is_still_torch_s_value_error():
    torch = pytest.importorskip("torch")
    w = tg.zeros(3, requires_grad=True)
    with pytest.raises(ValueError, match="invalid learning rate: -0.1"):
        optim.SGD([w], lr=-0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        torch.optim.SGD([torch.zeros(3, requires_grad=True)], lr=-0.1)
    with pytest.raises(TypeError):  # torch: a bare comparison error; ours names the option
        torch.optim.SGD([torch.zeros(3, requires_grad=True)], lr="0.1")


# ----------------------------------------------------------------------------- the CLI
def _tiny_mnist(poison: bool):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    if poison:
        x[:] = np.nan
    y = rng.integers(0, 10, 64).astype(np.int64)
    return TensorDataset(x, y)


def test_cli_lbfgs_uses_a_line_search_and_reports_nan_clearly(monkeypatch, capsys):
    from tinygrad_ru import cli

    opt = cli.make_optimizer("lbfgs", [tg.zeros(2, requires_grad=True)])
    assert opt.param_groups[0]["line_search_fn"] == "strong_wolfe" and opt.param_groups[0]["max_iter"] == 5
    monkeypatch.setattr(cli, "load_data", lambda *a: (_tiny_mnist(True), _tiny_mnist(False), "tiny"))
    code = cli.main(["train", "--optimizer", "lbfgs", "--epochs", "1", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "loss became nan" in err and "LBFGS" in err and "Traceback" not in err
