"""Loss modules: thin wrappers of the functional losses with PyTorch's constructor arguments.

``reduction``: "mean" (default), "sum" or "none" (per-sample losses).
"""

from __future__ import annotations

from typing import Any

from ...ops._reduction import _legacy_reduction
from ...tensor import Tensor
from .. import functional as F
from ..module import Module

_REDUCTIONS = ("mean", "sum", "none")


class _Loss(Module):
    _reductions = _REDUCTIONS

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in self._reductions:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {self._reductions}, got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


def _weight_buffer(module: Module, weight: Any) -> None:
    if weight is not None and not isinstance(weight, Tensor):
        weight = Tensor(weight)
    module.register_buffer("weight", weight)


class NLLLoss(_Loss):
    """L = −(1/N) Σ_n w_{y_n}·x[n, y_n]: the negative log-likelihood of log-probabilities x (N, C)
    and class indices y (N,); ``ignore_index`` targets contribute nothing."""

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        _weight_buffer(self, weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
        kwargs: dict[str, Any] = {"reduction": self.reduction}
        if self.weight is not None:
            kwargs["weight"] = self.weight
        if self.ignore_index != -100:
            kwargs["ignore_index"] = self.ignore_index
        return F.nll_loss(input, target, **kwargs)


class CrossEntropyLoss(_Loss):
    """L = −(1/N) Σ_n log softmax(x_n)[y_n] on logits x (N, C) — LogSoftmax + NLLLoss in one stable op.

    ``label_smoothing`` ε: PyTorch's form mixes the one-hot target with the uniform distribution,
    q = (1−ε)·onehot + ε/C; ``smoothing_form="lecture"`` puts 1−ε on the true class and ε/(K−1) on
    each other class.
    """

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                 reduction: str = "mean", label_smoothing: float = 0.0, *, smoothing_form: str = "pytorch") -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing}")
        _weight_buffer(self, weight)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.smoothing_form = smoothing_form

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        kwargs: dict[str, Any] = {"reduction": self.reduction}
        if self.weight is not None:
            kwargs["weight"] = self.weight
        if self.ignore_index != -100:
            kwargs["ignore_index"] = self.ignore_index
        if self.label_smoothing:
            kwargs["label_smoothing"] = self.label_smoothing
            if self.smoothing_form != "pytorch":
                kwargs["smoothing_form"] = self.smoothing_form
        return F.cross_entropy(input, target, **kwargs)

    def extra_repr(self) -> str:
        s = super().extra_repr()
        if self.label_smoothing:
            s += (", " if s else "") + f"label_smoothing={self.label_smoothing}"
        return s


class _LegacyLoss(_Loss):
    """A loss whose constructor takes torch's deprecated ``size_average``/``reduce`` pair first."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))


class MSELoss(_LegacyLoss):
    """L = (1/N) Σ (x − y)²."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_LegacyLoss):
    """L = (1/N) Σ |x − y|."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """ℓ = ½d² if |d| < δ else δ·(|d| − ½δ), d = x − y: quadratic near 0, linear in the tails."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """ℓ = ½d²/β if |d| < β else |d| − ½β, d = x − y (Huber with δ = β, divided by β; β = 0: L1)."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class KLDivLoss(_Loss):
    """KL(P‖Q): ℓ = p·(log p − x) on log-probabilities x = log q and probabilities p (log p with
    ``log_target``); ``reduction="batchmean"`` gives the KL per sample."""

    _reductions = _REDUCTIONS + ("batchmean",)

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class BCELoss(_Loss):
    """L = −(1/N) Σ w·[y·log p + (1 − y)·log(1 − p)] on probabilities p ∈ (0, 1)."""

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        _weight_buffer(self, weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        kwargs: dict[str, Any] = {"reduction": self.reduction}
        if self.weight is not None:
            kwargs["weight"] = self.weight
        return F.binary_cross_entropy(input, target, **kwargs)


class BCEWithLogitsLoss(_Loss):
    """L = −(1/N) Σ w·[p_w·y·log σ(x) + (1 − y)·log(1 − σ(x))] on logits x, computed stably
    (p_w = ``pos_weight``, 1 by default)."""

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 pos_weight: Any = None) -> None:
        super().__init__(_legacy_reduction(size_average, reduce, reduction))
        _weight_buffer(self, weight)
        if pos_weight is not None and not isinstance(pos_weight, Tensor):
            pos_weight = Tensor(pos_weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:  # noqa: A002
        kwargs: dict[str, Any] = {"reduction": self.reduction}
        if self.weight is not None:
            kwargs["weight"] = self.weight
        if self.pos_weight is not None:
            kwargs["pos_weight"] = self.pos_weight
        return F.binary_cross_entropy_with_logits(input, target, **kwargs)


__all__ = ["NLLLoss", "CrossEntropyLoss", "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "KLDivLoss", "BCELoss",
           "BCEWithLogitsLoss"]
