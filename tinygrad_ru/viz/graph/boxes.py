"""The box of one module in the collapsed picture: its colours and its HTML-like label (a small table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape as esc

from ...tensor import Tensor
from .._format import _shape_text, _stats_text, _wrap_attributes
from .modules import _Call
from .tracing import _Graph, _Op

_LOSS = "loss"  # the name of the box that holds the ops after the model
_MAX_PARAMS = 8  # parameter rows of a box; the rest is counted


@dataclass(eq=False)
class _Unit:
    """One box of the collapsed picture: a module call (or the ops after the model)."""

    key: str
    call: _Call | None  # None: the loss, i.e. the ops after the model's output
    ops: list[_Op] = field(default_factory=list)
    outputs: list[Tensor] = field(default_factory=list)  # tensors made here and used outside
    extra_inputs: list[Tensor] = field(default_factory=list)  # inputs of calls that made no op


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

_SMALL = '<FONT POINT-SIZE="9" COLOR="#444444">{}</FONT>'
_CELL = '<FONT POINT-SIZE="10">{}</FONT>'


def _unit_style(u: _Unit, output: Tensor, made_by: dict[int, _Unit]) -> dict[str, str]:
    fill, border, _ = _UNIT_COLORS[_kind(u)]
    bold = made_by.get(id(output)) is u
    return {"shape": "box", "style": "filled,rounded" + (",bold" if bold else ""), "fillcolor": fill,
            "color": border, "penwidth": "2.2" if bold else "1.2", "margin": "0.05"}


def _unit_label(u: _Unit, graph: _Graph, params: dict[int, tuple[str, Tensor]], output: Tensor,
                made_by: dict[int, _Unit], max_elements: int, with_grad: bool) -> str:
    """An HTML-like label: a header (name · class), the parameters and the output as a small table."""
    title, attributes, ops = _unit_texts(u, graph, output)
    ncols = 3 if with_grad else 2
    span = f'COLSPAN="{ncols + 1}" ALIGN="CENTER"'
    header = _UNIT_COLORS[_kind(u)][2]
    rows = [f'<TR><TD {span} BGCOLOR="{header}"><FONT POINT-SIZE="12">{title}</FONT></TD></TR>']
    for line in _wrap_attributes(attributes, 46):  # every attribute shown (padding=2 too), wrapped at commas
        rows.append(f"<TR><TD {span}>{_SMALL.format(esc(line))}</TD></TR>")
    plist = list(params.values())
    body = [(n, p, graph.grads.get(id(p), p.grad)) for n, p in plist[:_MAX_PARAMS]]
    body += [("out", t, graph.grads.get(id(t))) for t in _unit_outputs(u, graph, output, made_by)[:2]]
    rows += _tensor_rows(body, max_elements, with_grad)
    if len(plist) > _MAX_PARAMS:
        more = f"… {len(plist) - _MAX_PARAMS} more parameters"
        rows.append(f'<TR><TD COLSPAN="{ncols + 1}">{_SMALL.format(more)}</TD></TR>')
    if ops:
        rows.append(f"<TR><TD {span}>{_SMALL.format('ops: ' + esc(ops))}</TD></TR>")
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">' + "".join(rows) + "</TABLE>>"


def _unit_texts(u: _Unit, graph: _Graph, output: Tensor) -> tuple[str, str, str]:
    """The title (HTML), the attributes line and the ops line of a box ("" where it would repeat the class).

    The loss box has no module: its ops (NLLLoss, Mean …) take the attributes' place."""
    ops = _ops_summary(u)
    if u.call is None:
        name = graph.names.get(id(output), _LOSS) if output.name else _LOSS
        return f"<B>{esc(name)}</B>", ops, ""
    m = u.call.module
    cls = type(m).__name__
    attributes = m.extra_repr() if hasattr(m, "extra_repr") else ""
    return f"<B>{esc(u.call.title)}</B> · {esc(cls)}", attributes, "" if ops == cls else ops


def _ops_summary(u: _Unit) -> str:
    """``Linear, Relu×2``: the ops of a box in forward order, repeats counted."""
    counts: dict[str, int] = {}
    for op in sorted(u.ops, key=lambda o: o.fn.generation):  # forward order
        counts[op.fn.name] = counts.get(op.fn.name, 0) + 1
    return ", ".join(n if k == 1 else f"{n}×{k}" for n, k in counts.items())


def _unit_outputs(u: _Unit, graph: _Graph, output: Tensor, made_by: dict[int, _Unit]) -> list[Tensor]:
    """The tensors a box makes that leave it (the loss, a leaf, or one used by another box); else its first."""
    mine = [t for t in graph.tensors if made_by.get(id(t)) is u]
    outs = [t for t in mine if t is output or t.grad_fn is None or _used_outside(t, u, graph, made_by)]
    return outs or mine[:1]


def _used_outside(t: Tensor, u: _Unit, graph: _Graph, made_by: dict[int, _Unit]) -> bool:
    return any(made_by.get(id(o.outputs[0])) is not u for o, _ in graph.consumers.get(id(t), []) if o.outputs)


def _tensor_rows(body: list[tuple[str, Tensor, Tensor | None]], max_elements: int, with_grad: bool) -> list[str]:
    """The table of a box: a header (shape, value or mean ± std, grad), then one row per tensor."""
    if not body:
        return []
    small = any(t.numel() <= min(max_elements, 4) for _, t, _ in body)
    head = ["", "shape", "value" if small else "mean ± std"] + (["grad"] if with_grad else [])
    rows = ["<TR>" + "".join(f'<TD ALIGN="LEFT">{_SMALL.format(h) if h else ""}</TD>' for h in head) + "</TR>"]
    for n, t, g in body:
        cells = [f"<B>{esc(n)}</B>" if n == "out" else esc(n), _shape_text(t), esc(_stats_text(t, max_elements))]
        if with_grad:
            cells.append(f'<FONT COLOR="#c0392b">{esc(_stats_text(g, max_elements))}</FONT>')
        rows.append("<TR>" + "".join(f'<TD ALIGN="LEFT">{_CELL.format(c)}</TD>' for c in cells) + "</TR>")
    return rows
