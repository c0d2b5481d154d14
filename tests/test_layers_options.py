"""The PyTorch layers and options of issue 11: F.pad modes and cropping, Conv2d groups / "same" /
padding_mode, adaptive pooling, BatchNorm without affine or running stats, Huber / SmoothL1 / KLDiv
losses, Embedding, Identity / Flatten / Unflatten, and cross-entropy against probability targets
that need a gradient.  Float64 gradient checks always; PyTorch parity where torch is installed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.nn.functional as F
from tinygrad_ru.autograd import gradcheck, gradgradcheck


def _t(shape, seed, requires_grad=True, dtype=tg.float64):
    rng = np.random.default_rng(seed)
    return tg.Tensor(rng.standard_normal(shape), dtype=dtype, requires_grad=requires_grad)


def _np(shape, seed, dtype="float64"):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _backward_both(torch, ours, theirs, seed):
    """Backpropagate the same random output gradient through our output and torch's."""
    g = _np(tuple(theirs.shape), seed, str(theirs.dtype).replace("torch.", ""))
    ours.backward(tg.Tensor(g, dtype=ours.dtype))
    theirs.backward(torch.tensor(g))


def _softmax(a, axis=1):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _close(ours, theirs, tol=1e-10):
    ref = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    got = ours.detach().numpy() if isinstance(ours, tg.Tensor) else ours
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * (1 + np.abs(ref).max(initial=0)))


# ============================================================================ F.pad

PAD_CASES = [  # (shape, pad, mode)
    ((2, 3, 5), (1, 2), "constant"),
    ((2, 3, 5), (-1, 2, 1, -2), "constant"),
    ((3, 4), (-2, -2), "constant"),
    ((2, 3, 5), (2, 3), "reflect"),
    ((2, 3, 4, 5), (4, 1, -1, 3), "reflect"),
    ((1, 2, 3, 4, 5), (1, 1, 2, 2, 1, 0), "reflect"),
    ((3, 5), (4, -2), "replicate"),
    ((2, 3, 4, 5), (2, 0, 3, 1), "replicate"),
    ((2, 3, 5), (5, 5), "replicate"),
    ((2, 3, 5), (5, 2), "circular"),
    ((2, 3, 4, 5), (1, 2, 4, 0), "circular"),
    ((2, 3, 4, 5), (-1, 3, 2, -1), "circular"),
    ((1, 2, 3, 4, 5), (1, 2, 0, 3, 2, 1), "circular"),
]


