"""Running scans along a dim (cumprod, cummax/cummin, logcumsumexp, diff) and NaN-aware reductions
(nansum, nanmean), aminmax.

cummax/cummin are a gather at the running arg-extremum (their gradient scatters back to it), diff
is slices subtracted, the NaN reductions are sums of x with NaN replaced by 0: compositions whose
gradient comes for free.  cumprod and logcumsumexp have their own Function: cumprod for PyTorch's
gradient where the input has zeros, logcumsumexp for a forward and a backward that never overflow.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import canonical_dim, normalize_axis
from .comparison import compare, isnan
from .copies import _constant, cast
from .elementwise import _quiet, where
from .indexing import gather
from .movement import _dim_arg, cat, expand, movedim, narrow, reshape, unsqueeze
from .reduce import ValuesIndices, _reverse_cumsum, amax, amin
from .reduce import sum as _sum

MinMax = namedtuple("aminmax", ["min", "max"])  # torch.return_types.aminmax: a tuple with .min and .max


def _as_1d(x: Tensor, fn) -> Any:
    """Run a scan of a 0-d tensor as a scan of its one element (PyTorch allows dim 0 / −1 there)."""
    out = fn(reshape(x, 1), 0)
    if isinstance(out, tuple):
        return type(out)(*(reshape(o, ()) for o in out))
    return reshape(out, ())


# ----------------------------------------------------------------------------- cumprod
class CumProd(Function):
    """yᵢ = Π_{k≤i} xₖ along dim; ∂L/∂xⱼ = Σ_{i≥j} gᵢ Π_{k≤i, k≠j} xₖ.

    Without zeros in x that is Σ_{i≥j} gᵢyᵢ / xⱼ (a reversed cumulative sum).  With zeros the
    division is 0/0, so the products without xⱼ are formed for every j: the running products of
    n copies of x, the j-th with xⱼ set to 1 (n² values per slice, only then).  Both are Tensor ops,
    so the second derivative is exact too (as PyTorch's)."""

    saves_output = True

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def forward(self, x):
        return backend.get_array_module(x).cumprod(x, axis=self.dim)

    def backward(self, g):
        x, = self.inputs
        d = self.dim
        if not (x.data == 0).any():
            return _reverse_cumsum(g * self.outputs[0](), d) / x
        xl, gl = movedim(x, d, -1), movedim(g, d, -1)
        n, xp = xl.shape[-1], x.xp
        rows = expand(unsqueeze(xl, -2), *xl.shape[:-1], n, n)  # rows[..., j, :] = x
        eye = _constant(xp.eye(n, dtype=bool))
        without = cumprod(where(eye, 1.0, rows), -1)  # without[..., j, i] = Π_{k≤i, k≠j} xₖ
        later = _constant(xp.triu(xp.ones((n, n), dtype=bool)))  # i ≥ j
        grad = _sum(where(later, unsqueeze(gl, -2) * without, 0.0), -1)
        return movedim(grad, -1, d)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Running products along ``dim``; integer and bool tensors multiply in int64 (as PyTorch)."""
    x = input
    if dtype is not None:
        x = x.to(dtype=dtype)
    elif x.dtype.kind in "biu":
        x = Tensor._wrap(x._data.astype(backend.int64), False)
    if x.ndim == 0:
        _dim_arg(x, dim, "cumprod")
        return _as_1d(x, lambda t, d: CumProd(d)(t))
    return CumProd(_dim_arg(x, dim, "cumprod"))(x)


# ----------------------------------------------------------------------------- cummax / cummin
def _cumulative_extremum(x: Tensor, dim: int, largest: bool, op: str) -> ValuesIndices:
    """(running max/min, the index where it was last reached) along dim; NaN propagates, as PyTorch."""
    if x.ndim == 0:
        _dim_arg(x, dim, op)
        return _as_1d(x, lambda t, d: _cumulative_extremum(t, d, largest, op))
    d = _dim_arg(x, dim, op)
    xp, a = x.xp, x.data
    running = (xp.maximum if largest else xp.minimum).accumulate(a, axis=d)
    hit = (a == running) | (xp.isnan(a) if a.dtype.kind in "fc" else False)
    shape = [1] * a.ndim
    shape[d] = a.shape[d]
    positions = xp.arange(a.shape[d]).reshape(shape)
    index = xp.maximum.accumulate(xp.where(hit, positions, 0), axis=d).astype(backend.int64)
    return ValuesIndices(gather(x, d, index), _constant(index))


def cummax(input: Tensor, dim: int) -> ValuesIndices:  # noqa: A002
    """(values, indices): yᵢ = max_{k≤i} xₖ along dim; the gradient goes to the index of each yᵢ."""
    return _cumulative_extremum(input, dim, True, "cummax")


def cummin(input: Tensor, dim: int) -> ValuesIndices:  # noqa: A002
    """(values, indices): yᵢ = min_{k≤i} xₖ along dim; the gradient goes to the index of each yᵢ."""
    return _cumulative_extremum(input, dim, False, "cummin")


# ----------------------------------------------------------------------------- logcumsumexp
class LogCumSumExp(Function):
    """yᵢ = log Σ_{k≤i} e^{xₖ} (a running logaddexp: no overflow, no underflow to −∞);
    ∂L/∂xⱼ = Σ_{i≥j} gᵢ e^{xⱼ−yᵢ}, computed for g's positive and negative parts as
    e^{xⱼ + log Σ_{i≥j} e^{log|gᵢ| − yᵢ}} (also a running logaddexp, from the end)."""

    saves_output = True

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def forward(self, x):
        return backend.get_array_module(x).logaddexp.accumulate(x, axis=self.dim)

    def backward(self, g):
        x, = self.inputs
        y, gd, d = self.outputs[0]().data, g.data, self.dim
        xp = backend.get_array_module(gd)
        grad = xp.zeros_like(x.data)
        with _quiet(xp):
            for sign in (1.0, -1.0):
                part = xp.where(sign * gd > 0, xp.log(xp.abs(gd)) - y, -xp.inf)
                tail = xp.flip(xp.logaddexp.accumulate(xp.flip(part, d), axis=d), d)
                grad = grad + sign * xp.exp(x.data + tail)
        return _constant(grad)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """log Σ_{k≤i} e^{xₖ} along ``dim``, stable for inputs of any size."""
    x = input if input.dtype.kind in "fc" else cast(input, backend.get_default_dtype())
    if x.ndim == 0:
        _dim_arg(x, dim, "logcumsumexp")
        return _as_1d(x, lambda t, d: LogCumSumExp(d)(t))
    return LogCumSumExp(_dim_arg(x, dim, "logcumsumexp"))(x)


# ----------------------------------------------------------------------------- diff
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,  # noqa: A002
         append: Tensor | None = None) -> Tensor:
    """The n-th forward difference along ``dim``: out[i] = x[i+1] − x[i], applied n times, after
    ``prepend``/``append`` are joined to x along dim (bool tensors: x[i+1] ≠ x[i])."""
    if input.ndim == 0:
        raise RuntimeError("diff: expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"diff: order must be non-negative but got {n}")
    d = canonical_dim(dim, input.ndim, "diff")
    parts = [t for t in (prepend, input, append) if t is not None]
    for t in (prepend, append):
        if t is not None and t.ndim != input.ndim:
            raise RuntimeError(f"diff: prepend/append of shape {t.shape} must have as many dimensions as the "
                               f"input of shape {input.shape}")
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            break
        hi, lo = narrow(x, d, 1, length - 1), narrow(x, d, 0, length - 1)
        x = compare(hi, lo, "not_equal") if x.dtype.kind == "b" else hi - lo
    return x


# ----------------------------------------------------------------------------- NaN-aware reductions
def _nan_as_zero(x: Tensor) -> Tensor:
    return where(isnan(x), 0.0, x) if x.dtype.kind in "fc" else x


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Σ x over ``dim`` with NaN counted as 0 (no gradient to the NaN places, as PyTorch)."""
    x = input if dtype is None else input.to(dtype=dtype)
    return _sum(_nan_as_zero(x), dim, keepdim)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """The mean of the non-NaN elements over ``dim`` (NaN where all of them are NaN)."""
    x = input if dtype is None else input.to(dtype=dtype)
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"nanmean: expected a floating point or complex tensor as input, got {x.dtype}")
    count = _sum(cast(~isnan(x), x.dtype), dim, keepdim)
    return nansum(x, dim, keepdim) / count


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> MinMax:  # noqa: A002
    """(min, max) over ``dim`` (or all elements): amin and amax, gradients shared among ties."""
    if input.numel() == 0 and dim is None:
        raise RuntimeError("aminmax: cannot compute aminmax over an empty tensor without a dim")
    normalize_axis(dim, None, keepdim, None, input.ndim, "aminmax")  # the range check, with aminmax's name
    return MinMax(amin(input, dim, keepdim), amax(input, dim, keepdim))


__all__ = ["cumprod", "cummax", "cummin", "logcumsumexp", "diff", "nansum", "nanmean", "aminmax"]
