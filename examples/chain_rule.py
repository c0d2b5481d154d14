"""The lecture's first example of automatic differentiation: c = a + b, d = b + 1, e = c·d.

    python examples/chain_rule.py [--out out/chain_rule]

Prints the values, the gradients ∂e/∂a = d = 2 and ∂e/∂b = d + c = 5, the chain rule written
out node by node, and writes the computational graph (values, gradients, local derivatives on the
edges, the order of the backward pass) as DOT source, and as SVG and PNG when Graphviz's ``dot``
is installed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

try:
    import tinygrad_ru as tg
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import tinygrad_ru as tg
from tinygrad_ru.viz import draw_graph, explain_backward


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out/chain_rule", help="path prefix of the graph files (.dot/.svg/.png)")
    args = parser.parse_args()

    a = tg.Tensor(2.0, requires_grad=True, name="a")
    b = tg.Tensor(1.0, requires_grad=True, name="b")
    c = a + b
    c.name = "c"
    d = b + 1
    d.name = "d"
    e = c * d
    e.name = "e"
    print("forward:  a = 2, b = 1")
    print(f"  c = a + b = {c.item():g}")
    print(f"  d = b + 1 = {d.item():g}")
    print(f"  e = c · d = {e.item():g}")

    e.backward()  # forward, backward, then draw: the picture shows the gradients backward computed
    graph = draw_graph(e, title="e = (a + b)(b + 1)")
    trace = explain_backward(e)
    print("backward (e.backward()):")
    print(f"  ∂e/∂a = {a.grad.item():g}")
    print(f"  ∂e/∂b = {b.grad.item():g}")
    print("the chain rule, node by node:")
    for line in trace.splitlines():
        print("  " + line)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    dot_path = out.with_suffix(".dot")
    dot_path.write_text(graph.source, encoding="utf-8")
    print(f"graph (DOT source): {dot_path}")
    if shutil.which("dot"):
        for fmt in ("svg", "png"):
            path = graph.render(outfile=str(out.with_suffix("." + fmt)), format=fmt, cleanup=True)
            print(f"graph ({fmt.upper()}): {path}")
    else:
        print("Graphviz's `dot` is not installed, so only the DOT source was written. Render it with")
        print(f"  dot -Tsvg {dot_path} -o {out.with_suffix('.svg')}")
        print("after installing Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz).")


if __name__ == "__main__":
    main()
