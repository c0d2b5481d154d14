"""The PyTorch-named methods of :class:`~tinygrad_ru.tensor.Tensor` that are one op each.

``t.exp()``, ``t.sum(1)``, ``t + u``, ``t.add_(u)``…: each method hands the tensor to the op of
the same name in ``tinygrad_ru.ops``.  They live in this mixin, which ``Tensor`` inherits, so that
``tensor.py`` keeps what a Tensor *is* (data, grad, graph links, devices) and this file what it
*does*.  The ops themselves need ``Tensor``, so this module cannot import them before ``Tensor``
exists: ``tensor.py`` binds ``_ops`` here once it has imported them (the Tensor ↔ ops cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tensor import Tensor

_ops: Any = None  # tinygrad_ru.ops, bound by tensor.py at its end (the Tensor ↔ ops cycle)


def _dims(dims: tuple) -> tuple:
    return tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else tuple(dims)


class TensorOps:
    """Tensor's one-op methods (in place, arithmetic, elementwise functions, reductions, movement)."""

    __slots__ = ()  # Tensor keeps its slots: no per-instance __dict__

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
        return bool(self.xp.allclose(self._data, other._data if isinstance(other, TensorOps) else other,
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

    def norm(self, p: float = 2.0, dim=None, keepdim: bool = False):
        return _ops.norm(self, p, dim, keepdim)

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
