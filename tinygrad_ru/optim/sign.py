"""Sign-based methods: ``SignSGD`` / Signum (lecture 03) and ``Lion`` (Chen et al. 2023)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tinygrad_ru.optim import _functional as F
from tinygrad_ru.optim.optimizer import Optimizer

__all__ = ["SignSGD", "Lion"]


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
