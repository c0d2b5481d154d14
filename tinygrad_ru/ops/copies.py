"""Copies, dtype casts and device moves; each backward hands the gradient back unchanged in kind
(a copy's is the gradient itself, a cast's casts back, a move's moves back)."""

from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor


def _constant(array: Any) -> Tensor:
    return Tensor._wrap(array, False)


class Clone(Function):
    saves = ()  # backward reads no input value (only shapes)

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return g


class Cast(Function):
    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, dtype: Any) -> None:
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, g):
        return cast(g, self.in_dtype)


class ToDevice(Function):
    saves = ()  # backward reads no input value (only shapes)

    def __init__(self, device: Any) -> None:
        self.device = device

    def forward(self, x):
        self.in_device = backend.device_of(x)
        return backend.to_device(x, self.device)

    def backward(self, g):
        return to_device(g, self.in_device)


def clone(x: Tensor) -> Tensor:
    return Clone()(x)


def cast(x: Tensor, dtype: Any) -> Tensor:
    if x.dtype == dtype:
        return x
    if x.requires_grad and backend.as_dtype(dtype).kind not in "fc":
        return _constant(x.data.astype(dtype))
    return Cast(backend.as_dtype(dtype))(x)


def to_device(x: Tensor, device: Any) -> Tensor:
    return ToDevice(device)(x)


__all__ = [
    "clone", "cast", "to_device",
]
