"""Questions about tensors, answered without a graph: ``allclose``/``isclose``/``equal``, ``is_tensor``,
``is_floating_point``, ``is_nonzero`` and ``result_type`` (the dtype an arithmetic op would give)."""

from __future__ import annotations

from typing import Any

from .. import backend
from ..tensor import Tensor
from ._util import broadcast_shapes, operands

__all__ = ["allclose", "isclose", "equal", "is_tensor", "is_floating_point", "is_nonzero", "result_type"]


def _tensor_arg(op: str, name: str, position: int, value: Any) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}")
    return value


def _close_operands(op: str, input: Tensor, other: Tensor) -> tuple[Any, Any]:  # noqa: A002 - torch's name
    """The two arrays of isclose/allclose: both Tensors of one dtype, broadcastable (torch's RuntimeErrors)."""
    _tensor_arg(op, "input", 1, input)
    _tensor_arg(op, "other", 2, other)
    if input.dtype != other.dtype:
        raise RuntimeError(f"{op}(): input and other must have the same dtype, got {input.dtype} and {other.dtype}")
    broadcast_shapes(op, tuple(input.shape), tuple(other.shape))
    return input._data, other._data


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """Elementwise |input − other| ≤ atol + rtol·|other| (a bool tensor, broadcast; NaNs equal only
    with ``equal_nan``).  Both must be tensors of one dtype, as in torch."""
    a, b = _close_operands("isclose", input, other)
    return Tensor._wrap(input.xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan), False)


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> bool:
    """Whether every element satisfies |input − other| ≤ atol + rtol·|other| (``isclose(...).all()``)."""
    a, b = _close_operands("allclose", input, other)
    return bool(input.xp.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """True when both tensors have the same shape and the same values (dtypes may differ; NaN ≠ NaN)."""
    _tensor_arg("equal", "input", 1, input)
    _tensor_arg("equal", "other", 2, other)
    return input.shape == other.shape and bool(input.xp.array_equal(input._data, other._data))


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    """Whether the tensor's dtype is a floating one (float16/32/64)."""
    return _tensor_arg("is_floating_point", "input", 1, input).is_floating_point()


def is_nonzero(input: Tensor) -> bool:  # noqa: A002
    """The truth of a one-element tensor (``bool(input)``); more or fewer elements are ambiguous."""
    _tensor_arg("is_nonzero", "input", 1, input)
    if input.numel() == 0:
        raise RuntimeError("is_nonzero: Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError(f"is_nonzero: Boolean value of Tensor with more than one value is ambiguous "
                           f"(shape {input.shape})")
    return bool(input.item())


def result_type(tensor1: Any, tensor2: Any) -> Any:
    """The dtype of ``tensor1 ∘ tensor2`` for an arithmetic op here (a Tensor or a number each): the
    operands' promotion of the ops (a number takes a tensor's dtype within its kind; integers meet
    floats in the floating dtype), then NumPy's rule between two tensors' dtypes."""
    if not isinstance(tensor1, Tensor) and not isinstance(tensor2, Tensor):
        if not (backend.is_scalar(tensor1) and backend.is_scalar(tensor2)):
            raise TypeError(f"result_type(): expected Tensors or numbers, got {type(tensor1).__name__} and "
                            f"{type(tensor2).__name__}")
        tensor1 = Tensor(tensor1)
    a, b = operands(tensor1, tensor2)
    return backend.promote_types(a.dtype, b.dtype)
