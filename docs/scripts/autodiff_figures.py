"""Pictures of docs/autodiff.md: the lecture's graph c = a + b, d = b + 1, e = c·d, and its trace.

    python docs/scripts/autodiff_figures.py

Writes docs/img/chain_rule_graph.{dot,png,svg} (PNG/SVG need Graphviz's ``dot``), the
forward-only and backward-only views, docs/img/chain_rule_trace.txt (explain_backward) and
docs/img/backprop_steps.png: the state of the step-by-step page (backprop_steps) where the two
gradients of b add up.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import tinygrad_ru as tg
from tinygrad_ru.viz import backprop_steps, draw_graph, explain_backward

IMG = Path(__file__).resolve().parents[1] / "img"


def lecture_graph() -> tg.Tensor:
    a = tg.Tensor(2.0, requires_grad=True, name="a")
    b = tg.Tensor(1.0, requires_grad=True, name="b")
    c = a + b
    c.name = "c"
    d = b + 1
    d.name = "d"
    e = c * d
    e.name = "e"
    return e


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    e = lecture_graph()
    trace = explain_backward(e)
    (IMG / "chain_rule_trace.txt").write_text(trace + "\n", encoding="utf-8")
    print(trace)
    views = {"chain_rule_graph": "both", "chain_rule_forward": "forward", "chain_rule_backward": "backward"}
    for stem, show in views.items():
        dot = draw_graph(e, show=show, title="e = (a + b)(b + 1),  a = 2, b = 1")
        (IMG / f"{stem}.dot").write_text(dot.source, encoding="utf-8")
        if shutil.which("dot"):
            for fmt in ("png", "svg") if stem == "chain_rule_graph" else ("png",):
                dot.render(str(IMG / stem), format=fmt, cleanup=True)
                # graphviz writes stem.fmt; render() also leaves no DOT file with cleanup=True
        else:
            print(f"no 'dot' program: wrote {stem}.dot only (apt-get install graphviz, then re-run)")
    if shutil.which("dot"):
        page = backprop_steps(lecture_graph(), title="e = (a + b)·(b + 1)")
        k = next(i for i, st in enumerate(page.states) if "accumulate" in st["note"])
        page.frames(dpi=72)[k].save(IMG / "backprop_steps.png", optimize=True)
    print(f"written to {IMG}")


if __name__ == "__main__":
    main()
