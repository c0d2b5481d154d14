"""linear, softmax, losses, dropout, batch/layer norm, penalties: gradient checks, stability,
errors and PyTorch parity."""

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn.functional as F
from tinygrad_ru.autograd import gradcheck, gradgradcheck


def _t(shape, seed, requires_grad=True, scale=1.0):
    rng = np.random.default_rng(seed)
    return tg.Tensor(scale * rng.standard_normal(shape), dtype=tg.float64, requires_grad=requires_grad)


LABELS = tg.Tensor(np.array([0, 2, 1, 2]))


# ----------------------------------------------------------------------------- linear, softmax


def test_linear_gradcheck_and_double_backward():
    x, w, b = _t((4, 3), 0), _t((5, 3), 1), _t((5,), 2)
    assert gradcheck(F.linear, [x, w, b])
    assert gradcheck(lambda x, w: F.linear(x, w), [_t((2, 4, 3), 3), w])  # batched input, no bias
    assert gradgradcheck(lambda x, w, b: F.tanh(F.linear(x, w, b)), [x, w, b])


def test_linear_skips_input_grad_and_checks_shapes():
    x, w = _t((4, 3), 0, requires_grad=False), _t((5, 3), 1)
    F.linear(x, w).sum().backward()
    assert x.grad is None and w.grad is not None
    with pytest.raises(RuntimeError, match=r"linear: input of shape \(4, 3\) has 3 features.*expects 4"):
        F.linear(x, tg.randn(5, 4))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_log_softmax_gradcheck(dim):
    x = _t((3, 4), 4)
    assert gradcheck(lambda x: F.softmax(x, dim), [x])
    assert gradcheck(lambda x: F.log_softmax(x, dim), [x])
    assert gradgradcheck(lambda x: F.log_softmax(x, dim), [x])
    assert gradgradcheck(lambda x: F.softmax(x, dim), [x])


def test_softmax_is_stable_for_huge_logits():
    x = tg.Tensor([[1e4, 0.0, -1e4], [-1e30, -1e30, 5.0], [1e4, 1e4, 1e4]], requires_grad=True)
    p, lp = F.softmax(x, 1), F.log_softmax(x, 1)
    assert np.isfinite(p.detach().numpy()).all() and np.isfinite(lp.detach().numpy()).all()
    np.testing.assert_allclose(p.detach().numpy()[0], [1, 0, 0])
    np.testing.assert_allclose(lp.detach().numpy()[0], [0, -1e4, -2e4])
    np.testing.assert_allclose(p.detach().numpy()[2], [1 / 3] * 3, rtol=1e-6)
    loss = F.cross_entropy(x, tg.Tensor(np.array([1, 0, 2])))
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(loss.item(), (1e4 + 1e30 + np.log(3)) / 3, rtol=1e-6)


# ----------------------------------------------------------------------------- NLL, cross-entropy


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_and_cross_entropy_gradcheck(reduction):
    x, w = _t((4, 3), 5), tg.Tensor([0.2, 1.0, 3.0], dtype=tg.float64)
    assert gradcheck(lambda x: F.nll_loss(F.log_softmax(x, 1), LABELS, reduction=reduction), [x])
    assert gradcheck(lambda x: F.nll_loss(x, LABELS, weight=w, reduction=reduction), [x])
    for kw in ({}, dict(weight=w), dict(label_smoothing=0.2), dict(label_smoothing=0.3, smoothing_form="lecture"),
               dict(weight=w, label_smoothing=0.1), dict(ignore_index=2)):
        assert gradcheck(lambda x, kw=kw: F.cross_entropy(x, LABELS, reduction=reduction, **kw), [x])
    assert gradgradcheck(lambda x: F.cross_entropy(x, LABELS, reduction=reduction, label_smoothing=0.1), [x])


def test_cross_entropy_equals_log_softmax_plus_nll_and_handles_nd():
    x = _t((2, 3, 4, 5), 6)
    t = tg.Tensor(np.random.default_rng(0).integers(0, 3, (2, 4, 5)))
    a = F.cross_entropy(x, t, reduction="none")
    b = F.nll_loss(F.log_softmax(x, 1), t, reduction="none")
    assert a.shape == (2, 4, 5)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)
    t2 = tg.Tensor(np.array([[[0, 2], [1, 1]], [[2, 0], [0, 1]]]))
    assert gradcheck(lambda x: F.cross_entropy(x, t2, label_smoothing=0.1), [_t((2, 3, 2, 2), 7)])


