"""Pictures of docs/schedules.md: learning-rate schedules of tinygrad_ru.optim.lr_scheduler.

    python docs/scripts/schedules_figures.py

1. docs/img/schedules_all.png — every scheduler with the settings of tinygrad_ru.viz.plots.default_schedules
   (drawn by tinygrad_ru.viz.plots.plot_lr_schedule);
2. docs/img/schedules_lecture.png — the schedules of lecture 03: 1/(1 + δt), triangular,
   triangular2, exp_range, and cosine with warm restarts (the snapshot-ensemble schedule).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tinygrad_ru.optim import lr_scheduler as S  # noqa: E402
from tinygrad_ru.viz.plots import lr_sequence, plot_lr_schedule  # noqa: E402

IMG = Path(__file__).resolve().parents[1] / "img"


def lecture_schedules() -> None:
    steps = 400
    panels = [
        ("InverseTimeLR: η₀ / (1 + δt), δ = 0.02", lambda o: S.InverseTimeLR(o, decay_rate=0.02)),
        ("CyclicLR triangular", lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=50,
                                                     mode="triangular", cycle_momentum=False)),
        ("CyclicLR triangular2 (амплитуда /2 за цикл)", lambda o: S.CyclicLR(
            o, base_lr=0.01, max_lr=0.1, step_size_up=50, mode="triangular2", cycle_momentum=False)),
        ("CyclicLR exp_range, γ = 0.995", lambda o: S.CyclicLR(
            o, base_lr=0.01, max_lr=0.1, step_size_up=50, mode="exp_range", gamma=0.995, cycle_momentum=False)),
        ("SGDR, T_0 = 100; точки — снапшоты",
         lambda o: S.CosineAnnealingWarmRestarts(o, T_0=100, eta_min=0.001)),
        ("SGDR, T_0 = 50, T_mult = 2",
         lambda o: S.CosineAnnealingWarmRestarts(o, T_0=50, T_mult=2, eta_min=0.001)),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(12, 6), sharex=True)
    for ax, (title, factory) in zip(axes.flat, panels):
        lrs = lr_sequence(factory, steps=steps, lr=0.1)
        ax.plot(range(len(lrs)), lrs, lw=1.5)
        ax.set_title(title, fontsize=9)
        ax.grid(alpha=0.3)
        if "T_0 = 100" in title:
            for t in (99, 199, 299, 399):
                ax.plot(t, lrs[t], "ro", ms=4)
    for ax in axes[1]:
        ax.set_xlabel("шаг (пакет)")
    for ax in axes[:, 0]:
        ax.set_ylabel("lr")
    fig.tight_layout()
    fig.savefig(IMG / "schedules_lecture.png", dpi=75)
    plt.close(fig)


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    fig = plot_lr_schedule(None, steps=100, lr=0.1)
    fig.savefig(IMG / "schedules_all.png", dpi=60)
    plt.close(fig)
    lecture_schedules()


if __name__ == "__main__":
    main()
