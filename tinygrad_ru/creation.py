"""Factory functions: tensors of zeros, ones, random numbers, ranges (PyTorch's names)."""

from __future__ import annotations

from typing import Any

from . import backend
from .tensor import Tensor


def _shape(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _make(array: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    return Tensor(backend.to_device(array, device or "cpu"), requires_grad=requires_grad,
                  dtype=backend.as_dtype(dtype))


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    xp = backend.array_module(device)
    return Tensor(xp.zeros(_shape(size), dtype=backend.as_dtype(dtype)), requires_grad=requires_grad,
                  dtype=dtype, device=device)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    xp = backend.array_module(device)
    return Tensor(xp.ones(_shape(size), dtype=backend.as_dtype(dtype)), requires_grad=requires_grad,
                  dtype=dtype, device=device)


def full(size: Any, fill_value: float, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    xp = backend.array_module(device)
    return Tensor(xp.full(_shape((size,)), fill_value, dtype=backend.as_dtype(dtype)),
                  requires_grad=requires_grad, dtype=dtype, device=device)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(t.shape, dtype=dtype or t.dtype, device=t.device, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(t.shape, dtype=dtype or t.dtype, device=t.device, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return full(t.shape, fill_value, dtype=dtype or t.dtype, device=t.device, requires_grad=requires_grad)


def randn(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the library's generator (see ``manual_seed``)."""
    a = backend.rng().standard_normal(_shape(size)).astype(backend.as_dtype(dtype))
    return _make(a, dtype, device, requires_grad)


def rand(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    a = backend.rng().random(_shape(size)).astype(backend.as_dtype(dtype))
    return _make(a, dtype, device, requires_grad)


def randint(low: int, high: int, size: Any, device: Any = None) -> Tensor:
    a = backend.rng().integers(low, high, size=_shape((size,)), dtype=backend.int64)
    return Tensor(backend.to_device(a, device or "cpu"))


def randperm(n: int, device: Any = None) -> Tensor:
    return Tensor(backend.to_device(backend.rng().permutation(n).astype(backend.int64), device or "cpu"))


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    xp = backend.array_module(device)
    integral = all(isinstance(v, int) for v in (start, end, step))
    dt = backend.as_dtype(dtype) if dtype is not None else (backend.int64 if integral else backend.get_default_dtype())
    return Tensor(xp.arange(start, end, step, dtype=dt), requires_grad=requires_grad, dtype=dt)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None) -> Tensor:
    xp = backend.array_module(device)
    return Tensor(xp.linspace(start, end, steps, dtype=backend.as_dtype(dtype)))


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    xp = backend.array_module(device)
    return Tensor(xp.eye(n, m, dtype=backend.as_dtype(dtype)), requires_grad=requires_grad, dtype=dtype)


def from_numpy(array: Any) -> Tensor:
    """A Tensor that shares memory with a NumPy array and keeps its dtype (``torch.from_numpy``).

    Writing into one changes the other; float64 stays float64 (``tg.tensor(array)`` copies and,
    without ``dtype=``, follows the default-dtype rule instead).
    """
    if not isinstance(array, backend.host.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    if array.dtype.kind not in "fciub":
        raise TypeError(f"can't convert np.ndarray of type {array.dtype}. The only supported types are: "
                        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
                        "uint64, uint32, uint16, uint8, and bool.")
    return Tensor(array, dtype=array.dtype)
