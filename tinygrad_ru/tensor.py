"""``Tensor``: an array that remembers how it was computed.

A Tensor wraps a raw array (``.data``: numpy.ndarray or cupy.ndarray).  When it is the output
of a differentiable operation on tensors that require gradients, ``grad_fn`` points to the
:class:`~tinygrad_ru.autograd.Function` that created it; following ``grad_fn`` → inputs →
``grad_fn`` … is walking the computational graph backwards, which is what ``backward()`` does.

The one import cycle of the package is here: Tensor ↔ ops.  Every op (``tinygrad_ru.ops``) makes
Tensors, and Tensor's methods (``t.exp()``, ``t + u``; the one-op methods live in the mixin
``_tensor_ops.TensorOps``) call the ops.  It is broken the only way it can be: this module defines
``Tensor`` first and imports ``ops`` at its very end (then binds them for the mixin), so whichever
side is imported first, ``Tensor`` exists before any op module needs it.  The autograd engine and
hooks, which also need Tensor, are imported at the end for the same reason.
"""

from __future__ import annotations

import operator
from typing import Any

from . import _tensor_ops, backend
from ._tensor_ops import TensorOps

# the host array module (NumPy), for converting user data and printing: asked of the backend
np = backend.host

# how many in-place modifications happened so far, over all tensors: a Function whose backward
# finds the same count as when it was recorded skips checking its inputs' versions one by one
_inplace_clock = [0]

# how Tensor.__repr__ prints the values (set_printoptions); threshold 50, not torch's 1000: a
# lecture's tensors are read on a slide, a summary with "..." reads better there
_DEFAULT_PRINT = dict(precision=4, threshold=50, edgeitems=3, linewidth=80, sci_mode=None)
_PRINT_PROFILES = {
    "default": _DEFAULT_PRINT,
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80, sci_mode=None),
    "full": dict(precision=4, threshold=float("inf"), edgeitems=3, linewidth=80, sci_mode=None),
}
_print_options = dict(_DEFAULT_PRINT)


def set_printoptions(precision: int | None = None, threshold: float | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None, sci_mode: bool | None = None) -> None:
    """How tensors print, as ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point (4).
        threshold: more elements than this print as a summary with "..." (50 here; torch's is 1000).
        edgeitems: items shown at each end of a summarised dimension (3).
        linewidth: characters per line before wrapping (80).
        profile: ``"default"``, ``"short"`` or ``"full"`` (no summary), applied before the other options.
        sci_mode: True always scientific notation, False never, None (default) NumPy's choice.
            As in torch, every call sets it (to None when not given).
    """
    if profile is not None:
        if profile not in _PRINT_PROFILES:
            raise ValueError(f"set_printoptions: unknown profile {profile!r}; use one of {sorted(_PRINT_PROFILES)}")
        _print_options.update(_PRINT_PROFILES[profile])
    for key, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                       ("linewidth", linewidth)):
        if value is not None:
            _print_options[key] = value
    _print_options["sci_mode"] = sci_mode


def _array_text(a: Any) -> str:
    """The values of a host array as ``Tensor.__repr__`` prints them (the current print options)."""
    opts = _print_options
    threshold = opts["threshold"]
    kw: dict[str, Any] = dict(precision=opts["precision"], separator=", ", edgeitems=opts["edgeitems"],
                              max_line_width=opts["linewidth"] - len("tensor("),
                              threshold=threshold if threshold < np.iinfo(np.int64).max else np.iinfo(np.int64).max)
    if opts["sci_mode"] is True and a.dtype.kind in "fc":
        kw["formatter"] = {"float_kind": lambda v: np.format_float_scientific(v, precision=opts["precision"],
                                                                                   unique=False)}
    elif opts["sci_mode"] is False:
        kw["suppress_small"] = True
        kw["floatmode"] = "fixed"
    return np.array2string(a, **kw)


def _to_array(data: Any, dtype: Any, device: Any):
    """Turn user data into an array of the requested dtype on the requested device."""
    if isinstance(data, Tensor):
        data = data.data
    xp = backend.get_array_module(data)
    if xp is np:
        try:
            arr = np.asarray(data)
        except ValueError:  # NumPy's "inhomogeneous shape": nested lists of different lengths
            raise ValueError(
                f"Tensor: ragged data: the nested sequences of this {type(data).__name__} have different lengths, "
                "a tensor needs a rectangular shape"
            ) from None
        if arr.dtype == object:  # None, dicts, arbitrary objects: as PyTorch, RuntimeError
            inner = data
            while isinstance(inner, (list, tuple)) and inner:
                inner = inner[0]
            raise RuntimeError(
                f"Tensor: Could not infer dtype of {type(inner).__name__}: a tensor holds numbers "
                f"(got {type(data).__name__} data)"
            )
        if arr.dtype.kind in "USV":  # strings, bytes, records: not numbers
            raise ValueError(
                f"Tensor: cannot build a tensor from {arr.dtype.kind == 'U' and 'strings' or 'non-numeric data'} "
                f"(dtype {arr.dtype}); convert them to numbers first, e.g. [float(s) for s in data]"
            )
    else:
        arr = data
    if dtype is not None:
        target = backend.as_dtype(dtype)
    elif arr.dtype == np.float64 and not isinstance(data, (np.ndarray, np.generic)):
        target = backend.get_default_dtype()  # Python floats: the default dtype (an array keeps its own)
    else:
        target = arr.dtype
    if arr.dtype != target:
        arr = arr.astype(target)
    if device is not None:
        arr = backend.to_device(arr, device)
    return arr


