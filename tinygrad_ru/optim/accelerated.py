"""``AcceleratedGD``: Nesterov's accelerated gradient with the (k−1)/(k+2) schedule (lecture 03)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tinygrad_ru.autograd.grad_mode import no_grad
from tinygrad_ru.optim.optimizer import Optimizer

__all__ = ["AcceleratedGD"]


class AcceleratedGD(Optimizer):
    r"""Nesterov's accelerated gradient method in the lecture's form (lecture 03, "Accelerated GD").

    .. math::
        y_k &= x_k + \frac{k-1}{k+2}\,(x_k - x_{k-1})\\
        x_{k+1} &= y_k - \eta\,\nabla f(y_k), \qquad k = 1, 2, \dots

    For convex f with L-Lipschitz gradient and η ≤ 1/L: f(x_k) − f* ≤ 2‖x₀ − x*‖²/(η(k+1)²),
    the optimal O(1/k²) rate, against O(1/k) for plain gradient descent.

    The gradient is needed at the extrapolated point y_k, not at the parameters x_k, so
    ``step(closure)`` is mandatory: the optimizer moves the parameters to y_k, calls the closure
    there (it must zero the gradients, compute the loss, call backward and return the loss), and
    leaves the parameters at x_{k+1}.  It returns f(y_k).  ``restart()`` forgets the momentum
    (k = 1 again), e.g. when the loss goes up (O'Donoghue & Candès's adaptive restart).
    """

    requires_closure = True  # the training loop passes step() a closure that re-evaluates the loss

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, maximize=maximize))

    def restart(self) -> None:
        """Start the momentum schedule again from k = 1 (y_1 = x_1)."""
        for p in self.state:
            self.state[p].pop("prev", None)
            self.state[p]["k"] = 1

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        if closure is None:
            raise ValueError(
                "AcceleratedGD.step needs a closure: the gradient is taken at the extrapolated point "
                "y_k = x_k + (k-1)/(k+2)(x_k - x_{k-1}), which the optimizer sets before calling it"
            )
        # 1) parameters ← y_k, remembering x_k
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    st = self.state[p]
                    k = st.setdefault("k", 1)
                    x_k = p.data.copy()
                    prev = st.get("prev")
                    if prev is not None and k > 1:
                        p.data += ((k - 1) / (k + 2)) * (x_k - prev)
                    st["prev"] = x_k      # becomes x_{k-1} of the next step
        # 2) ∇f(y_k)
        loss = self._evaluate(closure)
        # 3) x_{k+1} = y_k − η ∇f(y_k)
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.data -= group["lr"] * self._gradient(p, group)
                    self.state[p]["k"] += 1
        return loss
