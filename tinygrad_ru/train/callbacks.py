"""Callbacks: the lectures' stopping criteria, early stopping, checkpoints.

A callback sees the :class:`~tinygrad_ru.train.loop.Trainer` at fixed points of the loop
(``on_train_begin``, ``on_epoch_begin``, ``on_batch_end``, ``on_epoch_end``, ``on_train_end``)
and may stop training by calling ``trainer.stop(reason)``.

Stopping criteria of lecture 4 («Критерии останова»):

* a budget — at most N iterations (:class:`MaxIterations`) or T seconds (:class:`MaxTime`);
* the validation error starts to grow — :class:`EarlyStopping` (patience, restore the best weights);
* J(θₜ) − J* ≤ ε when the optimum J* is known — :class:`TargetLoss`;
* J(θₜ) ≤ ε·J(θ₀) — :class:`RelativeLoss`;
* ‖∇J(θₜ)‖ ≤ ε·‖∇J(θ₀)‖ — :class:`GradientNormRatio`.
"""

from __future__ import annotations

import math
import time
from typing import Any, Protocol

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .history import History


class TrainerView(Protocol):
    """What a callback may use of the :class:`~tinygrad_ru.train.loop.Trainer` that calls it.

    Callbacks take the trainer duck-typed, by this description, so this module does not import
    the loop (the loop imports the callbacks)."""

    model: Any
    optimizer: Any
    history: History
    epoch: int  # the next epoch to run (0-based)
    step: int   # optimizer steps taken so far

    def stop(self, reason: str) -> None: ...
    def save_checkpoint(self, path: str) -> None: ...


class Callback:
    """Base class: override the hooks you need."""

    needs_grad_norm = False  # ask the trainer to compute ‖∇J‖ after each backward
    # on_batch_end reads logs["loss"]: the trainer then reads each step's loss from the device at once
    # (False lets it batch those reads: one per progress-bar refresh / epoch, and logs["loss"] is None)
    reads_batch_loss = True

    def on_train_begin(self, trainer: TrainerView) -> None: ...
    def on_epoch_begin(self, trainer: TrainerView, epoch: int) -> None: ...
    def on_batch_end(self, trainer: TrainerView, step: int, logs: dict[str, Any]) -> None: ...
    def on_epoch_end(self, trainer: TrainerView, epoch: int, logs: dict[str, Any]) -> None: ...
    def on_train_end(self, trainer: TrainerView) -> None: ...


def _check_positive(name: str, **values: float) -> None:
    for key, v in values.items():
        if v is None or not v > 0:
            raise ValueError(f"{name}: {key} must be positive, got {v}")


class MaxIterations(Callback):
    """Stop after ``max_iter`` optimizer steps."""

    reads_batch_loss = False

    def __init__(self, max_iter: int) -> None:
        _check_positive("MaxIterations", max_iter=max_iter)
        self.max_iter = int(max_iter)

    def on_batch_end(self, trainer, step, logs):
        if step >= self.max_iter:
            trainer.stop(f"reached {self.max_iter} iterations")


class MaxTime(Callback):
    """Stop once ``seconds`` of wall time have passed since training began."""

    reads_batch_loss = False

    def __init__(self, seconds: float) -> None:
        _check_positive("MaxTime", seconds=seconds)
        self.seconds = float(seconds)

    def on_train_begin(self, trainer):
        self.start = time.perf_counter()

    def on_batch_end(self, trainer, step, logs):
        if time.perf_counter() - self.start >= self.seconds:
            trainer.stop(f"time budget of {self.seconds:g} s used")


class _Monitor(Callback):
    """Reads one value per epoch (``monitor`` key of the epoch logs) or per iteration (``"loss"``)."""

    def __init__(self, monitor: str, per: str) -> None:
        if per not in ("epoch", "iteration"):
            raise ValueError(f"{type(self).__name__}: per must be 'epoch' or 'iteration', got {per!r}")
        self.monitor, self.per = monitor, per
        self.reads_batch_loss = per == "iteration"

    def check(self, trainer: TrainerView, value: float) -> None:
        raise NotImplementedError

    def on_batch_end(self, trainer, step, logs):
        if self.per == "iteration":
            self.check(trainer, logs["loss"])

    def on_epoch_end(self, trainer, epoch, logs):
        if self.per == "epoch":
            if logs.get(self.monitor) is None:
                raise KeyError(f"{type(self).__name__}: the epoch logs have no {self.monitor!r} "
                               f"(have: {sorted(k for k, v in logs.items() if v is not None)})")
            self.check(trainer, logs[self.monitor])


class TargetLoss(_Monitor):
    """Stop when J(θₜ) − J* ≤ ε (the optimum J* known, e.g. 0 for a separable problem)."""

    def __init__(self, optimum: float, eps: float, monitor: str = "train_loss", per: str = "epoch") -> None:
        super().__init__(monitor, per)
        _check_positive("TargetLoss", eps=eps)
        self.optimum, self.eps = float(optimum), float(eps)

    def check(self, trainer, value):
        if value - self.optimum <= self.eps:
            trainer.stop(f"J - J* = {value - self.optimum:.3g} <= {self.eps:g}")


class RelativeLoss(_Monitor):
    """Stop when J(θₜ) ≤ ε·J(θ₀); J(θ₀) is the first value seen."""

    def __init__(self, eps: float, monitor: str = "train_loss", per: str = "epoch") -> None:
        super().__init__(monitor, per)
        _check_positive("RelativeLoss", eps=eps)
        self.eps = float(eps)
        self.initial: float | None = None

    def on_train_begin(self, trainer):
        self.initial = None

    def check(self, trainer, value):
        if self.initial is None:
            self.initial = value
        elif value <= self.eps * self.initial:
            trainer.stop(f"J = {value:.4g} <= {self.eps:g} * J0 = {self.eps * self.initial:.4g}")


