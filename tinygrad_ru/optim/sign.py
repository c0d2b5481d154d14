"""Sign-based methods: ``SignSGD`` / Signum (lecture 03), ``Lion`` (Chen et al. 2023) and ``Rprop``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tinygrad_ru.optim import _functional as F
from tinygrad_ru.optim.optimizer import Optimizer

__all__ = ["SignSGD", "Lion", "Rprop"]


class SignSGD(Optimizer):
    r"""Sign gradient descent (lecture 03, "знак градиента"); with momentum it is Signum.

    .. math::
        g_t &= \pm\nabla f_t(\theta_{t-1}) + \lambda\theta_{t-1}\\
        \theta_t &= \theta_{t-1} - \eta\,\operatorname{sign}(g_t) \qquad (\beta = 0)\\
        m_t &= \beta m_{t-1} + (1-\beta) g_t,\quad m_0 = 0,\qquad
            \theta_t = \theta_{t-1} - \eta\,\operatorname{sign}(m_t) \qquad (\beta > 0,\ \text{Signum})

    (Bernstein et al. 2018.)  Every coordinate moves by exactly η (or 0), whatever the scale
    of the gradient, so η must shrink (a schedule) for the iterates to settle: with a constant
    η they end up oscillating within about η of the optimum.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0, weight_decay: float = 0.0,
                 *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        self._check(group["momentum"] < 1, "momentum", group["momentum"], "in [0, 1)")

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        beta = group["momentum"]
        if beta > 0:
            m = self._zeros(p, state, "momentum_buffer")
            F.ema_(m, g, beta)
            g = m
        p.data -= group["lr"] * F.sign(g)


class Lion(Optimizer):
    r"""Lion, "EvoLved Sign Momentum" (Chen et al. 2023, Algorithm 2).

    .. math::
        c_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t\\
        \theta_t &= \theta_{t-1}(1 - \eta\lambda) - \eta\,\operatorname{sign}(c_t)\\
        m_t &= \beta_2 m_{t-1} + (1-\beta_2) g_t, \qquad m_0 = 0

    Defaults from the paper: η = 1e-4, (β₁, β₂) = (0.9, 0.99), decoupled weight decay λ.
    The update has the same size in every coordinate, so η is typically 3–10× smaller than
    AdamW's and λ 3–10× larger.
    """

    _decoupled_decay = True  # weight decay θ ← θ(1 − ηλ), applied by Optimizer._gradient before _update

    def __init__(self, params: Iterable[Any], lr: float = 1e-4, betas: tuple[float, float] = (0.9, 0.99),
                 weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        m = self._zeros(p, state, "exp_avg")
        beta1, beta2 = group["betas"]
        c = beta1 * m + (1 - beta1) * g
        p.data -= group["lr"] * F.sign(c)
        F.ema_(m, g, beta2)


class Rprop(Optimizer):
    r"""Rprop, resilient backpropagation (Riedmiller & Braun 1993), PyTorch's algorithm and defaults.

    Only the sign of the gradient is used; every weight has its own step size Δ, which grows
    while the sign of the gradient stays the same and shrinks when it flips:

    .. math::
        g_t &= \pm\nabla f_t(\theta_{t-1}),\qquad s = \operatorname{sign}(g_t\, g_{t-1}),
            \qquad g_0 = 0,\ \Delta_0 = \eta\\
        \Delta_t &= \operatorname{clip}\big(\Delta_{t-1}\cdot
            \begin{cases} \eta_+ & s > 0\\ \eta_- & s < 0\\ 1 & s = 0\end{cases},\
            \Delta_{\min},\ \Delta_{\max}\big)\\
        g_t &\leftarrow 0 \quad \text{where } s < 0
            \qquad (\text{after a sign flip: no step, and no shrinking next time})\\
        \theta_t &= \theta_{t-1} - \Delta_t \operatorname{sign}(g_t)

    (η₋, η₊) = ``etas`` = (0.5, 1.2), (Δ_min, Δ_max) = ``step_sizes`` = (1e-6, 50); the stored
    g_{t−1} is the zeroed gradient.  Meant for full-batch training (the sign of a mini-batch
    gradient is noisy); PyTorch's Rprop has no weight decay, neither has this one.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        for key in ("etas", "step_sizes"):
            if not isinstance(group[key], (tuple, list)) or len(group[key]) != 2:
                raise ValueError(f"Rprop: {key} must be a pair, got {group[key]!r}")
        etaminus, etaplus = group["etas"]
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Rprop: invalid eta values: {etaminus}, {etaplus} (must be 0 < eta- < 1 < eta+)")

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        xp = F.xp_of(p.data)
        if "step_size" not in state:
            state["step_size"] = xp.full_like(p.data, group["lr"])
        self._next_step(state)
        prev, step_size = self._zeros(p, state, "prev"), state["step_size"]
        etaminus, etaplus = group["etas"]
        s = F.sign(g * prev)
        flip = s < 0  # the gradient changed sign since the last step
        factor = xp.ones_like(g)
        factor[s > 0] = etaplus
        factor[flip] = etaminus
        step_size *= factor
        xp.clip(step_size, *group["step_sizes"], out=step_size)
        g = xp.where(flip, 0, g)  # as torch: no step where the sign flipped
        p.data -= F.sign(g) * step_size
        prev[...] = g
