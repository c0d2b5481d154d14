"""Per-coordinate adaptive step sizes: ``Adagrad``, ``RMSprop``, ``Adadelta``.

Each class comes after its update formula, run by ``F.fused`` (as written on the CPU, one
``cupy.fuse`` kernel per parameter on a GPU; see ``adam.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tinygrad_ru.optim import _functional as F
from tinygrad_ru.optim.optimizer import Optimizer

__all__ = ["Adagrad", "RMSprop", "Adadelta"]


def adagrad_update(xp: Any, eps_inside_sqrt: bool = False):
    """Adagrad: G ← G + g², θ ← θ − η̃·g/(√G + ε)."""
    def adagrad_(theta, g, acc, clr, eps):
        acc += g * g
        theta -= clr * (g / F.rms_denominator(xp, acc, eps, eps_inside_sqrt=eps_inside_sqrt))
    return adagrad_


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al. 2011), PyTorch's algorithm and defaults.

    .. math::
        g_t &= \pm\nabla f_t(\theta_{t-1}) + \lambda\theta_{t-1},\qquad
        \tilde\eta_t = \frac{\eta}{1 + (t-1)\,\delta}\\
        G_t &= G_{t-1} + g_t^2 \qquad (G_0 = \texttt{initial\_accumulator\_value})\\
        \theta_t &= \theta_{t-1} - \tilde\eta_t\, \frac{g_t}{\sqrt{G_t} + \varepsilon}

    (δ = ``lr_decay``.)  ``eps_inside_sqrt=True`` gives the lecture's form g/√(G + ε).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *, maximize: bool = False,
                 eps_inside_sqrt: bool = False) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize,
                        eps_inside_sqrt=eps_inside_sqrt)
        super().__init__(params, defaults)  # add_param_group creates the accumulators eagerly, as torch

    def _init_state(self, p: Any, group: dict[str, Any]) -> None:
        state = self.state[p]
        if not state:
            xp = F.xp_of(p.data)
            state["step"] = 0
            state["sum"] = xp.full_like(p.data, group["initial_accumulator_value"])

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        for p in self.param_groups[-1]["params"]:
            self._init_state(p, self.param_groups[-1])

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        self._check(group["lr_decay"] >= 0, "lr_decay", group["lr_decay"], ">= 0")
        self._check(group["initial_accumulator_value"] >= 0, "initial_accumulator_value",
                    group["initial_accumulator_value"], ">= 0")

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        self._init_state(p, group)
        t = self._next_step(state)
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        update = F.fused(adagrad_update, p.data, eps_inside_sqrt=group["eps_inside_sqrt"])
        update(p.data, g, state["sum"], clr, group["eps"])


def rmsprop_update(xp: Any, centered: bool = False, momentum: bool = False, eps_inside_sqrt: bool = False):
    """RMSprop: v ← αv + (1−α)g² (centered: minus ḡ²), step g/(√v + ε), with or without momentum."""
    def rmsprop_(theta, g, v, g_avg, buf, lr, alpha, c, mu, eps):
        F.ema_sq_(v, g, alpha, c)
        if centered:
            F.ema_(g_avg, g, alpha, c)
            v = v - g_avg * g_avg
        step = g / F.rms_denominator(xp, v, eps, eps_inside_sqrt=eps_inside_sqrt)
        if momentum:
            buf *= mu
            buf += step
            theta -= lr * buf
        else:
            theta -= lr * step
    return rmsprop_


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), PyTorch's algorithm and defaults.

    .. math::
        g_t &= \pm\nabla f_t(\theta_{t-1}) + \lambda\theta_{t-1}\\
        v_t &= \alpha v_{t-1} + (1-\alpha) g_t^2\\
        \bar g_t &= \alpha \bar g_{t-1} + (1-\alpha) g_t,\quad
            \tilde v_t = v_t - \bar g_t^2 \quad (\texttt{centered}; \text{ else } \tilde v_t = v_t)\\
        b_t &= \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \varepsilon),\qquad
            \theta_t = \theta_{t-1} - \eta b_t \quad (\mu > 0)\\
        \theta_t &= \theta_{t-1} - \eta\, g_t / (\sqrt{\tilde v_t} + \varepsilon) \quad (\mu = 0)

    ``eps_inside_sqrt=True`` gives the lecture-4 form g/√(ṽ + ε) (lecture 03 writes ε outside,
    like PyTorch).  Buffers start at zero.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False, eps_inside_sqrt: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize, eps_inside_sqrt=eps_inside_sqrt)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        self._check(group["alpha"] >= 0, "alpha", group["alpha"], ">= 0")

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        self._next_step(state)
        alpha, mu = group["alpha"], group["momentum"]
        v = self._zeros(p, state, "square_avg")
        buf = self._zeros(p, state, "momentum_buffer") if mu > 0 else None
        g_avg = self._zeros(p, state, "grad_avg") if group["centered"] else None
        update = F.fused(rmsprop_update, p.data, centered=group["centered"], momentum=mu > 0,
                         eps_inside_sqrt=group["eps_inside_sqrt"])
        update(p.data, g, v, g_avg, buf, group["lr"], alpha, 1 - alpha, mu, group["eps"])


def adadelta_update(xp: Any):
    """Adadelta: v ← ρv + (1−ρ)g², Δ = √(u + ε)/√(v + ε)·g, u ← ρu + (1−ρ)Δ², θ ← θ − ηΔ."""
    def adadelta_(theta, g, v, u, lr, rho, c, eps):
        F.ema_sq_(v, g, rho, c)
        delta = F.rms_denominator(xp, u, eps, eps_inside_sqrt=True)  # √(u + ε)
        delta /= F.rms_denominator(xp, v, eps, eps_inside_sqrt=True)  # √(v + ε)
        delta *= g
        F.ema_sq_(u, delta, rho, c)
        theta -= lr * delta
    return adadelta_


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler 2012), PyTorch's algorithm and defaults (ε inside both roots).

    .. math::
        g_t &= \pm\nabla f_t(\theta_{t-1}) + \lambda\theta_{t-1}\\
        v_t &= \rho v_{t-1} + (1-\rho) g_t^2\\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \varepsilon}}{\sqrt{v_t + \varepsilon}}\, g_t\\
        u_t &= \rho u_{t-1} + (1-\rho)\Delta_t^2\\
        \theta_t &= \theta_{t-1} - \eta\,\Delta_t \qquad (\eta = 1 \text{ in Zeiler's paper})
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        self._check(0.0 <= group["rho"] <= 1.0, "rho", group["rho"], "in [0, 1]")

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        self._next_step(state)
        v, u = self._zeros(p, state, "square_avg"), self._zeros(p, state, "acc_delta")
        rho = group["rho"]
        F.fused(adadelta_update, p.data)(p.data, g, v, u, group["lr"], rho, 1 - rho, group["eps"])
