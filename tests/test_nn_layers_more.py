"""The torch.nn layers and torch.nn.functional functions added for the course's programs: activations,
parameter containers, normalisations, 1-D and shape layers.  Each one against PyTorch (values and
gradients in float32 and float64, ``repr``, torch's state_dict, exception types) and against finite
differences (gradcheck / gradgradcheck in float64)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.nn.functional as F
from tests.test_autograd_gradcheck import _rand
from tests.test_nn_layers import _compare, _x
from tinygrad_ru.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

DTYPES = [(tg.float32, torch.float32, 1e-5), (tg.float64, torch.float64, 1e-12)]


def _parity(ours, theirs, arrays, dtype, tdtype, tol):
    """ours(*xs) equals theirs(*ts): values, and the gradients of a fixed random projection of the output."""
    xs = [tg.Tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=tdtype, requires_grad=True) for a in arrays]
    y, yt = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
    proj = np.random.default_rng(3).standard_normal(tuple(yt.shape))
    (y * tg.Tensor(proj, dtype=dtype)).sum().backward()
    (yt * torch.tensor(proj, dtype=tdtype)).sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol * 10, atol=tol * 10)


def _raises_like_torch(ours, theirs):
    """Both raise, with the same builtin exception class."""
    with pytest.raises(Exception) as theirs_info:
        theirs()
    with pytest.raises(type(theirs_info.value)):
        ours()


# ============================================================================= 1. activations
# the kinks of every piecewise op, the saturated tails, and random points
KINKS = np.array([-1000.0, -30.0, -6.0, -3.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 3.0, 6.0, 30.0, 1000.0])
POINTS = np.concatenate([KINKS, np.random.default_rng(0).uniform(-7, 7, 25)])

# (id, ours, torch's)
ACTIVATIONS = [
    ("relu6", F.relu6, TF.relu6),
    ("hardtanh", F.hardtanh, TF.hardtanh),
    ("hardtanh_args", lambda x: F.hardtanh(x, -0.5, 3.0), lambda x: TF.hardtanh(x, -0.5, 3.0)),
    ("selu", F.selu, TF.selu),
    ("celu", F.celu, TF.celu),
    ("celu_alpha", lambda x: F.celu(x, 0.5), lambda x: TF.celu(x, 0.5)),
    ("mish", F.mish, TF.mish),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid),
    ("softsign", F.softsign, TF.softsign),
    ("threshold", lambda x: F.threshold(x, 0.5, -2.0), lambda x: TF.threshold(x, 0.5, -2.0)),
    ("hardswish", F.hardswish, TF.hardswish),
    ("hardsigmoid", F.hardsigmoid, TF.hardsigmoid),
    ("hardshrink", F.hardshrink, TF.hardshrink),
    ("hardshrink_lambd", lambda x: F.hardshrink(x, 1.0), lambda x: TF.hardshrink(x, 1.0)),
    ("softshrink", F.softshrink, TF.softshrink),
    ("softshrink_lambd", lambda x: F.softshrink(x, 1.0), lambda x: TF.softshrink(x, 1.0)),
    ("tanhshrink", F.tanhshrink, TF.tanhshrink),
    ("rrelu_eval", F.rrelu, TF.rrelu),
    ("selu_top_level", tg.selu, torch.selu),
]


@pytest.mark.parametrize("dtype,tdtype,tol", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name,ours,theirs", ACTIVATIONS, ids=[c[0] for c in ACTIVATIONS])
def test_activation_matches_torch_including_kinks(name, ours, theirs, dtype, tdtype, tol):
    if name == "hardsigmoid":  # torch's float64 gradient uses the float32 constant 1.0f/6.0f (off by 3e-8)
        tol = max(tol, 1e-8)
    _parity(ours, theirs, [POINTS], dtype, tdtype, tol)


@pytest.mark.parametrize("name,ours,theirs", ACTIVATIONS, ids=[c[0] for c in ACTIVATIONS])
def test_activation_gradcheck(name, ours, theirs):
    x = _rand(4, 5, low=-4.0, high=4.0, away=0.05)  # off the kinks at 0, ±0.5, ±1, ±3
    for kink in (0.5, 1.0, 3.0):
        x.data[np.abs(np.abs(x.data) - kink) < 0.05] += 0.1
    assert gradcheck(ours, [x])
    assert gradgradcheck(ours, [x])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_glu_and_softmin(dim):
    a = np.random.default_rng(1).standard_normal((4, 6))
    for dtype, tdtype, tol in DTYPES:
        _parity(lambda x: F.glu(x, dim), lambda x: TF.glu(x, dim), [a], dtype, tdtype, tol)
        _parity(lambda x: F.softmin(x, dim), lambda x: TF.softmin(x, dim), [a], dtype, tdtype, tol)
    assert gradcheck(lambda x: F.glu(x, dim), [_rand(4, 6)])
    assert gradgradcheck(lambda x: F.glu(x, dim), [_rand(4, 6)])
    assert gradcheck(lambda x: F.softmin(x, dim), [_rand(4, 6)])
    assert gradgradcheck(lambda x: F.softmin(x, dim), [_rand(4, 6)])


def test_logsigmoid_is_finite_at_extremes():
    x = tg.Tensor([-1000.0, 1000.0], requires_grad=True)
    y = F.logsigmoid(x)
    y.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), [-1000.0, 0.0])
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0])


# (our module, torch's module): repr equal, forward/backward equal
MODULES = [
    (lambda m: m.ReLU6(), ), (lambda m: m.ReLU6(inplace=True), ), (lambda m: m.Hardtanh(), ),
    (lambda m: m.Hardtanh(-2, 3, True), ), (lambda m: m.Hardtanh(min_val=-0.5, max_val=0.5), ),
    (lambda m: m.SELU(), ), (lambda m: m.SELU(True), ), (lambda m: m.CELU(), ), (lambda m: m.CELU(0.5, True), ),
    (lambda m: m.Mish(), ), (lambda m: m.LogSigmoid(), ), (lambda m: m.Softsign(), ), (lambda m: m.Softmin(1), ),
    (lambda m: m.Softmin(dim=0), ), (lambda m: m.Threshold(0.1, 20), ), (lambda m: m.Threshold(0.1, 20.0, True), ),
    (lambda m: m.Hardswish(), ), (lambda m: m.Hardswish(True), ), (lambda m: m.Hardsigmoid(), ),
    (lambda m: m.Hardshrink(), ), (lambda m: m.Softshrink(0.3), ), (lambda m: m.Tanhshrink(), ),
    (lambda m: m.GLU(), ), (lambda m: m.GLU(0), ), (lambda m: m.RReLU(), ), (lambda m: m.RReLU(0.1, 0.3, True), ),
    (lambda m: m.Softmax2d(), ),
]


@pytest.mark.parametrize("make", [c[0] for c in MODULES], ids=[str(i) for i in range(len(MODULES))])
def test_activation_modules_repr_and_output(make):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    ours.eval(), theirs.eval()
    if getattr(ours, "inplace", False):
        x = _x(2, 4, 3, 2)
        y = ours(tg.Tensor(x.copy()))
        np.testing.assert_allclose(y.numpy(), theirs(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)
        return
    _compare(ours, theirs, _x(2, 4, 3, 2) * 3)


def test_inplace_functions_write_into_the_input():
    for ours, theirs in [(F.hardtanh_, TF.hardtanh_), (F.selu_, TF.selu_), (F.celu_, TF.celu_),
                         (F.relu_, TF.relu_), (F.elu_, TF.elu_), (F.leaky_relu_, TF.leaky_relu_),
                         (F.rrelu_, TF.rrelu_),
                         (lambda x: F.threshold_(x, 0.2, 9.0), lambda x: TF.threshold_(x, 0.2, 9.0)),
                         (lambda x: F.relu6(x, inplace=True), lambda x: TF.relu6(x, inplace=True)),
                         (lambda x: F.hardswish(x, inplace=True), lambda x: TF.hardswish(x, inplace=True))]:
        a = _x(3, 4) * 4
        x, t = tg.Tensor(a.copy()), torch.tensor(a.copy())
        y = ours(x)
        theirs(t)
        assert y is x
        np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-6, atol=1e-6)
    # in a graph: the input is a non-leaf, its gradient is the activation's
    for ours, theirs in [(F.hardtanh_, TF.hardtanh_), (F.selu_, TF.selu_)]:
        a = _x(5) * 2
        x, t = tg.Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        ours(x * 1.0).sum().backward()
        theirs(t * 1.0).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6)


def test_rrelu_training_draws_slopes_in_range():
    tg.manual_seed(0)
    a = -np.abs(_x(1000)) - 0.1
    x = tg.Tensor(a, dtype=tg.float64, requires_grad=True)
    m = nn.RReLU(0.1, 0.3)
    y = m(x)
    slopes = y.detach().numpy() / a
    assert 0.1 <= slopes.min() and slopes.max() <= 0.3 and slopes.std() > 0.03
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)  # ∂y/∂x is the drawn slope
    m.eval()
    np.testing.assert_allclose(m(x).detach().numpy(), a * 0.2)
    assert np.all(F.rrelu(tg.Tensor(np.abs(a)), training=True).numpy() == np.abs(a).astype(np.float32))


@pytest.mark.parametrize("case", range(7))
def test_activation_errors_like_torch(case):
    ours, theirs = [
        (lambda: nn.Hardtanh(2, 1), lambda: torch.nn.Hardtanh(2, 1)),
        (lambda: F.hardtanh(tg.randn(3), 2, 1), lambda: TF.hardtanh(torch.randn(3), 2, 1)),
        (lambda: nn.Softmax2d()(tg.randn(3)), lambda: torch.nn.Softmax2d()(torch.randn(3))),
        (lambda: F.glu(tg.randn(3)), lambda: TF.glu(torch.randn(3))),
        (lambda: F.glu(tg.tensor(1.0)), lambda: TF.glu(torch.tensor(1.0))),
        (lambda: F.celu(tg.randn(3), 0.0), lambda: TF.celu(torch.randn(3), 0.0)),
        (lambda: F.softshrink(tg.randn(3), -1.0), lambda: TF.softshrink(torch.randn(3), -1.0)),
    ][case]
    _raises_like_torch(ours, theirs)


def test_inplace_on_a_leaf_that_requires_grad_is_refused_like_torch():
    _raises_like_torch(lambda: F.relu6(tg.randn(3, requires_grad=True), inplace=True),
                       lambda: TF.relu6(torch.randn(3, requires_grad=True), inplace=True))


# ============================================================================= 2. parameter containers
class _Holder:
    """The same little net in both libraries: a ParameterList and a ParameterDict as attributes."""

    @staticmethod
    def make(lib, shapes=((2, 3), (4,))):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.pl = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(*s)) for s in shapes])
                self.pd = lib.nn.ParameterDict({"w": lib.nn.Parameter(lib.zeros(3, 2)),
                                                "b": lib.nn.Parameter(lib.zeros(2, dtype=lib.float64))})

            def forward(self, x):
                return (x @ self.pd["w"]) * self.pl[1].sum() + self.pl[0].sum()
        return Net()


def test_parameter_list_and_dict_register_like_torch():
    ours, theirs = _Holder.make(tg), _Holder.make(torch)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    state = {k: v.detach().numpy() + np.arange(v.numel()).reshape(tuple(v.shape))
             for k, v in theirs.state_dict().items()}
    theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    ours.load_state_dict(state)
    x = _x(5, 3)
    np.testing.assert_allclose(ours(tg.Tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy())
    assert len(list(ours.parameters())) == 4


def test_parameter_list_operations():
    pl = nn.ParameterList()
    assert repr(pl) == repr(torch.nn.ParameterList()) and len(pl) == 0
    pl.append(tg.randn(2))  # a plain Tensor becomes a Parameter, as in torch
    pl += [nn.Parameter(tg.randn(3))]
    pl.extend([tg.zeros(1)])
    assert len(pl) == 3 and all(isinstance(p, nn.Parameter) and p.requires_grad for p in pl)
    assert pl[-1].shape == (1,) and len(pl[1:]) == 2
    pl[0] = tg.ones(5)
    assert pl[0].shape == (5,) and list(dict(pl.named_parameters())) == ["0", "1", "2"]
    with pytest.raises(IndexError):
        pl[3]
    with pytest.raises(IndexError):
        torch.nn.ParameterList([torch.nn.Parameter(torch.ones(1))] * 3)[3]


def test_parameter_dict_operations():
    pd = nn.ParameterDict([("z", tg.ones(1)), ("a", nn.Parameter(tg.ones(2)))])  # pairs keep their order
    tpd = torch.nn.ParameterDict([("z", torch.ones(1)), ("a", torch.nn.Parameter(torch.ones(2)))])
    assert list(pd) == list(tpd) == ["z", "a"] and repr(pd) == repr(tpd)
    pd.update({"y": tg.ones(3), "c": tg.ones(4)})  # a plain dict: sorted, as torch
    tpd.update({"y": torch.ones(3), "c": torch.ones(4)})
    assert list(pd.keys()) == list(tpd.keys())
    assert "a" in pd and pd.get("nope") is None and len(pd) == 4
    assert pd.pop("z").shape == (1,) and "z" not in pd and list(pd.state_dict()) == ["a", "c", "y"]
    del pd["a"]
    assert list(dict(pd.named_parameters())) == ["c", "y"]
    with pytest.raises(KeyError):  # a dict's error…
        pd["a"]
    _raises_like_torch(lambda: pd["a"], lambda: tpd["nope"])  # …and torch's (AttributeError)
    for bad in ([1, 2], [(1, 2, 3)], 5):
        _raises_like_torch(lambda b=bad: nn.ParameterDict(b), lambda b=bad: torch.nn.ParameterDict(b))


# ============================================================================= 3. normalisation and distances
def _pair(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape), rng.standard_normal(shape) * 0.5 + 0.3]


# (id, ours, torch's, input arrays): values and gradients against torch in float32 and float64, then gradcheck
FUNCTIONS = [
    ("group_norm", lambda x: F.group_norm(x, 2), lambda x: TF.group_norm(x, 2), [_x(2, 4, 3, 2)]),
    ("group_norm_affine", lambda x, w, b: F.group_norm(x, 3, w, b, eps=1e-3),
     lambda x, w, b: TF.group_norm(x, 3, w, b, eps=1e-3), [_x(2, 6, 5), _x(6, seed=1), _x(6, seed=2)]),
    ("group_norm_2d_input", lambda x: F.group_norm(x, 1), lambda x: TF.group_norm(x, 1), [_x(3, 4)]),
    ("instance_norm", F.instance_norm, TF.instance_norm, [_x(2, 3, 5)]),
    ("instance_norm_affine", lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
     lambda x, w, b: TF.instance_norm(x, weight=w, bias=b), [_x(2, 3, 4, 3), _x(3, seed=1), _x(3, seed=2)]),
    ("rms_norm", lambda x: F.rms_norm(x, (5,)), lambda x: TF.rms_norm(x, (5,)), [_x(3, 5)]),
    ("rms_norm_weight", lambda x, w: F.rms_norm(x, [2, 5], w, 1e-4),
     lambda x, w: TF.rms_norm(x, [2, 5], w, 1e-4), [_x(3, 2, 5), _x(2, 5, seed=1)]),
    ("normalize", F.normalize, TF.normalize, [_x(4, 3, 2)]),
    ("normalize_p1_last", lambda x: F.normalize(x, 1.0, -1), lambda x: TF.normalize(x, 1.0, -1), [_x(4, 3)]),
    ("normalize_p3_dim0", lambda x: F.normalize(x, 3, 0), lambda x: TF.normalize(x, 3, 0), [_x(4, 3)]),
    ("cosine_similarity", F.cosine_similarity, TF.cosine_similarity, _pair(4, 3)),
    ("cosine_similarity_dim_broadcast", lambda a, b: F.cosine_similarity(a, b, -1),
     lambda a, b: TF.cosine_similarity(a, b, -1), [_x(2, 3, 4), _x(4, seed=1)]),
    ("pairwise_distance", F.pairwise_distance, TF.pairwise_distance, _pair(4, 3)),
    ("pairwise_distance_p1_keepdim", lambda a, b: F.pairwise_distance(a, b, 1.0, keepdim=True),
     lambda a, b: TF.pairwise_distance(a, b, 1.0, keepdim=True), _pair(4, 3)),
    ("local_response_norm", lambda x: F.local_response_norm(x, 3, 0.5, 0.7, 2.0),
     lambda x: TF.local_response_norm(x, 3, 0.5, 0.7, 2.0), [_x(2, 5, 3, 2)]),
    ("local_response_norm_3d_even", lambda x: F.local_response_norm(x, 2), lambda x: TF.local_response_norm(x, 2),
     [_x(2, 4, 3)]),
    ("norm_dim", lambda x: x.norm(2, 1) + x.norm(3, (0, 1), keepdim=True).sum(),
     lambda x: x.norm(2, 1) + x.norm(3, (0, 1), keepdim=True).sum(), [_x(3, 4)]),
]


@pytest.mark.parametrize("dtype,tdtype,tol", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name,ours,theirs,arrays", FUNCTIONS, ids=[c[0] for c in FUNCTIONS])
def test_normalisation_functions_match_torch(name, ours, theirs, arrays, dtype, tdtype, tol):
    _parity(ours, theirs, [a.astype(np.float64) for a in arrays], dtype, tdtype, max(tol, 1e-10) * 10)


@pytest.mark.parametrize("name,ours,theirs,arrays", FUNCTIONS, ids=[c[0] for c in FUNCTIONS])
def test_normalisation_functions_gradcheck(name, ours, theirs, arrays):
    xs = [tg.Tensor(a.astype(np.float64), dtype=tg.float64, requires_grad=True) for a in arrays]
    assert gradcheck(ours, xs)
    assert gradgradcheck(ours, xs)


def test_instance_norm_running_statistics_like_torch():
    x = _x(4, 3, 6)
    ours, theirs = nn.InstanceNorm1d(3, affine=True, track_running_stats=True, momentum=0.3), \
        torch.nn.InstanceNorm1d(3, affine=True, track_running_stats=True, momentum=0.3)
    for _ in range(2):
        _compare(ours, theirs, x, copy=False)
        ours.zero_grad(), theirs.zero_grad()
    ours.eval(), theirs.eval()
    _compare(ours, theirs, x * 2 + 1, copy=False)


NORM_LAYERS = [
    lambda m: m.GroupNorm(2, 4), lambda m: m.GroupNorm(2, 4, affine=False), lambda m: m.GroupNorm(1, 4, eps=1e-3),
    lambda m: m.GroupNorm(4, 4, bias=False),
    lambda m: m.InstanceNorm1d(4), lambda m: m.InstanceNorm1d(4, affine=True),
    lambda m: m.InstanceNorm2d(4, eps=1e-3, momentum=0.2, affine=True, track_running_stats=True),
    lambda m: m.RMSNorm(2), lambda m: m.RMSNorm([4, 2], eps=1e-5), lambda m: m.RMSNorm(2, elementwise_affine=False),
    lambda m: m.BatchNorm1d(4, bias=False), lambda m: m.LocalResponseNorm(2),
]
NORM_INPUTS = [(3, 4, 5, 2), (3, 4, 5, 2), (3, 4, 2), (3, 4, 2), (3, 4, 5), (3, 4, 5), (3, 4, 5, 2), (3, 5, 2),
               (3, 4, 2), (3, 2), (3, 4, 2), (3, 4, 5, 2)]


@pytest.mark.parametrize("i", range(len(NORM_LAYERS)))
def test_normalisation_layers_like_torch(i):
    """repr, parameter names, shapes and initial values, then torch's trained state_dict loaded: same output."""
    ours, theirs = NORM_LAYERS[i](nn), NORM_LAYERS[i](torch.nn)
    assert repr(ours) == repr(theirs)
    x = _x(*NORM_INPUTS[i])
    _compare(ours, theirs, x, copy=False)  # initial parameters and buffers equal torch's
    with torch.no_grad():
        for p in theirs.parameters():
            p.add_(torch.randn(p.shape))
    ours.zero_grad()
    theirs.zero_grad()
    _compare(ours, theirs, x)


