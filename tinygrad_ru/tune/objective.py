"""The objective: one trial = one training run through ``models``, ``data``, ``optim`` and ``train.fit``.

    config  = suggest(trial, space)              # the sampler picks the hyper-parameters
    model   = build_model(...width, dropout)     # tinygrad_ru.models
    history = fit(model, ..., callbacks=[TrialPruning(trial)])
    return history.last("val_acc")               # the validation metric (never the test set)

:class:`TrialPruning` reports ``val_acc`` to the trial after **every epoch** (the epoch is the
resource of Hyperband and successive halving) and stops training when the pruner says so; the
objective then raises ``optuna.TrialPruned``.  Each trial keeps its per-epoch history in
``trial.user_attrs["history"]`` (also when pruned or diverged), and ``user_attrs["reason"]`` says
why it stopped early.  A run whose loss becomes NaN/inf is marked FAIL with that reason, and the
study goes on.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from typing import Any

from .. import nn
from ..backend import manual_seed
from ..data import DataLoader, Subset, random_split
from ..models import build_model
from ..recipes import input_geometry, load_data, make_optimizer, make_scheduler
from ..train import Callback, Trainer
from .space import Space, default_space, parse_space, suggest

# the keys of a configuration that the objective (and `tinygrad-ru train --config`) understands
HYPERPARAMETERS = ("optimizer", "lr", "batch_size", "width", "dropout", "weight_decay", "schedule")
OBJECTIVES = {"acc": "maximize", "params": "minimize", "time": "minimize"}


def optuna_module() -> Any:
    """``import optuna`` with a clear message when the ``tune`` extra is missing."""
    try:
        import optuna
    except ImportError:
        raise RuntimeError("tinygrad_ru.tune needs Optuna: pip install 'tinygrad-ru[tune]' "
                           "(or pip install optuna matplotlib)") from None
    return optuna


class TrialPruning(Callback):
    """After every epoch: ``trial.report(val_acc, epoch)``; stop training if ``trial.should_prune()``.

    Successive halving keeps the top 1/η of the trials at each rung (epochs r, rη, rη², …);
    Hyperband runs several such brackets with different starting budgets r.  After ``last_epoch``
    the pruner is not asked: the run is already paid for, so it counts as complete.
    """

    def __init__(self, trial: Any, monitor: str = "val_acc", last_epoch: int | None = None) -> None:
        self.trial, self.monitor, self.last_epoch = trial, monitor, last_epoch
        self.pruned_reason: str | None = None

    def on_epoch_end(self, trainer, epoch, logs):
        value = logs.get(self.monitor)
        if value is None:
            raise KeyError(f"TrialPruning: the epoch logs have no {self.monitor!r}; fit() needs a val_loader")
        self.trial.report(float(value), epoch + 1)
        if self.last_epoch is not None and epoch + 1 >= self.last_epoch:
            return
        if self.trial.should_prune():
            self.pruned_reason = f"pruned after epoch {epoch + 1} ({self.monitor} {value:.4f})"
            trainer.stop(self.pruned_reason)


def load_tune_data(dataset: str = "mnist10k", limit: int | None = None, val_fraction: float = 0.2,
                   seed: int = 0, root: str | None = None, download: bool = False) -> tuple[Any, Any]:
    """(train part, validation part) of a data set's **training** split; the test split stays unseen.

    ``limit`` keeps only the first N training samples (tiny runs, tests)."""
    if not 0 < val_fraction < 1:
        raise ValueError(f"tune: val_fraction must be in (0, 1), got {val_fraction}")
    train, _, _ = load_data(dataset, root, download)
    if limit is not None:
        if limit < 10:
            raise ValueError(f"tune: limit must be >= 10 samples, got {limit}")
        train = Subset(train, list(range(min(limit, len(train)))))
    fit_part, val_part = random_split(train, [1 - val_fraction, val_fraction], generator_seed=seed)
    return fit_part, val_part


def _check_keys(config: dict[str, Any], extra_ok: Sequence[str] = ()) -> None:
    unknown = sorted(set(config) - set(HYPERPARAMETERS) - set(extra_ok))
    if unknown:
        raise ValueError(f"tune: unknown hyper-parameters {unknown}; the objective understands "
                         f"{', '.join(HYPERPARAMETERS)}")


class Objective:
    """``objective(trial)``: train the configuration the trial proposes, return its validation metric.

    ``space``: a dict or a function of a trial (see :mod:`tinygrad_ru.tune.space`); None = the
    default ("AutoML") space.  ``objectives``: ``("acc",)`` maximises val accuracy; ``("acc",
    "params")`` or ``("acc", "time")`` is the multi-objective (Pareto) search of NSGA-II.
    ``data``: (train set, validation set) to use instead of loading ``dataset``.
    """

    def __init__(self, space: Space | None = None, model: str = "mlp", dataset: str = "mnist10k",
                 epochs: int = 3, *, data: tuple[Any, Any] | None = None, limit: int | None = None,
                 val_fraction: float = 0.2, seed: int = 0, objectives: Sequence[str] = ("acc",),
                 root: str | None = None, device: str | None = None) -> None:
        if epochs < 1:
            raise ValueError(f"tune: epochs must be >= 1, got {epochs}")
        objectives = tuple(objectives)
        if not objectives or objectives[0] != "acc" or any(o not in OBJECTIVES for o in objectives) \
                or len(set(objectives)) != len(objectives):
            raise ValueError(f"tune: objectives must be 'acc' optionally followed by 'params' or 'time', "
                             f"got {objectives}")
        self.space = default_space(model) if space is None else space
        if not callable(self.space):
            params, fixed = parse_space(self.space)  # raises for an empty or malformed space
            _check_keys({p.name: None for p in params} | fixed)
        self.model, self.dataset, self.epochs = model, dataset, int(epochs)
        self.limit, self.val_fraction, self.seed, self.root = limit, val_fraction, seed, root
        self.objectives, self.device = objectives, device
        self._data = data

    @property
    def directions(self) -> list[str]:
        return [OBJECTIVES[o] for o in self.objectives]

    def data(self) -> tuple[Any, Any]:
        """The (train, validation) sets, loaded once per process."""
        if self._data is None:
            self._data = load_tune_data(self.dataset, self.limit, self.val_fraction, self.seed, self.root)
        return self._data

    def config(self, trial: Any) -> dict[str, Any]:
        config = suggest(trial, self.space)
        _check_keys(config)
        return config

    def __call__(self, trial: Any) -> float | tuple[float, ...]:
        config = self.config(trial)
        train_set, val_set = self.data()
        manual_seed(self.seed)  # every trial starts from the same initial weights and batch order
        model = build_model(self.model, *input_geometry(train_set), width=config.get("width"),
                            dropout=config.get("dropout"))
        if self.device not in (None, "cpu"):
            model.to(self.device)
        wd = config.get("weight_decay") or 0.0
        optimizer = make_optimizer(config.get("optimizer", "adam"), model.parameters(), config.get("lr"),
                                   **({"weight_decay": wd} if wd else {}))
        scheduler = make_scheduler(config.get("schedule", "constant"), optimizer, self.epochs)
        pruning = TrialPruning(trial, last_epoch=self.epochs) if len(self.objectives) == 1 else None
        trainer = Trainer(model, nn.NLLLoss(), optimizer, scheduler, callbacks=[pruning] if pruning else [],
                          device=self.device, progress=False)
        n_params = sum(p.numel() for p in model.parameters())
        start = time.perf_counter()
        reason = None
        try:
            with warnings.catch_warnings():  # a diverging run's overflow warnings: its reason says it all
                warnings.simplefilter("ignore", RuntimeWarning)
                trainer.fit(DataLoader(train_set, batch_size=int(config.get("batch_size", 64)), shuffle=True),
                            DataLoader(val_set, batch_size=1000), self.epochs)
        except FloatingPointError as e:  # the loss became NaN/inf: a failed trial, not a crashed study
            reason = f"diverged: {e}"
        seconds = time.perf_counter() - start
        history = [{k: row[k] for k in ("epoch", "train_loss", "val_loss", "val_acc", "time")}
                   for row in trainer.history.epochs]
        trial.set_user_attr("history", history)
        trial.set_user_attr("n_params", int(n_params))
        trial.set_user_attr("seconds", seconds)
        if reason is None and pruning is not None and pruning.pruned_reason is not None:
            reason = pruning.pruned_reason
            trial.set_user_attr("reason", reason)
            raise optuna_module().TrialPruned(reason)
        if reason is not None:
            trial.set_user_attr("reason", reason)
            return tuple(math.nan for _ in self.objectives) if len(self.objectives) > 1 else math.nan
        acc = float(trainer.history.last("val_acc"))
        extra = {"params": float(n_params), "time": seconds}
        return (acc, *(extra[o] for o in self.objectives[1:])) if len(self.objectives) > 1 else acc
