"""GPU readiness without a GPU: the whole compute path runs on a stand-in device.

The device ``"fake"`` (tests/standin_backend.py) computes with NumPy but, like CuPy, its arrays
refuse implicit conversion to NumPy and refuse mixing with host arrays.  An MLP and a conv net
train a few steps on it with every optimizer of ``tinygrad_ru.optim``; losses, parameters and
gradients must equal the run on ``"cpu"`` from the same seed, and nothing may fall back to host
arrays along the way.  A failure here names the place that used NumPy by name or mixed a host
array into device computation.

The helpers (models, data, optimizer table, ``train``) are shared with tests/test_cupy.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import standin_backend as sb

import tinygrad_ru as tg
from tinygrad_ru import backend

try:  # nn/optim land after the core; until then only the tests of the device itself run
    import tinygrad_ru.nn as nn
    import tinygrad_ru.optim as optim

    _MISSING = None
except ImportError as exc:  # pragma: no cover - only while the framework is being written
    nn = optim = None
    _MISSING = f"tinygrad_ru.nn / optim not importable yet: {exc}"

needs_framework = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")

N_STEPS = 3
BATCH = 8


# ------------------------------------------------------------------------------------ models and data
def make_mlp() -> Any:
    """A small lecture-style MLP: 20 → 16 → ReLU → 12 → ReLU → 5 → LogSoftmax."""
    return nn.Sequential(
        nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 5), nn.LogSoftmax(dim=1)
    )


def make_cnn() -> Any:
    """A small lecture-style conv net on 2×8×8 inputs (conv, ReLU, max-pool, conv, FC, LogSoftmax)."""
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3), nn.ReLU(), nn.Flatten(),
        nn.Linear(6 * 2 * 2, 5), nn.LogSoftmax(dim=1),
    )


MODELS: dict[str, tuple[Callable[[], Any], tuple[int, ...]]] = {
    "mlp": (make_mlp, (20,)),
    "cnn": (make_cnn, (2, 8, 8)),
}


def host_data(sample_shape: tuple[int, ...], n: int = N_STEPS * BATCH) -> tuple[np.ndarray, np.ndarray]:
    r = np.random.default_rng(1234)
    x = r.standard_normal((n, *sample_shape)).astype(np.float32)
    y = r.integers(0, 5, size=n).astype(np.int64)
    return x, y


# ------------------------------------------------------------------------------------ optimizers
# name -> (class name in tinygrad_ru.optim, constructor options, how step() is called)
OPTIMIZERS: dict[str, tuple[str, dict, str]] = {
    "SGD": ("SGD", dict(lr=0.05), "closure"),
    "SGD-nesterov-wd": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3), "closure"),
    "GD": ("GD", dict(lr=0.05), "closure"),
    "Adagrad": ("Adagrad", dict(), "closure"),
    "RMSprop-centered": ("RMSprop", dict(momentum=0.5, centered=True), "closure"),
    "Adadelta": ("Adadelta", dict(), "closure"),
    "Adam": ("Adam", dict(), "closure"),
    "Adam-amsgrad": ("Adam", dict(amsgrad=True, weight_decay=1e-3), "closure"),
    "AdamW": ("AdamW", dict(), "closure"),
    "Adamax": ("Adamax", dict(), "closure"),
    "NAdam": ("NAdam", dict(), "closure"),
    "RAdam": ("RAdam", dict(), "closure"),
    "SignSGD-momentum": ("SignSGD", dict(lr=1e-3, momentum=0.9), "closure"),
    "Lion": ("Lion", dict(), "closure"),
    "Rprop": ("Rprop", dict(), "closure"),
    "ASGD-wd": ("ASGD", dict(lr=0.05, t0=2, weight_decay=1e-3), "closure"),
    "SGDBB": ("SGDBB", dict(lr=0.05), "sgdbb"),
    "AcceleratedGD": ("AcceleratedGD", dict(lr=0.05), "closure"),
    "LBFGS": ("LBFGS", dict(lr=0.1, max_iter=3), "closure"),
    "LBFGS-strong-wolfe": ("LBFGS", dict(max_iter=4, line_search_fn="strong_wolfe"), "closure"),
    "MultiBatchLBFGS": ("MultiBatchLBFGS", dict(lr=0.1), "multibatch"),
    "NewtonCG": ("NewtonCG", dict(cg_max_iter=3, damping=1e-2), "newton"),
}


def optimizer_classes() -> set[str]:
    """Names of every optimizer class exported by tinygrad_ru.optim."""
    base = optim.Optimizer
    return {
        name for name in getattr(optim, "__all__", dir(optim))
        if isinstance(getattr(optim, name, None), type) and issubclass(getattr(optim, name), base)
        and getattr(optim, name) is not base
    }


# ------------------------------------------------------------------------------------ the run
def train(model_name: str, opt_name: str, device: str, n_steps: int = N_STEPS,
          dtype: Any = np.float32) -> dict[str, Any]:
    """Train from seed 0 on ``device`` (parameters and data in ``dtype``); return the losses, and
    host copies of parameters and grads.

    Every step also checks that parameters, gradients and optimizer state stay on ``device``.
    """
    make, sample_shape = MODELS[model_name]
    cls_name, options, mode = OPTIMIZERS[opt_name]
    tg.manual_seed(0)
    model = make().to(device, dtype=np.dtype(dtype))
    params = list(model.parameters())
    opt = getattr(optim, cls_name)(params, **options)
    loss_fn = nn.NLLLoss()
    x_host, y_host = host_data(sample_shape)
    x_host = x_host.astype(dtype)
    losses: list[float] = []
    for step in range(n_steps):
        sl = slice(step * BATCH, (step + 1) * BATCH)
        xb = tg.tensor(x_host[sl], device=device)
        yb = tg.tensor(y_host[sl], device=device)

        def loss_of(xs: Any, ys: Any) -> Any:
            return loss_fn(model(xs), ys)

        def closure(xs=xb, ys=yb) -> Any:
            opt.zero_grad()
            loss = loss_of(xs, ys)
            loss.backward()
            return loss

        if mode == "closure":
            loss = opt.step(closure)
        elif mode == "sgdbb":
            loss = opt.step(closure)
            if step % 2 == 1:
                opt.epoch_end()
        elif mode == "multibatch":
            half = BATCH // 2
            loss = opt.step(closure, lambda xs=xb[:half], ys=yb[:half]: closure(xs, ys))
        elif mode == "newton":
            loss = opt.step(lambda xs=xb, ys=yb: loss_of(xs, ys))
        else:  # pragma: no cover - table typo
            raise AssertionError(mode)
        losses.append(float(loss.item() if hasattr(loss, "item") else loss))
        _assert_on_device(model, opt, device)
    return {
        "losses": np.array(losses),
        "params": [backend.to_numpy(p.data).copy() for p in params],
        "grads": [None if p.grad is None else backend.to_numpy(p.grad.data).copy() for p in params],
    }


def _arrays_in(value: Any):
    if hasattr(value, "shape") and hasattr(value, "dtype") and not isinstance(value, np.generic):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _arrays_in(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _arrays_in(v)


def _assert_on_device(model: Any, opt: Any, device: str) -> None:
    kind = backend.parse_device(device)[0]
    array_type = backend._BACKENDS[kind].array_type
    for name, p in model.named_parameters():
        assert isinstance(p.data, array_type), f"parameter {name} left the device: {type(p.data).__name__}"
        if p.grad is not None:
            assert isinstance(p.grad.data, array_type), f"grad of {name} is a {type(p.grad.data).__name__}"
    for p in (p for g in opt.param_groups for p in g["params"]):
        for key, value in opt.state[p].items():
            for a in _arrays_in(value):
                if getattr(a, "size", 2) > 1 or kind == "cpu":
                    assert isinstance(a, array_type), (
                        f"{type(opt).__name__} state {key!r} is a {type(a).__name__}, not on {device}"
                    )


def assert_same_run(got: dict, want: dict, rtol: float, atol: float, dtype: Any = np.float32) -> None:
    for key in ("params", "grads"):
        for i, (a, b) in enumerate(zip(got[key], want[key])):
            if a is not None and b is not None:
                assert a.dtype == b.dtype, f"{key}[{i}]: dtype {a.dtype} on the device, {b.dtype} on the cpu"
                assert b.dtype.kind != "f" or b.dtype == dtype, (
                    f"{key}[{i}]: {np.dtype(dtype)} model, {b.dtype} {key[:-1]} (a silent cast)")
    np.testing.assert_allclose(got["losses"], want["losses"], rtol=rtol, atol=atol, err_msg="losses differ")
    for i, (a, b) in enumerate(zip(got["params"], want["params"])):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"parameter {i} differs")
    for i, (a, b) in enumerate(zip(got["grads"], want["grads"])):
        assert (a is None) == (b is None), f"grad {i}: None on one device only"
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"grad {i} differs")


def assert_matches_cpu(model_name: str, opt_name: str, device: str) -> None:
    """A run on a device whose kernels differ from the CPU's (a GPU; the stand-in with the GPU's
    policy) equals the CPU's run to float32 rounding.  Line-search optimizers branch on loss
    comparisons, which float32 rounding can steer elsewhere (on an H200 strong-Wolfe L-BFGS ended
    3e-2 apart after 3 steps): they are compared in float64 on both devices."""
    cls = OPTIMIZERS[opt_name][0]
    if cls in ("LBFGS", "MultiBatchLBFGS"):
        want = train(model_name, opt_name, "cpu", dtype=np.float64)
        got = train(model_name, opt_name, device, dtype=np.float64)
        assert_same_run(got, want, rtol=1e-7, atol=1e-9, dtype=np.float64)
        return
    want = train(model_name, opt_name, "cpu")
    got = train(model_name, opt_name, device)
    if cls in ("SignSGD", "Lion"):  # sign(g) of a gradient entry near 0 may flip: one step of ±2·lr
        rtol, atol = 1e-3, 3e-3
    elif cls in ("NewtonCG", "SGDBB"):  # curvature estimates amplify rounding
        rtol, atol = 1e-3, 1e-4
    else:
        rtol, atol = 1e-4, 1e-5
    assert_same_run(got, want, rtol=rtol, atol=atol)


# ------------------------------------------------------------------------------------ tests
@pytest.fixture
def fake_device():
    """The stand-in with the CPU's algorithm choices: exactly the CPU's numbers."""
    sb.register()
    yield sb.DEVICE
    sb.unregister()


@pytest.fixture
def gpu_like_device():
    """The stand-in with a GPU's algorithm choices (whole batches, kept columns, argmax pooling,
    fused updates): the GPU's code paths, run without a GPU."""
    sb.register(gpu_like=True)
    yield sb.DEVICE
    sb.unregister()


