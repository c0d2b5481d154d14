"""conv2d, max_pool2d, avg_pool2d: gradient checks (first and second order), errors, PyTorch parity."""

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn.functional as F
from tinygrad_ru.autograd import gradcheck, gradgradcheck


def _t(shape, seed, requires_grad=True):
    rng = np.random.default_rng(seed)
    return tg.Tensor(rng.standard_normal(shape), dtype=tg.float64, requires_grad=requires_grad)


CONV_CASES = [
    dict(stride=1, padding=0, dilation=1),
    dict(stride=2, padding=1, dilation=1),
    dict(stride=(1, 2), padding=(2, 1), dilation=2),
    dict(stride=3, padding=0, dilation=(2, 1)),
]


@pytest.mark.parametrize("kw", CONV_CASES)
def test_conv2d_gradcheck(kw):
    x, w, b = _t((2, 3, 7, 6), 0), _t((4, 3, 3, 2), 1), _t((4,), 2)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kw), [x, w, b])


def test_conv2d_without_bias_and_first_layer():
    x, w = _t((2, 2, 5, 5), 3, requires_grad=False), _t((3, 2, 3, 3), 4)
    assert gradcheck(lambda w: F.conv2d(x, w, padding=1), [w])
    y = F.conv2d(x, w, padding=1)
    y.sum().backward()
    assert x.grad is None and w.grad.shape == w.shape


def test_conv2d_double_backward():
    x, w, b = _t((2, 2, 5, 5), 5), _t((3, 2, 3, 3), 6), _t((3,), 7)
    assert gradgradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), [x, w, b])
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, dilation=2), [x, w])


def test_conv2d_errors():
    x = tg.randn(2, 3, 8, 8)
    with pytest.raises(RuntimeError, match=r"conv2d: expected a 3-D \(unbatched: C, H, W\) or 4-D \(batched: "
                       r"N, C, H, W\) input, got shape \(8, 8\)"):
        F.conv2d(tg.randn(8, 8), tg.randn(4, 3, 3, 3))
    with pytest.raises(RuntimeError, match="input has 3 channels.*expects 1"):
        F.conv2d(x, tg.randn(4, 1, 3, 3))
    with pytest.raises(RuntimeError, match="larger than the padded input"):
        F.conv2d(x, tg.randn(4, 3, 9, 9))
    with pytest.raises(RuntimeError, match="larger than the padded input"):
        F.conv2d(x, tg.randn(4, 3, 3, 3), dilation=5)
    F.conv2d(x, tg.randn(4, 3, 9, 9), padding=1)  # fits once padded
    with pytest.raises(RuntimeError, match="bias"):
        F.conv2d(x, tg.randn(4, 3, 3, 3), tg.randn(5))


POOL_CASES = [
    dict(kernel_size=2),                       # stride == kernel: the reshape path
    dict(kernel_size=2, stride=2),
    dict(kernel_size=3, stride=2, padding=1),  # overlapping windows with padding
    dict(kernel_size=(3, 2), stride=1),
    dict(kernel_size=3),                        # 7 % 3 != 0: floor mode drops the edge
]


@pytest.mark.parametrize("kw", POOL_CASES)
def test_pool_gradcheck(kw):
    x = _t((2, 2, 7, 6), 8)
    assert gradcheck(lambda x: F.max_pool2d(x, **kw), [x])
    assert gradcheck(lambda x: F.avg_pool2d(x, **kw), [x])


def test_pool_double_backward():
    x = _t((1, 2, 6, 6), 9)
    assert gradgradcheck(lambda x: F.max_pool2d(x, 3, 2, 1) ** 2, [x])
    assert gradgradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1) ** 2, [x])


