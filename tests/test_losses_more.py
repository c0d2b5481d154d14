"""Losses against PyTorch: the argument combinations of the existing losses not covered elsewhere
(weights, pos_weight, log_target, beta/delta, weight + smoothing + ignore_index, legacy arguments),
and the margin / embedding / likelihood losses of ``torch.nn``: values and gradients in float32 and
float64 for every reduction, gradient checks in float64, stability, exception types as torch."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.nn.functional as F
from tests.test_functional_nn import _close
from tests.test_tensor_torch_api import _builtin
from tinygrad_ru.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
tf = torch.nn.functional

DTYPES = [("float32", 1e-5), ("float64", 1e-10)]
REDUCTIONS = ["mean", "sum", "none"]


def _both(a, dtype, grad):
    """The same array as our Tensor and torch's (constants: integer labels keep their dtype)."""
    a = np.asarray(a)
    if a.dtype.kind == "f":
        a = a.astype(dtype)
    grad = bool(grad)
    return tg.Tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def check_parity(ours, theirs, arrays, grads, dtype, tol, seed=0):
    """ours(*tensors) against theirs(*torch tensors): the value, then every gradient that both ask for,
    after a random output gradient."""
    pairs = [_both(a, dtype, g) for a, g in zip(arrays, grads)]
    y, yt = ours(*[p[0] for p in pairs]), theirs(*[p[1] for p in pairs])
    _close(y, yt, tol)
    if not any(grads):
        return
    g = np.random.default_rng(seed).standard_normal(yt.shape).astype(dtype)
    y.backward(tg.Tensor(g))
    yt.backward(torch.tensor(g))
    for (x, xt), wanted in zip(pairs, grads):
        if wanted:
            _close(x.grad, xt.grad, tol)


def same_exception(fn):
    """fn(framework) raises in torch and in tinygrad_ru, with the same built-in exception class."""
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(tg)
    assert _builtin(ours.value) is _builtin(theirs.value), (str(ours.value), str(theirs.value))


RNG = np.random.default_rng(7)
X45 = 2 * RNG.standard_normal((4, 5))
Y45 = RNG.standard_normal((4, 5))
P45 = RNG.uniform(0.05, 0.95, (4, 5))
U45 = RNG.uniform(0, 1, (4, 5))
W45 = RNG.uniform(0.5, 2.0, (4, 5))
W5 = RNG.uniform(0.5, 2.0, 5)
LOGQ = np.log(RNG.dirichlet(np.ones(5), 4))
LOGP = np.log(RNG.dirichlet(np.ones(5), 4))
PROBS = RNG.dirichlet(np.ones(5), 4)


# ============================================================================ audit of the existing losses

def _const(name, w):
    """A loss keyword argument that takes a constant tensor: built per framework, of the input's dtype."""
    return lambda fw, dtype: {name: fw.tensor(np.asarray(w).astype(dtype))}


