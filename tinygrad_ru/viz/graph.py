"""Pictures of a computational graph, and the chain rule written out.

``draw_graph(e)`` returns a :class:`graphviz.Digraph` with

* a box per tensor: its name, shape and dtype, its value and gradient ∂out/∂t (small tensors),
  or mean/std (big ones);
* an ellipse per operation (the Function's name) with the step number at which backward
  visits it;
* on every edge *input → op* of a scalar graph, the local derivative ∂y/∂x of that op,
  e.g. ``∂e/∂c = d = 2`` for e = c·d.

``explain_backward(e)`` prints the same chain rule as text, one line per tensor::

    ∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5

Drawn before ``backward()``, both compute the gradients on the side (their own
``autograd.grad(..., retain_graph=True)``) and leave ``.grad`` untouched.  Drawn after a
``backward()`` (plain or with ``retain_graph=True``) they run no backward at all: a leaf shows the
``.grad`` it holds, an intermediate tensor the gradient that backward passed through it, and an
edge the local derivative backward used (recorded for small tensors, see
:meth:`~tinygrad_ru.autograd.Function.release`); big tensors whose values backward freed show
their shape only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import backend
from ..autograd.engine import grad as _grad
from ..autograd.engine import topological_order
from ..autograd.function import FreedTensor
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor

_SHOW = ("both", "forward", "backward")


@dataclass
class _Op:
    fn: Any
    key: str
    inputs: list[Tensor]
    outputs: list[Tensor]
    order: int | None = None  # the step at which backward visits it (1 = first)
    local: list[Any] = field(default_factory=list)  # ∂y/∂x_i as a float, or None


@dataclass
class _Graph:
    output: Tensor
    tensors: list[Tensor]  # in backward order: the output first, leaves last
    names: dict[int, str]
    ops: list[_Op]
    producer: dict[int, _Op]
    consumers: dict[int, list[tuple[_Op, int]]]
    grads: dict[int, Tensor | None]
    scalar: bool


# ----------------------------------------------------------------------------- the graph
def _collect(output: Tensor, names: Mapping[str, Any] | None) -> _Graph:
    if not isinstance(output, Tensor):
        raise TypeError(f"draw_graph: expected a Tensor, got {type(output).__name__}")
    fn0 = output.grad_fn
    # after a backward the picture shows what that backward computed, and runs none of its own
    after = fn0 is not None and (fn0.released or fn0._grads_seen is not None)
    tensors: dict[int, Tensor] = {id(output): output}
    order_seen: list[int] = [id(output)]
    ops: dict[int, _Op] = {}
    stack = [output]
    while stack:  # iterative: graphs can be deep
        t = stack.pop()
        fn = t.grad_fn
        if fn is None or id(fn) in ops:
            continue
        outs = [_live(r()) for r in fn.outputs]
        op = _Op(fn, f"op{len(ops)}", [_live(x) for x in fn.inputs], [o for o in outs if o is not None])
        ops[id(fn)] = op
        for x in op.inputs:
            if id(x) not in tensors:
                tensors[id(x)] = x
                order_seen.append(id(x))
        stack.extend(reversed(op.inputs))
        for o in op.outputs:
            if id(o) not in tensors:
                tensors[id(o)] = o
                order_seen.append(id(o))
    # Tensors in decreasing generation, ties in discovery order: the order backward finishes them.
    rank = {k: i for i, k in enumerate(order_seen)}
    ordered = sorted(tensors.values(), key=lambda t: (-t._generation, rank[id(t)]))

    producer = {id(o): op for op in ops.values() for o in op.outputs}
    consumers: dict[int, list[tuple[_Op, int]]] = {}
    for op in ops.values():
        for i, x in enumerate(op.inputs):
            consumers.setdefault(id(x), []).append((op, i))
    for lst in consumers.values():
        lst.sort(key=lambda item: rank[id(item[0].outputs[0])] if item[0].outputs else 0)

    label_of = _names(ordered, names)
    _backward_order(output, ops)
    grads = _held_gradients(ordered, producer) if after else _gradients(output, ordered)
    scalar = all(t.numel() == 1 for t in ordered)
    if scalar:
        for op in ops.values():
            op.local = _seen_local_derivatives(op) if after else _local_derivatives(op)
    return _Graph(output, ordered, label_of, list(ops.values()), producer, consumers, grads, scalar)


def _live(t: Tensor | None) -> Tensor | None:
    """The real tensor behind a stand-in of a released graph while it is alive (else the stand-in)."""
    if isinstance(t, FreedTensor):
        origin = t.origin()
        return origin if origin is not None else t
    return t


def _held_gradients(tensors: list[Tensor], producer: dict[int, _Op]) -> dict[int, Tensor | None]:
    """After backward: a leaf's ``.grad``, a retained ``.grad``, else what backward passed (small tensors)."""
    grads: dict[int, Tensor | None] = {}
    for t in tensors:
        g = t.grad if t.grad_fn is None or t.retains_grad else None
        op = producer.get(id(t))
        if g is None and op is not None and op.fn._grads_seen is not None:
            slot = op.outputs.index(t)
            seen_out = op.fn._grads_seen[0]
            g = seen_out[slot] if slot < len(seen_out) else None
        grads[id(t)] = g
    return grads


