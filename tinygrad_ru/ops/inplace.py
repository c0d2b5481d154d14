"""In-place operations, PyTorch's trailing-underscore methods: ``x.add_(y)``, ``x.fill_(0)``, ``x.normal_()``.

Every one of them goes through :func:`apply_inplace` (and the operators ``+=``/``-=``/… through
:func:`inplace`), which decide between two cases, as PyTorch does:

* outside the graph (under ``no_grad``, or nothing involved requires grad) the new values are
  written into the tensor's own array, so everything sharing that array sees them;
* inside the graph the tensor takes the place of the result node ("rebase"): its ``grad_fn``
  becomes the new operation and its old self lives on as that operation's input, so backward
  stays right.  A leaf that requires grad cannot be changed in place there (RuntimeError).

:func:`mark_dirty` is the one place that learns that a tensor's values changed.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from .. import backend
from ..autograd.grad_mode import grad_mode
from ..tensor import Tensor
from ._util import operand
from .comparison import clamp
from .elementwise import add, cast, div, mul, sub, where
from .movement import _raw_index, broadcast_to


def mark_dirty(x: Tensor) -> None:
    """Record that ``x``'s values were changed in place (the version counter bumps here)."""
    bump = getattr(x, "_bump_version", None)
    if bump is not None:
        bump()


def _leaf_error(name: str) -> RuntimeError:
    return RuntimeError(
        f"{name}: a leaf Variable that requires grad is being used in an in-place operation; "
        "change parameters under tg.no_grad() (or through .data)"
    )


def _write(x: Tensor, values: Any, name: str, casting: str = "same_kind") -> Tensor:
    """Copy ``values`` (an array or a number, broadcast to x) into x's own array."""
    xp = x.xp
    if not isinstance(x._data, xp.ndarray):  # a 0-d result may be a NumPy scalar: give it an array to write to
        x._data = xp.array(x._data)
    try:
        xp.copyto(x._data, values, casting=casting)
    except TypeError:
        raise RuntimeError(
            f"{name}: result type {getattr(values, 'dtype', type(values).__name__)} can't be cast to the "
            f"tensor's dtype {x.dtype}"
        ) from None
    except ValueError as e:
        if "read-only" in str(e):
            raise RuntimeError(
                f"{name}: this tensor's values are a read-only view (e.g. from expand/broadcast_to); "
                "call .clone() before changing it in place"
            ) from None
        raise RuntimeError(
            f"{name}: a result of shape {tuple(getattr(values, 'shape', ()))} does not fit in place into a tensor "
            f"of shape {x.shape}"
        ) from None
    mark_dirty(x)
    return x


def _rebase(x: Tensor, old: Tensor, y: Tensor, name: str, view: bool = False) -> Tensor:
    """Make ``x`` the output of ``y``'s node; ``old`` (x's former self) stays that node's input."""
    if y.dtype != x.dtype:
        y = cast(y, x.dtype)
    if y.shape != x.shape and not view:
        try:
            y = broadcast_to(y, x.shape)
        except RuntimeError:
            raise RuntimeError(f"{name}: a result of shape {y.shape} does not fit in place into a tensor of "
                               f"shape {x.shape}") from None
    if x.grad_fn is not None:  # x's creator now produced `old`
        x.grad_fn.outputs = [weakref.ref(old) if r() is x else r for r in x.grad_fn.outputs]
    fn = y.grad_fn
    fn.outputs = [weakref.ref(x) if r() is y else r for r in fn.outputs]
    x._data = y._data
    x.grad_fn = fn
    x.requires_grad = True
    x._generation = y._generation
    mark_dirty(x)
    fn._output_version = x._version  # x is fn's output at this version (Function.check_versions)
    return x


