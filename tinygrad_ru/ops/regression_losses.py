"""Regression losses (MSE, L1, Huber, smooth L1), the KL divergence, and the L1/L2 weight penalties."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from ..tensor import Tensor
from ._reduction import (
    _REDUCTIONS,
    _as_target,
    _check_reduction,
    _check_same_shape,
    _legacy_reduction,
    _reduce,
    _resolve_reduction,
    _weighted_reduce,
)
from .elementwise import abs, exp, log, where
from .reduce import sum


def mse_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
             reduction: str = "mean", weight: Any = None) -> Tensor:
    """ℓᵢ = wᵢ·(xᵢ − yᵢ)², reduced by mean (default; Σwℓ/Σw with weights, as torch), sum or none."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "mse_loss")
    target = _as_target(target, input)
    _check_same_shape(input, target, "mse_loss")
    d = input - target
    return _weighted_reduce(d * d, weight, input, reduction, "mse_loss")


def l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
            reduction: str = "mean", weight: Any = None) -> Tensor:
    """ℓᵢ = wᵢ·|xᵢ − yᵢ| (subgradient 0 at xᵢ = yᵢ, as PyTorch), reduced by mean (Σwℓ/Σw with
    weights), sum or none."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "l1_loss")
    target = _as_target(target, input)
    _check_same_shape(input, target, "l1_loss")
    return _weighted_reduce(abs(input - target), weight, input, reduction, "l1_loss")


def _huber(d: Tensor, delta: float) -> Tensor:
    """½d² for |d| < δ, δ·(|d| − ½δ) beyond: quadratic near 0, linear (slope ±δ) in the tails."""
    a = abs(d)
    return where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0,  # noqa: A002
               weight: Any = None) -> Tensor:
    """ℓᵢ = wᵢ·(½dᵢ² if |dᵢ| < δ else δ·(|dᵢ| − ½δ)), dᵢ = xᵢ − yᵢ (``torch.nn.functional.huber_loss``):
    MSE/2 for small errors, L1·δ for large ones, one continuous slope in between."""
    _check_reduction(reduction, "huber_loss")
    if not delta > 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta, got delta={delta}")
    target = _as_target(target, input)
    _check_same_shape(input, target, "huber_loss")
    loss = _huber(input - target, float(delta))
    return _weighted_reduce(loss, weight, input, reduction, "huber_loss", mean_over_weight=False)


def smooth_l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """ℓᵢ = ½dᵢ²/β if |dᵢ| < β else |dᵢ| − ½β (``torch.nn.functional.smooth_l1_loss``): Huber with
    δ = β divided by β, so the tails are exactly L1; β = 0 is the L1 loss."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta, got beta={beta}")
    target = _as_target(target, input)
    _check_same_shape(input, target, "smooth_l1_loss")
    d = input - target
    loss = abs(d) if beta == 0 else _huber(d, float(beta)) * (1.0 / beta)
    return _reduce(loss, reduction)


def kl_div(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback–Leibler divergence KL(P‖Q) = Σ p·(log p − log q) with ``input`` = log q (log-probabilities)
    and ``target`` = p (or log p with ``log_target=True``), as ``torch.nn.functional.kl_div``:

        ℓᵢ = pᵢ·(log pᵢ − xᵢ)   (0 where pᵢ = 0),   or   ℓᵢ = e^{tᵢ}·(tᵢ − xᵢ) with log_target.

    ``reduction="batchmean"`` (Σℓ / batch size) is the mathematical KL per sample; ``"mean"``
    divides by every element (PyTorch's default, which warns about it), ``"sum"``, ``"none"``.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"kl_div: reduction must be one of 'mean', 'batchmean', 'sum', 'none', got {reduction!r}")
    if reduction == "mean":
        warnings.warn("kl_div: reduction='mean' divides the total loss by both the batch size and the support "
                      "size; 'batchmean' divides only by the batch size and matches the definition of KL",
                      stacklevel=2)
    target = _as_target(target, input)
    if log_target:
        loss = exp(target) * (target - input)
    else:  # xlogy(p, p) − p·x: 0·log 0 is 0
        zero = target == 0
        loss = where(zero, 0.0, target * log(where(zero, 1.0, target))) - target * input
    if reduction == "batchmean":
        return sum(loss) * (1.0 / input.shape[0]) if input.ndim else sum(loss)
    return _reduce(loss, reduction)


# ============================================================================ penalties and helpers


def l1_penalty(params: Iterable[Tensor] | Tensor) -> Tensor:
    """Σⱼ |θⱼ| over all parameters — the lecture's L1 term is λ·l1_penalty(params)."""
    params = [params] if isinstance(params, Tensor) else list(params)
    if not params:
        raise ValueError("l1_penalty: got no parameters")
    total = sum(abs(params[0]))
    for p in params[1:]:
        total = total + sum(abs(p))
    return total


def l2_penalty(params: Iterable[Tensor] | Tensor) -> Tensor:
    """½·Σⱼ θⱼ² over all parameters — the lecture's L2 term is λ·l2_penalty(params) (λ/2·Σθ²),
    whose gradient λθ is exactly SGD's ``weight_decay=λ``."""
    params = [params] if isinstance(params, Tensor) else list(params)
    if not params:
        raise ValueError("l2_penalty: got no parameters")
    total = sum(params[0] * params[0])
    for p in params[1:]:
        total = total + sum(p * p)
    return total * 0.5


__all__ = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "kl_div", "l1_penalty", "l2_penalty"]
