"""The course's ready-made choices, by the names students type: optimizers, lr schedules, data sets.

    optimizer = make_optimizer("momentum", model.parameters(), lr=0.01)   # SGD with momentum 0.9
    scheduler = make_scheduler("cosine", optimizer, epochs=15)            # or "constant" (None), "step"
    train, test, message = load_data("auto", root=None, download=True)    # normalised MNIST (or CIFAR-10)
    channels, side = input_geometry(train)                                 # (1, 28) for MNIST

The command line (``tinygrad-ru train``), ``tinygrad_ru.experiments`` and ``tinygrad_ru.tune`` build
their runs from these, so one name means the same optimizer everywhere.
"""

from __future__ import annotations

from typing import Any

from . import optim
from .data import best_mnist, load_dataset
from .data import transforms as T
from .optim import lr_scheduler

__all__ = ["OPTIMIZERS", "SCHEDULES", "make_optimizer", "make_scheduler", "load_data", "input_geometry"]

# name → (optimizer class, fixed options): the lectures' methods by the names students use
OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "gd": ("GD", {}), "sgd": ("SGD", {}), "momentum": ("SGD", {"momentum": 0.9}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}), "adagrad": ("Adagrad", {}),
    "rmsprop": ("RMSprop", {}), "adadelta": ("Adadelta", {}), "adam": ("Adam", {}), "adamw": ("AdamW", {}),
    "adamax": ("Adamax", {}), "nadam": ("NAdam", {}), "radam": ("RAdam", {}), "lion": ("Lion", {}),
    "signsgd": ("SignSGD", {}), "signum": ("SignSGD", {"momentum": 0.9}), "sgdbb": ("SGDBB", {}),
    # PyTorch's L-BFGS defaults (lr=1, no line search) take unbounded steps on mini-batches: on the MNIST MLP
    # they reach NaN within an epoch; the strong-Wolfe line search makes every step a sufficient decrease, and
    # 5 iterations per batch gave 87.1% after one epoch of MNIST-10k against 85.3% with 20 at 4x the cost
    # (docs/optimizers.md, "L-BFGS")
    "lbfgs": ("LBFGS", {"line_search_fn": "strong_wolfe", "max_iter": 5}),
}

SCHEDULES = ("constant", "cosine", "step")

# per-channel (mean, std) of the training images; the MNIST family shares MNIST's
_NORMALIZATION = {"cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))}
_MNIST_NORMALIZATION = (0.1307, 0.3081)


def make_optimizer(name: str, params: Any, lr: float | None = None, **extra: Any) -> optim.Optimizer:
    """An optimizer by its CLI name (``adam``, ``momentum``, ``sgdbb`` …); ``lr=None`` keeps its default."""
    key = name.lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    cls_name, options = OPTIMIZERS[key]
    kwargs = dict(options, **extra)
    if lr is not None:
        kwargs["lr"] = lr
    return getattr(optim, cls_name)(params, **kwargs)


def make_scheduler(name: str, optimizer: Any, epochs: int) -> lr_scheduler.LRScheduler | None:
    """An epoch-stepped lr schedule by name: ``constant`` (None), ``cosine`` (to 0 over ``epochs``),
    ``step`` (×0.1 after each third of the epochs)."""
    if name == "constant":
        return None
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(epochs, 1))
    if name == "step":
        return lr_scheduler.StepLR(optimizer, step_size=max(epochs // 3, 1), gamma=0.1)
    raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}")


def load_data(dataset: str, root: str | None, download: bool) -> tuple[Any, Any, str]:
    """(train set, test set, a sentence saying which data is used), images normalised to
    x ← (x − mean) / std per channel.  ``dataset="auto"``: full MNIST if it is on disk or may be
    downloaded, else the bundled MNIST-10k sample."""
    mean, std = _NORMALIZATION.get(dataset, _MNIST_NORMALIZATION)
    transform = T.Compose([T.ToTensor(), T.Normalize(mean, std)])
    if dataset == "auto":
        return best_mnist(root, download=download, transform=transform)
    train = load_dataset(dataset, True, root, download, transform=transform)
    test = load_dataset(dataset, False, root, download, transform=transform)
    return train, test, f"Using {dataset}: {len(train)} train / {len(test)} test images ({train.source})"


def input_geometry(dataset: Any) -> tuple[int, int]:
    """(channels, side) of a data set's images: 28×28 → (1, 28), 3×32×32 → (3, 32)."""
    sample = dataset[0][0]
    return (1, sample.shape[-1]) if sample.ndim == 2 else (sample.shape[0], sample.shape[-1])
