"""Pictures of docs/landscape.md: the loss landscape of the lecture MLP on MNIST-10k (Li et al. 2018).

    python docs/scripts/landscape_figures.py

The same computation as examples/loss_landscape.py (3 epochs of Adam instead of 5), saved small:
docs/img/landscape_interpolation.png, landscape_contour.png, landscape_surface.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import tinygrad_ru as tg  # noqa: E402
import tinygrad_ru.nn.functional as F  # noqa: E402
from tinygrad_ru import optim  # noqa: E402
from tinygrad_ru.data import MNIST10k  # noqa: E402
from tinygrad_ru.models import lecture_mlp  # noqa: E402
from tinygrad_ru.viz.landscape import (  # noqa: E402
    interpolate_1d,
    landscape_2d,
    plot_interpolation,
    plot_landscape_contour,
    plot_landscape_surface,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _png import shrink_png  # noqa: E402

IMG = Path(__file__).resolve().parents[1] / "img"


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    tg.manual_seed(0)
    ds = MNIST10k(train=True)
    X = tg.tensor(np.asarray(ds.data, dtype=np.float32).reshape(len(ds.data), -1) / 255.0)
    y = tg.tensor(np.asarray(ds.targets))
    model = lecture_mlp()
    theta0 = [p.data.copy() for p in model.parameters()]
    opt = optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(3):
        perm = tg.backend.rng().permutation(len(ds.data))
        for i in range(0, len(perm), 100):
            idx = perm[i:i + 100]
            opt.zero_grad()
            F.nll_loss(model(X[idx]), y[idx]).backward()
            opt.step()
    batch = (X[:1000], y[:1000])
    line = interpolate_1d(model, F.nll_loss, theta0, model, batch, steps=25)
    surf = landscape_2d(model, F.nll_loss, batch, steps=21, span=1.0)
    print(f"center loss {surf.center_loss:.4f}, min {surf.losses.min():.4f}, max {surf.losses.max():.4f}")
    for name, fig in [("interpolation", plot_interpolation(line, logy=True,
                                                           labels=("initial weights", "trained weights"))),
                      ("contour", plot_landscape_contour(surf)),
                      ("surface", plot_landscape_surface(surf))]:
        fig.savefig(IMG / f"landscape_{name}.png", dpi=90, bbox_inches="tight")
        shrink_png(IMG / f"landscape_{name}.png")
        plt.close(fig)


if __name__ == "__main__":
    main()
