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
from ..autograd.grad_mode import no_grad
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


def _correct(output: Tensor, target: Tensor) -> int:
    """The number of rows whose arg-max equals the integer label (0 for non-classification outputs)."""
    if output.ndim != 2 or target.ndim != 1 or target.dtype.kind not in "iu":
        return 0
    return int((output.data.argmax(axis=1) == target.data).sum())


def _needs_closure(optimizer: Any) -> bool:
    return bool(getattr(optimizer, "requires_closure", False))


def evaluate(model: Any, loss_fn: Any, loader: Iterable, device: str | None = None) -> dict[str, float]:
    """Mean loss and accuracy over a loader, under ``no_grad`` in ``eval()`` mode (the mode is restored)."""
    was_training = getattr(model, "training", False)
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    try:
        with no_grad():
            for batch in loader:
                x, y = _batch_to(batch, device)
                out = model(x)
                n = x.shape[0]
                total_loss += float(loss_fn(out, y).item()) * n
                correct += _correct(out, y)
                count += n
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("evaluate: the loader yielded no samples")
    return {"loss": total_loss / count, "acc": correct / count}


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
    def _check_finite(self, value: float) -> None:
        if not math.isfinite(value):
            hint = "lower the lr"
            groups = getattr(self.optimizer, "param_groups", None) or [{}]
            if groups[0].get("line_search_fn", "") is None:  # LBFGS without a line search
                hint += " or pass line_search_fn='strong_wolfe'"
            raise FloatingPointError(f"fit: the loss became {value} at step {self.step + 1} "
                                     f"({type(self.optimizer).__name__}); {hint}")

    def _train_step(self, x: Tensor, y: Tensor) -> tuple[float, Tensor]:
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

            value = float(opt.step(closure).item())
            self._check_finite(value)
            return value, outputs[0].detach()
        opt.zero_grad()
        out = self.model(x)
        loss = self.loss_fn(out, y)
        loss.backward()
        value = float(loss.item())
        self._check_finite(value)
        if need_norm:
            self._last_grad_norm = self._grad_norm()
        opt.step()
        return value, out.detach()

    def _grad_norm_of(self, loss: Tensor) -> float:
        """‖∂loss/∂θ‖ without touching ``.grad`` (for optimizers whose closure does not call backward)."""
        from ..autograd.engine import grad

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
        total_loss, correct, count = 0.0, 0, 0
        bar = None
        if self.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(train_loader) if hasattr(train_loader, "__len__") else None,
                       desc=f"epoch {epoch + 1}/{last_epoch}", leave=False, file=sys.stderr)
        for batch in train_loader:
            x, y = _batch_to(batch, self.device)
            loss, out = self._train_step(x, y)
            self.step += 1
            n = x.shape[0]
            total_loss += loss * n
            correct += _correct(out, y)
            count += n
            logs = {"step": self.step, "loss": loss, "lr": self._lr(), "time": time.perf_counter() - start}
            if self._last_grad_norm is not None:
                logs["grad_norm"] = self._last_grad_norm
            self.history.iterations.append(logs)
            if self.scheduler is not None and self.scheduler_interval == "batch":
                self.scheduler.step()
            for cb in self.callbacks:
                cb.on_batch_end(self, self.step, logs)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{total_loss / count:.4f}", acc=f"{correct / count:.3f}")
            if self.stop_reason is not None:
                break
        if bar is not None:
            bar.close()
        if count == 0:
            raise ValueError(f"fit: the training loader yielded no batches in epoch {epoch + 1} "
                             f"({type(train_loader).__name__} of length "
                             f"{len(train_loader) if hasattr(train_loader, '__len__') else 'unknown'})")
        row: dict[str, Any] = {"epoch": epoch + 1, "train_loss": total_loss / max(count, 1),
                               "train_acc": correct / max(count, 1), "val_loss": None, "val_acc": None,
                               "lr": self._lr()}
        if val_loader is not None:
            result = evaluate(self.model, self.loss_fn, val_loader, self.device)
            row["val_loss"], row["val_acc"] = result["loss"], result["acc"]
        if hasattr(self.optimizer, "epoch_end"):  # e.g. SGDBB sets its step size per epoch
            self.optimizer.epoch_end()
        if self.scheduler is not None and self.scheduler_interval == "epoch":
            if type(self.scheduler).__name__ == "ReduceLROnPlateau":
                self.scheduler.step(row["val_loss"] if row["val_loss"] is not None else row["train_loss"])
            else:
                self.scheduler.step()
        row["time"] = time.perf_counter() - start
        self.history.epochs.append(row)
        self.epoch += 1
        if self.progress:
            val = f", val_loss {row['val_loss']:.4f}, val_acc {row['val_acc']:.4f}" if val_loader else ""
            print(f"epoch {epoch + 1}/{last_epoch}: loss {row['train_loss']:.4f}, acc {row['train_acc']:.4f}"
                  f"{val}, {row['time']:.1f} s", file=sys.stderr)
        for cb in self.callbacks:
            cb.on_epoch_end(self, epoch, row)

    # ---------------------------------------------------------------- checkpoints
    def save_checkpoint(self, path: str) -> None:
        """Model, optimizer, scheduler, epoch, history and the RNG state in one atomic file."""
        from ..serialization import save

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
        from ..serialization import load

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
