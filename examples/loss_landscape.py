"""Loss landscape of the lecture MLP (784→128→64→10) on the bundled MNIST-10k (Li et al. 2018).

    python examples/loss_landscape.py [--out landscape_out] [--epochs 5] [--steps 21] [--span 1.0]

Trains the MLP with Adam on the 8,000 training digits, then on a 1,000-digit batch draws
  interpolation.png  the loss on the line from the initial to the trained weights (α ∈ [−0.5, 1.5]),
  contour.png        the loss around the trained weights along two filter-normalised directions,
  surface.png        the same as a 3-D surface.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tinygrad_ru.viz._mpl import require_matplotlib  # noqa: E402

require_matplotlib()  # a clear message (how to install it) instead of a traceback, before any training

import numpy as np  # noqa: E402

import tinygrad_ru as tg  # noqa: E402
import tinygrad_ru.nn as nn  # noqa: E402
import tinygrad_ru.nn.functional as F  # noqa: E402
import tinygrad_ru.optim as optim  # noqa: E402
from tinygrad_ru.data.datasets import MNIST10k  # noqa: E402
from tinygrad_ru.viz.landscape import (  # noqa: E402
    interpolate_1d,
    landscape_2d,
    plot_interpolation,
    plot_landscape_contour,
    plot_landscape_surface,
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="landscape_out")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--steps", type=int, default=21, help="grid points per axis (odd: θ* on the grid)")
    ap.add_argument("--span", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    tg.manual_seed(args.seed)

    ds = MNIST10k(train=True)
    X = tg.Tensor(np.asarray(ds.data, dtype=np.float32).reshape(len(ds.data), -1) / 255.0)
    y = tg.Tensor(np.asarray(ds.targets))
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    theta0 = [p.data.copy() for p in model.parameters()]
    opt = optim.Adam(model.parameters(), lr=1e-3)
    t0 = time.perf_counter()
    n, bs = X.shape[0], 100
    for epoch in range(args.epochs):
        perm = tg.backend.rng().permutation(n)
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            opt.zero_grad()
            loss = F.cross_entropy(model(X[idx]), y[idx])
            loss.backward()
            opt.step()
        print(f"epoch {epoch + 1}: last batch loss {loss.item():.4f}", flush=True)
    print(f"training: {time.perf_counter() - t0:.1f} s")

    batch = (X[:1000], y[:1000])
    t0 = time.perf_counter()
    line = interpolate_1d(model, F.cross_entropy, theta0, model, batch, steps=25)
    at_init, trained = line.losses[np.argmin(abs(line.alphas))], line.losses[np.argmin(abs(line.alphas - 1))]
    print(f"1-D interpolation (25 points): {time.perf_counter() - t0:.1f} s;"
          f" loss at init {at_init:.3f}, trained {trained:.3f}")
    surf = landscape_2d(model, F.cross_entropy, batch, steps=args.steps, span=args.span)
    print(f"2-D landscape ({args.steps}×{args.steps}): {surf.seconds:.1f} s; center loss {surf.center_loss:.4f}, "
          f"min {surf.losses.min():.4f}, max {surf.losses.max():.4f}")
    paths = [os.path.join(args.out, f) for f in ("interpolation.png", "contour.png", "surface.png")]
    plot_interpolation(line, logy=True, labels=("initial weights", "trained weights"), path=paths[0])
    plot_landscape_contour(surf, path=paths[1])
    plot_landscape_surface(surf, path=paths[2])
    print("wrote:\n  " + "\n  ".join(paths))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
