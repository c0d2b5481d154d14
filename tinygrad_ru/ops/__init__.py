"""The differentiable primitives, one small Function each, grouped by kind."""

from . import elementwise as _elementwise
from . import inplace as _inplace
from . import matmul as _matmul
from . import movement as _movement
from . import reduce as _reduce
from .activation import elu, gelu, leaky_relu, relu, sigmoid, silu, softplus, tanh
from .adaptive_pool import adaptive_avg_pool2d, adaptive_max_pool2d
from .conv import avg_pool2d, max_pool2d
from .conv_groups import conv2d
from .elementwise import *  # noqa: F403  (each module lists its public ops in __all__)
from .inplace import *  # noqa: F403
from .matmul import *  # noqa: F403
from .movement import *  # noqa: F403
from .nn_ops import (
    batch_norm,
    cross_entropy,
    dropout,
    layer_norm,
    linear,
    log_softmax,
    nll_loss,
    softmax,
)
from .reduce import *  # noqa: F403

__all__ = [
    *_elementwise.__all__, *_inplace.__all__, *_matmul.__all__, *_movement.__all__, *_reduce.__all__,
    "elu", "gelu", "leaky_relu", "relu", "sigmoid", "silu", "softplus", "tanh", "avg_pool2d", "conv2d",
    "max_pool2d", "batch_norm", "cross_entropy", "dropout", "layer_norm", "linear", "log_softmax", "nll_loss",
    "softmax", "adaptive_avg_pool2d", "adaptive_max_pool2d",
]
