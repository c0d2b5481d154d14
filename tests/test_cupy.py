"""The device suite on a real GPU (``device="cuda"``): skipped without CuPy or a CUDA device.

Same models, optimizers and checks as tests/test_device_standin.py; the GPU's float32 kernels
round differently from NumPy's (other summation orders, fused multiply-adds), so results are
compared with float32-level tolerances instead of exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

cupy = pytest.importorskip("cupy", reason="CuPy is not installed (pip install 'tinygrad-ru[gpu]')")

import tinygrad_ru as tg  # noqa: E402
from tinygrad_ru import backend  # noqa: E402

if not tg.cuda_is_available():  # pragma: no cover - depends on the machine
    pytest.skip("CuPy is installed but no CUDA device is available", allow_module_level=True)

from test_device_standin import MODELS, OPTIMIZERS, assert_matches_cpu, needs_framework  # noqa: E402

pytestmark = pytest.mark.gpu


def test_tensor_on_cuda():
    t = tg.tensor([[1.0, 2.0], [3.0, 4.0]], device="cuda", requires_grad=True)
    assert t.device == "cuda:0" and isinstance(t.data, cupy.ndarray)
    (t * t).sum().backward()
    assert isinstance(t.grad.data, cupy.ndarray)
    np.testing.assert_array_equal(t.grad.detach().numpy(), [[2.0, 4.0], [6.0, 8.0]])
    assert isinstance(t.cpu().data, np.ndarray)


def test_host_arrays_do_not_mix_with_cuda():
    """What the stand-in device emulates is what CuPy really does."""
    a = backend.to_device(np.ones(3, np.float32), "cuda")
    with pytest.raises(TypeError):
        np.asarray(a)
    with pytest.raises(TypeError):
        a + np.ones(3, np.float32)


@needs_framework
@pytest.mark.slow
@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
@pytest.mark.parametrize("model_name", list(MODELS))
def test_training_on_cuda_matches_numpy(model_name, opt_name):
    assert_matches_cpu(model_name, opt_name, "cuda")


# formula, switches, number of state arrays after (θ, g), the Python numbers it takes
_FORMULAS = [
    ("sgd_update", {}, 0, (0.1,)),
    ("sgd_update", dict(momentum=True, dampening=True, nesterov=False), 1, (0.1, 0.9, 0.8)),
    ("sgd_update", dict(momentum=True, nesterov=True), 1, (0.1, 0.9, 1.0)),
    ("sgd_update", dict(lecture=True), 1, (0.1, 0.9)),
    ("adam_update", {}, 3, (1e-3, 0.9, 0.1, 0.999, 1e-3, 1e-8, 0.3, 0.3**0.5)),
    ("adam_update", dict(amsgrad=True, eps_inside_sqrt=True), 3, (1e-3, 0.9, 0.1, 0.999, 1e-3, 1e-8, 0.3, 0.3**0.5)),
    ("adamax_update", {}, 2, (1e-3, 0.9, 0.1, 0.999, 1e-8)),
    ("nadam_update", {}, 2, (1e-3, 2e-3, 0.9, 0.1, 0.999, 1e-3, 1e-8, 0.3)),
    ("radam_update", dict(rectified=True), 2, (1e-3, 2e-3, 0.5, 0.9, 0.1, 0.999, 1e-3, 1e-8)),
    ("radam_update", dict(rectified=False), 2, (1e-3, 2e-3, 0.5, 0.9, 0.1, 0.999, 1e-3, 1e-8)),
    ("adagrad_update", {}, 1, (1e-2, 1e-10)),
    ("rmsprop_update", dict(centered=True, momentum=True), 3, (1e-2, 0.99, 0.01, 0.5, 1e-8)),
    ("rmsprop_update", {}, 3, (1e-2, 0.99, 0.01, 0.0, 1e-8)),
    ("adadelta_update", {}, 2, (1.0, 0.9, 0.1, 1e-6)),
]


@pytest.mark.parametrize("name,switches,n_state,numbers", _FORMULAS,
                         ids=[f"{n}-{i}" for i, (n, *_) in enumerate(_FORMULAS)])
def test_fused_update_kernels_equal_the_numpy_formula(name, switches, n_state, numbers):
    """On CuPy each optimizer update is one cupy.fuse kernel; it computes the NumPy formula."""
    from tinygrad_ru.optim import adam, adaptive, sgd

    formula = next(getattr(m, name) for m in (adam, adaptive, sgd) if hasattr(m, name))
    r = np.random.default_rng(0)
    host = [r.standard_normal(5000).astype(np.float32) for _ in range(2 + n_state)]
    host[2:] = [np.abs(a) for a in host[2:]]  # moments / accumulators are non-negative
    if name == "rmsprop_update":
        host[3] = host[3] * 0.01  # a small mean gradient: v − ḡ² stays positive
    if name == "rmsprop_update" and not switches.get("centered"):
        host[3] = None  # no grad_avg
    if name == "rmsprop_update" and not switches.get("momentum"):
        host[4] = None  # no momentum buffer
    if name == "adam_update" and not switches.get("amsgrad"):
        host[4] = None  # no max_exp_avg_sq
    dev = [None if a is None else cupy.asarray(a) for a in host]
    kernel = backend.elementwise(formula, dev[0], **switches)
    assert type(kernel).__name__ == "Fusion", f"{name} is not fused on CuPy: {kernel!r}"
    for _ in range(3):
        kernel(*dev, *numbers)
        backend.elementwise(formula, host[0], **switches)(*host, *numbers)
    for i, (a, b) in enumerate(zip(dev, host)):
        if b is not None:
            np.testing.assert_allclose(cupy.asnumpy(a), b, rtol=1e-5, atol=1e-6, err_msg=f"{name} array {i}")


def test_cross_entropy_with_a_cpu_target_on_cuda():
    F = pytest.importorskip("tinygrad_ru.nn.functional")
    x = tg.tensor(np.random.default_rng(0).standard_normal((6, 5)), device="cuda", requires_grad=True)
    y = tg.tensor(np.array([0, 4, 2, 1, 3, 0]))
    loss = F.cross_entropy(x, y, label_smoothing=0.1) + F.nll_loss(F.log_softmax(x, dim=1), y)
    loss.backward()
    assert x.grad.device == x.device
