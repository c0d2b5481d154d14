"""Node and edge labels of the op-by-op picture, and the Graphviz package (an optional extra)."""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .._format import _array_text, _derivative_text, _fmt, _shape_text, _symbolic
from .tracing import _Graph, _Op

# fill and border of a tensor's box, by its role (shared with the backprop page)
TENSOR_COLORS = {
    "output": ("#d5e8d4", "#82b366"),
    "constant": ("#f5f5f5", "#888888"),
    "leaf": ("#dae8fc", "#6c8ebf"),  # a parameter or an input
    "inner": ("#ffffff", "#555555"),
}
TENSOR_STYLES = {"output": "filled,rounded,bold", "constant": "filled,rounded,dashed", "leaf": "filled,rounded",
                 "inner": "filled,rounded"}
OP_STYLE = {"shape": "ellipse", "style": "filled", "fillcolor": "#fff2cc", "color": "#d6b656"}


def _graphviz() -> Any:
    # imported on use: graphviz is an optional extra (tinygrad_ru[viz]), not a cycle
    try:
        import graphviz
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("draw_graph needs the graphviz Python package: pip install 'tinygrad_ru[viz]'") from e
    return graphviz


def tensor_role(t: Tensor, output: Tensor) -> str:
    """"output", "constant" (no gradient), "leaf" (a parameter or input) or "inner"."""
    if t is output:
        return "output"
    if t.grad_fn is None:
        return "leaf" if t.requires_grad else "constant"
    return "inner"


def _tensor_style(t: Tensor, output: Tensor) -> dict[str, str]:
    role = tensor_role(t, output)
    fill, border = TENSOR_COLORS[role]
    style = {"shape": "box", "style": TENSOR_STYLES[role], "fillcolor": fill, "color": border}
    if role == "output":
        style["penwidth"] = "2"
    return style


def _tensor_label(graph: _Graph, t: Tensor, max_elements: int, with_grad: bool) -> str:
    lines = [graph.names[id(t)], f"{_shape_text(t)} {t.dtype}", f"value = {_array_text(t, max_elements)}"]
    g = graph.grads.get(id(t))
    if with_grad and g is not None:
        lines.append(f"grad = {_array_text(g, max_elements)}")
    return "\n".join(lines)


def _op_label(op: _Op, backward: bool) -> str:
    return op.fn.name + (f"\nbackward #{op.order}" if backward and op.order is not None else "")


def _op_symbolic(graph: _Graph, op: _Op, i: int) -> str | None:
    """A readable form of ∂y/∂xᵢ for the lecture's ops: 1 for a sum, the other factor for a product."""
    return _symbolic(op.fn.name, i, [graph.names[id(x)] for x in op.inputs])


def _edge_label(graph: _Graph, op: _Op, i: int) -> str:
    local = op.local[i] if op.local else None
    if local is None or not op.outputs or not op.fn.needs_input_grad[i]:
        return ""
    y, x = graph.names[id(op.outputs[0])], graph.names[id(op.inputs[i])]
    return _derivative_text(y, x, _op_symbolic(graph, op, i), _fmt(local))