def test_standin_refuses_what_cupy_refuses(fake_device):
    """The wall is real: without it this test suite would prove nothing."""
    a = backend.to_device(np.ones((2, 3), np.float32), fake_device)
    host = np.ones((2, 3), np.float32)
    for bad in (lambda: np.asarray(a), lambda: a + host, lambda: host * a, lambda: np.exp(a),
                lambda: np.concatenate([a, a]), lambda: sb.xp.add(a, host), lambda: a.__setitem__(0, host[0])):
        with pytest.raises(TypeError):
            bad()
    # scalars and explicit transfers are fine, as on CuPy
    assert float((a * np.float32(2) + 1).sum()) == 18.0
    assert isinstance(a.sum(), sb.DeviceArray)
    np.testing.assert_array_equal(backend.to_numpy(sb.xp.asarray(host) * a), host)


def test_tensor_lives_on_the_device(fake_device):
    t = tg.tensor([[1.0, 2.0], [3.0, 4.0]], device=fake_device, requires_grad=True)
    assert t.device == "fake:0" and isinstance(t.data, sb.DeviceArray)
    (t * t).sum().backward()
    assert isinstance(t.grad.data, sb.DeviceArray)
    np.testing.assert_array_equal(t.grad.detach().numpy(), [[2.0, 4.0], [6.0, 8.0]])
    assert t.to("cpu").device == "cpu"


