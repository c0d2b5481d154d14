"""Picture of docs/stopping.md: where each stopping criterion of the lecture stops the same run.

    python docs/scripts/stopping_figures.py

A small MLP on 2-D data with a noisy train/validation split, full-batch GD; the run is repeated
with each callback of tinygrad_ru.train and the epoch where it stopped is marked on the curves.
Writes docs/img/stopping.png and the table docs/img/stopping.txt.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import tinygrad_ru as tg  # noqa: E402
import tinygrad_ru.nn as nn  # noqa: E402
import tinygrad_ru.nn.functional as F  # noqa: E402
from tinygrad_ru import optim  # noqa: E402
from tinygrad_ru.data import DataLoader, TensorDataset  # noqa: E402
from tinygrad_ru.train import (  # noqa: E402
    EarlyStopping,
    GradientNormRatio,
    MaxIterations,
    RelativeLoss,
    TargetLoss,
    fit,
)

IMG = Path(__file__).resolve().parents[1] / "img"
EPOCHS = 300


def data():
    tg.manual_seed(0)
    x = tg.randn(240, 2)
    y = ((x[:, 0] * x[:, 1]) > 0).to(tg.int64)
    flip = tg.rand(240) < 0.15  # label noise: the model can overfit it
    y = tg.where(flip, 1 - y, y)
    train = DataLoader(TensorDataset(x[:120], y[:120]), batch_size=120)
    val = DataLoader(TensorDataset(x[120:], y[120:]), batch_size=120)
    return train, val


def run(callbacks):
    train, val = data()
    tg.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    opt = optim.Adam(model.parameters(), lr=0.01)
    return fit(model, F.cross_entropy, opt, train, val, epochs=EPOCHS, callbacks=callbacks, progress=False)


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    full = run([])
    criteria = {
        "MaxIterations(100)": [MaxIterations(100)],
        "EarlyStopping(patience=10)": [EarlyStopping(patience=10, restore_best=False)],
        "TargetLoss(0, ε=0.3)": [TargetLoss(0.0, eps=0.3)],
        "RelativeLoss(ε=0.5)": [RelativeLoss(eps=0.5)],
        "GradientNormRatio(ε=0.2)": [GradientNormRatio(eps=0.2, smoothing=0.0)],
    }
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(full["train_loss"], label="train_loss", color="C0")
    ax.plot(full["val_loss"], label="val_loss", color="C1")
    lines = ["criterion | stopped after epoch | reason"]
    for k, (name, cbs) in enumerate(criteria.items()):
        h = run(cbs)
        stop = len(h.epochs) - 1
        ax.axvline(stop, color=f"C{k + 2}", ls="--", lw=1.2, label=f"{name}: эпоха {stop + 1}")
        lines.append(f"{name} | {stop + 1} | {h.stop_reason}")
    ax.set_xlabel("эпоха (полный пакет: эпоха = итерация)")
    ax.set_ylabel("кросс-энтропия")
    ax.set_title("Где останавливает каждый критерий лекции")
    ax.set_ylim(0, None)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(IMG / "stopping.png", dpi=80)
    plt.close(fig)
    (IMG / "stopping.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
