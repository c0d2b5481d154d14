"""Engine semantics, checked against what PyTorch does."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import Tensor, autograd


def _leaf(values, dtype=tg.float64):
    return Tensor(values, dtype=dtype, requires_grad=True)


def test_lecture_chain_rule():
    a = Tensor(2.0, requires_grad=True, name="a")
    b = Tensor(1.0, requires_grad=True, name="b")
    c = a + b
    d = b + 1
    e = c * d
    e.backward()
    assert e.item() == 6.0
    assert a.grad.item() == 2.0 and b.grad.item() == 5.0
    assert c.grad is None  # non-leaf grads are not kept (as PyTorch)


def test_leaf_gradients_accumulate_across_backward_calls():
    x = _leaf([1.0, 2.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 7.0])


def test_zero_grad_matters():
    x = _leaf([1.0, 2.0])
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    x.grad.zero_()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_grad_is_not_aliased_with_the_seed_or_other_leaves():
    a, b = _leaf([1.0]), _leaf([2.0])
    seed = Tensor([1.0], dtype=tg.float64)
    (a + b).backward(seed)
    a.grad.data += 10
    assert b.grad.item() == 1.0 and seed.item() == 1.0


def test_retain_graph_allows_a_second_backward():
    x = _leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)


def test_second_backward_without_retain_graph_raises():
    x = _leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_shared_subgraph_freed_by_first_backward_raises_on_second():
    x = _leaf([1.0, 2.0])
    h = x.exp()
    h.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        (h * 2.0).sum().backward()


def test_backward_on_non_scalar_without_gradient_raises():
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="scalar"):
        (x * 2.0).backward()
    y = x * 2.0
    y.backward(Tensor([1.0, 10.0], dtype=tg.float64))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 20.0])


def test_backward_gradient_shape_mismatch_raises():
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="shape"):
        (x * 2.0).backward(Tensor([1.0, 2.0, 3.0]))


def test_backward_on_tensor_without_grad_raises():
    x = Tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * 2).sum().backward()
    with pytest.raises(RuntimeError):
        autograd.grad((x * 2).sum(), x)


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating"):
        Tensor([1, 2], requires_grad=True)


def test_no_grad_context_and_decorator():
    x = _leaf([1.0])
    with tg.no_grad():
        y = x * 2
        assert not tg.is_grad_enabled()
        with tg.enable_grad():
            z = x * 2
    assert tg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None

    @tg.no_grad()
    def f(t):
        return t * 3

    @tg.enable_grad()
    def g(t):
        return t * 3

    assert not f(x).requires_grad
    with tg.no_grad():
        assert g(x).requires_grad
    assert tg.is_grad_enabled()


def test_no_grad_restores_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with tg.no_grad():
            1 / 0
    assert tg.is_grad_enabled()


def test_set_grad_enabled():
    x = _leaf([1.0])
    with tg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    with tg.set_grad_enabled(True):
        assert (x * 2).requires_grad


def test_detach_cuts_the_graph_and_shares_data():
    x = _leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert d.data is y.data
    loss = (y * d).sum()  # d is a constant
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * d.numpy())


def test_retain_grad_keeps_a_non_leaf_gradient():
    a = Tensor(2.0, requires_grad=True)
    b = Tensor(1.0, requires_grad=True)
    c = (a + b).retain_grad()
    d = b + 1
    e = c * d
    e.backward()
    assert c.grad.item() == 2.0
    assert d.grad is None
    assert c.retains_grad and not d.retains_grad


def test_create_graph_third_derivative_of_x4():
    x = Tensor(1.5, dtype=tg.float64, requires_grad=True)
    y = x ** 4
    (g1,) = autograd.grad(y, x, create_graph=True)
    (g2,) = autograd.grad(g1, x, create_graph=True)
    (g3,) = autograd.grad(g2, x, create_graph=True)
    (g4,) = autograd.grad(g3, x)
    assert g1.item() == pytest.approx(4 * 1.5 ** 3)
    assert g2.item() == pytest.approx(12 * 1.5 ** 2)
    assert g3.item() == pytest.approx(24 * 1.5)
    assert g4.item() == pytest.approx(24.0)


def test_backward_create_graph_gives_a_differentiable_grad():
    x = Tensor(2.0, dtype=tg.float64, requires_grad=True)
    (x ** 3).backward(create_graph=True)
    gx = x.grad
    assert gx.requires_grad and gx.item() == pytest.approx(12.0)
    x.grad = None
    gx.backward()
    assert x.grad.item() == pytest.approx(12.0)  # d/dx 3x² = 6x


def test_hessian_vector_product():
    x = _leaf([1.0, 2.0, 3.0])
    v = Tensor([1.0, 0.0, -1.0], dtype=tg.float64)
    f = (x ** 3).sum() + (x[0] * x[1])
    (g,) = autograd.grad(f, x, create_graph=True)
    (hv,) = autograd.grad((g * v).sum(), x)
    h = np.diag(6 * np.array([1.0, 2.0, 3.0]))
    h[0, 1] = h[1, 0] = 1.0
    np.testing.assert_allclose(hv.numpy(), h @ v.numpy())


def test_autograd_grad_does_not_touch_dot_grad():
    x = _leaf([1.0, 2.0])
    y = _leaf([3.0, 4.0])
    gx, gy = autograd.grad((x * y).sum(), [x, y])
    np.testing.assert_allclose(gx.numpy(), [3.0, 4.0])
    np.testing.assert_allclose(gy.numpy(), [1.0, 2.0])
    assert x.grad is None and y.grad is None


def test_autograd_grad_of_an_intermediate_and_unused():
    x = _leaf([1.0, 2.0])
    h = x * 2
    out = (h * h).sum()
    unused = _leaf([0.0])
    gh, gu = autograd.grad(out, [h, unused], allow_unused=True)
    np.testing.assert_allclose(gh.numpy(), [4.0, 8.0])
    assert gu is None
    with pytest.raises(RuntimeError, match="not used"):
        autograd.grad((x * 2).sum(), [unused])


def test_autograd_grad_with_grad_outputs_and_several_outputs():
    x = _leaf([1.0, 2.0])
    y1, y2 = x * 2, x * x
    (g,) = autograd.grad([y1, y2], x, grad_outputs=[Tensor([1.0, 1.0]), Tensor([1.0, 0.5])])
    np.testing.assert_allclose(g.numpy(), [2 + 2 * 1.0, 2 + 0.5 * 4.0])


def test_reused_node_gets_the_sum_of_its_gradients():
    x = _leaf([3.0])
    y = x * x + x  # x used three times
    z = y * y  # y used twice
    z.backward()
    # dz/dx = 2y · (2x + 1) = 2·12·7
    assert x.grad.item() == pytest.approx(168.0)


def test_diamond_graph_visits_in_topological_order():
    x = _leaf([2.0])
    a = x * 3
    b = a.exp()
    c = a * a
    d = b + c + a
    d.backward()
    expect = 3 * (np.exp(6.0) + 2 * 6.0 + 1)
    assert x.grad.item() == pytest.approx(expect)


def test_deep_chain_of_10000_ops_has_no_recursion_error():
    x = Tensor(1.0, dtype=tg.float64, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001 ** 10_000)
    del y  # dropping the chain must not recurse either


def test_leaf_grad_dtype_and_shape_follow_the_leaf():
    w = Tensor(np.ones((3, 1)), requires_grad=True)
    b = Tensor(np.zeros(4), requires_grad=True)
    (w * b).sum().backward()
    assert w.grad.shape == (3, 1) and b.grad.shape == (4,)
    assert w.grad.dtype == w.dtype and b.grad.dtype == b.dtype  # float64 arrays stay float64, as in torch
    np.testing.assert_allclose(w.grad.numpy(), np.zeros((3, 1)))
    np.testing.assert_allclose(b.grad.numpy(), np.full(4, 3.0))


def test_custom_function_extension_point():
    class Cube(tg.Function):
        def forward(self, x):
            return x ** 3

        def backward(self, g):
            x, = self.inputs
            return g * 3 * x ** 2

    x = Tensor(2.0, dtype=tg.float64, requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn.name == "Cube"
    (g,) = autograd.grad(y, x, create_graph=True)
    (gg,) = autograd.grad(g, x)
    assert g.item() == 12.0 and gg.item() == 12.0


def test_function_backward_returning_wrong_shape_is_reported():
    class Bad(tg.Function):
        def forward(self, x):
            return x.sum()

        def backward(self, g):
            return g  # should be broadcast back to x's shape

    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="Bad.backward returned a gradient of shape"):
        Bad()(x).backward()


def test_ops_on_tensors_without_grad_build_no_graph():
    x = Tensor([1.0, 2.0])
    y = (x * 2).exp().sum()
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_comparisons_are_not_differentiable():
    x = _leaf([1.0, -2.0])
    m = x > 0
    assert m.dtype == np.bool_ and not m.requires_grad
    assert (x.argmax()).item() == 0 and not x.argmax().requires_grad


def test_inplace_on_leaf_requiring_grad_raises_but_works_under_no_grad():
    w = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="no_grad"):
        w += 1.0
    with tg.no_grad():
        w -= 0.5 * Tensor([2.0, 2.0], dtype=tg.float64)
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 1.0])
    assert w.requires_grad and w.is_leaf


def test_to_dtype_is_differentiable():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * 3
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_stolen_gradients_stay_correct_across_retained_backwards():
    """Leaves may keep a fresh gradient array without copying it; accumulating into it later must
    not corrupt the graph kept by retain_graph=True, nor another leaf's gradient."""
    import tinygrad_ru.nn as nn

    tg.manual_seed(0)
    layer = nn.Linear(4, 3).to(tg.float64)
    x = tg.randn(5, 4, dtype=tg.float64, requires_grad=True)
    out = (layer(x).relu() * layer(x)).sum()
    out.backward(retain_graph=True)
    first = {n: p.grad.numpy().copy() for n, p in layer.named_parameters()}
    first_x = x.grad.numpy().copy()
    out.backward()
    for n, p in layer.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), 2 * first[n], err_msg=n)
    np.testing.assert_allclose(x.grad.numpy(), 2 * first_x)


def test_gradient_from_a_custom_function_takes_the_input_dtype():
    """A user Function whose backward returns float64 for a float32 input: the leaf's grad stays float32."""
    from tinygrad_ru.autograd import Function

    class Double(Function):
        def forward(self, x):
            return x * 2

        def backward(self, g):
            return g.data.astype(np.float64) * 2  # a raw float64 array

    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    Double()(x).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_a_gradient_shared_by_two_inputs_is_not_corrupted_when_a_leaf_keeps_it():
    # Add's backward hands the same gradient to both inputs; the leaf x keeps that array as its .grad
    # and adds its later contributions into it, which must not reach the other input's gradient
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([3.0, 4.0], requires_grad=True)
    out = (x + 0.3 * (y - x)) + (x + 0.5 * (y * y)) + x
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.7, 2.7], rtol=1e-6)
    np.testing.assert_allclose(y.grad.numpy(), [0.3 + 3.0, 0.3 + 4.0], rtol=1e-6)


def test_retain_grad_of_a_node_reached_twice_does_not_double_count():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = (x * 2.0).retain_grad()
    (h * 3.0 + h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [4.0, 4.0])
    np.testing.assert_allclose(x.grad.numpy(), [8.0, 8.0])
