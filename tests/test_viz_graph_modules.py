"""Model graphs collapsed to one box per module: node/edge counts, expand, labels, rendering."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn.functional as F
from tinygrad_ru import nn
from tinygrad_ru.models import cifar_cnn, lecture_mlp

graphviz = pytest.importorskip("graphviz")
from tinygrad_ru.viz.graph import draw_graph, draw_model, trace_modules  # noqa: E402


def _nodes(source: str) -> dict[str, str]:
    """node key → its label as plain text (HTML tags stripped, rows joined by '|')."""
    out = {}
    for m in re.finditer(r'^\s*(\w+) \[label=(<.*>|"[^"]*")', source, re.M):
        label = m.group(2)
        if label.startswith("<"):
            label = re.sub(r"</TR>", "|", label)
            label = re.sub(r"<[^>]*>", " ", label)
            label = re.sub(r"[ \t]+", " ", label)
        out[m.group(1)] = label.strip('"< >')
    return out


def _edges(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+)", source, re.M)


def _mlp_graph(**kw):
    tg.manual_seed(0)
    model = lecture_mlp()
    x = tg.randn(4, 1, 28, 28)
    y = tg.tensor(np.array([1, 2, 3, 4]))
    return model, draw_model(model, x, F.nll_loss, y, **kw)


def _by_title(nodes: dict[str, str]) -> dict[str, str]:
    return {label.split("|")[0].strip(): key for key, label in nodes.items()}


def test_collapsed_mlp_one_node_per_module():
    model, g = _mlp_graph()
    assert isinstance(g, graphviz.Digraph)
    nodes = _nodes(g.source)
    titles = _by_title(nodes)
    modules = ["0 · Flatten", "1 · Linear", "2 · ReLU", "3 · Linear", "4 · ReLU", "5 · Linear", "6 · LogSoftmax"]
    boxes = {label.split("|")[0].strip() for key, label in nodes.items() if key.startswith("m")}
    assert boxes == set(modules) | {"loss"}
    assert sorted(v.split("\n")[0] for k, v in nodes.items() if not k.startswith("m")) == ["target", "x"]
    assert len(nodes) == len(modules) + 3  # + the input x, the target, the loss
    assert not any(k.startswith("op") for k in nodes)  # no op nodes, no parameter nodes
    # parameters live inside their module's box, with shapes, values and gradients
    assert "weight 128×784" in nodes[titles["1 · Linear"]] and "bias 128" in nodes[titles["1 · Linear"]]
    assert "weight 10×64" in nodes[titles["5 · Linear"]]
    assert "out 4×128" in nodes[titles["2 · ReLU"]] and "weight" not in nodes[titles["2 · ReLU"]]
    assert re.search(r"weight 64×128 -?[\d.e-]+ ± [\d.e-]+ -?[\d.e-]+ ± [\d.e-]+", nodes[titles["3 · Linear"]])
    # the data flow: x → 0 → 1 → … → 6 → loss ← target, one edge each
    edges = _edges(g.source)
    x_key = next(k for k, v in nodes.items() if v.startswith("x\n"))
    target_key = next(k for k, v in nodes.items() if v.startswith("target\n"))
    chain = [x_key] + [titles[m] for m in modules] + [titles["loss"]]
    assert sorted(edges) == sorted(list(zip(chain, chain[1:])) + [(target_key, titles["loss"])])
    assert "scalar 2.2" in nodes[titles["loss"]]  # ln 10 ≈ 2.30 at initialisation
    assert all(p.grad is None for p in model.parameters())  # drawing does not touch .grad


def test_input_that_needs_grad_and_forward_only():
    tg.manual_seed(0)
    model = lecture_mlp()
    x = tg.randn(2, 1, 28, 28, requires_grad=True)  # Flatten now records a Reshape op
    g = draw_model(model, x)
    nodes = _nodes(g.source)
    assert len(nodes) == 8 and len(_edges(g.source)) == 7  # x + 7 modules, no loss
    assert "grad" not in g.source  # no loss: forward only by default
    assert "ops: Reshape" in nodes[_by_title(nodes)["0 · Flatten"]]


def test_expand_shows_ops_of_that_module_only():
    _, g = _mlp_graph(expand=("3",))
    nodes = _nodes(g.source)
    ops = [v for k, v in nodes.items() if k.startswith("op")]
    assert ops == ["Linear\nbackward #5"]  # only layer 3 is drawn op by op
    titles = _by_title(nodes)
    assert "3 · Linear" not in titles and {"1 · Linear", "5 · Linear", "4 · ReLU"} <= set(titles)
    assert {"3.weight", "3.bias"} <= {v.split("\n")[0] for v in nodes.values()}  # its parameters become nodes
    assert "subgraph cluster_0" in g.source and 'label="3 · Linear, expanded: one fused op"' in g.source
    assert "1.weight" not in {v.split("\n")[0] for v in nodes.values()}
    edges = set(_edges(g.source))
    op_key = next(k for k, v in nodes.items() if k.startswith("op"))
    assert (titles["2 · ReLU"], op_key) in edges
    with pytest.raises(ValueError, match="expand"):
        _mlp_graph(expand=("nope",))


def test_collapse_depths_and_nested_modules():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.act = nn.Tanh()

        def forward(self, x):
            return self.act(self.fc(x)) + x  # the residual add is the block's own op

    tg.manual_seed(0)
    model = nn.Sequential(Block(), nn.Linear(4, 2))
    x = tg.randn(3, 4)
    whole = _nodes(draw_model(model, x, lambda out: out.sum(), collapse=0).source)
    assert [v.split("|")[0].strip() for k, v in whole.items() if k.startswith("m")] == ["model · Sequential", "loss"]
    assert "0.fc.weight 4×4" in next(v for v in whole.values() if v.startswith("model"))
    depth1 = _by_title(_nodes(draw_model(model, x, lambda out: out.sum(), collapse=1).source))
    assert {"0 · Block", "1 · Linear", "loss"} <= set(depth1)
    leaves = _nodes(draw_model(model, x, lambda out: out.sum(), collapse=True).source)
    titles = _by_title(leaves)
    assert {"0.fc · Linear", "0.act · Tanh", "1 · Linear"} <= set(titles)
    assert ["Add"] == [v.split("\n")[0] for k, v in leaves.items() if k.startswith("op")]  # glue stays an op
    with pytest.raises(ValueError, match="collapse"):
        draw_model(model, x, collapse=-1)


def test_cifar_net_stays_small():
    tg.manual_seed(0)
    model = cifar_cnn()
    g = draw_model(model, tg.randn(2, 3, 32, 32), F.nll_loss, tg.tensor(np.array([3, 7])))
    nodes = _nodes(g.source)
    assert len(nodes) <= 15
    titles = _by_title(nodes)
    assert "weight 6×3×5×5" in nodes[titles["0 · Conv2d"]]
    assert "weight 1000×4096" in nodes[titles["6 · Linear"]]
    assert "out 2×6×16×16" in nodes[titles["2 · MaxPool2d"]]


def test_draw_graph_with_a_traced_model():
    tg.manual_seed(0)
    model = lecture_mlp(in_features=6, num_classes=3)
    x = tg.randn(5, 6)
    with trace_modules(model) as trace:
        loss = F.nll_loss(model(x), tg.tensor(np.array([0, 1, 2, 0, 1])))
    by_trace = draw_graph(loss, model=trace).source
    assert draw_graph(loss, model=model).source == by_trace  # the last trace of a model is remembered
    assert len([k for k in _nodes(by_trace) if k.startswith("m")]) == 8
    flat = _nodes(draw_graph(loss, model=model, collapse=False).source)  # op by op, parameters named
    assert {"1.weight", "5.bias"} <= {v.split("\n")[0] for v in flat.values()}
    with pytest.raises(RuntimeError, match="trace_modules"):
        draw_graph(loss, model=lecture_mlp())


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_model_svg(tmp_path):
    _, g = _mlp_graph()
    path = g.render(outfile=str(tmp_path / "mlp.svg"), format="svg", cleanup=True)
    svg = open(path, encoding="utf-8").read()
    assert "<svg" in svg and "LogSoftmax" in svg and "128×784" in svg
    assert svg.count('class="node"') == 10 and svg.count('class="edge"') == 9


def test_module_attributes_are_wrapped_not_cut_and_numbers_have_three_digits():
    tg.manual_seed(0)
    g = draw_model(nn.Sequential(nn.Conv2d(1, 2, 5, padding=2), nn.ReLU()), tg.randn(1, 1, 8, 8))
    assert "…" not in g.source and "padding=(2, 2)" in g.source and "kernel_size=(5, 5)," in g.source
    for number in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", g.source):
        digits = number.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
        assert len(digits) <= 3, number


def test_module_outputs_are_named_after_their_module():
    _, g = _mlp_graph(expand=("3",))
    labels = [v.split("\n")[0] for v in _nodes(g.source).values()]
    assert "3 out" in labels and not any(re.fullmatch(r"t\d+", x) for x in labels)
