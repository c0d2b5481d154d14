"""Helpers on lists of parameters: flattening to one vector and back, gradient clipping.

``clip_grad_norm_`` / ``clip_grad_value_`` live in :mod:`tinygrad_ru.autograd.clip_grad` and are re-exported here
under PyTorch's path (``torch.nn.utils.clip_grad_norm_``).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..autograd.clip_grad import clip_grad_norm_, clip_grad_value_, get_total_norm
from ..ops import cat
from ..tensor import Tensor


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """θ = concat(vec(p₁), …, vec(p_n)) — differentiable, so it can be used inside a loss."""
    params = list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    device = params[0].device
    for p in params:
        if p.device != device:
            raise RuntimeError(f"parameters_to_vector: parameters are on different devices ({device}, {p.device})")
    return cat([p.reshape(-1) for p in params], 0)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' data, in place (the inverse of the above)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector, got shape {vec.shape}")
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if total != vec.numel():
        raise ValueError(
            f"vector_to_parameters: the vector has {vec.numel()} elements but the parameters need {total}"
        )
    offset = 0
    for p in params:
        n = p.numel()
        p.data[...] = vec.data[offset:offset + n].reshape(p.shape).astype(p.dtype, copy=False)
        offset += n


__all__ = ["parameters_to_vector", "vector_to_parameters", "clip_grad_norm_", "clip_grad_value_", "get_total_norm"]
