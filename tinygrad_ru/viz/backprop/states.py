"""The states of the page: cumulative snapshots of what is shown, highlighted and written.

The intro, one state per forward op, the seed ∂L/∂L = 1, one state per engine step of the
backward (consecutive steps of one module box: one state), and the end.  Every gradient written
is one the engine computed (recorded by :func:`~.record._record`); where a tensor is used by
several ops the state shows the **accumulation** ∂L/∂x = Σᵢ ∂L/∂yᵢ·∂yᵢ/∂x.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from ...tensor import Tensor
from .._format import _shape_text, fmt_number, fmt_tensor
from .record import _Record, _Step, _uses
from .view import _View

_INFIX = {"Add": "+", "Sub": "−", "Mul": "·", "Div": "/", "Pow": "^"}


def _states(view: _View, rec: _Record) -> list[dict[str, Any]]:
    """Cumulative snapshots: what is shown, highlighted and written in every state."""
    return _StateMaker(view, rec).build()


class _StateMaker:
    def __init__(self, view: _View, rec: _Record) -> None:
        self.view, self.rec, self.names = view, rec, view.names
        self.out_name = self.names[id(rec.output)]
        self.shown: set[str] = set()  # the dynamic lines visible so far
        self.texts: dict[str, str] = {}  # lines whose text differs from their final one
        self.states: list[dict[str, Any]] = []
        self.running: dict[int, Any] = {}  # id(x) → ∂L/∂x summed so far
        self.contributions: dict[int, list[tuple[str, str]]] = {}  # id(x) → (term, value) per use
        self.uses = _uses(rec)

    def build(self) -> list[dict[str, Any]]:
        rec = self.rec
        leaves = [x for fn in rec.forward for x in rec.inputs[id(fn)] if x.grad_fn is None]
        self._intro(leaves)
        for k, fn in enumerate(rec.forward):
            self._forward(k, fn)
        nf = len(rec.forward)
        self._seed(nf)
        for group in self._groups():
            self._backward(group, nf)
        self._done(leaves, nf)
        return self.states

    # -------------------------------------------------------------- helpers
    def place_line(self, t: Tensor, which: str) -> str | None:
        """The id of the line that shows ``t``'s value or gradient (None: not in this view)."""
        p = self.view.places.get(id(t))
        if p is None:
            return None
        k = p.value if which == "value" else p.grad
        return None if k is None else p.node.line_id(k)

    def snap(self, title: str, note: str, hl: Iterable[str], acc: Iterable[str] = (), t: int = 0,
             phase: str = "forward") -> None:
        shown = sorted(self.shown)
        self.states.append({"title": title, "note": note, "show": shown, "hl": sorted(set(hl)),
                            "acc": sorted(set(acc)),
                            "text": {k: self.texts.get(k, self.view.final_text(k)) for k in shown},
                            "t": t, "phase": phase})

    # -------------------------------------------------------------- the states
    def _intro(self, leaves: list[Tensor]) -> None:
        names = self.names
        leaf_text = ", ".join(dict.fromkeys(
            f"{names[id(x)]} = {fmt_tensor(x)}" for x in leaves if x.numel() == 1 and x.requires_grad))
        unnamed = any(n.startswith("t") and n[1:].isdigit() for n in names.values())
        self.snap("The graph", "The leaves hold their values" + (f": {html.escape(leaf_text)}" if leaf_text else "")
                  + ". Press → (or ▶) to run the forward pass, op by op."
                  + (" Results without a name are called t1, t2, … in the order they are computed." if unnamed
                     else ""), [])

    def _forward(self, k: int, fn: Any) -> None:
        ins, outs = self.rec.inputs[id(fn)], self.rec.outputs[id(fn)]
        values = [line for y in outs if (line := self.place_line(y, "value"))]
        self.shown.update(values)
        hl = [self.view.fn_node[id(fn)]] + values
        hl += [self.view.edge_ids[(id(fn), i)] for i in range(len(ins)) if (id(fn), i) in self.view.edge_ids]
        self.snap(f"Forward {k + 1}/{len(self.rec.forward)}: {fn.name}",
                  _forward_note(fn, ins, outs, self.names, self.view), hl, t=k + 1)

    def _seed(self, nf: int) -> None:
        out = self.out_name
        seed_line = self.place_line(self.rec.output, "grad")
        if seed_line:
            self.shown.add(seed_line)
            self.texts[seed_line] = _grad_prefix(self.view, self.rec.output) + "1"
        self.snap("Backward: the seed", f"backward() starts with ∂{out}/∂{out} = 1. Then the engine runs each "
                  "Function's backward in its topological order (an op only after every op that uses its output).",
                  [seed_line] if seed_line else [], t=nf + 1, phase="backward")

    def _groups(self) -> list[list[tuple[int, _Step]]]:
        """The engine's steps, consecutive steps of one module box together."""
        fn_node = self.view.fn_node
        groups: list[list[tuple[int, _Step]]] = []
        for j, step in enumerate(self.rec.steps):
            key = fn_node[id(step.fn)]
            if groups and fn_node[id(groups[-1][-1][1].fn)] == key and key.startswith("m_"):
                groups[-1].append((j, step))
            else:
                groups.append([(j, step)])
        return groups

    def _backward(self, group: list[tuple[int, _Step]], nf: int) -> None:
        hl: list[str] = []
        acc: list[str] = []
        lines: list[str] = []
        node_key = self.view.fn_node[id(group[0][1].fn)]
        hl.append(node_key)
        order_line = self.view.order_line.get(id(self.view.nodes[node_key]))
        if order_line:
            self.shown.add(order_line)
            first, last = group[0][0] + 1, group[-1][0] + 1
            self.texts[order_line] = f"backward #{first}" if first == last else f"backward #{first}–{last}"
        for j, step in group:
            self._step(j, step, hl, acc, lines)
        self.snap(f"Backward {group[0][0] + 1}/{len(self.rec.steps)}: {group[0][1].fn.name}"
                  + (f" … ({len(group)} ops)" if len(group) > 1 else ""), "<br>".join(lines), hl, acc,
                  t=nf + 2 + group[-1][0], phase="backward")

    def _step(self, j: int, step: _Step, hl: list[str], acc: list[str], lines: list[str]) -> None:
        """One Function's backward: what came in, and what each input received."""
        fn = step.fn
        y = step.outputs[0] if step.outputs else None
        g_in = step.grad_outputs[0] if step.grad_outputs else None
        yname = self.names[id(y)] if y is not None else "y"
        if y is not None and (line := self.place_line(y, "grad")):
            hl.append(line)
        inputs_text = ", ".join(self.names[id(x)] for x in step.inputs)
        lines.append(f"<b>backward #{j + 1} · {html.escape(fn.name)}</b>({html.escape(inputs_text)}) "
                     f"→ {html.escape(yname)}")
        if g_in is not None:
            lines.append(f"incoming ∂{self.out_name}/∂{html.escape(yname)} = {fmt_tensor(g_in)}")
        for i, (_, gx) in enumerate(zip(step.inputs, step.grad_inputs)):
            if gx is not None and self.rec.needs[id(fn)][i]:
                self._contribution(step, i, yname, hl, acc, lines)

    def _contribution(self, step: _Step, i: int, yname: str, hl: list[str], acc: list[str],
                      lines: list[str]) -> None:
        """∂L/∂y·∂y/∂xᵢ reaching input xᵢ, and the sum so far where xᵢ is used more than once."""
        fn, x, gx = step.fn, step.inputs[i], step.grad_inputs[i]
        g_in = step.grad_outputs[0] if step.grad_outputs else None
        view, rec = self.view, self.rec
        if eid := view.edge_ids.get((id(fn), i)):
            hl.append(eid)
        if ll := view.local_lines.get((id(fn), i)):
            self.shown.add(ll)
        local = rec.local.get(id(fn), [None] * len(step.inputs))[i] if rec.scalar else None
        n_done, n_all, value = self._add(x, gx, g_in, local)
        complete = n_done >= n_all
        gline = self._show_grad(x, value, complete)
        xname = html.escape(self.names[id(x)])
        product = self._product(fn, xname, yname, g_in, local, gx)
        if n_done > 1:
            terms = " + ".join(c[0] for c in self.contributions[id(x)])
            totals = f"∂{self.out_name}/∂{xname} = {terms} = {fmt_tensor(value)}"
            why = (f"{xname} is used {n_all} times: its gradients add up (multivariate chain rule)"
                   if complete else f"{n_done} of {n_all} uses so far")
            lines.append(f"{product}<br><span class='acc'>accumulate: {totals} — {why}</span>")
            if gline:
                acc.append(gline)
        else:
            lines.append(product + ("" if complete else f" (first of {n_all} uses: more will be added)"))
            if gline:
                hl.append(gline)

    def _add(self, x: Tensor, gx: Any, g_in: Any, local: float | None) -> tuple[int, int, Any]:
        """Add one contribution to ∂L/∂x: (uses so far, all uses, the value to show)."""
        prev = self.running.get(id(x))
        self.running[id(x)] = gx if prev is None else prev + gx
        term = f"{fmt_tensor(g_in)}·{fmt_number(local)}" if local is not None and g_in is not None else fmt_tensor(gx)
        self.contributions.setdefault(id(x), []).append((term, fmt_tensor(gx)))
        n_done, n_all = len(self.contributions[id(x)]), self.uses.get(id(x), 1)
        value = self.running[id(x)]
        final = self.view.final_grads.get(id(x))
        if n_done >= n_all and final is not None:
            value = final  # the engine's total: .grad, or the summed buffer
        return n_done, n_all, value

    def _show_grad(self, x: Tensor, value: Any, complete: bool) -> str | None:
        gline = self.place_line(x, "grad")
        if gline:
            self.shown.add(gline)
            self.texts[gline] = _grad_prefix(self.view, x) + fmt_tensor(value) + ("" if complete else "  (so far)")
        return gline

    def _product(self, fn: Any, xname: str, yname: str, g_in: Any, local: float | None, gx: Any) -> str:
        out = self.out_name
        if local is not None and g_in is not None:
            yn = html.escape(yname)
            return (f"∂{out}/∂{xname} ← ∂{out}/∂{yn}·∂{yn}/∂{xname} = "
                    f"{fmt_tensor(g_in)}·{fmt_number(local)} = {fmt_tensor(gx)}")
        return f"{fn.name}.backward gives ∂{out}/∂{xname} ← {fmt_tensor(gx)}"

    def _done(self, leaves: list[Tensor], nf: int) -> None:
        out = self.out_name
        grads = [f"∂{out}/∂{self.names[id(x)]} = {fmt_tensor(x.grad)}" for x in dict.fromkeys(leaves)
                 if x.requires_grad and x.grad is not None and x.numel() <= 4]
        self.snap("Done", "backward() is over: every leaf holds ∂" + out + "/∂leaf in .grad"
                  + (": " + html.escape(", ".join(grads)) if grads else "") + ".", [], t=nf + 2 + len(self.rec.steps),
                  phase="done")


