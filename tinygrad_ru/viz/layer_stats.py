"""``plot_layer_stats``: what :class:`tinygrad_ru.train.LayerStats` recorded, layer by layer.

One panel per statistic (by default the std of the activations, the std of the gradients
∂L/∂h and the fraction of zero activations), the layer number on the x axis, one colour per run
(e.g. "sigmoid + N(0, 1)" against "ReLU + He"); a solid line for the first recorded step and a
dashed one for the last, so the picture shows both where training starts and where it got to.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ._mpl import new_figure, save

TITLES = {
    "act_mean": "mean of activations h_k", "act_std": "std of activations h_k",
    "act_zeros": "fraction of zero activations", "grad_mean": "mean of gradients dL/dh_k",
    "grad_std": "std of gradients dL/dh_k", "grad_zeros": "fraction of zero gradients",
}
_LOG_KEYS = ("act_std", "grad_std")
_STYLES = ["-", "--", ":", "-."]  # one per moment of training (``when``)


def plot_layer_stats(runs: Any, keys: Sequence[str] = ("act_std", "grad_std", "act_zeros"),
                     path: Any = None, titles: Mapping[str, str] | None = None,
                     xlabel: str = "layer (input → output)", when: Sequence[tuple[Any, str]] | None = None,
                     suptitle: str | None = None, dpi: int = 100) -> Any:
    """Draw per-layer statistics of one or several runs; returns the matplotlib Figure.

    Args:
        runs: a ``LayerStats`` or ``{label: LayerStats}`` (several runs, one colour each).
        keys: the statistics, one panel each (see ``tinygrad_ru.train.layer_stats.KEYS``).
        path: if given, the figure is also saved there.
        titles: panel titles by key (default: English ones in :data:`TITLES`).
        when: ``[(step, caption), ...]`` — which recorded steps to draw (an index into
            ``stats.steps`` or a slice to average over) and how the legend calls them; default:
            the first and the last recorded step, solid and dashed.
    Non-finite or non-positive values are left out of logarithmic panels (a gap, never a line to 0).
    """
    if not isinstance(runs, Mapping):
        runs = {"": runs}
    if not runs:
        raise ValueError("plot_layer_stats: no runs to plot")
    titles = dict(TITLES, **(titles or {}))
    if when is None:
        when = [(0, "first step"), (-1, "last step")]
    fig = new_figure(figsize=(4.6 * len(keys), 4.4))
    axes = fig.subplots(1, len(keys), squeeze=False)[0]
    colors = [f"C{i}" for i in range(len(runs))]
    for ax, key in zip(axes, keys):
        _layer_panel(ax, key, runs, colors, when, titles.get(key, key), xlabel)
    rows = _legend(fig, runs, colors, when)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout(rect=(0, 0.02 + 0.055 * rows, 1, 1))
    if path is not None:
        save(fig, path, dpi=dpi)
    return fig


def _layer_panel(ax: Any, key: str, runs: Mapping[str, Any], colors: list[str], when: Sequence[tuple[Any, str]],
                 title: str, xlabel: str) -> None:
    """One statistic against the layer number: a colour per run, a line style per moment of training."""
    log = key in _LOG_KEYS
    for color, stats in zip(colors, runs.values()):
        for (step, _caption), style in zip(when, _STYLES):
            values = stats.profile(key, step)
            xs = [i + 1 for i, v in enumerate(values) if math.isfinite(v) and (v > 0 or not log)]
            ys = [v for v in values if math.isfinite(v) and (v > 0 or not log)]
            ax.plot(xs, ys, style, color=color, marker="o", ms=3, lw=1.6)
        ax.set_xlim(0.5, len(stats.names) + 0.5)
    if log:
        ax.set_yscale("log")
    else:
        ax.set_ylim(-0.03, 1.03)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3, which="both" if log else "major")


def _legend(fig: Any, runs: Mapping[str, Any], colors: list[str], when: Sequence[tuple[Any, str]]) -> int:
    """One legend for the figure: colours are runs, line styles are moments of training; returns its rows."""
    # imported here: matplotlib is an optional extra (see _mpl.require_matplotlib), not a cycle
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, lw=2.5, label=str(label)) for c, label in zip(colors, runs) if label != ""]
    handles += [Line2D([], [], color="black", ls=style, lw=1.6, label=caption)
                for (_, caption), style in zip(when, _STYLES)]
    # as many columns as the longest entry allows (about 0.075 inch per character at font size 9)
    widest = 0.6 + 0.075 * max(len(h.get_label()) for h in handles)
    ncol = max(1, min(len(handles), int(fig.get_figwidth() / widest)))
    fig.legend(handles=handles, loc="lower center", ncol=ncol, fontsize=9, frameon=False)
    return math.ceil(len(handles) / ncol)
