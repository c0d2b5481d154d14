"""Elementwise arithmetic and functions, with broadcasting.

Each backward is the local derivative times the incoming gradient, summed back to the input's
shape where the input was broadcast (``sum_to``).  Backwards are written with Tensor ops, so
they can be differentiated again (``create_graph=True``).
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import operand, operands
from .copies import _constant, cast
from .movement import sum_to


def _quiet(xp: Any) -> Any:
    """NumPy's errstate without warnings for log(0) and the like (CuPy does not warn): a no-op elsewhere."""
    errstate = getattr(xp, "errstate", None)
    return errstate(divide="ignore", invalid="ignore") if errstate is not None else contextlib.nullcontext()


_quietly = backend.quiet_float_errors  # a forward whose domain edges give ±inf/nan silently, as PyTorch


class _Binary(Function):
    """Forward with a clear broadcasting error instead of NumPy's."""

    op = ""

    def forward(self, a, b):
        try:
            return self.compute(a, b)
        except ValueError:
            raise RuntimeError(
                f"{self.op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together"
            ) from None


class Add(_Binary):
    saves = ()  # backward reads no input value (only shapes)
    op = "add"

    def compute(self, a, b):
        return a + b

    def backward(self, g):
        a, b = self.inputs
        return sum_to(g, a.shape), sum_to(g, b.shape)


class Sub(_Binary):
    saves = ()  # backward reads no input value (only shapes)
    op = "sub"

    def compute(self, a, b):
        return a - b

    def backward(self, g):
        a, b = self.inputs
        gb = sum_to(-g, b.shape) if self.needs_input_grad[1] else None
        return sum_to(g, a.shape), gb


