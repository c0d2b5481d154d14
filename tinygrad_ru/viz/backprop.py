"""Backpropagation step by step, in the browser: ``backprop_steps(e)``.

The page shows the computational graph (laid out by Graphviz) and a list of *states* that the
student walks through with the buttons or the arrow keys:

1. **forward**, op by op: each op lights up and its output's value appears;
2. **backward**, in the engine's real order: each step is one Function's backward —
   the incoming gradient ∂L/∂y (what the engine summed for the op's output), the local
   derivatives ∂y/∂xᵢ on the edges, the products ∂L/∂y·∂y/∂xᵢ, and, where a tensor is used
   by several ops, the **accumulation** ∂L/∂x = Σᵢ ∂L/∂yᵢ·∂yᵢ/∂x (the lecture's
   ∂e/∂b = 2·1 + 3·1 = 5).

Every gradient on the page was recorded from the engine's own ``backward()`` by node hooks
(``grad_fn.register_hook``): the order of the steps is the order in which the engine ran the
Functions, the products are the gradients each backward returned, the totals are the gradients
the engine summed (and the leaves' ``.grad``).  Nothing is recomputed by the viewer; only the
local derivatives of scalar ops are asked of each op's own ``backward`` with ∂L/∂y = 1 before
the real backward runs.

``backprop_steps(loss, model=model)`` draws one box per module (after a forward inside
:func:`~tinygrad_ru.viz.trace_modules`, or use ``draw_model``'s way: ``backprop_steps_model``);
a click on a box expands it op by op.

The page is one self-contained HTML file: the SVG and a small script inline, no network.
In Jupyter the returned object displays itself; ``.save("page.html")`` writes the file and
``.save_gif("steps.gif")`` an animation for slides (rendered by Graphviz's ``dot`` and Pillow).
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import backend
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .graph import _names, _owners, _trace_of, _wrap_attributes

# ----------------------------------------------------------------------------- numbers for people


def fmt_number(v: float) -> str:
    """A number with 3 significant digits, integers without a decimal point: 5, 0.25, -1.23e-05."""
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.3g}"


def fmt_tensor(t: Any, max_elements: int = 4) -> str:
    """A scalar as a number, up to ``max_elements`` values as a list, else mean ± std (3 digits)."""
    a = backend.to_numpy(t.data if isinstance(t, Tensor) else t).astype(np.float64)
    if a.size == 1:
        return fmt_number(a.reshape(-1)[0])
    if a.size <= max_elements:
        return "[" + ", ".join(fmt_number(v) for v in a.reshape(-1)) + "]"
    return f"{fmt_number(a.mean())} ± {fmt_number(a.std())}"


def _shape_text(t: Tensor) -> str:
    return "scalar" if t.ndim == 0 else "×".join(str(n) for n in t.shape)


_INFIX = {"Add": "+", "Sub": "−", "Mul": "·", "Div": "/", "Pow": "^"}

# ----------------------------------------------------------------------------- recording


@dataclass
class _Step:
    """One Function's backward as the engine ran it (recorded by its node hook)."""

    fn: Any
    inputs: list[Tensor]
    outputs: list[Tensor]
    grad_outputs: list[Any]  # the incoming gradients ∂L/∂y (as the engine summed them)
    grad_inputs: list[Any]  # the gradients the backward returned, one per input (None: not needed)


@dataclass
class _Record:
    output: Tensor
    forward: list[Any]  # Functions in forward order
    inputs: dict[int, list[Tensor]]  # id(fn) -> its inputs
    outputs: dict[int, list[Tensor]]
    local: dict[int, list[float | None]]  # id(fn) -> ∂y/∂xᵢ for scalar ops
    needs: dict[int, tuple] = field(default_factory=dict)  # id(fn) -> needs_input_grad (backward frees it)
    steps: list[_Step] = field(default_factory=list)
    scalar: bool = True


def _forward_order(output: Tensor) -> list[Any]:
    """The Functions under ``output`` in the order a program would run them: a depth-first walk that
    finishes a Function after all its inputs' creators (iterative: graphs can be deep)."""
    order: list[Any] = []
    done: set[int] = set()
    if output.grad_fn is None:
        return order
    stack: list[tuple[Any, bool]] = [(output.grad_fn, False)]
    while stack:
        fn, expanded = stack.pop()
        if id(fn) in done:
            continue
        if expanded:
            done.add(id(fn))
            order.append(fn)
            continue
        if fn.released:
            raise RuntimeError(
                "backprop_steps: the graph was already freed by backward(); call backprop_steps(loss) "
                "instead of loss.backward() — it runs the backward itself and records every step"
            )
        stack.append((fn, True))
        for x in reversed(fn.inputs):
            if x.grad_fn is not None and id(x.grad_fn) not in done:
                stack.append((x.grad_fn, False))
    return order


