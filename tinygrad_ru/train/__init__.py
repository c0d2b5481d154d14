"""Training loop, history and callbacks (stopping criteria, early stopping, checkpoints)."""

from .callbacks import (
    Callback,
    Checkpoint,
    EarlyStopping,
    GradientNormRatio,
    MaxIterations,
    MaxTime,
    RelativeLoss,
    SnapshotEnsemble,
    TargetLoss,
)
from .history import History
from .layer_stats import LayerStats
from .loop import Trainer, evaluate, fit

__all__ = [
    "Callback", "Checkpoint", "EarlyStopping", "GradientNormRatio", "MaxIterations", "MaxTime", "RelativeLoss",
    "TargetLoss", "SnapshotEnsemble", "LayerStats", "History", "Trainer", "evaluate", "fit",
]
