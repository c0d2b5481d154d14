"""The graph stays drawable after a plain backward(): forward, backward, draw — the teaching order.

The pictures then show what that backward computed (the leaves' .grad, the gradients it passed,
the local derivatives it used) and run no backward of their own; a second backward is still an error."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru.autograd.function import FreedTensor

pytest.importorskip("graphviz")
from tinygrad_ru.viz import draw_graph, explain_backward  # noqa: E402
from tinygrad_ru.viz.graph import tracing as vg  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _lecture():
    a = tg.Tensor(2.0, requires_grad=True, name="a")
    b = tg.Tensor(1.0, requires_grad=True, name="b")
    c = a + b
    c.name = "c"
    d = b + 1
    d.name = "d"
    e = c * d
    e.name = "e"
    return a, b, e


@pytest.fixture
def no_backward_allowed(monkeypatch):
    """Fail if the picture runs a backward (the engine's or an op's) of its own."""
    def refuse(*args, **kwargs):
        raise AssertionError("the picture ran a backward")

    monkeypatch.setattr(vg, "_grad", refuse)
    monkeypatch.setattr(vg, "_local_derivatives", refuse)


def test_readme_first_snippet_runs_in_its_order():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    assert block.index("backward()") < block.index("draw_graph(e)")
    ns: dict = {}
    exec(compile(block, "README.md", "exec"), ns)  # noqa: S102 - the README's own example
    assert ns["a"].grad.item() == 2.0 and ns["b"].grad.item() == 5.0


def test_explain_and_draw_after_a_plain_backward(no_backward_allowed):
    a, b, e = _lecture()
    e.backward()
    text = explain_backward(e)
    assert "∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5" in text
    assert "∂e/∂a = ∂e/∂c·∂c/∂a = 2·1 = 2" in text
    src = draw_graph(e).source
    assert "∂e/∂c = d = 2" in src and "value = 6" in src and "grad = 5" in src
    assert "backward #1" in src and "backward #3" in src


def test_the_picture_shows_the_grad_the_leaves_hold(no_backward_allowed):
    a, b, e = _lecture()
    e.backward(retain_graph=True)
    e.backward()  # accumulated: a.grad = 4, b.grad = 10
    assert b.grad.item() == 10.0
    text = explain_backward(e)
    assert text.splitlines()[-1].endswith("= 10")
    src = draw_graph(e).source
    assert "grad = 10" in src and "grad = 4" in src


def test_second_backward_through_the_drawn_graph_is_still_an_error():
    a, b, e = _lecture()
    e.backward()
    draw_graph(e)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        e.backward()


def test_before_backward_the_picture_computes_on_the_side_and_leaves_grad_alone():
    a, b, e = _lecture()
    assert "grad = 5" in draw_graph(e).source
    assert a.grad is None and b.grad is None
    e.backward()  # the graph was not consumed by the picture
    assert b.grad.item() == 5.0


def test_big_tensors_are_freed_and_drawn_by_shape(no_backward_allowed):
    tg.manual_seed(0)
    x = tg.randn(64, 20)
    w = tg.randn(20, 30, requires_grad=True)
    loss = (x @ w).relu().mean()
    loss.backward()
    text = explain_backward(loss)
    assert "(shape (20, 30))" in text  # w's gradient: the .grad it holds
    src = draw_graph(loss).source
    assert "freed by backward" in src and "64×30" in src
    fn = loss.grad_fn
    stand_in = fn.inputs[0]
    assert isinstance(stand_in, FreedTensor) and stand_in.shape == (64, 30)
    assert stand_in.data.strides == (0, 0)  # no values kept


def test_a_tensor_the_user_keeps_is_drawn_with_its_values(no_backward_allowed):
    x = tg.randn(64, 20)
    w = tg.randn(20, 30, requires_grad=True)
    h = x @ w  # kept by the user: the picture uses it, not the stand-in
    loss = h.relu().mean()
    loss.backward()
    graph = vg._collect(loss, {"h": h})
    assert any(t is h for t in graph.tensors)
    assert graph.names[id(h)] == "h"


def test_retained_and_hooked_grads_after_backward(no_backward_allowed):
    x = tg.Tensor([1.0, -2.0], requires_grad=True, name="x")
    y = x * 3
    y.name = "y"
    y.retain_grad()
    y.register_hook(lambda g: g * 2)
    z = (y * y).sum()
    z.name = "z"
    z.backward()
    graph = vg._collect(z, None)
    np.testing.assert_allclose(graph.grads[id(y)].numpy(), y.grad.numpy())
    np.testing.assert_allclose(graph.grads[id(x)].numpy(), x.grad.numpy())
