"""The lectures' networks, ready to train.

* ``lecture_mlp``: the MNIST net of the MIPT slides — 784 → 128 → ReLU → 64 → ReLU → 10 → LogSoftmax.
* ``lenet``: a LeNet-style conv net for 1×28×28 digits.
* ``cifar_cnn``: the slides' CIFAR-10 net — conv 6@5×5 ReLU, max-pool 2×2, conv 16@5×5 ReLU,
  FC 4096 → 1000 ReLU, FC 1000 → 10 LogSoftmax.  The slides' 4096 = 16·16·16 inputs to the first
  FC layer fix the geometry: both convolutions keep the size (padding 2) and the pool halves it,
  32 → 32 → 16 → 16.  On 1×28×28 input the same net has 16·14·14 = 3136 inputs there.
"""

from __future__ import annotations

from . import nn


def lecture_mlp(in_features: int = 784, num_classes: int = 10, init: str | None = None, width: int = 128,
                dropout: float = 0.0) -> nn.Module:
    """784 → 128 → ReLU → 64 → ReLU → 10 → LogSoftmax (the slides' MNIST experiment).

    ``width`` sets the first hidden layer (the second has ``width // 2``); ``dropout`` > 0 puts a
    Dropout after each hidden ReLU.  The defaults give the slides' net exactly.
    """
    if width < 2:
        raise ValueError(f"lecture_mlp: width must be >= 2, got {width}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"lecture_mlp: dropout must be in [0, 1), got {dropout}")

    def hidden(n_in: int, n_out: int) -> list[nn.Module]:
        layers = [nn.Linear(n_in, n_out, init=init), nn.ReLU()]
        return layers + [nn.Dropout(dropout)] if dropout > 0 else layers

    return nn.Sequential(
        nn.Flatten(),
        *hidden(in_features, width),
        *hidden(width, width // 2),
        nn.Linear(width // 2, num_classes, init=init),
        nn.LogSoftmax(dim=1),
    )


def lenet(in_channels: int = 1, image_size: int = 28, num_classes: int = 10) -> nn.Module:
    """LeNet-style: conv 6@5×5 → ReLU → pool → conv 16@5×5 → ReLU → pool → 120 → 84 → classes."""
    side = ((image_size - 4) // 2 - 4) // 2
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * side * side, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, num_classes),
        nn.LogSoftmax(dim=1),
    )


def cifar_cnn(in_channels: int = 3, image_size: int = 32, num_classes: int = 10) -> nn.Module:
    """The slides' CIFAR-10 net (see the module docstring for the geometry)."""
    side = image_size // 2
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, padding=2),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(16 * side * side, 1000),
        nn.ReLU(),
        nn.Linear(1000, num_classes),
        nn.LogSoftmax(dim=1),
    )


MODELS = {"mlp": lecture_mlp, "lenet": lenet, "cifar-cnn": cifar_cnn}


def build_model(name: str, in_channels: int, image_size: int, num_classes: int = 10, width: int | None = None,
                dropout: float | None = None) -> nn.Module:
    """A model by its CLI name for inputs of shape (in_channels, image_size, image_size).

    ``width`` and ``dropout`` (hyper-parameters of the MLP only) keep the slides' values when None.
    """
    if name == "mlp":
        return lecture_mlp(in_channels * image_size * image_size, num_classes, width=width or 128,
                           dropout=dropout or 0.0)
    if width is not None or dropout:
        raise ValueError(f"build_model: width and dropout are hyper-parameters of the mlp, not of {name!r}")
    if name in ("lenet", "cifar-cnn"):
        return MODELS[name](in_channels, image_size, num_classes)
    raise ValueError(f"unknown model {name!r}; choose one of {sorted(MODELS)}")