def test_max_pool_gradient_goes_to_first_argmax():
    x = tg.Tensor(np.array([[[[1.0, 1.0], [0.0, 1.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[1.0, 0.0], [0.0, 0.0]]]])


def test_pool_errors():
    with pytest.raises(RuntimeError, match=r"max_pool2d: expected a 3-D \(unbatched: C, H, W\) or 4-D"):
        F.max_pool2d(tg.randn(1, 3, 4, 4, 1), 2)
    with pytest.raises(RuntimeError, match="larger than the padded input"):
        F.avg_pool2d(tg.randn(1, 1, 2, 2), 3)
    with pytest.raises(RuntimeError, match="at most half"):
        F.max_pool2d(tg.randn(1, 1, 6, 6), 2, padding=2)


# ----------------------------------------------------------------------------- PyTorch parity


@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-10)])
@pytest.mark.parametrize("kw", CONV_CASES)
def test_conv2d_matches_torch(kw, dtype, tol):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    xn, wn, bn = (rng.standard_normal(s).astype(dtype) for s in [(3, 3, 9, 8), (5, 3, 3, 2), (5,)])
    gn = None
    x, w, b = (tg.Tensor(a, dtype=dtype, requires_grad=True) for a in (xn, wn, bn))
    y = F.conv2d(x, w, b, **kw)
    gn = rng.standard_normal(y.shape).astype(dtype)
    y.backward(tg.Tensor(gn, dtype=dtype))
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (xn, wn, bn))
    yt = torch.nn.functional.conv2d(xt, wt, bt, **kw)
    yt.backward(torch.tensor(gn))
    scale = 1 + np.abs(yt.detach().numpy()).max()
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol * scale)
    assert y.dtype == np.dtype(dtype)
    for ours, theirs in ((x, xt), (w, wt), (b, bt)):
        ref = theirs.grad.numpy()
        assert ours.grad.dtype == np.dtype(dtype)
        np.testing.assert_allclose(ours.grad.numpy(), ref, rtol=tol, atol=tol * (1 + np.abs(ref).max()))


@pytest.mark.parametrize("kw", POOL_CASES + [dict(kernel_size=3, stride=1, padding=1)])
def test_pools_match_torch(kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    xn = rng.standard_normal((2, 3, 7, 6)).astype("float32")
    for ours_fn, torch_fn in ((F.max_pool2d, torch.nn.functional.max_pool2d),
                              (F.avg_pool2d, torch.nn.functional.avg_pool2d)):
        x = tg.Tensor(xn, requires_grad=True)
        y = ours_fn(x, **kw)
        gn = rng.standard_normal(y.shape).astype("float32")
        y.backward(tg.Tensor(gn))
        xt = torch.tensor(xn, requires_grad=True)
        yt = torch_fn(xt, **kw)
        yt.backward(torch.tensor(gn))
        np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
        assert y.dtype == x.grad.dtype == np.float32


def test_avg_pool_count_include_pad_false_matches_torch():
    torch = pytest.importorskip("torch")
    xn = np.random.default_rng(12).standard_normal((1, 2, 5, 5))
    x = tg.Tensor(xn, dtype=tg.float64, requires_grad=True)
    y = F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)
    yt = torch.nn.functional.avg_pool2d(torch.tensor(xn), 3, 2, 1, count_include_pad=False)
    np.testing.assert_allclose(y.detach().numpy(), yt.numpy(), rtol=1e-10)
    assert gradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), [x])


# ----------------------------------------------------------------------------- fast paths
# Stride-1 convolutions run on the cache-blocked "flat grid" (conv, weight gradient, and the input
# gradient as a convolution with the flipped kernel); other strides on im2col.  Both must agree.

FLAT_CASES = [
    dict(xs=(5, 3, 9, 8), ws=(4, 3, 3, 2), padding=0, dilation=1),
    dict(xs=(5, 3, 9, 8), ws=(4, 3, 5, 5), padding=2, dilation=1),   # the CIFAR net's geometry
    dict(xs=(3, 2, 10, 7), ws=(3, 2, 3, 3), padding=(2, 1), dilation=2),
    dict(xs=(3, 2, 6, 6), ws=(3, 2, 3, 3), padding=3, dilation=1),   # padding > k−1: grad-input via col2im
    dict(xs=(70, 3, 12, 12), ws=(6, 3, 5, 5), padding=2, dilation=1),  # many images: several chunks
]