def _seen_local_derivatives(op: _Op) -> list[Any]:
    """∂y/∂xᵢ of one scalar op as backward used it: (∂L/∂xᵢ through this op) / (∂L/∂y)."""
    seen = op.fn._grads_seen
    if seen is None or len(seen[0]) != 1 or seen[0][0] is None:
        return [None] * len(op.inputs)
    gy = _scalar(seen[0][0])
    if gy == 0:
        return [None] * len(op.inputs)
    return [None if gi is None else _scalar(gi) / gy for gi in seen[1]]


def _names(tensors: list[Tensor], names: Mapping[str, Any] | None) -> dict[int, str]:
    """``t.name``, else a name from ``names`` (e.g. ``locals()``), else a constant's value or t1, t2 …"""
    given: dict[int, str] = {}
    for n, v in (names or {}).items():
        if isinstance(v, Tensor) and not n.startswith("_") and id(v) not in given:
            given[id(v)] = n
    out: dict[int, str] = {}
    counter = 0
    for t in reversed(tensors):  # leaves first: t1, t2 … in forward order
        if t.name:
            out[id(t)] = t.name
        elif id(t) in given:
            out[id(t)] = given[id(t)]
        elif t.grad_fn is None and not t.requires_grad and t.numel() == 1:
            out[id(t)] = _fmt(_scalar(t))
        else:
            counter += 1
            out[id(t)] = f"t{counter}"
    return out


def _backward_order(output: Tensor, ops: dict[int, _Op]) -> None:
    """Number the ops as backward visits them: the engine's own schedule, ``topological_order``."""
    for step, fn in enumerate(topological_order(output), start=1):
        ops[id(fn)].order = step


def _gradients(output: Tensor, tensors: list[Tensor]) -> dict[int, Tensor | None]:
    """∂output/∂t for every tensor of the graph (ones as the output's gradient if it is not a scalar)."""
    wrt = [t for t in tensors if t.requires_grad]
    grads: dict[int, Tensor | None] = {id(t): None for t in tensors}
    if not output.requires_grad or not wrt:
        return grads
    seed = Tensor._wrap(output.xp.ones_like(output.data), False)
    values = _grad(output, wrt, grad_outputs=seed, retain_graph=True, allow_unused=True)
    for t, g in zip(wrt, values):
        grads[id(t)] = g
    return grads


def _local_derivatives(op: _Op) -> list[Any]:
    """∂y/∂xᵢ of one scalar op: its own backward with ∂L/∂y = 1, run outside the graph."""
    if len(op.outputs) != 1 or len(op.fn.outputs) != 1:
        return [None] * len(op.inputs)
    y = op.outputs[0]
    with no_grad():
        g = op.fn.backward(Tensor._wrap(y.xp.ones_like(y.data), False))
    if not isinstance(g, tuple):
        g = (g,)
    return [None if gi is None else _scalar(gi) for gi in g]


# ----------------------------------------------------------------------------- text
def _scalar(t: Any) -> float:
    data = t.data if isinstance(t, Tensor) else t
    return float(backend.to_numpy(data).reshape(-1)[0])


def _fmt(v: float) -> str:
    """A number for people: an integer as such, anything else with 3 significant digits."""
    if not np.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.3g}"


def _nested(a: np.ndarray) -> str:
    """[[1, 0.5], [-2, 3.25]]: every element with :func:`_fmt` (no NumPy column padding)."""
    if a.ndim == 0:
        return _fmt(float(a))
    return "[" + ", ".join(_nested(row) for row in a) + "]"


def _array_text(t: Tensor, max_elements: int) -> str:
    if isinstance(t, FreedTensor):
        return "freed by backward"
    a = backend.to_numpy(t.data).astype(np.float64)
    if a.size == 1:
        return _fmt(float(a.reshape(-1)[0]))
    if a.size <= max_elements:
        return _nested(a)
    return f"mean {_fmt(a.mean())}, std {_fmt(a.std())}"


def _symbolic(graph: _Graph, op: _Op, i: int) -> str | None:
    """A readable form of ∂y/∂xᵢ for the lecture's ops: 1 for a sum, the other factor for a product."""
    name = op.fn.name
    ins = op.inputs
    if name == "Add":
        return "1"
    if name == "Sub":
        return "1" if i == 0 else "−1"
    if name == "Neg":
        return "−1"
    if name == "Mul" and len(ins) == 2:  # per input slot: x·x gives x + x
        return graph.names[id(ins[1 - i])]
    return None


def _d(num: str, den: str) -> str:
    return f"∂{num}/∂{den}"


