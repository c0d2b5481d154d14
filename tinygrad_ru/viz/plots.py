"""Training plots: loss/accuracy curves from a training history, and learning-rate schedules.

``plot_history`` reads what ``tinygrad_ru.train`` records (``history.epochs``: rows with epoch,
train_loss, train_acc, val_loss, val_acc, lr, time; ``history.iterations``: rows with step,
loss, lr, time) and also plain dicts and lists, so a history loaded from JSON plots the same.
Several runs go into one figure (the optimizer comparison), against epoch, wall time or step.

``plot_lr_schedule`` steps every scheduler of :mod:`tinygrad_ru.optim.lr_scheduler` on a dummy
optimizer over one parameter and draws lr against step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import optim
from ..optim import lr_scheduler as S
from ..tensor import Tensor
from ._mpl import new_figure, require_matplotlib, save

# metric name -> the keys of an epoch row that hold it, per split
_METRIC_KEYS = {
    "loss": {"train": "train_loss", "val": "val_loss"},
    "accuracy": {"train": "train_acc", "val": "val_acc"},
    "acc": {"train": "train_acc", "val": "val_acc"},
}
_SPLIT_STYLE = {"train": "-", "val": "--", "": "-"}


def _rows(history: Any, level: str) -> list[dict[str, Any]]:
    """Rows (list of dicts) of one history at ``level`` ("epochs" or "iterations")."""
    if hasattr(history, level):
        return list(getattr(history, level))
    if isinstance(history, Mapping):
        if level in history:
            return list(history[level])
        if "epochs" in history or "iterations" in history:
            return []
        # column form: {"train_loss": [...], "val_loss": [...], ...}
        cols = {k: list(v) for k, v in history.items() if isinstance(v, (list, tuple))}
        n = max((len(v) for v in cols.values()), default=0)
        return [{k: (v[i] if i < len(v) else None) for k, v in cols.items()} for i in range(n)]
    if isinstance(history, (list, tuple)) and all(isinstance(r, Mapping) for r in history):
        return [dict(r) for r in history]
    raise TypeError(f"plot_history: cannot read a history from {type(history).__name__} "
                    "(expected a History, a dict with 'epochs'/'iterations', a dict of lists or a list of row dicts)")


def _is_single_history(obj: Any) -> bool:
    if hasattr(obj, "epochs"):
        return True
    if isinstance(obj, Mapping):
        if "epochs" in obj or "iterations" in obj:
            return True
        # a dict of columns is one history; a dict of histories is {label: history}
        return all(isinstance(v, (list, tuple)) and not (v and isinstance(v[0], Mapping)) for v in obj.values())
    # a list of rows is one history; a list of histories is several
    return isinstance(obj, (list, tuple)) and bool(obj) and isinstance(obj[0], Mapping) and not (
        "epochs" in obj[0] or "iterations" in obj[0])


def _normalise(histories: Any, labels: Sequence[str] | None) -> list[tuple[str, Any]]:
    if _is_single_history(histories):
        items = [(None, histories)]
    elif isinstance(histories, Mapping):
        items = list(histories.items())
    else:
        items = [(None, h) for h in histories]
    if labels is not None:
        if len(labels) != len(items):
            raise ValueError(f"plot_history: got {len(labels)} labels for {len(items)} histories")
        items = [(lab, h) for lab, (_, h) in zip(labels, items)]
    return [(lab if lab is not None else (f"run {i + 1}" if len(items) > 1 else ""), h)
            for i, (lab, h) in enumerate(items)]


def _series(rows: list[dict[str, Any]], metric: str, level: str) -> list[tuple[str, str]]:
    """(split, key) pairs present in ``rows`` for ``metric``."""
    keys = set().union(*(r.keys() for r in rows)) if rows else set()
    if level == "iterations":
        return [("", metric if metric != "accuracy" else "acc")] if (metric in keys or metric == "accuracy") else []
    if metric in _METRIC_KEYS:
        return [(s, k) for s, k in _METRIC_KEYS[metric].items() if k in keys]
    if metric in keys:
        return [("", metric)]
    return [(s, f"{s}_{metric}") for s in ("train", "val") if f"{s}_{metric}" in keys]


def plot_history(
    histories: Any,
    metrics: Sequence[str] = ("loss", "accuracy"),
    x: str = "epoch",
    labels: Sequence[str] | None = None,
    *,
    logy: bool | Sequence[str] = False,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
    path: Any = None,
) -> Any:
    """Curves of ``metrics`` for one history or several (a list, or ``{label: history}``).

    Args:
        histories: a ``History`` (``.epochs``/``.iterations``), a dict with those keys, a dict of
            columns (``{"train_loss": [...], ...}``), a list of row dicts — or a list/dict of them.
        metrics: one panel each; ``"loss"`` draws train_loss (solid) and val_loss (dashed),
            ``"accuracy"`` train_acc and val_acc, any other name its own column (e.g. ``"lr"``).
        x: ``"epoch"``, ``"time"`` (cumulative seconds: compare optimizers by wall time) or
            ``"step"`` (the per-iteration rows: loss, lr).
        labels: names of the runs (legend); default "run 1", "run 2", ... for several runs.
        logy: True (every panel) or the metric names whose y axis is logarithmic.

    Returns the Figure. Each line's x/y data are exactly the recorded values (rows where the
    metric is missing are skipped); its label is "<run> <split>" (split = train | val).
    """
    require_matplotlib()
    if x not in ("epoch", "time", "step"):
        raise ValueError(f"plot_history: x must be 'epoch', 'time' or 'step', got {x!r}")
    if isinstance(metrics, str):
        metrics = (metrics,)
    level = "iterations" if x == "step" else "epochs"
    runs = _normalise(histories, labels)
    n = len(metrics)
    fig = new_figure(figsize or (6.0 * n, 4.5))
    for k, metric in enumerate(metrics):
        _history_panel(fig.add_subplot(1, n, k + 1), runs, metric, x, level,
                       logy is True or (not isinstance(logy, bool) and metric in logy))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        save(fig, path)
    return fig


def _history_panel(ax: Any, runs: list[tuple[str, Any]], metric: str, x: str, level: str, logy: bool) -> None:
    """One panel: ``metric`` of every run (a colour per run, solid train and dashed val)."""
    drawn = 0
    for k, (label, hist) in enumerate(runs):
        rows = _rows(hist, level)
        for split, key in _series(rows, metric, level):
            pts = _points(rows, key, x)
            if not pts:
                continue
            name = " ".join(s for s in (label, split) if s) or key
            ax.plot([p[0] for p in pts], [p[1] for p in pts], _SPLIT_STYLE[split], color=f"C{k % 10}",
                    label=name, marker="." if len(pts) < 60 else None)
            drawn += 1
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel({"epoch": "epoch", "time": "time, s", "step": "step"}[x])
    ax.set_ylabel(metric)
    ax.set_title(metric)
    ax.grid(True, alpha=0.3)
    if drawn:
        ax.legend(fontsize=8)


def _points(rows: list[dict[str, Any]], key: str, x: str) -> list[tuple[Any, Any]]:
    """(x, y) of the rows that hold ``key`` (missing and NaN skipped); x defaults to the epoch 1, 2 … or step 0, 1 …"""
    pts = []
    for i, r in enumerate(rows):
        y = r.get(key)
        if y is None or (isinstance(y, float) and math.isnan(y)):
            continue
        xv = r.get(x, i + 1 if x == "epoch" else (i if x == "step" else None))
        if xv is None:
            raise ValueError(f"plot_history: x={x!r} but a row has no {x!r} column: {r}")
        pts.append((xv, y))
    return pts


# ----------------------------------------------------------------------------- lr schedules
def _dummy_optimizer(lr: float, momentum: float = 0.9) -> Any:
    p = Tensor([0.0], requires_grad=True)
    return optim.SGD([p], lr=lr, momentum=momentum)


def lr_sequence(scheduler: Any, steps: int, lr: float = 0.1,
                metric: Callable[[int], float] | None = None) -> list[float]:
    """The lr that each of ``steps`` steps uses: ``[lr_0, …, lr_{steps−1}]``.

    ``scheduler``: a scheduler instance, or a factory ``optimizer -> scheduler`` (it gets a
    dummy SGD over one parameter with base ``lr``). Between readings it calls
    ``optimizer.step()`` then ``scheduler.step()`` — ``scheduler.step(metric(t))`` for
    ReduceLROnPlateau (default metric: a loss that never improves, so the lr is cut every
    ``patience + 1`` steps).
    """
    sched = scheduler if hasattr(scheduler, "step") and hasattr(scheduler, "optimizer") \
        else scheduler(_dummy_optimizer(lr))
    opt = sched.optimizer
    plateau = type(sched).__name__ == "ReduceLROnPlateau"
    out = []
    for t in range(steps):
        out.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        if plateau:
            sched.step(metric(t) if metric is not None else 1.0)
        else:
            sched.step()
    return out


def default_schedules(steps: int = 100, lr: float = 0.1) -> list[tuple[str, Callable[[Any], Any]]]:
    """``(name, factory)`` for every scheduler in ``tinygrad_ru.optim.lr_scheduler``, with
    settings that show its shape within ``steps`` steps (lecture 03's triangular, triangular2,
    exp_range, cosine with restarts and 1/(1+δt) among them)."""
    q = max(steps // 4, 1)
    spec: list[tuple[str, str, Callable[[Any], Any]]] = [
        ("StepLR(step_size=N/4, γ=0.5)", "StepLR", lambda o: S.StepLR(o, step_size=q, gamma=0.5)),
        ("MultiStepLR([N/2, 3N/4], γ=0.1)", "MultiStepLR",
         lambda o: S.MultiStepLR(o, milestones=[2 * q, 3 * q], gamma=0.1)),
        ("ExponentialLR(γ=0.97)", "ExponentialLR", lambda o: S.ExponentialLR(o, gamma=0.97)),
        ("InverseTimeLR 1/(1+δt), δ=0.05", "InverseTimeLR", lambda o: S.InverseTimeLR(o, decay_rate=0.05)),
        ("PolynomialLR(power=2)", "PolynomialLR", lambda o: S.PolynomialLR(o, total_iters=steps, power=2.0)),
        ("LinearLR warm-up", "LinearLR", lambda o: S.LinearLR(o, start_factor=0.1, total_iters=q)),
        ("ConstantLR(0.5 for N/4)", "ConstantLR", lambda o: S.ConstantLR(o, factor=0.5, total_iters=q)),
        ("CosineAnnealingLR(T_max=N)", "CosineAnnealingLR", lambda o: S.CosineAnnealingLR(o, T_max=steps)),
        ("cosine with restarts (T_0=N/5, T_mult=1)", "CosineAnnealingWarmRestarts",
         lambda o: S.CosineAnnealingWarmRestarts(o, T_0=max(steps // 5, 1))),
        ("cosine with restarts (T_0=N/8, T_mult=2)", "CosineAnnealingWarmRestarts",
         lambda o: S.CosineAnnealingWarmRestarts(o, T_0=max(steps // 8, 1), T_mult=2)),
        ("CyclicLR triangular", "CyclicLR",
         lambda o: S.CyclicLR(o, base_lr=lr / 10, max_lr=lr, step_size_up=max(steps // 8, 1), mode="triangular",
                              cycle_momentum=False)),
        ("CyclicLR triangular2", "CyclicLR",
         lambda o: S.CyclicLR(o, base_lr=lr / 10, max_lr=lr, step_size_up=max(steps // 8, 1), mode="triangular2",
                              cycle_momentum=False)),
        ("CyclicLR exp_range (γ=0.99)", "CyclicLR",
         lambda o: S.CyclicLR(o, base_lr=lr / 10, max_lr=lr, step_size_up=max(steps // 8, 1), mode="exp_range",
                              gamma=0.99, cycle_momentum=False)),
        ("OneCycleLR", "OneCycleLR", lambda o: S.OneCycleLR(o, max_lr=lr, total_steps=steps)),
        ("ReduceLROnPlateau (loss never improves)", "ReduceLROnPlateau",
         lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=max(steps // 10, 1))),
    ]
    return [(name, factory) for name, cls, factory in spec if hasattr(S, cls)]


def plot_lr_schedule(
    schedulers: Any = None,
    steps: int = 100,
    lr: float = 0.1,
    *,
    overlay: bool = False,
    figsize: tuple[float, float] | None = None,
    path: Any = None,
) -> Any:
    """lr against step for one scheduler or many.

    ``schedulers``: None (every scheduler, :func:`default_schedules`), a factory
    ``optimizer -> scheduler`` or a scheduler instance, or a list of ``(name, factory or
    instance)``. One panel per scheduler (``overlay=True``: all in one panel). The line's ydata
    is :func:`lr_sequence` of that scheduler. Returns the Figure.
    """
    require_matplotlib()
    if schedulers is None:
        items = default_schedules(steps, lr)
    elif callable(schedulers) or hasattr(schedulers, "optimizer"):
        items = [(type(schedulers).__name__ if hasattr(schedulers, "optimizer") else "schedule", schedulers)]
    else:
        items = list(schedulers.items()) if isinstance(schedulers, Mapping) else list(schedulers)
    n = len(items)
    cols = 1 if overlay else min(3, n)
    rows = 1 if overlay else math.ceil(n / cols)
    fig = new_figure(figsize or ((8.0, 5.0) if overlay else (5.0 * cols, 3.2 * rows)))
    t = list(range(steps))
    ax = fig.add_subplot(1, 1, 1) if overlay else None
    for k, (name, sched) in enumerate(items):
        if not overlay:
            ax = fig.add_subplot(rows, cols, k + 1)
            ax.set_title(name, fontsize=9)
        ax.plot(t, lr_sequence(sched, steps, lr), label=name, linewidth=1.5)
        ax.set_xlabel("step")
        ax.set_ylabel("lr")
        ax.grid(True, alpha=0.3)
    if overlay:
        ax.legend(fontsize=8)
    fig.tight_layout()
    if path is not None:
        save(fig, path)
    return fig


__all__ = ["default_schedules", "lr_sequence", "plot_history", "plot_lr_schedule"]
