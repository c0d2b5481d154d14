"""Layers: forward and gradients equal PyTorch's for the same weights; parameter names/shapes as torch's;
PReLU gradient checks; input checks; BatchNorm running statistics and modes; Dropout modes."""

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
from tinygrad_ru.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-4, 1e-5


def _np(t):
    return t.detach().numpy()


def _copy_weights(ours, theirs):
    """torch's state_dict into ours (strict: the names and shapes must map one to one)."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def _compare(ours, theirs, x_np, target=None, copy=True, check_state=True):
    """Forward, backward of a fixed random projection, input and parameter gradients: equal to torch."""
    if copy:
        _copy_weights(ours, theirs)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    x = tg.Tensor(x_np, requires_grad=True)
    tx = torch.tensor(x_np, requires_grad=True)
    if target is None:
        out, tout = ours(x), theirs(tx)
    else:
        out, tout = ours(x, tg.Tensor(target)), theirs(tx, torch.tensor(target))
    np.testing.assert_allclose(_np(out), tout.detach().numpy(), rtol=RTOL, atol=ATOL)
    proj = np.random.default_rng(5).standard_normal(out.shape).astype(np.float32)
    (out * tg.Tensor(proj)).sum().backward()
    (tout * torch.tensor(proj)).sum().backward()
    np.testing.assert_allclose(_np(x.grad), tx.grad.numpy(), rtol=RTOL, atol=ATOL)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(_np(p.grad), tparams[name].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=name)
    if check_state:
        tstate = theirs.state_dict()
        for k, v in ours.state_dict().items():
            np.testing.assert_allclose(v.numpy(), tstate[k].numpy(), rtol=RTOL, atol=ATOL, err_msg=k)
    return out


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ----------------------------------------------------------------------------- layers with parameters
@pytest.mark.parametrize("bias", [True, False])
def test_linear(bias):
    _compare(nn.Linear(7, 5, bias=bias), torch.nn.Linear(7, 5, bias=bias), _x(4, 7))
    _compare(nn.Linear(7, 5, bias=bias), torch.nn.Linear(7, 5, bias=bias), _x(2, 3, 7))  # batched leading dims


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 1}, {"padding": (2, 1), "dilation": 2},
                                {"bias": False, "stride": (1, 2)}])
def test_conv2d(kw):
    _compare(nn.Conv2d(3, 4, 3, **kw), torch.nn.Conv2d(3, 4, 3, **kw), _x(2, 3, 9, 8))


def test_conv2d_rectangular_kernel():
    _compare(nn.Conv2d(2, 3, (3, 2)), torch.nn.Conv2d(2, 3, (3, 2)), _x(2, 2, 6, 5))


def test_batchnorm2d_train_then_eval():
    ours, theirs = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-0.5, 0.5)
    _copy_weights(ours, theirs)
    for seed in range(3):  # the running statistics follow torch's updates step by step
        ours.zero_grad()
        theirs.zero_grad()
        _compare(ours, theirs, _x(4, 3, 5, 5, seed=seed) * 2 + 1, copy=False)
    assert int(ours.num_batches_tracked.item()) == 3
    ours.eval()
    theirs.eval()
    _compare(ours, theirs, _x(2, 3, 5, 5, seed=9), copy=False)


@pytest.mark.parametrize("shape", [(8, 4), (6, 4, 5)])
def test_batchnorm1d(shape):
    _compare(nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4), _x(*shape) + 3)


def test_batchnorm_options():
    _compare(nn.BatchNorm1d(4, affine=False), torch.nn.BatchNorm1d(4, affine=False), _x(8, 4))
    ours = nn.BatchNorm1d(4, track_running_stats=False)
    theirs = torch.nn.BatchNorm1d(4, track_running_stats=False)
    _compare(ours, theirs, _x(8, 4))
    ours.eval(); theirs.eval()  # no running stats: batch statistics in eval too
    _compare(ours, theirs, _x(8, 4, seed=2))
    ours, theirs = nn.BatchNorm1d(4, momentum=None), torch.nn.BatchNorm1d(4, momentum=None)  # cumulative average
    for s in range(3):
        _compare(ours, theirs, _x(8, 4, seed=s) * (s + 1), copy=s == 0)
        ours.zero_grad(); theirs.zero_grad()


def test_layernorm():
    ours, theirs = nn.LayerNorm(6), torch.nn.LayerNorm(6)
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-1, 1)
    _compare(ours, theirs, _x(3, 6) * 3)
    _compare(nn.LayerNorm((4, 5)), torch.nn.LayerNorm((4, 5)), _x(2, 3, 4, 5))
    _compare(nn.LayerNorm(5, elementwise_affine=False), torch.nn.LayerNorm(5, elementwise_affine=False), _x(3, 5))


@pytest.mark.parametrize("n", [1, 3])
def test_prelu_vs_torch(n):
    ours, theirs = nn.PReLU(n), torch.nn.PReLU(n)
    with torch.no_grad():
        theirs.weight.uniform_(0.1, 0.5)
    _compare(ours, theirs, _x(4, 3, 5))
    _compare(nn.PReLU(n), torch.nn.PReLU(n), _x(2, 3, 4, 4))


def test_prelu_gradcheck_and_double_backward():
    tg.manual_seed(0)
    x = tg.randn(3, 4, 2, dtype=tg.float64, requires_grad=True)
    x.data[np.abs(x.data) < 1e-3] = 0.5  # keep away from the kink
    for n in (1, 4):
        a = tg.Tensor(np.linspace(0.1, 0.4, n), dtype=tg.float64, requires_grad=True)
        assert gradcheck(lambda x, a: nn.layers.activation.prelu(x, a), [x, a])
        assert gradgradcheck(lambda x, a: nn.layers.activation.prelu(x, a) ** 2, [x, a])


def test_prelu_channel_mismatch():
    with pytest.raises(RuntimeError, match="PReLU: 3 slopes need an input with 3 channels"):
        nn.PReLU(3)(tg.randn(2, 4))


# ----------------------------------------------------------------------------- parameter-free layers
@pytest.mark.parametrize("ours,theirs", [
    (nn.ReLU(), torch.nn.ReLU()), (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)), (nn.ELU(0.7), torch.nn.ELU(0.7)),
    (nn.GELU(), torch.nn.GELU()), (nn.GELU("tanh"), torch.nn.GELU("tanh")), (nn.SiLU(), torch.nn.SiLU()),
    (nn.Swish(), torch.nn.SiLU()), (nn.Sigmoid(), torch.nn.Sigmoid()), (nn.Tanh(), torch.nn.Tanh()),
    (nn.Softplus(), torch.nn.Softplus()), (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    (nn.LogSoftmax(dim=1), torch.nn.LogSoftmax(dim=1)), (nn.Softmax(dim=-1), torch.nn.Softmax(dim=-1)),
    (nn.Identity(), torch.nn.Identity()), (nn.Flatten(), torch.nn.Flatten()),
    (nn.Flatten(0, 1), torch.nn.Flatten(0, 1)), (nn.Unflatten(1, (2, 2)), torch.nn.Unflatten(1, (2, 2))),
    (nn.MaxPool2d(2), torch.nn.MaxPool2d(2)), (nn.MaxPool2d(3, stride=2, padding=1),
                                               torch.nn.MaxPool2d(3, stride=2, padding=1)),
    (nn.AvgPool2d(2), torch.nn.AvgPool2d(2)), (nn.AvgPool2d(3, 1, 1), torch.nn.AvgPool2d(3, 1, 1)),
], ids=lambda m: repr(m))
def test_stateless_layers(ours, theirs):
    _compare(ours, theirs, _x(2, 4, 6, 6) * 3)


def test_softmax_default_dim_follows_torch_legacy_rule():
    import warnings
    for shape in [(5,), (3, 5), (2, 3, 5), (2, 3, 4, 5)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = torch.nn.Softmax()(torch.tensor(_x(*shape))).numpy()
        np.testing.assert_allclose(_np(nn.Softmax()(tg.Tensor(_x(*shape)))), ref, rtol=RTOL, atol=ATOL)


# ----------------------------------------------------------------------------- losses
def _labels(n, c, seed=0):
    return np.random.default_rng(seed).integers(0, c, n).astype(np.int64)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_classification_losses(reduction):
    x, y = _x(6, 4), _labels(6, 4)
    w = np.array([1.0, 2.0, 0.5, 1.5], dtype=np.float32)
    _compare(nn.CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction), x, y)
    _compare(nn.CrossEntropyLoss(weight=w, reduction=reduction),
             torch.nn.CrossEntropyLoss(weight=torch.tensor(w), reduction=reduction), x, y)
    _compare(nn.CrossEntropyLoss(label_smoothing=0.1, reduction=reduction),
             torch.nn.CrossEntropyLoss(label_smoothing=0.1, reduction=reduction), x, y)
    logp = torch.log_softmax(torch.tensor(x), 1).numpy()
    _compare(nn.NLLLoss(reduction=reduction), torch.nn.NLLLoss(reduction=reduction), logp, y)
    y_ign = y.copy()
    y_ign[1] = 2
    _compare(nn.NLLLoss(ignore_index=2, reduction=reduction),
             torch.nn.NLLLoss(ignore_index=2, reduction=reduction), logp, y_ign)


def test_cross_entropy_lecture_smoothing():
    x, y = _x(5, 4), _labels(5, 4)
    eps, k = 0.2, 4
    q = np.full((5, k), eps / (k - 1), dtype=np.float32)
    q[np.arange(5), y] = 1 - eps
    ref = torch.nn.CrossEntropyLoss()(torch.tensor(x), torch.tensor(q)).item()  # soft targets
    ours = nn.CrossEntropyLoss(label_smoothing=eps, smoothing_form="lecture")(tg.Tensor(x), tg.Tensor(y))
    assert float(ours.item()) == pytest.approx(ref, rel=1e-5)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_and_binary_losses(reduction):
    x, t = _x(4, 3), _x(4, 3, seed=1)
    _compare(nn.MSELoss(reduction=reduction), torch.nn.MSELoss(reduction=reduction), x, t)
    _compare(nn.L1Loss(reduction=reduction), torch.nn.L1Loss(reduction=reduction), x, t)
    p = 1 / (1 + np.exp(-x))
    yb = (t > 0).astype(np.float32)
    _compare(nn.BCELoss(reduction=reduction), torch.nn.BCELoss(reduction=reduction), p, yb)
    _compare(nn.BCEWithLogitsLoss(reduction=reduction), torch.nn.BCEWithLogitsLoss(reduction=reduction), x * 5, yb)
    pw = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    _compare(nn.BCEWithLogitsLoss(pos_weight=pw, reduction=reduction),
             torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw), reduction=reduction), x, yb)


def test_loss_bad_reduction():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="avg")


# ----------------------------------------------------------------------------- whole models
def test_lecture_mlp_and_cnn_match_torch():
    mlp = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10),
                        nn.LogSoftmax(dim=1))
    tmlp = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64),
                               torch.nn.ReLU(), torch.nn.Linear(64, 10), torch.nn.LogSoftmax(dim=1))
    _compare(mlp, tmlp, _x(8, 784))
    cnn = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                        nn.Flatten(), nn.Linear(16 * 10 * 10, 10), nn.LogSoftmax(dim=1))
    tcnn = torch.nn.Sequential(torch.nn.Conv2d(3, 6, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(16 * 10 * 10, 10), torch.nn.LogSoftmax(dim=1))
    _compare(cnn, tcnn, _x(2, 3, 32, 32))


# ----------------------------------------------------------------------------- dropout
def test_dropout_modes():
    x = tg.ones(200, 100)
    d = nn.Dropout(0.25)
    tg.manual_seed(0)
    y = _np(d(x))
    assert set(np.unique(y).tolist()) <= {0.0, float(np.float32(1 / 0.75))} and abs((y == 0).mean() - 0.25) < 0.02
    d.eval()
    assert np.array_equal(_np(d(x)), _np(x))
    lec = nn.Dropout(0.25, scaling="lecture")
    y = _np(lec(x))
    assert set(np.unique(y)) <= {0.0, 1.0}
    lec.eval()
    np.testing.assert_allclose(_np(lec(x)), 0.75)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)
    assert "scaling='lecture'" in repr(lec)


# ----------------------------------------------------------------------------- input checks
def test_linear_wrong_input_message():
    with pytest.raises(RuntimeError, match=r"^Linear: expected input with last dimension 784, got shape \(64, 100\)$"):
        nn.Linear(784, 128)(tg.zeros(64, 100))


def test_conv2d_wrong_rank_and_channels():
    conv = nn.Conv2d(3, 8, 3)
    with pytest.raises(RuntimeError, match=r"Conv2d: expected a 3-D \(unbatched: C, H, W\) or 4-D \(batched: N, C, H, "
                       r"W\) input with C=3, got shape \(3, 32\)"):
        conv(tg.zeros(3, 32))
    with pytest.raises(RuntimeError, match=r"Conv2d: expected input with 3 channels .* got shape \(2, 1, 28, 28\)"):
        conv(tg.zeros(2, 1, 28, 28))
    with pytest.raises(ValueError, match="must be positive"):
        nn.Conv2d(3, 8, 0)


def test_batchnorm_input_checks():
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected 4-D input, got shape \(2, 3\)"):
        nn.BatchNorm2d(3)(tg.zeros(2, 3))
    with pytest.raises(RuntimeError, match=r"BatchNorm1d: expected 5 features/channels on dim 1, got shape \(2, 3\)"):
        nn.BatchNorm1d(5)(tg.zeros(2, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(tg.zeros(1, 3))
    with pytest.raises(RuntimeError, match=r"LayerNorm: expected input with trailing shape \(4,\)"):
        nn.LayerNorm(4)(tg.zeros(2, 5))


def test_pool_rank_check():
    with pytest.raises(RuntimeError, match=r"max_pool2d: expected a 3-D \(unbatched: C, H, W\) or 4-D"):
        nn.MaxPool2d(2)(tg.zeros(4, 4))


def test_layers_in_float64():
    m = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    out = m(tg.randn(5, 3, dtype=tg.float64))
    assert out.dtype == tg.float64
    lin = nn.Linear(3, 2, dtype=tg.float64)
    assert lin.weight.dtype == tg.float64 and lin.bias.dtype == tg.float64