def _edge_label(graph: _Graph, op: _Op, i: int) -> str:
    local = op.local[i] if op.local else None
    if local is None or not op.outputs or not op.fn.needs_input_grad[i]:
        return ""
    y, x = graph.names[id(op.outputs[0])], graph.names[id(op.inputs[i])]
    sym = _symbolic(graph, op, i)
    value = _fmt(local)
    if sym is None or sym == value:
        return f"{_d(y, x)} = {value}"
    return f"{_d(y, x)} = {sym} = {value}"


def explain_backward(output: Tensor, names: Mapping[str, Any] | None = None) -> str:
    """The chain rule of the graph under ``output``, one line per tensor, in backward order.

    ∂L/∂x = Σ over the ops y = f(…, x, …) that use x of ∂L/∂y · ∂y/∂x.  For scalar graphs every
    factor is also given as a number.  ``names`` (e.g. ``locals()``) names unnamed tensors.
    """
    graph = _collect(output, names)
    out_name = graph.names[id(output)]
    lines = []
    for t in graph.tensors:
        if not t.requires_grad:
            continue
        name = graph.names[id(t)]
        g = graph.grads.get(id(t))
        if t is output:
            lines.append(f"{_d(out_name, out_name)} = 1")
            continue
        terms, numbers, direct = [], [], None
        for op, i in graph.consumers.get(id(t), []):
            if not op.outputs or not op.fn.needs_input_grad[i]:
                continue
            y = op.outputs[0]
            yname = graph.names[id(y)]
            local = op.local[i] if graph.scalar else None
            if y is output:  # ∂e/∂y = 1: the term is the local derivative itself
                terms.append(_d(yname, name))
                direct = _symbolic(graph, op, i)
                if local is not None:
                    numbers.append(_fmt(local))
                continue
            terms.append(f"{_d(out_name, yname)}·{_d(yname, name)}")
            gy = graph.grads.get(id(y))
            if gy is not None and local is not None:
                numbers.append(f"{_fmt(_scalar(gy))}·{_fmt(local)}")
        if len(terms) == 1 and terms[0] == _d(out_name, name):
            terms = [direct] if direct is not None else []  # ∂e/∂c = d = 2
        elif _d(out_name, name) in terms:  # x used by the output's op and deeper: mark the direct part
            k = terms.index(_d(out_name, name))
            terms[k] = direct if direct is not None else f"{terms[k]}|direct"
        parts = [_d(out_name, name)] + ([" + ".join(terms)] if terms else [])
        if graph.scalar and g is not None:
            if numbers and len(numbers) == len(terms):
                parts.append(" + ".join(numbers))
            parts.append(_fmt(_scalar(g)))
        elif g is not None:
            parts.append(f"(shape {t.shape}) {_array_text(g, 6)}")
        deduped = [p for k, p in enumerate(parts) if k == 0 or p != parts[k - 1]]
        lines.append(" = ".join(deduped))
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the picture
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
    if show not in _SHOW:
        raise ValueError(f"draw_graph: show must be one of {_SHOW}, got {show!r}")
    graphviz = _graphviz()
    if model is not None:
        trace = _trace_of(model)
        names = {**{n: p for n, p in trace.named_parameters().items()}, **dict(names or {})}
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
        label = op.fn.name
        if backward and op.order is not None:
            label += f"\nbackward #{op.order}"
        dot.node(op.key, label, shape="ellipse", style="filled", fillcolor="#fff2cc", color="#d6b656")

    for op in graph.ops:
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
    return dot


def _tensor_style(t: Tensor, output: Tensor) -> dict[str, str]:
    if t is output:
        return {"shape": "box", "style": "filled,rounded,bold", "fillcolor": "#d5e8d4", "color": "#82b366",
                "penwidth": "2"}
    if t.grad_fn is None and not t.requires_grad:  # a constant
        return {"shape": "box", "style": "filled,rounded,dashed", "fillcolor": "#f5f5f5", "color": "#888888"}
    if t.grad_fn is None:  # a leaf (parameter/input)
        return {"shape": "box", "style": "filled,rounded", "fillcolor": "#dae8fc", "color": "#6c8ebf"}
    return {"shape": "box", "style": "filled,rounded", "fillcolor": "#ffffff", "color": "#555555"}


def _tensor_label(graph: _Graph, t: Tensor, max_elements: int, with_grad: bool) -> str:
    name = graph.names[id(t)]
    shape = "scalar" if t.ndim == 0 else "×".join(str(n) for n in t.shape)
    lines = [name, f"{shape} {t.dtype}"]
    lines.append(f"value = {_array_text(t, max_elements)}")
    g = graph.grads.get(id(t))
    if with_grad and g is not None:
        lines.append(f"grad = {_array_text(g, max_elements)}")
    return "\n".join(lines)




def _graphviz():
    try:
        import graphviz
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("draw_graph needs the graphviz Python package: pip install 'tinygrad_ru[viz]'") from e
    return graphviz


