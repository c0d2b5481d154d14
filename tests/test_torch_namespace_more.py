"""More of the top-level ``torch.*`` a PyTorch user reaches for: predicates, dtype rules, creation and
random functions, the RNG state, BLAS threads and print options — each against torch itself.

Random numbers come from a different generator than torch's, so the random functions are checked
for their distribution (mean/variance with a fixed seed, support), shapes, dtypes, errors and
reproducibility under ``tg.manual_seed`` / ``tg.set_rng_state``.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ru as tg
from tests.test_tensor_torch_api import _builtin

torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _np(torch_dtype) -> np.dtype:
    return torch.empty(0, dtype=torch_dtype).numpy().dtype


def _same_error(fn) -> None:
    """``fn(fw)`` raises in both frameworks, with the same built-in exception class."""
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(tg)
    assert _builtin(ours.value) is _builtin(theirs.value), (str(ours.value), str(theirs.value))


# ----------------------------------------------------------------------------- 1. predicates and dtypes
def _pair(fw, a, b, da=None, db=None):
    return fw.tensor(a, dtype=da and getattr(fw, da)), fw.tensor(b, dtype=db and getattr(fw, db))


CLOSE_CASES = [  # (a, b, kwargs)
    ([1.0, 2.0, 3.0], [1.0, 2.0 + 1e-6, 3.1], {}),
    ([1.0, 2.0], [1.0, 2.05], dict(rtol=0.1)),
    ([1.0, 2.0], [1.1, 2.0], dict(atol=0.2)),
    ([1.0, float("nan")], [1.0, float("nan")], {}),
    ([1.0, float("nan")], [1.0, float("nan")], dict(equal_nan=True)),
    ([[1.0, 2.0]], [[1.0], [2.0]], {}),  # broadcasting
    ([1.0, float("inf")], [1.0, float("inf")], {}),
]


@pytest.mark.parametrize("a,b,kw", CLOSE_CASES)
def test_isclose_allclose_match_torch(a, b, kw):
    ta, tb = _pair(torch, a, b)
    ga, gb = _pair(tg, a, b)
    np.testing.assert_array_equal(tg.isclose(ga, gb, **kw).numpy(), torch.isclose(ta, tb, **kw).numpy())
    assert tg.isclose(ga, gb, **kw).dtype == tg.bool
    assert tg.allclose(ga, gb, **kw) is torch.allclose(ta, tb, **kw)
    # the Tensor methods are the same functions
    np.testing.assert_array_equal(ga.isclose(gb, **kw).numpy(), tg.isclose(ga, gb, **kw).numpy())
    assert ga.allclose(gb, **kw) is tg.allclose(ga, gb, **kw)


@pytest.mark.parametrize("a,b,da,db", [
    ([1.0, 2.0], [1.0, 2.0], None, None), ([1.0, 2.0], [1, 2], None, None), ([1.0, 2.0], [1.0, 2.0, 3.0], None, None),
    ([float("nan")], [float("nan")], None, None), ([[1.0]], [1.0], None, None), ([1, 2], [1, 3], None, None),
    ([1, 2], [1, 2], "int32", "int64"),
])
def test_equal_matches_torch(a, b, da, db):
    assert tg.equal(*_pair(tg, a, b, da, db)) is torch.equal(*_pair(torch, a, b, da, db))
    assert _pair(tg, a, b, da, db)[0].equal(_pair(tg, a, b, da, db)[1]) is torch.equal(*_pair(torch, a, b, da, db))


PREDICATE_ERRORS = [
    lambda fw: fw.allclose(fw.tensor([1.0, 2.0]), 1.0),
    lambda fw: fw.allclose(fw.tensor([1.0, 2.0]), fw.tensor([1, 2])),
    lambda fw: fw.allclose(fw.tensor([1.0, 2.0]), fw.tensor([1.0, 2.0, 3.0])),
    lambda fw: fw.isclose(fw.tensor([1.0, 2.0]), fw.tensor([1, 2])),
    lambda fw: fw.isclose(fw.tensor([1.0, 2.0]), 1.0),
    lambda fw: fw.isclose(fw.ones(2, 3), fw.ones(4)),
    lambda fw: fw.equal(fw.tensor([1.0, 2.0]), 1.0),
    lambda fw: fw.is_nonzero(fw.tensor([])),
    lambda fw: fw.is_nonzero(fw.tensor([1.0, 2.0])),
    lambda fw: fw.is_nonzero(1.0),
    lambda fw: fw.is_floating_point(1.0),
]


@pytest.mark.parametrize("i", range(len(PREDICATE_ERRORS)))
def test_predicate_errors_as_torch(i):
    _same_error(PREDICATE_ERRORS[i])


def test_is_tensor_is_floating_point_is_nonzero():
    for value, expected in [(tg.tensor([1.0]), True), (1.0, False), (np.ones(2), False), ([1.0], False)]:
        assert tg.is_tensor(value) is expected
    for data, dtype in [([1.0], None), ([1], None), ([True], None), ([1.0], "float64"), ([1.0], "float16")]:
        ours = tg.tensor(data, dtype=dtype and getattr(tg, dtype))
        theirs = torch.tensor(data, dtype=dtype and getattr(torch, dtype))
        assert tg.is_floating_point(ours) is torch.is_floating_point(theirs)
    for data in ([0.0], [2.0], [[0]], [True], 3):
        assert tg.is_nonzero(tg.tensor(data)) is torch.is_nonzero(torch.tensor(data))


def _operand(fw, kind):
    """The operand named ``kind``: a Python number ("1", "1.0", "True") or a tensor "<dtype>[:0d]"."""
    if kind in ("1", "1.0", "True"):
        return eval(kind)
    name, _, zero_d = kind.partition(":")
    return fw.ones(() if zero_d else (2,), dtype=getattr(fw, name))


RESULT_TYPE = [
    ("int64", "1.0"), ("int64", "1"), ("int32", "1"), ("int32", "int64"), ("bool", "1"), ("bool", "True"),
    ("bool", "1.0"), ("uint8", "int8"), ("int16", "float16"), ("float32", "float64"), ("float16", "1.0"),
    ("1", "1.0"), ("1", "1"), ("True", "1"), ("int64", "float32:0d"), ("float32", "float32:0d"),
]


def test_result_type_of_a_zero_dim_tensor_is_the_dtype_the_ops_give():
    """torch ranks a 0-d tensor below a dimensioned one of its category (int8 + int64 0-d is int8); the
    ops here promote by NumPy's rule (int64), and result_type says what they give."""
    a, b = tg.ones(2, dtype=tg.int8), tg.ones((), dtype=tg.int64)
    assert tg.result_type(a, b) == (a + b).dtype == np.int64


