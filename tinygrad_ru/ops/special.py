"""More elementwise functions of torch: atan2, hypot, logaddexp, xlogy, the inverse hyperbolics,
erfc/erfinv, and the NaN-aware and sign helpers.

Most are compositions of existing ops (their gradient comes for free); a Function is written
where the composition would be unstable or would give a different gradient than PyTorch's at
an edge point (atan2 at the origin, xlogy at x = 0, sinc at 0).  Backwards use Tensor ops, so
they can be differentiated again.
"""

from __future__ import annotations

import math
from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import operand, operands
from .activation import sigmoid
from .comparison import clamp, compare, isfinite, isnan
from .copies import _constant, cast
from .elementwise import _Binary, _floating, _quiet, _quietly, abs, cos, div, exp, log, mul, pow, sign, sqrt, where
from .movement import sum_to


def _float_operands(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Both operands as floating tensors (integers become the default float dtype, as torch)."""
    a, b = operands(a, b)
    return _floating(a), _floating(b)


# ----------------------------------------------------------------------------- two arguments
class Atan2(_Binary):
    """y = atan2(a, b), the angle of the point (b, a); ∂y/∂a = b/(a² + b²), ∂y/∂b = −a/(a² + b²).

    At the origin both derivatives are 0, as PyTorch."""

    op = "atan2"

    def compute(self, a, b):
        return backend.get_array_module(a, b).arctan2(a, b)

    def backward(self, g):
        a, b = self.inputs
        r2 = a * a + b * b
        zero = _constant(r2.data == 0)
        inv = where(zero, 0.0, 1.0 / where(zero, 1.0, r2))
        return sum_to(g * b * inv, a.shape), sum_to(-g * a * inv, b.shape)


def atan2(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """atan2(input, other): the angle of (other, input) in (−π, π], elementwise with broadcasting."""
    return Atan2()(*_float_operands(input, other))


arctan2 = atan2


class Hypot(_Binary):
    """y = √(a² + b²) without overflow; ∂y/∂a = a/y, ∂y/∂b = b/y (NaN at the origin, as PyTorch)."""

    op = "hypot"
    saves_output = True

    def compute(self, a, b):
        return backend.get_array_module(a, b).hypot(a, b)

    def backward(self, g):
        a, b = self.inputs
        y = self.outputs[0]()
        return sum_to(g * a / y, a.shape), sum_to(g * b / y, b.shape)


def hypot(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """√(input² + other²), elementwise with broadcasting."""
    return Hypot()(*_float_operands(input, other))


class LogAddExp(_Binary):
    """y = log_β(βᵃ + βᵇ) (β = e or 2) without overflow; ∂y/∂a = σ((a − b)·ln β), ∂y/∂b = σ((b − a)·ln β)."""

    def __init__(self, base2: bool) -> None:
        self.base2 = base2
        self.op = "logaddexp2" if base2 else "logaddexp"

    def compute(self, a, b):
        xp = backend.get_array_module(a, b)
        return (xp.logaddexp2 if self.base2 else xp.logaddexp)(a, b)

    def backward(self, g):
        a, b = self.inputs
        d = (a - b) * math.log(2.0) if self.base2 else a - b
        return sum_to(g * sigmoid(d), a.shape), sum_to(g * sigmoid(-d), b.shape)


def logaddexp(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """log(eᵃ + eᵇ), computed as max(a, b) + log1p(e^{−|a−b|})."""
    return LogAddExp(False)(*_float_operands(input, other))


def logaddexp2(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """log₂(2ᵃ + 2ᵇ)."""
    return LogAddExp(True)(*_float_operands(input, other))


class XLogY(_Binary):
    """y = x·log(y), 0 where x = 0 (NaN where y is NaN), as PyTorch.

    ∂/∂x = log(y), but 0 where x = 0 and y ≤ 0 (as PyTorch); ∂/∂y = x/y."""

    op = "xlogy"

    def compute(self, x, y):
        xp = backend.get_array_module(x, y)
        with _quiet(xp):
            out = xp.where(x == 0, xp.zeros((), x.dtype), x * xp.log(y))
        return xp.where(xp.isnan(y), xp.asarray(xp.nan, out.dtype), out)

    def backward(self, g):
        x, y = self.inputs
        gx = gy = None
        if self.needs_input_grad[0]:
            flat = _constant((x.data == 0) & (y.data <= 0))
            gx = sum_to(where(flat, 0.0, xlogy(g, y)), x.shape)
        if self.needs_input_grad[1]:
            gy = sum_to(g * x / y, y.shape)
        return gx, gy


def xlogy(input: Any, other: Any) -> Tensor:  # noqa: A002
    """x·log(y), with 0 where x = 0 (even where log y is −∞)."""
    return XLogY()(*_float_operands(input, other))


def copysign(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """|input| with the sign (bit) of ``other``; ∂/∂input = sign(input)·sign(result), 0 at input = 0; none to other."""
    a, b = _float_operands(input, other)
    return mul(abs(a), _constant(a.xp.copysign(a.xp.ones((), a.dtype), b.data)))


def heaviside(input: Tensor, values: Any) -> Tensor:  # noqa: A002
    """H(x) = 0 for x < 0, ``values`` at x = 0, 1 for x > 0 (no gradient)."""
    values = operand(values, input)
    if input.dtype != values.dtype:
        raise RuntimeError(f"heaviside: is not yet implemented for tensors with different dtypes "
                           f"(input {input.dtype}, values {values.dtype})")
    xp = input.xp
    try:
        out = xp.heaviside(input.data, values.data)
    except ValueError:
        raise RuntimeError(f"heaviside: shapes {input.shape} and {values.shape} cannot be broadcast together") from None
    return _constant(out.astype(input.dtype, copy=False))


def fmax(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """max(a, b) ignoring NaN (NaN only where both are); ties and NaN in b send the gradient to a, as PyTorch."""
    a, b = operands(input, other)
    return where(compare(a, b, "greater_equal") | isnan(b), a, b)


def fmin(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """min(a, b) ignoring NaN (NaN only where both are); ties and NaN in b send the gradient to a, as PyTorch."""
    a, b = operands(input, other)
    return where(compare(a, b, "less_equal") | isnan(b), a, b)


def float_power(input: Any, exponent: Any) -> Tensor:  # noqa: A002
    """inputᵉˣᵖᵒⁿᵉⁿᵗ computed in float64 (the result is float64, as PyTorch)."""
    a, b = operands(input, exponent)
    return pow(cast(a, backend.float64), cast(b, backend.float64))


# ----------------------------------------------------------------------------- one argument
class _UnaryFormula(Function):
    """y = f(x) for an array function f; the backward is ``derivative(x, y)`` written in Tensor ops."""

    @_quietly
    def forward(self, x):
        return self.compute(x)

    def backward(self, g):
        return g * self.derivative(self.inputs[0], self.outputs[0]())


class Asinh(_UnaryFormula):
    """y = arsinh x; ∂y/∂x = 1/√(x² + 1)."""

    def compute(self, x):
        return backend.get_array_module(x).arcsinh(x)

    def derivative(self, x, y):
        return 1.0 / sqrt(x * x + 1.0)


class Acosh(_UnaryFormula):
    """y = arcosh x (x ≥ 1); ∂y/∂x = 1/√(x² − 1)."""

    def compute(self, x):
        return backend.get_array_module(x).arccosh(x)

    def derivative(self, x, y):
        return 1.0 / sqrt(x * x - 1.0)


class Atanh(_UnaryFormula):
    """y = artanh x (|x| < 1); ∂y/∂x = 1/(1 − x²)."""

    def compute(self, x):
        return backend.get_array_module(x).arctanh(x)

    def derivative(self, x, y):
        return 1.0 / (1.0 - x * x)


class Erfc(_UnaryFormula):
    """y = erfc x = 1 − erf x, exact for large x; ∂y/∂x = −2/√π · e^{−x²}."""

    def compute(self, x):
        return backend.special("erfc", x)

    def derivative(self, x, y):
        return (-2.0 / math.sqrt(math.pi)) * exp(-(x * x))


class Erfinv(_UnaryFormula):
    """y = erf⁻¹ x (|x| ≤ 1); ∂y/∂x = √π/2 · e^{y²}."""

    def compute(self, x):
        return backend.special("erfinv", x)

    def derivative(self, x, y):
        return (math.sqrt(math.pi) / 2.0) * exp(y * y)


class Sinc(_UnaryFormula):
    """y = sin(πx)/(πx), 1 at x = 0; ∂y/∂x = (cos(πx) − y)/x, 0 at x = 0 (as PyTorch)."""

    def compute(self, x):
        return backend.get_array_module(x).sinc(x)

    def derivative(self, x, y):
        zero = _constant(x.data == 0)
        return where(zero, 0.0, (cos(math.pi * x) - y) / where(zero, 1.0, x))


def asinh(input: Tensor) -> Tensor:  # noqa: A002
    """arsinh x = ln(x + √(x² + 1))."""
    return Asinh()(_floating(input))


def acosh(input: Tensor) -> Tensor:  # noqa: A002
    """arcosh x = ln(x + √(x² − 1)), x ≥ 1."""
    return Acosh()(_floating(input))


def atanh(input: Tensor) -> Tensor:  # noqa: A002
    """artanh x = ½ ln((1 + x)/(1 − x)), |x| < 1."""
    return Atanh()(_floating(input))


arcsinh, arccosh, arctanh = asinh, acosh, atanh


def erfc(input: Tensor) -> Tensor:  # noqa: A002
    """erfc x = 1 − erf x = 2/√π ∫ₓ^∞ e^{−t²} dt."""
    return Erfc()(_floating(input))


def erfinv(input: Tensor) -> Tensor:  # noqa: A002
    """The inverse of erf on [−1, 1] (±∞ at ±1, NaN outside)."""
    return Erfinv()(_floating(input))


def sinc(input: Tensor) -> Tensor:  # noqa: A002
    """The normalized sinc, sin(πx)/(πx), 1 at 0."""
    return Sinc()(_floating(input))


def exp2(input: Tensor) -> Tensor:  # noqa: A002
    """2ˣ; ∂/∂x = 2ˣ·ln 2."""
    x = _floating(input)
    return pow(_constant(x.xp.asarray(2.0, x.dtype)), x)


def reciprocal(input: Tensor) -> Tensor:  # noqa: A002
    """1/x (integers give the default float dtype)."""
    return div(1.0, input)


def deg2rad(input: Tensor) -> Tensor:  # noqa: A002
    """x·π/180."""
    return _floating(input) * (math.pi / 180.0)


def rad2deg(input: Tensor) -> Tensor:  # noqa: A002
    """x·180/π."""
    return _floating(input) * (180.0 / math.pi)


def logit(input: Tensor, eps: float | None = None) -> Tensor:  # noqa: A002
    """log(x/(1 − x)), x first clamped to [eps, 1 − eps] when eps is given (the gradient is 0 outside)."""
    x = _floating(input)
    if eps is not None:
        x = clamp(x, eps, 1.0 - eps)
    return log(x / (1.0 - x))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,  # noqa: A002
               neginf: float | None = None) -> Tensor:
    """NaN → ``nan``, +∞ → ``posinf``, −∞ → ``neginf`` (default: the dtype's largest and lowest finite
    values); the gradient passes where x is finite (as PyTorch)."""
    xp = input.xp
    if input.dtype.kind not in "fc":
        return input
    info = xp.finfo(input.dtype)
    fixed = xp.nan_to_num(input.data, nan=nan, posinf=info.max if posinf is None else posinf,
                          neginf=info.min if neginf is None else neginf)
    return where(isfinite(input), input, _constant(fixed))


def signbit(input: Tensor) -> Tensor:  # noqa: A002
    """True where the sign bit is set (−0.0 and −NaN included); no gradient."""
    return _constant(input.xp.signbit(input.data))


sgn = sign  # torch.sgn is torch.sign for real tensors


__all__ = [
    "atan2", "arctan2", "hypot", "logaddexp", "logaddexp2", "xlogy", "copysign", "heaviside", "fmax", "fmin",
    "float_power", "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "erfc", "erfinv", "sinc", "exp2",
    "reciprocal", "deg2rad", "rad2deg", "logit", "nan_to_num", "signbit", "sgn",
]