def _with_im2col(monkeypatch):
    from tinygrad_ru.ops import conv as conv_ops

    init = conv_ops._ConvGeometry.__init__

    def forced(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.flat = False

    monkeypatch.setattr(conv_ops._ConvGeometry, "__init__", forced)


@pytest.mark.parametrize("case", FLAT_CASES)
def test_flat_grid_conv_matches_im2col(case, monkeypatch):
    rng = np.random.default_rng(20)
    xn, wn, bn = (rng.standard_normal(s) for s in (case["xs"], case["ws"], case["ws"][:1]))
    kw = dict(padding=case["padding"], dilation=case["dilation"])
    results = []
    for force in (False, True):
        if force:
            _with_im2col(monkeypatch)
        x, w, b = (tg.Tensor(a, dtype=tg.float64, requires_grad=True) for a in (xn, wn, bn))
        y = F.conv2d(x, w, b, **kw)
        y.backward(tg.Tensor(np.cos(np.arange(y.numel())).reshape(y.shape), dtype=tg.float64))
        results.append([y.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()])
    for fast, ref in zip(*results):
        np.testing.assert_allclose(fast, ref, rtol=1e-10, atol=1e-10)


def test_flat_grid_conv_float32_no_bias_and_double_backward():
    rng = np.random.default_rng(21)
    x = tg.Tensor(rng.standard_normal((2, 2, 6, 5)), dtype=tg.float64, requires_grad=True)
    w = tg.Tensor(rng.standard_normal((3, 2, 3, 3)), dtype=tg.float64, requires_grad=True)
    assert gradcheck(lambda x, w: F.conv2d(x, w, padding=1), [x, w])
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, padding=(2, 1), dilation=(1, 2)), [x, w])
    x32, w32 = (tg.Tensor(t.detach().numpy().astype(np.float32)) for t in (x, w))
    y32 = F.conv2d(x32, w32, padding=1)
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32.numpy(), F.conv2d(x, w, padding=1).detach().numpy(), rtol=1e-4, atol=1e-4)


def test_max_pool_tiled_ties_and_double_backward():
    # ReLU outputs tie at 0 all the time: the first maximum of the window takes the gradient
    x = tg.Tensor(np.array([[[[0.0, 0.0, 2.0, 1.0], [0.0, 0.0, 2.0, 2.0],
                              [-1.0, 3.0, 5.0, 5.0], [3.0, 3.0, 5.0, 4.0]]]]), dtype=tg.float64, requires_grad=True)
    F.max_pool2d(x, 2).backward(tg.Tensor([[[[1.0, 2.0], [3.0, 4.0]]]], dtype=tg.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [[[[1, 0, 2, 0], [0, 0, 0, 0], [0, 3, 4, 0], [0, 0, 0, 0]]]])
    y = _t((2, 2, 6, 7), 22)  # 7 % 2: the last column is dropped (floor mode)
    assert gradgradcheck(lambda y: F.max_pool2d(y, 2) ** 2, [y])
    assert gradgradcheck(lambda y: F.max_pool2d(y, (2, 3)) ** 2, [y])


def test_max_pool_tiled_relu_ties_match_torch():
    torch = pytest.importorskip("torch")
    xn = np.maximum(np.random.default_rng(23).standard_normal((4, 3, 8, 8)), 0).astype("float32")
    x, xt = tg.Tensor(xn, requires_grad=True), torch.tensor(xn, requires_grad=True)
    gn = np.random.default_rng(24).standard_normal((4, 3, 4, 4)).astype("float32")
    F.max_pool2d(x, 2).backward(tg.Tensor(gn))
    torch.nn.functional.max_pool2d(xt, 2).backward(torch.tensor(gn))
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