@pytest.mark.parametrize("shape,pad,mode", PAD_CASES)
def test_pad_gradcheck(shape, pad, mode):
    assert gradcheck(lambda x: F.pad(x, pad, mode=mode), [_t(shape, 0)])


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_double_backward(mode):
    assert gradgradcheck(lambda x: F.pad(x, (2, 1, 1, 2), mode=mode) ** 2, [_t((1, 2, 3, 4), 1)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,pad,mode", PAD_CASES)
def test_pad_matches_torch(shape, pad, mode, dtype):
    torch = pytest.importorskip("torch")
    xn = _np(shape, 2, dtype)
    x, xt = tg.Tensor(xn, dtype=dtype, requires_grad=True), torch.tensor(xn, requires_grad=True)
    y, yt = F.pad(x, pad, mode=mode), torch.nn.functional.pad(xt, pad, mode=mode)
    assert y.dtype == np.dtype(dtype)
    _close(y, yt)
    _backward_both(torch, y, yt, 3)
    _close(x.grad, xt.grad, 1e-6 if dtype == "float32" else 1e-12)


def test_pad_value_and_dtypes():
    torch = pytest.importorskip("torch")
    xn = np.arange(6).reshape(2, 3)
    for value in (None, 0, 1.5, -2):
        ours = F.pad(tg.tensor(xn), (1, 2, 0, 1), value=value)
        theirs = torch.nn.functional.pad(torch.tensor(xn), (1, 2, 0, 1), value=value)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.dtype == np.int64
    y = tg.Tensor(np.ones((2, 3))).pad((1, 1), value=2.5)  # the Tensor method, PyTorch's F.pad signature
    np.testing.assert_array_equal(y.numpy()[:, 0], [2.5, 2.5])
    np.testing.assert_array_equal(F.pad(tg.ones(1, 2, 2), (1, 1), "reflect", 0.0).numpy().shape, (1, 2, 4))


def test_pad_errors_as_torch():
    x = tg.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match="padding length 8 and input of shape"):
        F.pad(x, (1,) * 8)
    with pytest.raises(TypeError, match="tuple of ints"):
        F.pad(x, (1.5, 2))
    with pytest.raises(NotImplementedError, match="unrecognised padding mode 'mirror'"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(RuntimeError, match="doesn't take in value"):
        F.pad(x, (1, 1), mode="reflect", value=1.0)
    with pytest.raises(RuntimeError, match=r"padding \(4, 0\) at dimension 2 of input \[2, 3, 4\]"):
        F.pad(x, (4, 0), mode="reflect")
    with pytest.raises(NotImplementedError, match="needs a 3-D or 4-D input"):
        F.pad(tg.randn(2, 3), (1, 1, 1, 1), mode="replicate")
    with pytest.raises(RuntimeError, match="leaves no elements"):
        F.pad(x, (-3, -2))
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(x, (5, 0), mode="circular")


@pytest.mark.parametrize("name,args", [
    ("ZeroPad1d", (2,)), ("ZeroPad2d", ((1, 0, 2, -1),)), ("ConstantPad1d", ((1, 3), 2.5)),
    ("ConstantPad2d", (1, -1.0)), ("ReflectionPad1d", (3,)), ("ReflectionPad2d", ((1, 2, 0, 3),)),
    ("ReplicationPad1d", ((0, 4),)), ("ReplicationPad2d", (2,)), ("CircularPad1d", (2,)),
    ("CircularPad2d", ((1, 2, 3, 0),)),
])
def test_padding_layers_match_torch(name, args):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    xn = _np((2, 3, 4, 5) if name.endswith("2d") else (2, 3, 5), 5)
    x, xt = tg.Tensor(xn, dtype=tg.float64, requires_grad=True), torch.tensor(xn, requires_grad=True)
    y, yt = ours(x), theirs(xt)
    _close(y, yt)
    _backward_both(torch, y, yt, 6)
    _close(x.grad, xt.grad)


@pytest.mark.parametrize("size,dim", [(2, 1), (3, 0), ([1, 0, 4], 1), ((2, 2), -2), (10, 1)])
def test_split_matches_torch(size, dim):
    torch = pytest.importorskip("torch")
    xn = _np((4, 5), 4)
    x, xt = tg.Tensor(xn, dtype=tg.float64, requires_grad=True), torch.tensor(xn, requires_grad=True)
    ours, theirs = tg.split(x, size, dim), torch.split(xt, size, dim)
    assert isinstance(ours, tuple) and len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        _close(a, b, 0)
    sum((p * (i + 1)).sum() for i, p in enumerate(ours)).backward()
    sum((p * (i + 1)).sum() for i, p in enumerate(theirs)).backward()
    _close(x.grad, xt.grad, 0)


def test_split_errors():
    x = tg.randn(4, 5)
    with pytest.raises(RuntimeError, match="add up to 5"):
        tg.split(x, [2, 2], 1)
    with pytest.raises(RuntimeError, match="split_size must be positive"):
        tg.split(x, 0)
    with pytest.raises(IndexError, match="[Dd]imension.* out of range"):
        tg.split(x, 1, 2)


# ============================================================================ conv2d: groups, "same"

CONV_OPTIONS = [  # (C_in, C_out, kernel, kwargs)
    (4, 6, 3, dict(groups=2)),
    (4, 8, 3, dict(groups=4, stride=2, padding=1)),          # depthwise with a channel multiplier 2
    (3, 3, (3, 2), dict(groups=3, dilation=(1, 2))),         # depthwise
    (4, 4, 4, dict(padding="same")),                          # even kernel: one more pixel right/bottom
    (4, 6, (3, 4), dict(padding="same", dilation=(2, 3), groups=2)),
    (4, 6, 3, dict(padding="valid", stride=(2, 1))),
]


@pytest.mark.parametrize("cin,cout,k,kw", CONV_OPTIONS)
def test_conv2d_options_gradcheck(cin, cout, k, kw):
    kh, kwid = (k, k) if isinstance(k, int) else k
    g = kw.get("groups", 1)
    x, w, b = _t((2, cin, 6, 7), 0), _t((cout, cin // g, kh, kwid), 1), _t((cout,), 2)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kw), [x, w, b])


def test_conv2d_groups_double_backward():
    x, w = _t((1, 4, 5, 5), 3), _t((4, 2, 3, 3), 4)
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, groups=2, padding="same"), [x, w])


@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-10)])
@pytest.mark.parametrize("cin,cout,k,kw", CONV_OPTIONS)
def test_conv2d_options_match_torch(cin, cout, k, kw, dtype, tol):
    torch = pytest.importorskip("torch")
    kh, kwid = (k, k) if isinstance(k, int) else k
    g = kw.get("groups", 1)
    arrays = [_np((3, cin, 8, 9), 5, dtype), _np((cout, cin // g, kh, kwid), 6, dtype), _np((cout,), 7, dtype)]
    ours = [tg.Tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = F.conv2d(*ours, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note that an even "same" kernel copies the input
        yt = torch.nn.functional.conv2d(*theirs, **kw)
    _close(y, yt, tol)
    assert y.dtype == np.dtype(dtype)
    _backward_both(torch, y, yt, 8)
    for a, b in zip(ours, theirs):
        _close(a.grad, b.grad, tol)


@pytest.mark.parametrize("kw", [
    dict(groups=2, padding=1),
    dict(groups=4, padding="same", padding_mode="reflect"),
    dict(padding=(1, 2), padding_mode="replicate", stride=2),
    dict(kernel_size=4, padding="same", padding_mode="circular", dilation=2),
    dict(padding="valid", groups=2, bias=False),
])
def test_conv2d_layer_options_match_torch(kw):
    torch = pytest.importorskip("torch")
    kw = dict(kw)
    k = kw.pop("kernel_size", 3)
    ours, theirs = nn.Conv2d(4, 8, k, **kw), torch.nn.Conv2d(4, 8, k, **kw)
    assert ours.weight.shape == tuple(theirs.weight.shape)
    assert repr(ours) == repr(theirs)
    with torch.no_grad():
        for name, p in theirs.named_parameters():
            p.copy_(torch.tensor(getattr(ours, name).detach().numpy()))
    xn = _np((2, 4, 9, 10), 9, "float32")
    x, xt = tg.Tensor(xn, requires_grad=True), torch.tensor(xn, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y, yt = ours(x), theirs(xt)
    _close(y, yt, 1e-5)
    _backward_both(torch, y, yt, 10)
    _close(x.grad, xt.grad, 1e-5)
    _close(ours.weight.grad, theirs.weight.grad, 1e-5)


def test_conv2d_groups_shapes_and_init():
    m = nn.Conv2d(6, 12, 3, groups=3)
    assert m.weight.shape == (12, 2, 3, 3) and m.bias.shape == (12,)
    bound = 1 / np.sqrt(2 * 9)  # PyTorch's default: fan_in = C_in/groups·kh·kw
    assert np.abs(m.weight.detach().numpy()).max() <= bound and np.abs(m.bias.detach().numpy()).max() <= bound
    assert m(tg.randn(2, 6, 5, 5)).shape == (2, 12, 3, 3)
    assert nn.Conv2d(3, 5, 4, padding="same")(tg.randn(1, 3, 7, 6)).shape == (1, 5, 7, 6)
    assert nn.Conv2d(3, 5, 3, padding="valid")(tg.randn(1, 3, 7, 6)).shape == (1, 5, 5, 4)


def test_conv2d_options_errors_as_torch():
    x = tg.randn(2, 4, 8, 8)
    with pytest.raises(RuntimeError, match="expected the input of shape .* to have 6 channels, but got 4"):
        F.conv2d(x, tg.randn(6, 3, 3, 3), groups=2)
    with pytest.raises(RuntimeError, match="divisible by 2 at dimension 0"):
        F.conv2d(x, tg.randn(5, 2, 3, 3), groups=2)
    with pytest.raises(RuntimeError, match="non-positive groups"):
        F.conv2d(x, tg.randn(6, 2, 3, 3), groups=0)
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided"):
        F.conv2d(x, tg.randn(6, 4, 3, 3), padding="same", stride=2)
    with pytest.raises(RuntimeError, match="invalid padding string 'full'"):
        F.conv2d(x, tg.randn(6, 4, 3, 3), padding="full")
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        nn.Conv2d(4, 6, 3, groups=0)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(5, 6, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv2d(4, 5, 3, groups=2)
    with pytest.raises(ValueError, match="invalid padding string 'full'"):
        nn.Conv2d(4, 6, 3, padding="full")
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(4, 6, 3, padding="same", stride=(1, 2))
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(4, 6, 3, padding_mode="mirror")


# ============================================================================ adaptive pooling

ADAPTIVE_CASES = [  # (input shape, output_size)
    ((2, 3, 8, 8), 4),             # divisible: plain pooling with kernel = stride = 2
    ((2, 3, 7, 9), (3, 4)),        # windows of unequal size that overlap
    ((3, 5, 6), (None, 4)),        # unbatched, None keeps the height
    ((1, 2, 5, 5), (7, 3)),        # more outputs than inputs along H
    ((2, 2, 6, 7), 1),             # global pooling
]


@pytest.mark.parametrize("shape,size", ADAPTIVE_CASES)
def test_adaptive_pools_gradcheck(shape, size):
    x = _t(shape, 11)
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(x, size), [x])
    assert gradcheck(lambda x: F.adaptive_max_pool2d(x, size), [x])


def test_adaptive_pools_double_backward():
    x = _t((1, 2, 5, 7), 12)
    assert gradgradcheck(lambda x: F.adaptive_avg_pool2d(x, (2, 3)) ** 2, [x])
    assert gradgradcheck(lambda x: F.adaptive_max_pool2d(x, (2, 3)) ** 2, [x])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,size", ADAPTIVE_CASES)
def test_adaptive_pools_match_torch(shape, size, dtype):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    xn = _np(shape, 13, dtype)
    tol = 1e-6 if dtype == "float32" else 1e-12
    for ours_fn, torch_fn in ((F.adaptive_avg_pool2d, tf.adaptive_avg_pool2d),
                              (F.adaptive_max_pool2d, tf.adaptive_max_pool2d)):
        x, xt = tg.Tensor(xn, dtype=dtype, requires_grad=True), torch.tensor(xn, requires_grad=True)
        y, yt = ours_fn(x, size), torch_fn(xt, size)
        assert y.dtype == np.dtype(dtype)
        _close(y, yt, tol)
        _backward_both(torch, y, yt, 14)
        _close(x.grad, xt.grad, tol)
    (v, i), (vt, it) = F.adaptive_max_pool2d(tg.Tensor(xn, dtype=dtype), size, True), tf.adaptive_max_pool2d(
        torch.tensor(xn), size, return_indices=True)
    np.testing.assert_array_equal(i.numpy(), it.numpy())
    _close(v, vt, tol)
    assert i.dtype == np.int64


def test_adaptive_pool_modules_and_errors():
    torch = pytest.importorskip("torch")
    for ours, theirs in ((nn.AdaptiveAvgPool2d((None, 3)), torch.nn.AdaptiveAvgPool2d((None, 3))),
                         (nn.AdaptiveMaxPool2d(2), torch.nn.AdaptiveMaxPool2d(2))):
        assert repr(ours) == repr(theirs)
        xn = _np((2, 3, 5, 7), 15, "float32")
        _close(ours(tg.Tensor(xn)), theirs(torch.tensor(xn)), 1e-6)
    values, index = nn.AdaptiveMaxPool2d(2, return_indices=True)(tg.randn(1, 1, 4, 4))
    assert values.shape == index.shape == (1, 1, 2, 2)
    with pytest.raises(RuntimeError, match="3-D .* or 4-D"):
        F.adaptive_avg_pool2d(tg.randn(4, 4), 2)
    with pytest.raises(ValueError, match="3-D .* or 4-D"):
        F.adaptive_avg_pool2d(tg.randn(4, 4), (None, 2))
    with pytest.raises(RuntimeError, match="3-D .* or 4-D"):
        F.adaptive_max_pool2d(tg.randn(1, 1, 1, 4, 4), 2)
    with pytest.raises(RuntimeError, match="output_size must be 2"):
        F.adaptive_avg_pool2d(tg.randn(1, 4, 4), (1, 2, 3))
    with pytest.raises(RuntimeError, match="non-zero size"):
        F.adaptive_max_pool2d(tg.randn(1, 1, 0, 4), 2)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.adaptive_max_pool2d(tg.randn(1, 1, 3, 4), (-1, 2))


# ============================================================================ BatchNorm without affine / running stats


@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (6, 3)), ("BatchNorm1d", (4, 3, 5)),
                                       ("BatchNorm2d", (4, 3, 5, 2))])
@pytest.mark.parametrize("affine,track", [(False, True), (True, False), (False, False)])
def test_batchnorm_without_affine_or_stats_matches_torch(cls, shape, affine, track):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, cls)(3, affine=affine, track_running_stats=track, momentum=0.3)
    theirs = getattr(torch.nn, cls)(3, affine=affine, track_running_stats=track, momentum=0.3)
    assert len(list(ours.parameters())) == len(list(theirs.parameters())) == (2 if affine else 0)
    assert set(ours.state_dict()) == set(theirs.state_dict())
    for step in range(3):
        xn = _np(shape, 20 + step, "float32") * (step + 1) + step
        x, xt = tg.Tensor(xn, requires_grad=True), torch.tensor(xn, requires_grad=True)
        y, yt = ours(x), theirs(xt)
        _close(y, yt, 1e-5)
        _backward_both(torch, y, yt, 30 + step)
        _close(x.grad, xt.grad, 1e-4)
    if track:
        _close(ours.running_mean, theirs.running_mean, 1e-6)
        _close(ours.running_var, theirs.running_var, 1e-6)
    else:
        assert ours.running_mean is None and theirs.running_mean is None
    ours.eval()
    theirs.eval()
    xn = _np(shape, 40, "float32")
    _close(ours(tg.Tensor(xn)), theirs(torch.tensor(xn)), 1e-5)  # no running stats: batch statistics


def test_batchnorm_without_affine_gradcheck():
    bn = nn.BatchNorm2d(2, affine=False, track_running_stats=False, dtype=tg.float64)
    assert gradcheck(lambda x: bn(x), [_t((3, 2, 2, 2), 41)])


# ============================================================================ Huber, SmoothL1, KLDiv


LOSS_FNS = [
    ("huber", lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.7)),
    ("smooth_l1", lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5)),
    ("smooth_l1_beta0", lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.0)),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,fn", LOSS_FNS, ids=[n for n, _ in LOSS_FNS])
