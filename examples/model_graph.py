"""Pictures of whole models, one box per module: the lecture MLP and the slides' CIFAR-10 net.

    python examples/model_graph.py [--out out] [--format svg png]

Writes to ``--out``:

* ``mlp_graph``: the lecture MLP (784 → 128 → 64 → 10) on a batch of 4 random "images" with
  the NLL loss: per module its parameters (shape, mean ± std of values and of ∂loss/∂θ) and its
  output;
* ``mlp_graph_expanded``: the same with layer "3" drawn op by op;
* ``cifar_graph``: the CIFAR-10 net (conv 6@5×5, pool, conv 16@5×5, FC 4096 → 1000 → 10);
* ``cifar_graph_depth0``: the CIFAR net collapsed to a single box.

Each as DOT source, and as SVG/PNG when Graphviz's ``dot`` is installed.

    python examples/model_graph.py --readme docs/img

writes the README's pictures instead: ``readme_chain_rule.png`` (the lecture's c, d, e graph with
values, gradients and local derivatives) and ``readme_mlp_graph.png`` (the collapsed MLP).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np

try:
    import tinygrad_ru as tg
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import tinygrad_ru as tg
import tinygrad_ru.nn.functional as F
from tinygrad_ru.models import cifar_cnn, lecture_mlp
from tinygrad_ru.viz.graph import draw_graph, draw_model


def save(graph, path: Path, formats: list[str]) -> None:
    dot_path = path.with_suffix(".dot")
    dot_path.write_text(graph.source, encoding="utf-8")
    written = [str(dot_path)]
    if shutil.which("dot"):
        for fmt in formats:
            written.append(graph.render(outfile=str(path.with_suffix("." + fmt)), format=fmt, cleanup=True))
    print("  " + ", ".join(written))


def readme_pictures(folder: Path) -> None:
    """The two graphs shown in the README, as PNG at a readable resolution."""
    if not shutil.which("dot"):
        raise SystemExit("--readme needs Graphviz's `dot` to render PNG")
    folder.mkdir(parents=True, exist_ok=True)
    a = tg.Tensor(2.0, requires_grad=True, name="a")
    b = tg.Tensor(1.0, requires_grad=True, name="b")
    c = a + b
    d = b + 1
    e = c * d
    chain = draw_graph(e, names={"c": c, "d": d, "e": e}, title="e = (a + b)·(b + 1)")
    chain.attr(dpi="110", fontsize="16")
    print(chain.render(outfile=str(folder / "readme_chain_rule.png"), format="png", cleanup=True))

    tg.manual_seed(0)
    x = tg.randn(4, 1, 28, 28)
    y = tg.tensor(np.array([3, 1, 4, 1]))
    mlp = draw_model(lecture_mlp(), x, F.nll_loss, y, title="lecture MLP: one box per module")
    mlp.attr(dpi="100")
    print(mlp.render(outfile=str(folder / "readme_mlp_graph.png"), format="png", cleanup=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="output folder")
    parser.add_argument("--format", nargs="+", default=["svg", "png"], help="formats rendered by dot")
    parser.add_argument("--readme", metavar="DIR", help="write the README's PNG pictures to DIR and stop")
    args = parser.parse_args()
    if args.readme:
        readme_pictures(Path(args.readme))
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not shutil.which("dot"):
        print("Graphviz's `dot` is not installed: writing DOT sources only (render with `dot -Tsvg f.dot -o f.svg`).")

    tg.manual_seed(0)
    mlp = lecture_mlp()
    x = tg.randn(4, 1, 28, 28)
    y = tg.tensor(np.array([3, 1, 4, 1]))
    print("lecture MLP, collapsed (one box per module):")
    save(draw_model(mlp, x, F.nll_loss, y, title="lecture MLP · NLL loss"), out / "mlp_graph", args.format)
    print("lecture MLP, layer 3 expanded (Linear is one fused op y = x·Wᵀ + b; its W and b become nodes):")
    save(draw_model(mlp, x, F.nll_loss, y, expand=("3",)), out / "mlp_graph_expanded", args.format)

    cifar = cifar_cnn()
    images = tg.randn(2, 3, 32, 32)
    labels = tg.tensor(np.array([3, 8]))
    print("CIFAR-10 net, collapsed:")
    save(draw_model(cifar, images, F.nll_loss, labels, title="CIFAR-10 net · NLL loss"), out / "cifar_graph",
         args.format)
    print("CIFAR-10 net as one box (collapse=0):")
    save(draw_model(cifar, images, F.nll_loss, labels, collapse=0), out / "cifar_graph_depth0", args.format)


if __name__ == "__main__":
    main()
