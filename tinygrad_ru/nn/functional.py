"""``tinygrad_ru.nn.functional`` — the stateless neural-network functions (PyTorch's ``F``).

    import tinygrad_ru.nn.functional as F
    logits = F.linear(F.relu(F.linear(x, W1, b1)), W2, b2)
    loss = F.cross_entropy(logits, labels, label_smoothing=0.1)

Everything here is a function of tensors and options; the layers in ``tinygrad_ru.nn`` hold the
parameters and call these.  This module is the public *address* of the functional API, as in
PyTorch, not a second home: the implementations are the ops in ``tinygrad_ru.ops`` (``dense``,
``softmax_family``, ``losses``, ``regression_losses``, ``normalization``, ``activation``, ``conv``,
``conv_groups``, ``adaptive_pool``, ``movement``), which Tensor's methods use too, and the names
are listed once, in ``tinygrad_ru.ops.FUNCTIONAL``.
"""

from __future__ import annotations

from .. import ops as _ops

globals().update({name: getattr(_ops, name) for name in _ops.FUNCTIONAL})

swish = _ops.silu  # the lecture's name for x·σ(x)

__all__ = [*_ops.FUNCTIONAL, "swish"]