def test_robust_losses_gradcheck(name, fn, reduction):
    x, y = _t((4, 5), 50), _t((4, 5), 51)
    assert gradcheck(lambda x, y: fn(x, y, reduction), [x, y])
    assert gradgradcheck(lambda x, y: fn(x, y, reduction), [x, y])


@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_gradcheck(reduction, log_target):
    x = tg.Tensor(np.log(_softmax(_np((3, 4), 52))), dtype=tg.float64, requires_grad=True)
    p = _softmax(_np((3, 4), 53))
    y = tg.Tensor(np.log(p) if log_target else p, dtype=tg.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(lambda x, y: F.kl_div(x, y, reduction=reduction, log_target=log_target), [x, y])
        assert gradgradcheck(lambda x, y: F.kl_div(x, y, reduction=reduction, log_target=log_target), [x, y])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_robust_losses_match_torch(reduction, dtype):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    xn, yn, wn = _np((5, 3), 54, dtype) * 2, _np((5, 3), 55, dtype), np.abs(_np((5, 3), 56, dtype))
    tol = 1e-6 if dtype == "float32" else 1e-12
    cases = [
        (lambda x, y: F.huber_loss(x, y, reduction), lambda x, y: tf.huber_loss(x, y, reduction)),
        (lambda x, y: F.huber_loss(x, y, reduction, delta=0.3, weight=tg.Tensor(wn, dtype=dtype)),
         lambda x, y: tf.huber_loss(x, y, reduction, delta=0.3, weight=torch.tensor(wn))),
        (lambda x, y: F.smooth_l1_loss(x, y, reduction=reduction, beta=1.7),
         lambda x, y: tf.smooth_l1_loss(x, y, reduction=reduction, beta=1.7)),
        (lambda x, y: F.smooth_l1_loss(x, y, reduction=reduction, beta=0.0),
         lambda x, y: tf.smooth_l1_loss(x, y, reduction=reduction, beta=0.0)),
    ]
    for ours_fn, torch_fn in cases:
        x, y = (tg.Tensor(a, dtype=dtype, requires_grad=True) for a in (xn, yn))
        xt, yt = (torch.tensor(a, requires_grad=True) for a in (xn, yn))
        out, out_t = ours_fn(x, y), torch_fn(xt, yt)
        assert out.dtype == np.dtype(dtype)
        _close(out, out_t, tol)
        _backward_both(torch, out, out_t, 57)
        _close(x.grad, xt.grad, tol)
        _close(y.grad, yt.grad, tol)


@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    torch = pytest.importorskip("torch")
    xn = np.log(_softmax(_np((4, 5), 58)))
    pn = _softmax(_np((4, 5), 59) * 3)
    pn[0, 1] = 0.0  # a zero probability contributes 0 (0·log 0 = 0)
    tn = np.log(pn + 1e-30) if log_target else pn
    x, t = tg.Tensor(xn, dtype=tg.float64, requires_grad=True), tg.Tensor(tn, dtype=tg.float64)
    xt, tt = torch.tensor(xn, requires_grad=True), torch.tensor(tn)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = F.kl_div(x, t, reduction=reduction, log_target=log_target)
        out_t = torch.nn.functional.kl_div(xt, tt, reduction=reduction, log_target=log_target)
    assert any("batchmean" in str(w.message) for w in caught) == (reduction == "mean")
    _close(out, out_t)
    _backward_both(torch, out, out_t, 60)
    _close(x.grad, xt.grad)
    module = nn.KLDivLoss(reduction=reduction, log_target=log_target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _close(module(x, t), out_t)


def test_loss_modules_and_errors():
    torch = pytest.importorskip("torch")
    xn, yn = _np((3, 4), 61, "float32"), _np((3, 4), 62, "float32")
    pairs = [(nn.HuberLoss(delta=0.5), torch.nn.HuberLoss(delta=0.5)),
             (nn.HuberLoss(reduction="sum"), torch.nn.HuberLoss(reduction="sum")),
             (nn.SmoothL1Loss(beta=0.2, reduction="none"), torch.nn.SmoothL1Loss(beta=0.2, reduction="none"))]
    for ours, theirs in pairs:
        _close(ours(tg.Tensor(xn), tg.Tensor(yn)), theirs(torch.tensor(xn), torch.tensor(yn)), 1e-6)
    with pytest.warns(UserWarning, match="deprecated"):
        legacy = nn.SmoothL1Loss(size_average=False)
    assert legacy.reduction == "sum"
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        F.huber_loss(tg.randn(3), tg.randn(3), delta=0.0)
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(tg.randn(3), tg.randn(3), beta=-1.0)
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'batchmean'"):
        F.kl_div(tg.randn(3), tg.randn(3), reduction="avg")
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.HuberLoss(reduction="batchmean")
    with pytest.warns(UserWarning, match="target size"):
        F.huber_loss(tg.randn(3, 2), tg.randn(3, 1))


# ============================================================================ Embedding


def test_embedding_gradcheck_and_its_deliberate_gradient_changes():
    idx = tg.tensor([[1, 2, 2], [0, 4, 2]])
    w = _t((5, 3), 70)
    assert gradcheck(lambda w: F.embedding(idx, w), [w])
    assert gradgradcheck(lambda w: F.embedding(idx, w) ** 2, [w])
    # padding_idx and scale_grad_by_freq change the true gradient on purpose (as torch):
    # the padding row gets none, and each row's is divided by its count in the batch
    g = _np((2, 3, 3), 72)
    true = tg.autograd.grad(F.embedding(idx, w), [w], tg.Tensor(g, dtype=tg.float64))[0].numpy()
    padded = tg.autograd.grad(F.embedding(idx, w, padding_idx=2), [w], tg.Tensor(g, dtype=tg.float64))[0].numpy()
    np.testing.assert_array_equal(padded[2], 0)
    np.testing.assert_allclose(np.delete(padded, 2, 0), np.delete(true, 2, 0))
    scaled = tg.autograd.grad(F.embedding(idx, w, scale_grad_by_freq=True), [w], tg.Tensor(g, dtype=tg.float64))[0]
    counts = np.array([1, 1, 3, 0, 1])[:, None]
    np.testing.assert_allclose(scaled.numpy(), true / np.maximum(counts, 1))


@pytest.mark.parametrize("kw", [dict(), dict(padding_idx=1), dict(padding_idx=-2), dict(scale_grad_by_freq=True),
                                dict(max_norm=1.0), dict(max_norm=0.5, norm_type=1.0, padding_idx=0)])
def test_embedding_matches_torch(kw):
    torch = pytest.importorskip("torch")
    ours = nn.Embedding(6, 4, **kw)
    theirs = torch.nn.Embedding(6, 4, **kw)
    assert repr(ours) == repr(theirs)
    if "padding_idx" in kw:
        assert not ours.weight.detach().numpy()[kw["padding_idx"]].any()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.detach().numpy()))
    idx = np.array([[0, 1, 4, 1], [5, 4, 4, 3]])
    y, yt = ours(tg.tensor(idx)), theirs(torch.tensor(idx))
    _close(y, yt, 1e-6)
    _close(ours.weight, theirs.weight, 1e-6)  # max_norm renormalises the table in place, as torch
    _backward_both(torch, y, yt, 71)
    _close(ours.weight.grad, theirs.weight.grad, 1e-6)


