"""``Tensor``: an array that remembers how it was computed.

A Tensor wraps a raw array (``.data``: numpy.ndarray or cupy.ndarray).  When it is the output
of a differentiable operation on tensors that require gradients, ``grad_fn`` points to the
:class:`~tinygrad_ru.autograd.Function` that created it; following ``grad_fn`` → inputs →
``grad_fn`` … is walking the computational graph backwards, which is what ``backward()`` does.
"""

from __future__ import annotations

from typing import Any

from . import backend

# the host array module (NumPy), for converting user data and printing: asked of the backend
np = backend.host


def _to_array(data: Any, dtype: Any, device: Any):
    """Turn user data into an array of the requested dtype on the requested device."""
    if isinstance(data, Tensor):
        data = data.data
    xp = backend.get_array_module(data)
    if xp is np:
        arr = np.asarray(data)
        if arr.dtype == object:
            raise TypeError(f"Tensor: cannot build a tensor from {type(data).__name__} with ragged/object data")
    else:
        arr = data
    if dtype is not None:
        target = backend.as_dtype(dtype)
    elif arr.dtype == np.float64:  # Python floats and float64 arrays: the default dtype
        target = backend.get_default_dtype()
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

    Floating data becomes the default dtype (float32; float64 arrays too, so that nothing is
    silently computed in double) unless ``dtype`` is given; integer and boolean data keep an
    integer/boolean dtype (labels, masks).  ``name`` labels the node in graph pictures.
    """

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_generation", "name", "_retains_grad",
                 "__weakref__")
    __array_priority__ = 1000  # numpy scalar/array on the left defers to Tensor's operators

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        dtype: Any = None,
        device: Any = None,
        name: str | None = None,
    ) -> None:
        self.data = _to_array(data, dtype, device)
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

    @classmethod
    def _wrap(cls, array: Any, requires_grad: bool) -> Tensor:
        """Fast internal constructor: no conversion, no checks."""
        t = object.__new__(Tensor)
        t.data = array
        t.requires_grad = requires_grad
        t.grad = None
        t.grad_fn = None
        t._generation = 0
        t.name = None
        t._retains_grad = False
        return t

    # ------------------------------------------------------------------ properties
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

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise ValueError(f"item(): only one-element tensors can be converted, got shape {self.shape}")
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

    def zero_(self) -> Tensor:
        self.data[...] = 0
        return self

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

    def type(self, dtype: Any) -> Tensor:
        return self.to(dtype=dtype)

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

    def add(self, other): return _ops.add(self, other)
    def sub(self, other): return _ops.sub(self, other)
    def mul(self, other): return _ops.mul(self, other)
    def div(self, other): return _ops.div(self, other)
    def neg(self): return _ops.neg(self)
    def matmul(self, other): return _ops.matmul(self, other)
    def mm(self, other): return _ops.matmul(self, other)
    def dot(self, other): return _ops.matmul(self, other)
    def eq(self, other): return _ops.compare(self, other, "equal")
    def ne(self, other): return _ops.compare(self, other, "not_equal")
    def lt(self, other): return _ops.compare(self, other, "less")
    def le(self, other): return _ops.compare(self, other, "less_equal")
    def gt(self, other): return _ops.compare(self, other, "greater")
    def ge(self, other): return _ops.compare(self, other, "greater_equal")

    # ------------------------------------------------------------------ elementwise functions
    def pow(self, exponent): return _ops.pow(self, exponent)
    def exp(self): return _ops.exp(self)
    def log(self): return _ops.log(self)
    def sqrt(self): return _ops.sqrt(self)
    def abs(self): return _ops.abs(self)
    def sin(self): return _ops.sin(self)
    def cos(self): return _ops.cos(self)
    def sign(self): return _ops.sign(self)
    def square(self): return _ops.mul(self, self)
    def reciprocal(self): return _ops.div(1.0, self)
    def maximum(self, other): return _ops.maximum(self, other)
    def minimum(self, other): return _ops.minimum(self, other)
    def clamp(self, min=None, max=None): return _ops.clamp(self, min, max)
    clip = clamp
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
    def t(self): return _ops.transpose(self, 0, 1) if self.ndim == 2 else self
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


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """A Tensor of ``data`` without copying when it already is one."""
    if isinstance(data, Tensor):
        return data if dtype is None and device is None else data.to(dtype=dtype, device=device)
    return Tensor(data, dtype=dtype, device=device)


from . import ops as _ops  # noqa: E402  (the ops need Tensor, Tensor's methods need the ops)
from .autograd import engine as _engine  # noqa: E402