def apply_inplace(x: Tensor, name: str, compute: Callable[[Tensor], Tensor], *, view: bool = False) -> Tensor:
    """x ← compute(x) in place; ``compute`` builds a fresh result from x's current self with Tensor ops.

    ``view=True`` for the ops that change only the shape (``t_``, ``unsqueeze_``…): x takes the
    result's array, a view of the same memory, instead of having values copied into it."""
    if not grad_mode.enabled:
        y = compute(x)
    else:
        if x.requires_grad and x.grad_fn is None:
            raise _leaf_error(name)
        old = Tensor._wrap(x._data, x.requires_grad)  # x's former self, as a separate graph node
        old.grad_fn, old._generation = x.grad_fn, x._generation
        y = compute(old)
        if old.requires_grad and not y.requires_grad:  # new values that do not depend on x (eq_, sign_…):
            y = _replaced(old, y)                      # a node with a zero gradient to x, as PyTorch
        if y.requires_grad:
            return _rebase(x, old, y, name, view)
    if view:  # x takes the view's array (the same memory, another shape)
        x._data = y._data
        mark_dirty(x)
        return x
    return _write(x, y._data, name)


def inplace(x: Tensor, other: Any, name: str) -> Tensor:
    """``x += y`` and friends: a NumPy ufunc writing into x outside the graph, apply_inplace inside it."""
    other = operand(other, x)
    if not grad_mode.enabled or not (x.requires_grad or other.requires_grad):
        xp = x.xp
        ufunc = {"add": xp.add, "sub": xp.subtract, "mul": xp.multiply, "div": xp.divide}[name]
        try:
            ufunc(x._data, other._data, out=x._data, casting="same_kind")
        except (TypeError, ValueError):  # the clear error of _write
            return _write(x, {"add": add, "sub": sub, "mul": mul, "div": div}[name](x, other)._data, name)
        mark_dirty(x)
        return x
    op = {"add": add, "sub": sub, "mul": mul, "div": div}[name]
    return apply_inplace(x, f"in-place {name}", lambda old: op(old, other))


# ----------------------------------------------------------------------------- the methods
def _replaced(old: Tensor, values: Any) -> Tensor:
    """A node whose value is ``values`` (an array or a number) and whose gradient to ``old`` is zero."""
    xp = old.xp
    keep_new = xp.ones(old.shape, dtype=bool)
    new = values if isinstance(values, Tensor) else Tensor._wrap(xp.asarray(values, dtype=old.dtype), False)
    return where(keep_new, new, old)


def fill_(x: Tensor, value: Any) -> Tensor:
    """Every element ← value (a number or a 0-d tensor)."""
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"fill_: only supports a 0-dimensional value tensor, got shape {value.shape}")
    return apply_inplace(x, "fill_", lambda old: _replaced(old, value))


def zero_(x: Tensor) -> Tensor:
    return fill_(x, 0)


def _random_fill(x: Tensor, name: str, draw: Callable[[Any], Any], kinds: str = "fc",
                 error: type[Exception] = NotImplementedError) -> Tensor:
    """x ← ``draw(shape)`` (host samples from the library's generator, moved to x's device), for the
    dtype kinds the distribution is defined on; others raise ``error`` (torch's type for that op)."""
    if x.dtype.kind not in kinds:
        raise error(f"{name}: not implemented for dtype {x.dtype}"
                    + (" (a continuous distribution needs a floating tensor)" if kinds == "fc" else ""))
    values = backend.to_device(draw(x.shape).astype(x.dtype), x.device)
    return apply_inplace(x, name, lambda old: _replaced(old, values))


def _rng(generator: Any) -> Any:
    return generator or backend.rng()


def _positive(name: str, what: str, value: float, strict: bool = True) -> None:
    if not (value > 0 if strict else value >= 0):
        raise RuntimeError(f"{name} expects {what} {'>' if strict else '>='} 0.0, but found {what}={value}")


