"""The graph drawn module by module: one box per module call (``draw_graph(loss, model=...)``, ``draw_model``).

Every op created inside a module's forward belongs to the innermost module (:func:`_owners`);
``collapse`` says which calls become boxes, ``expand`` which modules are drawn op by op inside a
dashed frame.  :class:`_ModulePicture` first decides what goes where, then draws.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...tensor import Tensor
from .._format import _shape_text
from .boxes import _LOSS, _Unit, _unit_label, _unit_style
from .labels import OP_STYLE, _edge_label, _graphviz, _op_label, _tensor_label, _tensor_style
from .modules import ModuleTrace, _Call, _owners
from .tracing import _collect, _Graph, _Op


def _depth_of(collapse: bool | int | str) -> float:
    if collapse is True or collapse in ("all", "leaves"):
        return float("inf")
    if isinstance(collapse, int) and not isinstance(collapse, bool) and collapse >= 0:
        return collapse
    raise ValueError(
        f"draw_graph: collapse must be True/'all' (leaf modules), a depth >= 0 or False, got {collapse!r}"
    )


def _expand_set(trace: ModuleTrace, expand: Iterable[str]) -> set[str]:
    chosen = {expand} if isinstance(expand, str) else set(expand)
    known = set(trace.names.values()) | {_LOSS}
    if chosen - known:
        raise ValueError(
            f"draw_graph: expand names unknown modules {sorted(chosen - known)}; "
            f"choose among {sorted(n for n in known if n)}"
        )
    return chosen


def _draw_modules(output: Tensor, trace: ModuleTrace, collapse: bool | int | str, expand: Iterable[str], show: str,
                  rankdir: str, max_elements: int, names: Mapping[str, Any] | None, title: str | None,
                  loss_inputs: Mapping[str, Tensor] | None = None):
    """The :class:`graphviz.Digraph` of ``output`` with one box per module call of ``trace``."""
    picture = _ModulePicture(output, trace, collapse, expand, names)
    return picture.draw(show, rankdir, max_elements, title, loss_inputs or {})


class _ModulePicture:
    """What the collapsed picture shows: the boxes (units), the ops they absorb, the tensors left visible.

    The analysis runs in ``__init__``, step by step; :meth:`draw` turns it into DOT.
    """

    def __init__(self, output: Tensor, trace: ModuleTrace, collapse: bool | int | str, expand: Iterable[str],
                 names: Mapping[str, Any] | None) -> None:
        self.output, self.trace = output, trace
        self.depth = _depth_of(collapse)
        self.expand = _expand_set(trace, expand)
        # a module's output is called "<module> out" (not an unexplained t4); names given by the caller win
        self.names = {**dict(names or {}), **{f"{c.title} out": c.outputs[0] for c in trace.calls if c.outputs}}
        self.graph = graph = _collect(output, self.names)
        in_graph = {id(t) for t in graph.tensors}
        if trace.calls and not any(id(t) in in_graph for c in trace.calls for t in c.outputs):
            raise RuntimeError("draw_graph(model=...): the recorded forward of the model is not part of this graph")
        self.owner = _owners([op.fn for op in graph.ops], trace)
        self._box_memo: dict[int, _Call | None] = {}
        self.units: dict[int, _Unit] = {}  # id(call) or 0 for the loss → unit
        self.op_unit: dict[int, _Unit] = {}  # id(op.fn) → the box that absorbs the op
        self._assign_ops()
        self.made_by: dict[int, _Unit] = {}  # id(tensor) → the box that makes it
        self.extra: dict[int, Tensor] = {}  # tensors not in the autograd graph that the picture needs
        self._find_makers()
        self.params_of = {id(u): self._params(u) for u in self.units.values()}
        self.call_inputs = self._call_inputs()
        self.shown = self._visible()
        self.all_tensors = graph.tensors + [t for t in self.extra.values() if id(t) not in in_graph]
        self.keys = {id(t): f"t{i}" for i, t in enumerate(self.all_tensors)}
        self.tgraph = _Graph(graph.output, self.all_tensors, self._labels(), graph.ops, graph.producer,
                             graph.consumers, graph.grads, graph.scalar)
        self.frame_of = self._frames_of_expanded()

    # -------------------------------------------------------------- which box holds what
    def _box_of(self, call: _Call) -> _Call | None:
        """The call drawn as a box that contains ``call`` (None: drawn op by op)."""
        if id(call) not in self._box_memo:
            self._box_memo[id(call)] = self._find_box(call)
        return self._box_memo[id(call)]

    def _find_box(self, call: _Call) -> _Call | None:
        for c in call.chain():  # from the model down to this call
            if c.name in self.expand:
                continue
            if c.depth >= self.depth or (c is call and c.is_leaf):
                return c
            # not deep enough: look further down; ops of a container itself are glue, drawn op by op
        return None

    def _unit(self, call: _Call | None) -> _Unit:
        k = 0 if call is None else id(call)
        if k not in self.units:
            self.units[k] = _Unit(f"m{len(self.units)}", call)
        return self.units[k]

    def _ops_after_model(self) -> set[int]:
        """The ops of the loss: downstream of a model output and not inside a module (ids of ops and outputs)."""
        model_out = {id(t) for c in self.trace.calls if c.parent is None for t in c.outputs}
        after: set[int] = set()
        for op in sorted(self.graph.ops, key=lambda o: o.fn.generation):
            if id(op.fn) not in self.owner and any(id(x) in model_out or id(x) in after for x in op.inputs):
                after.update(id(y) for y in op.outputs)
                after.add(id(op.fn))
        return after

    def _assign_ops(self) -> None:
        after = self._ops_after_model()
        for op in self.graph.ops:
            call = self.owner.get(id(op.fn))
            if call is not None:
                box = self._box_of(call)
                if box is not None:
                    self.op_unit[id(op.fn)] = self._unit(box)
            elif id(op.fn) in after and _LOSS not in self.expand:
                self.op_unit[id(op.fn)] = self._unit(None)
        for op in self.graph.ops:
            if id(op.fn) in self.op_unit:
                self.op_unit[id(op.fn)].ops.append(op)

    def _find_makers(self) -> None:
        """Who makes each tensor: an op's box, or a module call that ran no recorded op (Flatten of an
        input that needs no gradient: its output is a leaf of the graph, but came out of Flatten)."""
        for op in self.graph.ops:
            u = self.op_unit.get(id(op.fn))
            if u is not None:
                for y in op.outputs:
                    self.made_by[id(y)] = u
        leaves = [t for t in self.graph.tensors if t.grad_fn is None]
        while leaves:
            t = leaves.pop()
            call = next((c for c in self.trace.calls
                         if any(o is t for o in c.outputs) and not any(i is t for i in c.inputs)), None)
            if call is not None:
                leaves += self._made_by_call(t, call)

    def _made_by_call(self, t: Tensor, call: _Call) -> list[Tensor]:
        """Let the box of ``call`` make the leaf ``t``; returns the new leaves to look at (its inputs)."""
        box = self._box_of(call)
        if box is None or id(t) in self.made_by:
            return []
        u = self._unit(box)
        self.made_by[id(t)] = u
        new = []
        for x in call.inputs:
            if not any(x is e for e in u.extra_inputs):
                u.extra_inputs.append(x)
            if id(x) not in self.extra and x.grad_fn is None:
                self.extra[id(x)] = x
                new.append(x)
        return new

    @staticmethod
    def _params(u: _Unit) -> dict[int, tuple[str, Tensor]]:
        ps = dict(u.call.module.named_parameters()) if u.call is not None else {}
        return {id(p): (n, p) for n, p in ps.items()}

    def _call_inputs(self) -> dict[int, set[int]]:
        """id(unit) → the ids of the tensors that went into its module calls."""
        inputs: dict[int, set[int]] = {}
        for c in self.trace.calls:
            box = self._box_of(c)
            u = self.units.get(id(box)) if box is not None else None
            if u is not None:  # a call that made nothing of this graph has no box
                inputs.setdefault(id(u), set()).update(id(x) for x in c.inputs)
        return inputs

    # -------------------------------------------------------------- which tensors stay visible
    def _leaf_shown_in(self, u: _Unit, x: Tensor) -> bool:
        """A leaf used inside a box: its parameters are listed in the box, its constants hidden."""
        if id(x) in self.params_of[id(u)]:
            return False
        if u.call is None:  # the loss: show what needs a gradient or is a real array (not a 1)
            return x.requires_grad or x.numel() > 1
        return id(x) in self.call_inputs.get(id(u), set()) or x.requires_grad

    def _visible(self) -> dict[int, Tensor]:
        """Tensors drawn as boxes: those made by ops drawn op by op, and leaves that are not absorbed."""
        shown: dict[int, Tensor] = {}
        for op in self.graph.ops:
            u = self.op_unit.get(id(op.fn))
            for x in op.inputs:
                if x.grad_fn is None and id(x) not in self.made_by and (u is None or self._leaf_shown_in(u, x)):
                    shown[id(x)] = x
            if u is None:
                shown.update((id(y), y) for y in op.outputs)
        for u in self.units.values():
            shown.update((id(x), x) for x in u.extra_inputs if id(x) not in self.made_by)
        if self.output.grad_fn is None and id(self.output) not in self.made_by:
            shown[id(self.output)] = self.output
        return shown

    def _labels(self) -> dict[int, str]:
        labels = dict(self.graph.names)
        for t in self.all_tensors:
            if id(t) not in labels:
                labels[id(t)] = t.name or next((n for n, v in self.names.items() if v is t), "input")
        return labels

    def _frames_of_expanded(self) -> dict[int, _Call]:
        """id(op.fn) → the innermost expanded module whose dashed frame holds the op."""
        frame_of: dict[int, _Call] = {}
        for op in self.graph.ops:
            call = self.owner.get(id(op.fn))
            if id(op.fn) in self.op_unit or call is None:
                continue
            inner = next((c for c in reversed(call.chain()) if c.name in self.expand), None)
            if inner is not None:
                frame_of[id(op.fn)] = inner
        return frame_of

    # -------------------------------------------------------------- the picture
    def draw(self, show: str, rankdir: str, max_elements: int, title: str | None,
             loss_inputs: Mapping[str, Tensor]) -> Any:
        self._gv = _graphviz()
        self.backward = show in ("both", "backward")
        self.max_elements = max_elements
        self.back_attrs = {"dir": "back", "color": "#c0392b", "fontcolor": "#c0392b"} if show == "backward" else {}
        self.dot = dot = self._gv.Digraph("model_graph", format="svg")
        self._header(rankdir, title)
        self.frames: dict[int, Any] = {}
        placed = self._draw_op_by_op()
        for t in self.all_tensors:
            if id(t) in self.shown and id(t) not in placed:
                self._tensor_node(dot, t)
        for sub in self.frames.values():
            dot.subgraph(sub)
        for u in sorted(self.units.values(), key=lambda u: (u.call is None, u.call.index if u.call else 0)):
            dot.node(u.key, _unit_label(u, self.graph, self.params_of[id(u)], self.output, self.made_by, max_elements,
                                        self.backward), **_unit_style(u, self.output, self.made_by))
        self._drawn: set[tuple[str, str, int]] = set()
        self._draw_edges()
        self._draw_loss_inputs(loss_inputs)
        return dot

    def _header(self, rankdir: str, title: str | None) -> None:
        model = self.trace.model
        n_params = sum(p.numel() for p in model.parameters())
        head = title if title is not None else f"{type(model).__name__} · {n_params:,} parameters"
        self.dot.attr(rankdir=rankdir, fontname="Helvetica", fontsize="14", label=head, labelloc="t", nodesep="0.3",
                      ranksep="0.35")
        self.dot.attr("node", fontname="Helvetica", fontsize="11", penwidth="1.2")
        self.dot.attr("edge", fontname="Helvetica", fontsize="9", color="#555555", arrowsize="0.7")

    def _tensor_node(self, g: Any, t: Tensor) -> None:
        g.node(self.keys[id(t)], _tensor_label(self.tgraph, t, self.max_elements, self.backward),
               **_tensor_style(t, self.output))

    def _frame(self, op: _Op) -> Any:
        """Where an op drawn op by op goes: the frame of its expanded module, or the picture itself."""
        call = self.frame_of.get(id(op.fn))
        if call is None:
            return self.dot
        if id(call) not in self.frames:
            sub = self._gv.Digraph(name=f"cluster_{len(self.frames)}")
            n_ops = sum(1 for o in self.graph.ops if self.frame_of.get(id(o.fn)) is call)
            what = "one fused op" if n_ops == 1 else f"{n_ops} ops"
            sub.attr(label=f"{call.title} · {type(call.module).__name__}, expanded: {what}", style="dashed,rounded",
                     color="#888888", fontname="Helvetica", fontsize="11")
            self.frames[id(call)] = sub
        return self.frames[id(call)]

    def _in_own_frame(self, x: Tensor, op: _Op) -> bool:
        """A leaf whose every user sits in the frame of ``op`` (a parameter of an expanded module)."""
        frame = self.frame_of.get(id(op.fn))
        return x.grad_fn is None and all(self.frame_of.get(id(o.fn)) is frame
                                         for o, _ in self.graph.consumers.get(id(x), []))

    def _draw_op_by_op(self) -> set[int]:
        """The ops no box absorbs, with their visible outputs (and an expanded module's parameters in its frame)."""
        placed: set[int] = set()
        for op in self.graph.ops:
            if id(op.fn) in self.op_unit:
                continue
            g = self._frame(op)
            g.node(op.key, _op_label(op, self.backward), **OP_STYLE)
            inside = [x for x in op.inputs if g is not self.dot and self._in_own_frame(x, op)]
            for t in list(op.outputs) + inside:
                if id(t) in self.shown and id(t) not in placed:
                    placed.add(id(t))
                    self._tensor_node(g, t)
        return placed

    def _source(self, x: Tensor) -> str | None:
        if id(x) in self.made_by:
            return self.made_by[id(x)].key
        return self.keys[id(x)] if id(x) in self.shown else None

    def _edge(self, src: str, dst: str, x: Tensor, label: str = "") -> None:
        if src == dst or (src, dst, id(x)) in self._drawn:
            return
        self._drawn.add((src, dst, id(x)))
        attrs = dict(self.back_attrs)
        if label:
            attrs["label"] = label
            if not self.back_attrs and "∂" in label:
                attrs["fontcolor"] = "#c0392b"
        self.dot.edge(src, dst, **attrs)

    def _input_label(self, op: _Op, i: int, boxed: bool) -> str:
        x = op.inputs[i]
        if boxed or id(x) in self.made_by:
            return " " + _shape_text(x)
        return _edge_label(self.graph, op, i) if self.backward and self.graph.scalar else ""

    def _draw_edges(self) -> None:
        for op in self.graph.ops:
            u = self.op_unit.get(id(op.fn))
            dst = u.key if u is not None else op.key
            for i, x in enumerate(op.inputs):
                src = self._source(x)
                if src is not None:
                    self._edge(src, dst, x, self._input_label(op, i, u is not None))
            if u is None:
                for y in op.outputs:
                    if id(y) in self.shown:
                        self._edge(op.key, self.keys[id(y)], y)
        for u in self.units.values():
            for x in u.extra_inputs:
                src = self._source(x)
                if src is not None:
                    self._edge(src, u.key, x, " " + _shape_text(x))

    def _draw_loss_inputs(self, loss_inputs: Mapping[str, Tensor]) -> None:
        """What went into the loss besides the model's output (the target), as dashed inputs of the loss."""
        loss_unit = self.made_by.get(id(self.output))
        dst = loss_unit.key if loss_unit is not None else self.keys.get(id(self.output), "t0")
        for name, t in loss_inputs.items():
            key = f"extra_{name}"
            alone = _Graph(self.output, [t], {id(t): name}, [], {}, {}, {}, False)
            self.dot.node(key, _tensor_label(alone, t, self.max_elements, False), **_tensor_style(t, self.output))
            self.dot.edge(key, dst, style="dashed", label=" " + _shape_text(t), **self.back_attrs)
