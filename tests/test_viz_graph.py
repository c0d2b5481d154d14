"""Graph pictures: node labels, edge labels (local derivatives), backward order, the chain-rule trace."""

from __future__ import annotations

import re
import shutil

import pytest

import tinygrad_ru as tg

graphviz = pytest.importorskip("graphviz")
from tinygrad_ru.viz import draw_graph, explain_backward  # noqa: E402


def _lecture():
    a = tg.Tensor(2.0, requires_grad=True, name="a")
    b = tg.Tensor(1.0, requires_grad=True, name="b")
    c = a + b
    d = b + 1
    e = c * d
    return a, b, c, d, e


def _labels(source: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r'^\s*(\w+) \[label="([^"]*)"', source, re.M)}


def _edges(source: str) -> list[tuple[str, str, str]]:
    out = []
    for m in re.finditer(r'^\s*(\w+) -> (\w+)(?: \[(.*)\])?$', source, re.M):
        label = re.search(r'label="([^"]*)"', m.group(3) or "")
        out.append((m.group(1), m.group(2), label.group(1) if label else ""))
    return out


def test_lecture_graph_nodes_and_edges():
    a, b, c, d, e = _lecture()
    g = draw_graph(e, names={"c": c, "d": d, "e": e})
    assert isinstance(g, graphviz.Digraph)
    labels = _labels(g.source)
    by_name = {v.split("\n")[0]: (k, v) for k, v in labels.items()}
    assert set(by_name) >= {"a", "b", "c", "d", "e", "1", "Add", "Mul"}
    assert "value = 2\ngrad = 2" in by_name["a"][1]
    assert "value = 1\ngrad = 5" in by_name["b"][1]
    assert "value = 3\ngrad = 2" in by_name["c"][1]
    assert "value = 2\ngrad = 3" in by_name["d"][1]
    assert "value = 6\ngrad = 1" in by_name["e"][1]
    assert "scalar float32" in by_name["a"][1]
    assert "grad" not in by_name["1"][1]  # a constant
    assert "Mul\nbackward #1" in labels.values()
    assert sorted(v for v in labels.values() if v.startswith("Add")) == ["Add\nbackward #2", "Add\nbackward #3"]
    edge_labels = {lab for _, _, lab in _edges(g.source) if lab}
    assert edge_labels == {"∂e/∂c = d = 2", "∂e/∂d = c = 3", "∂c/∂a = 1", "∂c/∂b = 1", "∂d/∂b = 1"}
    key = {name: k for name, (k, _) in by_name.items() if name in "abcde"}
    edges = {(s, t) for s, t, _ in _edges(g.source)}
    mul = by_name["Mul"][0]
    assert {(key["c"], mul), (key["d"], mul), (mul, key["e"])} <= edges
    # drawing computes its own gradients: .grad is untouched and backward still works afterwards
    assert a.grad is None and b.grad is None
    e.backward()
    assert (a.grad.item(), b.grad.item()) == (2.0, 5.0)


def test_show_forward_and_backward():
    *_, e = _lecture()
    fwd = draw_graph(e, show="forward").source
    assert "grad =" not in fwd and "backward #" not in fwd and "∂" not in fwd
    bwd = draw_graph(e, show="backward", rankdir="TB").source
    assert "grad = 5" in bwd and "backward #1" in bwd and "∂e/∂c = 2" not in bwd
    assert "dir=back" in bwd and "rankdir=TB" in bwd
    with pytest.raises(ValueError, match="show"):
        draw_graph(e, show="sideways")


def test_names_from_locals_and_automatic_names():
    x = tg.Tensor(3.0, requires_grad=True)
    h = x * x
    y = h + x
    src = draw_graph(y, names={"x": x, "h": h, "y": y}).source
    labels = [v.split("\n")[0] for v in _labels(src).values()]
    assert {"x", "h", "y"} <= set(labels)
    edge_labels = [lab for _, _, lab in _edges(src) if lab]
    assert edge_labels.count("∂h/∂x = x = 3") == 2  # one per use of x in x·x
    auto = [v.split("\n")[0] for v in _labels(draw_graph(y).source).values()]
    assert {"t1", "t2", "t3"} <= set(auto)


def test_big_tensors_show_statistics_and_no_edge_derivatives():
    tg.manual_seed(0)
    w = tg.randn(30, 20, requires_grad=True)
    x = tg.ones(4, 30)
    loss = (x @ w).relu().sum()
    src = draw_graph(loss, names={"w": w, "x": x}, max_elements=8).source
    w_label = next(v for v in _labels(src).values() if v.startswith("w\n"))
    assert "30×20 float32" in w_label
    assert re.search(r"value = mean -?[\d.e-]+, std [\d.e-]+", w_label)
    assert re.search(r"grad = mean -?[\d.e-]+, std [\d.e-]+", w_label)
    assert not [lab for _, _, lab in _edges(src) if lab]
    assert {"MatMul\nbackward #3", "ReLU\nbackward #2", "Sum\nbackward #1"} <= set(_labels(src).values())


def test_after_a_plain_backward_the_graph_is_drawn():  # more in test_viz_after_backward.py
    *_, e = _lecture()
    e.backward()
    assert "grad = 5" in draw_graph(e).source


def test_after_backward_with_retain_graph():
    a, b, c, d, e = _lecture()
    e.backward(retain_graph=True)
    assert "grad = 5" in draw_graph(e).source
    assert b.grad.item() == 5.0  # not accumulated twice


def test_explain_backward_lecture():
    a, b, c, d, e = _lecture()
    text = explain_backward(e, names={"c": c, "d": d, "e": e})
    lines = text.splitlines()
    assert lines[0] == "∂e/∂e = 1"
    assert "∂e/∂c = d = 2" in lines
    assert "∂e/∂d = c = 3" in lines
    assert "∂e/∂a = ∂e/∂c·∂c/∂a = 2·1 = 2" in lines
    assert "∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5" in lines
    assert len(lines) == 5  # the constant 1 needs no gradient
    assert a.grad is None


def test_explain_backward_reused_node_and_non_scalar():
    x = tg.Tensor(3.0, requires_grad=True, name="x")
    h = x * x
    y = h + x
    text = explain_backward(y, names={"h": h, "y": y})
    assert "∂y/∂x = 1 + ∂y/∂h·∂h/∂x + ∂y/∂h·∂h/∂x = 1 + 1·3 + 1·3 = 7" in text.splitlines()
    w = tg.Tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True, name="w")
    out = (w.relu() * 2.0).sum()
    text = explain_backward(out)
    assert re.search(r"∂t\d/∂w = ∂t\d/∂t\d·∂t\d/∂w = \(shape \(2, 2\)\)", text)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_svg(tmp_path):
    a, b, c, d, e = _lecture()
    graph = draw_graph(e, names={"c": c, "d": d, "e": e})
    path = graph.render(outfile=str(tmp_path / "g.svg"), format="svg", cleanup=True)
    svg = open(path, encoding="utf-8").read()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "∂e/∂c = d = 2" in svg and "backward #1" in svg and "grad = 5" in svg
    assert "<svg" in draw_graph(e)._repr_image_svg_xml()  # what Jupyter displays