@needs_framework
def test_every_optimizer_is_covered():
    """A new optimizer must join the table above (and so run on the stand-in device)."""
    missing = optimizer_classes() - {cls for cls, _, _ in OPTIMIZERS.values()}
    assert not missing, f"optimizers not exercised on the stand-in device: {sorted(missing)}"


@needs_framework
@pytest.mark.slow
@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
@pytest.mark.parametrize("model_name", list(MODELS))
def test_training_on_standin_equals_numpy(fake_device, model_name, opt_name):
    want = train(model_name, opt_name, "cpu")
    got = train(model_name, opt_name, fake_device)
    assert np.all(np.isfinite(want["losses"]))
    assert_same_run(got, want, rtol=1e-5, atol=1e-6)


@needs_framework
@pytest.mark.slow
@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
@pytest.mark.parametrize("model_name", list(MODELS))
def test_training_with_the_gpu_policy_matches_numpy(gpu_like_device, model_name, opt_name):
    """What tests/test_cupy.py checks on a GPU, on the stand-in with the GPU's policy."""
    assert_matches_cpu(model_name, opt_name, gpu_like_device)


@needs_framework
@pytest.mark.slow
def test_functional_losses_on_standin(fake_device):
    F = pytest.importorskip("tinygrad_ru.nn.functional")
    x_host = np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)
    y_host = np.array([0, 4, 2, 1, 3, 0])
    results = {}
    for dev in ("cpu", fake_device):
        x = tg.tensor(x_host, device=dev, requires_grad=True)
        y = tg.tensor(y_host, device=dev)
        loss = F.cross_entropy(x, y) + F.nll_loss(F.log_softmax(x, dim=1), y)
        loss.backward()
        results[dev] = (loss.item(), backend.to_numpy(x.grad.data))
    assert results["cpu"][0] == pytest.approx(results[fake_device][0], rel=1e-6)
    np.testing.assert_allclose(results[fake_device][1], results["cpu"][1], rtol=1e-6, atol=1e-7)