def _record(output: Tensor) -> _Record:
    """Walk the graph, note what the forward computed, then run the engine's backward with a hook
    on every Function and keep what each hook saw."""
    fns = _forward_order(output)
    rec = _Record(output, fns, {}, {}, {})
    for fn in fns:
        rec.inputs[id(fn)] = list(fn.inputs)
        rec.outputs[id(fn)] = [o for o in (r() for r in fn.outputs) if o is not None]
        rec.needs[id(fn)] = tuple(fn.needs_input_grad)
    tensors = {id(t): t for fn in fns for t in rec.inputs[id(fn)] + rec.outputs[id(fn)]}
    rec.scalar = all(t.numel() == 1 for t in tensors.values())
    if rec.scalar:
        for fn in fns:
            rec.local[id(fn)] = _local_derivatives(fn, rec.outputs[id(fn)])

    handles = []
    for fn in fns:
        def hook(grad_inputs, grad_outputs, fn=fn):
            rec.steps.append(_Step(fn, rec.inputs[id(fn)], rec.outputs[id(fn)],
                                   [_copy(g) for g in grad_outputs], [_copy(g) for g in grad_inputs]))
        handles.append(fn.register_hook(hook))
    try:
        output.backward()
    finally:
        for h in handles:
            h.remove()
    return rec


def _check_output(output: Any) -> None:
    if not isinstance(output, Tensor):
        raise TypeError(f"backprop_steps: expected a Tensor, got {type(output).__name__}")
    if not output.requires_grad or output.grad_fn is None:
        raise ValueError("backprop_steps: the tensor has no graph (it does not require grad); "
                         "compute it from tensors with requires_grad=True")
    if output.numel() != 1:
        raise ValueError(f"backprop_steps: expected a scalar (a loss), got shape {output.shape}")


def _copy(g: Any) -> Any:
    if g is None:
        return None
    data = g.data if isinstance(g, Tensor) else g
    return backend.to_numpy(data).copy()


def _local_derivatives(fn: Any, outputs: list[Tensor]) -> list[float | None]:
    """∂y/∂xᵢ of one scalar op: its own backward with ∂L/∂y = 1, outside the graph, before the real backward."""
    if len(outputs) != 1 or len(fn.outputs) != 1:
        return [None] * len(fn.inputs)
    y = outputs[0]
    with no_grad():
        g = fn.backward(Tensor._wrap(backend.get_array_module(y.data).ones_like(y.data), False))
    if not isinstance(g, tuple):
        g = (g,)
    return [None if gi is None else float(backend.to_numpy(gi.data if isinstance(gi, Tensor) else gi).reshape(-1)[0])
            for gi in g]


