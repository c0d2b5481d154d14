"""``tinygrad_ru.nn.functional`` — the stateless neural-network functions (PyTorch's ``F``).

    import tinygrad_ru.nn.functional as F
    logits = F.linear(F.relu(F.linear(x, W1, b1)), W2, b2)
    loss = F.cross_entropy(logits, labels, label_smoothing=0.1)

Everything here is a function of tensors and options; the layers in ``tinygrad_ru.nn`` hold the
parameters and call these.  The implementations live in ``tinygrad_ru.ops`` (``conv``,
``conv_groups``, ``adaptive_pool``, ``movement``, ``nn_ops``, ``activation``).
"""

from __future__ import annotations

from ..ops.activation import elu, gelu, leaky_relu, relu, sigmoid, silu, softplus, tanh
from ..ops.adaptive_pool import adaptive_avg_pool2d, adaptive_max_pool2d
from ..ops.conv import avg_pool2d, max_pool2d
from ..ops.conv_groups import conv2d
from ..ops.movement import flatten, pad
from ..ops.nn_ops import (
    batch_norm,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    dropout,
    embedding,
    huber_loss,
    kl_div,
    l1_loss,
    l1_penalty,
    l2_penalty,
    layer_norm,
    linear,
    log_softmax,
    mse_loss,
    nll_loss,
    one_hot,
    prelu,
    smooth_l1_loss,
    softmax,
)

swish = silu  # the lecture's name for x·σ(x)

__all__ = [
    "adaptive_avg_pool2d", "adaptive_max_pool2d", "embedding", "huber_loss", "kl_div", "smooth_l1_loss",
    "avg_pool2d", "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits", "conv2d",
    "cross_entropy", "dropout", "elu", "flatten", "gelu", "l1_loss", "l1_penalty", "l2_penalty", "layer_norm",
    "leaky_relu", "linear", "log_softmax", "max_pool2d", "mse_loss", "nll_loss", "one_hot", "pad", "prelu",
    "relu", "sigmoid", "silu", "softmax", "softplus", "swish", "tanh",
]
