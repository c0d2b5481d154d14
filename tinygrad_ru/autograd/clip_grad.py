"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_`` (PyTorch's semantics).

They act on the ``.grad`` that backward left on the parameters, so they live here, below both of
their public homes: ``tinygrad_ru.nn.utils`` (PyTorch's ``torch.nn.utils.clip_grad_norm_``) and
``tinygrad_ru.optim``, which re-export them (nn and optim do not import each other).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .. import backend
from ..tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm"]


def _grads(parameters: Any) -> list[Any]:
    if hasattr(parameters, "data") and hasattr(parameters, "grad"):
        parameters = [parameters]
    return [p.grad.data for p in parameters if p.grad is not None]


def get_total_norm(grads: list[Any], norm_type: float = 2.0) -> float:
    """‖(‖g₁‖_p, …, ‖g_n‖_p)‖_p — the p-norm of all gradients seen as one vector (∞: max |gᵢ|)."""
    norm_type = float(norm_type)
    if not grads:
        return 0.0
    xp = backend.get_array_module(grads[0])
    if math.isinf(norm_type):
        return max(float(xp.abs(g).max()) if g.size else 0.0 for g in grads)
    norms = [float(xp.linalg.norm(g.ravel(), ord=norm_type)) if g.size else 0.0 for g in grads]
    if norm_type == 0:
        return sum(norms)
    return sum(n**norm_type for n in norms) ** (1.0 / norm_type)


def clip_grad_norm_(parameters: Iterable[Any] | Any, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Any:
    r"""Scale all gradients together so that their joint norm is at most ``max_norm``.

    .. math::
        N = \Bigl\|\bigl(\|g_1\|_p,\dots,\|g_n\|_p\bigr)\Bigr\|_p,\qquad
        g_i \leftarrow g_i \cdot \min\Bigl(1,\ \frac{\text{max\_norm}}{N + 10^{-6}}\Bigr)

    In place, on ``p.grad`` of every parameter that has one.  Returns N (the norm *before*
    clipping) as a 0-d Tensor, like PyTorch.  ``norm_type`` may be ``float("inf")``.
    """
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is non-finite ({total}), "
            "so it cannot be clipped; pass error_if_nonfinite=False to clip anyway"
        )
    coef = min(1.0, float(max_norm) / (total + 1e-6))
    for g in grads:
        g *= coef
    dtype = grads[0].dtype if grads else None
    return Tensor(total, dtype=dtype)


def clip_grad_value_(parameters: Iterable[Any] | Any, clip_value: float) -> None:
    """Clip every gradient entry to [−clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        backend.get_array_module(g).clip(g, -clip_value, clip_value, out=g)
