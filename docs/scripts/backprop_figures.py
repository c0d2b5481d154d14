"""Pictures of docs/backprop_mlp.md: computational graphs of nets.

    python docs/scripts/backprop_figures.py

- docs/img/mlp_graph.{dot,png}: a small MLP's loss op by op (tinygrad_ru.viz.draw_graph);
- docs/img/lecture_mlp_modules.{dot,png}: the lecture MLP with NLL, one box per module
  (tinygrad_ru.viz.graph.draw_model);
- docs/img/cifar_cnn_modules.{dot,png}: the slides' CIFAR net, forward only, one box per module.
PNG needs Graphviz's ``dot``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.nn.functional as F
from tinygrad_ru.models import cifar_cnn, lecture_mlp
from tinygrad_ru.viz import draw_graph
from tinygrad_ru.viz.graph import draw_model

IMG = Path(__file__).resolve().parents[1] / "img"


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    x = tg.randn(5, 4)
    x.name = "x"
    y = tg.tensor([0, 1, 1, 0, 1])
    z1 = model[0](x)  # named steps instead of automatic t1, t2, t3
    h1 = model[1](z1)
    z2 = model[2](h1)
    loss = F.cross_entropy(z2, y)
    loss.name = "L"
    dot = draw_graph(loss, names={**dict(model.named_parameters()), "z1": z1, "h1": h1, "z2": z2}, rankdir="TB",
                     title="Linear(4, 3) → ReLU → Linear(3, 2) → cross_entropy,\nпакет из 5 примеров")
    save(dot, "mlp_graph")
    tg.manual_seed(0)
    save(draw_model(lecture_mlp(), tg.rand(16, 1, 28, 28), F.nll_loss, tg.randint(0, 10, (16,)),
                    title="lecture_mlp() + nll_loss, пакет из 16 изображений"), "lecture_mlp_modules")
    save(draw_model(cifar_cnn(), tg.rand(2, 3, 32, 32),
                    title="cifar_cnn(): прямой проход, 2 изображения 3×32×32"), "cifar_cnn_modules")


def save(dot, stem: str) -> None:
    (IMG / f"{stem}.dot").write_text(dot.source, encoding="utf-8")
    if shutil.which("dot"):
        dot.attr(dpi="80")
        dot.render(str(IMG / stem), format="png", cleanup=True)
    else:
        print(f"no 'dot' program: wrote {stem}.dot only (apt-get install graphviz, then re-run)")


if __name__ == "__main__":
    main()
