"""The chain rule of a graph written out as text: ``explain_backward(e)``.

    ∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...tensor import Tensor
from .._format import _array_text, _d, _fmt, _scalar
from .labels import _op_symbolic
from .tracing import _collect, _Graph


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
        if t is output:
            lines.append(f"{_d(out_name, out_name)} = 1")
        else:
            lines.append(_chain_rule_line(graph, t))
    return "\n".join(lines)


def _chain_rule_line(graph: _Graph, t: Tensor) -> str:
    """``∂L/∂x = Σ ∂L/∂y·∂y/∂x = numbers = total`` for one tensor x."""
    out_name, name = graph.names[id(graph.output)], graph.names[id(t)]
    terms, numbers, direct = _terms(graph, t)
    whole = _d(out_name, name)
    if len(terms) == 1 and terms[0] == whole:
        terms = [direct] if direct is not None else []  # ∂e/∂c = d = 2
    elif whole in terms:  # x used by the output's op and deeper: mark the direct part
        k = terms.index(whole)
        terms[k] = direct if direct is not None else f"{terms[k]}|direct"
    parts = [whole] + ([" + ".join(terms)] if terms else [])
    g = graph.grads.get(id(t))
    if graph.scalar and g is not None:
        if numbers and len(numbers) == len(terms):
            parts.append(" + ".join(numbers))
        parts.append(_fmt(_scalar(g)))
    elif g is not None:
        parts.append(f"(shape {t.shape}) {_array_text(g, 6)}")
    return " = ".join(p for k, p in enumerate(parts) if k == 0 or p != parts[k - 1])


def _terms(graph: _Graph, t: Tensor) -> tuple[list[str], list[str], str | None]:
    """The chain-rule terms ∂L/∂y·∂y/∂x over the ops that use x, their numbers, and the symbolic
    local derivative of the output's own op (∂e/∂y = 1: that term is the local derivative itself)."""
    output = graph.output
    out_name, name = graph.names[id(output)], graph.names[id(t)]
    terms: list[str] = []
    numbers: list[str] = []
    direct = None
    for op, i in graph.consumers.get(id(t), []):
        if not op.outputs or not op.fn.needs_input_grad[i]:
            continue
        y = op.outputs[0]
        yname = graph.names[id(y)]
        local = op.local[i] if graph.scalar else None
        if y is output:
            terms.append(_d(yname, name))
            direct = _op_symbolic(graph, op, i)
            if local is not None:
                numbers.append(_fmt(local))
            continue
        terms.append(f"{_d(out_name, yname)}·{_d(yname, name)}")
        gy = graph.grads.get(id(y))
        if gy is not None and local is not None:
            numbers.append(f"{_fmt(_scalar(gy))}·{_fmt(local)}")
    return terms, numbers, direct
