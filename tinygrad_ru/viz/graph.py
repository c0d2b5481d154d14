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

Both run their own ``autograd.grad(..., retain_graph=True)`` over the graph, so they work before
``backward()`` (or after ``backward(retain_graph=True)``) and leave ``.grad`` untouched.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import backend
from ..autograd.engine import grad as _grad
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
    if fn0 is not None and fn0.released:
        raise RuntimeError(
            "draw_graph: the graph of this tensor was freed by backward(); draw it before calling "
            "backward(), or call backward(retain_graph=True)"
        )
    tensors: dict[int, Tensor] = {id(output): output}
    order_seen: list[int] = [id(output)]
    ops: dict[int, _Op] = {}
    stack = [output]
    while stack:  # iterative: graphs can be deep
        t = stack.pop()
        fn = t.grad_fn
        if fn is None or id(fn) in ops:
            continue
        if fn.released:
            raise RuntimeError(f"draw_graph: part of the graph ({fn.name}) was freed by backward()")
        outs = [r() for r in fn.outputs]
        op = _Op(fn, f"op{len(ops)}", list(fn.inputs), [o for o in outs if o is not None])
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
    grads = _gradients(output, ordered)
    scalar = all(t.numel() == 1 for t in ordered)
    if scalar:
        for op in ops.values():
            op.local = _local_derivatives(op)
    return _Graph(output, ordered, label_of, list(ops.values()), producer, consumers, grads, scalar)


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
    """Replay the engine's schedule (a heap on −generation) to number the ops as backward visits them."""
    if output.grad_fn is None:
        return
    heap = [(-output.grad_fn.generation, 0, id(output.grad_fn))]
    seen = {id(output.grad_fn)}
    counter, step = 0, 0
    while heap:
        _, _, key = heapq.heappop(heap)
        step += 1
        op = ops[key]
        op.order = step
        for x, need in zip(op.inputs, op.fn.needs_input_grad):
            fn = x.grad_fn
            if need and fn is not None and id(fn) not in seen:
                seen.add(id(fn))
                counter += 1
                heapq.heappush(heap, (-fn.generation, counter, id(fn)))


def _gradients(output: Tensor, tensors: list[Tensor]) -> dict[int, Tensor | None]:
    """∂output/∂t for every tensor of the graph (ones as the output's gradient if it is not a scalar)."""
    wrt = [t for t in tensors if t.requires_grad]
    grads: dict[int, Tensor | None] = {id(t): None for t in tensors}
    if not output.requires_grad or not wrt:
        return grads
    seed = Tensor._wrap(output.data * 0 + 1, False)
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
        g = op.fn.backward(Tensor._wrap(y.data * 0 + 1, False))
    if not isinstance(g, tuple):
        g = (g,)
    return [None if gi is None else _scalar(gi) for gi in g]


# ----------------------------------------------------------------------------- text
def _scalar(t: Any) -> float:
    data = t.data if isinstance(t, Tensor) else t
    return float(backend.to_numpy(data).reshape(-1)[0])


def _fmt(v: float) -> str:
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4g}"


def _array_text(t: Tensor, max_elements: int) -> str:
    a = backend.to_numpy(t.data)
    if a.size == 1:
        return _fmt(float(a.reshape(-1)[0]))
    if a.size <= max_elements:
        return np.array2string(a, precision=4, separator=", ", suppress_small=True).replace("\n", "")
    a = a.astype(np.float64)
    return f"mean {a.mean():.4g}, std {a.std():.4g}"


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
    rankdir: str = "LR",
    max_elements: int = 8,
    names: Mapping[str, Any] | None = None,
    title: str | None = None,
):
    """The computational graph under ``output`` as a :class:`graphviz.Digraph`.

    ``show="forward"``: tensors with their values and the ops.  ``"backward"``: gradients flowing
    from the output to the leaves (edges reversed, in red), with the local derivatives and the
    order in which backward visits the ops.  ``"both"`` (default): everything on forward edges.
    Tensors with at most ``max_elements`` elements show their values; bigger ones mean and std.
    ``names`` (e.g. ``locals()``) names tensors that have no ``name``.

    Save with ``.render("graph", format="svg")`` (needs Graphviz's ``dot``) or ``.source``
    (DOT text, always); in Jupyter the returned object displays itself.
    """
    if show not in _SHOW:
        raise ValueError(f"draw_graph: show must be one of {_SHOW}, got {show!r}")
    try:
        import graphviz
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("draw_graph needs the graphviz Python package: pip install 'tinygrad_ru[viz]'") from e

    graph = _collect(output, names)
    backward = show in ("both", "backward")
    dot = graphviz.Digraph("computational_graph", format="svg")
    dot.attr(rankdir=rankdir, fontname="Helvetica")
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
        dot.node(op.key, label, shape="ellipse", style="filled", fillcolor="#fff2cc")

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
        return {"shape": "box", "style": "filled,bold", "fillcolor": "#d5e8d4"}
    if t.grad_fn is None and not t.requires_grad:
        return {"shape": "box", "style": "filled,dashed", "fillcolor": "#f5f5f5"}  # a constant
    if t.grad_fn is None:
        return {"shape": "box", "style": "filled", "fillcolor": "#dae8fc"}  # a leaf (parameter/input)
    return {"shape": "box", "style": "filled", "fillcolor": "#ffffff"}


def _tensor_label(graph: _Graph, t: Tensor, max_elements: int, with_grad: bool) -> str:
    name = graph.names[id(t)]
    shape = "scalar" if t.ndim == 0 else "×".join(str(n) for n in t.shape)
    lines = [name, f"{shape} {t.dtype}"]
    lines.append(f"value = {_array_text(t, max_elements)}")
    g = graph.grads.get(id(t))
    if with_grad and g is not None:
        lines.append(f"grad = {_array_text(g, max_elements)}")
    return "\n".join(lines)


__all__ = ["draw_graph", "explain_backward"]
