"""Pictures of docs/optimizer_lab.md: a small selection of the optimizer lab, at low resolution.

    python docs/scripts/optimizer_lab_figures.py

The full lab (every landscape, the Nesterov sweeps, GIF animations, all update responses;
a few MB) is ``python examples/optimizer_lab.py --out lab_out``.  Here the same functions of
tinygrad_ru.viz.optimizers draw three landscapes and two response plots into docs/img/lab_*.png
(palette PNGs, see _png.py), and the end-point table is written to docs/img/lab_table.txt.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tinygrad_ru.viz.optimizers import (  # noqa: E402
    ARTICLE_METHODS,
    RESPONSE_SUITES,
    format_lab_table,
    plot_trajectories,
    plot_update_response,
    run_lab,
)
from tinygrad_ru.viz.testfunctions import ARTICLE_LAB_FUNCTIONS, get_test_function  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _png import shrink_png  # noqa: E402

IMG = Path(__file__).resolve().parents[1] / "img"
SHOWN = ("wobbly", "hills_and_canyon", "two_minima")
RESPONSES = ("Nesterov", "Adam")


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    rows = run_lab(ARTICLE_LAB_FUNCTIONS, ARTICLE_METHODS, steps=125)
    table = format_lab_table(rows)
    (IMG / "lab_table.txt").write_text(table + "\n", encoding="utf-8")
    print(table)
    for name in SHOWN:
        fn = get_test_function(name)
        trajs = {r.method: r.trajectory for r in rows if r.function == name}
        fig = plot_trajectories(fn, trajs, figsize=(6.5, 5.5))
        fig.savefig(IMG / f"lab_{name}.png", dpi=100, bbox_inches="tight")
        shrink_png(IMG / f"lab_{name}.png")
        plt.close(fig)
    for suite in RESPONSE_SUITES:
        if suite.name in RESPONSES:
            fig = plot_update_response(suite)
            fig.savefig(IMG / f"lab_response_{suite.name.lower()}.png", dpi=72, bbox_inches="tight")
            shrink_png(IMG / f"lab_response_{suite.name.lower()}.png")
            plt.close(fig)


if __name__ == "__main__":
    main()
