"""One picture of a recorded backward (op by op, or one box per module): its nodes, lines and edges.

Every text line of a node has an SVG id (``<node>__<k>``): the page's script shows, hides and
rewrites these lines state by state; a GIF frame bakes a state in (:meth:`_View.dot`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...tensor import Tensor
from .._format import _derivative_text, _shape_text, _symbolic, fmt_number, fmt_tensor
from ..graph.labels import OP_STYLE, TENSOR_COLORS, TENSOR_STYLES, _graphviz, tensor_role
from .record import _final_gradients, _Record

_RED = "#c0392b"


@dataclass
class _Line:
    text: str  # the final text (the layout is made with it)
    dynamic: bool = False  # hidden until a state shows it
    mono: bool = False
    bold: bool = False
    color: str = "#222222"
    align: str = "CENTER"
    layout: str = ""  # the longest text this line ever shows: the layout reserves its width


@dataclass
class _Node:
    key: str  # the SVG id
    lines: list[_Line]
    attrs: dict[str, str]
    cluster: str | None = None

    def line_id(self, k: int) -> str:
        return f"{self.key}__{k}"


@dataclass
class _Place:
    """Where a tensor is shown: a node and the indices of its value and gradient lines."""

    node: _Node
    value: int | None
    grad: int | None


class _View:
    """One picture of the recorded graph (op by op, or one box per module) and its states."""

    def __init__(self, rec: _Record, names: dict[int, str], units: dict[int, str] | None,
                 unit_titles: dict[str, tuple[str, list[str], list[tuple[str, Tensor]]]],
                 expanded: str | None, label: str) -> None:
        self.rec, self.names, self.label = rec, names, label
        self.nodes: dict[str, _Node] = {}
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        self.places: dict[int, _Place] = {}
        self.edge_ids: dict[tuple[int, int], str] = {}  # (id(fn), input index) -> edge id
        self.fn_node: dict[int, str] = {}
        self.local_lines: dict[tuple[int, int], str] = {}
        self.order_line: dict[int, str] = {}
        self.expanded = expanded
        self.clickable: dict[str, str] = {}  # node key -> the module name that a click expands/collapses
        self._build(units or {}, unit_titles)

    # -------------------------------------------------------------- layout
    def _build(self, units: dict[int, str], unit_titles) -> None:
        rec = self.rec
        self.out_name = self.names[id(rec.output)]
        self.final_grads = _final_gradients(rec)
        self.engine_index = {id(s.fn): k for k, s in enumerate(rec.steps)}
        # which Functions are drawn inside a module box
        self.unit_of = {k: u for k, u in units.items() if u != self.expanded}
        boxes = self._box_nodes(unit_titles)
        self._box_outputs(boxes)
        # op nodes and tensor nodes for everything not inside a box
        for fn in rec.forward:
            u = self.unit_of.get(id(fn))
            if u is not None:
                self._into_box(fn, boxes[u])
            else:
                self._op_node(fn, units.get(id(fn)))
        drawn: set[tuple[str, str]] = set()
        for fn in rec.forward:
            self._input_edges(fn, drawn)
            self._output_edges(fn)

    def _tensor_node(self, t: Tensor, cluster: str | None = None) -> None:
        if id(t) in self.places:
            return
        key = f"t{len(self.places)}_{len(self.nodes)}"
        name = self.names[id(t)]
        head = name if t.numel() == 1 else f"{name}  {_shape_text(t)}"
        leaf = t.grad_fn is None
        lines = [_Line(head, bold=True),
                 _Line(f"value = {fmt_tensor(t)}", dynamic=not leaf, mono=True, align="LEFT")]
        grad = None
        if t.requires_grad:
            lines.append(_Line("grad = " + self._final_grad_text(t), dynamic=True, mono=True, color=_RED,
                               align="LEFT"))
            grad = 2
        role = tensor_role(t, self.rec.output)
        fill, border = TENSOR_COLORS[role]
        style = {"fillcolor": fill, "color": border, "style": TENSOR_STYLES[role]}
        node = _Node(key, lines, {"shape": "box", **style}, cluster)
        self.nodes[key] = node
        self.places[id(t)] = _Place(node, 1, grad)

    def _final_grad_text(self, t: Tensor) -> str:
        g = self.final_grads.get(id(t))
        return fmt_tensor(g) if g is not None else "—"

    def _value_and_grad(self, node: _Node, t: Tensor, value: str, name: str, dynamic: bool) -> None:
        """Two lines of a box for one of its tensors: the value, then ∂L/∂name (shown when backward reaches it)."""
        node.lines.append(_Line(value, dynamic=dynamic, mono=True, align="LEFT"))
        node.lines.append(_Line(f"∂{self.out_name}/∂{name} = {self._final_grad_text(t)}", dynamic=True,
                                mono=True, color=_RED, align="LEFT"))
        self.places[id(t)] = _Place(node, len(node.lines) - 2, len(node.lines) - 1)

    def _box_nodes(self, unit_titles) -> dict[str, _Node]:
        """A box per module that holds ops in this view: title, attributes, parameters and gradients."""
        boxes: dict[str, _Node] = {}
        for u, (title, extra, params) in unit_titles.items():
            if u == self.expanded or u not in self.unit_of.values():
                continue
            key = f"m_{len(boxes)}"
            lines = [_Line(title, bold=True)] + [_Line(x, color="#444444") for x in extra]
            node = _Node(key, lines, {"shape": "box", "style": "filled,rounded", "fillcolor": "#dae8fc" if params
                                      else "#fff2cc", "color": "#6c8ebf" if params else "#d6b656"})
            for pname, p in params:
                self._value_and_grad(node, p, f"{pname} {_shape_text(p)}: {fmt_tensor(p)}", pname, dynamic=False)
            node.lines.append(_Line("backward #?", dynamic=True, color=_RED, align="LEFT"))
            self.order_line[id(node)] = node.line_id(len(node.lines) - 1)
            boxes[u] = node
            self.nodes[key] = node
            self.clickable[key] = u
        return boxes

    def _used_outside(self, y: Tensor, u: str) -> bool:
        rec = self.rec
        return y is rec.output or any(
            self.unit_of.get(id(g)) != u and any(x is y for x in rec.inputs[id(g)]) for g in rec.forward)

    def _box_outputs(self, boxes: dict[str, _Node]) -> None:
        """The outputs of a module box: the tensors it makes that something outside uses (or the loss)."""
        for fn in self.rec.forward:
            u = self.unit_of.get(id(fn))
            if u is None:
                continue
            for y in self.rec.outputs[id(fn)]:
                if self._used_outside(y, u) and id(y) not in self.places:
                    self._value_and_grad(boxes[u], y, f"out {_shape_text(y)}: {fmt_tensor(y)}", "out", dynamic=True)

    def _into_box(self, fn: Any, box: _Node) -> None:
        self.fn_node[id(fn)] = box.key
        for x in self.rec.inputs[id(fn)]:  # the data that goes into a box (x), as its own node
            if id(x) not in self.places and x.grad_fn is None:
                self._tensor_node(x)

    def _op_node(self, fn: Any, unit: str | None) -> None:
        """An op drawn op by op (in the dashed frame of the expanded module), with its leaf inputs and outputs."""
        cluster = unit if self.expanded is not None and unit == self.expanded else None
        for x in self.rec.inputs[id(fn)]:
            if id(x) not in self.places and x.grad_fn is None:
                self._tensor_node(x, cluster)
        key = f"op{len(self.fn_node)}"
        step = self.engine_index.get(id(fn))
        lines = [_Line(fn.name, bold=True)]
        if step is not None:
            lines.append(_Line(f"backward #{step + 1}", dynamic=True, color=_RED))
        node = _Node(key, lines, dict(OP_STYLE), cluster)
        if step is not None:
            self.order_line[id(node)] = node.line_id(1)
        self.nodes[key] = node
        self.fn_node[id(fn)] = key
        if cluster is not None:
            self.clickable[key] = cluster
        for y in self.rec.outputs[id(fn)]:
            self._tensor_node(y, cluster)

    def _edge_label(self, fn: Any, i: int, x: Tensor, place: _Place, eid: str) -> str | None:
        """∂y/∂xᵢ on a scalar op's edge (a line the states reveal), the shape where data enters or leaves a box."""
        rec = self.rec
        local = rec.local.get(id(fn), [None] * (i + 1))[i] if rec.scalar else None
        if local is not None and rec.needs[id(fn)][i]:
            y = rec.outputs[id(fn)][0]
            sym = _symbolic(fn.name, i, [self.names[id(v)] for v in rec.inputs[id(fn)]], minus="-")
            self.local_lines[(id(fn), i)] = f"{eid}__0"
            return _derivative_text(self.names[id(y)], self.names[id(x)], sym, fmt_number(local))
        producer_is_box = x.grad_fn is not None and id(x.grad_fn) in self.unit_of
        if place.node.key.startswith("m_") or producer_is_box or not rec.scalar:
            return " " + _shape_text(x)
        return None

    def _input_edges(self, fn: Any, drawn: set[tuple[str, str]]) -> None:
        dst = self.fn_node[id(fn)]
        for i, x in enumerate(self.rec.inputs[id(fn)]):
            place = self.places.get(id(x))
            if place is None or place.node.key == dst:
                continue
            src = place.node.key
            eid = f"e_{dst}_{i}"
            attrs: dict[str, str] = {"id": eid}
            label = self._edge_label(fn, i, x, place, eid)
            if label is not None:
                attrs["label"] = label
            elif (src, dst) in drawn:
                continue
            drawn.add((src, dst))
            self.edges.append((src, dst, attrs))
            self.edge_ids[(id(fn), i)] = eid

    def _output_edges(self, fn: Any) -> None:
        dst = self.fn_node[id(fn)]
        if not dst.startswith("op"):
            return
        for k, y in enumerate(self.rec.outputs[id(fn)]):
            place = self.places[id(y)]
            if place.node.key != dst:
                self.edges.append((dst, place.node.key, {"id": f"o_{dst}_{k}"}))

    # -------------------------------------------------------------- the Graphviz graph
    def dot(self, title: str, state: dict[str, Any] | None = None) -> Any:
        """The Graphviz graph; with ``state`` the lines and highlights of that state are baked in (for the GIF)."""
        graphviz = _graphviz()
        g = graphviz.Digraph("backprop", format="svg")
        g.attr(rankdir="LR", fontname="Helvetica", label=title, labelloc="t",
               fontsize="16", nodesep="0.35", ranksep="0.45", bgcolor="white")
        g.attr("node", fontname="Helvetica", fontsize="12", penwidth="1.3", margin="0.08,0.04")
        g.attr("edge", fontname="Helvetica", fontsize="11", color="#555555", arrowsize="0.7")
        show = set(state["show"]) if state else None
        hl = set(state["hl"]) if state else set()
        acc = set(state["acc"]) if state else set()
        texts = state["text"] if state else {}
        clusters: dict[str, Any] = {}
        for node in self.nodes.values():
            attrs = dict(node.attrs)
            if node.key in hl:
                attrs.update(color="#e67e22", penwidth="3")
            target = g if node.cluster is None else self._cluster(graphviz, clusters, node.cluster)
            target.node(node.key, _html_label(node, show, hl, acc, texts), id=node.key, **attrs)
        for sub in clusters.values():
            g.subgraph(sub)
        for src, dst, attrs in self.edges:
            g.edge(src, dst, **self._edge_attrs(attrs, show, hl))
        return g

    @staticmethod
    def _cluster(graphviz: Any, clusters: dict[str, Any], name: str) -> Any:
        if name not in clusters:
            sub = graphviz.Digraph(name=f"cluster_{len(clusters)}")
            sub.attr(label=f"{name} · op by op", style="dashed,rounded", color="#888888",
                     fontname="Helvetica", fontsize="12")
            clusters[name] = sub
        return clusters[name]

    def _edge_attrs(self, attrs: dict[str, str], show: set[str] | None, hl: set[str]) -> dict[str, str]:
        a = dict(attrs)
        if "label" in a:
            line = f"{a['id']}__0"
            if show is not None and line in self.dynamic_ids() and line not in show:
                a["fontcolor"] = "white"  # a GIF frame: the label keeps its place, in the background colour
            elif line in self.dynamic_ids():
                a["fontcolor"] = _RED
        if a["id"] in hl:
            a.update(color=_RED, penwidth="2.5")
        return a

    def lines(self) -> dict[str, _Line]:
        """Every text line of the picture by its SVG id (node lines, and edge labels)."""
        if not hasattr(self, "_lines"):
            self._lines = {n.line_id(k): line for n in self.nodes.values() for k, line in enumerate(n.lines)}
            self._lines.update({f"{a['id']}__0": _Line(a["label"]) for _, _, a in self.edges if "label" in a})
        return self._lines

    def final_text(self, line_id: str) -> str:
        return self.lines()[line_id].text

    def reserve(self, states: list[dict[str, Any]]) -> None:
        """Make the layout wide enough for every text a line shows in any state."""
        for st in states:
            for lid, text in st["text"].items():
                line = self.lines().get(lid)
                if line is not None and len(text) > len(line.layout or line.text):
                    line.layout = text

    def dynamic_ids(self) -> set[str]:
        if not hasattr(self, "_dyn"):
            ids = {n.line_id(k) for n in self.nodes.values() for k, line in enumerate(n.lines) if line.dynamic}
            self._dyn = ids | set(self.local_lines.values())
        return self._dyn


