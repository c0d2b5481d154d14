"""A stand-in accelerator for tests: NumPy arithmetic behind a CuPy-like wall.

``DeviceArray`` wraps a NumPy array but, like ``cupy.ndarray``, is *not* a NumPy array:

* implicit conversion to NumPy fails: ``np.asarray(a)`` / ``np.array(a)`` raise TypeError
  (``__array__``), as CuPy does ("Implicit conversion to a NumPy array is not allowed");
* mixing with host arrays fails: ``a + np_array``, ``np_array * a``, ``xp.add(a, np_array)``,
  ``a[idx] = np_array`` raise TypeError.  Python and NumPy *scalars* mix freely (CuPy allows them);
* calling a NumPy function by name on it (``np.concatenate([a, b])``, ``np.exp(a)``) raises: the
  compute path must take its array module from the backend (``backend.get_array_module``).
  Real CuPy would accept some of these through its own ``__array_function__``, but the
  project's rule is stricter than CuPy: no ``numpy`` by name in compute code;
* reductions return 0-d device arrays, not NumPy scalars (as CuPy does);
* every device → host read (``to_host``, ``.item()``, ``float()``, ``int()``, ``bool()``…) is
  counted in ``host_reads``: on a GPU each one waits for all queued work.

``xp`` is the array module of this "device": every NumPy function and submodule, taking and
returning ``DeviceArray``.  Like ``cupy.asarray``, ``xp.asarray``/``xp.array`` also accept host
arrays (an explicit host→device copy).

``register()`` adds the device ``"fake"`` to ``tinygrad_ru.backend``; ``unregister()`` removes it.
The arithmetic is NumPy's, so a seeded run on ``"fake"`` must give exactly the numbers of a run
on ``"cpu"``.
"""

from __future__ import annotations

import operator
import types
from typing import Any

import numpy as np

__all__ = ["DeviceArray", "xp", "register", "unregister", "to_host", "from_host", "DEVICE", "MixingError"]

DEVICE = "fake"


class MixingError(TypeError):
    """A host (NumPy) array met a device array, or NumPy was called on a device array."""


_SCALARS = (int, float, complex, bool, np.generic)


def _unwrap(x: Any, where: str, allow_host: bool = False) -> Any:
    """The NumPy array behind ``x``; containers are unwrapped element by element."""
    if type(x) is DeviceArray:
        return x._a
    if isinstance(x, np.ndarray):
        if allow_host:
            return x
        raise MixingError(
            f"{where}: a host numpy.ndarray (shape {x.shape}, dtype {x.dtype}) was mixed with device "
            f"arrays; move it to the device first (backend.to_device) — CuPy refuses this too"
        )
    if isinstance(x, list):
        return [_unwrap(v, where, allow_host) for v in x]
    if isinstance(x, tuple):
        return tuple(_unwrap(v, where, allow_host) for v in x)
    return x


