"""Factory functions: tensors of zeros, ones, random numbers, ranges (PyTorch's names)."""

from __future__ import annotations

import warnings
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
    """A new leaf tensor holding a copy of ``data`` (``torch.tensor``): a list, a number, an array or a Tensor.

    Unlike ``Tensor(array)`` and ``from_numpy``, the result never shares memory with ``data``, so later
    writes to either leave the other alone (as in PyTorch).
    """
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than tg.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        data = data.data
    out = Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)
    if type(out.data) is type(data) and backend.get_array_module(data).may_share_memory(out.data, data):
        out.data = out.data.copy()
    return out


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


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, *, device: Any = None) -> Tensor:
    return zeros(t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, *, device: Any = None) -> Tensor:
    return ones(t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value: float, dtype: Any = None, requires_grad: bool = False, *,
              device: Any = None) -> Tensor:
    return full(t.shape, fill_value, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


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


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape whose values are not to be relied on (``torch.empty``).

    Here they are zeros: NumPy's uninitialised memory would make runs irreproducible for no gain.
    """
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002 - torch's name
               requires_grad: bool = False) -> Tensor:
    """A tensor shaped like ``input`` (its dtype and device unless given) with unspecified values:
    zeros here, as :func:`empty`."""
    return zeros_like(input, dtype, requires_grad, device=device)


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` points base^{start}, …, base^{end}, evenly spaced in the exponent (``torch.logspace``);
    an integer ``dtype`` truncates, as torch."""
    if steps < 0:
        raise RuntimeError(f"logspace: number of steps must be non-negative, got {steps}")
    xp = backend.array_module(device)
    values = xp.logspace(start, end, steps, base=base).astype(backend.as_dtype(dtype))
    return Tensor(values, requires_grad=requires_grad, dtype=backend.as_dtype(dtype))


def rand_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """Samples of U[0, 1) shaped like ``input`` (its floating dtype unless ``dtype`` is given)."""
    return empty_like(input, dtype=dtype, device=device).uniform_(0.0, 1.0).requires_grad_(requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    """Samples of N(0, 1) shaped like ``input`` (its floating dtype unless ``dtype`` is given)."""
    return empty_like(input, dtype=dtype, device=device).normal_(0.0, 1.0).requires_grad_(requires_grad)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *, dtype: Any = None,  # noqa: A002
                 device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high) shaped like ``input``, in its dtype (floats too);
    ``randint_like(input, high)`` draws from [0, high), as torch."""
    if high is None:
        low, high = 0, low
    return empty_like(input, dtype=dtype, device=device).random_(low, high).requires_grad_(requires_grad)


def get_rng_state() -> Tensor:
    """The state of the library's generator as a uint8 tensor (torch's ByteTensor); see :func:`set_rng_state`."""
    return Tensor(backend.get_rng_state(), dtype=backend.uint8)


def set_rng_state(new_state: Tensor) -> None:
    """Restore a state from :func:`get_rng_state`: the draws after it repeat exactly those made after
    the state was taken."""
    if not isinstance(new_state, Tensor):
        raise TypeError(f"set_rng_state: expected a uint8 Tensor from get_rng_state, got {type(new_state).__name__}")
    backend.set_rng_state(new_state.data)
