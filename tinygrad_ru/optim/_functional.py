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
    "bias_correction", "rms_denominator", "sign", "dot", "flat_concat", "fused", "sgd_update", "adam_update",
    "adamax_update", "nadam_update", "radam_update", "adagrad_update", "rmsprop_update", "adadelta_update",
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


# ----------------------------------------------------------------------------- fused updates
# Each update below is written once, with operators and in-place updates, as a function of the raw
# arrays and Python numbers (numbers that depend only on the step — 1 − β, bias corrections — are
# computed in Python first).  ``fused(formula, like, **switches)`` runs it as written on the CPU
# (the same NumPy passes as before, block by block for big parameters) and as ONE kernel on a GPU
# (``cupy.fuse``): Adam's ~14 array passes per parameter become one launch.  ``switches`` pick the
# formula's variant (nesterov, …).


def fused(formula: Any, like: Array, **switches: Any) -> Any:
    """The update ``formula(xp, **switches)`` for the device of ``like`` (``backend.elementwise_update``:
    one kernel on a GPU, cache-sized blocks of a big parameter on the CPU)."""
    return backend.elementwise_update(formula, like, **switches)


def _ema_sq_(v: Array, g: Array, beta: float, c: float) -> None:
    """v ← βv + (1 − β)g² in place (c = 1 − β)."""
    sq = g * g
    sq *= c
    v *= beta
    v += sq


def _moments_(m: Array, v: Array, g: Array, beta1: float, c1: float, beta2: float, c2: float) -> None:
    """Adam's moving averages in place: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g² (c = 1 − β)."""
    m *= beta1
    m += c1 * g
    _ema_sq_(v, g, beta2, c2)


def _denominator(xp: Any, v: Array, eps: float, bc2: float, sqrt_bc2: float, eps_inside_sqrt: bool) -> Array:
    """√v / √c₂ + ε (PyTorch) or √(v / c₂ + ε) (the lecture's form, ``eps_inside_sqrt``): one new array,
    updated in place (on the CPU every temporary is a pass over memory and an allocation)."""
    if eps_inside_sqrt:
        d = v / bc2
        d += eps
        return xp.sqrt(d, out=d)
    d = xp.sqrt(v)
    d /= sqrt_bc2
    d += eps
    return d


def sgd_update(xp: Any, momentum: bool = False, dampening: bool = False, nesterov: bool = False,
               lecture: bool = False):
    """SGD: θ ← θ − ηg;  momentum b ← μb + (1−τ)g, θ ← θ − η(b or g + μb);  lecture v ← γv + ηg, θ ← θ − v."""
    if lecture:
        def sgd_lecture_(theta, g, v, lr, mu):
            v *= mu
            v += lr * g
            theta -= v
        return sgd_lecture_
    if not momentum:
        def sgd_(theta, g, lr):
            theta -= lr * g
        return sgd_

    def sgd_momentum_(theta, g, buf, lr, mu, one_minus_tau):
        buf *= mu
        buf += one_minus_tau * g if dampening else g
        theta -= lr * (g + mu * buf) if nesterov else lr * buf
    return sgd_momentum_


def adam_update(xp: Any, amsgrad: bool = False, eps_inside_sqrt: bool = False):
    """Adam: moments, then θ ← θ − (η/c₁)·m / (√(v̂) + ε) with v̂ = v/c₂ (amsgrad: the running max of v)."""
    def adam_(theta, g, m, v, v_max, step_size, beta1, c1, beta2, c2, eps, bc2, sqrt_bc2):
        _moments_(m, v, g, beta1, c1, beta2, c2)
        if amsgrad:
            xp.maximum(v_max, v, out=v_max)
            v = v_max
        denom = _denominator(xp, v, eps, bc2, sqrt_bc2, eps_inside_sqrt)
        step = xp.divide(m, denom, out=denom)
        step *= step_size
        theta -= step
    return adam_


def adamax_update(xp: Any):
    """Adamax: m ← β₁m + (1−β₁)g, u ← max(β₂u, |g| + ε), θ ← θ − (η/c₁)·m/u."""
    def adamax_(theta, g, m, u, step_size, beta1, c1, beta2, eps):
        m *= beta1
        m += c1 * g
        u *= beta2
        xp.maximum(u, xp.abs(g) + eps, out=u)
        theta -= step_size * (m / u)
    return adamax_


def nadam_update(xp: Any):
    """NAdam: moments, then θ ← θ − a·g/(√v̂ + ε) − b·m/(√v̂ + ε) (a, b from the μ schedule)."""
    def nadam_(theta, g, m, v, a, b, beta1, c1, beta2, c2, eps, bc2):
        _moments_(m, v, g, beta1, c1, beta2, c2)
        denom = xp.sqrt(v / bc2)
        denom += eps
        theta -= a * (g / denom)
        theta -= b * (m / denom)
    return nadam_


def radam_update(xp: Any, rectified: bool = True):
    """RAdam: moments; θ ← θ − (m/c₁)·scale/(√v + ε) once the variance is trusted, else θ ← θ − η·m/c₁."""
    def radam_(theta, g, m, v, lr, scale, bc1, beta1, c1, beta2, c2, eps):
        _moments_(m, v, g, beta1, c1, beta2, c2)
        m_hat = m / bc1
        if rectified:
            m_hat *= scale
            m_hat /= _denominator(xp, v, eps, 1.0, 1.0, False)
            theta -= m_hat
        else:
            theta -= lr * m_hat
    return radam_


def adagrad_update(xp: Any, eps_inside_sqrt: bool = False):
    """Adagrad: G ← G + g², θ ← θ − η̃·g/(√G + ε)."""
    def adagrad_(theta, g, acc, clr, eps):
        acc += g * g
        theta -= clr * (g / _denominator(xp, acc, eps, 1.0, 1.0, eps_inside_sqrt))
    return adagrad_


def rmsprop_update(xp: Any, centered: bool = False, momentum: bool = False, eps_inside_sqrt: bool = False):
    """RMSprop: v ← αv + (1−α)g² (centered: minus ḡ²), step g/(√v + ε), with or without momentum."""
    def rmsprop_(theta, g, v, g_avg, buf, lr, alpha, c, mu, eps):
        _ema_sq_(v, g, alpha, c)
        if centered:
            g_avg *= alpha
            g_avg += c * g
            v = v - g_avg * g_avg
        step = g / _denominator(xp, v, eps, 1.0, 1.0, eps_inside_sqrt)
        if momentum:
            buf *= mu
            buf += step
            theta -= lr * buf
        else:
            theta -= lr * step
    return rmsprop_


def adadelta_update(xp: Any):
    """Adadelta: v ← ρv + (1−ρ)g², Δ = √(u + ε)/√(v + ε)·g, u ← ρu + (1−ρ)Δ², θ ← θ − ηΔ."""
    def adadelta_(theta, g, v, u, lr, rho, c, eps):
        _ema_sq_(v, g, rho, c)
        delta = _denominator(xp, u, eps, 1.0, 1.0, True)  # √(u + ε)
        delta /= _denominator(xp, v, eps, 1.0, 1.0, True)  # √(v + ε)
        delta *= g
        _ema_sq_(u, delta, rho, c)
        theta -= lr * delta
    return adadelta_
