"""Quasi-Newton methods: ``LBFGS`` (PyTorch's, with strong-Wolfe line search) and
``MultiBatchLBFGS`` (Berahas, Nocedal & Takáč 2016: curvature pairs from overlapping batches).

Both work on the parameters flattened into one vector and share the two-loop recursion.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from tinygrad_ru.autograd.grad_mode import enable_grad, no_grad
from tinygrad_ru.optim import _functional as F
from tinygrad_ru.optim.optimizer import Optimizer

__all__ = ["LBFGS", "MultiBatchLBFGS", "two_loop_recursion"]


def two_loop_recursion(g: Any, old_s: list, old_y: list, rho: list, h_diag: float) -> Any:
    r"""The L-BFGS two-loop recursion: returns d = −H g for the inverse-Hessian estimate H built
    from the pairs (sᵢ, yᵢ), ρᵢ = 1/(yᵢᵀsᵢ), with H₀ = ``h_diag``·I (Nocedal & Wright, Alg. 7.4).

    .. math::
        q &= -g;\quad \text{for } i = m-1..0:\ \alpha_i = \rho_i s_i^\top q,\ q \mathrel{-}= \alpha_i y_i\\
        r &= H_0 q;\quad \text{for } i = 0..m-1:\ \beta = \rho_i y_i^\top r,\ r \mathrel{+}= (\alpha_i-\beta) s_i
    """
    q = -g
    al = [0.0] * len(old_s)
    for i in range(len(old_s) - 1, -1, -1):
        al[i] = F.dot(old_s[i], q) * rho[i]
        q -= al[i] * old_y[i]
    r = q
    r *= h_diag
    for i in range(len(old_s)):
        be_i = F.dot(old_y[i], r) * rho[i]
        r += (al[i] - be_i) * old_s[i]
    return r


class _FlatParams:
    """The parameters of one group seen as one flat vector (gather gradient, add a step, copy)."""

    def __init__(self, params: list[Any]) -> None:
        self.params = params

    def grad(self) -> Any:
        views = []
        for p in self.params:
            if p.grad is None:
                views.append(F.xp_of(p.data).zeros(p.data.size, dtype=p.data.dtype))
            else:
                views.append(p.grad.data.ravel())
        return F.flat_concat(views)

    def add_(self, step: float, d: Any) -> None:
        offset = 0
        for p in self.params:
            n = p.data.size
            p.data += step * d[offset:offset + n].reshape(p.data.shape)
            offset += n

    def clone(self) -> list[Any]:
        return [p.data.copy() for p in self.params]

    def set_(self, arrays: list[Any]) -> None:
        for p, a in zip(self.params, arrays):
            p.data[...] = a


class _QuasiNewton(Optimizer):
    """What both L-BFGS variants share: one parameter group, seen as one flat vector
    (``self._flat``), and a history of ``history_size`` >= 1 curvature pairs."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(f"{type(self).__name__} doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]
        self._flat = _FlatParams(self._params)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        self._check(int(group["history_size"]) >= 1, "history_size", group["history_size"], ">= 1")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if getattr(self, "param_groups", None):
            raise ValueError(f"{type(self).__name__} doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    # minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clipped to bounds (torch/minFunc)
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Line search for a step t with the strong Wolfe conditions — a line-by-line port of
    torch/optim/lbfgs.py (itself from minFunc): bracketing, then zoom by cubic interpolation.

        f(x + t d) <= f + c1 t gᵀd   and   |∇f(x + t d)ᵀd| <= c2 |gᵀd|
    """
    xp = F.xp_of(d)
    d_norm = float(xp.abs(d).max())
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = F.dot(g_new, d)

    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket: list = []
    bracket_f: list = []
    bracket_g: list = []
    bracket_gtd: list = []
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = F.dot(g_new, d)
        ls_iter += 1

    if ls_iter >= max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # keep t at least 10% of the bracket away from its ends when progress stalls
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = F.dot(g_new, d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


class LBFGS(_QuasiNewton):
    r"""L-BFGS, a port of PyTorch's ``torch.optim.LBFGS`` (same defaults, stopping rules and
    strong-Wolfe line search, so the iterates match torch's to rounding).

    One ``step(closure)`` runs up to ``max_iter`` iterations on the full objective:

    .. math::
        d_k &= -H_k \nabla f(\theta_k) \quad\text{(two-loop recursion over the last } m
            \text{ pairs, } H_0 = \tfrac{s^\top y}{y^\top y} I)\\
        \theta_{k+1} &= \theta_k + t_k d_k,\qquad s_k = t_k d_k,\quad
            y_k = \nabla f(\theta_{k+1}) - \nabla f(\theta_k)\ \ (\text{kept if } y_k^\top s_k > 10^{-10})

    ``t_k = lr`` (the first iteration ever uses min(1, 1/‖g‖₁)·lr), or found by the strong-Wolfe
    line search with ``line_search_fn="strong_wolfe"``.  Stops when max|g| ≤ ``tolerance_grad``,
    when the step or the loss change falls below ``tolerance_change``, or after ``max_iter``
    iterations / ``max_eval`` evaluations (default ⌊1.25·max_iter⌋).  One parameter group only;
    the closure must zero the gradients, compute the loss, call backward and return the loss.
    """

    requires_closure = True  # the training loop passes step() a closure that re-evaluates the loss
    _optional_numbers = ("max_eval",)

    def __init__(self, params: Iterable[Any], lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if max_eval is None and isinstance(max_iter, numbers.Real):  # (a wrong type is reported below)
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        self._check(int(group["max_iter"]) >= 1, "max_iter", group["max_iter"], ">= 1")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {group['line_search_fn']!r}")

    def _directional_evaluate(self, closure, x, t, d):
        self._flat.add_(t, d)
        loss = float(closure())
        flat_grad = self._flat.grad()
        self._flat.set_(x)
        return loss, flat_grad

    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        if closure is None:
            raise ValueError("LBFGS.step needs a closure that re-evaluates the loss and its gradients")
        group = self.param_groups[0]
        lr = group["lr"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        def evaluate():
            with enable_grad():
                return closure()

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        with no_grad():
            flat_grad = self._flat.grad()
            xp = F.xp_of(flat_grad)
            if float(xp.abs(flat_grad).max()) <= tolerance_grad:
                return orig_loss

            d = state.get("d")
            t = state.get("t")
            old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
            h_diag = state.get("H_diag")
            prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

            n_iter = 0
            while n_iter < max_iter:
                n_iter += 1
                state["n_iter"] += 1
                if state["n_iter"] == 1:
                    d = -flat_grad
                    old_dirs, old_stps, ro = [], [], []
                    h_diag = 1.0
                else:
                    y = flat_grad - prev_flat_grad
                    s = d * t
                    ys = F.dot(y, s)
                    if ys > 1e-10:
                        if len(old_dirs) == history_size:
                            old_dirs.pop(0)
                            old_stps.pop(0)
                            ro.pop(0)
                        old_dirs.append(y)
                        old_stps.append(s)
                        ro.append(1.0 / ys)
                        h_diag = ys / F.dot(y, y)
                    d = two_loop_recursion(flat_grad, old_stps, old_dirs, ro, h_diag)

                prev_flat_grad = flat_grad.copy()
                prev_loss = loss
                if state["n_iter"] == 1:
                    t = min(1.0, 1.0 / float(xp.abs(flat_grad).sum())) * lr
                else:
                    t = lr
                gtd = F.dot(flat_grad, d)
                if gtd > -tolerance_change:
                    break

                ls_func_evals = 0
                opt_cond = False
                if line_search_fn is not None:
                    x_init = self._flat.clone()

                    def obj_func(x, t, d):
                        with enable_grad():
                            return self._directional_evaluate(closure, x, t, d)

                    loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                        obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                    self._flat.add_(t, d)
                    opt_cond = float(xp.abs(flat_grad).max()) <= tolerance_grad
                else:
                    self._flat.add_(t, d)
                    if n_iter != max_iter:
                        loss = float(evaluate())
                        flat_grad = self._flat.grad()
                        opt_cond = float(xp.abs(flat_grad).max()) <= tolerance_grad
                        ls_func_evals = 1
                current_evals += ls_func_evals
                state["func_evals"] += ls_func_evals

                if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                    break
                if float(xp.abs(d * t).max()) <= tolerance_change:
                    break
                if abs(loss - prev_loss) < tolerance_change:
                    break

            state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                         prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss


class MultiBatchLBFGS(_QuasiNewton):
    r"""Multi-batch L-BFGS (Berahas, Nocedal & Takáč, NeurIPS 2016; the MIPT slides).

    Consecutive mini-batches X'_k and X'_{k+1} overlap in O_k = X'_k ∩ X'_{k+1}.  The step uses
    the batch gradient, the curvature pair uses gradients *on the overlap* at both points, so
    y_k measures a change of the same function:

    .. math::
        \theta_{k+1} &= \theta_k - \eta\, H_k \nabla F_{X'_k}(\theta_k)\\
        s_k &= \theta_{k+1} - \theta_k,\qquad
        y_k = \nabla F_{O_k}(\theta_{k+1}) - \nabla F_{O_k}(\theta_k)

    H_k comes from the two-loop recursion over the last ``history_size`` pairs with
    H⁰ = (sᵀy / yᵀy)·I; a pair is skipped unless sᵀy > ``curvature_eps``·‖s‖‖y‖ (it would break
    positive definiteness; the paper's safeguard).  The very first step (no pairs yet) is the SGD
    step θ − η∇F_{X'_0}.

    Usage — one call per batch, with two closures that each zero the gradients, compute a loss,
    call ``backward`` and return the loss::

        for xb, yb, overlap in batches:   # overlap: indices (into the batch) shared with the next batch
            def batch_closure():
                opt.zero_grad(); loss = loss_fn(model(xb), yb); loss.backward(); return loss
            def overlap_closure():
                opt.zero_grad(); loss = loss_fn(model(xb[overlap]), yb[overlap]); loss.backward(); return loss
            loss = opt.step(batch_closure, overlap_closure)

    Each step evaluates the batch gradient at θ_k and the overlap gradient at θ_k and θ_{k+1}
    (the overlap is small, so this costs about 1 + 2l/s batch gradients).  Without
    ``overlap_closure`` the pair uses the whole batch at both points (O_k = X'_k, the
    "same-batch" variant of Schraudolph et al. 2007).  Returns the batch loss at θ_k.
    After the step the ``.grad`` fields hold the overlap gradient at θ_{k+1}.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, history_size: int = 10,
                 curvature_eps: float = 1e-8) -> None:
        defaults = dict(lr=lr, history_size=history_size, curvature_eps=curvature_eps)
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        self._check(group["curvature_eps"] >= 0, "curvature_eps", group["curvature_eps"], ">= 0")

    def step(self, closure: Callable[[], Any],  # type: ignore[override]
             overlap_closure: Callable[[], Any] | None = None) -> Any:
        if closure is None:
            raise ValueError("MultiBatchLBFGS.step needs a closure computing the batch loss and its gradients")
        group = self.param_groups[0]
        lr, m, ceps = group["lr"], group["history_size"], group["curvature_eps"]
        pair_closure = overlap_closure if overlap_closure is not None else closure
        state = self.state[self._params[0]]
        if not state:
            state.update(old_s=[], old_y=[], rho=[], H_diag=1.0, n_iter=0, skipped=0)

        loss = self._evaluate(closure)
        with no_grad():
            g = self._flat.grad()
        if overlap_closure is None:
            g_overlap = g
        else:
            self._evaluate(overlap_closure)
            with no_grad():
                g_overlap = self._flat.grad()
        with no_grad():
            if state["old_s"]:
                d = two_loop_recursion(g, state["old_s"], state["old_y"], state["rho"], state["H_diag"])
            else:
                d = -g
            s = lr * d
            self._flat.add_(1.0, s)
        self._evaluate(pair_closure)
        with no_grad():
            y = self._flat.grad() - g_overlap
            sy = F.dot(s, y)
            xp = F.xp_of(s)
            if sy > ceps * float(xp.linalg.norm(s)) * float(xp.linalg.norm(y)):
                if len(state["old_s"]) >= m:
                    for key in ("old_s", "old_y", "rho"):
                        state[key].pop(0)
                state["old_s"].append(s)
                state["old_y"].append(y)
                state["rho"].append(1.0 / sy)
                state["H_diag"] = sy / F.dot(y, y)
            else:
                state["skipped"] += 1
            state["n_iter"] += 1
        return loss