# (id, our fn, torch fn, arrays, which need a gradient, extra kwargs as fw -> dict)
AUDIT = [
    ("bce_weight_full", F.binary_cross_entropy, tf.binary_cross_entropy, [P45, U45], [1, 1], _const("weight", W45)),
    ("bce_weight_row", F.binary_cross_entropy, tf.binary_cross_entropy, [P45, U45], [1, 1], _const("weight", W5)),
    ("bcewl_pos_weight", F.binary_cross_entropy_with_logits, tf.binary_cross_entropy_with_logits,
     [3 * X45, U45], [1, 1], _const("pos_weight", W5)),
    ("bcewl_weight_full", F.binary_cross_entropy_with_logits, tf.binary_cross_entropy_with_logits,
     [3 * X45, U45], [1, 1], _const("weight", W45)),
    ("bcewl_both", F.binary_cross_entropy_with_logits, tf.binary_cross_entropy_with_logits, [3 * X45, U45], [1, 1],
     lambda fw, dt: {**_const("weight", W5[:, None][:4])(fw, dt), **_const("pos_weight", W5)(fw, dt)}),
    ("kl_log_target", lambda x, y, **k: F.kl_div(x, y, log_target=True, **k),
     lambda x, y, **k: tf.kl_div(x, y, log_target=True, **k), [LOGQ, LOGP], [1, 1], None),
    ("kl_probs", F.kl_div, tf.kl_div, [LOGQ, np.exp(LOGP)], [1, 1], None),
    ("smooth_l1_beta_half", lambda x, y, **k: F.smooth_l1_loss(x, y, beta=0.5, **k),
     lambda x, y, **k: tf.smooth_l1_loss(x, y, beta=0.5, **k), [X45, Y45], [1, 1], None),
    ("smooth_l1_beta_2", lambda x, y, **k: F.smooth_l1_loss(x, y, beta=2.0, **k),
     lambda x, y, **k: tf.smooth_l1_loss(x, y, beta=2.0, **k), [X45, Y45], [1, 1], None),
    ("smooth_l1_beta_0", lambda x, y, **k: F.smooth_l1_loss(x, y, beta=0.0, **k),
     lambda x, y, **k: tf.smooth_l1_loss(x, y, beta=0.0, **k), [X45, Y45], [1, 1], None),
    ("huber_delta_half", lambda x, y, **k: F.huber_loss(x, y, delta=0.5, **k),
     lambda x, y, **k: tf.huber_loss(x, y, delta=0.5, **k), [X45, Y45], [1, 1], None),
    ("huber_delta_3_weight", lambda x, y, **k: F.huber_loss(x, y, delta=3.0, **k),
     lambda x, y, **k: tf.huber_loss(x, y, delta=3.0, **k), [X45, Y45], [1, 1], _const("weight", W45)),
    ("mse_weight", F.mse_loss, tf.mse_loss, [X45, Y45], [1, 1], _const("weight", W45)),
    ("l1_weight", F.l1_loss, tf.l1_loss, [X45, Y45], [1, 1], _const("weight", W45)),
]


