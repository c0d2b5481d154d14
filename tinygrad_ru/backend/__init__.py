"""The one place that knows which array library runs the numbers (this package; its parts:
``dtypes`` — dtypes and torch's promotion rules, ``policy`` — the device policy, ``threads`` — the
CPU's BLAS threads, ``host_special`` — erf & co. on the host).

Everything else in tinygrad_ru asks this module for the array module of some data
(``get_array_module``) or of a device (``array_module``), so that the same code runs on
NumPy (CPU) and on CuPy (GPU).  A device backend is a small record: the array module, the
array type it produces, and how to move arrays to and from the host.  Tests register a
stand-in backend through :func:`register_device` to prove that the compute path never
names NumPy directly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from .dtypes import _DTYPE_NAMES as _DTYPE_NAMES  # the dtype names Module.to / Tensor.to accept
from .dtypes import (
    as_dtype,
    bool_,
    can_cast,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    is_floating,
    promote_types,
    set_default_dtype,
    uint8,
)
from .host_special import host_function
from .policy import CPU_POLICY, DevicePolicy, accelerator_policy
from .threads import _blas_controller, get_num_threads, set_num_threads

try:  # CuPy is optional: the "gpu" extra
    import cupy as _cupy
except Exception:  # pragma: no cover - depends on the machine
    _cupy = None

__all__ = [
    "float16", "float32", "float64", "int32", "int64", "bool_", "uint8", "int8", "int16",
    "promote_types", "can_cast", "finfo", "iinfo", "get_rng_state", "set_rng_state", "seed", "initial_seed",
    "get_num_threads", "set_num_threads",
    "DeviceBackend", "register_device", "parse_device", "array_module", "get_array_module",
    "device_of", "to_device", "to_numpy", "as_dtype", "get_default_dtype", "set_default_dtype",
    "manual_seed", "rng", "is_floating", "cuda_is_available", "device", "device_count", "known_devices",
    "synchronize", "device_name",
    "DevicePolicy", "CPU_POLICY", "accelerator_policy", "policy", "elementwise", "elementwise_update",
    "blas_single_thread",
]

host = np  # the host array module: where user data, files and printing live

# A decorator: the enclosed array work gives ±inf/nan at domain edges (x/0, log 0) without NumPy's
# RuntimeWarning, as PyTorch does (CuPy never warns).  One object serves every call and thread: NumPy
# keeps the state of a decorated call per call.
quiet_float_errors = np.errstate(divide="ignore", invalid="ignore")


@contextmanager
def blas_single_thread(like: Any = None):
    """Run the enclosed GEMMs on one BLAS thread when the policy of ``like``'s device asks for it.

    Uses threadpoolctl (a runtime dependency); where it cannot be imported or finds no BLAS, this does nothing.
    """
    blas = _blas_controller() if policy(like).small_gemms_single_thread else False
    if not blas:
        yield
        return
    with blas.limit(limits=1, user_api="blas"):
        yield


# ----------------------------------------------------------------------------- devices
@dataclass(frozen=True)
class DeviceBackend:
    """How one kind of device stores arrays.

    ``xp`` is the array module (NumPy's API), ``array_type`` the type of its arrays,
    ``from_host(ndarray, index)`` and ``to_host(array)`` move data across.
    ``scatter_add(target, index, values)`` (``target[index] += values`` with repeated indices
    accumulating) and ``erf(array)`` are the two functions NumPy's API lacks on every array
    module; a backend that leaves them None gets NumPy's (cpu) or CuPy's (cuda) version.
    ``policy`` sizes the work per call (:class:`DevicePolicy`); ``fuse(fn)`` turns an elementwise
    formula into one kernel (``cupy.fuse`` on a GPU; None: the formula runs as written).
    """

    name: str
    xp: Any
    array_type: type
    from_host: Callable[[np.ndarray, int], Any]
    to_host: Callable[[Any], np.ndarray]
    index_of: Callable[[Any], int] = lambda a: 0
    scatter_add: Callable[[Any, Any, Any], None] | None = None
    erf: Callable[[Any], Any] | None = None
    policy: DevicePolicy = CPU_POLICY
    fuse: Callable[[Callable], Callable] | None = None


_BACKENDS: dict[str, DeviceBackend] = {
    "cpu": DeviceBackend("cpu", np, np.ndarray, lambda a, i: a, lambda a: a),
}


def _cupy_from_host(a: np.ndarray, index: int):  # pragma: no cover - needs a GPU
    with _cupy.cuda.Device(index):
        return _cupy.asarray(a)


def _cupy_free_memory() -> int:  # pragma: no cover - needs a GPU
    """Free bytes on the current GPU, counting what CuPy's memory pool holds but does not use."""
    free, _total = _cupy.cuda.runtime.memGetInfo()
    return int(free + _cupy.get_default_memory_pool().free_bytes())


if _cupy is not None:  # pragma: no cover - needs CuPy
    _BACKENDS["cuda"] = DeviceBackend(
        "cuda", _cupy, _cupy.ndarray, _cupy_from_host, _cupy.asnumpy, lambda a: a.device.id,
        policy=accelerator_policy(_cupy_free_memory), fuse=_cupy.fuse,
    )


_KERNELS: dict[tuple, Callable] = {}  # (formula, array type, switches…) → the function or fused kernel


def register_device(backend: DeviceBackend) -> None:
    """Add (or replace) a device kind, e.g. a stand-in accelerator for tests."""
    _BACKENDS[backend.name] = backend
    _KERNELS.clear()


def unregister_device(name: str) -> None:
    if name != "cpu":
        _BACKENDS.pop(name, None)
        _KERNELS.clear()


def cuda_is_available() -> bool:
    """Whether CuPy is installed and sees at least one GPU (``tg.cuda.is_available()``)."""
    return device_count("cuda") > 0


def known_devices() -> list[str]:
    """The device kinds this process can use (``["cpu"]``, plus ``"cuda"`` with CuPy, plus registered ones)."""
    return sorted(_BACKENDS)


def device_count(kind: str = "cuda") -> int:
    """How many devices of a kind this machine has (``"cuda"``: CuPy's count, 0 without CuPy)."""
    if kind == "cpu":
        return 1
    if kind == "cuda":
        if _cupy is None:
            return 0
        try:  # pragma: no cover - needs a GPU
            return int(_cupy.cuda.runtime.getDeviceCount())
        except Exception:
            return 0
    return 1 if kind in _BACKENDS else 0


# the device type names torch.device accepts (a device object may name one this machine lacks)
_TORCH_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
                       "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class device(str):  # noqa: N801 - the PyTorch name
    """A device as ``torch.device``: ``device("cpu")``, ``device("cuda:1")``, ``device("cuda", 1)``.

    ``.type`` is the kind (``"cpu"``, ``"cuda"``, …) and ``.index`` the number or None when the
    string names none.  It *is* its string (``str(device("cuda", 1)) == "cuda:1"``), so it is
    accepted wherever a device string is; unlike ``torch.device`` it also compares equal to that
    string.  Making one checks only the spelling: using a device this machine lacks fails where
    it is used, as in PyTorch.
    """

    __slots__ = ("type", "index")

    def __new__(cls, type: Any, index: int | None = None) -> device:  # noqa: A002 - torch's keyword
        if isinstance(type, device) and index is None:
            return type
        if isinstance(type, int) and not isinstance(type, bool) and index is None:
            if device_count("cuda") == 0:
                raise RuntimeError("Cannot access accelerator device when none is available.")
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string or a device index, got {type!r}")
        kind, colon, idx = type.partition(":")
        if colon:
            if index is not None:
                raise RuntimeError(f"device(): type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if kind not in _TORCH_DEVICE_TYPES and kind not in _BACKENDS:
            raise RuntimeError(f"Expected one of {', '.join(_TORCH_DEVICE_TYPES)} device type at start of "
                               f"device string: {type}")
        if index is not None:
            index = int(index)
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self = super().__new__(cls, kind if index is None else f"{kind}:{index}")
        self.type, self.index = kind, index
        return self

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type={self.type!r})"
        return f"device(type={self.type!r}, index={self.index})"

    def __reduce__(self) -> tuple:  # pickles (worker processes, checkpoints) as device("cuda:1")
        return (device, (str(self),))


def parse_device(device: Any) -> tuple[str, int]:
    """``"cpu"``, ``"cuda"``, ``"cuda:1"`` → (kind, index)."""
    if device is None:
        return "cpu", 0
    text = str(device)
    kind, _, idx = text.partition(":")
    if kind not in _BACKENDS:
        if kind == "cuda":
            raise RuntimeError(
                "device 'cuda' is not available: install CuPy (pip install 'tinygrad-ru[gpu]') "
                "on a machine with an NVIDIA GPU"
            )
        raise ValueError(f"unknown device {text!r}; known devices: {sorted(_BACKENDS)}")
    try:
        index = int(idx) if idx else 0
    except ValueError:
        raise ValueError(f"bad device index in {text!r}") from None
    return kind, index


def _backend_of_array(a: Any) -> DeviceBackend:
    if isinstance(a, np.ndarray):
        return _BACKENDS["cpu"]
    for b in _BACKENDS.values():
        if isinstance(a, b.array_type):
            return b
    return _BACKENDS["cpu"]


def policy(*arrays: Any) -> DevicePolicy:
    """The :class:`DevicePolicy` of the device that holds the given arrays (the CPU's for host arrays)."""
    for a in arrays:
        if a is not None and not isinstance(a, (np.ndarray, np.generic, int, float, bool)):
            return _backend_of_array(a).policy
    return CPU_POLICY


def elementwise(formula: Callable[..., Callable], like: Any, **static: Any) -> Callable:
    """One elementwise formula, compiled for the device of ``like``.

    ``formula(xp, **static)`` returns a function of arrays and Python numbers written with
    operators, in-place updates (``m *= beta``) and ``xp.sqrt``-style calls — the readable NumPy
    formula.  On the CPU that function runs as written; on a GPU the backend returns
    ``cupy.fuse(function)``: the whole chain becomes one kernel launch instead of one per operator.
    ``static`` holds the switches that choose the formula's shape (``nesterov=True``…); each
    combination is built and compiled once.
    """
    key = (formula, type(like), *static.items())  # called per parameter per step: keep it cheap
    kernel = _KERNELS.get(key)
    if kernel is None:
        b = _backend_of_array(like)
        fn = formula(b.xp, **static)
        kernel = _KERNELS[key] = b.fuse(fn) if b.fuse is not None else fn
    return kernel


def elementwise_update(formula: Callable[..., Callable], like: Any, **static: Any) -> Callable:
    """An in-place update of same-shape arrays (an optimizer step), built as :func:`elementwise`.

    On a device that works in cache-sized pieces (the CPU's policy) a big update runs block by
    block, so that the formula's several passes over θ, g, m, v stay in cache instead of streaming
    from memory each time; the numbers are the same, element by element.  Measured (1 thread, CPU
    time, 4.1M float32 parameters: the CIFAR net's): SGD momentum 11.7 → 7.0 ms, Adam 35 → 18 ms.
    """
    kernel = elementwise(formula, like, **static)
    if like.size < 1 << 18:  # small parameters (the lecture MLP's): the blocks' calls would cost more
        return kernel
    pol = policy(like)
    if pol.whole_batch:
        return kernel
    block = max(1024, pol.cache_bytes // (2 * like.itemsize))
    return lambda *args: _in_blocks(kernel, block, like.shape, args)


def _in_blocks(kernel: Callable, block: int, shape: tuple, args: tuple) -> None:
    arrays = [a for a in args if hasattr(a, "shape")]
    if any(a.shape != shape or not a.flags.c_contiguous for a in arrays):
        kernel(*args)  # not a plain same-shape update: run it whole
        return
    flat = [a.reshape(-1) if hasattr(a, "shape") else a for a in args]
    for start in range(0, arrays[0].size, block):
        kernel(*[a[start:start + block] if hasattr(a, "shape") else a for a in flat])


def get_array_module(*arrays: Any):
    """The array module (numpy, cupy, …) that owns the given arrays (Chainer's idiom)."""
    for a in arrays:
        if a is not None and not isinstance(a, (np.ndarray, np.generic, int, float, bool)):
            b = _backend_of_array(a)
            if b.name != "cpu":
                return b.xp
    return np


def array_module(device: Any = "cpu"):
    """The array module of a device."""
    return _BACKENDS[parse_device(device)[0]].xp


def synchronize(dev: Any = None) -> None:
    """Wait until device ``dev`` has finished the work queued on it (a GPU runs asynchronously; the
    CPU is always done).  Timings of device work call it before reading the clock."""
    kind, index = parse_device(dev)
    if kind == "cuda":  # pragma: no cover - needs a GPU
        _cupy.cuda.Device(index).synchronize()


def device_name(dev: Any = None) -> str:
    """A readable name of device ``dev``: the GPU's model, or the CPU's."""
    kind, index = parse_device(dev)
    if kind == "cuda":  # pragma: no cover - needs a GPU
        name = _cupy.cuda.runtime.getDeviceProperties(index)["name"]
        return f"cuda:{index} {name.decode() if isinstance(name, bytes) else name}"
    if kind == "cpu":
        import platform

        return f"cpu ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)"
    return f"{kind}:{index}"


def device_of(a: Any) -> device:
    """The :class:`device` an array lives on (``device("cpu")``, ``device("cuda:0")``)."""
    b = _backend_of_array(a)
    return _CPU if b.name == "cpu" else device(b.name, b.index_of(a))


def to_numpy(a: Any) -> np.ndarray:
    """A host (NumPy) copy or view of an array from any device."""
    if isinstance(a, np.ndarray):
        return a
    return _backend_of_array(a).to_host(a)


def to_device(a: Any, device: Any) -> Any:
    """Move an array to a device; no copy when it is already there."""
    kind, index = parse_device(device)
    src = _backend_of_array(a)
    if src.name == kind and (kind == "cpu" or src.index_of(a) == index):
        return a
    host = to_numpy(a)
    return _BACKENDS[kind].from_host(host, index)


_CPU = device("cpu")


# ----------------------------------------------------------------------------- RNG
def _fresh_seed() -> int:
    """A seed from the operating system's entropy (64 bits, as torch's)."""
    return int(np.random.SeedSequence().entropy) % (1 << 64)


_initial_seed = _fresh_seed()  # a fresh one per process, as torch
_rng = np.random.default_rng(_initial_seed)


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the one generator behind everything random in tinygrad_ru (init, dropout, shuffling).

    Random numbers are drawn on the host and moved to the device, so a seeded run gives the
    same numbers on every backend.
    """
    global _rng, _initial_seed
    _initial_seed = int(seed)
    _rng = np.random.default_rng(_initial_seed)
    return _rng


def seed() -> int:
    """Seed the generator from the operating system's entropy and return that seed (``torch.seed``)."""
    s = _fresh_seed()
    manual_seed(s)
    return s


def initial_seed() -> int:
    """The seed the generator was last seeded with (``manual_seed``/``seed``, or the one chosen at import)."""
    return _initial_seed


def get_rng_state() -> np.ndarray:
    """The generator's whole state as bytes (a uint8 array, like torch's ByteTensor): the bit generator's
    state written as JSON, so that :func:`set_rng_state` continues the stream exactly."""
    return np.frombuffer(json.dumps(_rng.bit_generator.state).encode(), dtype=np.uint8).copy()


def set_rng_state(new_state: Any) -> None:
    """Restore a state from :func:`get_rng_state`: the following draws repeat those after it was taken."""
    a = to_numpy(new_state)
    if not isinstance(a, np.ndarray) or a.dtype != np.uint8 or a.ndim != 1:
        raise TypeError(f"set_rng_state: RNG state must be a 1-d uint8 tensor (from get_rng_state), got "
                        f"{getattr(a, 'dtype', type(a).__name__)} of shape {getattr(a, 'shape', None)}")
    try:
        state = json.loads(a.tobytes().decode())
        _rng.bit_generator.state = state
    except (ValueError, TypeError, KeyError) as e:
        raise RuntimeError(f"set_rng_state: not a state from get_rng_state ({e})") from None


def rng() -> np.random.Generator:
    """The library's random generator (see :func:`manual_seed`)."""
    return _rng


# ----------------------------------------------------------------------------- special functions
def special(name: str, x: Any) -> Any:
    """A special function (``"erf"``, ``"erfc"``, ``"erfinv"``) on any backend's array.

    On the host: SciPy's when installed, else Python's ``math`` (the same numbers); on a GPU,
    cupyx.scipy.special's; a registered device may bring its own ``erf``.
    """
    xp = get_array_module(x)
    if xp is not np:
        own = _backend_of_array(x).erf if name == "erf" else None
        if own is not None:
            return own(x)
        import cupyx.scipy.special as cupy_special  # pragma: no cover - needs CuPy

        return getattr(cupy_special, name)(x)
    return host_function(name)(x)


def erf(x: Any) -> Any:
    """The error function on any backend's array (exact: SciPy/CuPy, else Python's math.erf)."""
    return special("erf", x)


def scatter_add(target: Any, index: Any, values: Any) -> None:
    """``target[index] += values`` where repeated indices accumulate (np.add.at / cupyx.scatter_add)."""
    xp = get_array_module(target)
    if xp is np:
        np.add.at(target, index, values)
    elif _backend_of_array(target).scatter_add is not None:
        _backend_of_array(target).scatter_add(target, index, values)
    else:  # pragma: no cover - needs CuPy
        import cupyx

        cupyx.scatter_add(target, index, values)


def is_scalar(value: Any) -> bool:
    """A Python or NumPy number (not an array)."""
    return isinstance(value, (int, float, bool, np.generic))


# ----------------------------------------------------------------------------- strided views
def as_strided(x: Any, shape: tuple[int, ...], strides: tuple[int, ...]) -> Any:
    """A read-only view of ``x`` with the given shape and byte strides (numpy/cupy ``as_strided``).

    The convolution and pooling ops build their sliding windows with it (im2col without copies
    until the one copy into the GEMM operand).
    """
    xp = get_array_module(x)
    if xp is np:
        return np.lib.stride_tricks.as_strided(x, shape=shape, strides=strides, writeable=False)
    return xp.lib.stride_tricks.as_strided(x, shape=shape, strides=strides)
