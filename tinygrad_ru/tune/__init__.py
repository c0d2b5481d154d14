"""Hyper-parameter search on Optuna: the six techniques of lecture 03 (slide 20) for ``fit()``.

    from tinygrad_ru import tune
    study = tune.tune({"lr": {"low": 1e-4, "high": 0.3, "log": True}, "optimizer": ["sgd", "adam"]},
                      sampler="tpe", pruner="hyperband", trials=20, epochs=3)
    print(tune.summary_table(study))

Needs the ``tune`` extra (``pip install 'tinygrad-ru[tune]'`` = optuna + matplotlib); importing this
package does not import Optuna, so the CLI and ``--config`` work without it.
"""

from .objective import HYPERPARAMETERS, Objective, TrialPruning, load_tune_data
from .space import DEFAULT_SPACE, Param, default_space, grid_of, parse_space, suggest
from .study import (
    PRUNERS,
    SAMPLERS,
    best_config,
    best_trials,
    counts,
    create_study,
    make_pruner,
    make_sampler,
    open_storage,
    progress_line,
    run,
    summary_table,
    tune,
)

__all__ = [
    "HYPERPARAMETERS", "Objective", "TrialPruning", "load_tune_data", "DEFAULT_SPACE", "Param", "default_space",
    "grid_of", "parse_space", "suggest", "PRUNERS", "SAMPLERS", "best_config", "best_trials", "counts",
    "create_study", "make_pruner", "make_sampler", "open_storage", "progress_line", "run", "summary_table", "tune",
]
