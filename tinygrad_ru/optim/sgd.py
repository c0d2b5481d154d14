"""Gradient descent: ``GD`` (full batch), ``SGD`` (momentum, Nesterov, the lecture's forms) and ``ASGD``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tinygrad_ru.autograd.grad_mode import no_grad
from tinygrad_ru.optim import _functional as F
from tinygrad_ru.optim.optimizer import Optimizer

__all__ = ["SGD", "GD", "ASGD"]


def sgd_update(xp: Any, momentum: bool = False, dampening: bool = False, nesterov: bool = False,
               lecture: bool = False):
    """SGD's step, run by ``F.fused`` (as written on the CPU, one cupy.fuse kernel on a GPU):
    θ ← θ − ηg;  momentum b ← μb + (1−τ)g, θ ← θ − η(b or g + μb);  lecture v ← γv + ηg, θ ← θ − v."""
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


class SGD(Optimizer):
    r"""Stochastic gradient descent with momentum (PyTorch's algorithm and defaults).

    .. math::
        g_t &= \pm\nabla_\theta f_t(\theta_{t-1}) + \lambda\theta_{t-1}
            \qquad (-\text{ when } \texttt{maximize})\\
        b_t &= \begin{cases} g_t & t = 1\\ \mu b_{t-1} + (1-\tau) g_t & t > 1\end{cases}\\
        g_t &\leftarrow \begin{cases} g_t + \mu b_t & \texttt{nesterov}\\ b_t & \text{otherwise}\end{cases}\\
        \theta_t &= \theta_{t-1} - \eta\, g_t

    (μ = ``momentum``, τ = ``dampening``, λ = ``weight_decay``; with μ = 0 it is plain SGD.)

    **The lecture's form** (``lecture_form=True``) keeps η inside the velocity:

    .. math::
        v_t = \gamma v_{t-1} + \eta\, g_t,\qquad \theta_t = \theta_{t-1} - v_t,\qquad v_0 = 0.

    With a constant η this is exactly PyTorch's form (v = η·b); they differ once η changes
    during training (a schedule): the lecture's velocity remembers the old step sizes, PyTorch's
    buffer does not.  With ``nesterov=True`` the lecture form takes the gradient at the
    look-ahead point, v_t = γv_{t−1} + η∇f(θ_{t−1} − γv_{t−1}), which needs ``step(closure)``:
    the optimizer moves the parameters to θ − γv, calls the closure there, and moves back.
    Its look-ahead points θ_t − γv_t are exactly PyTorch's Nesterov iterates (constant η).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        lecture_form: bool = False,
    ) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, lecture_form=lecture_form)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{type(self).__name__}: Nesterov momentum requires a momentum > 0 and zero dampening "
                f"(got momentum={group['momentum']!r}, dampening={group['dampening']!r})"
            )
        if group["lecture_form"] and group["dampening"] != 0:
            raise ValueError(f"{type(self).__name__}: lecture_form=True has no dampening (got {group['dampening']!r})")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        lookahead = [g for g in self.param_groups if g["lecture_form"] and g["nesterov"]]
        if not lookahead:
            return super().step(closure)
        if closure is None:
            raise ValueError(
                f"{type(self).__name__}: lecture_form=True with nesterov=True evaluates the gradient at the "
                "look-ahead point θ − γv and needs step(closure)"
            )
        # move to the look-ahead point, evaluate there, come back
        with no_grad():
            self._shift(lookahead, -1.0)
        loss = self._evaluate(closure)
        with no_grad():
            self._shift(lookahead, 1.0)
            self._update_all()
        return loss

    def _shift(self, groups: list[dict[str, Any]], sign: float) -> None:
        """θ ← θ + sign·γv for the parameters of ``groups`` that have a velocity."""
        for group in groups:
            for p in group["params"]:
                v = self.state[p].get("momentum_buffer")
                if v is not None:
                    p.data += sign * group["momentum"] * v

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        lr, mu = group["lr"], group["momentum"]
        if mu == 0:
            F.fused(sgd_update, p.data)(p.data, g, lr)
            return
        first = "momentum_buffer" not in state
        # b₀ = 0, so b₁ = μ·0 + g = g exactly (PyTorch's b₁ = g; the lecture's v₁ = ηg)
        buf = self._zeros(p, state, "momentum_buffer")
        if group["lecture_form"]:
            F.fused(sgd_update, p.data, lecture=True)(p.data, g, buf, lr, mu)
            return
        update = F.fused(sgd_update, p.data, momentum=True, dampening=group["dampening"] != 0,
                         nesterov=group["nesterov"])
        update(p.data, g, buf, lr, mu, 1.0 if first else 1.0 - group["dampening"])


class GD(SGD):
    r"""Full-batch gradient descent: θ_t = θ_{t−1} − η(∇F(θ_{t−1}) + λθ_{t−1}).

    The same update as ``SGD`` without momentum; the name says what it is *meant* for: a loader
    that yields the whole training set as one batch (``DataLoader(ds, batch_size=len(ds))``), so
    that ∇F is the exact gradient of the empirical risk F(θ) = (1/n)Σᵢ L(f(xᵢ, θ), yᵢ).
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, weight_decay: float = 0.0, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr=lr, weight_decay=weight_decay, maximize=maximize)


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky 1992; the decaying step of Bottou's "Stochastic gradient
    tricks"), PyTorch's algorithm and defaults.

    .. math::
        g_t &= \pm\nabla f_t(\theta_{t-1}) + \lambda_{wd}\theta_{t-1}\\
        \theta_t &= \theta_{t-1}(1 - \lambda\eta_{t-1}) - \eta_{t-1} g_t\\
        \bar\theta_t &= \bar\theta_{t-1} + \mu_{t-1}(\theta_t - \bar\theta_{t-1})\\
        \eta_t &= \frac{\eta}{(1 + \lambda\eta t)^{\alpha}},\qquad
            \mu_t = \frac{1}{\max(1,\ t - t_0)},\qquad \eta_0 = \eta,\ \mu_0 = 1

    (λ = ``lambd``, λ_wd = ``weight_decay``.)  The average θ̄ (``state["ax"]``) equals θ until
    step t₀, then becomes the running mean of the iterates since t₀; as in PyTorch it is only
    kept in the state, the parameters themselves are the plain SGD iterates.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        lr, lambd = group["lr"], group["lambd"]
        eta, mu = state.setdefault("eta", lr), state.setdefault("mu", 1.0)
        t = self._next_step(state)
        ax = self._zeros(p, state, "ax")
        F.decoupled_decay_(p.data, eta, lambd)  # θ ← θ·(1 − λη)
        p.data -= eta * g
        if mu != 1:
            ax += mu * (p.data - ax)
        else:
            ax[...] = p.data
        state["eta"] = lr / (1 + lambd * lr * t) ** group["alpha"]
        state["mu"] = 1 / max(1, t - group["t0"])
