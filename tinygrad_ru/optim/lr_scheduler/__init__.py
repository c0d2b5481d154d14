"""Learning-rate schedules with PyTorch's names, arguments and numbers.

The implementations follow torch/optim/lr_scheduler.py (the chainable, recursive forms that
``step()`` uses, and the closed forms used by ``step(epoch)`` and ``SequentialLR``), so a
schedule gives the same lr sequence as PyTorch's.  Plus lecture 03's ``InverseTimeLR``.

>>> sched = StepLR(opt, step_size=30, gamma=0.1)
>>> for epoch in range(100):
...     train_one_epoch(); sched.step()

The modules: ``base`` (``LRScheduler``), ``simple`` (functions of the step), ``cyclic`` (cycles,
warm restarts, 1cycle), ``composed`` (``SequentialLR``, ``ChainedScheduler``) and ``plateau``
(``ReduceLROnPlateau``); every schedule is importable from here.
"""

from tinygrad_ru.optim.lr_scheduler.base import LRScheduler
from tinygrad_ru.optim.lr_scheduler.composed import ChainedScheduler, SequentialLR
from tinygrad_ru.optim.lr_scheduler.cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from tinygrad_ru.optim.lr_scheduler.plateau import ReduceLROnPlateau
from tinygrad_ru.optim.lr_scheduler.simple import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    InverseTimeLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)

__all__ = [
    "LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
    "ExponentialLR", "SequentialLR", "PolynomialLR", "CosineAnnealingLR", "ChainedScheduler",
    "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR", "InverseTimeLR",
]
