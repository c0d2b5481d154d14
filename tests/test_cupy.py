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

from test_device_standin import MODELS, OPTIMIZERS, assert_same_run, needs_framework, train  # noqa: E402

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
    cls = OPTIMIZERS[opt_name][0]
    if cls in ("LBFGS", "MultiBatchLBFGS"):
        # a line search branches on loss comparisons: in float32 the GPU's rounding (other summation
        # orders) steered strong-Wolfe L-BFGS elsewhere (parameters 3e-2 apart after 3 steps). The
        # algorithm is compared in float64 on both devices, where rounding is far below its decisions.
        want = train(model_name, opt_name, "cpu", dtype=np.float64)
        got = train(model_name, opt_name, "cuda", dtype=np.float64)
        assert_same_run(got, want, rtol=1e-7, atol=1e-9, dtype=np.float64)
        return
    want = train(model_name, opt_name, "cpu")
    got = train(model_name, opt_name, "cuda")
    if cls in ("SignSGD", "Lion"):  # sign(g) of a gradient entry near 0 may flip: one step of ±2·lr
        rtol, atol = 1e-3, 3e-3
    elif cls in ("NewtonCG", "SGDBB"):  # curvature estimates amplify rounding
        rtol, atol = 1e-3, 1e-4
    else:
        rtol, atol = 1e-4, 1e-5
    assert_same_run(got, want, rtol=rtol, atol=atol)
