"""The small pieces the optimizers are built from, and the machinery that runs their updates.

Each piece works on raw backend arrays (NumPy or CuPy) in the parameter's own dtype and
updates its first argument in place.  The update formulas themselves live next to their
optimizer (``adam.py``: ``adam_update`` …); this module holds what several of them share.

Notation used in the docstrings: ``g`` the gradient, ``θ`` the parameter, ``η`` the learning
rate, ``λ`` the weight decay, ``t`` the step counter (starting at 1).
"""

from __future__ import annotations

from typing import Any

from tinygrad_ru import backend

Array = Any

__all__ = [
    "xp_of", "l2_penalty", "decoupled_decay_", "ema_", "ema_sq_", "bias_correction", "rms_denominator", "sign",
    "dot", "flat_concat", "fused",
]


def xp_of(a: Array):
    """The array module (numpy or cupy) that owns ``a``."""
    return backend.get_array_module(a)


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


def bias_correction(beta: float, step: int) -> float:
    """Adam's bias correction 1 − βᵗ for a moving average started at zero."""
    return 1 - beta**step


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


# ----------------------------------------------------------------------------- fused updates
# Each optimizer's update is written once, with operators and in-place updates, as a function of the
# raw arrays and Python numbers (numbers that depend only on the step — 1 − β, bias corrections — are
# computed in Python first, and passed in as ``c = 1 − β`` and the like).  ``fused(formula, like,
# **switches)`` runs it as written on the CPU (block by block for big parameters) and as ONE kernel
# on a GPU (``cupy.fuse``): Adam's ~14 array passes per parameter become one launch.  ``switches``
# pick the formula's variant (nesterov, …).  The pieces below may be called inside such a formula.


def fused(formula: Any, like: Array, **switches: Any) -> Any:
    """The update ``formula(xp, **switches)`` for the device of ``like`` (``backend.elementwise_update``:
    one kernel on a GPU, cache-sized blocks of a big parameter on the CPU)."""
    return backend.elementwise_update(formula, like, **switches)


def ema_(avg: Array, x: Array, beta: float, c: float | None = None) -> None:
    """Exponential moving average in place: m ← β·m + (1 − β)·x  (``c`` = 1 − β when precomputed)."""
    avg *= beta
    avg += (1 - beta if c is None else c) * x


def ema_sq_(avg: Array, x: Array, beta: float, c: float | None = None) -> None:
    """Moving average of squares in place: v ← β·v + (1 − β)·x²  (``c`` = 1 − β when precomputed)."""
    sq = x * x
    sq *= 1 - beta if c is None else c
    avg *= beta
    avg += sq


def rms_denominator(xp: Any, v: Array, eps: float, bc2: float = 1.0, sqrt_bc2: float = 1.0,
                    eps_inside_sqrt: bool = False) -> Array:
    """The adaptive denominator, one new array updated in place (on the CPU every temporary is a
    pass over memory and an allocation).

    PyTorch's form (default): ``√(v / c₂) + ε``, computed as √v / √c₂ + ε like torch
    (``sqrt_bc2`` = √c₂).  The lecture form (``eps_inside_sqrt=True``): ``√(v / c₂ + ε)``.
    The two agree to rounding when ε ≪ v/c₂ and differ strongly when the gradients are tiny.
    """
    if eps_inside_sqrt:
        d = v / bc2
        d += eps
        return xp.sqrt(d, out=d)
    d = xp.sqrt(v)
    d /= sqrt_bc2
    d += eps
    return d
