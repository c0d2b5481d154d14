"""The small pieces every optimizer is built from (optax-style composition).

Each piece works on raw backend arrays (NumPy or CuPy) in the parameter's own dtype and
updates its first argument in place.  The optimizers in this package are short compositions
of these pieces; a formula lives here once instead of being copied into every class.

Notation used in the docstrings: ``g`` the gradient, ``θ`` the parameter, ``η`` the learning
rate, ``λ`` the weight decay, ``t`` the step counter (starting at 1).
"""

from __future__ import annotations

from typing import Any

from tinygrad_ru import backend

Array = Any

__all__ = [
    "xp_of", "gradient", "l2_penalty", "decoupled_decay_", "ema_", "ema_sq_", "heavy_ball_",
    "bias_correction", "rms_denominator", "sign", "dot", "flat_concat",
]


def xp_of(a: Array):
    """The array module (numpy or cupy) that owns ``a``."""
    return backend.get_array_module(a)


def gradient(p: Any, maximize: bool = False) -> Array:
    """The raw gradient array of parameter ``p``, negated for ``maximize`` (a new array then)."""
    g = p.grad.data
    return -g if maximize else g


def l2_penalty(g: Array, theta: Array, weight_decay: float) -> Array:
    """Coupled weight decay (L2 regularisation folded into the gradient): g + λθ.

    Returns a new array, so the user's ``p.grad`` is never modified (as in PyTorch).
    """
    if weight_decay == 0:
        return g
    return g + weight_decay * theta


def decoupled_decay_(theta: Array, lr: float, weight_decay: float) -> None:
    """Decoupled weight decay (Loshchilov & Hutter): θ ← θ·(1 − ηλ), in place."""
    if weight_decay != 0:
        theta *= 1 - lr * weight_decay


def ema_(avg: Array, x: Array, beta: float) -> None:
    """Exponential moving average in place: m ← β·m + (1 − β)·x."""
    avg *= beta
    avg += (1 - beta) * x


def ema_sq_(avg: Array, x: Array, beta: float) -> None:
    """Moving average of squares in place: v ← β·v + (1 − β)·x²."""
    sq = x * x
    sq *= 1 - beta
    avg *= beta
    avg += sq


def heavy_ball_(buf: Array, g: Array, momentum: float, dampening: float = 0.0) -> None:
    """Heavy-ball buffer in place: b ← μ·b + (1 − τ)·g (PyTorch's SGD buffer)."""
    buf *= momentum
    if dampening == 0:
        buf += g
    else:
        buf += (1 - dampening) * g


def bias_correction(beta: float, step: int) -> float:
    """Adam's bias correction 1 − βᵗ for a moving average started at zero."""
    return 1 - beta**step


def rms_denominator(v: Array, eps: float, bias_correction2: float = 1.0, eps_inside_sqrt: bool = False) -> Array:
    """The adaptive denominator, a new array.

    PyTorch's form (default): ``√(v / c₂) + ε`` (computed as √v / √c₂ + ε like torch).
    The lecture form (``eps_inside_sqrt=True``): ``√(v / c₂ + ε)``.
    The two agree to rounding when ε ≪ v/c₂ and differ strongly when the gradients are tiny.
    """
    xp = xp_of(v)
    if eps_inside_sqrt:
        d = v / bias_correction2 if bias_correction2 != 1.0 else v.copy()
        d += eps
        return xp.sqrt(d, out=d)
    d = xp.sqrt(v)
    if bias_correction2 != 1.0:
        d /= bias_correction2**0.5
    d += eps
    return d


def sign(x: Array) -> Array:
    """Elementwise sign (0 at 0)."""
    return xp_of(x).sign(x)


def dot(a: Array, b: Array) -> float:
    """Scalar product of two arrays of the same shape, as a Python float."""
    xp = xp_of(a)
    return float(xp.vdot(a.ravel(), b.ravel()))


def flat_concat(arrays: list[Array]) -> Array:
    """Concatenate arrays into one flat vector (L-BFGS works on the flattened parameters)."""
    xp = xp_of(arrays[0])
    return xp.concatenate([a.ravel() for a in arrays])