def test_unbatched_instance_norm():
    _compare(nn.InstanceNorm1d(3), torch.nn.InstanceNorm1d(3), _x(3, 7), copy=False)
    _compare(nn.InstanceNorm2d(3, affine=True), torch.nn.InstanceNorm2d(3, affine=True), _x(3, 4, 5), copy=False)


@pytest.mark.parametrize("make", [lambda m: m.CosineSimilarity(), lambda m: m.CosineSimilarity(dim=0, eps=1e-3),
                                  lambda m: m.PairwiseDistance(), lambda m: m.PairwiseDistance(1.0, 1e-3, True)])
def test_distance_layers(make):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    a, b = _pair(5, 3)
    expected = theirs(torch.tensor(a), torch.tensor(b)).numpy()
    np.testing.assert_allclose(ours(tg.Tensor(a), tg.Tensor(b)).numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("case", range(10))
def test_normalisation_errors_like_torch(case):
    ours, theirs = [
        (lambda: nn.GroupNorm(3, 4), lambda: torch.nn.GroupNorm(3, 4)),
        (lambda: nn.GroupNorm(2, 4)(tg.randn(2, 6, 3)), lambda: torch.nn.GroupNorm(2, 4)(torch.randn(2, 6, 3))),
        (lambda: F.group_norm(tg.randn(2, 5), 2), lambda: TF.group_norm(torch.randn(2, 5), 2)),
        (lambda: nn.InstanceNorm1d(3)(tg.randn(2, 3, 4, 5)),
         lambda: torch.nn.InstanceNorm1d(3)(torch.randn(2, 3, 4, 5))),
        (lambda: nn.InstanceNorm2d(3, affine=True)(tg.randn(2, 4, 4, 5)),
         lambda: torch.nn.InstanceNorm2d(3, affine=True)(torch.randn(2, 4, 4, 5))),
        (lambda: F.instance_norm(tg.randn(1, 3, 1)), lambda: TF.instance_norm(torch.randn(1, 3, 1))),
        (lambda: nn.RMSNorm(4)(tg.randn(2, 3)), lambda: torch.nn.RMSNorm(4)(torch.randn(2, 3))),
        (lambda: F.cosine_similarity(tg.randn(2, 3), tg.randn(2, 4)),
         lambda: TF.cosine_similarity(torch.randn(2, 3), torch.randn(2, 4))),
        (lambda: F.normalize(tg.randn(2, 3), dim=2), lambda: TF.normalize(torch.randn(2, 3), dim=2)),
        (lambda: F.local_response_norm(tg.randn(2, 3), 2), lambda: TF.local_response_norm(torch.randn(2, 3), 2)),
    ][case]
    _raises_like_torch(ours, theirs)


# ============================================================================= 4. 1-D and shape layers
def _w(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


SHAPE_FUNCTIONS = [
    ("conv1d", lambda x, w, b: F.conv1d(x, w, b), lambda x, w, b: TF.conv1d(x, w, b),
     [_x(2, 3, 9), _w(4, 3, 3), _w(4, seed=2)]),
    ("conv1d_options", lambda x, w: F.conv1d(x, w, None, 2, 1, 2), lambda x, w: TF.conv1d(x, w, None, 2, 1, 2),
     [_x(2, 3, 11), _w(4, 3, 3)]),
    ("conv1d_same_groups", lambda x, w: F.conv1d(x, w, padding="same", groups=2, dilation=3),
     lambda x, w: TF.conv1d(x, w, padding="same", groups=2, dilation=3), [_x(2, 4, 10), _w(6, 2, 4)]),
    ("conv1d_unbatched_valid", lambda x, w: F.conv1d(x, w, padding="valid"),
     lambda x, w: TF.conv1d(x, w, padding="valid"), [_x(3, 8), _w(2, 3, 2)]),
    ("max_pool1d", lambda x: F.max_pool1d(x, 3, 2, 1), lambda x: TF.max_pool1d(x, 3, 2, 1), [_x(2, 3, 9)]),
    ("avg_pool1d", lambda x: F.avg_pool1d(x, 3, 2, 1), lambda x: TF.avg_pool1d(x, 3, 2, 1), [_x(2, 3, 9)]),
    ("avg_pool1d_no_pad_count", lambda x: F.avg_pool1d(x, 4, padding=2, count_include_pad=False),
     lambda x: TF.avg_pool1d(x, 4, padding=2, count_include_pad=False), [_x(3, 10)]),
    ("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 4), lambda x: TF.adaptive_avg_pool1d(x, 4),
     [_x(2, 3, 9)]),
    ("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2), [_x(2, 8, 3, 4)]),
    ("pixel_unshuffle", lambda x: F.pixel_unshuffle(x, 2), lambda x: TF.pixel_unshuffle(x, 2), [_x(1, 2, 3, 4, 6)]),
    ("unfold", lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=2),
     lambda x: TF.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=2), [_x(2, 3, 5, 7)]),
    ("unfold_unbatched", lambda x: F.unfold(x, 2), lambda x: TF.unfold(x, 2), [_x(2, 4, 3)]),
    ("fold", lambda c: F.fold(c, (5, 7), 2, padding=1, stride=(1, 2)),
     lambda c: TF.fold(c, (5, 7), 2, padding=1, stride=(1, 2)), [_x(2, 12, 24)]),
    ("fold_unbatched", lambda c: F.fold(c, 4, 2, stride=2), lambda c: TF.fold(c, 4, 2, stride=2), [_x(8, 4)]),
    ("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b), lambda x, w, b: TF.conv_transpose2d(x, w, b),
     [_x(2, 3, 4, 5), _w(3, 2, 3, 3), _w(2, seed=2)]),
    ("conv_transpose2d_stride", lambda x, w: F.conv_transpose2d(x, w, None, 2, 1, 1),
     lambda x, w: TF.conv_transpose2d(x, w, None, 2, 1, 1), [_x(2, 3, 4, 5), _w(3, 2, 3, 3)]),
    ("conv_transpose2d_dilation", lambda x, w: F.conv_transpose2d(x, w, stride=(2, 1), padding=(0, 2),
                                                                   output_padding=(1, 1), dilation=2),
     lambda x, w: TF.conv_transpose2d(x, w, stride=(2, 1), padding=(0, 2), output_padding=(1, 1), dilation=2),
     [_x(1, 3, 4, 5), _w(3, 2, 3, 2)]),
    ("conv_transpose2d_groups", lambda x, w, b: F.conv_transpose2d(x, w, b, 2, groups=2),
     lambda x, w, b: TF.conv_transpose2d(x, w, b, 2, groups=2), [_x(2, 4, 3, 3), _w(4, 3, 2, 2), _w(6, seed=2)]),
    ("conv_transpose2d_unbatched", lambda x, w: F.conv_transpose2d(x, w, stride=3),
     lambda x, w: TF.conv_transpose2d(x, w, stride=3), [_x(3, 2, 3), _w(3, 2, 2, 2)]),
]
for _mode, _corners in (("nearest", None), ("bilinear", False), ("bilinear", True)):
    for _kw in ({"scale_factor": 2}, {"size": (7, 4)}, {"scale_factor": 1.7}, {"size": (3, 11)},
                {"scale_factor": (0.5, 1.5)}, {"scale_factor": 1.7, "recompute_scale_factor": True}):
        SHAPE_FUNCTIONS.append((
            f"interpolate_{_mode}_{_corners}_{'_'.join(f'{k}={v}' for k, v in _kw.items())}",
            lambda x, m=_mode, c=_corners, kw=_kw: F.interpolate(x, mode=m, align_corners=c, **kw),
            lambda x, m=_mode, c=_corners, kw=_kw: TF.interpolate(x, mode=m, align_corners=c, **kw),
            [_x(2, 3, 5, 6)]))
SHAPE_FUNCTIONS += [
    ("interpolate_linear", lambda x: F.interpolate(x, scale_factor=2.5, mode="linear"),
     lambda x: TF.interpolate(x, scale_factor=2.5, mode="linear"), [_x(2, 3, 6)]),
    ("interpolate_linear_corners", lambda x: F.interpolate(x, 4, mode="linear", align_corners=True),
     lambda x: TF.interpolate(x, 4, mode="linear", align_corners=True), [_x(2, 3, 6)]),
    ("interpolate_nearest_1d", lambda x: F.interpolate(x, 13), lambda x: TF.interpolate(x, 13), [_x(2, 3, 6)]),
]


@pytest.mark.parametrize("dtype,tdtype,tol", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name,ours,theirs,arrays", SHAPE_FUNCTIONS, ids=[c[0] for c in SHAPE_FUNCTIONS])
def test_shape_functions_match_torch(name, ours, theirs, arrays, dtype, tdtype, tol):
    _parity(ours, theirs, [np.asarray(a, dtype=np.float64) for a in arrays], dtype, tdtype, max(tol, 1e-10) * 10)


@pytest.mark.parametrize("name,ours,theirs,arrays", SHAPE_FUNCTIONS, ids=[c[0] for c in SHAPE_FUNCTIONS])
def test_shape_functions_gradcheck(name, ours, theirs, arrays):
    if "max_pool" in name:  # off ties: distinct values
        arrays = [np.random.default_rng(0).permutation(np.asarray(arrays[0]).size).reshape(np.shape(arrays[0])) * 0.1]
    xs = [tg.Tensor(np.asarray(a, dtype=np.float64), dtype=tg.float64, requires_grad=True) for a in arrays]
    assert gradcheck(ours, xs)
    assert gradgradcheck(ours, xs)


def test_unfold_is_the_convolution_s_im2col():
    """conv2d(x, W) = W.view(O, −1) @ unfold(x): the convolution as one matrix product."""
    x, w = tg.Tensor(_x(2, 3, 6, 5)), tg.Tensor(_w(4, 3, 3, 3).astype(np.float32))
    cols = F.unfold(x, 3, padding=1)
    y = (w.reshape(4, -1) @ cols).reshape(2, 4, 6, 5)
    np.testing.assert_allclose(y.numpy(), F.conv2d(x, w, padding=1).numpy(), rtol=1e-5, atol=1e-5)
    # fold(unfold(x)) counts each pixel once per block that covers it
    ones = tg.ones(1, 1, 4, 4)
    np.testing.assert_array_equal(F.fold(F.unfold(ones, 2), 4, 2).numpy(),
                                  TF.fold(TF.unfold(torch.ones(1, 1, 4, 4), 2), 4, 2).numpy())


SHAPE_LAYERS = [
    (lambda m: m.Conv1d(3, 4, 3), (2, 3, 9)), (lambda m: m.Conv1d(4, 6, 3, 2, 1, 2, 2, False), (2, 4, 11)),
    (lambda m: m.Conv1d(3, 2, 4, padding="same", padding_mode="reflect"), (2, 3, 9)),
    (lambda m: m.Conv1d(3, 2, 3, padding=2, padding_mode="circular"), (3, 8)),
    (lambda m: m.ConvTranspose2d(3, 4, 3), (2, 3, 4, 5)),
    (lambda m: m.ConvTranspose2d(4, 6, (3, 2), stride=2, padding=1, output_padding=1, groups=2, dilation=2),
     (2, 4, 4, 3)),
    (lambda m: m.ConvTranspose2d(3, 2, 2, stride=2, bias=False), (3, 4, 4)),
    (lambda m: m.MaxPool1d(3), (2, 3, 9)), (lambda m: m.MaxPool1d(3, 2, 1), (3, 10)),
    (lambda m: m.AvgPool1d(3), (2, 3, 9)), (lambda m: m.AvgPool1d(3, 2, 1, count_include_pad=False), (2, 3, 9)),
    (lambda m: m.AdaptiveAvgPool1d(4), (2, 3, 9)),
    (lambda m: m.PixelShuffle(2), (2, 8, 3, 4)), (lambda m: m.PixelUnshuffle(3), (2, 1, 6, 3)),
    (lambda m: m.Upsample(scale_factor=2), (2, 3, 4, 5)),
    (lambda m: m.Upsample(size=(3, 7), mode="bilinear", align_corners=True), (2, 3, 4, 5)),
    (lambda m: m.Upsample(scale_factor=(1.5, 2), mode="bilinear"), (2, 3, 4, 5)),
    (lambda m: m.Upsample(size=5, mode="linear"), (2, 3, 4)),
    (lambda m: m.Unfold(2), (2, 3, 4, 5)), (lambda m: m.Unfold((2, 3), 1, 1, 2), (2, 3, 4, 5)),
    (lambda m: m.Fold((4, 5), 2), (2, 12, 12)), (lambda m: m.Fold(4, (2, 2), stride=2), (2, 8, 4)),
    (lambda m: m.Dropout1d(), (2, 3, 4)), (lambda m: m.Dropout2d(0.3), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("i", range(len(SHAPE_LAYERS)))
def test_shape_layers_like_torch(i):
    """repr; parameter names and shapes; torch's state_dict loaded gives torch's output and gradients."""
    make, shape = SHAPE_LAYERS[i]
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    ours.eval(), theirs.eval()
    _compare(ours, theirs, _x(*shape))


@pytest.mark.parametrize("make", [lambda m: m.Conv1d(6, 4, 3, groups=2),
                                  lambda m: m.ConvTranspose2d(6, 4, 3, groups=2)])
def test_conv_init_like_torch(make):
    """Default initialisation: U(−b, b) with torch's bound for weight and bias (fan_in from the weight)."""
    tg.manual_seed(0)
    ours, theirs = make(nn), make(torch.nn)
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname and tuple(p.shape) == tuple(tp.shape)
        fan_in = theirs.weight[0].numel()
        bound = 1 / np.sqrt(fan_in)
        assert np.abs(p.detach().numpy()).max() <= bound + 1e-7
        assert np.abs(p.detach().numpy()).max() > 0.5 * bound


def test_conv_transpose2d_output_size():
    ours = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    theirs = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    _compare(ours, theirs, _x(1, 3, 4, 4))
    x = _x(1, 3, 4, 4)
    y = ours(tg.Tensor(x), output_size=(8, 8))
    ty = theirs(torch.tensor(x), output_size=(8, 8))
    assert tuple(y.shape) == tuple(ty.shape) == (1, 2, 8, 8)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    _raises_like_torch(lambda: ours(tg.Tensor(x), output_size=(10, 10)),
                       lambda: theirs(torch.tensor(x), output_size=(10, 10)))


@pytest.mark.parametrize("layer,shape,per", [(nn.Dropout1d, (4, 5, 30), (4, 5, 1)),
                                             (nn.Dropout2d, (4, 5, 6, 7), (4, 5, 1, 1)),
                                             (nn.Dropout1d, (5, 30), (5, 1))])
def test_channel_dropout_zeroes_whole_channels(layer, shape, per):
    tg.manual_seed(1)
    m = layer(0.4)
    x = tg.ones(*shape, requires_grad=True)
    y = m(x)
    values = y.detach().numpy()
    spatial = tuple(range(len(per)))[len(per) - sum(1 for s in per if s == 1):]
    assert np.all(values.min(axis=spatial) == values.max(axis=spatial))  # one value per channel
    assert set(np.unique(values)) <= {0.0, np.float32(1 / 0.6)}
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), values)
    m.eval()
    assert m(x) is x


@pytest.mark.parametrize("case", range(16))
def test_shape_errors_like_torch(case):
    ours, theirs = [
        (lambda: F.conv1d(tg.randn(2, 3, 4, 5), tg.randn(2, 3, 2)), lambda: TF.conv1d(torch.randn(2, 3, 4, 5),
                                                                                      torch.randn(2, 3, 2))),
        (lambda: nn.Conv1d(3, 2, 2)(tg.randn(2, 4, 5)), lambda: torch.nn.Conv1d(3, 2, 2)(torch.randn(2, 4, 5))),
        (lambda: nn.Conv1d(3, 2, 2, stride=2, padding="same"), lambda: torch.nn.Conv1d(3, 2, 2, stride=2,
                                                                                       padding="same")),
        (lambda: F.max_pool1d(tg.randn(5), 2), lambda: TF.max_pool1d(torch.randn(5), 2)),
        (lambda: F.pixel_shuffle(tg.randn(1, 6, 2, 2), 2), lambda: TF.pixel_shuffle(torch.randn(1, 6, 2, 2), 2)),
        (lambda: F.pixel_shuffle(tg.randn(4, 2), 2), lambda: TF.pixel_shuffle(torch.randn(4, 2), 2)),
        (lambda: F.pixel_unshuffle(tg.randn(1, 1, 3, 4), 2), lambda: TF.pixel_unshuffle(torch.randn(1, 1, 3, 4), 2)),
        (lambda: F.unfold(tg.randn(3, 4), 2), lambda: TF.unfold(torch.randn(3, 4), 2)),
        (lambda: F.fold(tg.randn(1, 4, 5), 4, 2), lambda: TF.fold(torch.randn(1, 4, 5), 4, 2)),
        (lambda: F.conv_transpose2d(tg.randn(1, 4, 3, 3), tg.randn(3, 2, 2, 2)),
         lambda: TF.conv_transpose2d(torch.randn(1, 4, 3, 3), torch.randn(3, 2, 2, 2))),
        (lambda: F.conv_transpose2d(tg.randn(1, 3, 3, 3), tg.randn(3, 2, 2, 2), stride=2, output_padding=2),
         lambda: TF.conv_transpose2d(torch.randn(1, 3, 3, 3), torch.randn(3, 2, 2, 2), stride=2, output_padding=2)),
        (lambda: F.interpolate(tg.randn(1, 1, 4, 4)), lambda: TF.interpolate(torch.randn(1, 1, 4, 4))),
        (lambda: F.interpolate(tg.randn(1, 1, 4, 4), 3, 2.0), lambda: TF.interpolate(torch.randn(1, 1, 4, 4), 3, 2.0)),
        (lambda: F.interpolate(tg.randn(1, 1, 4, 4), 3, align_corners=True),
         lambda: TF.interpolate(torch.randn(1, 1, 4, 4), 3, align_corners=True)),
        (lambda: F.interpolate(tg.randn(1, 1, 4), 3, mode="bilinear"),
         lambda: TF.interpolate(torch.randn(1, 1, 4), 3, mode="bilinear")),
        (lambda: F.dropout1d(tg.randn(1, 2, 3, 4)), lambda: TF.dropout1d(torch.randn(1, 2, 3, 4))),
    ][case]
    _raises_like_torch(ours, theirs)


def test_public_name_lists_have_no_repeats():
    import tinygrad_ru as tg_root
    from tinygrad_ru import nn as tg_nn
    from tinygrad_ru.nn import functional as tg_F

    for names in (tg_root.__all__, tg_nn.__all__, tg_F.__all__):
        assert len(names) == len(set(names)), sorted(n for n in set(names) if names.count(n) > 1)


def test_dropout2d_of_a_3d_input_warns_as_torch():
    for fw in (tg, torch):
        with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
            fw.nn.functional.dropout2d(fw.ones(2, 3, 4))