class Tensor(TensorOps):
    """A multi-dimensional array with reverse-mode automatic differentiation.

    ``Tensor(data, requires_grad=False, dtype=None, device="cpu", name=None)``.

    As in ``torch.tensor``: Python floats become the default dtype (float32) unless ``dtype`` is
    given, while a NumPy array keeps its dtype (a float64 array stays float64); integer and
    boolean data keep an integer/boolean dtype (labels, masks).  ``name`` labels the node in
    graph pictures.

    ``.data`` is the raw array (numpy/cupy), outside the graph.  PyTorch's update idiom
    ``p.data -= lr * p.grad`` updates ``p`` in place (see ``__array_ufunc__``), and assigning a
    Tensor to ``.data`` stores its array.
    """

    # _version: how many times the data was modified in place (see _bump_version); _hooks: the
    # gradient hooks of register_hook (None until one is registered)
    __slots__ = ("_data", "grad", "requires_grad", "grad_fn", "_generation", "name", "_retains_grad",
                 "_version", "_hooks", "__weakref__")
    __array_priority__ = 1000  # numpy scalar/array on the left defers to Tensor's operators

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        dtype: Any = None,
        device: Any = None,
        name: str | None = None,
    ) -> None:
        self._data = _to_array(data, dtype, device)
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError(
                f"only tensors of floating point dtype can require gradients (got {self.data.dtype})"
            )
        self.requires_grad = bool(requires_grad)
        self.grad: Tensor | None = None
        self.grad_fn = None
        self._generation = 0
        self.name = name
        self._retains_grad = False
        self._version = 0
        self._hooks = None

    @classmethod
    def _wrap(cls, array: Any, requires_grad: bool) -> Tensor:
        """Fast internal constructor: no conversion, no checks."""
        t = object.__new__(cls)
        t._data = array
        t.requires_grad = requires_grad
        t.grad = None
        t.grad_fn = None
        t._generation = 0
        t.name = None
        t._retains_grad = False
        t._version = 0
        t._hooks = None
        return t

    # ------------------------------------------------------------------ properties
    def _set_data(self, value: Any) -> None:
        if isinstance(value, Tensor):
            value = value._data
        elif backend.is_scalar(value):
            value = backend.get_array_module(self._data).asarray(value)
        elif not (hasattr(value, "shape") and hasattr(value, "dtype")):
            raise TypeError(f"Tensor.data: expected a Tensor or an array, got {type(value).__name__}")
        self._data = value

    # reads are a C-level attribute fetch (the hot path); assignment unwraps a Tensor
    data = property(operator.attrgetter("_data"), _set_data, doc="The raw array (numpy/cupy), outside the graph.")

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def device(self) -> str:
        return backend.device_of(self.data)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def xp(self):
        """The array module (numpy or cupy) of this tensor's data."""
        return backend.get_array_module(self.data)

    def size(self, dim: int | None = None):
        return self.shape if dim is None else self.shape[dim]

    def numel(self) -> int:
        return int(self.data.size)

    def dim(self) -> int:
        return self.data.ndim

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def nelement(self) -> int:
        return int(self._data.size)

    def ndimension(self) -> int:
        return self._data.ndim

    def element_size(self) -> int:
        """Bytes per element (4 for float32)."""
        return int(self._data.dtype.itemsize)

    @property
    def itemsize(self) -> int:
        return int(self._data.dtype.itemsize)

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return True  # every tensor here behaves as a contiguous one

    @property
    def is_cuda(self) -> bool:
        return str(self.device).startswith("cuda")

    @property
    def is_cpu(self) -> bool:
        return str(self.device) == "cpu"

    def __iter__(self):
        """Iterate over dim 0 (each item a differentiable slice), as PyTorch."""
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(_ops.unbind(self, 0))

    def __contains__(self, element: Any) -> bool:
        if not isinstance(element, Tensor) and not backend.is_scalar(element):
            raise RuntimeError(
                f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element).__name__}"
            )
        return bool((self == element).any().item())

    def __format__(self, format_spec: str) -> str:
        """``f"{loss:.4f}"`` formats a 0-d tensor's number (PyTorch's rule); other tensors print as str()."""
        if self._data.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise RuntimeError(f"item(): a Tensor with {self.data.size} elements cannot be converted to a "
                               f"Python number (shape {self.shape})")
        return backend.to_numpy(self.data).reshape(()).item()

    def numpy(self) -> np.ndarray:
        """A NumPy array with this tensor's values (copied to the host for GPU tensors)."""
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy()")
        return backend.to_numpy(self.data)

    def tolist(self):
        return backend.to_numpy(self.data).tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with shape {self.shape} is ambiguous")
        return bool(self.item())

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad:
            raise RuntimeError("Can't convert a Tensor that requires grad to a NumPy array. Use tensor.detach()")
        a = backend.to_numpy(self.data)
        return a if dtype is None else a.astype(dtype)

    def __array_ufunc__(self, ufunc, method: str, *inputs: Any, **kwargs: Any):
        """NumPy meets a Tensor: ``arr -= t`` writes into ``arr``; ``arr * t``, ``np.exp(t)`` are Tensor ops.

        With ``out=`` arrays (in-place NumPy arithmetic such as micrograd's and PyTorch's update
        ``p.data -= lr * p.grad``) the ufunc runs on the raw arrays and writes into ``out``.
        Otherwise a ufunc that has a Tensor op becomes that op (so the graph is kept), and any
        other one runs on the values of tensors that do not require grad.
        """
        out = kwargs.get("out")
        if out is not None:
            if any(isinstance(o, Tensor) for o in out):
                return NotImplemented  # out= a Tensor: use the Tensor's in-place methods instead
            raw = [x._data if isinstance(x, Tensor) else x for x in inputs]
            return getattr(ufunc, method)(*raw, **kwargs)
        if method == "__call__" and not kwargs:
            op = _UFUNC_OPS.get(ufunc.__name__)
            if op is not None:
                return op(*inputs)
        if any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
            raise RuntimeError(
                f"numpy.{ufunc.__name__}{'' if method == '__call__' else '.' + method} has no Tensor op here and "
                "cannot be differentiated: use the tensor's own methods, or .detach() first"
            )
        raw = [x._data if isinstance(x, Tensor) else x for x in inputs]
        result = getattr(ufunc, method)(*raw, **kwargs)
        if isinstance(result, tuple):
            return tuple(Tensor._wrap(r, False) for r in result)
        return Tensor._wrap(result, False) if hasattr(result, "shape") else result

    def __repr__(self) -> str:
        body = _array_text(backend.to_numpy(self.data))
        body = body.replace("\n", "\n       ")
        extras = []
        if self.device != "cpu":
            extras.append(f"device='{self.device}'")
        if self.data.dtype != backend.get_default_dtype() and self.data.dtype != np.int64:
            extras.append(f"dtype={self.data.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    __hash__ = object.__hash__  # tensors are dict keys (optimizer state); == is elementwise

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Accumulate ∂self/∂leaf into ``leaf.grad`` for every leaf that requires grad."""
        _engine.backward(self, gradient, retain_graph, create_graph)

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` of this non-leaf tensor after backward (for teaching pictures)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self._retains_grad = True
        return self

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` each time the gradient of this tensor is computed by a backward.

        The hook sees ∂L/∂self summed over all its uses (a Tensor of this tensor's shape); it may
        return a Tensor (or array) that replaces the gradient — what flows on to the inputs, and what
        a leaf accumulates into ``.grad`` — or None to keep it.  Hooks run in the order they were
        registered, each on the previous one's result; ``retain_grad()`` stores the final value.
        Returns a handle: ``handle.remove()`` unregisters the hook (as ``torch.Tensor.register_hook``).
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._hooks is None:
            self._hooks = {}
        return _hooks.add_hook(self._hooks, hook, "register_hook")

    def _bump_version(self) -> None:
        """Record that ``self.data`` was just modified in place: THE one call for every in-place op.

        Every in-place operation of the library (``+=`` and friends, ``__setitem__``, ``zero_``,
        ``fill_``/``copy_``…, an optimizer's update of a parameter) calls it after writing.  A
        Function remembers the versions of the tensors its backward reads; backward raises PyTorch's
        "modified by an inplace operation" error when one changed.  Writing to ``.data`` directly
        is the escape hatch: it does not bump (as ``tensor.data`` in PyTorch).
        """
        self._version += 1
        _inplace_clock[0] += 1

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return Tensor._wrap(self.data, False)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables")
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError(f"only tensors of floating point dtype can require gradients (got {self.dtype})")
        self.requires_grad = requires_grad
        return self

    # ------------------------------------------------------------------ devices and dtypes
    def to(self, *args: Any, dtype: Any = None, device: Any = None) -> Tensor:
        """``t.to("cuda")``, ``t.to(tg.float64)``, ``t.to("cpu", tg.float32)``: differentiable."""
        for a in args:  # a string that names no dtype is a device ("cpu", "cuda:1", a registered one)
            if isinstance(a, str) and a not in backend._DTYPE_NAMES:
                device = a
            else:
                dtype = a
        out = self
        if dtype is not None and backend.as_dtype(dtype) != self.dtype:
            out = _ops.cast(out, backend.as_dtype(dtype))
        if device is not None and backend.parse_device(device) != backend.parse_device(self.device):
            out = _ops.to_device(out, device)
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, index: int = 0) -> Tensor:
        return self.to(f"cuda:{index}")

    def float(self) -> Tensor:
        return self.to(dtype=backend.float32)

    def double(self) -> Tensor:
        return self.to(dtype=backend.float64)

    def long(self) -> Tensor:
        return Tensor._wrap(self.data.astype(backend.int64), False)

    def int(self) -> Tensor:
        return Tensor._wrap(self.data.astype(backend.int32), False)

    def bool(self) -> Tensor:
        return Tensor._wrap(self.data.astype(bool), False)

    def half(self) -> Tensor:
        return self.to(dtype=backend.float16)

    def type(self, dtype: Any) -> Tensor:
        return self.to(dtype=dtype)

    def type_as(self, other: Tensor) -> Tensor:
        """This tensor in ``other``'s dtype."""
        return self.to(dtype=other.dtype)

    # ------------------------------------------------------------------ new tensors like this one
    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """A new leaf tensor of ``data`` with this tensor's dtype and device unless given (as PyTorch)."""
        return Tensor(data, requires_grad=requires_grad, dtype=dtype or self.dtype, device=device or self.device)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        xp = backend.array_module(device or self.device)
        shape = tuple(size) if isinstance(size, (tuple, list)) else (size,)
        return Tensor(xp.full(shape, fill_value, dtype=backend.as_dtype(dtype or self.dtype)),
                      requires_grad=requires_grad, device=device or self.device)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_size(size), 0, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(_size(size), 1, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """Uninitialised in PyTorch; zeros here (NumPy's empty would show stale memory to students)."""
        return self.new_full(_size(size), 0, dtype=dtype, device=device, requires_grad=requires_grad)



def _size(size: tuple) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` alike."""
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


def _ufunc_ops() -> dict:
    """NumPy ufuncs that have a Tensor op: ``arr * t`` and ``np.exp(t)`` stay in the graph."""
    o = _ops
    return {
        "add": o.add, "subtract": o.sub, "multiply": o.mul, "true_divide": o.div, "divide": o.div,
        "power": o.pow, "matmul": o.matmul, "negative": o.neg, "positive": lambda x: x, "exp": o.exp,
        "log": o.log, "sqrt": o.sqrt, "absolute": o.abs, "sin": o.sin, "cos": o.cos, "tan": o.tan,
        "tanh": o.tanh, "log1p": o.log1p, "expm1": o.expm1, "log2": o.log2, "log10": o.log10,
        "maximum": o.maximum, "minimum": o.minimum, "floor": o.floor, "ceil": o.ceil, "trunc": o.trunc,
        "floor_divide": o.floor_divide, "remainder": o.remainder, "fmod": o.fmod,
        "square": lambda x: o.mul(x, x), "reciprocal": lambda x: o.div(1.0, x), "sign": o.sign,
        "equal": lambda a, b: o.compare(a, b, "equal"), "not_equal": lambda a, b: o.compare(a, b, "not_equal"),
        "less": lambda a, b: o.compare(a, b, "less"), "less_equal": lambda a, b: o.compare(a, b, "less_equal"),
        "greater": lambda a, b: o.compare(a, b, "greater"),
        "greater_equal": lambda a, b: o.compare(a, b, "greater_equal"),
        "isnan": o.isnan, "isinf": o.isinf, "isfinite": o.isfinite,
    }


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """A Tensor of ``data`` without copying when it already is one."""
    if isinstance(data, Tensor):
        return data if dtype is None and device is None else data.to(dtype=dtype, device=device)
    return Tensor(data, dtype=dtype, device=device)


from . import ops as _ops  # noqa: E402  (the ops need Tensor, Tensor's methods need the ops)
from .autograd import engine as _engine  # noqa: E402
from .autograd import hooks as _hooks  # noqa: E402

_tensor_ops._ops = _ops  # the one-op methods reach the ops through this binding
_UFUNC_OPS = _ufunc_ops()