@pytest.mark.parametrize("dtype,tol", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,ours,theirs,arrays,grads,extra", AUDIT, ids=[c[0] for c in AUDIT])
def test_existing_loss_options_match_torch(name, ours, theirs, arrays, grads, extra, reduction, dtype, tol):
    kw_o = extra(tg, dtype) if extra else {}
    kw_t = extra(torch, dtype) if extra else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warns in both
        check_parity(lambda *a: ours(*a, reduction=reduction, **kw_o),
                     lambda *a: theirs(*a, reduction=reduction, **kw_t), arrays, grads, dtype, tol)


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_batchmean_matches_torch(log_target):
    check_parity(lambda x, y: F.kl_div(x, y, reduction="batchmean", log_target=log_target),
                 lambda x, y: tf.kl_div(x, y, reduction="batchmean", log_target=log_target),
                 [LOGQ, LOGP if log_target else np.exp(LOGP)], [1, 1], "float64", 1e-10)


LABELS = np.array([0, 1, 1, 4])
LABELS_3D = np.array([[0, 1, 2], [4, -100, 3]])

# (id, function name, input shape, target, kwargs: weight is a flag)
CLASS_AUDIT = [
    ("ce_weight_smoothing_ignore", "cross_entropy", (4, 5), LABELS, dict(weight=True, label_smoothing=0.2,
                                                                          ignore_index=1)),
    ("ce_weight_smoothing_default_ignore", "cross_entropy", (4, 5), np.array([0, -100, 1, 4]),
     dict(weight=True, label_smoothing=0.2)),
    ("ce_probs_weight", "cross_entropy", (4, 5), PROBS, dict(weight=True)),
    ("ce_probs_weight_smoothing", "cross_entropy", (4, 5), PROBS, dict(weight=True, label_smoothing=0.3)),
    ("ce_3d_weight_smoothing_ignore", "cross_entropy", (2, 5, 3), LABELS_3D, dict(weight=True, label_smoothing=0.1)),
    ("ce_3d_probs_weight_smoothing", "cross_entropy", (2, 5, 3),
     RNG.dirichlet(np.ones(5), (2, 3)).transpose(0, 2, 1).copy(), dict(weight=True, label_smoothing=0.1)),
    ("ce_1d_weight_smoothing", "cross_entropy", (5,), np.array(3), dict(weight=True, label_smoothing=0.1)),
    ("ce_1d_probs_weight", "cross_entropy", (5,), PROBS[0], dict(weight=True)),
    ("nll_weight", "nll_loss", (4, 5), LABELS, dict(weight=True)),
    ("nll_weight_ignore", "nll_loss", (4, 5), LABELS, dict(weight=True, ignore_index=4)),
    ("nll_3d_weight_ignore", "nll_loss", (2, 5, 3), LABELS_3D, dict(weight=True)),
    ("nll_1d_weight", "nll_loss", (5,), np.array(2), dict(weight=True)),
]


@pytest.mark.parametrize("dtype,tol", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,fn,shape,target,kw", CLASS_AUDIT, ids=[c[0] for c in CLASS_AUDIT])
def test_class_loss_combinations_match_torch(name, fn, shape, target, kw, reduction, dtype, tol):
    kw = dict(kw)
    x = 3 * np.random.default_rng(3).standard_normal(shape)
    if fn == "nll_loss":
        x = x - np.log(np.exp(x).sum(axis=int(x.ndim > 1), keepdims=True))  # log-probabilities
    kw_o, kw_t = dict(kw), dict(kw)
    if kw.pop("weight", False):
        kw_o["weight"], kw_t["weight"] = tg.tensor(W5.astype(dtype)), torch.tensor(W5.astype(dtype))
    for probs_grad in ([1, 0], [1, 1]) if np.asarray(target).dtype.kind == "f" else ([1, 0],):
        check_parity(lambda a, t: getattr(F, fn)(a, t, reduction=reduction, **kw_o),
                     lambda a, t: getattr(tf, fn)(a, t, reduction=reduction, **kw_t),
                     [x, target], probs_grad, dtype, tol)


@pytest.mark.parametrize("kw", [dict(), dict(label_smoothing=0.1)])
@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_every_row_ignored_gives_nan_and_zero_gradient_as_torch(fn, kw):
    if fn == "nll_loss" and kw:
        return
    x, xt = _both(np.zeros((2, 3)), "float64", True)
    y = getattr(F, fn)(x, tg.tensor(np.array([-100, -100])), **kw)
    yt = getattr(tf, fn)(xt, torch.tensor([-100, -100]), **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy 0/0 warning: torch gives nan silently
        y.backward()
    yt.backward()
    assert np.isnan(y.item()) and np.isnan(yt.item())
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())


LEGACY = [
    ("mse_loss", lambda fw: [fw.ones(2, 3), fw.zeros(2, 3)]),
    ("l1_loss", lambda fw: [fw.ones(2, 3), fw.zeros(2, 3)]),
    ("binary_cross_entropy", lambda fw: [fw.ones(2, 3) / 3, fw.zeros(2, 3)]),
    ("binary_cross_entropy_with_logits", lambda fw: [fw.ones(2, 3), fw.zeros(2, 3)]),
    ("cross_entropy", lambda fw: [fw.ones(2, 3), fw.tensor([0, 2])]),
    ("nll_loss", lambda fw: [-fw.ones(2, 3), fw.tensor([0, 2])]),
]


@pytest.mark.parametrize("name,make", LEGACY, ids=[c[0] for c in LEGACY])
def test_legacy_size_average_and_reduce_in_torch_positions(name, make):
    """size_average/reduce sit where torch puts them, so positional calls mean the same thing."""
    ours_params = list(inspect.signature(getattr(F, name)).parameters)
    theirs_params = list(inspect.signature(getattr(tf, name)).parameters)
    assert ours_params[:len(theirs_params)] == theirs_params
    for size_average, reduce in ((False, None), (None, False), (True, True)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = getattr(F, name)(*make(tg), size_average=size_average, reduce=reduce)
            yt = getattr(tf, name)(*make(torch), size_average=size_average, reduce=reduce)
        np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-6)


MODULES_LEGACY = ["MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss"]


@pytest.mark.parametrize("name", MODULES_LEGACY)
def test_loss_module_constructors_take_torch_positions(name):
    ours = list(inspect.signature(getattr(nn, name)).parameters)
    theirs = list(inspect.signature(getattr(torch.nn, name)).parameters)
    assert ours[:len(theirs)] == theirs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert getattr(nn, name)(reduce=False).reduction == getattr(torch.nn, name)(reduce=False).reduction


AUDIT_ERRORS = [
    # a weight that requires a gradient: torch's losses are not differentiable in it
    lambda fw: fw.nn.functional.binary_cross_entropy(fw.ones(3) / 2, fw.ones(3), weight=fw.ones(3, requires_grad=True)),
    lambda fw: fw.nn.functional.binary_cross_entropy_with_logits(fw.ones(3), fw.ones(3),
                                                                 pos_weight=fw.ones(3, requires_grad=True)),
    lambda fw: fw.nn.functional.cross_entropy(fw.ones(2, 3), fw.tensor([0, 1]), weight=fw.ones(3, requires_grad=True)),
    lambda fw: fw.nn.functional.nll_loss(fw.ones(2, 3), fw.tensor([0, 1]), weight=fw.ones(3, requires_grad=True)),
    # element weights of the regression losses must have the input's shape
    lambda fw: fw.nn.functional.mse_loss(fw.ones(2, 3), fw.ones(2, 3), weight=fw.ones(3)),
    lambda fw: fw.nn.functional.l1_loss(fw.ones(2, 3), fw.ones(2, 3), weight=fw.ones(3)),
    lambda fw: fw.nn.functional.huber_loss(fw.ones(2, 3), fw.ones(2, 3), weight=fw.ones(3)),
]


@pytest.mark.parametrize("i", range(len(AUDIT_ERRORS)))
def test_audit_exception_types_as_torch(i):
    same_exception(AUDIT_ERRORS[i])


# ============================================================================ margin, embedding, likelihood

SIGNS4 = np.array([1.0, -1.0, -1.0, 1.0])
SIGNS45 = np.where(RNG.uniform(size=(4, 5)) > 0.5, 1.0, -1.0)
D3 = RNG.standard_normal((4, 3))
POS45 = RNG.uniform(0.2, 3.0, (4, 5))
COUNTS45 = RNG.poisson(2.0, (4, 5)).astype(float)
CLASSES = np.array([2, 0, 4, 4])
MULTILABEL = np.array([[3, 0, -1, 1, 2], [1, 2, 4, 0, 3], [-1, 1, 2, 3, 4], [4, 4, -1, 0, 0]])


def _fn(name, **kw):
    """F.name and tf.name with the same keyword arguments; a weight array becomes each framework's tensor
    of the test's dtype."""
    def bind(module, fw):
        def call(*a, dtype, **r):
            extra = {k: fw.tensor(v.astype(dtype)) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
            return getattr(module, name)(*a, **extra, **r)
        return call
    return bind(F, tg), bind(tf, torch)


# (id, (ours, theirs), arrays, which need a gradient, gradgradcheck too; None: no gradcheck, the gradient is
# torch's convention rather than the derivative — Gaussian NLL's var clamp passes var's gradient unclamped)
NEW = [
    ("margin_ranking", _fn("margin_ranking_loss"), [Y45[:, 0], X45[:, 0], SIGNS4], [1, 1, 0], True),
    ("margin_ranking_margin", _fn("margin_ranking_loss", margin=0.7), [Y45, X45, SIGNS45], [1, 1, 0], True),
    ("hinge_embedding", _fn("hinge_embedding_loss"), [X45, SIGNS45], [1, 0], True),
    ("hinge_embedding_margin", _fn("hinge_embedding_loss", margin=2.5), [POS45, SIGNS45], [1, 0], True),
    ("soft_margin", _fn("soft_margin_loss"), [X45, SIGNS45], [1, 0], True),
    ("cosine_embedding", _fn("cosine_embedding_loss"), [X45, Y45, SIGNS4], [1, 1, 0], True),
    ("cosine_embedding_margin", _fn("cosine_embedding_loss", margin=-0.3), [X45, Y45, SIGNS4], [1, 1, 0], True),
    ("cosine_embedding_1d", _fn("cosine_embedding_loss", margin=0.1), [X45[0], Y45[0], np.array(-1.0)],
     [1, 1, 0], True),
    ("gaussian_nll", _fn("gaussian_nll_loss"), [X45, Y45, POS45], [1, 1, 1], True),
    ("gaussian_nll_full_row_var", _fn("gaussian_nll_loss", full=True), [X45, Y45, POS45[:, 0]], [1, 1, 1], True),
    ("gaussian_nll_size1_var", _fn("gaussian_nll_loss", eps=1e-3), [X45, Y45, POS45[:1]], [1, 1, 1], True),
    ("gaussian_nll_clamped", _fn("gaussian_nll_loss", eps=0.5), [X45, Y45, POS45 - 0.15], [1, 1, 1], None),
    ("poisson_nll", _fn("poisson_nll_loss"), [X45, COUNTS45], [1, 0], True),
    ("poisson_nll_full", _fn("poisson_nll_loss", full=True), [X45, COUNTS45], [1, 0], True),
    ("poisson_nll_rate", _fn("poisson_nll_loss", log_input=False), [POS45, COUNTS45], [1, 1], True),
    ("poisson_nll_rate_full", _fn("poisson_nll_loss", log_input=False, full=True, eps=1e-3),
     [POS45, COUNTS45 + 1.5], [1, 1], True),
    ("multi_margin", _fn("multi_margin_loss"), [X45, CLASSES], [1, 0], True),
    ("multi_margin_p2_weight", _fn("multi_margin_loss", p=2, margin=0.6, weight=W5),
     [X45, CLASSES], [1, 0], True),
    ("multi_margin_1d", _fn("multi_margin_loss", margin=2.0), [X45[0], np.array(3)], [1, 0], True),
    ("multilabel_margin", _fn("multilabel_margin_loss"), [X45, MULTILABEL], [1, 0], True),
    ("multilabel_margin_1d", _fn("multilabel_margin_loss"), [X45[1], MULTILABEL[0]], [1, 0], True),
    ("multilabel_soft_margin", _fn("multilabel_soft_margin_loss"), [X45, U45], [1, 1], True),
    ("multilabel_soft_margin_weight", _fn("multilabel_soft_margin_loss", weight=W5),
     [3 * X45, U45], [1, 1], True),
    ("triplet", _fn("triplet_margin_loss"), [X45, Y45, D3[:, :1] + Y45], [1, 1, 1], True),
    ("triplet_p1_swap", _fn("triplet_margin_loss", p=1, margin=2.0, swap=True), [X45, Y45, 0.5 * Y45 + 0.3],
     [1, 1, 1], True),
    ("triplet_p3_eps", _fn("triplet_margin_loss", p=3, eps=1e-3, margin=1.5), [X45, Y45, POS45], [1, 1, 1], True),
    ("triplet_1d", _fn("triplet_margin_loss", margin=3.0), [X45[0], Y45[0], POS45[0]], [1, 1, 1], True),
    ("triplet_distance_default", _fn("triplet_margin_with_distance_loss", margin=2.0),
     [X45, Y45, POS45], [1, 1, 1], True),
    ("triplet_distance_cosine_swap",
     (lambda *a, dtype, **r: F.triplet_margin_with_distance_loss(
         *a, distance_function=lambda u, v: 1.0 - (u * v).sum(-1) / ((u * u).sum(-1) * (v * v).sum(-1)).sqrt(),
         swap=True, **r),
      lambda *a, dtype, **r: tf.triplet_margin_with_distance_loss(
          *a, distance_function=lambda u, v: 1.0 - tf.cosine_similarity(u, v), swap=True, **r)),
     [X45, Y45, POS45], [1, 1, 1], True),
]


@pytest.mark.parametrize("dtype,tol", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,fns,arrays,grads,second", NEW, ids=[c[0] for c in NEW])
def test_new_losses_match_torch(name, fns, arrays, grads, second, reduction, dtype, tol):
    ours, theirs = fns
    check_parity(lambda *a: ours(*a, reduction=reduction, dtype=dtype),
                 lambda *a: theirs(*a, reduction=reduction, dtype=dtype), arrays, grads, dtype, tol)


DIFFERENTIABLE = [c for c in NEW if c[4] is not None]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,fns,arrays,grads,second", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_new_losses_gradcheck(name, fns, arrays, grads, second, reduction):
    ours = fns[0]
    inputs = [_both(a, "float64", g)[0] for a, g in zip(arrays, grads)]
    wanted = [i for i, g in enumerate(grads) if g]

    def fn(*xs):
        full = list(inputs)
        for i, x in zip(wanted, xs):
            full[i] = x
        return ours(*full, reduction=reduction, dtype="float64")

    xs = [inputs[i] for i in wanted]
    assert gradcheck(fn, xs)
    if second:
        assert gradgradcheck(fn, xs)


NEW_ERRORS = [  # wrong shapes, values and options: torch's exception types
    lambda fw: fw.nn.functional.margin_ranking_loss(fw.ones(3), fw.ones(3, 1), fw.ones(3)),
    lambda fw: fw.nn.functional.margin_ranking_loss(fw.ones(3), fw.ones(4), fw.ones(3)),
    lambda fw: fw.nn.functional.margin_ranking_loss(fw.ones(3), fw.ones(3), fw.ones(3), reduction="avg"),
    lambda fw: fw.nn.functional.hinge_embedding_loss(fw.ones(3), fw.ones(4)),
    lambda fw: fw.nn.functional.soft_margin_loss(fw.ones(3), fw.ones(4)),
    lambda fw: fw.nn.functional.cosine_embedding_loss(fw.ones(3, 2), fw.ones(3, 4), fw.ones(3)),
    lambda fw: fw.nn.functional.cosine_embedding_loss(fw.ones(3, 2), fw.ones(3, 2), fw.ones(3, 1)),
    lambda fw: fw.nn.functional.cosine_embedding_loss(fw.ones(3, 2, 2), fw.ones(3, 2, 2), fw.ones(3, 2)),
    lambda fw: fw.nn.functional.gaussian_nll_loss(fw.ones(3), fw.ones(3), -fw.ones(3)),
    lambda fw: fw.nn.functional.gaussian_nll_loss(fw.ones(3), fw.ones(3), -1.0),
    lambda fw: fw.nn.functional.gaussian_nll_loss(fw.ones(3, 4), fw.ones(3, 4), fw.ones(2, 4)),
    lambda fw: fw.nn.functional.gaussian_nll_loss(fw.ones(3, 4), fw.ones(3, 4), fw.ones(1, 1)),
    lambda fw: fw.nn.functional.gaussian_nll_loss(fw.ones(3), fw.ones(3), fw.ones(3), reduction="x"),
    lambda fw: fw.nn.functional.poisson_nll_loss(fw.ones(3), fw.ones(3), reduction="x"),
    lambda fw: fw.nn.functional.poisson_nll_loss(fw.ones(3), fw.ones(4)),
    lambda fw: fw.nn.functional.multi_margin_loss(fw.ones(2, 3), fw.tensor([0, 1]), p=3),
    lambda fw: fw.nn.functional.multi_margin_loss(fw.ones(2, 3), fw.tensor([0, 3])),
    lambda fw: fw.nn.functional.multi_margin_loss(fw.ones(2, 3), fw.tensor([0, -1])),
    lambda fw: fw.nn.functional.multi_margin_loss(fw.ones(2, 3), fw.tensor([0, 1, 2])),
    lambda fw: fw.nn.functional.multi_margin_loss(fw.ones(2, 3, 4), fw.tensor([0, 1])),
    lambda fw: fw.nn.functional.multi_margin_loss(fw.ones(2, 3), fw.tensor([0, 1]), weight=fw.ones(3, 1)),
    lambda fw: fw.nn.functional.multi_margin_loss(fw.ones(2, 3), fw.tensor([0, 1]), weight=fw.ones(4)),
    lambda fw: fw.nn.functional.multi_margin_loss(fw.ones(2, 3), fw.ones(2)),
    lambda fw: fw.nn.functional.multilabel_margin_loss(fw.ones(2, 3), fw.tensor([[0, 1], [1, 2]])),
    lambda fw: fw.nn.functional.multilabel_margin_loss(fw.ones(2, 3), fw.tensor([[0, 3, -1], [1, 2, -1]])),
    lambda fw: fw.nn.functional.multilabel_margin_loss(fw.ones(2, 3, 1), fw.tensor([[[0], [1], [2]]] * 2)),
    lambda fw: fw.nn.functional.multilabel_soft_margin_loss(fw.ones(2, 3), fw.ones(2, 4)),
    lambda fw: fw.nn.functional.triplet_margin_loss(fw.ones(2, 3), fw.ones(2, 3), fw.ones(3)),
    lambda fw: fw.nn.functional.triplet_margin_loss(fw.ones(2, 3), fw.ones(2, 3), fw.ones(2, 3), margin=0),
    lambda fw: fw.nn.functional.triplet_margin_loss(fw.ones(2, 3), fw.ones(2, 4), fw.ones(2, 3)),
    lambda fw: fw.nn.functional.triplet_margin_with_distance_loss(*[fw.ones(2, 3)] * 3, margin=-1.0),
    lambda fw: fw.nn.functional.triplet_margin_with_distance_loss(fw.ones(2, 3), fw.ones(3), fw.ones(2, 3)),
    lambda fw: fw.nn.functional.triplet_margin_with_distance_loss(*[fw.ones(2, 3)] * 3, reduction="x"),
    lambda fw: fw.nn.MultiMarginLoss(p=3)(fw.ones(2, 3), fw.tensor([0, 1])),
    lambda fw: fw.nn.TripletMarginLoss(margin=0)(fw.ones(2, 3), fw.ones(2, 3), fw.ones(2, 3)),
]


@pytest.mark.parametrize("i", range(len(NEW_ERRORS)))
def test_new_loss_exception_types_as_torch(i):
    same_exception(NEW_ERRORS[i])


# ============================================================================ modules

# (name, constructor kwargs, forward arrays); weights are given as arrays and become tensors
MODULES = [
    ("MarginRankingLoss", dict(margin=0.3, reduction="sum"), [Y45[:, 0], X45[:, 0], SIGNS4]),
    ("HingeEmbeddingLoss", dict(margin=1.5), [X45, SIGNS45]),
    ("SoftMarginLoss", dict(reduction="none"), [X45, SIGNS45]),
    ("CosineEmbeddingLoss", dict(margin=0.2), [X45, Y45, SIGNS4]),
    ("GaussianNLLLoss", dict(full=True, eps=1e-2), [X45, Y45, POS45]),
    ("PoissonNLLLoss", dict(log_input=False, full=True), [POS45, COUNTS45 + 1.5]),
    ("MultiMarginLoss", dict(p=2, margin=0.5, weight=W5), [X45, CLASSES]),
    ("MultiLabelMarginLoss", dict(reduction="sum"), [X45, MULTILABEL]),
    ("MultiLabelSoftMarginLoss", dict(weight=W5), [X45, U45]),
    ("TripletMarginLoss", dict(margin=2.0, p=1, swap=True), [X45, Y45, POS45]),
    ("TripletMarginWithDistanceLoss", dict(margin=1.5, swap=True), [X45, Y45, POS45]),
]


@pytest.mark.parametrize("name,kw,arrays", MODULES, ids=[m[0] for m in MODULES])
def test_new_loss_modules_match_torch(name, kw, arrays):
    ours_kw = {k: tg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    theirs_kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    ours, theirs = getattr(nn, name)(**ours_kw), getattr(torch.nn, name)(**theirs_kw)
    grads = [np.asarray(a).dtype.kind == "f" and not (a is SIGNS4 or a is SIGNS45) for a in arrays]
    check_parity(ours, theirs, arrays, grads, "float64", 1e-10)
    assert list(inspect.signature(type(ours)).parameters) == list(inspect.signature(type(theirs)).parameters)


def test_legacy_arguments_of_the_new_modules():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss",
                     "PoissonNLLLoss", "MultiMarginLoss", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss",
                     "TripletMarginLoss"):
            assert getattr(nn, name)(reduce=False).reduction == getattr(torch.nn, name)(reduce=False).reduction
            assert getattr(nn, name)(size_average=False).reduction == "sum"


def test_nll_loss_2d_is_the_deprecated_alias():
    x = np.log(RNG.dirichlet(np.ones(3), (2, 4, 5)).transpose(0, 3, 1, 2).copy())
    labels = RNG.integers(0, 3, (2, 4, 5))
    with pytest.warns(UserWarning, match="NLLLoss2d has been deprecated"):
        ours = nn.NLLLoss2d(weight=tg.tensor(W5[:3]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.NLLLoss2d(weight=torch.tensor(W5[:3]))
    assert isinstance(ours, nn.NLLLoss)
    check_parity(ours, theirs, [x, labels], [1, 0], "float64", 1e-10)


# ============================================================================ extreme inputs


def test_margin_losses_are_finite_at_huge_margins():
    """−y·x = ±1000: log(1 + e^{1000}) is 1000 (torch's log1p(exp(·)) gives inf), its gradient ±1."""
    x = tg.tensor([1000.0, -1000.0, 0.0], dtype=tg.float64, requires_grad=True)
    y = tg.tensor([-1.0, -1.0, 1.0], dtype=tg.float64)
    loss = F.soft_margin_loss(x, y, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [1000.0, 0.0, np.log(2)], rtol=1e-12)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 0.0, -0.5], rtol=1e-12)
    x.grad = None
    loss = F.multilabel_soft_margin_loss(x[None], tg.tensor([[0.0, 1.0, 1.0]], dtype=tg.float64), reduction="sum")
    np.testing.assert_allclose(loss.item(), (1000.0 + 1000.0 + np.log(2)) / 3, rtol=1e-12)
    loss.backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_gaussian_nll_zero_variance_is_clamped_by_eps_as_torch():
    x, xt = _both(np.array([0.5, 1.0, 2.0]), "float64", True)
    v, vt = _both(np.zeros(3), "float64", True)
    y = F.gaussian_nll_loss(x, tg.zeros(3, dtype=tg.float64), v, eps=1e-6)
    yt = tf.gaussian_nll_loss(xt, torch.zeros(3, dtype=torch.float64), vt, eps=1e-6)
    _close(y, yt, 1e-12)
    y.backward()
    yt.backward()
    assert np.isfinite(v.grad.numpy()).all() and np.isfinite(x.grad.numpy()).all()
    _close(v.grad, vt.grad, 1e-12)
    _close(x.grad, xt.grad, 1e-12)


def test_poisson_full_stirling_term_only_where_the_target_exceeds_one():
    """The masked term has no gradient where y ≤ 1, even for y = 0 (torch's target gradient is 0·log 0 = nan)."""
    x = tg.tensor([0.3, -0.2, 1.0, 2.0], dtype=tg.float64, requires_grad=True)
    y = tg.tensor([0.0, 1.0, 2.0, 7.0], dtype=tg.float64, requires_grad=True)
    plain = F.poisson_nll_loss(x, y, reduction="none").detach().numpy()
    full = F.poisson_nll_loss(x, y, full=True, reduction="none")
    stirling = [0.0, 0.0, 2 * np.log(2) - 2 + 0.5 * np.log(4 * np.pi), 7 * np.log(7) - 7 + 0.5 * np.log(14 * np.pi)]
    np.testing.assert_allclose(full.detach().numpy() - plain, stirling, rtol=1e-12, atol=1e-15)
    full.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(y.grad.numpy()[:2], -x.detach().numpy()[:2])  # ∂(eˣ − y·x)/∂y only


def test_cosine_embedding_of_zero_vectors_is_finite():
    x, xt = _both(np.zeros((2, 3)), "float64", True)
    y = F.cosine_embedding_loss(x, x * 1.0, tg.tensor([1.0, -1.0]))
    yt = tf.cosine_embedding_loss(xt, xt * 1.0, torch.tensor([1.0, -1.0]))
    _close(y, yt, 1e-12)
    y.backward()
    yt.backward()
    _close(x.grad, xt.grad, 1e-12)


def test_soft_margin_target_must_broadcast_to_the_input():
    same_exception(lambda fw: fw.nn.functional.soft_margin_loss(fw.ones(3), fw.ones(3, 1)))


@pytest.mark.parametrize("name", ["soft_margin_loss", "hinge_embedding_loss", "mse_loss", "l1_loss", "nll_loss"])
def test_the_legacy_argument_warning_names_the_callers_line(name):
    x = tg.randn(2, 3).log_softmax(1) if name == "nll_loss" else tg.randn(3)
    y = tg.tensor([0, 1]) if name == "nll_loss" else tg.randn(3).sign()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(F, name)(x, y, size_average=False)
    assert [w.filename for w in caught] == [__file__]
