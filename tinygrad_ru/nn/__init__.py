"""Neural-network building blocks (PyTorch's ``torch.nn``): Module, Parameter, layers, losses, init.

    import tinygrad_ru.nn as nn
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10), nn.LogSoftmax(dim=1))
"""

from . import functional, init, layers, utils
from .layers import *  # noqa: F403  (every layer and loss, as listed in layers.__all__)
from .module import Module
from .parameter import Parameter

__all__ = ["Module", "Parameter", "init", "utils", "functional", *layers.__all__]