def _wrap(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return DeviceArray(x)
    if isinstance(x, np.generic) and not isinstance(x, (np.str_, np.bytes_)):
        return DeviceArray(np.asarray(x))  # reductions give 0-d device arrays (CuPy)
    if isinstance(x, tuple):
        return tuple(_wrap(v) for v in x)
    if isinstance(x, list):
        return [_wrap(v) for v in x]
    return x


def _binary(op, reflected: bool = False):
    def method(self, other):
        if isinstance(other, DeviceArray):
            o = other._a
        elif isinstance(other, np.ndarray):
            raise MixingError(
                f"operator {op.__name__}: a device array and a host numpy.ndarray of shape {other.shape} "
                "(move it with backend.to_device first; CuPy refuses this too)"
            )
        elif isinstance(other, _SCALARS):
            o = other
        else:
            return NotImplemented  # e.g. a Tensor: let its reflected operator run
        return _wrap(op(o, self._a) if reflected else op(self._a, o))

    method.__name__ = op.__name__
    return method


def _inplace(op):
    def method(self, other):
        if isinstance(other, DeviceArray):
            o = other._a
        elif isinstance(other, np.ndarray):
            raise MixingError(
                f"in-place {op.__name__}: a device array and a host numpy.ndarray of shape {other.shape}"
            )
        elif isinstance(other, _SCALARS):
            o = other
        else:
            return NotImplemented
        op(self._a, o)
        return self

    return method


host_reads = 0  # device → host transfers so far (each waits for the device on a real GPU)


def _count_read() -> None:
    global host_reads
    host_reads += 1


class DeviceArray:
    """An array that lives on the stand-in device (see the module docstring)."""

    __slots__ = ("_a", "__weakref__")
    __array_priority__ = 10_000

    def __init__(self, a: np.ndarray) -> None:
        if not isinstance(a, np.ndarray):
            raise TypeError(f"DeviceArray wraps a numpy.ndarray, got {type(a).__name__}")
        self._a = a

    # ---- the wall ----------------------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise MixingError(
            "Implicit conversion of a device array to a NumPy array is not allowed (as in CuPy); "
            "use backend.to_numpy(array) for an explicit copy to the host"
        )

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs and any(isinstance(x, np.generic) for x in inputs) and all(
            isinstance(x, (DeviceArray, *_SCALARS)) for x in inputs
        ):
            # ``np.float32(2) * a``: a NumPy scalar's operator lands here; CuPy accepts it too
            return _wrap(ufunc(*_unwrap(inputs, f"numpy.{ufunc.__name__}")))
        if any(isinstance(x, np.ndarray) for x in inputs) or any(
            isinstance(x, np.ndarray) for x in kwargs.get("out", ()) or ()
        ):
            raise MixingError(f"numpy.{ufunc.__name__}: a host numpy.ndarray mixed with a device array")
        raise MixingError(
            f"numpy.{ufunc.__name__}.{method} was called on a device array: compute code must take its "
            "array module from tinygrad_ru.backend (get_array_module / array_module), not name numpy"
        )

    def __array_function__(self, func, types_, args, kwargs):
        raise MixingError(
            f"numpy.{func.__name__} was called on a device array: compute code must take its array "
            "module from tinygrad_ru.backend (get_array_module / array_module), not name numpy"
        )

    # ---- array attributes --------------------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    nbytes = property(lambda self: self._a.nbytes)
    itemsize = property(lambda self: self._a.itemsize)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    T = property(lambda self: DeviceArray(self._a.T))
    mT = property(lambda self: DeviceArray(self._a.mT))
    real = property(lambda self: DeviceArray(self._a.real))
    imag = property(lambda self: DeviceArray(self._a.imag))

    @property
    def base(self):
        return None if self._a.base is None else DeviceArray(self._a.base)

    @property
    def device(self) -> int:
        return 0

    def __getattr__(self, name: str):
        # methods of ndarray: sum, reshape, astype, copy, max, argmax, transpose, fill, ...
        if name.startswith("_"):  # never leak __array_interface__, __array_struct__, __dlpack__ ...
            raise AttributeError(f"DeviceArray has no attribute {name!r}")
        attr = getattr(self._a, name)
        if not callable(attr):
            return _wrap(attr)

        def method(*args, **kwargs):
            where = f"DeviceArray.{name}"
            return _wrap(attr(*_unwrap(args, where), **{k: _unwrap(v, where) for k, v in kwargs.items()}))

        return method

    def get(self) -> np.ndarray:
        """A host copy (``cupy.ndarray.get``)."""
        _count_read()
        return self._a.copy()

    def item(self):
        _count_read()
        return self._a.item()

    def tolist(self):
        _count_read()
        return self._a.tolist()

    def __float__(self) -> float:
        _count_read()
        return float(self._a)

    def __int__(self) -> int:
        _count_read()
        return int(self._a)

    def __index__(self) -> int:
        _count_read()
        return operator.index(self._a)

    def __bool__(self) -> bool:
        _count_read()
        return bool(self._a)

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self):
        for row in self._a:
            yield _wrap(row)

    def __repr__(self) -> str:
        return "DeviceArray(" + np.array2string(self._a, precision=4, separator=", ", threshold=20) + ")"

    __hash__ = None  # type: ignore[assignment]

    def __getitem__(self, index):
        return _wrap(self._a[_unwrap(index, "DeviceArray.__getitem__ (index)", allow_host=True)])

    def __setitem__(self, index, value):
        idx = _unwrap(index, "DeviceArray.__setitem__ (index)", allow_host=True)
        self._a[idx] = _unwrap(value, "DeviceArray.__setitem__ (value)")

    def __neg__(self): return DeviceArray(-self._a)
    def __pos__(self): return DeviceArray(+self._a)
    def __abs__(self): return DeviceArray(abs(self._a))
    def __invert__(self): return DeviceArray(~self._a)

    __add__ = _binary(operator.add)
    __radd__ = _binary(operator.add, reflected=True)
    __sub__ = _binary(operator.sub)
    __rsub__ = _binary(operator.sub, reflected=True)
    __mul__ = _binary(operator.mul)
    __rmul__ = _binary(operator.mul, reflected=True)
    __truediv__ = _binary(operator.truediv)
    __rtruediv__ = _binary(operator.truediv, reflected=True)
    __floordiv__ = _binary(operator.floordiv)
    __rfloordiv__ = _binary(operator.floordiv, reflected=True)
    __mod__ = _binary(operator.mod)
    __rmod__ = _binary(operator.mod, reflected=True)
    __pow__ = _binary(operator.pow)
    __rpow__ = _binary(operator.pow, reflected=True)
    __matmul__ = _binary(operator.matmul)
    __rmatmul__ = _binary(operator.matmul, reflected=True)
    __and__ = _binary(operator.and_)
    __rand__ = _binary(operator.and_, reflected=True)
    __or__ = _binary(operator.or_)
    __ror__ = _binary(operator.or_, reflected=True)
    __xor__ = _binary(operator.xor)
    __rxor__ = _binary(operator.xor, reflected=True)
    __eq__ = _binary(operator.eq)  # type: ignore[assignment]
    __ne__ = _binary(operator.ne)  # type: ignore[assignment]
    __lt__ = _binary(operator.lt)
    __le__ = _binary(operator.le)
    __gt__ = _binary(operator.gt)
    __ge__ = _binary(operator.ge)

    __iadd__ = _inplace(operator.iadd)
    __isub__ = _inplace(operator.isub)
    __imul__ = _inplace(operator.imul)
    __itruediv__ = _inplace(operator.itruediv)
    __ipow__ = _inplace(operator.ipow)
    __iand__ = _inplace(operator.iand)
    __ior__ = _inplace(operator.ior)


