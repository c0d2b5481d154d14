"""The training loop: forward, loss, backward, optimizer step — and everything around it.

One epoch is::

    for x, y in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)     # forward: builds the graph
        loss.backward()                 # backward: ∂loss/∂θ for every parameter
        optimizer.step()                # θ ← θ − η·(update from the gradient)

followed by an evaluation on the validation set under ``no_grad`` in ``eval()`` mode.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

from .. import backend
from ..autograd.engine import grad
from ..autograd.grad_mode import no_grad
from ..serialization import load, save
from ..tensor import Tensor
from .callbacks import Callback
from .history import History


def _batch_to(batch: Any, device: str) -> tuple[Tensor, Tensor]:
    x, y = batch
    x = x if isinstance(x, Tensor) else Tensor(x)
    y = y if isinstance(y, Tensor) else Tensor(y)
    if device is not None and x.device != device:
        x, y = x.to(device), y.to(device)
    return x, y


def _correct(output: Tensor, target: Tensor) -> Any:
    """The number of rows whose arg-max equals the integer label (0 for non-classification outputs),
    as a 0-d array on the output's device: reading it would wait for the device (see :class:`_Tally`)."""
    if output.ndim != 2 or target.ndim != 1 or target.dtype.kind not in "iu":
        return output.xp.zeros((), dtype=backend.int64)
    return (output.data.argmax(axis=1) == target.data).sum()


class _Tally:
    """Per-step losses and correct counts kept where they were computed (on the GPU: on the device).

    Reading a device value waits for all queued work, so instead of one ``.item()`` per step the
    values wait here and :meth:`read` moves them to the host in one transfer — when the progress bar
    refreshes, when a callback reads the batch loss, and at the end of the epoch.  The rows of
    ``history.iterations`` get their ``"loss"`` then.
    """

    def __init__(self) -> None:
        self.total_loss, self.correct, self.count = 0.0, 0, 0
        self.pending: list[tuple[dict, Any, Any, int]] = []

    def add(self, row: dict[str, Any], loss: Any, correct: Any, n: int) -> None:
        self.pending.append((row, loss, correct, n))

    def read(self, first_step: int, check: Any = None) -> None:
        """Move the pending values to the host (one transfer) and add them up; a non-finite loss raises
        (``check(loss, step)`` words the error, e.g. the trainer's)."""
        if not self.pending:
            return
        xp = backend.get_array_module(*(v for p in self.pending for v in p[1:3]))
        values = backend.to_numpy(xp.stack([xp.asarray(v, dtype=backend.float64) for p in self.pending
                                            for v in p[1:3]])).reshape(-1, 2)
        for i, ((row, _, _, n), (loss, correct)) in enumerate(zip(self.pending, values)):
            loss = float(loss)
            if not math.isfinite(loss):
                self.pending.clear()
                if check is not None:
                    check(loss, first_step + i)
                raise FloatingPointError(f"fit: the loss became {loss} at step {first_step + i}; lower the lr")
            row["loss"] = loss
            self.total_loss += loss * n
            self.correct += int(correct)
            self.count += n
        self.pending.clear()


def _loss_value(loss: Any) -> Any:
    """The loss as a 0-d array on its device (no host transfer) or a Python float."""
    return loss.detach().data if isinstance(loss, Tensor) else float(loss)


def _reads_batch_loss(cb: Callback) -> bool:
    """Whether a callback looks at the per-step logs (then the pending losses are read before it runs)."""
    return type(cb).on_batch_end is not Callback.on_batch_end and getattr(cb, "reads_batch_loss", True)


def _needs_closure(optimizer: Any) -> bool:
    return bool(getattr(optimizer, "requires_closure", False))


