"""Samplers, pruners, storages and studies: the lecture's techniques by the names the slide uses.

=======================  ==============================  =========================================
slide 20 (lecture 03)    name here                       Optuna part
=======================  ==============================  =========================================
поиск по сетке           ``sampler="grid"``              ``optuna.samplers.GridSampler``
случайный поиск          ``sampler="random"``            ``optuna.samplers.RandomSampler``
байесовская оптимизация  ``sampler="tpe"``               ``optuna.samplers.TPESampler`` (TPE)
Hyperband                ``pruner="hyperband"``          ``optuna.pruners.HyperbandPruner``
(successive halving)     ``pruner="halving"``            ``optuna.pruners.SuccessiveHalvingPruner``
генетические алгоритмы   ``sampler="nsga2"``             ``optuna.samplers.NSGAIISampler``
AutoML-фреймворки        :data:`~tinygrad_ru.tune.space.DEFAULT_SPACE` + TPE + Hyperband
=======================  ==============================  =========================================
"""

from __future__ import annotations

import contextlib
import json
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .objective import Objective, optuna_module
from .space import Space, grid_of, parse_space

SAMPLERS = ("grid", "random", "tpe", "nsga2")
PRUNERS = ("none", "median", "halving", "hyperband")
TPE_STARTUP_TRIALS = 5  # random trials before TPE builds its model (Optuna's default 10 is most of a small budget)
NSGA2_POPULATION = 8  # a generation of NSGA-II (Optuna's default 50 would make a small study one random generation)
HEARTBEAT_S, GRACE_S = 10, 30  # a database study marks a trial whose process died FAIL after GRACE_S


def make_sampler(name: str, space: Space | None = None, seed: int | None = None) -> Any:
    """The sampler for a technique name: grid | random | tpe | nsga2 (grid needs the space's grid)."""
    optuna = optuna_module()
    if name == "grid":
        if space is None:
            raise ValueError("grid search needs the search space to take its grid from")
        return optuna.samplers.GridSampler(grid_of(space), seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=TPE_STARTUP_TRIALS)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=NSGA2_POPULATION)
    raise ValueError(f"unknown sampler {name!r}; choose one of {', '.join(SAMPLERS)}")


def make_pruner(name: str, max_epochs: int) -> Any:
    """The pruner for a name: none | median | halving (successive halving) | hyperband; the resource is
    the epoch, from 1 to ``max_epochs``, with reduction factor η = 3."""
    optuna = optuna_module()
    if name == "none":
        return optuna.pruners.NopPruner()
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=0)
    if name == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(int(max_epochs), 1),
                                              reduction_factor=3)
    raise ValueError(f"unknown pruner {name!r}; choose one of {', '.join(PRUNERS)}")


def open_storage(url: str | None) -> Any:
    """None/'' → in memory; any SQLAlchemy URL Optuna accepts (``sqlite:///study.db``,
    ``postgresql://user:pw@host/db``, ``mysql+pymysql://…``) → an ``RDBStorage``.  A URL that cannot be
    opened raises ValueError naming it."""
    if not url:
        return None
    optuna = optuna_module()
    engine = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}
    try:
        with _quiet():
            return optuna.storages.RDBStorage(url, engine_kwargs=engine, heartbeat_interval=HEARTBEAT_S,
                                              grace_period=GRACE_S)
    except Exception as e:  # SQLAlchemy's ArgumentError, OperationalError, a missing driver …
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        raise ValueError(f"cannot open the storage {url!r}: {type(e).__name__}: {first}") from None


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Optuna's own log lines and experimental-API warnings off (the CLI prints its own lines)."""
    optuna = optuna_module()
    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        try:
            yield
        finally:
            optuna.logging.set_verbosity(level)


def create_study(objective: Objective, sampler: str = "tpe", pruner: str = "hyperband",
                 study_name: str | None = None, storage: str | Any | None = None, seed: int | None = None) -> Any:
    """A new study, or the stored one of the same name (it resumes: numbering goes on)."""
    optuna = optuna_module()
    if len(objective.objectives) > 1 and pruner != "none":
        raise ValueError(f"pruner {pruner!r} needs one objective; a multi-objective study "
                         f"({', '.join(objective.objectives)}) runs with --pruner none")
    s = make_sampler(sampler, objective.space, seed)
    p = make_pruner(pruner, objective.epochs)
    store = open_storage(storage) if isinstance(storage, str) or storage is None else storage
    directions = objective.directions
    try:
        with _quiet():
            study = optuna.create_study(storage=store, sampler=s, pruner=p, study_name=study_name,
                                        directions=directions, load_if_exists=True)
    except Exception as e:
        raise ValueError(f"cannot create or load study {study_name!r} in {storage!r}: "
                         f"{type(e).__name__}: {e}") from None
    if [d.name.lower() for d in study.directions] != directions:
        raise ValueError(f"study {study_name!r} in {storage!r} has directions "
                         f"{[d.name.lower() for d in study.directions]}, this run needs {directions}")
    fixed = {} if callable(objective.space) else parse_space(objective.space)[1]
    # what `tinygrad-ru train --config` needs besides the searched parameters, kept with the study
    study.set_user_attr("train_config", {"model": objective.model, "dataset": objective.dataset,
                                         "epochs": objective.epochs, "seed": objective.seed, **fixed})
    return study