def test_embedding_init_from_pretrained_and_errors():
    torch = pytest.importorskip("torch")
    tg.manual_seed(0)
    e = nn.Embedding(2000, 8, padding_idx=3)
    w = e.weight.detach().numpy()
    assert abs(w.mean()) < 0.05 and abs(w.std() - 1) < 0.05 and not w[3].any()  # N(0, 1), padding row zero
    table = np.arange(6.0).reshape(3, 2)
    frozen = nn.Embedding.from_pretrained(tg.Tensor(table))
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(tg.tensor([2, 0])).numpy(), [[4, 5], [0, 1]])
    assert nn.Embedding.from_pretrained(tg.Tensor(table), freeze=False).weight.requires_grad
    out = F.embedding(tg.tensor([[0, 2]]), tg.Tensor(table))
    np.testing.assert_array_equal(out.numpy(), torch.nn.functional.embedding(
        torch.tensor([[0, 2]]), torch.tensor(table, dtype=torch.float32)).numpy())
    with pytest.raises(IndexError, match="index 3 out of range for 3 embeddings"):
        F.embedding(tg.tensor([0, 3]), tg.Tensor(table))
    with pytest.raises(IndexError, match="index -1 out of range"):
        F.embedding(tg.tensor([-1]), tg.Tensor(table))
    with pytest.raises(RuntimeError, match="integer indices"):
        F.embedding(tg.tensor([0.0, 1.0]), tg.Tensor(table))
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(AssertionError, match="2-dimensional"):
        nn.Embedding.from_pretrained(tg.Tensor(np.zeros(3)))
    with pytest.raises(NotImplementedError, match="sparse"):
        nn.Embedding(3, 2, sparse=True)(tg.tensor([0]))


