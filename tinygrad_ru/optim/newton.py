"""``NewtonCG``: Hessian-free Newton steps; Hessian-vector products by double backward."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tinygrad_ru.autograd.engine import grad as autograd_grad
from tinygrad_ru.autograd.grad_mode import enable_grad, no_grad
from tinygrad_ru.optim import _functional as F
from tinygrad_ru.optim.optimizer import Optimizer
from tinygrad_ru.tensor import Tensor

__all__ = ["NewtonCG"]


class NewtonCG(Optimizer):
    r"""Truncated Newton / Hessian-free optimisation (Martens 2010; lecture 03, second-order methods).

    Each step solves the damped Newton system approximately by conjugate gradients, touching the
    Hessian only through products H v computed by differentiating the gradient once more:

    .. math::
        g &= \nabla f(\theta)\ (\text{with } \texttt{create\_graph=True}),\qquad
        Hv = \nabla_\theta\,\bigl(g^\top v\bigr)\\
        (H + \lambda I)\,p &= -g \quad\text{by CG:}\quad
            r_0 = -g,\ d_0 = r_0,\ \alpha_i = \frac{r_i^\top r_i}{d_i^\top (H+\lambda I) d_i},\
            p_{i+1} = p_i + \alpha_i d_i,\ r_{i+1} = r_i - \alpha_i (H+\lambda I) d_i,\
            d_{i+1} = r_{i+1} + \frac{r_{i+1}^\top r_{i+1}}{r_i^\top r_i} d_i\\
        \theta &\leftarrow \theta + \eta\, p

    CG stops after ``cg_max_iter`` iterations, when ‖r‖ ≤ ``cg_tol``·‖g‖, or on negative
    curvature dᵀ(H+λI)d ≤ 0 (then the last p is used; −g if it is the first iteration).
    λ = ``damping`` keeps the system positive definite where H is not.

    ``step(closure)``: the closure must compute and *return* the loss Tensor, with its graph,
    without calling backward (the optimizer differentiates it itself, twice)::

        opt = NewtonCG(model.parameters(), damping=1e-3)
        for it in range(20):
            opt.step(lambda: loss_fn(model(x), y))

    Needs ``tinygrad_ru.autograd.grad`` and ops whose backward is differentiable.  After the
    step, ``.grad`` holds g (at the old point) and the return value is the loss there.
    """

    requires_closure = True  # the training loop passes step() a closure that re-evaluates the loss
    closure_calls_backward = False  # ... and this one differentiates the returned loss itself

    def __init__(self, params: Iterable[Any], lr: float = 1.0, damping: float = 1e-4, cg_max_iter: int = 10,
                 cg_tol: float = 1e-10) -> None:
        defaults = dict(lr=lr, damping=damping, cg_max_iter=cg_max_iter, cg_tol=cg_tol)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        self._check(group["damping"] >= 0, "damping", group["damping"], ">= 0")
        self._check(int(group["cg_max_iter"]) >= 1, "cg_max_iter", group["cg_max_iter"], ">= 1")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        if closure is None:
            raise ValueError("NewtonCG.step needs a closure that returns the loss (without calling backward)")
        params = [p for group in self.param_groups for p in group["params"]]
        with enable_grad():
            loss = closure()
            grads = autograd_grad(loss, params, create_graph=True, retain_graph=True)
        for group in self.param_groups:
            idx = [i for i, p in enumerate(params) if any(p is q for q in group["params"])]
            gs = [grads[i] for i in idx]
            ps = [params[i] for i in idx]
            lam = group["damping"]
            g = [gi.data for gi in gs]

            def hvp(v: list, gs=gs, ps=ps, lam=lam) -> list:
                with enable_grad():
                    vt = [Tensor(vi, dtype=vi.dtype, device=p.device) for vi, p in zip(v, ps)]
                    hv = autograd_grad(gs, ps, grad_outputs=vt, retain_graph=True)
                return [h.data + lam * vi for h, vi in zip(hv, v)]

            with no_grad():
                p_dir = self._cg(hvp, g, group["cg_max_iter"], group["cg_tol"])
                for p, gi, d in zip(ps, g, p_dir):
                    p.grad = Tensor(gi.copy(), dtype=gi.dtype, device=p.device)
                    p.data += group["lr"] * d
                st = self.state[ps[0]]
                st["n_iter"] = st.get("n_iter", 0) + 1
        return loss

    @staticmethod
    def _cg(hvp: Callable[[list], list], g: list, max_iter: int, tol: float) -> list:
        def vdot(a: list, b: list) -> float:
            return sum(F.dot(x, y) for x, y in zip(a, b))

        x = [gi * 0 for gi in g]
        r = [-gi for gi in g]
        d = [ri.copy() for ri in r]
        rr = vdot(r, r)
        g_norm = rr**0.5
        if g_norm == 0:
            return x
        for i in range(max_iter):
            hd = hvp(d)
            dhd = vdot(d, hd)
            if dhd <= 0:  # negative curvature: stop (steepest descent if nothing better yet)
                return [-gi for gi in g] if i == 0 else x
            alpha = rr / dhd
            for xi, di in zip(x, d):
                xi += alpha * di
            for ri, hi in zip(r, hd):
                ri -= alpha * hi
            rr_new = vdot(r, r)
            if rr_new**0.5 <= tol * g_norm:
                break
            beta = rr_new / rr
            for di, ri in zip(d, r):
                di *= beta
                di += ri
            rr = rr_new
        return x
