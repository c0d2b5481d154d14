"""Tensor basics: dtype policy, clear errors, reproducible randomness, stable numerics."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import Tensor

# ----------------------------------------------------------------------------- dtypes


def test_float32_is_the_default():
    assert Tensor(1.0).dtype == np.float32
    assert Tensor([1.0, 2.0]).dtype == np.float32
    assert tg.tensor([[1.0], [2.0]]).dtype == np.float32
    assert tg.randn(2, 3).dtype == np.float32
    assert tg.zeros(2).dtype == np.float32 and tg.ones(2).dtype == np.float32


@pytest.mark.parametrize("dtype", [tg.float64, np.float64, "float64", tg.double])
def test_float64_on_request(dtype):
    assert Tensor(1.0, dtype=dtype).dtype == np.float64
    assert tg.zeros(2, dtype=dtype).dtype == np.float64
    assert tg.randn(2, dtype=dtype).dtype == np.float64
    assert Tensor([1.0]).to(dtype).dtype == np.float64


def test_numpy_arrays_keep_their_dtype_as_in_torch():
    # torch.tensor(np.zeros(3)) is float64, torch.tensor([1.0]) float32: the same rule here
    assert Tensor(np.zeros(3)).dtype == np.float64
    assert Tensor(np.float64(2.0)).dtype == np.float64
    assert Tensor(np.zeros(3, dtype=np.float32)).dtype == np.float32
    assert Tensor(np.zeros(3), dtype=tg.float32).dtype == np.float32


def test_integer_and_bool_data_keep_their_dtype():
    assert Tensor([1, 2]).dtype.kind == "i"
    assert tg.tensor([True, False]).dtype == np.bool_
    assert tg.arange(3).dtype == np.int64


OPS_WITH_SCALARS = [
    lambda x: x * 2.5, lambda x: 2.5 * x, lambda x: x + np.float64(2.0), lambda x: x / 3, lambda x: 1.0 - x,
    lambda x: 2.0 ** x, lambda x: x ** 2, lambda x: x ** 0.5, lambda x: tg.maximum(x, 0.5),
    lambda x: tg.where(x > 0, x, 0.0), lambda x: x.clamp(0.1, 0.9), lambda x: x + np.ones(3, dtype=np.float32),
    lambda x: x.exp(), lambda x: x.sigmoid(), lambda x: x.softplus(), lambda x: x.gelu(), lambda x: x.gelu("tanh"),
    lambda x: x.elu(), lambda x: x.leaky_relu(), lambda x: tg.silu(x), lambda x: x.tanh(), lambda x: x.mean(),
    lambda x: x.var(), lambda x: x.std(), lambda x: x.logsumexp(), lambda x: x @ x, lambda x: x.pad((1, 1)),
]


@pytest.mark.parametrize("i", range(len(OPS_WITH_SCALARS)))
def test_no_silent_upcast_of_float32(i):
    x = Tensor([0.2, 0.5, 0.7], requires_grad=True)
    y = OPS_WITH_SCALARS[i](x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_float64_stays_float64():
    x = Tensor([0.2, 0.5], dtype=tg.float64, requires_grad=True)
    y = (x * 2.5).sigmoid().logsumexp()
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float64


def test_manual_seed_reproducibility():
    tg.manual_seed(123)
    a, b = tg.randn(5), tg.rand(3)
    tg.manual_seed(123)
    c, d = tg.randn(5), tg.rand(3)
    np.testing.assert_array_equal(a.numpy(), c.numpy())
    np.testing.assert_array_equal(b.numpy(), d.numpy())
    tg.manual_seed(124)
    assert not np.array_equal(tg.randn(5).numpy(), a.numpy())


# ----------------------------------------------------------------------------- errors


def test_matmul_misaligned_names_the_shapes():  # RuntimeError, as torch
    with pytest.raises(RuntimeError, match=re.escape("matmul: shapes (3, 4) and (5, 2) do not align")):
        tg.ones(3, 4) @ tg.ones(5, 2)
    with pytest.raises(RuntimeError, match=re.escape("matmul: shapes (3,) and (4,) do not align")):
        tg.ones(3) @ tg.ones(4)
    with pytest.raises(RuntimeError, match="matmul: batch dimensions"):
        tg.ones(2, 3, 4) @ tg.ones(3, 4, 5)
    with pytest.raises(RuntimeError, match="matmul"):
        tg.matmul(tg.ones(()), tg.ones(3))


@pytest.mark.parametrize("op,fn", [
    ("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b), ("pow", lambda a, b: a ** b), ("maximum", tg.maximum), ("minimum", tg.minimum),
    ("where", lambda a, b: tg.where(a > 0, a, b)),
])
def test_broadcast_mismatch_names_the_op_and_shapes(op, fn):
    with pytest.raises(RuntimeError, match=rf"{op}: shapes .*\(3, 4\).*\(5,\).*cannot be broadcast"):
        fn(tg.ones(3, 4), tg.ones(5))


def test_reshape_mismatch():
    with pytest.raises(RuntimeError, match=re.escape("reshape: cannot reshape a tensor of shape (3, 4) (12 elements) "
                                                   "into (5, 3)")):
        tg.ones(3, 4).reshape(5, 3)
    with pytest.raises(RuntimeError, match="reshape"):
        tg.ones(3, 4).view(-1, 5)


@pytest.mark.parametrize("call", [
    lambda x: x.sum(3), lambda x: x.mean(-3), lambda x: x.max(2), lambda x: x.logsumexp(5),
    lambda x: x.transpose(0, 4), lambda x: x.unsqueeze(5), lambda x: x.squeeze(7), lambda x: x.flatten(2),
    lambda x: x.var(9), lambda x: x.argmax(4), lambda x: tg.cat([x, x], 3),
])
def test_bad_dim_raises_index_error_naming_the_op(call):
    pattern = r"^\w+: Dimension out of range \(expected to be in range of \[-[23], [12]\], but got -?\d+\)"
    with pytest.raises(IndexError, match=pattern):
        call(tg.ones(3, 4))


def test_other_shape_errors():  # the exception types are torch's (checked against torch in test_tensor_torch_api)
    with pytest.raises(RuntimeError, match="cat: shapes"):
        tg.cat([tg.ones(3, 4), tg.ones(5, 2)])
    with pytest.raises(RuntimeError, match="stack: all tensors must have the same shape"):
        tg.stack([tg.ones(3), tg.ones(4)])
    with pytest.raises(RuntimeError, match="permute"):
        tg.ones(3, 4).permute(0, 0)
    with pytest.raises(RuntimeError, match="expand: cannot expand"):
        tg.ones(3, 4).expand(2, 5)
    with pytest.raises(IndexError, match=r"getitem: .*\(tensor of shape \(3, 4\)\)"):
        tg.ones(3, 4)[5]
    with pytest.raises(RuntimeError, match="clamp"):
        tg.ones(3).clamp()
    with pytest.raises(RuntimeError, match="gelu"):
        tg.ones(3).gelu("fast")
    with pytest.raises(RuntimeError, match="item|one-element|ambiguous"):
        bool(tg.ones(3))
    with pytest.raises(RuntimeError, match="item"):
        tg.ones(3).item()


def test_numpy_of_a_tensor_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="detach"):
        Tensor([1.0], requires_grad=True).numpy()


# ----------------------------------------------------------------------------- numerics


def _forward_backward(fn, values, dtype=tg.float32):
    x = Tensor(values, dtype=dtype, requires_grad=True)
    y = fn(x)
    y.sum().backward()
    return y.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
def test_extreme_inputs_give_no_nan_or_inf(dtype):
    big = [-1000.0, 0.0, 1000.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        y, g = _forward_backward(lambda t: t.sigmoid(), big, dtype)
        np.testing.assert_allclose(y, [0.0, 0.5, 1.0])
        np.testing.assert_allclose(g, [0.0, 0.25, 0.0])
        y, g = _forward_backward(lambda t: t.softplus(), big, dtype)
        np.testing.assert_allclose(y, [0.0, np.log(2.0), 1000.0], rtol=1e-6)
        np.testing.assert_allclose(g, [0.0, 0.5, 1.0])
        y, g = _forward_backward(lambda t: t.softplus(threshold=1e9), big, dtype)  # the log1p form too
        np.testing.assert_allclose(y, [0.0, np.log(2.0), 1000.0], rtol=1e-6)
        y, g = _forward_backward(lambda t: t.logsumexp(), [1e4, 1e4 - 1.0], dtype)
        assert y == pytest.approx(1e4 + np.log1p(np.exp(-1.0)), rel=1e-6)
        np.testing.assert_allclose(g, [1 / (1 + np.exp(-1)), 1 / (1 + np.exp(1))], rtol=1e-3)
        y, g = _forward_backward(lambda t: t.logsumexp(0), [[-1e4], [-1e4]], dtype)
        assert y[0] == pytest.approx(-1e4 + np.log(2.0), rel=1e-6)
        for fn in (lambda t: tg.silu(t), lambda t: t.tanh(), lambda t: t.elu(), lambda t: t.gelu(),
                   lambda t: t.gelu("tanh"), lambda t: (t * 10).logsumexp()):
            y, g = _forward_backward(fn, big, dtype)
            assert np.isfinite(y).all() and np.isfinite(g).all()


def test_logsumexp_with_minus_infinity():
    y, g = _forward_backward(lambda t: t.logsumexp(), [float("-inf"), 0.0])
    assert y == 0.0
    np.testing.assert_allclose(g, [0.0, 1.0])