# ============================================================================ Identity, Flatten, Unflatten


def test_identity_flatten_unflatten_match_torch():
    torch = pytest.importorskip("torch")
    xn = _np((2, 3, 4, 5), 80, "float32")
    pairs = [(nn.Identity(7, unused=True), torch.nn.Identity(7, unused=True)),
             (nn.Flatten(), torch.nn.Flatten()), (nn.Flatten(0, 2), torch.nn.Flatten(0, 2)),
             (nn.Unflatten(1, (3, 1)), torch.nn.Unflatten(1, (3, 1))),
             (nn.Unflatten(-1, (5, 1)), torch.nn.Unflatten(-1, (5, 1)))]
    for ours, theirs in pairs:
        _close(ours(tg.Tensor(xn)), theirs(torch.tensor(xn)), 0)
        assert repr(ours) == repr(theirs)


# ============================================================================ cross-entropy with probability targets


@pytest.mark.parametrize("kw", [dict(), dict(label_smoothing=0.2), dict(reduction="sum"),
                                dict(reduction="none", label_smoothing=0.1), dict(weight=[0.5, 2.0, 1.0, 1.5])])
def test_cross_entropy_probability_targets_get_gradients(kw):
    kw = dict(kw)
    weight = kw.pop("weight", None)
    x = _t((3, 4), 90)
    q = tg.Tensor(_softmax(_np((3, 4), 91)), dtype=tg.float64, requires_grad=True)
    w = None if weight is None else tg.Tensor(weight, dtype=tg.float64)
    assert gradcheck(lambda x, q: F.cross_entropy(x, q, weight=w, **kw), [x, q])
    assert gradgradcheck(lambda x, q: F.cross_entropy(x, q, weight=w, **kw), [x, q])
    torch = pytest.importorskip("torch")
    xt = torch.tensor(x.detach().numpy(), requires_grad=True)
    qt = torch.tensor(q.detach().numpy(), requires_grad=True)
    wt = None if weight is None else torch.tensor(weight, dtype=torch.float64)
    out, out_t = F.cross_entropy(x, q, weight=w, **kw), torch.nn.functional.cross_entropy(xt, qt, weight=wt, **kw)
    _close(out, out_t)
    _backward_both(torch, out, out_t, 92)
    _close(x.grad, xt.grad)
    _close(q.grad, qt.grad)
    # without a gradient on the target the fused op gives the same loss
    _close(F.cross_entropy(x.detach(), q.detach(), weight=w, **kw), out_t)


def test_cross_entropy_probability_targets_nd_match_torch():
    torch = pytest.importorskip("torch")
    xn = _np((2, 3, 4, 2), 93)
    qn = _softmax(_np((2, 3, 4, 2), 94))
    x, q = tg.Tensor(xn, dtype=tg.float64, requires_grad=True), tg.Tensor(qn, dtype=tg.float64, requires_grad=True)
    xt, qt = torch.tensor(xn, requires_grad=True), torch.tensor(qn, requires_grad=True)
    loss = nn.CrossEntropyLoss(label_smoothing=0.3)(x, q)
    loss_t = torch.nn.CrossEntropyLoss(label_smoothing=0.3)(xt, qt)
    _close(loss, loss_t)
    loss.backward()
    loss_t.backward()
    _close(x.grad, xt.grad)
    _close(q.grad, qt.grad)