# ---------------------------------------------------------------------------------- the module
_HOST_OK = {"asarray", "array", "asanyarray", "ascontiguousarray"}  # explicit host → device copies


class _DeviceFunction:
    """A NumPy function or ufunc seen from the device: device arrays in, device arrays out."""

    __slots__ = ("_f", "_name", "_host_ok")

    def __init__(self, f: Any, name: str) -> None:
        self._f = f
        self._name = name
        self._host_ok = name.rsplit(".", 1)[-1] in _HOST_OK

    def __call__(self, *args, **kwargs):
        where = f"xp.{self._name}"
        a = _unwrap(args, where, self._host_ok)
        kw = {k: _unwrap(v, where, self._host_ok) for k, v in kwargs.items()}
        return _wrap(self._f(*a, **kw))

    def __getattr__(self, name: str):  # ufunc methods: xp.add.at, xp.maximum.reduce, ...
        attr = getattr(self._f, name)
        return _DeviceFunction(attr, f"{self._name}.{name}") if callable(attr) else attr

    def __repr__(self) -> str:
        return f"<device function {self._name}>"


class _DeviceNamespace(types.ModuleType):
    """``numpy`` (or one of its submodules) seen from the device."""

    def __init__(self, module: types.ModuleType, name: str) -> None:
        super().__init__(name)
        self._module = module
        self._cache: dict[str, Any] = {}

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        cache = self.__dict__["_cache"]
        if name in cache:
            return cache[name]
        if name == "ndarray":
            value: Any = DeviceArray
        else:
            attr = getattr(self.__dict__["_module"], name)
            if isinstance(attr, types.ModuleType):
                value = _DeviceNamespace(attr, f"{self.__name__}.{name}")
            elif isinstance(attr, type) or not callable(attr):
                value = attr  # dtypes (xp.float32), constants (xp.inf, xp.newaxis), exception types
            else:
                qualified = f"{self.__name__}.{name}".removeprefix("xp.")
                value = _DeviceFunction(attr, qualified)
        cache[name] = value
        return value


