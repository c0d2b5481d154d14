"""Elementwise arithmetic and functions, with broadcasting.

Each backward is the local derivative times the incoming gradient, summed back to the input's
shape where the input was broadcast (``sum_to``).  Backwards are written with Tensor ops, so
they can be differentiated again (``create_graph=True``).
"""

from __future__ import annotations

import math
from typing import Any

from .. import backend
from ..autograd.function import Function
from ..autograd.grad_mode import grad_mode
from ..tensor import Tensor
from ._util import operand, operands
from .movement import sum_to


def _constant(array: Any) -> Tensor:
    return Tensor._wrap(array, False)


class _Binary(Function):
    """Forward with a clear broadcasting error instead of NumPy's."""

    op = ""

    def forward(self, a, b):
        try:
            return self.compute(a, b)
        except ValueError:
            raise ValueError(
                f"{self.op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together"
            ) from None


class Add(_Binary):
    op = "add"

    def compute(self, a, b):
        return a + b

    def backward(self, g):
        a, b = self.inputs
        return sum_to(g, a.shape), sum_to(g, b.shape)


class Sub(_Binary):
    op = "sub"

    def compute(self, a, b):
        return a - b

    def backward(self, g):
        a, b = self.inputs
        gb = sum_to(-g, b.shape) if self.needs_input_grad[1] else None
        return sum_to(g, a.shape), gb


