"""PyTorch's way of writing a custom op (static forward/backward with ``ctx``, ``Fn.apply``) and
``torch.autograd.functional`` (jacobian, hessian, vjp, jvp, vhp, hvp), each against torch where installed."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru.autograd import Function, gradcheck, gradgradcheck

try:
    import torch
except ImportError:  # pragma: no cover - torch is an optional oracle
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed (pip install '.[parity]')")


def _define(fw):
    """The same custom Functions written once, for either framework (the PyTorch tutorial's style)."""

    class Exp(fw.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, gy):
            y, = ctx.saved_tensors
            return gy * y

    class LegendrePolynomial3(fw.autograd.Function):  # from PyTorch's "Defining new autograd functions"
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 0.5 * (5 * x ** 3 - 3 * x)

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 1.5 * (5 * x ** 2 - 1)

    class ScaleBy(fw.autograd.Function):  # a non-tensor argument gets None
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    class SortedWithIndex(fw.autograd.Function):  # two outputs, one not differentiable
        @staticmethod
        def forward(ctx, x):
            values, index = x.sort()
            ctx.mark_non_differentiable(index)
            ctx.save_for_backward(index)
            return values, index

        @staticmethod
        def backward(ctx, g_values, g_index):
            index, = ctx.saved_tensors
            out = g_values.new_zeros(g_values.shape)
            out[index] = g_values
            return out

    class Split(fw.autograd.Function):  # two outputs; the second is unused below: its gradient is zeros
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    return Exp, LegendrePolynomial3, ScaleBy, SortedWithIndex, Split


EXP, LEGENDRE, SCALE, SORTED, SPLIT = _define(tg)
X0 = np.array([0.3, -1.2, 0.8, 2.0])


def _leaf(fw, values=X0):
    return fw.tensor(values.copy(), dtype=fw.float64, requires_grad=True)


@needs_torch
@pytest.mark.parametrize("k", range(5), ids=["exp", "legendre", "scale", "sorted", "split"])
def test_values_and_gradients_match_torch(k):
    ours, theirs = _define(tg)[k], _define(torch)[k]
    results = []
    for fw, fn in ((tg, ours), (torch, theirs)):
        x = _leaf(fw)
        out = fn.apply(x, 2.5) if fn.__name__ == "ScaleBy" else fn.apply(x)
        first = out[0] if isinstance(out, tuple) else out
        (first * fw.tensor(np.arange(1.0, 5.0), dtype=fw.float64)).sum().backward()
        results.append((first.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_gradcheck_and_double_backward_of_a_ctx_function():
    x = _leaf(tg)
    assert gradcheck(lambda t: LEGENDRE.apply(t).sum(), [x])
    assert gradgradcheck(lambda t: LEGENDRE.apply(t).sum(), [x])  # its backward is Tensor ops
    assert gradcheck(lambda t: EXP.apply(t).sum(), [x])


def test_the_node_is_named_after_the_class_and_inputs_without_grad_record_nothing():
    y = EXP.apply(_leaf(tg))
    assert y.grad_fn is not None and y.grad_fn.name == "Exp" and repr(y.grad_fn) == "<ExpBackward>"
    plain = EXP.apply(tg.tensor(X0))
    assert plain.grad_fn is None and not plain.requires_grad
    with tg.no_grad():
        assert EXP.apply(_leaf(tg)).grad_fn is None


def test_needs_input_grad_has_one_flag_per_argument_of_forward():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, k, b):
            seen["flags"] = ctx.needs_input_grad
            return a * k + b

        @staticmethod
        def backward(ctx, g):
            return g, None, g

    Probe.apply(_leaf(tg), 2.0, tg.tensor(X0))
    assert seen["flags"] == (True, False, False)


def test_forward_runs_without_recording():
    inside = {}

    class Look(Function):
        @staticmethod
        def forward(ctx, x):
            inside["enabled"] = tg.is_grad_enabled()
            inside["grad_fn"] = (x * 2).grad_fn
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    Look.apply(_leaf(tg))
    assert inside == {"enabled": False, "grad_fn": None}


def test_a_wrong_number_of_gradients_is_torchs_error():
    class TooMany(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match=r"returned an incorrect number of gradients \(expected 1, got 2\)"):
        TooMany.apply(_leaf(tg)).sum().backward()


def test_a_saved_tensor_changed_in_place_is_refused():
    x = _leaf(tg)
    y = EXP.apply(x)
    with tg.no_grad():
        y += 1  # the saved output changed before backward
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*ExpBackward, saved tensor 0"):
        y.sum().backward()


def test_non_differentiable_outputs_and_non_tensor_saves():
    values, index = SORTED.apply(_leaf(tg))
    assert values.requires_grad and not index.requires_grad

    class SavesANumber(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3.0)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="save_for_backward can only save tensors"):
        SavesANumber.apply(_leaf(tg))


def test_setup_context_form_of_pytorch_2():
    class Square(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    x = _leaf(tg)
    Square.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * X0)


def test_the_raw_array_form_still_works():
    class Cube(Function):
        def forward(self, x):
            return x ** 3

        def backward(self, gy):
            x, = self.inputs
            return gy * 3 * x ** 2

    x = _leaf(tg)
    Cube.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * X0 ** 2)


# ----------------------------------------------------------------------------- autograd.functional
def f_single(x):
    return (x ** 3).reshape(2, 2) * 2 + x.sum()


def f_tuple(x, w):
    return (x * w).sum() + (x ** 2 * w ** 3).sum(), (x * w)


def scalar_of_two(x, w):
    return (x ** 2 * w.exp()).sum() + (x * w).sum() ** 2