class Mul(_Binary):
    op = "mul"

    @property
    def saves(self) -> tuple[int, ...]:
        """∂/∂a reads b and ∂/∂b reads a: only the factor a needed gradient reads is checked (as torch)."""
        need = self.needs_input_grad
        return (1,) * need[0] + (0,) * need[1]

    def compute(self, a, b):
        return a * b

    def backward(self, g):
        a, b = self.inputs
        ga = sum_to(g * b, a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(g * a, b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Div(_Binary):
    op = "div"

    @property
    def saves(self) -> tuple[int, ...]:
        """∂/∂a = 1/b reads b; ∂/∂b = −a/b² reads a and b."""
        need_a, need_b = self.needs_input_grad
        return (1,) * (need_a or need_b) + (0,) * need_b

    @_quietly  # x/0 = ±inf, 0/0 = nan without a warning, as PyTorch
    def compute(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.inputs
        ga = sum_to(g / b, a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(-g * a / (b * b), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Pow(_Binary):
    """y = aᵇ; ∂y/∂a = b·aᵇ⁻¹, ∂y/∂b = aᵇ·ln a."""

    saves_output = True  # ∂y/∂b = y·ln a

    op = "pow"

    @_quietly
    def compute(self, a, b):
        return a ** b

    def backward(self, g):
        a, b = self.inputs
        ga = gb = None
        if self.needs_input_grad[0]:  # b·aᵇ⁻¹, and 0 where b = 0 (not 0·0⁻¹ = NaN), as PyTorch
            ga = sum_to(where(_constant(b.data == 0), 0.0, g * b * a ** (b - 1)), a.shape)
        if self.needs_input_grad[1]:  # aᵇ·ln a, and 0 where a = 0 and b ≥ 0 (not 0·(−∞)), as PyTorch
            y = self.outputs[0]()
            gb = sum_to(where(_constant((a.data == 0) & (b.data >= 0)), 0.0, g * y * log(a)), b.shape)
        return ga, gb


class PowScalar(Function):
    """y = xᶜ for a constant c; ∂y/∂x = c·xᶜ⁻¹."""

    def __init__(self, c: float) -> None:
        self.c = c

    @_quietly
    def forward(self, x):
        return x ** self.c

    def backward(self, g):
        x, = self.inputs
        if self.c == 2:
            return g * 2.0 * x
        if self.c == 0:  # as PyTorch: 0, also at x = 0 (not 0·0⁻¹)
            return g * 0.0
        return g * self.c * pow(x, self.c - 1)


class Neg(Function):
    saves = ()  # backward reads no input value (only shapes)

    def forward(self, x):
        return -x

    def backward(self, g):
        return -g


def add(a: Any, b: Any) -> Tensor:
    return Add()(*operands(a, b))


def sub(a: Any, b: Any) -> Tensor:
    return Sub()(*operands(a, b))


def mul(a: Any, b: Any) -> Tensor:
    return Mul()(*operands(a, b))


def div(a: Any, b: Any, rounding_mode: str | None = None) -> Tensor:
    """a / b; integers divide to the default float dtype (true division, as PyTorch).
    ``rounding_mode="floor"`` or ``"trunc"`` rounds the quotient (no gradient through the rounding)."""
    a, b = operands(a, b)
    if rounding_mode is not None:
        if rounding_mode == "floor":
            return floor_divide(a, b)
        if rounding_mode == "trunc":
            q = trunc(div(a, b))
            return q if a.dtype.kind in "fc" else cast(q, a.dtype)
        raise RuntimeError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    if a._data.dtype.kind not in "fc" and b._data.dtype.kind not in "fc":
        a, b = _floating(a), _floating(b)
    return Div()(a, b)


def neg(x: Tensor) -> Tensor:
    return Neg()(x)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - the PyTorch name
    if isinstance(a, Tensor) and backend.is_scalar(b):
        if b == 1:
            return a
        if isinstance(b, float) and a._data.dtype.kind not in "fc":
            a = _floating(a)  # int tensor ** 0.5: the default float dtype (as PyTorch)
        return PowScalar(b)(a)
    return Pow()(*operands(a, b))


# ----------------------------------------------------------------------------- unary functions
class Exp(Function):
    saves = ()
    saves_output = True  # backward reads the output

    def forward(self, x):
        return backend.get_array_module(x).exp(x)

    def backward(self, g):
        return g * self.outputs[0]()


class Log(Function):
    saves = (0,)

    @_quietly  # log 0 = −inf, log of a negative = nan without a warning, as PyTorch
    def forward(self, x):
        return backend.get_array_module(x).log(x)

    def backward(self, g):
        return g / self.inputs[0]


class Sqrt(Function):
    saves = ()
    saves_output = True  # backward reads the output

    @_quietly
    def forward(self, x):
        return backend.get_array_module(x).sqrt(x)

    def backward(self, g):
        return g / (2.0 * self.outputs[0]())


class Abs(Function):
    def forward(self, x):
        return backend.get_array_module(x).abs(x)

    def backward(self, g):
        x, = self.inputs
        return g * _constant(backend.get_array_module(x.data).sign(x.data))


class Sin(Function):
    def forward(self, x):
        return backend.get_array_module(x).sin(x)

    def backward(self, g):
        return g * cos(self.inputs[0])


class Cos(Function):
    def forward(self, x):
        return backend.get_array_module(x).cos(x)

    def backward(self, g):
        return -g * sin(self.inputs[0])


class Erf(Function):
    """erf(x); ∂/∂x = 2/√π · exp(−x²)."""

    def forward(self, x):
        return backend.erf(x)

    def backward(self, g):
        x, = self.inputs
        return g * (2.0 / math.sqrt(math.pi)) * exp(-(x * x))


class Log1p(Function):
    """y = ln(1 + x), exact for small x; ∂y/∂x = 1/(1 + x)."""

    @_quietly
    def forward(self, x):
        return backend.get_array_module(x).log1p(x)

    def backward(self, g):
        return g / (self.inputs[0] + 1.0)


class Expm1(Function):
    """y = eˣ − 1, exact for small x; ∂y/∂x = eˣ = y + 1."""

    def forward(self, x):
        return backend.get_array_module(x).expm1(x)

    def backward(self, g):
        return g * (self.outputs[0]() + 1.0)


class Rsqrt(Function):
    """y = 1/√x; ∂y/∂x = −y³/2."""

    @_quietly
    def forward(self, x):
        return 1.0 / backend.get_array_module(x).sqrt(x)

    def backward(self, g):
        y = self.outputs[0]()
        return g * (-0.5) * y * y * y


class LogBase(Function):
    """y = log_b x (b = 2 or 10); ∂y/∂x = 1/(x ln b)."""

    def __init__(self, base: int) -> None:
        self.base = base

    @_quietly
    def forward(self, x):
        xp = backend.get_array_module(x)
        return xp.log2(x) if self.base == 2 else xp.log10(x)

    def backward(self, g):
        return g / (self.inputs[0] * math.log(self.base))


class Tan(Function):
    """y = tan x; ∂y/∂x = 1 + y²."""

    def forward(self, x):
        return backend.get_array_module(x).tan(x)

    def backward(self, g):
        y = self.outputs[0]()
        return g * (1.0 + y * y)


class Sinh(Function):
    def forward(self, x):
        return backend.get_array_module(x).sinh(x)

    def backward(self, g):
        return g * cosh(self.inputs[0])


class Cosh(Function):
    def forward(self, x):
        return backend.get_array_module(x).cosh(x)

    def backward(self, g):
        return g * sinh(self.inputs[0])


class Asin(Function):
    """y = arcsin x; ∂y/∂x = 1/√(1 − x²)."""

    def forward(self, x):
        return backend.get_array_module(x).arcsin(x)

    def backward(self, g):
        x, = self.inputs
        return g / sqrt(1.0 - x * x)


class Acos(Function):
    """y = arccos x; ∂y/∂x = −1/√(1 − x²)."""

    def forward(self, x):
        return backend.get_array_module(x).arccos(x)

    def backward(self, g):
        x, = self.inputs
        return -g / sqrt(1.0 - x * x)


class Atan(Function):
    """y = arctan x; ∂y/∂x = 1/(1 + x²)."""

    def forward(self, x):
        return backend.get_array_module(x).arctan(x)

    def backward(self, g):
        x, = self.inputs
        return g / (1.0 + x * x)


class Step(Function):
    """floor, ceil, round, trunc: piecewise constant, so the gradient is zero (as PyTorch)."""

    def __init__(self, kind: str, decimals: int = 0) -> None:
        self.kind, self.decimals = kind, decimals

    def forward(self, x):
        xp = backend.get_array_module(x)
        if self.kind == "round":
            return xp.round(x, self.decimals)
        return getattr(xp, self.kind)(x)

    def backward(self, g):
        return g * 0.0


def _floating(x: Tensor) -> Tensor:
    """exp, log, sin, … of an integer/bool tensor give the default float dtype (as PyTorch)."""
    return x if x._data.dtype.kind in "fc" else cast(x, backend.get_default_dtype())


def exp(x: Tensor) -> Tensor:
    return Exp()(_floating(x))


def log(x: Tensor) -> Tensor:
    return Log()(_floating(x))


def sqrt(x: Tensor) -> Tensor:
    return Sqrt()(_floating(x))


def log1p(x: Tensor) -> Tensor:
    return Log1p()(_floating(x))


def expm1(x: Tensor) -> Tensor:
    return Expm1()(_floating(x))


def rsqrt(x: Tensor) -> Tensor:
    return Rsqrt()(_floating(x))


def log2(x: Tensor) -> Tensor:
    return LogBase(2)(_floating(x))


def log10(x: Tensor) -> Tensor:
    return LogBase(10)(_floating(x))


def tan(x: Tensor) -> Tensor:
    return Tan()(_floating(x))


def sinh(x: Tensor) -> Tensor:
    return Sinh()(_floating(x))


def cosh(x: Tensor) -> Tensor:
    return Cosh()(_floating(x))


def asin(x: Tensor) -> Tensor:
    return Asin()(_floating(x))


def acos(x: Tensor) -> Tensor:
    return Acos()(_floating(x))


def atan(x: Tensor) -> Tensor:
    return Atan()(_floating(x))


def _step(x: Tensor, kind: str, decimals: int = 0) -> Tensor:
    if x._data.dtype.kind not in "fc":  # integers are already whole: a copy, as PyTorch
        return _constant(x._data.copy())
    return Step(kind, decimals)(x)


def floor(x: Tensor) -> Tensor:
    return _step(x, "floor")


def ceil(x: Tensor) -> Tensor:
    return _step(x, "ceil")


def trunc(x: Tensor) -> Tensor:
    return _step(x, "trunc")


def round(x: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001 - the PyTorch name
    """Round half to even (as PyTorch and NumPy); ``decimals`` digits after the point."""
    return _step(x, "round", int(decimals))


def frac(x: Tensor) -> Tensor:
    """x − trunc(x); gradient 1."""
    return x - trunc(x)


def floor_divide(a: Any, b: Any) -> Tensor:
    """⌊a / b⌋ (no gradient, as PyTorch)."""
    a, b = operands(a, b)
    return _constant(backend.get_array_module(a._data, b._data).floor_divide(a._data, b._data))


def remainder(a: Any, b: Any) -> Tensor:
    """a − ⌊a/b⌋·b, the sign of b (Python's %, PyTorch's remainder); ∂/∂a = 1, ∂/∂b = −⌊a/b⌋."""
    a, b = operands(a, b)
    if a.dtype.kind not in "fc" and b.dtype.kind not in "fc":
        return _constant(backend.get_array_module(a._data, b._data).remainder(a._data, b._data))
    return a - floor(a / b) * b


def fmod(a: Any, b: Any) -> Tensor:
    """a − trunc(a/b)·b, the sign of a (C's fmod, PyTorch's fmod)."""
    a, b = operands(a, b)
    if a.dtype.kind not in "fc" and b.dtype.kind not in "fc":
        return _constant(backend.get_array_module(a._data, b._data).fmod(a._data, b._data))
    return a - trunc(a / b) * b


def lerp(start: Tensor, end: Any, weight: Any) -> Tensor:
    """start + weight·(end − start)."""
    return start + weight * (end - start)


def addcmul(x: Tensor, t1: Any, t2: Any, value: float = 1.0) -> Tensor:
    """x + value·t1·t2."""
    return x + value * (t1 * t2)


def addcdiv(x: Tensor, t1: Any, t2: Any, value: float = 1.0) -> Tensor:
    """x + value·t1/t2."""
    return x + value * (t1 / t2)


def abs(x: Tensor) -> Tensor:  # noqa: A001 - the PyTorch name
    return Abs()(x)


def sin(x: Tensor) -> Tensor:
    return Sin()(_floating(x))


def cos(x: Tensor) -> Tensor:
    return Cos()(_floating(x))


def erf(x: Tensor) -> Tensor:
    return Erf()(_floating(x))


def sign(x: Tensor) -> Tensor:
    return _constant(x.xp.sign(x.data))


# ----------------------------------------------------------------------------- selections
class Where(Function):
    """where(cond, a, b): the gradient goes to a where cond holds, to b elsewhere."""

    saves = ()  # the condition is kept as an array; a and b are not read

    def __init__(self, condition: Any) -> None:
        self.condition = condition

    def forward(self, a, b):
        try:
            return backend.get_array_module(a, b).where(self.condition, a, b)
        except ValueError:
            shapes = " and ".join(str(tuple(getattr(v, "shape", ()))) for v in (self.condition, a, b))
            raise RuntimeError(f"where: shapes {shapes} (condition, a, b) cannot be broadcast together") from None

    def backward(self, g):
        a, b = self.inputs
        cond = _constant(self.condition)
        zero = g * 0.0
        ga = sum_to(where(cond, g, zero), a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(where(cond, zero, g), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


def where(condition: Any, a: Any, b: Any) -> Tensor:
    cond = condition.data if isinstance(condition, Tensor) else condition
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        a, b = operands(a, b)
    else:
        a = Tensor(a)
        b = operand(b, a)
    return Where(cond)(a, b)


__all__ = [
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "sin", "cos", "erf", "sign",
    "where", "log1p", "expm1", "rsqrt", "log2", "log10", "tan", "sinh", "cosh", "asin", "acos", "atan",
    "floor", "ceil", "trunc", "round", "frac", "floor_divide", "remainder", "fmod", "lerp", "addcmul",
    "addcdiv",
]
