"""Pictures of a study: Optuna's matplotlib visualisations, and grid vs random search (Bergstra & Bengio).

``save_study_plots(study, folder)`` writes

* ``history.png`` — the value of every trial and the best so far (optimisation history);
* ``parallel_coordinate.png`` — each trial as a polyline through its hyper-parameters;
* ``param_importances.png`` — how much each parameter matters to the metric (Optuna's default
  evaluator: PED-ANOVA in Optuna 5, fANOVA before);
* ``intermediate_values.png`` — val_acc after every epoch, pruned trials included (they stop early);
* ``pareto_front.png`` instead of the last three for a multi-objective study.

``grid_vs_random(grid_study, random_study, important, unimportant, path)`` re-makes the picture of
Bergstra & Bengio (2012): with one parameter that matters and one that does not, 9 grid trials test
only 3 values of the one that matters, 9 random trials test 9.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from .objective import optuna_module
from .study import state_of


def _figure_of(ax: Any) -> Any:
    return ax.flat[0].figure if hasattr(ax, "flat") else ax.figure


def save_study_plots(study: Any, folder: str | Path, dpi: int = 100) -> list[Path]:
    """Write the study's pictures into ``folder``; returns their paths (a picture Optuna cannot draw
    for this study, e.g. importances from fewer than two finished trials, is skipped with a note)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    optuna = optuna_module()
    vis = optuna.visualization.matplotlib
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    multi = len(study.directions) > 1
    target = {"target": lambda t: t.values[0], "target_name": "val_acc"} if multi else {"target_name": "val_acc"}
    plots = {"history": lambda: vis.plot_optimization_history(study, **target),
             "parallel_coordinate": lambda: vis.plot_parallel_coordinate(study, **target)}
    if multi:
        plots["pareto_front"] = lambda: vis.plot_pareto_front(study)
    else:
        plots["param_importances"] = lambda: vis.plot_param_importances(study)
        plots["intermediate_values"] = lambda: _intermediate(study, vis)
    written = []
    for name, draw in plots.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                ax = draw()
            except (ValueError, RuntimeError, ZeroDivisionError) as e:
                print(f"{name}.png skipped: {e}")
                continue
        fig = _figure_of(ax)
        fig.set_size_inches(12 if name == "parallel_coordinate" else 9, 5.5)
        fig.tight_layout()
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=dpi)
        plt.close(fig)
        written.append(path)
    return written


def _intermediate(study: Any, vis: Any) -> Any:
    """Optuna's intermediate-values plot with the pruned trials' curves marked by a cross at the end."""
    from matplotlib.ticker import MaxNLocator

    ax = vis.plot_intermediate_values(study)
    pruned = [t for t in study.get_trials(deepcopy=False) if state_of(t) == "PRUNED" and t.intermediate_values]
    marks = []
    for t in pruned:
        step = max(t.intermediate_values)
        marks += ax.plot([step], [t.intermediate_values[step]], "x", color="red", ms=9, mew=2)
    n_done = sum(state_of(t) == "COMPLETE" for t in study.get_trials(deepcopy=False))
    ax.set_title(f"val_acc after each epoch: {n_done} complete, {len(pruned)} pruned trials")
    ax.set_xlabel("epoch")
    ax.set_ylabel("val_acc")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if ax.get_legend() is not None:  # one entry per trial says little; keep only the pruned mark
        ax.get_legend().remove()
    if marks:
        ax.legend(marks[:1], ["pruned: stopped here"], loc="lower right")
    return ax


def grid_vs_random(grid_study: Any, random_study: Any, important: str, unimportant: str,
                   path: str | Path, log_scale: tuple[bool, bool] = (True, True), dpi: int = 100) -> Path:
    """Bergstra & Bengio's figure from two real studies over (important, unimportant): each panel shows
    the trials in the plane and, above it, val_acc against the important parameter."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    panels = []
    for study in (grid_study, random_study):
        trials = [t for t in study.get_trials(deepcopy=False) if state_of(t) == "COMPLETE"]
        panels.append(([t.params[important] for t in trials], [t.params[unimportant] for t in trials],
                       [t.values[0] for t in trials]))
    everything = [a for _, _, acc in panels for a in acc]
    lo, hi = min(everything), max(everything)
    fig = plt.figure(figsize=(11, 6))
    grid = fig.add_gridspec(2, 3, width_ratios=[1, 1, 0.04], height_ratios=[1, 2.2], hspace=0.06, wspace=0.28)
    for k, ((x, y, acc), title) in enumerate(zip(panels, ("сетка (grid)", "случайный поиск (random)"))):
        top = fig.add_subplot(grid[0, k])
        main = fig.add_subplot(grid[1, k], sharex=top)
        sc = main.scatter(x, y, c=acc, cmap="viridis", s=80, edgecolors="black", vmin=lo, vmax=hi, zorder=3)
        top.plot(x, acc, "o", color="tab:red", ms=7)
        for xi in x:  # each trial projected onto the important axis
            main.axvline(xi, color="tab:red", lw=0.7, alpha=0.5)
        if log_scale[0]:
            main.set_xscale("log")
        if log_scale[1]:
            main.set_yscale("log")
            main.yaxis.set_minor_formatter(NullFormatter())
        top.set_title(f"{title}: {len(set(x))} значения {important} из {len(x)} проб", fontsize=11)
        top.set_ylim(lo - 0.05 * (hi - lo), hi + 0.08 * (hi - lo))
        top.set_ylabel("val_acc")
        top.tick_params(labelbottom=False)
        top.grid(alpha=0.3)
        main.set_xlabel(f"{important} (важный параметр)")
        main.set_ylabel(f"{unimportant} (неважный)")
    fig.colorbar(sc, cax=fig.add_subplot(grid[:, 2]), label="val_acc")
    fig.suptitle("Bergstra & Bengio (2012): один бюджет проб — сетка проверяет меньше значений важного параметра")
    path = Path(path)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path
