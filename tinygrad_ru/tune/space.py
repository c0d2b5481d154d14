"""Search spaces: what the tuner may change, written as a plain dict (or as a function of a trial).

A dict maps a hyper-parameter to

* a **list** — a categorical choice: ``"optimizer": ["sgd", "adam"]``;
* a **tuple** ``(low, high)`` — a uniform range (integers if both ends are ``int``): ``"dropout": (0.0, 0.5)``;
* a **dict** — a range with options ``{"low", "high", "log", "step", "grid"}`` (``"log": True`` samples
  log-uniformly: every decade equally often — right for a learning rate), or ``{"choices": [...]}``;
* anything else — a fixed value that is not searched.

Grid search (the lecture's «поиск по сетке») needs a finite set of values per parameter: a list, an
integer range, a range with ``step``, or a range with an explicit ``"grid": [...]``.  The other
samplers ignore ``"grid"`` and sample the whole range.

A function space ``space(trial) -> dict`` asks the trial itself (``trial.suggest_float(...)``) and
returns the configuration; it can express conditional parameters, but has no grid.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Space = Mapping[str, Any] | Callable[[Any], Mapping[str, Any]]

_RANGE_KEYS = {"low", "high", "log", "step", "grid"}
MAX_INT_GRID = 100  # an integer range without a step becomes a grid only up to this many values


@dataclass(frozen=True)
class Param:
    """One searched hyper-parameter: a categorical ``choices`` or a range [low, high] (log, step)."""

    name: str
    choices: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    grid: tuple[Any, ...] | None = None

    @property
    def is_int(self) -> bool:
        return self.choices is None and isinstance(self.low, int) and isinstance(self.high, int) and \
            (self.step is None or isinstance(self.step, int))

    def suggest(self, trial: Any) -> Any:
        """Ask the trial (its sampler decides) for a value of this parameter."""
        if self.choices is not None:
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.is_int:
            return trial.suggest_int(self.name, self.low, self.high, step=self.step or 1, log=self.log)
        return trial.suggest_float(self.name, float(self.low), float(self.high), step=self.step, log=self.log)

    def grid_values(self) -> list[Any]:
        """The finite set of values grid search tries; ValueError for a continuous range without a grid."""
        if self.grid is not None:
            return list(self.grid)
        if self.choices is not None:
            return list(self.choices)
        if self.step is not None:
            n = int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1
            return [self.low + i * self.step for i in range(n)]
        if self.is_int and self.high - self.low < MAX_INT_GRID:
            return list(range(self.low, self.high + 1))
        raise ValueError(f"grid search: {self.name!r} is a continuous range [{self.low}, {self.high}] "
                         f"with no grid; give it a 'step' or a 'grid': [values], or use another sampler")

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is a point this parameter may take (used by the tests)."""
        if self.choices is not None:
            return value in self.choices
        return self.low - 1e-12 <= value <= self.high + 1e-12


def _param(name: str, spec: Any) -> Param | None:
    """One entry of a dict space as a :class:`Param` (None for a fixed value)."""
    if isinstance(spec, list):
        if not spec:
            raise ValueError(f"search space: {name!r} has an empty list of choices")
        return Param(name, choices=tuple(spec))
    if isinstance(spec, tuple):
        if len(spec) != 2:
            raise ValueError(f"search space: {name!r} as a tuple must be (low, high), got {spec!r}")
        spec = {"low": spec[0], "high": spec[1]}
    if not isinstance(spec, Mapping):
        return None
    if "choices" in spec:
        if set(spec) != {"choices"}:
            raise ValueError(f"search space: {name!r} mixes 'choices' with {sorted(set(spec) - {'choices'})}")
        return _param(name, list(spec["choices"]))
    unknown = set(spec) - _RANGE_KEYS
    if unknown or not {"low", "high"} <= set(spec):
        raise ValueError(f"search space: {name!r} must be a list, a (low, high) tuple or a dict with "
                         f"'low' and 'high' (optional 'log', 'step', 'grid') or 'choices'; got {dict(spec)!r}")
    low, high = spec["low"], spec["high"]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)) or not low <= high:
        raise ValueError(f"search space: {name!r} needs numbers low <= high, got low={low!r}, high={high!r}")
    log = bool(spec.get("log", False))
    if log and low <= 0:
        raise ValueError(f"search space: {name!r} is log-scaled, so low must be > 0, got {low}")
    if log and spec.get("step") is not None:
        raise ValueError(f"search space: {name!r} cannot be both log-scaled and stepped")
    grid = spec.get("grid")
    if grid is not None:
        grid = tuple(grid)
        outside = [g for g in grid if not low <= g <= high]
        if not grid or outside:
            raise ValueError(f"search space: the grid of {name!r} must be non-empty values in [{low}, {high}]; "
                             f"got {list(grid)}")
    return Param(name, low=low, high=high, log=log, step=spec.get("step"), grid=grid)


def parse_space(space: Mapping[str, Any]) -> tuple[list[Param], dict[str, Any]]:
    """(searched parameters, fixed values) of a dict space; ValueError for an empty or malformed one."""
    if not isinstance(space, Mapping):
        raise TypeError(f"search space must be a dict or a function of a trial, got {type(space).__name__}")
    params, fixed = [], {}
    for name, spec in space.items():
        p = _param(str(name), spec)
        if p is None:
            fixed[name] = spec
        else:
            params.append(p)
    if not params:
        raise ValueError("search space is empty: nothing to search (give at least one list or range)"
                         + (f"; fixed values only: {fixed}" if fixed else ""))
    return params, fixed


def suggest(trial: Any, space: Space) -> dict[str, Any]:
    """The configuration for one trial: the sampled values of ``space`` plus its fixed values."""
    if callable(space) and not isinstance(space, Mapping):
        config = space(trial)
        if not isinstance(config, Mapping) or not config:
            raise ValueError(f"search space function returned {config!r}; it must return a non-empty dict")
        return dict(config)
    params, fixed = parse_space(space)
    return {**fixed, **{p.name: p.suggest(trial) for p in params}}


def grid_of(space: Space) -> dict[str, list[Any]]:
    """The grid (name → values) that grid search walks; ValueError where the space has no finite grid."""
    if callable(space) and not isinstance(space, Mapping):
        raise ValueError("grid search needs a dict search space (a function of a trial has no grid)")
    params, _ = parse_space(space)
    return {p.name: p.grid_values() for p in params}


# The "AutoML" default of `tinygrad-ru tune` (lecture 03, slide 20): optimizer, lr (log), batch size,
# width, dropout, weight decay and schedule; the "grid" entries are what grid search tries.
DEFAULT_SPACE: dict[str, Any] = {
    "optimizer": ["sgd", "momentum", "adam", "adamw"],
    "lr": {"low": 1e-4, "high": 0.3, "log": True, "grid": [1e-3, 1e-2, 1e-1]},
    "batch_size": [32, 64, 128],
    "width": [64, 128, 256],
    "dropout": {"low": 0.0, "high": 0.5, "grid": [0.0, 0.25]},
    "weight_decay": {"low": 1e-6, "high": 1e-2, "log": True, "grid": [1e-5, 1e-3]},
    "schedule": ["constant", "cosine", "step"],
}

# conv nets have no width/dropout knobs in tinygrad_ru.models
CONV_SPACE: dict[str, Any] = {k: v for k, v in DEFAULT_SPACE.items() if k not in ("width", "dropout")}


def default_space(model: str) -> dict[str, Any]:
    """The CLI's default space for a model name."""
    return dict(DEFAULT_SPACE if model == "mlp" else CONV_SPACE)