# ----------------------------------------------------------------------------- modules
@dataclass(eq=False)
class _Call:
    """One call of a module's forward: what went in, what came out, who called it."""

    module: Any
    name: str  # qualified name as in named_modules(), "" for the model itself
    depth: int  # 0 for the model, 1 for its children …
    parent: _Call | None
    index: int  # call order (start of forward)
    repeat: int  # 1 for the first call of this module, 2 for the second …
    inputs: list[Tensor] = field(default_factory=list)
    outputs: list[Tensor] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return next(iter(self.module.children()), None) is None

    @property
    def title(self) -> str:
        name = self.name or "model"
        return name if self.repeat == 1 else f"{name} (call {self.repeat})"

    def chain(self) -> list[_Call]:
        out, c = [], self
        while c is not None:
            out.append(c)
            c = c.parent
        return out[::-1]


def _tensors_in(obj: Any) -> list[Tensor]:
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [t for o in obj for t in _tensors_in(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _tensors_in(o)]
    return []


class ModuleTrace:
    """The module calls of one forward pass, recorded by :func:`trace_modules`.

    ``calls`` lists them in the order their forward *finished* (children before parents), so the
    first call that contains an op is the innermost module that created it.
    """

    def __init__(self, model: Any) -> None:
        if not hasattr(model, "named_modules"):
            raise TypeError(f"trace_modules: expected an nn.Module, got {type(model).__name__}")
        self.model = model
        self.names = {id(m): n for n, m in model.named_modules()}
        self.calls: list[_Call] = []
        self._stack: list[_Call] = []
        self._count = 0
        self._repeats: dict[int, int] = {}

    def _pre(self, module: Any, args: tuple) -> None:
        parent = self._stack[-1] if self._stack else None
        self._repeats[id(module)] = self._repeats.get(id(module), 0) + 1
        call = _Call(module, self.names[id(module)], len(self._stack), parent, self._count,
                     self._repeats[id(module)], _tensors_in(args))
        self._count += 1
        self._stack.append(call)

    def _post(self, module: Any, args: tuple, out: Any) -> None:
        while self._stack:  # a forward that raised leaves its call on the stack
            call = self._stack.pop()
            if call.module is module:
                call.outputs = _tensors_in(out)
                self.calls.append(call)
                return

    def named_parameters(self) -> dict[str, Tensor]:
        return dict(self.model.named_parameters())


_LAST_TRACE: Any = None  # weakref.WeakKeyDictionary, created on first use


class trace_modules:  # noqa: N801 - used like a function: `with trace_modules(model) as trace:`
    """Record which module creates which part of the graph: ``with trace_modules(model) as trace: loss = …``.

    Installs a forward pre-hook and a forward hook on every submodule for the duration of the
    ``with`` block.  Afterwards ``draw_graph(loss, model=trace)`` (or ``model=model``: the last
    trace of a model is remembered) draws one box per module.
    """

    def __init__(self, model: Any) -> None:
        self.trace = ModuleTrace(model)
        self._handles: list[Any] = []

    def __enter__(self) -> ModuleTrace:
        for _, m in self.trace.model.named_modules():
            self._handles.append(m.register_forward_pre_hook(self.trace._pre))
            self._handles.append(m.register_forward_hook(self.trace._post))
        return self.trace

    def __exit__(self, *exc: Any) -> None:
        global _LAST_TRACE
        for h in self._handles:
            h.remove()
        self._handles.clear()
        if _LAST_TRACE is None:
            import weakref

            _LAST_TRACE = weakref.WeakKeyDictionary()
        _LAST_TRACE[self.trace.model] = self.trace


def _trace_of(model: Any) -> ModuleTrace:
    if isinstance(model, ModuleTrace):
        return model
    trace = _LAST_TRACE.get(model) if _LAST_TRACE is not None else None
    if trace is None:
        raise RuntimeError(
            f"draw_graph(model=...): no recorded forward of this {type(model).__name__}; run it inside "
            "`with trace_modules(model) as trace:` and pass model=trace, or use draw_model(model, x, loss_fn, target)"
        )
    return trace


_LOSS = "loss"


@dataclass(eq=False)
class _Unit:
    """One box of the collapsed picture: a module call (or the ops after the model)."""

    key: str
    call: _Call | None  # None: the loss, i.e. the ops after the model's output
    ops: list[_Op] = field(default_factory=list)
    outputs: list[Tensor] = field(default_factory=list)  # tensors made here and used outside
    extra_inputs: list[Tensor] = field(default_factory=list)  # inputs of calls that made no op


def _fn_inputs(fn: Any) -> tuple:
    return () if fn.released else tuple(getattr(fn, "inputs", ()))


def _owners(graph: _Graph, trace: ModuleTrace) -> dict[int, _Call]:
    """id(op.fn) → the innermost module call whose forward created it."""
    in_graph = {id(op.fn) for op in graph.ops}
    owner: dict[int, _Call] = {}
    for call in trace.calls:  # children finish first, so they claim their ops before the parent
        stop = {id(t) for t in call.inputs}
        stack = [t.grad_fn for t in call.outputs if t.grad_fn is not None and id(t) not in stop]
        seen: set[int] = set()
        while stack:
            fn = stack.pop()
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            if id(fn) in in_graph and id(fn) not in owner:
                owner[id(fn)] = call
            stack.extend(x.grad_fn for x in _fn_inputs(fn) if id(x) not in stop and x.grad_fn is not None)
    return owner


def _depth_of(collapse: bool | int | str) -> float:
    if collapse is True or collapse in ("all", "leaves"):
        return float("inf")
    if isinstance(collapse, int) and not isinstance(collapse, bool) and collapse >= 0:
        return collapse
    raise ValueError(
        f"draw_graph: collapse must be True/'all' (leaf modules), a depth >= 0 or False, got {collapse!r}"
    )


def _draw_modules(output: Tensor, trace: ModuleTrace, collapse: bool | int | str, expand: Iterable[str], show: str,
                  rankdir: str, max_elements: int, names: Mapping[str, Any] | None, title: str | None,
                  loss_inputs: Mapping[str, Tensor] | None = None):
    graphviz = _graphviz()
    depth = _depth_of(collapse)
    expand = {expand} if isinstance(expand, str) else set(expand)
    known = set(trace.names.values()) | {_LOSS}
    if expand - known:
        raise ValueError(
            f"draw_graph: expand names unknown modules {sorted(expand - known)}; "
            f"choose among {sorted(n for n in known if n)}"
        )
    # a module's output is called "<module> out" (not an unexplained t4); names given by the caller win
    names = {**dict(names or {}), **{f"{c.title} out": c.outputs[0] for c in trace.calls if c.outputs}}
    graph = _collect(output, names)
    if trace.calls and not any(id(t) in {id(u) for u in graph.tensors} for c in trace.calls for t in c.outputs):
        raise RuntimeError("draw_graph(model=...): the recorded forward of the model is not part of this graph")
    owner = _owners(graph, trace)

    unit_memo: dict[int, _Call | None] = {}

    def unit_call(call: _Call) -> _Call | None:
        """The call drawn as a box that contains ``call`` (None: drawn op by op)."""
        if id(call) not in unit_memo:
            found = None
            for c in call.chain():  # from the model down to this call
                if c.name in expand:
                    continue
                if c.depth >= depth or (c is call and c.is_leaf):
                    found = c
                    break
                # not deep enough: look further down; ops of a container itself are glue, drawn op by op
            unit_memo[id(call)] = found
        return unit_memo[id(call)]

    # the ops after the model (the loss): downstream of a model output and not inside a module
    model_out = {id(t) for c in trace.calls if c.parent is None for t in c.outputs}
    after: set[int] = set()
    for op in sorted(graph.ops, key=lambda o: o.fn.generation):
        if id(op.fn) not in owner and any(id(x) in model_out or id(x) in after for x in op.inputs):
            after.update(id(y) for y in op.outputs)
            after.add(id(op.fn))

    units: dict[int, _Unit] = {}  # id(call) or 0 for the loss → unit
    op_unit: dict[int, _Unit] = {}

    def unit_for(call: _Call | None) -> _Unit:
        k = 0 if call is None else id(call)
        if k not in units:
            units[k] = _Unit(f"m{len(units)}", call)
        return units[k]

    for op in graph.ops:
        call = owner.get(id(op.fn))
        if call is not None:
            uc = unit_call(call)
            if uc is not None:
                op_unit[id(op.fn)] = unit_for(uc)
        elif id(op.fn) in after and _LOSS not in expand:
            op_unit[id(op.fn)] = unit_for(None)
    for op in graph.ops:
        if id(op.fn) in op_unit:
            op_unit[id(op.fn)].ops.append(op)

    # who makes each tensor: an op's unit, or a module call that ran no recorded op (Flatten of an
    # input that needs no gradient: its output is a leaf of the graph, but came out of Flatten)
    made_by: dict[int, _Unit] = {}
    for op in graph.ops:
        if id(op.fn) in op_unit:
            for y in op.outputs:
                made_by[id(y)] = op_unit[id(op.fn)]
    extra: dict[int, Tensor] = {}  # tensors not in the autograd graph that the picture needs
    leaves = [t for t in graph.tensors if t.grad_fn is None]
    while leaves:
        t = leaves.pop()
        for call in trace.calls:
            if any(o is t for o in call.outputs) and not any(i is t for i in call.inputs):
                uc = unit_call(call)
                if uc is not None and id(t) not in made_by:
                    u = unit_for(uc)
                    made_by[id(t)] = u
                    for x in call.inputs:
                        if not any(x is e for e in u.extra_inputs):
                            u.extra_inputs.append(x)
                        if id(x) not in extra and x.grad_fn is None:
                            extra[id(x)] = x
                            leaves.append(x)
                break

    params_of: dict[int, dict[int, tuple[str, Tensor]]] = {}
    for u in units.values():
        ps = dict(u.call.module.named_parameters()) if u.call is not None else {}
        params_of[id(u)] = {id(p): (n, p) for n, p in ps.items()}
    call_inputs: dict[int, set[int]] = {}
    for c in trace.calls:
        uc = unit_call(c)
        if uc is not None:
            call_inputs.setdefault(id(unit_for(uc)), set()).update(id(x) for x in c.inputs)

    def leaf_shown_for(u: _Unit, x: Tensor) -> bool:
        """A leaf used inside a box: its parameters are listed in the box, its constants hidden."""
        if id(x) in params_of[id(u)]:
            return False
        if u.call is None:  # the loss: show what needs a gradient or is a real array (not a 1)
            return x.requires_grad or x.numel() > 1
        return id(x) in call_inputs.get(id(u), set()) or x.requires_grad

    # ---- the picture
    backward = show in ("both", "backward")
    dot = graphviz.Digraph("model_graph", format="svg")
    n_params = sum(p.numel() for p in trace.model.parameters())
    head = title if title is not None else f"{type(trace.model).__name__} · {n_params:,} parameters"
    dot.attr(rankdir=rankdir, fontname="Helvetica", fontsize="14", label=head, labelloc="t", nodesep="0.3",
             ranksep="0.35")
    dot.attr("node", fontname="Helvetica", fontsize="11", penwidth="1.2")
    dot.attr("edge", fontname="Helvetica", fontsize="9", color="#555555", arrowsize="0.7")
    back_attrs = {"dir": "back", "color": "#c0392b", "fontcolor": "#c0392b"} if show == "backward" else {}

    # tensors drawn as boxes: those made by ops drawn op by op, and leaves that are not absorbed
    shown: dict[int, Tensor] = {}
    for op in graph.ops:
        u = op_unit.get(id(op.fn))
        for x in op.inputs:
            if x.grad_fn is None and id(x) not in made_by and (u is None or leaf_shown_for(u, x)):
                shown[id(x)] = x
        if u is None:
            for y in op.outputs:
                shown[id(y)] = y
    for u in units.values():
        for x in u.extra_inputs:
            if id(x) not in made_by:
                shown[id(x)] = x
    if output.grad_fn is None and id(output) not in made_by:
        shown[id(output)] = output
    all_tensors = graph.tensors + [t for t in extra.values() if id(t) not in {id(g) for g in graph.tensors}]
    labels = dict(graph.names)
    for t in all_tensors:
        if id(t) not in labels:
            labels[id(t)] = t.name or next((n for n, v in (names or {}).items() if v is t), "input")
    keys = {id(t): f"t{i}" for i, t in enumerate(all_tensors)}

    # frames for the modules drawn op by op
    frame_of: dict[int, _Call] = {}
    for op in graph.ops:
        call = owner.get(id(op.fn))
        if id(op.fn) in op_unit or call is None:
            continue
        inner = next((c for c in reversed(call.chain()) if c.name in expand), None)
        if inner is not None:
            frame_of[id(op.fn)] = inner
    frames: dict[int, Any] = {}

    def target(op: _Op) -> Any:
        call = frame_of.get(id(op.fn))
        if call is None:
            return dot
        if id(call) not in frames:
            sub = graphviz.Digraph(name=f"cluster_{len(frames)}")
            n_ops = sum(1 for o in graph.ops if frame_of.get(id(o.fn)) is call)
            what = "one fused op" if n_ops == 1 else f"{n_ops} ops"
            sub.attr(label=f"{call.title} · {type(call.module).__name__}, expanded: {what}", style="dashed,rounded",
                     color="#888888", fontname="Helvetica", fontsize="11")
            frames[id(call)] = sub
        return frames[id(call)]

    tgraph = _Graph(graph.output, all_tensors, labels, graph.ops, graph.producer, graph.consumers, graph.grads,
                    graph.scalar)
    placed: set[int] = set()
    for op in graph.ops:
        if id(op.fn) in op_unit:
            continue
        g = target(op)
        label = op.fn.name + (f"\nbackward #{op.order}" if backward and op.order is not None else "")
        g.node(op.key, label, shape="ellipse", style="filled", fillcolor="#fff2cc", color="#d6b656")
        for y in op.outputs:
            if id(y) in shown and id(y) not in placed:
                placed.add(id(y))
                g.node(keys[id(y)], _tensor_label(tgraph, y, max_elements, backward), **_tensor_style(y, output))
        for x in op.inputs:  # parameters of an expanded module sit in its frame
            if id(x) in shown and id(x) not in placed and x.grad_fn is None and g is not dot:
                if all(frame_of.get(id(o.fn)) is frame_of.get(id(op.fn)) for o, _ in graph.consumers.get(id(x), [])):
                    placed.add(id(x))
                    g.node(keys[id(x)], _tensor_label(tgraph, x, max_elements, backward), **_tensor_style(x, output))
    for t in all_tensors:
        if id(t) in shown and id(t) not in placed:
            dot.node(keys[id(t)], _tensor_label(tgraph, t, max_elements, backward), **_tensor_style(t, output))
    for sub in frames.values():
        dot.subgraph(sub)
    for u in sorted(units.values(), key=lambda u: (u.call is None, u.call.index if u.call else 0)):
        dot.node(u.key, _unit_label(u, graph, params_of[id(u)], output, made_by, max_elements, backward),
                 **_unit_style(u, output, made_by))

    def source(x: Tensor) -> str | None:
        if id(x) in made_by:
            return made_by[id(x)].key
        return keys[id(x)] if id(x) in shown else None

    drawn: set[tuple[str, str, int]] = set()

    def edge(src: str, dst: str, x: Tensor, label: str = "") -> None:
        if src == dst or (src, dst, id(x)) in drawn:
            return
        drawn.add((src, dst, id(x)))
        attrs = dict(back_attrs)
        if label:
            attrs["label"] = label
            if not back_attrs and "∂" in label:
                attrs["fontcolor"] = "#c0392b"
        dot.edge(src, dst, **attrs)

    for op in graph.ops:
        u = op_unit.get(id(op.fn))
        dst = u.key if u is not None else op.key
        for i, x in enumerate(op.inputs):
            src = source(x)
            if src is None:
                continue
            if u is not None or id(x) in made_by:
                label = " " + _shape_text(x)
            else:
                label = _edge_label(graph, op, i) if backward and graph.scalar else ""
            edge(src, dst, x, label)
        if u is None:
            for y in op.outputs:
                if id(y) in shown:
                    edge(op.key, keys[id(y)], y)
    for u in units.values():
        for x in u.extra_inputs:
            src = source(x)
            if src is not None:
                edge(src, u.key, x, " " + _shape_text(x))
    loss_unit = made_by.get(id(output))
    for name, t in (loss_inputs or {}).items():
        key = f"extra_{name}"
        dot.node(key, _tensor_label(_Graph(output, [t], {id(t): name}, [], {}, {}, {}, False), t, max_elements, False),
                 **_tensor_style(t, output))
        dot.edge(key, loss_unit.key if loss_unit is not None else keys.get(id(output), "t0"), style="dashed",
                 label=" " + _shape_text(t), **back_attrs)
    return dot


def _shape_text(t: Tensor) -> str:
    return "scalar" if t.ndim == 0 else "×".join(str(n) for n in t.shape)


def _stats_text(t: Tensor | None, max_elements: int) -> str:
    if t is None:
        return "—"
    if isinstance(t, FreedTensor):
        return "freed"
    a = backend.to_numpy(t.data)
    if a.size <= min(max_elements, 4):
        return _array_text(t, max_elements)
    a = a.astype(np.float64)
    return f"{_fmt(a.mean())} ± {_fmt(a.std())}"


def _kind(u: _Unit) -> str:
    if u.call is None:
        return "loss"
    m = u.call.module
    if not u.call.is_leaf:
        return "container"
    if next(iter(m.parameters(recurse=False)), None) is not None:
        return "params"
    mod = type(m).__module__
    if mod.endswith("activation"):
        return "activation"
    if mod.endswith("loss"):
        return "loss"
    return "shape"


_UNIT_COLORS = {  # fill, border, header
    "params": ("#dae8fc", "#6c8ebf", "#b8d0f0"),
    "activation": ("#fff2cc", "#d6b656", "#ffe599"),
    "shape": ("#f5f5f5", "#999999", "#e3e3e3"),
    "container": ("#e1d5e7", "#9673a6", "#cdb6d9"),
    "loss": ("#f8cecc", "#b85450", "#f0a8a5"),
}


def _unit_style(u: _Unit, output: Tensor, made_by: dict[int, _Unit]) -> dict[str, str]:
    fill, border, _ = _UNIT_COLORS[_kind(u)]
    bold = made_by.get(id(output)) is u
    return {"shape": "box", "style": "filled,rounded" + (",bold" if bold else ""), "fillcolor": fill,
            "color": border, "penwidth": "2.2" if bold else "1.2", "margin": "0.05"}


def _unit_label(u: _Unit, graph: _Graph, params: dict[int, tuple[str, Tensor]], output: Tensor,
                made_by: dict[int, _Unit], max_elements: int, with_grad: bool) -> str:
    """An HTML-like label: a header (name · class), the parameters and the output as a small table."""
    import html

    esc = html.escape
    _, _, header = _UNIT_COLORS[_kind(u)]
    if u.call is not None:
        title = f"<B>{esc(u.call.title)}</B> · {esc(type(u.call.module).__name__)}"
        extra = u.call.module.extra_repr() if hasattr(u.call.module, "extra_repr") else ""
    else:
        title = f"<B>{esc(graph.names.get(id(output), _LOSS) if output.name else _LOSS)}</B>"
        extra = ""
    counts: dict[str, int] = {}
    for op in sorted(u.ops, key=lambda o: o.fn.generation):  # forward order
        counts[op.fn.name] = counts.get(op.fn.name, 0) + 1
    ops = ", ".join(n if k == 1 else f"{n}×{k}" for n, k in counts.items())
    if u.call is None:
        extra = ops
        ops = ""
    ncols = 3 if with_grad else 2
    span = f'COLSPAN="{ncols + 1}" ALIGN="CENTER"'
    rows = [f'<TR><TD {span} BGCOLOR="{header}"><FONT POINT-SIZE="12">{title}</FONT></TD></TR>']
    small = '<FONT POINT-SIZE="9" COLOR="#444444">{}</FONT>'
    cell = '<FONT POINT-SIZE="10">{}</FONT>'
    for line in _wrap_attributes(extra, 46):  # every attribute shown (padding=2 too), wrapped at commas
        rows.append(f'<TR><TD {span}>{small.format(esc(line))}</TD></TR>')
    body: list[tuple[str, Tensor, Tensor | None]] = []
    plist = list(params.values())
    for n, p in plist[:8]:
        body.append((n, p, graph.grads.get(id(p), p.grad)))
    outs = [t for t in graph.tensors if made_by.get(id(t)) is u and (t is output or t.grad_fn is None or
            any(made_by.get(id(o.outputs[0])) is not u for o, _ in graph.consumers.get(id(t), []) if o.outputs))]
    outs = outs or [t for t in graph.tensors if made_by.get(id(t)) is u][:1]
    for t in outs[:2]:
        body.append(("out", t, graph.grads.get(id(t))))
    if body:
        head = ["", "shape", "value" if any(t.numel() <= min(max_elements, 4) for _, t, _ in body) else "mean ± std"]
        if with_grad:
            head.append("grad")
        rows.append("<TR>" + "".join(f'<TD ALIGN="LEFT">{small.format(h) if h else ""}</TD>' for h in head) + "</TR>")
    for n, t, g in body:
        cells = [f"<B>{esc(n)}</B>" if n == "out" else esc(n), _shape_text(t), esc(_stats_text(t, max_elements))]
        if with_grad:
            cells.append(f'<FONT COLOR="#c0392b">{esc(_stats_text(g, max_elements))}</FONT>')
        rows.append("<TR>" + "".join(f'<TD ALIGN="LEFT">{cell.format(c)}</TD>' for c in cells) + "</TR>")
    if len(plist) > 8:
        rows.append(f'<TR><TD COLSPAN="{ncols + 1}">{small.format(f"… {len(plist) - 8} more parameters")}</TD></TR>')
    if ops and (u.call is None or ops != type(u.call.module).__name__):
        rows.append(f'<TR><TD {span}>{small.format("ops: " + esc(ops))}</TD></TR>')
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">' + "".join(rows) + "</TABLE>>"


def _wrap_attributes(text: str, width: int) -> list[str]:
    """``a=1, b=2, …`` split over lines of at most ``width`` characters at the commas; nothing is cut."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):  # split at the commas outside brackets: kernel_size=(5, 5) stays whole
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    lines: list[str] = []
    for part in [p for p in parts if p]:
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += ", " + part
        else:
            if lines:
                lines[-1] += ","
            lines.append(part)
    return lines


def draw_model(
    model: Any,
    example_input: Any,
    loss_fn: Any = None,
    target: Any = None,
    *,
    collapse: bool | int | str = True,
    expand: Iterable[str] = (),
    show: str | None = None,
    rankdir: str = "TB",
    max_elements: int = 8,
    title: str | None = None,
):
    """Run ``model(example_input)`` (and ``loss_fn(output, target)``) and draw it module by module.

    One box per module (``collapse``/``expand`` as in :func:`draw_graph`) with its parameters'
    shapes and mean ± std, its output, and — when a loss is given — the gradients ∂loss/∂θ,
    computed on the side with ``autograd.grad``: the model's ``.grad`` fields are not touched.
    ``show`` defaults to ``"both"`` with a loss and ``"forward"`` without one.  Returns a
    :class:`graphviz.Digraph`.
    """
    if show is None:
        show = "both" if loss_fn is not None else "forward"
    if show not in _SHOW:
        raise ValueError(f"draw_model: show must be one of {_SHOW}, got {show!r}")
    x = example_input if isinstance(example_input, Tensor) else Tensor(example_input)
    with trace_modules(model) as trace:
        out = model(x)
    if not isinstance(out, Tensor):
        raise TypeError(f"draw_model: the model must return a Tensor, got {type(out).__name__}")
    loss_inputs: dict[str, Tensor] = {}
    if loss_fn is not None:
        if target is not None:
            t = target if isinstance(target, Tensor) else Tensor(target)
            loss = loss_fn(out, t)
            loss_inputs["target"] = t
        else:
            loss = loss_fn(out)
    else:
        loss = out
    names = {**trace.named_parameters(), "x": x, "output": out}
    if loss_fn is not None:
        names["loss"] = loss
    if collapse is False:
        return draw_graph(loss, show=show, rankdir=rankdir, max_elements=max_elements, names=names, title=title)
    return _draw_modules(loss, trace, collapse, expand, show, rankdir, max_elements, names, title, loss_inputs)


__all__ = ["ModuleTrace", "draw_graph", "draw_model", "explain_backward", "trace_modules"]
