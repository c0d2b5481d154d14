"""Matrix product with NumPy's rules: 1-D vectors, 2-D matrices, batched with broadcasting.

For C = A·B the chain rule gives ∂L/∂A = ∂L/∂C·Bᵀ and ∂L/∂B = Aᵀ·∂L/∂C (summed over broadcast
batch dimensions).
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import broadcast_shapes, operands
from .movement import squeeze, sum_to, transpose, unsqueeze


def _check(a_shape: tuple, b_shape: tuple) -> None:
    if not a_shape or not b_shape:
        raise ValueError(f"matmul: both arguments need at least 1 dimension, got shapes {a_shape} and {b_shape}")
    k_a = a_shape[-1]
    k_b = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    if k_a != k_b:
        raise ValueError(f"matmul: shapes {a_shape} and {b_shape} do not align ({k_a} != {k_b})")
    if len(a_shape) > 2 or len(b_shape) > 2:
        try:
            broadcast_shapes("matmul", a_shape[:-2], b_shape[:-2])
        except ValueError:
            raise ValueError(
                f"matmul: batch dimensions of shapes {a_shape} and {b_shape} cannot be broadcast together"
            ) from None


class MatMul(Function):
    def forward(self, a, b):
        _check(tuple(a.shape), tuple(b.shape))
        return backend.get_array_module(a, b).matmul(a, b)

    def backward(self, g):
        a, b = self.inputs
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:  # dot product: g is a scalar
            ga = g * b if self.needs_input_grad[0] else None
            gb = g * a if self.needs_input_grad[1] else None
            return ga, gb
        if a.ndim == 1:  # (k) @ (..., k, n) -> (..., n)
            if self.needs_input_grad[0]:
                ga = sum_to(squeeze(matmul(b, unsqueeze(g, -1)), -1), a.shape)
            if self.needs_input_grad[1]:
                gb = sum_to(unsqueeze(a, -1) * unsqueeze(g, -2), b.shape)
            return ga, gb
        if b.ndim == 1:  # (..., m, k) @ (k) -> (..., m)
            if self.needs_input_grad[0]:
                ga = sum_to(unsqueeze(g, -1) * b, a.shape)
            if self.needs_input_grad[1]:
                gb = sum_to(squeeze(matmul(transpose(a, -1, -2), unsqueeze(g, -1)), -1), b.shape)
            return ga, gb
        if self.needs_input_grad[0]:
            ga = sum_to(matmul(g, transpose(b, -1, -2)), a.shape)
        if self.needs_input_grad[1]:
            gb = sum_to(matmul(transpose(a, -1, -2), g), b.shape)
        return ga, gb


def matmul(a: Any, b: Any) -> Tensor:
    return MatMul()(*operands(a, b))


__all__ = ["matmul"]