def test_label_smoothing_forms():
    x = _t((1, 4), 8, requires_grad=False)
    t = tg.Tensor(np.array([1]))
    lp = F.log_softmax(x, 1).numpy()[0]
    eps, k = 0.2, 4
    q_torch = np.full(k, eps / k)
    q_torch[1] += 1 - eps
    q_lecture = np.full(k, eps / (k - 1))
    q_lecture[1] = 1 - eps
    np.testing.assert_allclose(F.cross_entropy(x, t, label_smoothing=eps).item(), -(q_torch * lp).sum())
    np.testing.assert_allclose(F.cross_entropy(x, t, label_smoothing=eps, smoothing_form="lecture").item(),
                               -(q_lecture * lp).sum())


def test_nll_errors():
    x = tg.randn(3, 4)
    with pytest.raises(IndexError, match="target label 7 is out of range for 4 classes"):
        F.nll_loss(x, tg.Tensor(np.array([0, 7, 1])))
    with pytest.raises(IndexError, match="target label -1 is out of range for 4 classes"):
        F.cross_entropy(x, tg.Tensor(np.array([0, -1, 1])))
    F.nll_loss(x, tg.Tensor(np.array([0, -100, 1])))  # ignore_index is not an error
    with pytest.raises(ValueError, match="target"):
        F.nll_loss(x, tg.Tensor(np.array([0, 1])))
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(x, tg.Tensor(np.array([0, 1, 2])), reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, tg.Tensor(np.array([0, 1, 2])), label_smoothing=1.5)


# ----------------------------------------------------------------------------- regression / binary losses


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_elementwise_losses_gradcheck(reduction):
    x, y = _t((3, 4), 9), _t((3, 4), 10)
    assert gradcheck(lambda x, y: F.mse_loss(x, y, reduction=reduction), [x, y])
    assert gradcheck(lambda x, y: F.l1_loss(x, y, reduction=reduction), [x, y])
    assert gradcheck(lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction), [x, y])
    pw, w = tg.Tensor([0.5, 1.0, 2.0, 3.0], dtype=tg.float64), tg.Tensor([[1.0], [2.0], [0.5]], dtype=tg.float64)
    assert gradcheck(lambda x, y: F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw,
                                                                     reduction=reduction), [x, y])
    p = tg.Tensor(np.random.default_rng(11).uniform(0.05, 0.95, (3, 4)), dtype=tg.float64, requires_grad=True)
    q = tg.Tensor(np.random.default_rng(12).uniform(0, 1, (3, 4)), dtype=tg.float64, requires_grad=True)
    assert gradcheck(lambda p, q: F.binary_cross_entropy(p, q, reduction=reduction), [p, q])
    assert gradcheck(lambda p: F.binary_cross_entropy(p, q.detach(), weight=w, reduction=reduction), [p])


def test_binary_losses_are_stable():
    x = tg.Tensor([-1e4, -50.0, 0.0, 50.0, 1e4], requires_grad=True)
    y = tg.Tensor([1.0, 0.0, 1.0, 1.0, 0.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [1e4, 0.0, np.log(2), 0.0, 1e4], atol=1e-6)
    loss.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    p = tg.Tensor([0.0, 1.0, 0.5], requires_grad=True)
    bce = F.binary_cross_entropy(p, tg.Tensor([1.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(bce.detach().numpy(), [100.0, 100.0, np.log(2)], rtol=1e-6)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(tg.Tensor([1.5]), tg.Tensor([1.0]))


# ----------------------------------------------------------------------------- dropout


@pytest.mark.parametrize("scaling", ["inverted", "lecture"])
def test_dropout(scaling):
    x = _t((20, 30), 13)

    def f(x):
        tg.manual_seed(0)
        return F.dropout(x, 0.3, training=True, scaling=scaling)

    assert gradcheck(f, [x])
    y = f(x).detach().numpy()
    kept = y != 0
    assert 0.6 < kept.mean() < 0.8
    factor = 1 / 0.7 if scaling == "inverted" else 1.0
    np.testing.assert_allclose(y[kept], x.detach().numpy()[kept] * factor)
    test = F.dropout(x, 0.3, training=False, scaling=scaling).detach().numpy()
    np.testing.assert_allclose(test, x.detach().numpy() * (1.0 if scaling == "inverted" else 0.7))
    ones = tg.ones(200, 200)
    tg.manual_seed(1)
    train_mean = F.dropout(ones, 0.3, scaling=scaling).numpy().mean()
    test_mean = F.dropout(ones, 0.3, training=False, scaling=scaling).numpy().mean()
    assert abs(train_mean - test_mean) < 0.02  # same expectation in training and at test


def test_dropout_edges_and_errors():
    x = tg.randn(4, 5)
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), 0)
    assert F.dropout(x, 0.0) is x
    for p in (-0.1, 1.1):
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(x, p)


# ----------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 2, 3)])
def test_batch_norm_training_gradcheck(shape):
    x, w, b = _t(shape, 14), _t((3,), 15), _t((3,), 16)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [x, w, b])
    assert gradcheck(lambda x: F.batch_norm(x, None, None, training=True), [x])
    assert gradgradcheck(lambda x, w: F.batch_norm(x, None, None, w, None, training=True), [x, w])
    rm, rv = tg.Tensor(np.array([0.1, -0.2, 0.3])), tg.Tensor(np.array([1.5, 0.5, 2.0]))
    assert gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), [x, w, b])