def state_of(trial: Any) -> str:
    return trial.state.name  # COMPLETE, PRUNED, FAIL, RUNNING, WAITING


def _value_text(trial: Any, objectives: Sequence[str]) -> str:
    if trial.values is None:
        history = trial.user_attrs.get("history") or []
        last = history[-1]["val_acc"] if history else None
        return f"val_acc {last:.4f} (last reported)" if last is not None else "no epoch finished"
    names = {"acc": "val_acc", "params": "params", "time": "time_s"}
    return ", ".join(f"{names[o]} {v:.4f}" if o == "acc" else f"{names[o]} {v:g}"
                     for o, v in zip(objectives, trial.values))


def progress_line(trial: Any, objectives: Sequence[str] = ("acc",)) -> str:
    """One line per finished trial: number, state, value, epochs run, params, reason."""
    epochs = len(trial.user_attrs.get("history") or [])
    reason = trial.user_attrs.get("reason")
    params = json.dumps(_plain(trial.params), ensure_ascii=False)
    return (f"trial {trial.number:3d}  {state_of(trial):8s} {_value_text(trial, objectives)}  "
            f"epochs {epochs}  {params}" + (f"  [{reason}]" if reason else ""))


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (float(f"{v:.4g}") if isinstance(v, float) else v) for k, v in params.items()}


def run(objective: Objective, study: Any, n_trials: int | None = None, timeout: float | None = None,
        on_trial: Callable[[str], None] | None = print) -> Any:
    """``study.optimize`` with one progress line per finished trial; returns the study."""
    if n_trials is not None and n_trials < 1:
        raise ValueError(f"tune: trials must be >= 1, got {n_trials}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"tune: timeout must be > 0 seconds, got {timeout}")

    def report(study: Any, trial: Any) -> None:
        if on_trial is not None:
            on_trial(progress_line(trial, objective.objectives))

    with _quiet():
        study.optimize(objective, n_trials=n_trials, timeout=timeout, callbacks=[report])
    return study


def counts(study: Any) -> dict[str, int]:
    """How many trials ended in each state."""
    out: dict[str, int] = {}
    for t in study.get_trials(deepcopy=False):
        out[state_of(t)] = out.get(state_of(t), 0) + 1
    return out


def best_trials(study: Any, top: int = 5) -> list[Any]:
    """The best finished trials by validation accuracy (multi-objective: the Pareto front by accuracy)."""
    done = [t for t in study.get_trials(deepcopy=False) if state_of(t) == "COMPLETE"
            and t.values is not None and not any(math.isnan(v) for v in t.values)]
    if len(study.directions) > 1:
        front = {t.number for t in study.best_trials}
        done = [t for t in done if t.number in front]
    return sorted(done, key=lambda t: -t.values[0])[:top]


def summary_table(study: Any, objectives: Sequence[str] = ("acc",), top: int = 5) -> str:
    """The final table: state counts and the best trials with their parameters."""
    c = counts(study)
    head = (f"study {study.study_name!r}: {sum(c.values())} trials — " +
            ", ".join(f"{n} {s.lower()}" for s, n in sorted(c.items())))
    rows = best_trials(study, top)
    if not rows:
        return head + "\nno trial completed"
    names = sorted({k for t in rows for k in t.params})
    columns = ["trial", *("val_acc" if o == "acc" else o for o in objectives), *names]
    table = [[str(t.number), *(f"{v:.4f}" if o == "acc" else f"{v:g}" for o, v in zip(objectives, t.values)),
              *(_cell(t.params.get(n)) for n in names)] for t in rows]
    widths = [max(len(columns[i]), *(len(r[i]) for r in table)) for i in range(len(columns))]
    title = "Pareto front (best accuracy first)" if len(objectives) > 1 else f"best {len(rows)} trials"
    lines = [head, title + ":", "  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in table]
    return "\n".join(lines)


def _cell(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def best_config(study: Any) -> dict[str, Any]:
    """The best trial as a configuration that ``tinygrad-ru train --config`` accepts (the model, data
    set, epochs, seed and fixed values that :func:`create_study` kept with the study, and its parameters)."""
    rows = best_trials(study, 1)
    if not rows:
        raise ValueError(f"study {study.study_name!r} has no completed trial to take a configuration from")
    return {**study.user_attrs.get("train_config", {}), **rows[0].params}


def tune(space: Space | None = None, sampler: str = "tpe", pruner: str = "hyperband", trials: int = 20,
         epochs: int = 3, model: str = "mlp", dataset: str = "mnist10k", timeout: float | None = None,
         study_name: str | None = None, storage: str | None = None, seed: int = 0,
         on_trial: Callable[[str], None] | None = print, **objective_options: Any) -> Any:
    """One call: build the :class:`Objective`, create (or resume) the study, run ``trials`` trials."""
    objective = Objective(space, model, dataset, epochs, seed=seed, **objective_options)
    study = create_study(objective, sampler, pruner, study_name, storage, seed)
    return run(objective, study, trials, timeout, on_trial)