class Mul(_Binary):
    op = "mul"

    def compute(self, a, b):
        return a * b

    def backward(self, g):
        a, b = self.inputs
        ga = sum_to(g * b, a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(g * a, b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Div(_Binary):
    op = "div"

    def compute(self, a, b):
        return a / b

    def backward(self, g):
        a, b = self.inputs
        ga = sum_to(g / b, a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(-g * a / (b * b), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Pow(_Binary):
    """y = aᵇ; ∂y/∂a = b·aᵇ⁻¹, ∂y/∂b = aᵇ·ln a."""

    op = "pow"

    def compute(self, a, b):
        return a ** b

    def backward(self, g):
        a, b = self.inputs
        ga = sum_to(g * b * a ** (b - 1), a.shape) if self.needs_input_grad[0] else None
        gb = None
        if self.needs_input_grad[1]:
            y = self.outputs[0]()
            gb = sum_to(g * y * log(a), b.shape)
        return ga, gb


class PowScalar(Function):
    """y = xᶜ for a constant c; ∂y/∂x = c·xᶜ⁻¹."""

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x):
        return x ** self.c

    def backward(self, g):
        x, = self.inputs
        if self.c == 2:
            return g * 2.0 * x
        return g * self.c * pow(x, self.c - 1)


class Neg(Function):
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


def div(a: Any, b: Any) -> Tensor:
    return Div()(*operands(a, b))


def neg(x: Tensor) -> Tensor:
    return Neg()(x)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - the PyTorch name
    if isinstance(a, Tensor) and backend.is_scalar(b):
        if b == 1:
            return a
        return PowScalar(b)(a)
    return Pow()(*operands(a, b))


# ----------------------------------------------------------------------------- unary functions
class Exp(Function):
    def forward(self, x):
        return backend.get_array_module(x).exp(x)

    def backward(self, g):
        return g * self.outputs[0]()


class Log(Function):
    def forward(self, x):
        return backend.get_array_module(x).log(x)

    def backward(self, g):
        return g / self.inputs[0]


class Sqrt(Function):
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


def exp(x: Tensor) -> Tensor:
    return Exp()(x)


def log(x: Tensor) -> Tensor:
    return Log()(x)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt()(x)


def abs(x: Tensor) -> Tensor:  # noqa: A001 - the PyTorch name
    return Abs()(x)


def sin(x: Tensor) -> Tensor:
    return Sin()(x)


def cos(x: Tensor) -> Tensor:
    return Cos()(x)


def erf(x: Tensor) -> Tensor:
    return Erf()(x)


def sign(x: Tensor) -> Tensor:
    return _constant(x.xp.sign(x.data))


# ----------------------------------------------------------------------------- selections
class Where(Function):
    """where(cond, a, b): the gradient goes to a where cond holds, to b elsewhere."""

    def __init__(self, condition: Any) -> None:
        self.condition = condition

    def forward(self, a, b):
        try:
            return backend.get_array_module(a, b).where(self.condition, a, b)
        except ValueError:
            shapes = " and ".join(str(tuple(getattr(v, "shape", ()))) for v in (self.condition, a, b))
            raise ValueError(f"where: shapes {shapes} (condition, a, b) cannot be broadcast together") from None

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


class _Select(_Binary):
    """maximum/minimum: the gradient goes to the chosen input; ties split it in half (as PyTorch)."""

    def compute(self, a, b):
        xp = backend.get_array_module(a, b)
        first = self.pick_first(a, b)
        self.weight_a = first + 0.5 * (a == b)
        return xp.where(first | (a == b), a, b)

    def backward(self, g):
        a, b = self.inputs
        wa = _constant(self.weight_a.astype(g.dtype))
        ga = sum_to(g * wa, a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(g * (1.0 - wa), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


class Maximum(_Select):
    op = "maximum"

    @staticmethod
    def pick_first(a, b):
        return a > b


class Minimum(_Select):
    op = "minimum"

    @staticmethod
    def pick_first(a, b):
        return a < b


def maximum(a: Any, b: Any) -> Tensor:
    return Maximum()(*operands(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    return Minimum()(*operands(a, b))


class Clamp(Function):
    """Clip to [min, max]; the gradient passes where min ≤ x ≤ max (as PyTorch)."""

    def __init__(self, low: float | None, high: float | None) -> None:
        self.low, self.high = low, high

    def forward(self, x):
        xp = backend.get_array_module(x)
        mask = xp.ones(x.shape, dtype=bool)
        if self.low is not None:
            mask &= x >= self.low
        if self.high is not None:
            mask &= x <= self.high
        self.mask = mask
        return xp.clip(x, self.low, self.high).astype(x.dtype, copy=False)

    def backward(self, g):
        return g * _constant(self.mask.astype(g.dtype))


def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if min is not None and max is not None and min > max:
        raise ValueError(f"clamp: min {min} is greater than max {max}")
    return Clamp(min, max)(x)


# ----------------------------------------------------------------------------- no gradient
def compare(a: Any, b: Any, name: str) -> Tensor:
    """Comparisons and logical ops: boolean results, outside the graph."""
    a, b = operands(a, b)
    xp = backend.get_array_module(a.data, b.data)
    try:
        return _constant(getattr(xp, name)(a.data, b.data))
    except ValueError:
        raise ValueError(f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast together") from None


def logical_not(x: Tensor) -> Tensor:
    return _constant(x.xp.logical_not(x.data))


# ----------------------------------------------------------------------------- copies, casts, devices
class Clone(Function):
    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return g


class Cast(Function):
    def __init__(self, dtype: Any) -> None:
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, g):
        return cast(g, self.in_dtype)


class ToDevice(Function):
    def __init__(self, device: Any) -> None:
        self.device = device

    def forward(self, x):
        self.in_device = backend.device_of(x)
        return backend.to_device(x, self.device)

    def backward(self, g):
        return to_device(g, self.in_device)


def clone(x: Tensor) -> Tensor:
    return Clone()(x)


def cast(x: Tensor, dtype: Any) -> Tensor:
    if x.dtype == dtype:
        return x
    if x.requires_grad and backend.as_dtype(dtype).kind not in "fc":
        return _constant(x.data.astype(dtype))
    return Cast(backend.as_dtype(dtype))(x)


def to_device(x: Tensor, device: Any) -> Tensor:
    return ToDevice(device)(x)


def inplace(x: Tensor, other: Any, name: str) -> Tensor:
    """``x += y`` and friends: in place outside the graph, a new node inside it."""
    other = operand(other, x)
    if not x.requires_grad or not grad_mode.enabled and x.is_leaf:
        xp = x.xp
        ufunc = {"add": xp.add, "sub": xp.subtract, "mul": xp.multiply, "div": xp.divide}[name]
        ufunc(x.data, other.data, out=x.data, casting="same_kind")
        return x
    if x.is_leaf:
        raise RuntimeError(
            f"in-place {name}: a leaf tensor that requires grad is used in an in-place operation; "
            "update parameters under tg.no_grad() (or change .data)"
        )
    return {"add": add, "sub": sub, "mul": mul, "div": div}[name](x, other)


__all__ = [
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "sin", "cos", "erf", "sign",
    "where", "maximum", "minimum", "clamp", "compare", "logical_not", "clone", "cast", "to_device", "inplace",
]
