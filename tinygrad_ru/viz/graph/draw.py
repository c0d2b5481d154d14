"""``draw_graph``: the computational graph under a tensor as a :class:`graphviz.Digraph`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...tensor import Tensor
from .collapse import _draw_modules
from .labels import OP_STYLE, _edge_label, _graphviz, _op_label, _tensor_label, _tensor_style
from .modules import _trace_of
from .tracing import _collect, _Graph

_SHOW = ("both", "forward", "backward")


def _check_show(show: str, who: str) -> None:
    if show not in _SHOW:
        raise ValueError(f"{who}: show must be one of {_SHOW}, got {show!r}")


def draw_graph(
    output: Tensor,
    show: str = "both",
    rankdir: str | None = None,
    max_elements: int = 8,
    names: Mapping[str, Any] | None = None,
    title: str | None = None,
    model: Any = None,
    collapse: bool | int | str = True,
    expand: Iterable[str] = (),
):
    """The computational graph under ``output`` as a :class:`graphviz.Digraph`.

    ``show="forward"``: tensors with their values and the ops.  ``"backward"``: gradients flowing
    from the output to the leaves (edges reversed, in red), with the local derivatives and the
    order in which backward visits the ops.  ``"both"`` (default): everything on forward edges.
    Tensors with at most ``max_elements`` elements show their values; bigger ones mean and std.
    ``names`` (e.g. ``locals()``) names tensors that have no ``name``.

    ``model`` (a Module whose forward ran inside :func:`trace_modules`, or the trace itself) draws
    the graph module by module: every op created inside a module's forward belongs to the
    innermost module, and ``collapse`` says which modules become one box each — ``True``/``"all"``:
    every leaf module (Linear, ReLU, Conv2d …); an int ``n``: the modules ``n`` levels below the
    model (0: the whole model as one box); ``False``: op by op.  A box shows the module's name and
    class, its parameters (shape, mean ± std of value and gradient) and its output; parameters are
    not separate nodes.  Modules named in ``expand`` (qualified names as in ``named_modules()``,
    e.g. ``"features.0"``, or ``"loss"`` for the ops after the model) are drawn op by op inside a
    dashed frame.  See also :func:`draw_model`, which runs the forward for you.

    Save with ``.render("graph", format="svg")`` (needs Graphviz's ``dot``) or ``.source``
    (DOT text, always); in Jupyter the returned object displays itself.
    """
    _check_show(show, "draw_graph")
    graphviz = _graphviz()
    if model is not None:
        trace = _trace_of(model)
        names = {**trace.named_parameters(), **dict(names or {})}
        if collapse is not False:
            return _draw_modules(output, trace, collapse, expand, show, rankdir or "TB", max_elements, names, title)
    graph = _collect(output, names)
    backward = show in ("both", "backward")
    dot = graphviz.Digraph("computational_graph", format="svg")
    dot.attr(rankdir=rankdir or "LR", fontname="Helvetica")
    if title:
        dot.attr(label=title, labelloc="t")
    dot.attr("node", fontname="Helvetica", fontsize="11")
    dot.attr("edge", fontname="Helvetica", fontsize="10")
    keys = {id(t): f"t{i}" for i, t in enumerate(graph.tensors)}
    for t in graph.tensors:
        dot.node(keys[id(t)], _tensor_label(graph, t, max_elements, backward), **_tensor_style(t, output))
    for op in graph.ops:
        dot.node(op.key, _op_label(op, backward), **OP_STYLE)
    for op in graph.ops:
        _draw_op_edges(dot, graph, op, keys, show)
    return dot


def _draw_op_edges(dot: Any, graph: _Graph, op: Any, keys: dict[int, str], show: str) -> None:
    """input → op edges (with ∂y/∂x on scalar graphs) and op → output edges; reversed and red for "backward"."""
    backward = show in ("both", "backward")
    for i, x in enumerate(op.inputs):
        label = _edge_label(graph, op, i) if backward and graph.scalar else ""
        attrs = {"label": label} if label else {}
        if show == "backward":
            attrs.update(dir="back", color="#c0392b", fontcolor="#c0392b")
        elif label:
            attrs.update(fontcolor="#c0392b")  # derivatives in red, as the backward pass
        dot.edge(keys[id(x)], op.key, **attrs)
    for y in op.outputs:
        attrs = {"dir": "back", "color": "#c0392b"} if show == "backward" else {}
        dot.edge(op.key, keys[id(y)], **attrs)