# ----------------------------------------------------------------------------- the picture


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
    def _tensor_node(self, t: Tensor, cluster: str | None = None) -> None:
        if id(t) in self.places:
            return
        key = f"t{len(self.places)}_{len(self.nodes)}"
        name = self.names[id(t)]
        head = name if t.numel() == 1 else f"{name}  {_shape_text(t)}"
        lines = [_Line(head, bold=True)]
        leaf = t.grad_fn is None
        lines.append(_Line(f"value = {fmt_tensor(t)}", dynamic=not leaf, mono=True, align="LEFT"))
        grad = None
        if t.requires_grad:
            lines.append(_Line("grad = " + self._final_grad_text(t), dynamic=True, mono=True, color="#c0392b",
                               align="LEFT"))
            grad = 2
        if t is self.rec.output:
            style = {"fillcolor": "#d5e8d4", "color": "#82b366", "style": "filled,rounded,bold"}
        elif leaf and not t.requires_grad:
            style = {"fillcolor": "#f5f5f5", "color": "#888888", "style": "filled,rounded,dashed"}
        elif leaf:
            style = {"fillcolor": "#dae8fc", "color": "#6c8ebf", "style": "filled,rounded"}
        else:
            style = {"fillcolor": "#ffffff", "color": "#555555", "style": "filled,rounded"}
        node = _Node(key, lines, {"shape": "box", **style}, cluster)
        self.nodes[key] = node
        self.places[id(t)] = _Place(node, 1, grad)

    def _final_grad_text(self, t: Tensor) -> str:
        g = self.final_grads.get(id(t))
        return fmt_tensor(g) if g is not None else "—"

    def _build(self, units: dict[int, str], unit_titles) -> None:
        rec = self.rec
        self.out_name = self.names[id(rec.output)]
        self.final_grads = _final_gradients(rec)
        self.engine_index = {id(s.fn): k for k, s in enumerate(rec.steps)}
        # which Functions are drawn inside a module box
        unit_of = {k: u for k, u in units.items() if u != self.expanded}
        self.unit_of = unit_of
        unit_nodes: dict[str, _Node] = {}
        for u, (title, extra, params) in unit_titles.items():
            if u == self.expanded or not any(v == u for v in unit_of.values()):
                continue
            key = f"m_{len(unit_nodes)}"
            lines = [_Line(title, bold=True)] + [_Line(x, color="#444444") for x in extra]
            node = _Node(key, lines, {"shape": "box", "style": "filled,rounded", "fillcolor": "#dae8fc" if params
                                      else "#fff2cc", "color": "#6c8ebf" if params else "#d6b656"})
            for pname, p in params:
                node.lines.append(_Line(f"{pname} {_shape_text(p)}: {fmt_tensor(p)}", mono=True, align="LEFT"))
                node.lines.append(_Line(f"∂{self.out_name}/∂{pname} = {self._final_grad_text(p)}", dynamic=True,
                                        mono=True, color="#c0392b", align="LEFT"))
                self.places[id(p)] = _Place(node, len(node.lines) - 2, len(node.lines) - 1)
            node.lines.append(_Line("backward #?", dynamic=True, color="#c0392b", align="LEFT"))
            self.order_line[id(node)] = node.line_id(len(node.lines) - 1)
            unit_nodes[u] = node
            self.nodes[key] = node
            self.clickable[key] = u
        # the outputs of a module box: the tensors it makes that something outside uses (or the loss)
        for fn in rec.forward:
            u = unit_of.get(id(fn))
            if u is None:
                continue
            node = unit_nodes[u]
            for y in rec.outputs[id(fn)]:
                used_outside = y is rec.output or any(
                    unit_of.get(id(g)) != u and any(x is y for x in rec.inputs[id(g)]) for g in rec.forward)
                if used_outside and id(y) not in self.places:
                    node.lines.append(_Line(f"out {_shape_text(y)}: {fmt_tensor(y)}", dynamic=True, mono=True,
                                            align="LEFT"))
                    node.lines.append(_Line(f"∂{self.out_name}/∂out = {self._final_grad_text(y)}", dynamic=True,
                                            mono=True, color="#c0392b", align="LEFT"))
                    self.places[id(y)] = _Place(node, len(node.lines) - 2, len(node.lines) - 1)
        # op nodes and tensor nodes for everything not inside a box
        for fn in rec.forward:
            u = unit_of.get(id(fn))
            if u is not None:
                self.fn_node[id(fn)] = unit_nodes[u].key
                for x in rec.inputs[id(fn)]:  # the data that goes into a box (x), as its own node
                    if id(x) not in self.places and x.grad_fn is None:
                        self._tensor_node(x)
                continue
            cluster = units.get(id(fn)) if self.expanded is not None and units.get(id(fn)) == self.expanded else None
            for x in rec.inputs[id(fn)]:
                if id(x) not in self.places and x.grad_fn is None:
                    self._tensor_node(x, cluster)
            key = f"op{len(self.fn_node)}"
            step = self.engine_index.get(id(fn))
            lines = [_Line(fn.name, bold=True)]
            if step is not None:
                lines.append(_Line(f"backward #{step + 1}", dynamic=True, color="#c0392b"))
            node = _Node(key, lines, {"shape": "ellipse", "style": "filled", "fillcolor": "#fff2cc",
                                      "color": "#d6b656"}, cluster)
            if step is not None:
                self.order_line[id(node)] = node.line_id(1)
            self.nodes[key] = node
            self.fn_node[id(fn)] = key
            if cluster is not None:
                self.clickable[key] = cluster
            for y in rec.outputs[id(fn)]:
                self._tensor_node(y, cluster)
        # edges
        drawn: set[tuple[str, str]] = set()
        for fn in rec.forward:
            dst = self.fn_node[id(fn)]
            for i, x in enumerate(rec.inputs[id(fn)]):
                place = self.places.get(id(x))
                if place is None:
                    continue
                src = place.node.key
                if src == dst:
                    continue
                eid = f"e_{dst}_{i}"
                attrs: dict[str, str] = {"id": eid}
                local = rec.local.get(id(fn), [None] * (i + 1))[i] if rec.scalar else None
                producer_is_box = x.grad_fn is not None and id(x.grad_fn) in unit_of
                if local is not None and rec.needs[id(fn)][i]:
                    y = rec.outputs[id(fn)][0]
                    sym = _symbolic(fn.name, i, [self.names[id(v)] for v in rec.inputs[id(fn)]])
                    value = fmt_number(local)
                    text = f"∂{self.names[id(y)]}/∂{self.names[id(x)]} = " + (
                        value if sym is None or sym == value else f"{sym} = {value}")
                    attrs["label"] = text
                    self.local_lines[(id(fn), i)] = f"{eid}__0"
                elif place.node.key.startswith("m_") or producer_is_box or not rec.scalar:
                    attrs["label"] = " " + _shape_text(x)
                if (src, dst) in drawn and "label" not in attrs:
                    continue
                drawn.add((src, dst))
                self.edges.append((src, dst, attrs))
                self.edge_ids[(id(fn), i)] = eid
            if self.fn_node[id(fn)].startswith("op"):
                for k, y in enumerate(rec.outputs[id(fn)]):
                    place = self.places[id(y)]
                    if place.node.key != dst:
                        self.edges.append((dst, place.node.key, {"id": f"o_{dst}_{k}"}))

    def dot(self, title: str, state: dict[str, Any] | None = None) -> Any:
        """The Graphviz graph; with ``state`` the lines and highlights of that state are baked in (for the GIF)."""
        from .graph import _graphviz

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
            target = g
            if node.cluster is not None:
                if node.cluster not in clusters:
                    sub = graphviz.Digraph(name=f"cluster_{len(clusters)}")
                    sub.attr(label=f"{node.cluster} · op by op", style="dashed,rounded", color="#888888",
                             fontname="Helvetica", fontsize="12")
                    clusters[node.cluster] = sub
                target = clusters[node.cluster]
            attrs = dict(node.attrs)
            if node.key in hl:
                attrs.update(color="#e67e22", penwidth="3")
            target.node(node.key, _html_label(node, show, hl, acc, texts), id=node.key, **attrs)
        for sub in clusters.values():
            g.subgraph(sub)
        for src, dst, attrs in self.edges:
            a = dict(attrs)
            if "label" in a:
                line = f"{a['id']}__0"
                hidden = show is not None and line in self.dynamic_ids() and line not in show
                if hidden:  # a GIF frame: the label keeps its place, in the background colour
                    a["fontcolor"] = "white"
                elif line in self.dynamic_ids():
                    a["fontcolor"] = "#c0392b"
            if a["id"] in hl:
                a.update(color="#c0392b", penwidth="2.5")
            g.edge(src, dst, **a)
        return g

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
        color = line.color
        if show is not None and line.dynamic and lid not in show:
            color = node.attrs.get("fillcolor", "#ffffff")
        elif lid in acc:
            color = "#8e44ad"
        elif lid in hl:
            color = "#e67e22"
        face = ' FACE="Courier"' if line.mono else ""
        body = html.escape(text) or " "
        if line.bold:
            body = f"<B>{body}</B>"
        rows.append(f'<TR><TD ALIGN="{line.align}"><FONT COLOR="{color}"{face}>{body}</FONT></TD></TR>')
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"


