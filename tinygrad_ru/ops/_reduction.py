"""What every loss shares: the ``reduction`` option (and PyTorch's legacy pair), targets as Tensors."""

from __future__ import annotations

import warnings
from typing import Any

from ..autograd.grad_mode import grad_mode
from ..tensor import Tensor
from .reduce import mean, sum

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, op: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of 'mean', 'sum', 'none', got {reduction!r}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return sum(loss)
    return loss


def _weighted_reduce(loss: Tensor, weight: Any, like: Tensor, reduction: str, op: str,
                     mean_over_weight: bool = True) -> Tensor:
    """Σ wᵢℓᵢ reduced, with per-element weights of the input's shape (torch's ``weight=`` of the
    regression losses): 'mean' is Σwℓ / Σw for mse/l1 (``mean_over_weight``), Σwℓ / n for huber."""
    if weight is None:
        return _reduce(loss, reduction)
    weight = _as_target(weight, like)
    if weight.shape != like.shape:
        raise ValueError(f"{op}: weight must have the input's shape {like.shape}, got {weight.shape}")
    loss = loss * weight
    if reduction == "mean" and mean_over_weight:
        return sum(loss) / sum(weight)
    return _reduce(loss, reduction)


def _check_no_grad(arg: Any, name: str, op: str) -> None:
    """torch's losses are not differentiable in their class/element weights: a weight that requires
    a gradient is a RuntimeError there, not a silently missing gradient."""
    if isinstance(arg, Tensor) and arg.requires_grad and grad_mode.enabled:
        raise RuntimeError(f"{op} is not differentiable with respect to argument {name!r}: it cannot have "
                           "requires_grad=True")


def _check_same_shape(input: Tensor, target: Tensor, op: str) -> None:  # noqa: A002
    if input.shape != target.shape:
        warnings.warn(
            f"{op}: target size {target.shape} differs from input size {input.shape}; they will be "
            "broadcast, which is likely not what you want",
            stacklevel=3,
        )


def _as_target(target: Any, like: Tensor) -> Tensor:
    return target if isinstance(target, Tensor) else Tensor(target, dtype=like.dtype, device=like.device)


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str, stacklevel: int = 3) -> str:
    """PyTorch's deprecated ``size_average``/``reduce`` pair, mapped to ``reduction`` as torch does
    (the warning names the caller of the loss: ``stacklevel`` counts the frames in between)."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction= instead",
                  stacklevel=stacklevel)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"



def _resolve_reduction(size_average: Any, reduce: Any, reduction: str, op: str) -> str:
    """The functional losses' opening: the legacy pair mapped to ``reduction``, which is then checked."""
    reduction = _legacy_reduction(size_average, reduce, reduction, stacklevel=4)
    _check_reduction(reduction, op)
    return reduction
