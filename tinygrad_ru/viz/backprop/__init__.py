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

The modules, one job each: ``record`` (the hooked backward), ``view`` (the picture and its text
lines), ``states`` (what each state shows), ``page`` and ``template`` (the HTML page, the GIF).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...tensor import Tensor
from .._format import _wrap_attributes, fmt_number, fmt_tensor
from ..graph.modules import ModuleTrace, _owners, _trace_of
from ..graph.tracing import _names
from .page import BackpropSteps
from .record import _check_output, _forward_order, _record, _tensors_in_forward
from .view import _View

_UnitTitles = dict[str, tuple[str, list[str], list[tuple[str, Tensor]]]]


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
    units, unit_titles = _module_units(output, trace) if trace is not None else ({}, {})
    label_of = _names(_tensors_in_forward(output), _given_names(names, trace))
    rec = _record(output)
    expand = [expand] if isinstance(expand, str) else list(expand)
    first = expand[0] if expand else None
    if first is not None and first not in unit_titles:
        raise ValueError(f"backprop_steps: expand names unknown module {first!r}; choose among {sorted(unit_titles)}")
    views = [_View(rec, label_of, units, unit_titles, first, "graph")]
    views += [_View(rec, label_of, units, unit_titles, u, f"{u} op by op") for u in unit_titles if u != first]
    page = BackpropSteps(views, title or f"Backprop step by step: {label_of[id(output)]}")
    if path is not None:
        page.save(path)
    return page


def _module_units(output: Tensor, trace: ModuleTrace) -> tuple[dict[int, str], _UnitTitles]:
    """id(fn) → the title of the module call that made it, and per title: the box's header, attributes
    and parameters."""
    fns = _forward_order(output)
    owner = _owners(fns, trace)
    units: dict[int, str] = {}
    unit_titles: _UnitTitles = {}
    for f in fns:
        call = owner.get(id(f))
        if call is None:
            continue
        units[id(f)] = call.title
        if call.title not in unit_titles:
            m = call.module
            extra = _wrap_attributes(m.extra_repr() if hasattr(m, "extra_repr") else "", 34)
            unit_titles[call.title] = (f"{call.title} · {type(m).__name__}", extra, list(m.named_parameters()))
    return units, unit_titles


def _given_names(names: Mapping[str, Any] | None, trace: ModuleTrace | None) -> dict[str, Any]:
    """The caller's names, then the parameters' and the module outputs' ("<module>.out", not an unexplained t4)."""
    given = dict(names or {})
    if trace is None:
        return given
    given = {**trace.named_parameters(), **given}
    for call in trace.calls:
        for k, t in enumerate(call.outputs):
            given.setdefault(f"{call.title}.out" + (f"{k}" if k else ""), t)
    return given


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


__all__ = ["BackpropSteps", "backprop_steps", "fmt_number", "fmt_tensor", "lecture_example"]
