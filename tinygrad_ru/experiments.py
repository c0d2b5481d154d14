"""The MIPT slides' experiment: the same net trained by several optimizers, side by side.

For each method: time for the run, final training loss, test accuracy, and the convergence
curves (loss against epoch and against wall time) in one figure.  ``mb-lbfgs`` runs multi-batch
L-BFGS on overlapping mini-batches; ``sgdbb`` sets its step per epoch by Barzilai–Borwein.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from . import nn
from .backend import manual_seed
from .data import DataLoader, OverlappingBatchSampler, Subset
from .models import build_model
from .optim import MultiBatchLBFGS
from .recipes import input_geometry, load_data, make_optimizer
from .train import History, evaluate, fit

# the slides' methods and the settings used for them (lr chosen per method; the slides do not give theirs)
DEFAULT_SETTINGS: dict[str, dict[str, Any]] = {
    "sgd": {"lr": 0.05},
    "momentum": {"lr": 0.01},
    "adam": {"lr": 1e-3},
    # SGD-BB's own step grows past 0.5 on the lecture MLP (BB assumes a convex problem) and the
    # run diverges; capped at 0.2 it trains (95.9% on MNIST-10k in 15 epochs). Measured, see the docs.
    "sgdbb": {"lr": 0.05, "max_lr": 0.2},
    # multi-batch L-BFGS needs larger batches than SGD for useful curvature pairs (the paper uses
    # thousands); 256 with a quarter overlap reaches 91% on MNIST-10k in 3 epochs at lr 0.5
    "mb-lbfgs": {"lr": 0.5, "history_size": 10, "batch_size": 256},
}
SLIDES_MNIST = ("sgd", "momentum", "adam", "sgdbb")
SLIDES_CIFAR = ("mb-lbfgs", "adam", "sgd", "momentum", "sgdbb")


@dataclass
class RunResult:
    method: str
    seconds: float
    train_loss: float
    test_acc: float
    history: History


def _run_mb_lbfgs(model: Any, loss_fn: Any, train_set: Any, test_loader: Any, epochs: int, batch_size: int,
                  settings: dict[str, Any], overlap: int | None = None) -> History:
    """Multi-batch L-BFGS epochs on overlapping batches (Berahas et al. 2016)."""
    settings = dict(settings)
    batch_size = settings.pop("batch_size", batch_size)
    opt = MultiBatchLBFGS(model.parameters(), **settings)
    overlap = overlap if overlap is not None else batch_size // 4
    sampler = OverlappingBatchSampler(train_set, batch_size, overlap, shuffle=True)
    fetch = DataLoader(train_set, batch_size=1).fetch
    history, start, step = History(), time.perf_counter(), 0
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for item in sampler:
            xb, yb = fetch(item.indices)
            xo, yo = fetch(item.overlap) if item.overlap.size else (xb, yb)

            def batch_closure(xb=xb, yb=yb):
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                return loss

            def overlap_closure(xo=xo, yo=yo):
                opt.zero_grad()
                loss = loss_fn(model(xo), yo)
                loss.backward()
                return loss

            loss = float(opt.step(batch_closure, overlap_closure).item())
            step += 1
            total += loss * xb.shape[0]
            count += xb.shape[0]
            history.iterations.append({"step": step, "loss": loss, "lr": settings.get("lr"),
                                       "time": time.perf_counter() - start})
        result = evaluate(model, loss_fn, test_loader)
        history.epochs.append({"epoch": epoch + 1, "train_loss": total / count, "train_acc": None,
                               "val_loss": result["loss"], "val_acc": result["acc"], "lr": settings.get("lr"),
                               "time": time.perf_counter() - start})
    return history


def compare(methods: Any = SLIDES_MNIST, model_name: str = "mlp", dataset: str = "auto", epochs: int = 15,
            batch_size: int = 64, seed: int = 0, limit: int | None = None, root: str | None = None,
            download: bool = True, settings: dict[str, dict[str, Any]] | None = None,
            verbose: bool = True, *, data: tuple[Any, Any, str] | None = None) -> tuple[list[RunResult], str]:
    """Train ``model_name`` once per method from the same initial weights; returns results and the data message.

    ``data``: (train set, test set, message) to use instead of loading ``dataset`` from ``root``."""
    train_set, test_set, message = load_data(dataset, root, download) if data is None else data
    if limit is not None:
        train_set = Subset(train_set, range(min(limit, len(train_set))))
    if verbose:
        print(message, flush=True)
    channels, size = input_geometry(train_set)
    test_loader = DataLoader(test_set, batch_size=1000)
    results = []
    for method in methods:
        opts = dict(DEFAULT_SETTINGS.get(method, {}), **(settings or {}).get(method, {}))
        manual_seed(seed)
        model = build_model(model_name, channels, size)
        loss_fn = nn.NLLLoss()
        start = time.perf_counter()
        if method == "mb-lbfgs":
            history = _run_mb_lbfgs(model, loss_fn, train_set, test_loader, epochs, batch_size, opts)
        else:
            lr = opts.pop("lr", None)
            optimizer = make_optimizer(method, model.parameters(), lr, **opts)
            history = fit(model, loss_fn, optimizer, DataLoader(train_set, batch_size=batch_size, shuffle=True),
                          test_loader, epochs=epochs, progress=False)
        seconds = time.perf_counter() - start
        row = history.epochs[-1]
        results.append(RunResult(method, seconds, row["train_loss"], row["val_acc"], history))
        if verbose:
            print(f"{method:>10}: {seconds:7.1f} s  train loss {row['train_loss']:.4f}  "
                  f"test acc {row['val_acc'] * 100:.2f}%", flush=True)
    return results, message


def format_table(results: list[RunResult]) -> str:
    """A Markdown table: method, seconds, final train loss, test accuracy."""
    lines = ["| method | seconds | final train loss | test accuracy |", "| --- | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r.method} | {r.seconds:.1f} | {r.train_loss:.4f} | {r.test_acc * 100:.2f}% |")
    return "\n".join(lines)


def plot_results(results: list[RunResult], path: str) -> Any:
    """Loss against epoch and against wall time for every method, in one figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_epoch, ax_time) = plt.subplots(1, 2, figsize=(11, 4))
    for r in results:
        epochs = [row["epoch"] for row in r.history.epochs]
        losses = [row["train_loss"] for row in r.history.epochs]
        times = [row["time"] for row in r.history.epochs]
        ax_epoch.plot(epochs, losses, marker="o", label=r.method)
        ax_time.plot(times, losses, marker="o", label=r.method)
    for ax, xlabel in ((ax_epoch, "epoch"), (ax_time, "wall time, s")):
        ax.set_xlabel(xlabel)
        ax.set_ylabel("train loss")
        ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.suptitle("Optimizer comparison")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return fig
