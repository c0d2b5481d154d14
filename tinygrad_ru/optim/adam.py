"""The Adam family: ``Adam`` (amsgrad), ``AdamW``, ``Adamax``, ``NAdam``, ``RAdam``.

Each class comes after its update formula (``adam_update`` …): written once with NumPy operators
and in-place updates, run by ``F.fused`` as written on the CPU and as one ``cupy.fuse`` kernel per
parameter on a GPU.  ``_update`` computes in Python the numbers that depend only on the step
(1 − β, the bias corrections 1 − βᵗ) and calls it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from tinygrad_ru.optim import _functional as F
from tinygrad_ru.optim.optimizer import Optimizer

__all__ = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]


def _betas(group: dict[str, Any]) -> tuple[float, float, float, float]:
    """(β₁, 1 − β₁, β₂, 1 − β₂), the numbers the fused updates take."""
    beta1, beta2 = group["betas"]
    return beta1, 1 - beta1, beta2, 1 - beta2


def adam_update(xp: Any, amsgrad: bool = False, eps_inside_sqrt: bool = False):
    """Adam's step of one parameter, in place.  ``c`` = 1 − β, ``step_size`` = η/(1 − β₁ᵗ),
    ``bc2`` = 1 − β₂ᵗ and ``sqrt_bc2`` = √bc2, computed once per step in Python."""
    def adam_(theta, g, m, v, v_max, step_size, beta1, c1, beta2, c2, eps, bc2, sqrt_bc2):
        F.ema_(m, g, beta1, c1)                # m = β₁m + (1 − β₁)g
        F.ema_sq_(v, g, beta2, c2)             # v = β₂v + (1 − β₂)g²
        if amsgrad:                            # (amsgrad: the running max of v)
            xp.maximum(v_max, v, out=v_max)
            v = v_max
        # bias correction: v̂ = v/(1 − β₂ᵗ) inside the denominator, m̂ = m/(1 − β₁ᵗ) inside step_size
        denom = F.rms_denominator(xp, v, eps, bc2, sqrt_bc2, eps_inside_sqrt)  # √v̂ + ε
        step = xp.divide(m, denom, out=denom)
        step *= step_size
        theta -= step                          # θ −= η·m̂/(√v̂ + ε)
    return adam_


class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015), PyTorch's algorithm and defaults.

    .. math::
        g_t &= \pm\nabla f_t(\theta_{t-1}) + \lambda\theta_{t-1}
            \qquad(\text{coupled L2; AdamW decouples it})\\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t,\qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2\\
        \hat m_t &= m_t / (1-\beta_1^t),\qquad \hat v_t = v_t / (1-\beta_2^t)
            \qquad(\texttt{amsgrad}: \hat v_t = \max_{s\le t} v_s / (1-\beta_2^t))\\
        \theta_t &= \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \varepsilon)

    ε sits *outside* the root, after bias correction (PyTorch, lecture 4).  Lecture 03 writes
    η/√(v̂ + ε): ``eps_inside_sqrt=True``.  The two agree to rounding while ε ≪ v̂ (gradients
    much larger than √ε = 1e-4 for the default ε) and differ once the gradients are that small.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False, eps_inside_sqrt: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        decoupled_weight_decay=decoupled_weight_decay, eps_inside_sqrt=eps_inside_sqrt)
        super().__init__(params, defaults)

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        t = self._next_step(state)
        m, v = self._zeros(p, state, "exp_avg"), self._zeros(p, state, "exp_avg_sq")
        v_max = self._zeros(p, state, "max_exp_avg_sq") if group["amsgrad"] else None
        lr, (beta1, beta2) = group["lr"], group["betas"]
        bc2 = F.bias_correction(beta2, t)
        update = F.fused(adam_update, p.data, amsgrad=group["amsgrad"], eps_inside_sqrt=group["eps_inside_sqrt"])
        update(p.data, g, m, v, v_max, lr / F.bias_correction(beta1, t), *_betas(group), group["eps"], bc2, bc2**0.5)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter 2019), PyTorch's defaults (λ = 1e-2).

    .. math::
        \theta_{t-1} &\leftarrow \theta_{t-1}(1 - \eta\lambda)\\
        &\text{then Adam's step with } g_t = \nabla f_t(\theta_{t-1}) \text{ (no } \lambda\theta \text{ term)}

    Unlike coupled L2 (``Adam(weight_decay=λ)``), the decay is not divided by √v̂, so every
    weight shrinks at the same rate whatever its gradient history; for plain SGD the two coincide
    (with η folded into λ), for Adam they do not.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 eps_inside_sqrt: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True, eps_inside_sqrt=eps_inside_sqrt)


def adamax_update(xp: Any):
    """Adamax: m ← β₁m + (1−β₁)g, u ← max(β₂u, |g| + ε), θ ← θ − (η/c₁)·m/u."""
    def adamax_(theta, g, m, u, step_size, beta1, c1, beta2, eps):
        F.ema_(m, g, beta1, c1)
        u *= beta2
        xp.maximum(u, xp.abs(g) + eps, out=u)
        theta -= step_size * (m / u)
    return adamax_


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba 2015, §7: Adam with the ∞-norm), PyTorch's algorithm and defaults.

    .. math::
        g_t &= \pm\nabla f_t(\theta_{t-1}) + \lambda\theta_{t-1}\\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t\\
        u_t &= \max(\beta_2 u_{t-1},\ |g_t| + \varepsilon)\\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\, \frac{m_t}{u_t}
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        t = self._next_step(state)
        m, u = self._zeros(p, state, "exp_avg"), self._zeros(p, state, "exp_inf")
        beta1, beta2 = group["betas"]
        step_size = group["lr"] / F.bias_correction(beta1, t)
        F.fused(adamax_update, p.data)(p.data, g, m, u, step_size, beta1, 1 - beta1, beta2, group["eps"])


def nadam_update(xp: Any):
    """NAdam: Adam's moments, then θ ← θ − a·g/(√v̂ + ε) − b·m/(√v̂ + ε) (a, b from the μ schedule)."""
    def nadam_(theta, g, m, v, a, b, beta1, c1, beta2, c2, eps, bc2):
        F.ema_(m, g, beta1, c1)
        F.ema_sq_(v, g, beta2, c2)
        denom = xp.sqrt(v / bc2)
        denom += eps
        theta -= a * (g / denom)
        theta -= b * (m / denom)
    return nadam_