def make_zoo() -> Any:
    """Every kind of layer the package has, in one small net on 2×8×8 inputs.

    No bias right before a batch norm: its gradient is 0 up to rounding, which Adam would blow up
    to steps of ±lr that differ between devices with different summation orders."""
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.LeakyReLU(0.1), nn.AvgPool2d(2),
        nn.Conv2d(4, 4, 3, padding=1, bias=False), nn.PReLU(), nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
        nn.Linear(16, 12), nn.LayerNorm(12), nn.GELU(), nn.Linear(12, 12, bias=False), nn.BatchNorm1d(12), nn.SiLU(),
        nn.Linear(12, 12), nn.ELU(), nn.Linear(12, 12), nn.Tanh(), nn.Linear(12, 12), nn.Softplus(),
        nn.Linear(12, 5),
    )


@needs_framework
@pytest.mark.slow
@pytest.mark.parametrize("policy", ["cpu", "gpu"])
def test_layer_zoo_on_standin_equals_numpy(policy, request):
    """Norms, dropout (host RNG), activations, pools and the losses: the same numbers on the device
    (exactly with the CPU's policy, to float32 rounding with the GPU's)."""
    device = request.getfixturevalue("fake_device" if policy == "cpu" else "gpu_like_device")
    x_host, y_host = host_data((2, 8, 8))
    runs = {}
    for dev in ("cpu", device):
        tg.manual_seed(0)
        model = make_zoo().to(dev)
        opt = optim.Adam(model.parameters(), lr=1e-2)
        ce, mse = nn.CrossEntropyLoss(label_smoothing=0.1), nn.MSELoss()
        bce, l1 = nn.BCEWithLogitsLoss(), nn.L1Loss()
        losses = []
        for step in range(N_STEPS):
            sl = slice(step * BATCH, (step + 1) * BATCH)
            xb, yb = tg.tensor(x_host[sl], device=dev), tg.tensor(y_host[sl], device=dev)
            opt.zero_grad()
            out = model(xb)
            target = tg.tensor(np.eye(5, dtype=np.float32)[y_host[sl]], device=dev)
            loss = ce(out, yb) + 0.1 * mse(out, target) + 0.1 * bce(out, target) + 0.1 * l1(out, target)
            loss = loss + nn.NLLLoss()(nn.LogSoftmax(dim=1)(out), yb) + 0.1 * nn.BCELoss()(nn.Sigmoid()(out), target)
            loss = loss + 0.01 * nn.Softmax(dim=1)(out).max()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with tg.no_grad():
            pred = model(tg.tensor(x_host[:BATCH], device=dev))
        assert isinstance(pred.data, backend._BACKENDS[backend.parse_device(dev)[0]].array_type)
        runs[dev] = {
            "losses": np.array(losses),
            "params": [backend.to_numpy(p.data).copy() for p in model.parameters()]
            + [backend.to_numpy(b.data).copy() for b in model.buffers()] + [backend.to_numpy(pred.data)],
            "grads": [backend.to_numpy(p.grad.data).copy() for p in model.parameters()],
        }
    tol = dict(rtol=1e-5, atol=1e-6) if policy == "cpu" else dict(rtol=1e-4, atol=1e-5)
    assert_same_run(runs[device], runs["cpu"], **tol)