def test_batch_norm_constant_input_and_errors():
    x = tg.ones(8, 3, requires_grad=True)
    y = F.batch_norm(x, tg.zeros(3), tg.ones(3), training=True)
    (y * tg.randn(8, 3)).sum().backward()
    assert np.isfinite(y.detach().numpy()).all() and np.isfinite(x.grad.numpy()).all()
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(tg.randn(1, 3), tg.zeros(3), tg.ones(3), training=True)
    with pytest.raises(RuntimeError, match="running_mean must have shape"):
        F.batch_norm(tg.randn(4, 3), tg.zeros(2), tg.ones(3))


@pytest.mark.parametrize("normalized_shape", [4, (3, 4)])
def test_layer_norm_gradcheck(normalized_shape):
    pshape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    x, w, b = _t((2, 3, 4), 17), _t(pshape, 18), _t(pshape, 19)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, normalized_shape, w, b), [x, w, b])
    assert gradcheck(lambda x: F.layer_norm(x, normalized_shape), [x])
    assert gradgradcheck(lambda x, w: F.layer_norm(x, normalized_shape, w), [x, w])
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.layer_norm(x, (5,))


# ----------------------------------------------------------------------------- penalties, helpers


def test_penalties_follow_the_lecture():
    a, b = _t((3,), 20), _t((2, 2), 21)
    l1 = F.l1_penalty([a, b])
    l2 = F.l2_penalty(iter([a, b]))
    an, bn = a.detach().numpy(), b.detach().numpy()
    np.testing.assert_allclose(l1.item(), np.abs(an).sum() + np.abs(bn).sum())
    np.testing.assert_allclose(l2.item(), 0.5 * ((an ** 2).sum() + (bn ** 2).sum()))
    l2.backward()
    np.testing.assert_allclose(a.grad.numpy(), an)  # ∂(½Σθ²)/∂θ = θ: weight decay
    assert gradcheck(lambda a, b: F.l1_penalty([a, b]), [a, b])


def test_prelu_and_one_hot():
    x, a = _t((2, 3, 2), 22), tg.Tensor([0.1, 0.2, 0.3], dtype=tg.float64, requires_grad=True)
    assert gradcheck(F.prelu, [x, a])
    np.testing.assert_array_equal(F.one_hot(tg.Tensor(np.array([2, 0])), 3).numpy(), [[0, 0, 1], [1, 0, 0]])


# ----------------------------------------------------------------------------- PyTorch parity


def _pair(torch, arr, dtype, requires_grad=True):
    return (tg.Tensor(arr, dtype=dtype, requires_grad=requires_grad),
            torch.tensor(arr.astype(dtype), requires_grad=requires_grad))


def _close(ours, theirs, tol):
    ref = theirs.detach().numpy()
    assert ours.dtype == ref.dtype  # no silent float32 → float64 upcast
    np.testing.assert_allclose(ours.detach().numpy(), ref, rtol=tol, atol=tol * (1 + np.abs(ref).max()))


LOSS_CASES = [
    ("cross_entropy", {}),
    ("cross_entropy", dict(label_smoothing=0.1)),
    ("cross_entropy", dict(label_smoothing=0.2, weight=True)),
    ("cross_entropy", dict(weight=True, ignore_index=1)),
    ("cross_entropy", dict(label_smoothing=0.2, ignore_index=0)),
    ("cross_entropy", dict(probs=True, label_smoothing=0.1)),
    ("nll_loss", {}),
    ("nll_loss", dict(weight=True)),
]


@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-10)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,kw", LOSS_CASES)
def test_class_losses_match_torch(name, kw, reduction, dtype, tol):
    torch = pytest.importorskip("torch")
    kw = dict(kw)
    rng = np.random.default_rng(30)
    x, xt = _pair(torch, 3 * rng.standard_normal((6, 4)), dtype)
    labels = np.array([0, 3, 1, 1, 2, 0])
    if kw.pop("probs", False):
        pr = rng.uniform(size=(6, 4))
        pr /= pr.sum(1, keepdims=True)
        t, tt = tg.Tensor(pr, dtype=dtype), torch.tensor(pr.astype(dtype))
    else:
        t, tt = tg.Tensor(labels), torch.tensor(labels)
    if kw.pop("weight", False):
        wn = np.array([0.5, 2.0, 1.0, 3.0])
        kw_ours, kw_torch = dict(kw, weight=tg.Tensor(wn, dtype=dtype)), dict(kw, weight=torch.tensor(wn.astype(dtype)))
    else:
        kw_ours = kw_torch = kw
    ours = getattr(F, name)(x, t, reduction=reduction, **kw_ours)
    theirs = getattr(torch.nn.functional, name)(xt, tt, reduction=reduction, **kw_torch)
    _close(ours, theirs, tol)
    g = rng.standard_normal(ours.shape).astype(dtype)
    ours.backward(tg.Tensor(g, dtype=dtype))
    theirs.backward(torch.tensor(g))
    _close(x.grad, xt.grad, tol)


