"""What every loss shares: the ``reduction`` option (and PyTorch's legacy pair), targets as Tensors."""

from __future__ import annotations

import warnings
from typing import Any

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



def _check_same_shape(input: Tensor, target: Tensor, op: str) -> None:  # noqa: A002
    if input.shape != target.shape:
        warnings.warn(
            f"{op}: target size {target.shape} differs from input size {input.shape}; they will be "
            "broadcast, which is likely not what you want",
            stacklevel=3,
        )


def _as_target(target: Any, like: Tensor) -> Tensor:
    return target if isinstance(target, Tensor) else Tensor(target, dtype=like.dtype, device=like.device)


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's deprecated ``size_average``/``reduce`` pair, mapped to ``reduction`` as torch does."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction= instead", stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"