@needs_framework
def test_layer_options_on_standin_equal_cpu(fake_device):
    """Grouped / "same" / non-zero-mode convolutions, adaptive pools, Embedding and the Huber,
    SmoothL1, KLDiv and soft-target cross-entropy losses: the same numbers on the device."""
    F = pytest.importorskip("tinygrad_ru.nn.functional")
    x_host, y_host = host_data((2, 8, 8))
    idx_host = np.random.default_rng(5).integers(0, 6, size=(N_STEPS * BATCH, 3))
    runs = {}
    for dev in ("cpu", fake_device):
        tg.manual_seed(0)
        model = nn.Sequential(
            nn.Conv2d(2, 4, 3, padding="same", groups=2, padding_mode="reflect"), nn.ReLU(),
            nn.Conv2d(4, 4, 4, padding="same", groups=4, padding_mode="circular"), nn.AdaptiveMaxPool2d((3, 3)),
            nn.Conv2d(4, 4, 2, padding=1, padding_mode="replicate"), nn.AdaptiveAvgPool2d((2, 3)), nn.Flatten(),
            nn.Linear(24, 5),
        ).to(dev)
        emb = nn.Embedding(6, 5, padding_idx=0, scale_grad_by_freq=True).to(dev)
        params = list(model.parameters()) + list(emb.parameters())
        opt = optim.Adam(params, lr=1e-2)
        losses = []
        for step in range(N_STEPS):
            sl = slice(step * BATCH, (step + 1) * BATCH)
            xb, yb = tg.tensor(x_host[sl], device=dev), tg.tensor(y_host[sl], device=dev)
            opt.zero_grad()
            out = model(xb) + emb(tg.tensor(idx_host[sl], device=dev)).sum(1)
            soft = F.softmax(out.detach() * 0.5, dim=1).requires_grad_()  # a target with a gradient
            target = tg.tensor(np.eye(5, dtype=np.float32)[y_host[sl]], device=dev)
            loss = (F.huber_loss(out, target, delta=0.5) + F.smooth_l1_loss(out, target, beta=0.3)
                    + F.kl_div(F.log_softmax(out, 1), soft, reduction="batchmean")
                    + F.cross_entropy(out, soft, label_smoothing=0.1) + F.cross_entropy(out, yb))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs[dev] = {
            "losses": np.array(losses),
            "params": [backend.to_numpy(p.data).copy() for p in params],
            "grads": [backend.to_numpy(p.grad.data).copy() for p in params],
        }
    assert_same_run(runs[fake_device], runs["cpu"], rtol=1e-5, atol=1e-6)