@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-10)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_elementwise_losses_match_torch(reduction, dtype, tol):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(31)
    tf = torch.nn.functional
    w = rng.uniform(0.5, 2, (1, 5))
    pw = rng.uniform(0.5, 2, (5,))
    cases = [
        (F.mse_loss, tf.mse_loss, rng.standard_normal((4, 5)), rng.standard_normal((4, 5)), {}),
        (F.l1_loss, tf.l1_loss, rng.standard_normal((4, 5)), rng.standard_normal((4, 5)), {}),
        (F.binary_cross_entropy, tf.binary_cross_entropy, rng.uniform(0.01, 0.99, (4, 5)),
         rng.uniform(0, 1, (4, 5)), dict(weight=w)),
        (F.binary_cross_entropy_with_logits, tf.binary_cross_entropy_with_logits, 5 * rng.standard_normal((4, 5)),
         rng.uniform(0, 1, (4, 5)), dict(weight=w, pos_weight=pw)),
    ]
    for ours_fn, torch_fn, xn, yn, extra in cases:
        x, xt = _pair(torch, xn, dtype)
        y, yt = _pair(torch, yn, dtype)
        ours = ours_fn(x, y, reduction=reduction, **{k: tg.Tensor(v, dtype=dtype) for k, v in extra.items()})
        theirs = torch_fn(xt, yt, reduction=reduction, **{k: torch.tensor(v.astype(dtype)) for k, v in extra.items()})
        _close(ours, theirs, tol)
        g = rng.standard_normal(ours.shape).astype(dtype)
        ours.backward(tg.Tensor(g, dtype=dtype))
        theirs.backward(torch.tensor(g))
        _close(x.grad, xt.grad, tol)
        _close(y.grad, yt.grad, tol)


@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-10)])
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 5)])
def test_batch_norm_matches_torch(shape, dtype, tol):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(32)
    x, xt = _pair(torch, 2 + 3 * rng.standard_normal(shape), dtype)
    w, wt = _pair(torch, rng.standard_normal(3), dtype)
    b, bt = _pair(torch, rng.standard_normal(3), dtype)
    rm, rmt = _pair(torch, rng.standard_normal(3), dtype, requires_grad=False)
    rv, rvt = _pair(torch, rng.uniform(0.5, 2, 3), dtype, requires_grad=False)
    for _step in range(2):  # two training steps: the running estimates accumulate
        y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.2)
        yt = torch.nn.functional.batch_norm(xt, rmt, rvt, wt, bt, training=True, momentum=0.2)
        _close(y, yt, tol)
        _close(rm, rmt, tol)
        _close(rv, rvt, tol)
    g = rng.standard_normal(shape).astype(dtype)
    y.backward(tg.Tensor(g, dtype=dtype))
    yt.backward(torch.tensor(g))
    for ours, theirs in ((x, xt), (w, wt), (b, bt)):
        _close(ours.grad, theirs.grad, tol)
    # evaluation with the running estimates
    _close(F.batch_norm(x, rm, rv, w, b, training=False), torch.nn.functional.batch_norm(xt, rmt, rvt, wt, bt), tol)


@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float64", 1e-10)])
def test_layer_norm_and_softmax_match_torch(dtype, tol):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(33)
    x, xt = _pair(torch, rng.standard_normal((3, 4, 5)), dtype)
    w, wt = _pair(torch, rng.standard_normal((4, 5)), dtype)
    b, bt = _pair(torch, rng.standard_normal((4, 5)), dtype)
    g = rng.standard_normal((3, 4, 5)).astype(dtype)
    y = F.layer_norm(x, (4, 5), w, b) + F.softmax(x, 1) * F.log_softmax(x, -1)
    yt = (torch.nn.functional.layer_norm(xt, (4, 5), wt, bt)
          + torch.nn.functional.softmax(xt, 1) * torch.nn.functional.log_softmax(xt, -1))
    _close(y, yt, tol)
    y.backward(tg.Tensor(g, dtype=dtype))
    yt.backward(torch.tensor(g))
    for ours, theirs in ((x, xt), (w, wt), (b, bt)):
        _close(ours.grad, theirs.grad, tol)