def _grad_prefix(view: _View, t: Tensor) -> str:
    p = view.places[id(t)]
    text = p.node.lines[p.grad].text
    return text[: text.index("=") + 2]


def _forward_note(fn: Any, ins: list[Tensor], outs: list[Tensor], names: dict[int, str], view: _View) -> str:
    y = outs[0] if outs else None
    yname = names[id(y)] if y is not None else "y"
    in_names = [names[id(x)] for x in ins]
    if y is not None and all(x.numel() == 1 for x in ins) and y.numel() == 1:
        return html.escape(_scalar_note(fn.name, yname, in_names, [fmt_tensor(x) for x in ins], fmt_tensor(y)))
    parts = ", ".join(f"{n} ({_shape_text(x)})" for n, x in zip(in_names, ins))
    box = view.unit_of.get(id(fn))
    where = f" inside module {box}" if box is not None else ""
    value = f": {fmt_tensor(y)}" if y is not None else ""
    return html.escape(f"{yname} = {fn.name}({parts}){where} → {_shape_text(y) if y is not None else ''}{value}")


def _scalar_note(name: str, yname: str, in_names: list[str], values: list[str], result: str) -> str:
    """``c = a + b = 2 + 1 = 3`` (an infix op), else ``y = Exp(x) = Exp(0) = 1``."""
    if name in _INFIX and len(in_names) == 2:
        op = _INFIX[name]
        return f"{yname} = {in_names[0]} {op} {in_names[1]} = {values[0]} {op} {values[1]} = {result}"
    return f"{yname} = {name}({', '.join(in_names)}) = {name}({', '.join(values)}) = {result}"