W0 = np.array([0.5, -0.4, 1.1, 0.2])
V0 = np.array([1.0, -2.0, 0.5, 3.0])


def _call(fw, name, *args, **kw):
    return getattr(fw.autograd.functional, name)(*args, **kw)


def _np(v):
    if isinstance(v, (tuple, list)):
        return [_np(u) for u in v]
    return v.detach().numpy()


@needs_torch
@pytest.mark.parametrize("case", [
    ("jacobian", lambda fw: (f_single, _leaf(fw))),
    ("jacobian", lambda fw: (f_tuple, (_leaf(fw), _leaf(fw, W0)))),
    ("hessian", lambda fw: (lambda x: (x ** 3 * x.sin()).sum(), _leaf(fw))),
    ("hessian", lambda fw: (scalar_of_two, (_leaf(fw), _leaf(fw, W0)))),
    ("vjp", lambda fw: (f_single, _leaf(fw), fw.tensor(V0.reshape(2, 2), dtype=fw.float64))),
    ("jvp", lambda fw: (f_single, _leaf(fw), fw.tensor(V0, dtype=fw.float64))),
    ("vhp", lambda fw: (scalar_of_two, (_leaf(fw), _leaf(fw, W0)),
                        (fw.tensor(V0, dtype=fw.float64), fw.tensor(W0, dtype=fw.float64)))),
    ("hvp", lambda fw: (lambda x: (x ** 4).sum(), _leaf(fw), fw.tensor(V0, dtype=fw.float64))),
], ids=["jacobian", "jacobian-tuples", "hessian", "hessian-tuple", "vjp", "jvp", "vhp", "hvp"])
def test_functional_matches_torch(case):
    name, make = case
    ours, theirs = _call(tg, name, *make(tg)), _call(torch, name, *make(torch))

    def same(a, b):
        if isinstance(b, (tuple, list)):
            assert isinstance(a, (tuple, list)) and len(a) == len(b)
            for u, v in zip(a, b):
                same(u, v)
        else:
            assert tuple(a.shape) == tuple(b.shape)
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)

    same(ours, theirs)


def test_functional_leaves_the_inputs_alone_and_create_graph_differentiates_the_result():
    x = _leaf(tg)
    h = tg.autograd.functional.hessian(lambda t: (t ** 3).sum(), x)
    np.testing.assert_allclose(h.numpy(), np.diag(6 * X0))
    assert x.grad is None and not h.requires_grad
    j = tg.autograd.functional.jacobian(lambda t: t ** 3, x, create_graph=True)
    j.sum().backward()  # Σᵢ 3xᵢ² → ∂/∂x = 6x
    np.testing.assert_allclose(x.grad.numpy(), 6 * X0)


def test_functional_errors():
    with pytest.raises(TypeError, match="jacobian must be either a Tensor or a tuple of Tensors"):
        tg.autograd.functional.jacobian(lambda t: t, [1.0, 2.0])
    with pytest.raises(RuntimeError, match="should contain a single element"):
        tg.autograd.functional.hessian(lambda t: t * 2, _leaf(tg))
    with pytest.raises(RuntimeError, match="v can only be None"):
        tg.autograd.functional.vjp(lambda t: t * 2, _leaf(tg))


def test_the_graph_of_a_ctx_function_is_drawable_after_backward_and_frees_the_saved_tensors():
    from tinygrad_ru.viz import explain_backward

    x = tg.Tensor(X0.copy(), requires_grad=True, name="x")
    y = EXP.apply(x)
    e = (y * 2).sum()
    e.backward()
    assert repr(y.grad_fn) == "<ExpBackward>" and "/∂x = " in explain_backward(e)
    assert not hasattr(y.grad_fn, "ctx")  # what forward saved went with backward, as every node's
    with pytest.raises(RuntimeError, match="freed|second time"):
        e.backward()


@needs_torch
@pytest.mark.parametrize("materialize", [True, False])
def test_set_materialize_grads_as_torch(materialize):
    seen = []
    for fw in (tg, torch):
        class Two(fw.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append((None, g2 is None, None if g2 is None else g2.detach().numpy().tolist()))
                return g1 * 2 if g2 is None else g1 * 2 + g2 * 3

        x = _leaf(fw)
        Two.apply(x)[0].sum().backward()  # the second output gets no gradient
    assert seen[0][1:] == seen[1][1:] and seen[0][1] is (not materialize)


@needs_torch
def test_functional_zeros_for_an_unused_input_even_at_inf_and_the_v_rule_as_torch():
    def f(a, b):
        return (a * 2).sum()

    for fw in (tg, torch):
        x, w = _leaf(fw), _leaf(fw, np.array([np.inf, 1.0, 2.0, 3.0]))
        j = fw.autograd.functional.jacobian(f, (x, w))
        np.testing.assert_array_equal(j[1].numpy(), np.zeros(4))
        with pytest.raises(RuntimeError, match="v can only be None"):
            fw.autograd.functional.vhp(lambda t: (t ** 2).sum(), _leaf(fw))
        with pytest.raises(RuntimeError, match="v can only be None"):
            fw.autograd.functional.jvp(lambda t: t * 2, _leaf(fw))
    one = tg.tensor([2.0], dtype=tg.float64, requires_grad=True)
    np.testing.assert_allclose(tg.autograd.functional.vhp(lambda t: (t ** 3).sum(), one)[1].numpy(), [12.0])


def test_functional_strict_is_refused_not_ignored():
    with pytest.raises(NotImplementedError, match="strict=True"):
        tg.autograd.functional.jacobian(lambda t: t * 2, _leaf(tg), strict=True)