def _symbolic(name: str, i: int, inputs: list[str]) -> str | None:
    """∂y/∂xᵢ as the lecture writes it: 1 for a sum, the other factor for a product."""
    if name == "Add":
        return "1"
    if name == "Sub":
        return "1" if i == 0 else "-1"
    if name == "Neg":
        return "-1"
    if name == "Mul" and len(inputs) == 2:
        return inputs[1 - i]
    return None


def _final_gradients(rec: _Record) -> dict[int, Any]:
    """∂L/∂t as the engine left it: a leaf's ``.grad``; a non-leaf's summed gradient, as its creator received it."""
    out: dict[int, Any] = {id(rec.output): None}
    for s in rec.steps:
        for y, g in zip(s.outputs, s.grad_outputs):
            if g is not None:
                out[id(y)] = g
    for fn in rec.forward:
        for x in rec.inputs[id(fn)]:
            if x.grad_fn is None and x.requires_grad and x.grad is not None:
                out[id(x)] = backend.to_numpy(x.grad.data).copy()
    return out


# ----------------------------------------------------------------------------- the states


def _states(view: _View, rec: _Record) -> list[dict[str, Any]]:
    """Cumulative snapshots: what is shown, highlighted and written in every state."""
    names = view.names
    shown: set[str] = set()
    texts: dict[str, str] = {}
    states: list[dict[str, Any]] = []

    def place_line(t: Tensor, which: str) -> str | None:
        p = view.places.get(id(t))
        if p is None:
            return None
        k = p.value if which == "value" else p.grad
        return None if k is None else p.node.line_id(k)

    def snap(title: str, note: str, hl: Iterable[str], acc: Iterable[str] = (), t: int = 0,
             phase: str = "forward") -> None:
        states.append({"title": title, "note": note, "show": sorted(shown), "hl": sorted(set(hl)),
                       "acc": sorted(set(acc)), "text": {k: texts.get(k, view.final_text(k)) for k in sorted(shown)},
                       "t": t, "phase": phase})

    out_name = names[id(rec.output)]
    leaves = [x for fn in rec.forward for x in rec.inputs[id(fn)] if x.grad_fn is None]
    leaf_text = ", ".join(dict.fromkeys(
        f"{names[id(x)]} = {fmt_tensor(x)}" for x in leaves if x.numel() == 1 and x.requires_grad))
    unnamed = any(n.startswith("t") and n[1:].isdigit() for n in names.values())
    snap("The graph", "The leaves hold their values" + (f": {html.escape(leaf_text)}" if leaf_text else "")
         + ". Press → (or ▶) to run the forward pass, op by op."
         + (" Results without a name are called t1, t2, … in the order they are computed." if unnamed else ""), [])
    # ---- forward
    for k, fn in enumerate(rec.forward):
        ins, outs = rec.inputs[id(fn)], rec.outputs[id(fn)]
        for y in outs:
            line = place_line(y, "value")
            if line:
                shown.add(line)
        node_key = view.fn_node[id(fn)]
        hl = [node_key] + [line for y in outs if (line := place_line(y, "value"))]
        hl += [view.edge_ids[(id(fn), i)] for i in range(len(ins)) if (id(fn), i) in view.edge_ids]
        snap(f"Forward {k + 1}/{len(rec.forward)}: {fn.name}", _forward_note(fn, ins, outs, names, view), hl,
             t=k + 1)
    nf = len(rec.forward)
    # ---- backward: the seed
    seed_line = place_line(rec.output, "grad")
    if seed_line:
        shown.add(seed_line)
        texts[seed_line] = _grad_prefix(view, rec.output) + "1"
    snap("Backward: the seed", f"backward() starts with ∂{out_name}/∂{out_name} = 1. Then the engine runs each "
         "Function's backward in its topological order (an op only after every op that uses its output).",
         [seed_line] if seed_line else [], t=nf + 1, phase="backward")
    # ---- backward: one state per engine step (several consecutive steps of one module box: one state)
    running: dict[int, Any] = {}
    contributions: dict[int, list[tuple[str, str]]] = {}
    uses = _uses(rec)
    groups: list[list[tuple[int, _Step]]] = []
    for j, step in enumerate(rec.steps):
        key = view.fn_node[id(step.fn)]
        if groups and view.fn_node[id(groups[-1][-1][1].fn)] == key and key.startswith("m_"):
            groups[-1].append((j, step))
        else:
            groups.append([(j, step)])
    for group in groups:
        hl: list[str] = []
        acc: list[str] = []
        lines: list[str] = []
        node_key = view.fn_node[id(group[0][1].fn)]
        node = view.nodes[node_key]
        hl.append(node_key)
        order_line = view.order_line.get(id(node))
        if order_line:
            shown.add(order_line)
            first, last = group[0][0] + 1, group[-1][0] + 1
            texts[order_line] = f"backward #{first}" if first == last else f"backward #{first}–{last}"
        for j, step in group:
            fn = step.fn
            y = step.outputs[0] if step.outputs else None
            g_in = step.grad_outputs[0] if step.grad_outputs else None
            yname = names[id(y)] if y is not None else "y"
            if y is not None and (line := place_line(y, "grad")):
                hl.append(line)
            inputs_text = ", ".join(names[id(x)] for x in step.inputs)
            lines.append(f"<b>backward #{j + 1} · {html.escape(fn.name)}</b>({html.escape(inputs_text)}) "
                         f"→ {html.escape(yname)}")
            if g_in is not None:
                lines.append(f"incoming ∂{out_name}/∂{html.escape(yname)} = {fmt_tensor(g_in)}")
            for i, (x, gx) in enumerate(zip(step.inputs, step.grad_inputs)):
                if gx is None or not rec.needs[id(fn)][i]:
                    continue
                xname = html.escape(names[id(x)])
                eid = view.edge_ids.get((id(fn), i))
                if eid:
                    hl.append(eid)
                ll = view.local_lines.get((id(fn), i))
                if ll:
                    shown.add(ll)
                local = rec.local.get(id(fn), [None] * len(step.inputs))[i] if rec.scalar else None
                prev = running.get(id(x))
                running[id(x)] = gx if prev is None else prev + gx
                contributions.setdefault(id(x), []).append(
                    (f"{fmt_tensor(g_in)}·{fmt_number(local)}" if local is not None and g_in is not None
                     else fmt_tensor(gx), fmt_tensor(gx)))
                n_done, n_all = len(contributions[id(x)]), uses.get(id(x), 1)
                complete = n_done >= n_all
                shown_value = running[id(x)]
                if complete and id(x) in view.final_grads and view.final_grads[id(x)] is not None:
                    shown_value = view.final_grads[id(x)]  # the engine's total: .grad, or the summed buffer
                gline = place_line(x, "grad")
                if gline:
                    shown.add(gline)
                    texts[gline] = _grad_prefix(view, x) + fmt_tensor(shown_value) + ("" if complete else "  (so far)")
                if local is not None and g_in is not None:
                    yn = html.escape(yname)
                    product = (f"∂{out_name}/∂{xname} ← ∂{out_name}/∂{yn}·∂{yn}/∂{xname} = "
                               f"{fmt_tensor(g_in)}·{fmt_number(local)} = {fmt_tensor(gx)}")
                else:
                    product = f"{fn.name}.backward gives ∂{out_name}/∂{xname} ← {fmt_tensor(gx)}"
                if n_done > 1:
                    terms = " + ".join(c[0] for c in contributions[id(x)])
                    totals = f"∂{out_name}/∂{xname} = {terms} = {fmt_tensor(shown_value)}"
                    why = (f"{xname} is used {n_all} times: its gradients add up (multivariate chain rule)"
                           if complete else f"{n_done} of {n_all} uses so far")
                    lines.append(f"{product}<br><span class='acc'>accumulate: {totals} — {why}</span>")
                    if gline:
                        acc.append(gline)
                else:
                    more = "" if complete else f" (first of {n_all} uses: more will be added)"
                    lines.append(product + more)
                    if gline:
                        hl.append(gline)
        snap(f"Backward {group[0][0] + 1}/{len(rec.steps)}: {group[0][1].fn.name}"
             + (f" … ({len(group)} ops)" if len(group) > 1 else ""), "<br>".join(lines), hl, acc,
             t=nf + 2 + group[-1][0], phase="backward")
    grads = [f"∂{out_name}/∂{names[id(x)]} = {fmt_tensor(x.grad)}" for x in dict.fromkeys(leaves)
             if x.requires_grad and x.grad is not None and x.numel() <= 4]
    snap("Done", "backward() is over: every leaf holds ∂" + out_name + "/∂leaf in .grad"
         + (": " + html.escape(", ".join(grads)) if grads else "") + ".", [], t=nf + 2 + len(rec.steps),
         phase="done")
    return states


