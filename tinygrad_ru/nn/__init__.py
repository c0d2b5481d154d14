"""Neural-network building blocks (PyTorch's ``torch.nn``): Module, Parameter, layers, losses, init.

    import tinygrad_ru.nn as nn
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10), nn.LogSoftmax(dim=1))
"""

from . import functional, init, utils
from .layers import (
    ELU,
    GELU,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    BCELoss,
    BCEWithLogitsLoss,
    CircularPad1d,
    CircularPad2d,
    ConstantPad1d,
    ConstantPad2d,
    Conv2d,
    CrossEntropyLoss,
    Dropout,
    Embedding,
    Flatten,
    HuberLoss,
    Identity,
    KLDivLoss,
    L1Loss,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    ModuleDict,
    ModuleList,
    MSELoss,
    NLLLoss,
    PReLU,
    ReflectionPad1d,
    ReflectionPad2d,
    ReLU,
    ReplicationPad1d,
    ReplicationPad2d,
    Sequential,
    Sigmoid,
    SiLU,
    SmoothL1Loss,
    Softmax,
    Softplus,
    Swish,
    Tanh,
    Unflatten,
    ZeroPad1d,
    ZeroPad2d,
)
from .module import Module
from .parameter import Parameter

__all__ = [
    "Module", "Parameter", "init", "utils", "functional",
    "Sequential", "ModuleList", "ModuleDict", "Linear", "Identity", "Flatten", "Unflatten", "Conv2d",
    "MaxPool2d", "AvgPool2d", "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "ReLU", "LeakyReLU",
    "PReLU", "ELU", "GELU", "SiLU", "Swish", "Sigmoid", "Tanh", "Softplus", "Softmax", "LogSoftmax",
    "NLLLoss", "CrossEntropyLoss", "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss",
    "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Embedding", "HuberLoss", "SmoothL1Loss", "KLDivLoss",
    "ConstantPad1d", "ConstantPad2d", "ZeroPad1d", "ZeroPad2d", "ReflectionPad1d", "ReflectionPad2d",
    "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d",
]

