"""The differentiable primitives, one small Function each, grouped by kind."""

from .activation import elu, gelu, leaky_relu, relu, sigmoid, silu, softplus, tanh
from .adaptive_pool import adaptive_avg_pool2d, adaptive_max_pool2d
from .conv import avg_pool2d, max_pool2d
from .conv_groups import conv2d
from .elementwise import (
    abs,
    add,
    cast,
    clamp,
    clone,
    compare,
    cos,
    div,
    erf,
    exp,
    inplace,
    log,
    logical_not,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    sign,
    sin,
    sqrt,
    sub,
    to_device,
    where,
)
from .matmul import matmul
from .movement import (
    broadcast_to,
    cat,
    expand,
    flatten,
    getitem,
    pad,
    permute,
    reshape,
    setitem,
    split,
    squeeze,
    stack,
    sum_to,
    transpose,
    unsqueeze,
)
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
from .reduce import amax, argmax, argmin, logsumexp, max, mean, min, norm, prod, std, sum, var

__all__ = [
    "abs", "add", "amax", "argmax", "argmin", "broadcast_to", "cast", "cat", "clamp", "clone", "compare", "cos",
    "div", "elu", "erf", "exp", "expand", "flatten", "gelu", "getitem", "inplace", "leaky_relu", "log",
    "logical_not", "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "neg", "norm",
    "pad", "permute", "pow", "prod", "relu", "reshape", "setitem", "sigmoid", "sign", "silu", "sin", "softplus",
    "sqrt", "squeeze", "stack", "std", "sub", "sum", "sum_to", "tanh", "to_device", "transpose", "unsqueeze",
    "var", "where", "avg_pool2d", "conv2d", "max_pool2d", "batch_norm", "cross_entropy", "dropout", "layer_norm",
    "linear", "log_softmax", "nll_loss", "softmax", "adaptive_avg_pool2d", "adaptive_max_pool2d", "split",
]