@pytest.mark.parametrize("a,b", RESULT_TYPE)
def test_result_type_matches_torch(a, b):
    ours = tg.result_type(_operand(tg, a), _operand(tg, b))
    assert ours == _np(torch.result_type(_operand(torch, a), _operand(torch, b)))
    if tg.is_tensor(_operand(tg, a)) or tg.is_tensor(_operand(tg, b)):  # it is the dtype the ops give
        assert ours == (tg.tensor(_operand(tg, a)) + _operand(tg, b)).dtype


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
def test_promote_types_and_can_cast_match_torch_for_every_pair(a, b):
    assert tg.promote_types(getattr(tg, a), getattr(tg, b)) == _np(torch.promote_types(getattr(torch, a),
                                                                                         getattr(torch, b)))
    assert tg.can_cast(getattr(tg, a), getattr(tg, b)) is torch.can_cast(getattr(torch, a), getattr(torch, b))


def test_dtype_aliases_are_numpy_dtypes_as_torch_names_them():
    for name in ["bool", "uint8", "int8", "int16", "short", "int", "int32", "int64", "long", "half", "float16",
                 "float", "float32", "double", "float64"]:
        assert isinstance(getattr(tg, name), np.dtype)
        assert getattr(tg, name) == _np(getattr(torch, name)), name
    assert tg.ones(2, dtype=tg.int16).dtype == np.int16
    assert tg.tensor([1, 2], dtype=tg.uint8).dtype == np.uint8


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_matches_torch(name):
    ours, theirs = tg.finfo(getattr(tg, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr


def test_finfo_defaults_to_the_default_dtype():
    assert tg.finfo().eps == torch.finfo().eps
    tg.set_default_dtype(tg.float64)
    try:
        assert tg.finfo().bits == 64
    finally:
        tg.set_default_dtype(tg.float32)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_torch(name):
    ours, theirs = tg.iinfo(getattr(tg, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr


@pytest.mark.parametrize("fn", [lambda fw: fw.finfo(fw.int32), lambda fw: fw.finfo(fw.bool),
                                lambda fw: fw.iinfo(fw.float32), lambda fw: fw.iinfo(fw.bool)])
def test_finfo_iinfo_errors_as_torch(fn):
    _same_error(fn)


# ----------------------------------------------------------------------------- 2. creation
def test_empty_and_empty_like_shapes_dtypes_devices():
    assert tg.empty(2, 3).shape == tuple(torch.empty(2, 3).shape) == tg.empty((2, 3)).shape
    assert tg.empty(2, dtype=tg.float64).dtype == np.float64
    assert tg.empty(2, requires_grad=True).requires_grad
    x = tg.ones(3, 2, dtype=tg.int64)
    e = tg.empty_like(x)
    assert (e.shape, e.dtype) == (x.shape, _np(torch.empty_like(torch.ones(3, 2, dtype=torch.int64)).dtype))
    assert tg.empty_like(x, dtype=tg.float32).dtype == np.float32
    np.testing.assert_array_equal(e.numpy(), 0)  # documented: zeros here


@pytest.mark.parametrize("args,kw", [((0, 2, 3), {}), ((0, 1, 5), dict(base=2.0)), ((-1, 1, 4), {}),
                                     ((0, 1, 5), dict(dtype="int64")), ((0, 1, 0), {}), ((2, 2, 1), {}),
                                     ((0, 3, 4), dict(dtype="float64", base=3.0))])
def test_logspace_matches_torch(args, kw):
    def call(fw):
        k = dict(kw)
        if "dtype" in k:
            k["dtype"] = getattr(fw, k["dtype"])
        return fw.logspace(*args, **k)

    ours, theirs = call(tg), call(torch)
    assert ours.dtype == _np(theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


CREATION_ERRORS = [
    lambda fw: fw.logspace(0, 1, -1),
    lambda fw: fw.rand_like(fw.tensor([1, 2])),
    lambda fw: fw.randn_like(fw.tensor([1, 2])),
    lambda fw: fw.randint_like(fw.zeros(2), 5, 2),
    lambda fw: fw.randint_like(fw.zeros(2, dtype=fw.uint8), -2, 0),
    lambda fw: fw.randint_like(fw.zeros(2, dtype=fw.int8), 0, 1000),
]


@pytest.mark.parametrize("i", range(len(CREATION_ERRORS)))
def test_creation_errors_as_torch(i):
    _same_error(CREATION_ERRORS[i])


# ----------------------------------------------------------------------------- 2. random functions
N = 200_000


def _moments(t) -> tuple[float, float]:
    a = t.numpy().astype(np.float64)
    return float(a.mean()), float(a.var())


def test_like_functions_follow_the_input():
    x = tg.ones(4, 5, dtype=tg.float64)
    for fn in (tg.rand_like, tg.randn_like):
        y, ty = fn(x), getattr(torch, fn.__name__)(torch.ones(4, 5, dtype=torch.float64))
        assert (y.shape, y.dtype) == (tuple(ty.shape), _np(ty.dtype))
        assert fn(x, dtype=tg.float32).dtype == np.float32
        assert fn(x, requires_grad=True).requires_grad
    for data, args in [(tg.zeros(3), (5,)), (tg.zeros(3, dtype=tg.int64), (3, 5)), (tg.zeros(3, dtype=tg.int16), (7,))]:
        theirs = torch.randint_like(torch.tensor(data.numpy()), *args)
        assert tg.randint_like(data, *args).dtype == _np(theirs.dtype)


def test_like_distributions():
    tg.manual_seed(0)
    x = tg.zeros(N)
    mean, var = _moments(tg.rand_like(x))
    assert mean == pytest.approx(0.5, abs=5e-3) and var == pytest.approx(1 / 12, abs=2e-3)
    mean, var = _moments(tg.randn_like(x))
    assert mean == pytest.approx(0.0, abs=1e-2) and var == pytest.approx(1.0, abs=1e-2)
    r = tg.randint_like(tg.zeros(N, dtype=tg.int64), 3, 7).numpy()
    assert set(np.unique(r)) == {3, 4, 5, 6}
    assert set(np.unique(tg.randint_like(tg.zeros(1000), 2).numpy())) == {0.0, 1.0}


def test_normal_overloads_shapes_and_dtypes_as_torch():
    cases = [
        lambda fw: fw.normal(fw.zeros(3, dtype=fw.float64), 1.0),
        lambda fw: fw.normal(0.0, fw.ones(2, 3)),
        lambda fw: fw.normal(fw.zeros(2), fw.ones(3, 1)),
        lambda fw: fw.normal(fw.zeros(2), fw.ones(2, dtype=fw.float64)),
        lambda fw: fw.normal(2.0, 3.0, size=(2, 4)),
        lambda fw: fw.normal(2.0, 3.0, (5,), dtype=fw.float64),
        lambda fw: fw.normal(fw.zeros(2, dtype=fw.float16), 1.0),
    ]
    for fn in cases:
        ours, theirs = fn(tg), fn(torch)
        assert (ours.shape, ours.dtype) == (tuple(theirs.shape), _np(theirs.dtype))


def test_normal_moments_broadcast_per_element():
    tg.manual_seed(1)
    mean, std = tg.tensor([[-3.0], [5.0]]), tg.tensor([0.5, 2.0, 4.0])
    z = tg.normal(mean.expand(2, 3).unsqueeze(0).expand(N // 10, 2, 3),
                  std.unsqueeze(0).unsqueeze(0).expand(N // 10, 2, 3)).numpy().astype(np.float64)
    np.testing.assert_allclose(z.mean(axis=0), [[-3.0] * 3, [5.0] * 3], atol=0.06)
    np.testing.assert_allclose(z.std(axis=0), [[0.5, 2.0, 4.0]] * 2, rtol=0.02)
    mean, var = _moments(tg.normal(2.0, 3.0, size=(N,)))
    assert mean == pytest.approx(2.0, abs=0.03) and var == pytest.approx(9.0, rel=0.02)


def test_bernoulli_and_multinomial_distributions():
    tg.manual_seed(2)
    p = tg.tensor([0.0, 0.2, 0.7, 1.0], dtype=tg.float64)
    draws = tg.bernoulli(p.unsqueeze(0).expand(N // 10, 4))
    assert draws.dtype == np.float64 and set(np.unique(draws.numpy())) <= {0.0, 1.0}
    np.testing.assert_allclose(draws.numpy().mean(axis=0), [0.0, 0.2, 0.7, 1.0], atol=0.01)
    assert tg.bernoulli(tg.zeros(N), 0.3).numpy().mean() == pytest.approx(0.3, abs=5e-3)
    assert p.bernoulli().shape == (4,)
    x = tg.zeros(N)
    assert x.bernoulli_(0.25) is x and x.numpy().mean() == pytest.approx(0.25, abs=5e-3)
    weights = tg.tensor([1.0, 0.0, 3.0, 4.0])
    idx = tg.multinomial(weights, N, replacement=True)
    assert idx.dtype == np.int64 and idx.shape == (N,)
    np.testing.assert_allclose(np.bincount(idx.numpy(), minlength=4) / N, [0.125, 0.0, 0.375, 0.5], atol=5e-3)
    rows = weights.multinomial(4)  # without replacement: a permutation, the zero-probability category last
    assert sorted(rows.numpy().tolist()) == [0, 1, 2, 3] and int(rows[3].item()) == 1
    # without replacement the first draw follows the weights, the second the renormalised rest
    firsts = np.array([int(tg.multinomial(tg.tensor([1.0, 2.0, 7.0]), 2)[0].item()) for _ in range(4000)])
    np.testing.assert_allclose(np.bincount(firsts, minlength=3) / 4000, [0.1, 0.2, 0.7], atol=0.025)
    batch = tg.multinomial(tg.tensor([[1.0, 0.0], [0.0, 1.0]]), 3, replacement=True)
    assert batch.shape == (2, 3) and batch.numpy().tolist() == [[0, 0, 0], [1, 1, 1]]
    assert tg.multinomial(tg.zeros(0, 3), 1).shape == tuple(torch.multinomial(torch.zeros(0, 3), 1).shape)


RANDOM_ERRORS = [
    lambda fw: fw.normal(0.0, 1.0),
    lambda fw: fw.normal(0.0, -1.0, (2,)),
    lambda fw: fw.normal(fw.zeros(2), -1.0),
    lambda fw: fw.normal(fw.zeros(2), fw.tensor([1.0, -1.0])),
    lambda fw: fw.normal(fw.zeros(2), fw.ones(3)),
    lambda fw: fw.normal(fw.tensor([0, 1]), 1.0),
    lambda fw: fw.bernoulli(fw.tensor([1.5])),
    lambda fw: fw.bernoulli(fw.tensor([1, 0])),
    lambda fw: fw.zeros(2).bernoulli_(1.5),
    lambda fw: fw.zeros(2).bernoulli_(fw.tensor([0.5, 2.0])),
    lambda fw: fw.zeros(2).bernoulli_(fw.tensor([0.5, 0.1, 0.2])),
    lambda fw: fw.multinomial(fw.tensor([1.0, 2.0]), 3),
    lambda fw: fw.multinomial(fw.tensor([1.0, 2.0]), 0),
    lambda fw: fw.multinomial(fw.tensor([1.0, 2.0]), 2.0),
    lambda fw: fw.multinomial(fw.ones(2, 2, 2), 1),
    lambda fw: fw.multinomial(fw.tensor(1.0), 1),
    lambda fw: fw.multinomial(fw.tensor([-1.0, 2.0]), 1),
    lambda fw: fw.multinomial(fw.tensor([float("nan"), 1.0]), 1),
    lambda fw: fw.multinomial(fw.tensor([1.0, float("inf")]), 1),
    lambda fw: fw.multinomial(fw.tensor([0.0, 0.0]), 1),
    lambda fw: fw.multinomial(fw.tensor([[1.0, 2.0], [0.0, 0.0]]), 1),
    lambda fw: fw.multinomial(fw.tensor([1, 2]), 1),
    lambda fw: fw.multinomial(fw.zeros(2, 0), 1),
]


@pytest.mark.parametrize("i", range(len(RANDOM_ERRORS)))
def test_random_errors_as_torch(i):
    _same_error(RANDOM_ERRORS[i])


# the in-place fillers: (call, mean, variance) of the distribution, support check
FILLERS = [
    (lambda t: t.exponential_(), 1.0, 1.0, lambda a: (a >= 0).all()),
    (lambda t: t.exponential_(4.0), 0.25, 1 / 16, lambda a: (a >= 0).all()),
    (lambda t: t.geometric_(0.25), 4.0, 0.75 / 0.25**2, lambda a: (a >= 1).all() and (a == np.round(a)).all()),
    (lambda t: t.log_normal_(0.0, 0.5), np.exp(0.125), (np.exp(0.25) - 1) * np.exp(0.25),
     lambda a: (a > 0).all()),
    (lambda t: t.log_normal_(), np.exp(1 + 2), None, lambda a: (a > 0).all()),  # variance too heavy to estimate
    (lambda t: t.random_(3, 7), 4.5, 1.25, lambda a: set(np.unique(a)) == {3.0, 4.0, 5.0, 6.0}),
    (lambda t: t.random_(5), 2.0, 2.0, lambda a: set(np.unique(a)) == {0.0, 1.0, 2.0, 3.0, 4.0}),
    (lambda t: t.random_(**{"from": -2, "to": 0}), -1.5, 0.25, lambda a: set(np.unique(a)) == {-2.0, -1.0}),
    (lambda t: t.random_(), 2.0**23, None, lambda a: (a >= 0).all() and (a <= 2**24).all()),
    (lambda t: t.uniform_(-1.0, 3.0), 1.0, 16 / 12, lambda a: ((a >= -1) & (a < 3)).all()),
]


@pytest.mark.parametrize("i", range(len(FILLERS)))
def test_in_place_fillers_distribution_dtype_and_version(i):
    fill, mean, var, support = FILLERS[i]
    tg.manual_seed(3)
    x = tg.zeros(N)
    version = x._version
    assert fill(x) is x
    assert x._version == version + 1 and x.dtype == np.float32
    a = x.numpy().astype(np.float64)
    assert support(a)
    if fill is FILLERS[4][0]:  # log-normal(1, 2): check log x instead
        assert np.log(a).mean() == pytest.approx(1.0, abs=0.02) and np.log(a).std() == pytest.approx(2.0, rel=0.01)
        return
    assert a.mean() == pytest.approx(mean, rel=0.02, abs=0.01)
    if var is not None:
        assert a.var() == pytest.approx(var, rel=0.05)
    # torch's draws from the same call have the same support
    t = torch.zeros(1000)
    assert support(fill(t).numpy().astype(np.float64)) or fill is FILLERS[8][0]


def test_cauchy_median_and_quartiles():
    tg.manual_seed(4)
    a = tg.zeros(N, dtype=tg.float64).cauchy_(2.0, 0.5).numpy()
    np.testing.assert_allclose(np.percentile(a, [25, 50, 75]), [1.5, 2.0, 2.5], atol=0.02)


def test_random_on_integer_and_bool_tensors_as_torch():
    tg.manual_seed(5)
    for name in ["uint8", "int8", "int16", "int32", "int64", "bool"]:
        ours = tg.zeros(2000, dtype=getattr(tg, name)).random_()
        info = (0, 1) if name == "bool" else (0, tg.iinfo(getattr(tg, name)).max)
        a = ours.numpy().astype(np.float64)
        assert ours.dtype == np.dtype(name) and a.min() >= info[0] and a.max() <= info[1]
        assert a.max() > info[1] / 2  # spread over the whole range
    g = tg.zeros(1000, dtype=tg.int64).geometric_(0.5)
    assert g.dtype == np.int64 and g.numpy().min() >= 1


FILLER_ERRORS = [
    lambda fw: fw.zeros(2).exponential_(0),
    lambda fw: fw.zeros(2).exponential_(-1),
    lambda fw: fw.zeros(2, dtype=fw.int64).exponential_(),
    lambda fw: fw.zeros(2).geometric_(1.0),
    lambda fw: fw.zeros(2).geometric_(0),
    lambda fw: fw.zeros(2, dtype=fw.bool).geometric_(0.5),
    lambda fw: fw.zeros(2).log_normal_(1, 0),
    lambda fw: fw.zeros(2).log_normal_(1, -1),
    lambda fw: fw.zeros(2, dtype=fw.int64).log_normal_(),
    lambda fw: fw.zeros(2).cauchy_(0, 0),
    lambda fw: fw.zeros(2, dtype=fw.int64).cauchy_(),
    lambda fw: fw.zeros(2).random_(3, 3),
    lambda fw: fw.zeros(2, dtype=fw.uint8).random_(-2, 0),
    lambda fw: fw.zeros(2, dtype=fw.int8).random_(0, 1000),
    lambda fw: fw.zeros(2, dtype=fw.int64).normal_(),
    lambda fw: fw.zeros(2, dtype=fw.int64).uniform_(),
    lambda fw: fw.zeros(2, requires_grad=True).exponential_(),
    lambda fw: fw.zeros(2, requires_grad=True).random_(),
]


@pytest.mark.parametrize("i", range(len(FILLER_ERRORS)))
def test_filler_errors_as_torch(i):
    _same_error(FILLER_ERRORS[i])


def test_fillers_work_under_no_grad_on_parameters():
    w = tg.zeros(3, requires_grad=True)
    with tg.no_grad():
        w.exponential_().cauchy_().log_normal_().geometric_(0.5).random_(4).bernoulli_(0.5)
    assert w.requires_grad and w.grad_fn is None


# ----------------------------------------------------------------------------- 2. seeds and the RNG state
def _stream() -> list:
    return [tg.rand(3).numpy(), tg.randn(2).numpy(), tg.randint(0, 10, (4,)).numpy(),
            tg.multinomial(tg.ones(5), 5).numpy(), tg.zeros(3).exponential_().numpy(), tg.randperm(6).numpy()]


def _assert_same(a: list, b: list) -> None:
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_manual_seed_reproduces_every_random_function():
    tg.manual_seed(123)
    first = _stream()
    tg.manual_seed(123)
    _assert_same(_stream(), first)
    assert tg.initial_seed() == 123


def test_rng_state_round_trip_restores_the_stream_exactly():
    tg.manual_seed(7)
    tg.rand(5)
    state = tg.get_rng_state()
    assert isinstance(state, tg.Tensor) and state.dtype == np.uint8 and state.ndim == 1
    after = _stream()
    tg.manual_seed(99)  # anything in between: another seed, other draws
    tg.randn(100)
    tg.set_rng_state(state)
    _assert_same(_stream(), after)
    tg.set_rng_state(state)  # the state is not consumed
    _assert_same(_stream(), after)


def test_set_rng_state_errors():
    _same_error(lambda fw: fw.set_rng_state(fw.zeros(3)))
    with pytest.raises(TypeError):
        tg.set_rng_state(np.zeros(3, dtype=np.uint8))
    with pytest.raises(RuntimeError, match="set_rng_state"):
        tg.set_rng_state(tg.tensor([1, 2, 3], dtype=tg.uint8))


def test_seed_picks_a_fresh_seed_and_initial_seed_reports_it():
    s = tg.seed()
    assert isinstance(s, int) and 0 <= s < 2**64 and tg.initial_seed() == s
    a = tg.rand(4).numpy()
    tg.manual_seed(s)
    np.testing.assert_array_equal(tg.rand(4).numpy(), a)
    assert tg.seed() != s


# ----------------------------------------------------------------------------- 2. BLAS threads
def test_num_threads_round_trip():
    before = tg.get_num_threads()
    assert isinstance(before, int) and before >= 1
    try:
        tg.set_num_threads(1)
        assert tg.get_num_threads() == 1
        x = tg.randn(64, 64)
        np.testing.assert_allclose((x @ x).numpy(), x.numpy() @ x.numpy(), rtol=1e-5, atol=1e-5)
    finally:
        tg.set_num_threads(before)
    assert tg.get_num_threads() == before


@pytest.mark.parametrize("fn", [lambda fw: fw.set_num_threads(0), lambda fw: fw.set_num_threads(-2),
                                lambda fw: fw.set_num_threads(1.5)])
def test_set_num_threads_errors_as_torch(fn):
    _same_error(fn)


# ----------------------------------------------------------------------------- 3. printing and determinism
@pytest.fixture
def print_defaults():
    yield
    tg.set_printoptions(profile="default")


def test_set_printoptions_changes_repr(print_defaults):
    x = tg.tensor([1.23456789, 0.5, 123.0])
    assert repr(x) == "tensor([  1.2346,   0.5   , 123.    ])"
    tg.set_printoptions(precision=2)
    assert repr(x) == "tensor([  1.23,   0.5 , 123.  ])"
    tg.set_printoptions(precision=3, sci_mode=True)
    assert repr(x) == "tensor([1.235e+00, 5.000e-01, 1.230e+02])"
    tg.set_printoptions(sci_mode=False)  # precision stays 3
    assert repr(x) == "tensor([  1.235,   0.500, 123.000])"
    tg.set_printoptions(profile="default")
    assert repr(tg.arange(100.0)) == "tensor([ 0.,  1.,  2., ..., 97., 98., 99.])"
    tg.set_printoptions(threshold=5, edgeitems=1)
    assert repr(tg.arange(10.0)) == "tensor([0., ..., 9.])"
    tg.set_printoptions(profile="full")
    assert "..." not in repr(tg.arange(2000))
    tg.set_printoptions(profile="default", linewidth=40)
    assert max(len(line) for line in repr(tg.arange(20)).splitlines()) <= 40
    with pytest.raises(ValueError, match="profile"):
        tg.set_printoptions(profile="long")


def test_set_printoptions_has_torch_signature():
    import inspect

    assert list(inspect.signature(tg.set_printoptions).parameters) == \
        list(inspect.signature(torch.set_printoptions).parameters)


def test_use_deterministic_algorithms_is_accepted():
    assert tg.are_deterministic_algorithms_enabled() is False
    tg.use_deterministic_algorithms(True, warn_only=True)
    try:
        assert tg.are_deterministic_algorithms_enabled() is True
    finally:
        tg.use_deterministic_algorithms(False)


# ----------------------------------------------------------------------------- the stand-in device
def test_random_functions_keep_the_device():
    import standin_backend as sb

    sb.register()
    try:
        x = tg.ones(4, 3, device=sb.DEVICE)
        outs = [tg.rand_like(x), tg.randn_like(x), tg.randint_like(x, 5), tg.empty_like(x), tg.bernoulli(x * 0.5),
                tg.normal(x, 1.0), tg.normal(0.0, x), tg.multinomial(x, 2), x.clone().exponential_(),
                x.clone().geometric_(0.5), x.clone().log_normal_(), x.clone().cauchy_(), x.clone().random_(3),
                x.clone().bernoulli_(0.5), tg.isclose(x, x)]
        for out in outs:
            assert str(out.device) == str(x.device), out
            assert not isinstance(out.data, np.ndarray)
        assert tg.allclose(x, x) and tg.equal(x, x)
    finally:
        sb.unregister()


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"])
def test_like_functions_take_device_and_dtype_keywords_as_torch(name):
    for fw in (tg, torch):
        out = getattr(fw, name)(fw.ones(2, 3), dtype=fw.float64, device="cpu")
        assert tuple(out.shape) == (2, 3) and out.dtype == fw.float64 and out.device.type == "cpu"
    full = tg.full_like(tg.ones(2), 7.0, device="cpu")
    assert full.tolist() == torch.full_like(torch.ones(2), 7.0, device="cpu").tolist()
