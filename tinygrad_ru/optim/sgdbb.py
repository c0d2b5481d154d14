"""``SGDBB``: SGD whose step size is set once per epoch by Barzilai–Borwein (Tan et al. 2016)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from tinygrad_ru.autograd.grad_mode import no_grad
from tinygrad_ru.optim import _functional as F
from tinygrad_ru.optim.optimizer import Optimizer

__all__ = ["SGDBB"]


class SGDBB(Optimizer):
    r"""SGD with the Barzilai–Borwein step size (Tan, Ma, Dai & Qian, NeurIPS 2016; the MIPT slides).

    An epoch k has T iterations (mini-batches).  Inside it the step size η_k is constant and a
    moving average of the stochastic gradients is kept:

    .. math::
        \theta_{k,t+1} &= \theta_{k,t} - \eta_k \nabla F_{X'_{k,t}}(\theta_{k,t}),\qquad
        g_{k,t+1} = (1-\beta)\, g_{k,t} + \beta\, \nabla F_{X'_{k,t}}(\theta_{k,t})

    At the end of the epoch (``epoch_end()``) the step size for the next epoch is

    .. math::
        s_k = \tfrac1T(\theta_{k,T} - \theta_{k-1,T}),\qquad y_k = g_{k,T} - g_{k-1,T},\qquad
        \eta_{k+1} = \frac{\|s_k\|_2^2}{|s_k^\top y_k|}
        \;=\; \frac{1}{T}\,\frac{\|\Delta\theta\|^2}{|\Delta\theta^\top y_k|}

    — the BB step ‖s‖²/|sᵀy| (the inverse of a Rayleigh quotient of the Hessian along s)
    divided by the number of iterations it will be used for.

    ``beta``: with a number β the average is the slides' moving average, running on across
    epochs (g_{k,0} = g_{k−1,T}) and started at the first stochastic gradient.  Its memory is
    about 1/β iterations, so β should be several times 1/T (Tan et al. take β = 10/T): with a
    longer memory g_{k,T} lags behind the epoch, y is too small and η too large.  With
    ``beta=None`` (default) g_{k,T} is the plain mean of the epoch's stochastic gradients
    (β_t = 1/t, restarted every epoch), which needs no tuning.

    The given ``lr`` is used until two epochs have been completed (BB needs two end-of-epoch
    points); afterwards ``param_groups[i]["lr"]`` holds the current BB
    step (one per parameter group).  If |sᵀy| is 0 or not finite the previous step is kept;
    ``min_lr``/``max_lr`` optionally clip the BB step.

    Stability: on a quadratic ‖s‖²/|sᵀy| tends to 1/λ_min, so the per-iteration step becomes
    1/(T·λ_min) and SGD stays stable only while λ_max/λ_min < 2T — fine for real epochs
    (T = n/batch in the hundreds), not for toy problems with a handful of batches per epoch;
    ``max_lr`` is the guard-rail there.

    Usage::

        opt = SGDBB(model.parameters(), lr=0.01)
        for epoch in range(n_epochs):
            for xb, yb in loader:
                opt.zero_grad(); loss_fn(model(xb), yb).backward(); opt.step()
            opt.epoch_end()        # sets the step size of the next epoch; returns it
    """

    _optional_numbers = ("beta",)

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, beta: float | None = None, weight_decay: float = 0.0, *,
                 min_lr: float = 0.0, max_lr: float = math.inf, maximize: bool = False) -> None:
        defaults = dict(lr=lr, beta=beta, weight_decay=weight_decay, min_lr=min_lr, max_lr=max_lr,
                        maximize=maximize)
        super().__init__(params, defaults)
        for group in self.param_groups:
            self._mark_epoch_start(group)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        if group["beta"] is not None:
            self._check(0.0 < group["beta"] <= 1.0, "beta", group["beta"], "in (0, 1] or None")
        self._check(0.0 <= group["min_lr"] <= group["max_lr"], "min_lr/max_lr",
                    (group["min_lr"], group["max_lr"]), "0 <= min_lr <= max_lr")

    def _mark_epoch_start(self, group: dict[str, Any]) -> None:
        for p in group["params"]:
            st = self.state[p]
            st.setdefault("epoch_start", p.data.copy())   # θ_{k-1,T}
        group.setdefault("epoch_steps", 0)
        group.setdefault("epochs_done", 0)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        self._mark_epoch_start(self.param_groups[-1])

    def step(self, closure=None) -> Any:
        loss = super().step(closure)
        for group in self.param_groups:
            group["epoch_steps"] += 1
        return loss

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        avg = state.get("grad_avg")
        if group["beta"] is None:                 # mean over the epoch: g ← g + (∇F − g)/n
            n = state["epoch_count"] = state.get("epoch_count", 0) + 1
            if n == 1 or avg is None:
                state["grad_avg"] = g.copy()
            else:
                F.ema_(avg, g, 1 - 1 / n)
        elif avg is None:
            state["grad_avg"] = g.copy()
        else:
            F.ema_(avg, g, 1 - group["beta"])     # g ← (1-β) g + β ∇F
        p.data -= group["lr"] * g

    def epoch_end(self) -> list[float]:
        """Close the epoch: compute each group's BB step size for the next epoch; returns the lrs."""
        with no_grad():
            for group in self.param_groups:
                T = group["epoch_steps"]
                if T == 0:
                    continue
                ss = sy = 0.0
                have_prev = True
                for p in group["params"]:
                    st = self.state[p]
                    if "grad_avg" not in st:
                        continue
                    if "prev_grad_avg" not in st:
                        have_prev = False
                    else:
                        s = (p.data - st["epoch_start"]) / T
                        y = st["grad_avg"] - st["prev_grad_avg"]
                        ss += F.dot(s, s)
                        sy += F.dot(s, y)
                    st["prev_grad_avg"] = st["grad_avg"].copy()
                    st["epoch_count"] = 0
                    st["epoch_start"] = p.data.copy()
                group["epochs_done"] += 1
                group["epoch_steps"] = 0
                if have_prev and sy != 0 and math.isfinite(sy) and math.isfinite(ss) and ss > 0:
                    lr = ss / abs(sy)
                    group["lr"] = min(max(lr, group["min_lr"]), group["max_lr"])
        return [group["lr"] for group in self.param_groups]