xp = _DeviceNamespace(np, "xp")


def from_host(a: np.ndarray, index: int = 0) -> DeviceArray:
    """Copy a host array to the device (``cupy.asarray``)."""
    return DeviceArray(np.array(a, copy=True))


def to_host(a: DeviceArray) -> np.ndarray:
    """Copy a device array to the host (``cupy.asnumpy``)."""
    if not isinstance(a, DeviceArray):
        raise TypeError(f"to_host expects a DeviceArray, got {type(a).__name__}")
    _count_read()
    return a._a.copy()


def _scatter_add(target: DeviceArray, index: Any, values: Any) -> None:
    idx = _unwrap(index, "scatter_add (index)", allow_host=True)
    np.add.at(target._a, idx, _unwrap(values, "scatter_add (values)"))


def _erf(x: DeviceArray) -> DeviceArray:
    """The device's own erf (as cupyx.scipy.special.erf): the host implementation on the wrapped data."""
    from tinygrad_ru import backend

    return DeviceArray(backend.erf(x._a))


FREE_MEMORY = 1 << 30  # what the stand-in "GPU" reports as free device memory (tests may change it)
fused_calls: dict[str, int] = {}  # kernel name → how many times a fused kernel ran on the device


def _free_memory() -> int:
    return FREE_MEMORY


def _fuse(fn):
    """The device's ``cupy.fuse``: run the formula as written, on device arrays only, and count the call."""
    name = getattr(fn, "__name__", "kernel")

    def kernel(*args):
        for a in args:
            if isinstance(a, np.ndarray):
                raise MixingError(f"fused kernel {name}: a host numpy.ndarray argument of shape {a.shape}")
        fused_calls[name] = fused_calls.get(name, 0) + 1
        return fn(*args)

    kernel.__name__ = name
    return kernel


def register(name: str = DEVICE, gpu_like: bool = False) -> None:
    """Make ``device="fake"`` available in tinygrad_ru.

    By default the device takes the CPU's algorithm choices, so a seeded run gives exactly the
    CPU's numbers.  ``gpu_like=True``: the GPU's choices instead (whole batches bounded by
    ``FREE_MEMORY``, kept im2col columns, argmax pooling, fused elementwise kernels), so that tests
    check the GPU's code paths against the CPU's (equal up to float32 summation order).
    """
    from tinygrad_ru import backend

    fields = backend.DeviceBackend.__dataclass_fields__
    extra = {}
    if "scatter_add" in fields:
        extra["scatter_add"] = _scatter_add
    if "erf" in fields:
        extra["erf"] = _erf
    if gpu_like and "policy" in fields:
        extra["policy"] = backend.accelerator_policy(_free_memory)
        extra["fuse"] = _fuse
    backend.register_device(
        backend.DeviceBackend(name, xp=xp, array_type=DeviceArray, from_host=from_host, to_host=to_host, **extra)
    )


def unregister(name: str = DEVICE) -> None:
    from tinygrad_ru import backend

    backend.unregister_device(name)
