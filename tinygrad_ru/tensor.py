"""``Tensor``: an array that remembers how it was computed.

A Tensor wraps a raw array (``.data``: numpy.ndarray or cupy.ndarray).  When it is the output
of a differentiable operation on tensors that require gradients, ``grad_fn`` points to the
:class:`~tinygrad_ru.autograd.Function` that created it; following ``grad_fn`` → inputs →
``grad_fn`` … is walking the computational graph backwards, which is what ``backward()`` does.
"""

from __future__ import annotations

import operator
from typing import Any

from . import backend

# the host array module (NumPy), for converting user data and printing: asked of the backend
np = backend.host

# how many in-place modifications happened so far, over all tensors: a Function whose backward
# finds the same count as when it was recorded skips checking its inputs' versions one by one
_inplace_clock = [0]


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


class Tensor:
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
        body = np.array2string(backend.to_numpy(self.data), precision=4, separator=", ", threshold=50)
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

    # ------------------------------------------------------------------ in place (see ops/inplace.py)
    def zero_(self) -> Tensor: return _ops.zero_(self)
    def fill_(self, value) -> Tensor: return _ops.fill_(self, value)
    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
        return _ops.normal_(self, mean, std, generator=generator)
    def uniform_(self, a: float = 0.0, b: float = 1.0, **kwargs) -> Tensor: return _ops.uniform_(self, a, b, **kwargs)
    def copy_(self, src, non_blocking: bool = False) -> Tensor: return _ops.copy_(self, src)
    def add_(self, other, *, alpha: float = 1.0) -> Tensor: return _ops.add_(self, other, alpha=alpha)
    def sub_(self, other, *, alpha: float = 1.0) -> Tensor: return _ops.sub_(self, other, alpha=alpha)
    def mul_(self, other) -> Tensor: return _ops.unary_(self, "mul_", _ops.mul, other)
    def div_(self, other, *, rounding_mode=None) -> Tensor:
        return _ops.unary_(self, "div_", _ops.div, other, rounding_mode=rounding_mode)
    def pow_(self, exponent) -> Tensor: return _ops.unary_(self, "pow_", _ops.pow, exponent)
    def neg_(self) -> Tensor: return _ops.unary_(self, "neg_", _ops.neg)
    def abs_(self) -> Tensor: return _ops.unary_(self, "abs_", _ops.abs)
    def exp_(self) -> Tensor: return _ops.unary_(self, "exp_", _ops.exp)
    def log_(self) -> Tensor: return _ops.unary_(self, "log_", _ops.log)
    def sqrt_(self) -> Tensor: return _ops.unary_(self, "sqrt_", _ops.sqrt)
    def square_(self) -> Tensor: return _ops.unary_(self, "square_", _ops.mul, self)
    def floor_(self) -> Tensor: return _ops.unary_(self, "floor_", _ops.floor)
    def ceil_(self) -> Tensor: return _ops.unary_(self, "ceil_", _ops.ceil)
    def round_(self, decimals: int = 0) -> Tensor: return _ops.unary_(self, "round_", _ops.round, decimals)
    def relu_(self) -> Tensor: return _ops.unary_(self, "relu_", _ops.relu)
    def sigmoid_(self) -> Tensor: return _ops.unary_(self, "sigmoid_", _ops.sigmoid)
    def tanh_(self) -> Tensor: return _ops.unary_(self, "tanh_", _ops.tanh)
    def clamp_(self, min=None, max=None) -> Tensor: return _ops.clamp_(self, min, max)
    clip_ = clamp_
    def clamp_min_(self, min) -> Tensor: return _ops.clamp_(self, min, None)
    def clamp_max_(self, max) -> Tensor: return _ops.clamp_(self, None, max)
    def lerp_(self, end, weight) -> Tensor: return _ops.unary_(self, "lerp_", _ops.lerp, end, weight)
    def addcmul_(self, tensor1, tensor2, *, value: float = 1.0) -> Tensor:
        return _ops.unary_(self, "addcmul_", _ops.addcmul, tensor1, tensor2, value)
    def addcdiv_(self, tensor1, tensor2, *, value: float = 1.0) -> Tensor:
        return _ops.unary_(self, "addcdiv_", _ops.addcdiv, tensor1, tensor2, value)
    def masked_fill_(self, mask, value) -> Tensor:
        return _ops.unary_(self, "masked_fill_", _ops.masked_fill, mask, value)
    def scatter_(self, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
        return _ops.unary_(self, "scatter_", _ops.scatter, dim, index, src, value=value, reduce=reduce)
    def scatter_add_(self, dim: int, index, src) -> Tensor:
        return _ops.unary_(self, "scatter_add_", _ops.scatter_add, dim, index, src)
    def index_add_(self, dim: int, index, source, *, alpha: float = 1.0) -> Tensor:
        return _ops.unary_(self, "index_add_", _ops.index_add, dim, index, source, alpha=alpha)

    def clone(self) -> Tensor:
        return _ops.clone(self)

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

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other): return _ops.add(self, other)
    def __radd__(self, other): return _ops.add(other, self)
    def __sub__(self, other): return _ops.sub(self, other)
    def __rsub__(self, other): return _ops.sub(other, self)
    def __mul__(self, other): return _ops.mul(self, other)
    def __rmul__(self, other): return _ops.mul(other, self)
    def __truediv__(self, other): return _ops.div(self, other)
    def __rtruediv__(self, other): return _ops.div(other, self)
    def __pow__(self, other): return _ops.pow(self, other)
    def __rpow__(self, other): return _ops.pow(other, self)
    def __matmul__(self, other): return _ops.matmul(self, other)
    def __rmatmul__(self, other): return _ops.matmul(other, self)
    def __neg__(self): return _ops.neg(self)
    def __pos__(self): return self
    def __abs__(self): return _ops.abs(self)
    def __getitem__(self, index): return _ops.getitem(self, index)

    def __iadd__(self, other):
        return _ops.inplace(self, other, "add")

    def __isub__(self, other):
        return _ops.inplace(self, other, "sub")

    def __imul__(self, other):
        return _ops.inplace(self, other, "mul")

    def __itruediv__(self, other):
        return _ops.inplace(self, other, "div")

    def __setitem__(self, index, value):
        _ops.setitem(self, index, value)

    # comparisons: no gradient
    def __eq__(self, other): return _ops.compare(self, other, "equal")  # type: ignore[override]
    def __ne__(self, other): return _ops.compare(self, other, "not_equal")  # type: ignore[override]
    def __lt__(self, other): return _ops.compare(self, other, "less")
    def __le__(self, other): return _ops.compare(self, other, "less_equal")
    def __gt__(self, other): return _ops.compare(self, other, "greater")
    def __ge__(self, other): return _ops.compare(self, other, "greater_equal")
    def __invert__(self): return _ops.logical_not(self)
    def __and__(self, other): return _ops.compare(self, other, "logical_and")
    def __or__(self, other): return _ops.compare(self, other, "logical_or")
    def __xor__(self, other): return _ops.compare(self, other, "logical_xor")
    def __rand__(self, other): return _ops.compare(other, self, "logical_and")
    def __ror__(self, other): return _ops.compare(other, self, "logical_or")
    def __rxor__(self, other): return _ops.compare(other, self, "logical_xor")
    def __floordiv__(self, other): return _ops.floor_divide(self, other)
    def __rfloordiv__(self, other): return _ops.floor_divide(other, self)
    def __mod__(self, other): return _ops.remainder(self, other)
    def __rmod__(self, other): return _ops.remainder(other, self)
    def __reversed__(self): return _ops.flip(self, 0) if self.ndim else self

    def add(self, other, *, alpha: float = 1.0): return _ops.add(self, _ops.scaled(other, alpha))
    def sub(self, other, *, alpha: float = 1.0): return _ops.sub(self, _ops.scaled(other, alpha))
    def mul(self, other): return _ops.mul(self, other)
    def div(self, other, *, rounding_mode=None): return _ops.div(self, other, rounding_mode)
    subtract, multiply, divide, true_divide = sub, mul, div, div
    def floor_divide(self, other): return _ops.floor_divide(self, other)
    def remainder(self, other): return _ops.remainder(self, other)
    def fmod(self, other): return _ops.fmod(self, other)
    def neg(self): return _ops.neg(self)
    negative = neg
    def matmul(self, other): return _ops.matmul(self, other)
    def mm(self, other): return _ops.mm(self, other)
    def bmm(self, other): return _ops.bmm(self, other)
    def mv(self, vec): return _ops.mv(self, vec)
    def dot(self, other): return _ops.dot(self, other)
    def outer(self, other): return _ops.outer(self, other)
    def lerp(self, end, weight): return _ops.lerp(self, end, weight)
    def addcmul(self, tensor1, tensor2, *, value: float = 1.0): return _ops.addcmul(self, tensor1, tensor2, value)
    def addcdiv(self, tensor1, tensor2, *, value: float = 1.0): return _ops.addcdiv(self, tensor1, tensor2, value)
    def eq(self, other): return _ops.compare(self, other, "equal")
    def ne(self, other): return _ops.compare(self, other, "not_equal")
    def lt(self, other): return _ops.compare(self, other, "less")
    def le(self, other): return _ops.compare(self, other, "less_equal")
    def gt(self, other): return _ops.compare(self, other, "greater")
    def ge(self, other): return _ops.compare(self, other, "greater_equal")
    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
    def equal(self, other) -> bool:
        """True when both tensors have the same shape and elements."""
        return self.shape == other.shape and bool((self == other).all().item())
    def allclose(self, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        return bool(self.xp.allclose(self._data, other._data if isinstance(other, Tensor) else other,
                                     rtol=rtol, atol=atol, equal_nan=equal_nan))
    def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
        o = other._data if isinstance(other, Tensor) else other
        return Tensor._wrap(self.xp.isclose(self._data, o, rtol=rtol, atol=atol, equal_nan=equal_nan), False)
    def logical_and(self, other): return _ops.logical_and(self, other)
    def logical_or(self, other): return _ops.logical_or(self, other)
    def logical_xor(self, other): return _ops.logical_xor(self, other)
    def logical_not(self): return _ops.logical_not(self)
    def isnan(self): return _ops.isnan(self)
    def isinf(self): return _ops.isinf(self)
    def isfinite(self): return _ops.isfinite(self)

    # ------------------------------------------------------------------ elementwise functions
    def pow(self, exponent): return _ops.pow(self, exponent)
    def exp(self): return _ops.exp(self)
    def log(self): return _ops.log(self)
    def sqrt(self): return _ops.sqrt(self)
    def abs(self): return _ops.abs(self)
    absolute = abs
    def sin(self): return _ops.sin(self)
    def cos(self): return _ops.cos(self)
    def tan(self): return _ops.tan(self)
    def sinh(self): return _ops.sinh(self)
    def cosh(self): return _ops.cosh(self)
    def asin(self): return _ops.asin(self)
    def acos(self): return _ops.acos(self)
    def atan(self): return _ops.atan(self)
    arcsin, arccos, arctan = asin, acos, atan
    def log1p(self): return _ops.log1p(self)
    def expm1(self): return _ops.expm1(self)
    def rsqrt(self): return _ops.rsqrt(self)
    def log2(self): return _ops.log2(self)
    def log10(self): return _ops.log10(self)
    def erf(self): return _ops.erf(self)
    def floor(self): return _ops.floor(self)
    def ceil(self): return _ops.ceil(self)
    def trunc(self): return _ops.trunc(self)
    fix = trunc
    def round(self, decimals: int = 0): return _ops.round(self, decimals)
    def frac(self): return _ops.frac(self)
    def sign(self): return _ops.sign(self)
    sgn = sign
    def square(self): return _ops.mul(self, self)
    def reciprocal(self): return _ops.div(1.0, self)
    def maximum(self, other): return _ops.maximum(self, other)
    def minimum(self, other): return _ops.minimum(self, other)
    def clamp(self, min=None, max=None): return _ops.clamp(self, min, max)
    clip = clamp
    def clamp_min(self, min): return _ops.clamp(self, min, None)
    def clamp_max(self, max): return _ops.clamp(self, None, max)
    def where(self, condition, other): return _ops.where(condition, self, other)
    def masked_fill(self, mask, value): return _ops.masked_fill(self, mask, value)
    def tanh(self): return _ops.tanh(self)
    def sigmoid(self): return _ops.sigmoid(self)
    def relu(self): return _ops.relu(self)
    def leaky_relu(self, negative_slope: float = 0.01): return _ops.leaky_relu(self, negative_slope)
    def elu(self, alpha: float = 1.0): return _ops.elu(self, alpha)
    def gelu(self, approximate: str = "none"): return _ops.gelu(self, approximate)
    def silu(self): return _ops.silu(self)
    def softplus(self, beta: float = 1.0, threshold: float = 20.0): return _ops.softplus(self, beta, threshold)

    def softmax(self, dim: int = -1): return _ops.softmax(self, dim)
    def log_softmax(self, dim: int = -1): return _ops.log_softmax(self, dim)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.sum(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.mean(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
        return _ops.var(self, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
        return _ops.std(self, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _ops.argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def prod(self, dim=None, keepdim=False):
        return _ops.prod(self, dim, keepdim)

    def amax(self, dim=None, keepdim=False): return _ops.amax(self, dim, keepdim)
    def amin(self, dim=None, keepdim=False): return _ops.amin(self, dim, keepdim)
    def any(self, dim=None, keepdim=False): return _ops.any(self, dim, keepdim)
    def all(self, dim=None, keepdim=False): return _ops.all(self, dim, keepdim)
    def count_nonzero(self, dim=None): return _ops.count_nonzero(self, dim)
    def cumsum(self, dim, dtype=None): return _ops.cumsum(self, dim, dtype)
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        return _ops.sort(self, dim, descending, stable)
    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False):
        return _ops.argsort(self, dim, descending, stable)
    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        return _ops.topk(self, k, dim, largest, sorted)
    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False): return _ops.kthvalue(self, k, dim, keepdim)
    def median(self, dim=None, keepdim: bool = False): return _ops.median(self, dim, keepdim)

    def norm(self, p: float = 2.0):
        return _ops.norm(self, p)

    # ------------------------------------------------------------------ movement
    def reshape(self, *shape): return _ops.reshape(self, *shape)
    def view(self, *shape): return _ops.reshape(self, *shape)
    def view_as(self, other): return _ops.reshape(self, other.shape)
    def reshape_as(self, other): return _ops.reshape(self, other.shape)
    def flatten(self, start_dim: int = 0, end_dim: int = -1): return _ops.flatten(self, start_dim, end_dim)
    def transpose(self, dim0: int = 0, dim1: int = 1): return _ops.transpose(self, dim0, dim1)
    def permute(self, *dims): return _ops.permute(self, *dims)
    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return _ops.transpose(self, 0, 1) if self.ndim == 2 else self
    @property
    def T(self): return _ops.permute(self, *reversed(range(self.ndim)))  # noqa: N802
    @property
    def mT(self): return _ops.transpose(self, -2, -1)  # noqa: N802
    def squeeze(self, dim=None): return _ops.squeeze(self, dim)
    def unsqueeze(self, dim: int): return _ops.unsqueeze(self, dim)
    def expand(self, *shape): return _ops.expand(self, *shape)
    def expand_as(self, other): return _ops.expand(self, *other.shape)
    def broadcast_to(self, shape): return _ops.broadcast_to(self, shape)
    def contiguous(self): return self
    def pad(self, pad, mode: str = "constant", value=None): return _ops.pad(self, pad, mode, value)
    def swapaxes(self, axis0: int, axis1: int): return _ops.transpose(self, axis0, axis1)
    swapdims = swapaxes
    def movedim(self, source, destination): return _ops.movedim(self, source, destination)
    moveaxis = movedim
    def unflatten(self, dim: int, sizes): return _ops.unflatten(self, dim, sizes)
    def ravel(self): return _ops.reshape(self, -1)
    def gather(self, dim: int, index): return _ops.gather(self, dim, index)
    def take_along_dim(self, indices, dim=None): return _ops.take_along_dim(self, indices, dim)
    def scatter(self, dim: int, index, src=None, *, value=None, reduce=None):
        return _ops.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_add(self, dim: int, index, src): return _ops.scatter_add(self, dim, index, src)
    def index_select(self, dim: int, index): return _ops.index_select(self, dim, index)
    def index_add(self, dim: int, index, source, *, alpha: float = 1.0):
        return _ops.index_add(self, dim, index, source, alpha=alpha)
    def repeat(self, *sizes): return _ops.repeat(self, *sizes)
    def tile(self, dims): return _ops.tile(self, dims)
    def repeat_interleave(self, repeats, dim=None): return _ops.repeat_interleave(self, repeats, dim)
    def split(self, split_size, dim: int = 0): return _ops.split(self, split_size, dim)
    def chunk(self, chunks: int, dim: int = 0): return _ops.chunk(self, chunks, dim)
    def unbind(self, dim: int = 0): return _ops.unbind(self, dim)
    def narrow(self, dim: int, start: int, length: int): return _ops.narrow(self, dim, start, length)
    def select(self, dim: int, index: int): return _ops.select(self, dim, index)
    def flip(self, *dims): return _ops.flip(self, _dims(dims))
    def fliplr(self): return _ops.flip(self, 1)
    def flipud(self): return _ops.flip(self, 0)
    def roll(self, shifts, dims=None): return _ops.roll(self, shifts, dims)
    def tril(self, diagonal: int = 0): return _ops.tril(self, diagonal)
    def triu(self, diagonal: int = 0): return _ops.triu(self, diagonal)
    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1): return _ops.diagonal(self, offset, dim1, dim2)
    def diag(self, diagonal: int = 0): return _ops.diag(self, diagonal)
    def trace(self):
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, got shape {self.shape}")
        return _ops.diagonal(self).sum()


def _size(size: tuple) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` alike."""
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


def _dims(dims: tuple) -> tuple:
    return tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else tuple(dims)


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

_UFUNC_OPS = _ufunc_ops()