def _grad_prefix(view: _View, t: Tensor) -> str:
    p = view.places[id(t)]
    text = p.node.lines[p.grad].text
    return text[: text.index("=") + 2]


def _uses(rec: _Record) -> dict[int, int]:
    """How many gradient contributions each tensor receives (its uses by ops that need its gradient)."""
    n: dict[int, int] = {}
    for s in rec.steps:
        for i, (x, gx) in enumerate(zip(s.inputs, s.grad_inputs)):
            if gx is not None and rec.needs[id(s.fn)][i]:
                n[id(x)] = n.get(id(x), 0) + 1
    return n


def _forward_note(fn: Any, ins: list[Tensor], outs: list[Tensor], names: dict[int, str], view: _View) -> str:
    esc = html.escape
    y = outs[0] if outs else None
    yname = names[id(y)] if y is not None else "y"
    in_names = [names[id(x)] for x in ins]
    if y is not None and all(x.numel() == 1 for x in ins) and y.numel() == 1:
        values = [fmt_tensor(x) for x in ins]
        if fn.name in _INFIX and len(ins) == 2:
            op = _INFIX[fn.name]
            return esc(f"{yname} = {in_names[0]} {op} {in_names[1]} = {values[0]} {op} {values[1]} = {fmt_tensor(y)}")
        return esc(f"{yname} = {fn.name}({', '.join(in_names)}) = {fn.name}({', '.join(values)}) = {fmt_tensor(y)}")
    parts = ", ".join(f"{n} ({_shape_text(x)})" for n, x in zip(in_names, ins))
    box = view.unit_of.get(id(fn))
    where = f" inside module {box}" if box is not None else ""
    value = f": {fmt_tensor(y)}" if y is not None else ""
    return esc(f"{yname} = {fn.name}({parts}){where} → {_shape_text(y) if y is not None else ''}{value}")