class NAdam(Optimizer):
    r"""NAdam (Dozat 2016: Adam with Nesterov momentum), PyTorch's algorithm and defaults.

    .. math::
        g_t &= \pm\nabla f_t(\theta_{t-1}) + \lambda\theta_{t-1}\\
        \mu_t &= \beta_1\bigl(1 - \tfrac12\, 0.96^{\,t\psi}\bigr),\qquad
            \mu_{t+1} = \beta_1\bigl(1 - \tfrac12\, 0.96^{\,(t+1)\psi}\bigr),\qquad
            \Pi_t = \textstyle\prod_{s\le t}\mu_s\\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t,\qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2\\
        \theta_t &= \theta_{t-1} - \eta\,\frac{(1-\mu_t)}{1-\Pi_t}\,\frac{g_t}{\sqrt{\hat v_t}+\varepsilon}
            - \eta\,\frac{\mu_{t+1}}{1-\Pi_t\mu_{t+1}}\,\frac{m_t}{\sqrt{\hat v_t}+\varepsilon},
            \quad \hat v_t = \frac{v_t}{1-\beta_2^t}

    (ψ = ``momentum_decay``; the running product Π is kept in ``state["mu_product"]``.)
    ``decoupled_weight_decay=True`` applies θ ← θ(1 − ηλ) instead of the L2 term (NAdamW).
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        self._check(group["momentum_decay"] >= 0, "momentum_decay", group["momentum_decay"], ">= 0")

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        t = self._next_step(state)
        m, v = self._zeros(p, state, "exp_avg"), self._zeros(p, state, "exp_avg_sq")
        lr, psi, (beta1, beta2) = group["lr"], group["momentum_decay"], group["betas"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        state["mu_product"] = state.get("mu_product", 1.0) * mu
        mu_product = state["mu_product"]
        a = lr * (1.0 - mu) / (1.0 - mu_product)
        b = lr * mu_next / (1.0 - mu_product * mu_next)
        F.fused(nadam_update, p.data)(p.data, g, m, v, a, b, *_betas(group), group["eps"], F.bias_correction(beta2, t))


def radam_update(xp: Any, rectified: bool = True):
    """RAdam: Adam's moments; θ ← θ − (m/c₁)·scale/(√v + ε) once the variance is trusted, else θ ← θ − η·m/c₁."""
    def radam_(theta, g, m, v, lr, scale, bc1, beta1, c1, beta2, c2, eps):
        F.ema_(m, g, beta1, c1)
        F.ema_sq_(v, g, beta2, c2)
        m_hat = m / bc1
        if rectified:
            m_hat *= scale
            m_hat /= F.rms_denominator(xp, v, eps)
            theta -= m_hat
        else:
            theta -= lr * m_hat
    return radam_


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al. 2020), PyTorch's algorithm and defaults.

    .. math::
        m_t, v_t &\text{ as in Adam},\qquad \hat m_t = m_t/(1-\beta_1^t)\\
        \rho_\infty &= \frac{2}{1-\beta_2} - 1,\qquad
            \rho_t = \rho_\infty - \frac{2t\beta_2^t}{1-\beta_2^t}\\
        \text{if } \rho_t > 5:\quad r_t &=
            \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}},\\
            \quad \theta_t = \theta_{t-1} - \eta\,\hat m_t\, r_t\, \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}+\varepsilon}\\
        \text{else}:\quad \theta_t &= \theta_{t-1} - \eta\,\hat m_t
            \qquad\text{(SGD with momentum while the variance is untrustworthy)}
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, decoupled_weight_decay: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        t = self._next_step(state)
        m, v = self._zeros(p, state, "exp_avg"), self._zeros(p, state, "exp_avg_sq")
        lr, (beta1, beta2) = group["lr"], group["betas"]
        bc1, bc2 = F.bias_correction(beta1, t), F.bias_correction(beta2, t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2**t) / bc2
        rectified = rho_t > 5.0
        scale = 0.0
        if rectified:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            scale = lr * rect * math.sqrt(bc2)
        update = F.fused(radam_update, p.data, rectified=rectified)
        update(p.data, g, m, v, lr, scale, bc1, *_betas(group), group["eps"])
