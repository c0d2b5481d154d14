"""Tensor hooks (``register_hook``), node hooks (``grad_fn.register_hook``/``register_prehook``),
``retain_grad`` with hooks, and the one schedule ``topological_order`` — against PyTorch where installed."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import Tensor
from tinygrad_ru.autograd import topological_order


def _leaf(values):
    return Tensor(values, dtype=tg.float64, requires_grad=True)


def test_hook_sees_the_gradient_of_a_leaf_and_can_replace_it():
    x = _leaf([1.0, 2.0, 3.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    x.register_hook(lambda g: g * 2)
    (x * x).sum().backward()
    np.testing.assert_allclose(seen[0], [2.0, 4.0, 6.0])
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0, 12.0])


def test_leaf_hook_runs_once_on_the_summed_gradient():
    x = _leaf([1.0, 2.0])
    calls = []
    x.register_hook(lambda g: calls.append(g.numpy().copy()))
    (x * 3 + x * x).sum().backward()  # two uses of x
    assert len(calls) == 1
    np.testing.assert_allclose(calls[0], [5.0, 7.0])


def test_hook_on_a_non_leaf_changes_what_flows_below():
    x = _leaf([1.0, -2.0])
    y = x * 3
    y.register_hook(lambda g: g * 0 + 10)
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [30.0, 30.0])


def test_handle_remove_unregisters_the_hook():
    x = _leaf([1.0])
    calls = []
    h = x.register_hook(lambda g: calls.append(1))
    (x * 2).sum().backward()
    h.remove()
    h.remove()  # twice is harmless
    (x * 2).sum().backward()
    assert calls == [1]


def test_retain_grad_stores_the_hooked_gradient():
    x = _leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g + 1)
    y.sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [2.0, 2.0])  # as PyTorch: retain_grad runs last
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0])


def test_register_hook_needs_requires_grad_and_a_callable():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        Tensor([1.0]).register_hook(lambda g: g)
    with pytest.raises(TypeError, match="callable"):
        _leaf([1.0]).register_hook(3)


def test_hook_returning_a_wrong_shape_is_reported():
    x = _leaf([1.0, 2.0])
    x.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match=r"shape \(2,\)"):
        (x * 2).sum().backward()


def test_hooks_and_autograd_grad():
    x = _leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 10)
    (g,) = tg.autograd.grad((x * x).sum(), x)
    np.testing.assert_allclose(g.numpy(), [20.0, 40.0])
    assert x.grad is None


def test_node_hook_sees_grad_inputs_and_grad_outputs():
    a, b = _leaf([2.0]), _leaf([3.0])
    c = a * b
    record = []
    c.grad_fn.register_hook(lambda gi, go: record.append(([g.item() for g in gi], [g.item() for g in go])))
    (c * 5).sum().backward()
    assert record == [([15.0, 10.0], [5.0])]


def test_node_hook_can_replace_grad_inputs_and_prehook_grad_outputs():
    a, b = _leaf([2.0]), _leaf([3.0])
    c = a * b
    c.grad_fn.register_hook(lambda gi, go: (gi[0], gi[1] * 0))
    c.sum().backward()
    assert a.grad.item() == 3.0 and b.grad.item() == 0.0

    a2 = _leaf([2.0])
    d = a2 * 4
    h = d.grad_fn.register_prehook(lambda go: (go[0] * 2,))
    d.sum().backward()
    assert a2.grad.item() == 8.0
    h.remove()


def test_node_hook_with_a_none_grad_input():
    a = _leaf([2.0])
    c = a * Tensor([3.0], dtype=tg.float64)
    seen = []
    c.grad_fn.register_hook(lambda gi, go: seen.append(gi[1]))
    c.sum().backward()
    assert seen == [None]


def _torch_hooks():
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
    y = x.exp()
    y.retain_grad()
    y.register_hook(lambda g: g * 3)
    x.register_hook(lambda g: g + 1)
    (y * x).sum().backward()
    return x.grad.numpy(), y.grad.numpy()


def test_hooks_match_torch():
    tx, ty = _torch_hooks()
    x = _leaf([1.0, -2.0, 0.5])
    y = x.exp()
    y.retain_grad()
    y.register_hook(lambda g: g * 3)
    x.register_hook(lambda g: g + 1)
    (y * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx)
    np.testing.assert_allclose(y.grad.numpy(), ty)


# ----------------------------------------------------------------------------- the schedule
def test_topological_order_is_the_order_backward_runs():
    a, b = _leaf([2.0]), _leaf([1.0])
    c = a + b
    d = b + 1
    e = c * d
    order = list(topological_order(e))
    assert [fn.name for fn in order] == ["Mul", "Add", "Add"]
    assert order[0] is e.grad_fn
    ran = []
    for fn in order:
        fn.register_prehook(lambda go, fn=fn: ran.append(fn))
    e.backward()
    assert ran == order


def test_topological_order_puts_a_shared_node_after_all_its_users():
    x = _leaf([1.0])
    h = x * 2  # used by two branches of different depth
    out = (h.exp().exp() + h).sum()
    order = list(topological_order(out))
    pos = {id(fn): i for i, fn in enumerate(order)}
    for fn in order:
        for inp in fn.inputs:
            if inp.grad_fn is not None:
                assert pos[id(inp.grad_fn)] > pos[id(fn)]
    assert order[-1] is h.grad_fn


def test_viz_numbers_the_steps_with_topological_order(monkeypatch):
    pytest.importorskip("graphviz")
    from tinygrad_ru.viz import draw_graph
    from tinygrad_ru.viz.graph import tracing as vg

    calls = []
    real = vg.topological_order
    monkeypatch.setattr(vg, "topological_order", lambda roots: calls.append(1) or real(roots))
    a, b = _leaf([2.0]), _leaf([1.0])
    e = (a + b) * (b + 1)
    src = draw_graph(e).source
    assert calls and "backward #1" in src and "backward #3" in src