# ----------------------------------------------------------------------------- the page


class BackpropSteps:
    """The recorded backward of one graph as a step-by-step page (see the module docstring).

    ``html()`` the page's text, ``save(path)`` writes it, ``save_gif(path)`` an animation of the
    states (needs Graphviz's ``dot`` and Pillow); displays itself in Jupyter.
    ``states`` (of the first view) lists what each state shows — the numbers the page displays.
    """

    def __init__(self, views: list[_View], title: str) -> None:
        self.views, self.title = views, title
        self.view_states = [_states(v, v.rec) for v in views]
        for v, states in zip(views, self.view_states):
            v.reserve(states)
        self.svgs: list[str] | None = None

    @property
    def states(self) -> list[dict[str, Any]]:
        return self.view_states[0]

    @property
    def n_states(self) -> int:
        return len(self.view_states[0])

    def _svg(self, k: int) -> str:
        if self.svgs is None:
            self.svgs = [_svg_with_line_ids(v.dot(self.title).pipe(format="svg").decode("utf-8"), v)
                         for v in self.views]
        return self.svgs[k]

    def html(self) -> str:
        """The whole page: SVG, states and script inline; works offline from a file:// URL."""
        _require_dot()
        data = []
        for view, states in zip(self.views, self.view_states):
            data.append({"label": view.label, "expanded": view.expanded, "clickable": view.clickable,
                         "dynamic": sorted(view.dynamic_ids()), "states": states})
        svgs = "".join(f'<div class="view" id="view{k}" style="display:{"block" if k == 0 else "none"}">'
                       f"{self._svg(k)}</div>" for k in range(len(self.views)))
        payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        hint = "← → (or the buttons) step through the states"
        if len(self.views) > 1:
            hint += " · click a module box to see it op by op; click an op of the frame to fold it back"
        return (_PAGE.replace("%TITLE%", html.escape(self.title)).replace("%HINT%", hint).replace("%SVGS%", svgs)
                .replace("%DATA%", payload).replace("%SCRIPT%", _SCRIPT))

    def save(self, path: Any) -> str:
        """Write the page to ``path`` (parent folders are created) and return the path."""
        import os

        path = os.fspath(path)
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.html())
        return path

    def _repr_html_(self) -> str:
        page = self.html()
        return (f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:640px;border:0" '
                f'title="{html.escape(self.title)}"></iframe>')

    def frames(self, view: int = 0, dpi: int = 96) -> list[Any]:
        """Every state of ``view`` as a Pillow image (Graphviz draws each state with the same layout)."""
        import io

        from PIL import Image

        _require_dot()
        v = self.views[view]
        images = []
        for st in self.view_states[view]:
            g = v.dot(f"{self.title}\n{st['title']}\n{_plain(st['note'])}", state=st)
            g.attr(dpi=str(dpi))
            images.append(Image.open(io.BytesIO(g.pipe(format="png"))).convert("RGB"))
        return images

    def save_gif(self, path: Any, seconds_per_state: float = 1.6, view: int = 0, dpi: int = 96) -> str:
        """An animated GIF of the states (for slides); all frames padded to one size."""
        import os

        from PIL import Image

        frames = self.frames(view, dpi)
        w = max(f.width for f in frames)
        h = max(f.height for f in frames)
        padded = []
        for f in frames:
            canvas = Image.new("RGB", (w, h), "white")
            canvas.paste(f, ((w - f.width) // 2, 0))
            padded.append(canvas.convert("P", palette=Image.ADAPTIVE, colors=128))
        path = os.fspath(path)
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        padded[0].save(path, save_all=True, append_images=padded[1:], duration=int(seconds_per_state * 1000),
                       loop=0, optimize=True)
        return path


def _plain(note: str) -> str:
    """A state's note as plain lines (for the GIF's caption)."""
    import re

    text = re.sub(r"<br\s*/?>", "\n", note)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _require_dot() -> None:
    if shutil.which("dot") is None:
        raise RuntimeError("backprop_steps: the page is laid out by Graphviz's `dot` program, which is not "
                           "installed (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)")


def _svg_with_line_ids(svg: str, view: _View) -> str:
    """Give every text line of a node (and every edge label) an id ``<node>__<k>``: Graphviz 2.x does not
    emit the ids of HTML-label cells, but it writes one <text> per cell, in order."""
    import re

    svg = svg[svg.index("<svg"):]
    out, pos = [], 0
    for m in re.finditer(r'<g id="([^"]+)" class="(node|edge|cluster)">(.*?)</g>', svg, flags=re.S):
        gid, parts = m.group(1), m.group(3).split("<text ")
        body = parts[0] + "".join(f'<text id="{gid}__{k}" ' + part for k, part in enumerate(parts[1:]))
        out.append(svg[pos:m.start(3)])
        out.append(body)
        pos = m.end(3)
    out.append(svg[pos:])
    return "".join(out)


# ----------------------------------------------------------------------------- entry points


def backprop_steps(
    output: Tensor,
    path: Any = None,
    *,
    names: Mapping[str, Any] | None = None,
    model: Any = None,
    expand: Iterable[str] = (),
    title: str | None = None,
) -> BackpropSteps:
    """Run ``output.backward()`` with a hook on every Function and return the step-by-step page.

    ``output`` must be a scalar whose graph is still there (call this *instead of*
    ``output.backward()``: it runs that backward — the leaves' ``.grad`` fill as usual).
    ``names`` (e.g. ``locals()``) names tensors that have no ``name``; ``model`` (a Module whose
    forward ran inside :func:`trace_modules`, or the trace) draws one box per module, expandable
    with a click (``expand`` names the modules drawn op by op in the first view).  ``path``:
    also write the page there.
    """
    _check_output(output)
    trace = _trace_of(model) if model is not None else None
    units: dict[int, str] = {}
    unit_titles: dict[str, tuple[str, list[str], list[tuple[str, Tensor]]]] = {}
    if trace is not None:
        fns = _forward_order(output)

        class _G:  # the shape _owners expects: .ops with .fn
            ops = [type("O", (), {"fn": f})() for f in fns]

        owner = _owners(_G, trace)
        for f in fns:
            call = owner.get(id(f))
            if call is not None:
                units[id(f)] = call.title
                if call.title not in unit_titles:
                    m = call.module
                    extra = _wrap_attributes(m.extra_repr() if hasattr(m, "extra_repr") else "", 34)
                    unit_titles[call.title] = (f"{call.title} · {type(m).__name__}", extra,
                                               list(m.named_parameters()))
    tensors = _tensors_in_forward(output)
    given = dict(names or {})
    if trace is not None:
        given = {**trace.named_parameters(), **given}
        for call in trace.calls:  # a module's output is "<module>.out" (not an unexplained t4)
            for k, t in enumerate(call.outputs):
                given.setdefault(f"{call.title}.out" + (f"{k}" if k else ""), t)
    label_of = _names(tensors, given)
    rec = _record(output)
    expand = [expand] if isinstance(expand, str) else list(expand)
    first = expand[0] if expand else None
    if first is not None and first not in unit_titles:
        raise ValueError(f"backprop_steps: expand names unknown module {first!r}; choose among {sorted(unit_titles)}")
    views = [_View(rec, label_of, units, unit_titles, first, "graph")]
    if trace is not None:
        for u in unit_titles:
            if u != first:
                views.append(_View(rec, label_of, units, unit_titles, u, f"{u} op by op"))
    page = BackpropSteps(views, title or f"Backprop step by step: {label_of[id(output)]}")
    if path is not None:
        page.save(path)
    return page


def _tensors_in_forward(output: Tensor) -> list[Tensor]:
    fns = _forward_order(output)
    seen: dict[int, Tensor] = {}
    for fn in fns:
        for x in fn.inputs:
            seen.setdefault(id(x), x)
        for r in fn.outputs:
            o = r()
            if o is not None:
                seen.setdefault(id(o), o)
    seen.setdefault(id(output), output)
    # _names numbers the unnamed tensors from the end of this list backwards (leaves first)
    return list(reversed(list(seen.values())))


def lecture_example() -> Tensor:
    """The lecture's graph: a = 2, b = 1, c = a + b, d = b + 1, e = c·d (b is used twice)."""
    a = Tensor(2.0, requires_grad=True, name="a")
    b = Tensor(1.0, requires_grad=True, name="b")
    c = a + b
    c.name = "c"
    d = b + 1
    d.name = "d"
    e = c * d
    e.name = "e"
    return e


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%TITLE%</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 12px; color: #222; }
#bar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
#bar button { font-size: 16px; padding: 4px 12px; cursor: pointer; }
#counter { font-variant-numeric: tabular-nums; min-width: 5em; }
#title { font-weight: bold; font-size: 18px; }
#note { min-height: 4.5em; background: #f7f7f7; border-left: 4px solid #c0392b; padding: 8px 12px;
        font-size: 15px; line-height: 1.5; margin: 8px 0; }
#note .acc { color: #8e44ad; font-weight: bold; }
#hint { color: #777; font-size: 13px; }
.view { overflow-x: auto; }
.off { visibility: hidden; }
g.node.hl > ellipse, g.node.hl > polygon, g.node.hl > path { stroke: #e67e22; stroke-width: 3.5px; }
g.node.hl > ellipse { fill: #ffd591; }
g.edge.hl > path { stroke: #c0392b; stroke-width: 2.5px; }
g.edge.hl > polygon { stroke: #c0392b; fill: #c0392b; }
text.hl { fill: #e67e22; font-weight: bold; }
text.acc { fill: #8e44ad; font-weight: bold; }
g.clickable { cursor: pointer; }
</style></head>
<body>
<div id="bar">
  <button id="first" title="first state (Home)">«</button>
  <button id="prev" title="previous state (←)">◀ back</button>
  <button id="next" title="next state (→ or space)">next ▶</button>
  <button id="last" title="last state (End)">»</button>
  <input id="slider" type="range" min="0" value="0">
  <span id="counter"></span>
  <span id="title"></span>
</div>
<div id="note"></div>
<div id="hint">%HINT%</div>
%SVGS%
<script id="steps-data" type="application/json">%DATA%</script>
<script>%SCRIPT%</script>
</body></html>
"""

_SCRIPT = r"""
(function () {
  var views = JSON.parse(document.getElementById('steps-data').textContent);
  var current = 0, index = 0, finals = [];
  views.forEach(function (v, k) {
    var root = document.getElementById('view' + k), f = {};
    v.dynamic.forEach(function (id) {
      var e = root.querySelector('[id="' + id + '"]');
      if (e) f[id] = e.textContent;
    });
    finals.push(f);
    Object.keys(v.clickable).forEach(function (key) {
      var g = root.querySelector('[id="' + key + '"]');
      if (!g) return;
      g.classList.add('clickable');
      g.addEventListener('click', function () { toggle(v.clickable[key]); });
    });
  });
  function el(k, id) { return document.getElementById('view' + k).querySelector('[id="' + id + '"]'); }
  function apply() {
    var v = views[current], s = v.states[index], root = document.getElementById('view' + current);
    var show = new Set(s.show);
    v.dynamic.forEach(function (id) {
      var e = el(current, id); if (!e) return;
      e.classList.toggle('off', !show.has(id));
      e.textContent = (id in s.text) ? s.text[id] : finals[current][id];
    });
    root.querySelectorAll('.hl, .acc').forEach(function (e) { e.classList.remove('hl'); e.classList.remove('acc'); });
    s.hl.forEach(function (id) { var e = el(current, id); if (e) e.classList.add('hl'); });
    s.acc.forEach(function (id) { var e = el(current, id); if (e) e.classList.add('acc'); });
    document.getElementById('title').textContent = s.title;
    document.getElementById('note').innerHTML = s.note;
    document.getElementById('counter').textContent = (index + 1) + ' / ' + v.states.length;
    var slider = document.getElementById('slider');
    slider.max = v.states.length - 1; slider.value = index;
    document.body.setAttribute('data-state', index);
    document.body.setAttribute('data-view', current);
  }
  function go(i) { index = Math.max(0, Math.min(views[current].states.length - 1, i)); apply(); }
  function show(k) {
    var t = views[current].states[index].t;
    document.getElementById('view' + current).style.display = 'none';
    current = k;
    document.getElementById('view' + current).style.display = 'block';
    var st = views[current].states, j = st.length - 1;
    for (var i = 0; i < st.length; i++) { if (st[i].t >= t) { j = i; break; } }
    go(j);
  }
  function toggle(name) {
    if (views[current].expanded === name) { show(0); return; }
    for (var k = 0; k < views.length; k++) { if (views[k].expanded === name) { show(k); return; } }
  }
  document.getElementById('first').onclick = function () { go(0); };
  document.getElementById('prev').onclick = function () { go(index - 1); };
  document.getElementById('next').onclick = function () { go(index + 1); };
  document.getElementById('last').onclick = function () { go(views[current].states.length - 1); };
  document.getElementById('slider').oninput = function (e) { go(parseInt(e.target.value, 10)); };
  document.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowRight' || e.key === ' ') { go(index + 1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft') { go(index - 1); e.preventDefault(); }
    else if (e.key === 'Home') { go(0); } else if (e.key === 'End') { go(views[current].states.length - 1); }
  });
  window.backprop = { go: go, show: show, toggle: toggle,
                      state: function () { return { view: current, index: index }; },
                      count: function () { return views[current].states.length; } };
  go(0);
})();
"""

__all__ = ["BackpropSteps", "backprop_steps", "fmt_number", "fmt_tensor", "lecture_example"]