def evaluate(model: Any, loss_fn: Any, loader: Iterable, device: str | None = None) -> dict[str, float]:
    """Mean loss and accuracy over a loader, under ``no_grad`` in ``eval()`` mode (the mode is restored)."""
    was_training = getattr(model, "training", False)
    model.eval()
    tally = _Tally()
    try:
        with no_grad():
            for batch in loader:
                x, y = _batch_to(batch, device)
                out = model(x)
                tally.add({}, _loss_value(loss_fn(out, y)), _correct(out, y), x.shape[0])
    finally:
        model.train(was_training)
    if not tally.pending:
        raise ValueError("evaluate: the loader yielded no samples")
    try:
        tally.read(1)
    except FloatingPointError as exc:
        raise FloatingPointError(str(exc).replace("fit: the loss became", "evaluate: the loss is")) from None
    return {"loss": tally.total_loss / tally.count, "acc": tally.correct / tally.count}


class Trainer:
    """Runs :func:`fit`; callbacks get it to read the model, optimizer, history and to stop training."""

    def __init__(self, model: Any, loss_fn: Any, optimizer: Any, scheduler: Any = None,
                 scheduler_interval: str = "epoch", callbacks: Sequence[Callback] = (),
                 device: str | None = None, progress: bool | None = None) -> None:
        if scheduler_interval not in ("epoch", "batch"):
            raise ValueError(f"fit: scheduler_interval must be 'epoch' or 'batch', got {scheduler_interval!r}")
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.scheduler, self.scheduler_interval = scheduler, scheduler_interval
        self.callbacks = list(callbacks)
        self.device = device
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.history = History()
        self.epoch = 0  # the next epoch to run
        self.step = 0
        self.stop_reason: str | None = None
        self._elapsed = 0.0
        self._last_grad_norm: float | None = None

    # ---------------------------------------------------------------- control
    def stop(self, reason: str) -> None:
        """Ask the loop to stop after the current batch."""
        if self.stop_reason is None:
            self.stop_reason = reason

    def _lr(self) -> float | None:
        groups = getattr(self.optimizer, "param_groups", None)
        return float(groups[0]["lr"]) if groups and "lr" in groups[0] else None

    def _grad_norm(self) -> float:
        total = 0.0
        for p in self.model.parameters():
            if p.grad is not None:
                total += float((p.grad.data * p.grad.data).sum())
        return math.sqrt(total)

    # ---------------------------------------------------------------- one step
    def _check_finite(self, value: float, step: int | None = None) -> None:
        if not math.isfinite(value):
            hint = "lower the lr"
            groups = getattr(self.optimizer, "param_groups", None) or [{}]
            if groups[0].get("line_search_fn", "") is None:  # LBFGS without a line search
                hint += " or pass line_search_fn='strong_wolfe'"
            raise FloatingPointError(f"fit: the loss became {value} at step {step or self.step + 1} "
                                     f"({type(self.optimizer).__name__}); {hint}")

    def _check_now(self, value: Any) -> None:
        """Check a loss at once where reading it costs nothing (the CPU); a GPU's losses are checked
        when :class:`_Tally` reads them (a read per step would wait for the device every step)."""
        if not backend.policy(value).defer_host_reads:
            self._check_finite(float(value))

    def _train_step(self, x: Tensor, y: Tensor) -> tuple[Any, Tensor]:
        opt = self.optimizer
        need_norm = any(c.needs_grad_norm for c in self.callbacks)
        self._last_grad_norm = None
        if _needs_closure(opt):
            outputs: list[Tensor] = []
            with_backward = getattr(opt, "closure_calls_backward", True)

            def closure() -> Tensor:
                opt.zero_grad()
                out = self.model(x)
                loss = self.loss_fn(out, y)
                if with_backward:
                    loss.backward()
                if not outputs and need_norm:  # ‖∇J(θₜ)‖ at the point where the step starts
                    self._last_grad_norm = self._grad_norm() if with_backward else self._grad_norm_of(loss)
                outputs.append(out)
                return loss

            value = _loss_value(opt.step(closure))
            self._check_now(value)
            return value, outputs[0].detach()
        opt.zero_grad()
        out = self.model(x)
        loss = self.loss_fn(out, y)
        loss.backward()
        value = _loss_value(loss)
        self._check_now(value)
        if need_norm:
            self._last_grad_norm = self._grad_norm()
        opt.step()
        return _loss_value(loss), out.detach()

    def _grad_norm_of(self, loss: Tensor) -> float:
        """‖∂loss/∂θ‖ without touching ``.grad`` (for optimizers whose closure does not call backward)."""
        params = [p for p in self.model.parameters() if p.requires_grad]
        grads = grad(loss, params, retain_graph=True, allow_unused=True)
        return math.sqrt(sum(float((g.data * g.data).sum()) for g in grads if g is not None))

    # ---------------------------------------------------------------- the loop
    def fit(self, train_loader: Iterable, val_loader: Iterable | None = None, epochs: int = 1) -> History:
        if epochs < 0:
            raise ValueError(f"fit: epochs must be >= 0, got {epochs}")
        self.stop_reason = None
        for cb in self.callbacks:
            cb.on_train_begin(self)
        start = time.perf_counter() - self._elapsed
        last_epoch = self.epoch + epochs
        try:
            while self.epoch < last_epoch and self.stop_reason is None:
                self._run_epoch(train_loader, val_loader, start, last_epoch)
        finally:
            self._elapsed = time.perf_counter() - start
            for cb in self.callbacks:
                cb.on_train_end(self)
        return self.history

    def _run_epoch(self, train_loader, val_loader, start: float, last_epoch: int) -> None:
        epoch = self.epoch
        for cb in self.callbacks:
            cb.on_epoch_begin(self, epoch)
        self.model.train()
        tally, first_pending, refreshed = _Tally(), self.step + 1, time.perf_counter()
        batch_readers = any(_reads_batch_loss(cb) for cb in self.callbacks)
        bar = self._progress_bar(train_loader, epoch, last_epoch)
        for batch in train_loader:
            x, y = _batch_to(batch, self.device)
            loss, out = self._train_step(x, y)
            self.step += 1
            logs = {"step": self.step, "loss": None, "lr": self._lr(), "time": time.perf_counter() - start}
            tally.add(logs, loss, _correct(out, y), x.shape[0])
            if self._last_grad_norm is not None:
                logs["grad_norm"] = self._last_grad_norm
            self.history.iterations.append(logs)
            if self.scheduler is not None and self.scheduler_interval == "batch":
                self.scheduler.step()
            if batch_readers:  # a callback reads this step's loss: read it now
                tally.read(first_pending, self._check_finite)
                first_pending = self.step + 1
            for cb in self.callbacks:
                cb.on_batch_end(self, self.step, logs)
            if bar is not None:
                bar.update(1)
                if time.perf_counter() - refreshed >= bar.mininterval:  # one host read per refresh
                    tally.read(first_pending, self._check_finite)
                    first_pending, refreshed = self.step + 1, time.perf_counter()
                    bar.set_postfix(loss=f"{tally.total_loss / tally.count:.4f}",
                                    acc=f"{tally.correct / tally.count:.3f}")
            if self.stop_reason is not None:
                break
        tally.read(first_pending, self._check_finite)
        if bar is not None:
            bar.close()
        count = tally.count
        if count == 0:
            raise ValueError(f"fit: the training loader yielded no batches in epoch {epoch + 1} "
                             f"({type(train_loader).__name__} of length "
                             f"{len(train_loader) if hasattr(train_loader, '__len__') else 'unknown'})")
        row: dict[str, Any] = {"epoch": epoch + 1, "train_loss": tally.total_loss / max(count, 1),
                               "train_acc": tally.correct / max(count, 1), "val_loss": None, "val_acc": None,
                               "lr": self._lr()}
        if val_loader is not None:
            result = evaluate(self.model, self.loss_fn, val_loader, self.device)
            row["val_loss"], row["val_acc"] = result["loss"], result["acc"]
        self._end_epoch_steps(row)
        row["time"] = time.perf_counter() - start
        self.history.epochs.append(row)
        self.epoch += 1
        if self.progress:
            val = f", val_loss {row['val_loss']:.4f}, val_acc {row['val_acc']:.4f}" if val_loader else ""
            print(f"epoch {epoch + 1}/{last_epoch}: loss {row['train_loss']:.4f}, acc {row['train_acc']:.4f}"
                  f"{val}, {row['time']:.1f} s", file=sys.stderr)
        for cb in self.callbacks:
            cb.on_epoch_end(self, epoch, row)

    def _progress_bar(self, train_loader: Iterable, epoch: int, last_epoch: int) -> Any:
        """A tqdm bar over the epoch's batches, or None without ``progress``."""
        if not self.progress:
            return None
        from tqdm.auto import tqdm  # lazy: only a run with a progress bar pays for importing tqdm

        return tqdm(total=len(train_loader) if hasattr(train_loader, "__len__") else None,
                    desc=f"epoch {epoch + 1}/{last_epoch}", leave=False, file=sys.stderr)

    def _end_epoch_steps(self, row: dict[str, Any]) -> None:
        """What steps once per epoch: the optimizer's ``epoch_end`` (e.g. SGDBB sets its step size per
        epoch) and an epoch-stepped scheduler (ReduceLROnPlateau on the val loss, else the train loss)."""
        if hasattr(self.optimizer, "epoch_end"):
            self.optimizer.epoch_end()
        if self.scheduler is not None and self.scheduler_interval == "epoch":
            if type(self.scheduler).__name__ == "ReduceLROnPlateau":
                self.scheduler.step(row["val_loss"] if row["val_loss"] is not None else row["train_loss"])
            else:
                self.scheduler.step()

    # ---------------------------------------------------------------- checkpoints
    def save_checkpoint(self, path: str) -> None:
        """Model, optimizer, scheduler, epoch, history and the RNG state in one atomic file."""
        state = {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "meta": json.dumps({
                "epoch": self.epoch, "step": self.step, "elapsed": self._elapsed,
                "history": self.history.to_dict(), "rng": backend.rng().bit_generator.state,
                "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            }),
        }
        save(state, path)

    def load_checkpoint(self, path: str) -> None:
        """Restore what :meth:`save_checkpoint` wrote; training then continues bit for bit."""
        state = load(path)
        for key in ("model", "optimizer", "meta"):
            if key not in state:
                raise ValueError(f"load_checkpoint: {path} is not a training checkpoint (no {key!r} entry)")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        meta = json.loads(str(state["meta"]))
        self.epoch, self.step, self._elapsed = meta["epoch"], meta["step"], meta["elapsed"]
        self.history = History.from_dict(meta["history"])
        backend.rng().bit_generator.state = meta["rng"]
        if self.scheduler is not None and meta.get("scheduler") is not None:
            self.scheduler.load_state_dict(meta["scheduler"])


def fit(model: Any, loss_fn: Any, optimizer: Any, train_loader: Iterable, val_loader: Iterable | None = None,
        epochs: int = 1, callbacks: Sequence[Callback] = (), scheduler: Any = None,
        scheduler_interval: str = "epoch", device: str | None = None, progress: bool | None = None) -> History:
    """Train ``model`` for ``epochs`` and return its :class:`History`.

    ``progress``: a tqdm bar per epoch (default: only when stderr is a terminal).
    ``scheduler``: stepped once per epoch (or per batch with ``scheduler_interval="batch"``).
    """
    trainer = Trainer(model, loss_fn, optimizer, scheduler, scheduler_interval, callbacks, device, progress)
    history = trainer.fit(train_loader, val_loader, epochs)
    history.stop_reason = trainer.stop_reason
    return history