class GradientNormRatio(Callback):
    """Stop when ‖∇J(θₜ)‖ ≤ ε·‖∇J(θ₀)‖.

    With mini-batches the gradient norm is noisy, so it is smoothed with an exponential moving
    average (``smoothing``; 0 means the raw value, right for full-batch gradient descent).
    """

    needs_grad_norm = True
    reads_batch_loss = False

    def __init__(self, eps: float, smoothing: float = 0.9) -> None:
        _check_positive("GradientNormRatio", eps=eps)
        if not 0 <= smoothing < 1:
            raise ValueError(f"GradientNormRatio: smoothing must be in [0, 1), got {smoothing}")
        self.eps, self.smoothing = float(eps), float(smoothing)

    def on_train_begin(self, trainer):
        self.initial = self.average = None

    def on_batch_end(self, trainer, step, logs):
        g = logs.get("grad_norm")
        if g is None:
            raise KeyError("GradientNormRatio: the batch logs have no 'grad_norm' (the trainer computes it "
                           "for callbacks with needs_grad_norm = True)")
        if self.initial is None:
            self.initial = self.average = g
            return
        self.average = self.smoothing * self.average + (1 - self.smoothing) * g
        if self.average <= self.eps * self.initial:
            trainer.stop(f"|grad J| = {self.average:.3g} <= {self.eps:g} * |grad J0|")


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs in a row (as Keras);
    with ``restore_best`` the weights of the best epoch are put back at the end."""

    def __init__(self, monitor: str = "val_loss", patience: int = 3, min_delta: float = 0.0,
                 mode: str | None = None, restore_best: bool = True) -> None:
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        mode = mode or ("max" if "acc" in monitor else "min")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.min_delta = monitor, int(patience), float(min_delta)
        self.mode, self.restore_best = mode, restore_best

    def on_train_begin(self, trainer):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = None
        self.best_state = None
        self.wait = 0

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, trainer, epoch, logs):
        value = logs.get(self.monitor)
        if value is None:
            raise KeyError(f"EarlyStopping: the epoch logs have no {self.monitor!r}; pass val_loader to fit()")
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_state = {k: v.data.copy() for k, v in trainer.model.state_dict().items()}
        else:
            self.wait += 1
            if self.wait >= self.patience:
                trainer.stop(f"{self.monitor} has not improved for {self.wait} epochs (best {self.best:.4g} "
                             f"at epoch {self.best_epoch})")

    def on_train_end(self, trainer):
        if self.restore_best and self.best_state is not None:
            for k, v in trainer.model.state_dict().items():
                v.data[...] = self.best_state[k]


class Checkpoint(Callback):
    """Write model + optimizer + epoch + history + RNG state every ``every`` epochs (atomically)."""

    def __init__(self, path: str, every: int = 1) -> None:
        _check_positive("Checkpoint", every=every)
        self.path, self.every = path, int(every)

    def on_epoch_end(self, trainer, epoch, logs):
        if (epoch + 1) % self.every == 0:
            trainer.save_checkpoint(self.path)


class SnapshotEnsemble(Callback):
    """Snapshot ensembles (Huang et al. 2017, lecture 03): with a cyclic (cosine) schedule, save the
    weights at the end of every cycle of ``cycle_length`` epochs; the ensemble's prediction is the
    average of the snapshots' class probabilities, p(y|x) = (1/M) Σₘ p_m(y|x).

    Pair it with ``CosineAnnealingWarmRestarts(optimizer, T_0=cycle_length * batches_per_epoch)`` stepped
    per batch (``fit(..., scheduler_interval="batch")``) so that each cycle ends at a small learning rate.
    """

    def __init__(self, cycle_length: int, max_snapshots: int | None = None) -> None:
        _check_positive("SnapshotEnsemble", cycle_length=cycle_length)
        self.cycle_length = int(cycle_length)
        self.max_snapshots = max_snapshots
        self.snapshots: list[dict[str, Any]] = []

    def on_epoch_end(self, trainer, epoch, logs):
        if (epoch + 1) % self.cycle_length == 0:
            self.snapshots.append({k: v.data.copy() for k, v in trainer.model.state_dict().items()})
            if self.max_snapshots is not None and len(self.snapshots) > self.max_snapshots:
                self.snapshots.pop(0)

    def predict(self, model: Any, x: Any, outputs_log_probs: bool = True) -> Any:
        """Average class probabilities of all snapshots for input ``x`` (the model's weights are restored)."""
        if not self.snapshots:
            raise RuntimeError("SnapshotEnsemble.predict: no snapshot taken yet (train at least one cycle)")
        current = {k: v.data.copy() for k, v in model.state_dict().items()}
        was_training = model.training
        model.eval()
        total = None
        try:
            with no_grad():
                for snap in self.snapshots:
                    for k, v in model.state_dict().items():
                        v.data[...] = snap[k]
                    out = model(x)
                    probs = out.exp() if outputs_log_probs else out.softmax(dim=1)
                    total = probs.data if total is None else total + probs.data
        finally:
            for k, v in model.state_dict().items():
                v.data[...] = current[k]
            model.train(was_training)
        return Tensor(total / len(self.snapshots))