def normal_(x: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """Samples of N(mean, std²) from the library's generator (``tg.manual_seed``)."""
    _positive("normal_", "std", std, strict=False)
    rng = _rng(generator)
    return _random_fill(x, "normal_", lambda shape: rng.standard_normal(shape) * std + mean)


def uniform_(x: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None, **bounds: Any) -> Tensor:
    """Samples of U[a, b) (PyTorch's keywords ``from``/``to`` are accepted too)."""
    a, b = bounds.pop("from", a), bounds.pop("to", b)
    if bounds:
        raise TypeError(f"uniform_: unexpected keyword arguments {sorted(bounds)}")
    if a > b:
        raise RuntimeError(f"uniform_: expects from <= to, got from={a} and to={b}")
    rng = _rng(generator)
    return _random_fill(x, "uniform_", lambda shape: rng.uniform(a, b, shape))


def exponential_(x: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """Samples of the exponential distribution, density λe^{−λx} on x ≥ 0 (mean 1/λ)."""
    _positive("exponential_", "lambda", lambd)
    rng = _rng(generator)
    return _random_fill(x, "exponential_", lambda shape: rng.exponential(1.0 / lambd, shape), error=RuntimeError)


def geometric_(x: Tensor, p: float, *, generator: Any = None) -> Tensor:
    """Samples of the geometric distribution P(k) = (1 − p)^{k−1} p, k = 1, 2, … (trials to the first
    success; mean 1/p).  Integer tensors too, as in torch."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    rng = _rng(generator)
    return _random_fill(x, "geometric_", lambda shape: rng.geometric(p, shape), kinds="fciu")


def log_normal_(x: Tensor, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Tensor:
    """Samples of exp(N(mean, std²)): ``mean``/``std`` are those of the underlying normal (as torch)."""
    _positive("log_normal_", "std", std)
    rng = _rng(generator)
    return _random_fill(x, "log_normal_", lambda shape: rng.lognormal(mean, std, shape))


def cauchy_(x: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Tensor:
    """Samples of the Cauchy distribution, density 1/(πσ(1 + ((x − median)/σ)²))."""
    _positive("cauchy_", "sigma", sigma)
    rng = _rng(generator)
    return _random_fill(x, "cauchy_", lambda shape: median + sigma * rng.standard_cauchy(shape),
                        error=RuntimeError)


def _dtype_range(dtype: Any) -> tuple[int, int]:
    """The integers ``random_()`` draws from by default: [0, 2^mantissa] for floats (every integer in it
    is exact), [0, max] for integers, {0, 1} for bool."""
    if dtype.kind == "f":
        return 0, 2 ** (backend.host.finfo(dtype).nmant + 1)
    if dtype.kind == "b":
        return 0, 1
    return 0, backend.iinfo(dtype).max


def random_(x: Tensor, *args: int, generator: Any = None, **bounds: int) -> Tensor:
    """Integers drawn uniformly: ``random_(from, to)`` on [from, to − 1], ``random_(to)`` on [0, to − 1],
    ``random_()`` over the dtype's range (for floats [0, 2^mantissa], each exact).  The keywords
    ``from``/``to`` of torch are accepted too."""
    if len(args) > 2:
        raise TypeError(f"random_: takes at most 2 positional bounds, got {len(args)}")
    low, high = (0, args[0]) if len(args) == 1 else (args + (None, None))[:2]
    low, high = bounds.pop("from", low), bounds.pop("to", high)
    if bounds:
        raise TypeError(f"random_: unexpected keyword arguments {sorted(bounds)}")
    default_low, default_high = _dtype_range(x.dtype)
    low = default_low if low is None else int(low)
    high = default_high + 1 if high is None else int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if x.dtype.kind in "iub":
        lo, hi = (0, 1) if x.dtype.kind == "b" else (backend.iinfo(x.dtype).min, backend.iinfo(x.dtype).max)
        if not lo <= low <= hi or not lo <= high - 1 <= hi:
            raise RuntimeError(f"random_: the range [{low}, {high - 1}] is out of bounds for dtype {x.dtype}")
    rng = _rng(generator)
    return _random_fill(x, "random_", lambda shape: rng.integers(low, high - 1, shape, endpoint=True), kinds="fciub")


def bernoulli_(x: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """x ← 1 with probability p, 0 otherwise (``p`` a number or a tensor broadcast to x)."""
    if isinstance(p, Tensor):
        probs = backend.to_numpy(p.data)
        if not ((probs >= 0) & (probs <= 1)).all():
            raise RuntimeError("bernoulli_: expected all probabilities p to be in [0, 1]")
        try:
            probs = backend.host.broadcast_to(probs, x.shape)
        except ValueError:
            raise RuntimeError(f"bernoulli_: p of shape {p.shape} does not broadcast to the tensor's shape "
                               f"{x.shape}") from None
    elif not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    else:
        probs = p
    rng = _rng(generator)
    return _random_fill(x, "bernoulli_", lambda shape: rng.random(shape) < probs, kinds="fciub")


def copy_(x: Tensor, src: Any) -> Tensor:
    """x ← src (broadcast to x, converted to x's dtype); the gradient flows to src."""
    if not isinstance(src, Tensor):
        src = Tensor(src, dtype=x.dtype, device=x.device)
    if src.device != x.device:
        src = src.to(x.device)

    def compute(old: Tensor) -> Tensor:
        s = src if src.dtype == x.dtype else cast(src, x.dtype)
        try:
            s = broadcast_to(s, x.shape)
        except RuntimeError:
            raise RuntimeError(f"copy_: src of shape {src.shape} does not broadcast to the tensor's shape "
                               f"{x.shape}") from None
        return _replaced(old, s)

    if not grad_mode.enabled or not (x.requires_grad or src.requires_grad):
        return _write(x, compute(x)._data, "copy_", casting="unsafe")
    return apply_inplace(x, "copy_", compute)


def scaled(other: Any, alpha: float) -> Any:
    """alpha·other (PyTorch's ``alpha=`` of add/sub), a number staying a number."""
    if alpha == 1:
        return other
    return mul(other, alpha) if isinstance(other, Tensor) else other * alpha


def add_(x: Tensor, other: Any, *, alpha: float = 1.0) -> Tensor:
    """x ← x + alpha·other."""
    return apply_inplace(x, "add_", lambda old: add(old, scaled(other, alpha)))


def sub_(x: Tensor, other: Any, *, alpha: float = 1.0) -> Tensor:
    return apply_inplace(x, "sub_", lambda old: sub(old, scaled(other, alpha)))


def unary_(x: Tensor, name: str, fn: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
    """x ← fn(x, *args): the shared body of mul_, div_, clamp_, exp_, …"""
    return apply_inplace(x, name, lambda old: fn(old, *args, **kwargs))


def view_(x: Tensor, name: str, fn: Callable[..., Tensor], *args: Any) -> Tensor:
    """x ← fn(x, *args) for an op that changes only the shape (t_, transpose_, squeeze_, unsqueeze_)."""
    return apply_inplace(x, name, lambda old: fn(old, *args), view=True)


def clamp_(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    return apply_inplace(x, "clamp_", lambda old: clamp(old, min, max))


def setitem(x: Tensor, index: Any, value: Any) -> None:
    """``x[index] = value``: only on tensors outside the graph (PyTorch would need version counters)."""
    if x.requires_grad and (grad_mode.enabled or x.grad_fn is not None):
        raise RuntimeError(
            "setitem: in-place assignment into a tensor that requires grad would corrupt the graph; "
            "build a new tensor instead (tg.where, tg.cat) or do it under tg.no_grad()"
        )
    v = value.data if isinstance(value, Tensor) else value
    x.data[_raw_index(index)] = v
    mark_dirty(x)


__all__ = [
    "mark_dirty", "setitem", "apply_inplace", "scaled", "inplace", "fill_", "zero_", "normal_", "uniform_",
    "exponential_", "geometric_", "log_normal_", "cauchy_", "random_", "bernoulli_",
    "copy_", "add_", "sub_", "unary_", "view_", "clamp_",
]