def _html_label(node: _Node, show: set[str] | None, hl: set[str], acc: set[str], texts: Mapping[str, str]) -> str:
    """One table row per line.  For the page (``show`` None) every line holds its widest text and the
    script hides and rewrites it; for a GIF frame the state is baked in: hidden lines are drawn in the
    node's fill colour and texts are padded, so that every frame has the same layout."""
    rows = []
    for k, line in enumerate(node.lines):
        lid = node.line_id(k)
        layout = line.layout or line.text
        text = layout if show is None else texts.get(lid, line.text)
        if show is not None:  # a GIF frame: keep the layout of the page, pad shorter texts
            text = text + " " * max(0, len(layout) - len(text))
        face = ' FACE="Courier"' if line.mono else ""
        body = html.escape(text) or " "
        if line.bold:
            body = f"<B>{body}</B>"
        rows.append(f'<TR><TD ALIGN="{line.align}"><FONT COLOR="{_line_color(node, line, lid, show, hl, acc)}"{face}>'
                    f"{body}</FONT></TD></TR>")
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"


def _line_color(node: _Node, line: _Line, lid: str, show: set[str] | None, hl: set[str], acc: set[str]) -> str:
    if show is not None and line.dynamic and lid not in show:
        return node.attrs.get("fillcolor", "#ffffff")  # hidden in a GIF frame: the fill colour
    if lid in acc:
        return "#8e44ad"
    if lid in hl:
        return "#e67e22"
    return line.color
