"""Pictures and the measured comparison of docs/tuning.md (needs the `tune` extra: optuna + matplotlib).

    python docs/scripts/tuning_figures.py              # ~20 min on a 2-core machine shared by ~9 jobs
    python docs/scripts/tuning_figures.py --only compare

1. The comparison at one budget on MNIST-10k (the first LIMIT training digits, 20 % of them held out
   for validation): grid vs random vs TPE vs TPE + Hyperband over the CLI's default ("AutoML") space,
   TRIALS trials of up to EPOCHS epochs each, the same seed.  Writes docs/img/tuning_compare.txt
   (a Markdown table) and the four Optuna pictures (three of the TPE study, the intermediate values
   of the TPE + Hyperband study).
2. Grid vs random (Bergstra & Bengio 2012) from two real 9-trial studies over lr (important) and a
   weight decay too small to matter (unimportant): docs/img/tuning_grid_vs_random.png.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from tinygrad_ru.tune import Objective, counts, create_study, default_space, run  # noqa: E402
from tinygrad_ru.tune.plots import grid_vs_random, save_study_plots  # noqa: E402

IMG = Path(__file__).resolve().parents[1] / "img"
LIMIT, TRIALS, EPOCHS, SEED = 4000, 12, 4, 0
RUNS = [("grid", "none"), ("random", "none"), ("tpe", "none"), ("tpe", "hyperband")]


def shrink(path: Path) -> None:
    """A 256-colour palette PNG: the same picture at about a third of the bytes (docs/img stays small)."""
    from PIL import Image

    Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)


def compare(storage: str | None) -> None:
    objective = Objective(default_space("mlp"), "mlp", "mnist10k", EPOCHS, limit=LIMIT, seed=SEED)
    objective.data()  # loaded once, outside the timings
    rows, studies = [], {}
    for sampler, pruner in RUNS:
        # a fixed name: Hyperband's brackets hash it, so the run repeats exactly (timings aside)
        study = create_study(objective, sampler, pruner, f"{sampler}-{pruner}", storage, seed=SEED)
        wall, cpu = time.perf_counter(), time.process_time()
        run(objective, study, TRIALS, on_trial=lambda line: print(line, flush=True))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        c = counts(study)
        epochs = sum(len(t.user_attrs.get("history", [])) for t in study.trials)
        rows.append((sampler, pruner, study.best_value, c.get("PRUNED", 0), c.get("FAIL", 0), epochs, wall, cpu))
        print(rows[-1], flush=True)
        studies[sampler, pruner] = study
    # history, parallel coordinates and importances need complete trials: the TPE study without pruning;
    # the intermediate values show what Hyperband cut: the TPE + Hyperband study
    pictures = {("tpe", "none"): ("history", "parallel_coordinate", "param_importances"),
                ("tpe", "hyperband"): ("intermediate_values",)}
    for key, names in pictures.items():
        folder = IMG / "tuning_tmp"
        for p in save_study_plots(studies[key], folder):
            if p.stem in names:
                p.replace(IMG / f"tuning_{p.name}")
                shrink(IMG / f"tuning_{p.name}")
            else:
                p.unlink()
        folder.rmdir()
    lines = ["| сэмплер | прунер | лучшая val_acc | обрезано | сбоев | эпох всего | время, с | CPU, с |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {s} | {p} | {best:.4f} | {pr} | {fl} | {ep} | {w:.0f} | {c:.0f} |"
              for s, p, best, pr, fl, ep, w, c in rows]
    (IMG / "tuning_compare.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def bergstra() -> None:
    space = {"optimizer": "momentum", "width": 64,
             "lr": {"low": 1e-3, "high": 0.3, "log": True, "grid": [3e-3, 3e-2, 0.3]},
             "weight_decay": {"low": 1e-7, "high": 1e-5, "log": True, "grid": [1e-7, 1e-6, 1e-5]}}
    objective = Objective(space, "mlp", "mnist10k", 2, limit=2000, seed=SEED)
    studies = []
    for sampler in ("grid", "random"):
        study = create_study(objective, sampler, "none", seed=SEED)
        run(objective, study, 9, on_trial=lambda line: print(line, flush=True))
        studies.append(study)
    path = grid_vs_random(*studies, "lr", "weight_decay", IMG / "tuning_grid_vs_random.png")
    shrink(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["compare", "bergstra"], default=None)
    parser.add_argument("--storage", default=None, help="keep the comparison's studies, e.g. sqlite:///cmp.db")
    args = parser.parse_args()
    if args.only in (None, "bergstra"):
        bergstra()
    if args.only in (None, "compare"):
        compare(args.storage)


if __name__ == "__main__":
    main()
