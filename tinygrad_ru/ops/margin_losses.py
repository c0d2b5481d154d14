"""Margin, embedding and likelihood losses of ``torch.nn.functional``: ranking and hinge margins,
the soft margin, cosine and triplet embeddings, the multi-class and multi-label margins, and the
Gaussian and Poisson negative log-likelihoods.

Each is composed of differentiable Tensor ops (so second derivatives come for free) in a form that
is exact and stable: softplus instead of log(1 + eˣ), clamped variances, masked Stirling terms.
Signatures, defaults and the ``reduction`` options follow PyTorch, including its deprecated
``size_average``/``reduce`` pair where PyTorch still accepts it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .. import backend
from ..tensor import Tensor
from ._reduction import _as_target, _check_no_grad, _check_reduction, _reduce, _resolve_reduction
from ._util import broadcast_shapes
from .activation import relu, softplus
from .comparison import clamp, clamp_min, minimum
from .elementwise import _constant, exp, log, sqrt, where
from .indexing import gather
from .movement import reshape, unsqueeze
from .normalization import pairwise_distance
from .reduce import sum


def _softplus(z: Tensor) -> Tensor:
    """log(1 + eᶻ) without overflow for any z (no linear cut-off: exact everywhere)."""
    return softplus(z, threshold=math.inf)


def _ints(target: Any, like: Tensor, op: str) -> Any:
    """Integer class indices as an array on the input's device (no gradient flows to labels)."""
    t = target.data if isinstance(target, Tensor) else Tensor(target, device=like.device).data
    t = backend.to_device(t, like.device)
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: target must hold integer class indices (int64), got dtype {t.dtype}")
    return t


def _same_ndim(op: str, **tensors: Tensor) -> None:
    if len({t.ndim for t in tensors.values()}) > 1:
        sizes = ", ".join(f"{name}: {t.shape}" for name, t in tensors.items())
        raise RuntimeError(f"{op}: all input tensors should have the same number of dimensions, got {sizes}")


# ============================================================================ binary margins


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0,  # noqa: PLR0913
                        size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = max(0, −yᵢ·(x1ᵢ − x2ᵢ) + margin) with yᵢ ∈ {1, −1}: x1 should rank higher than x2 where
    y = 1, lower where y = −1 (``torch.nn.functional.margin_ranking_loss``)."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "margin_ranking_loss")
    target = _as_target(target, input1)
    _same_ndim("margin_ranking_loss", input1=input1, input2=input2, target=target)
    return _reduce(clamp_min(-target * (input1 - input2) + margin, 0.0), reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0, size_average: Any = None,  # noqa: A002
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = xᵢ where yᵢ = 1, max(0, margin − xᵢ) where yᵢ = −1 (x is a distance, y says similar or
    not); as PyTorch, a target that is neither gets both terms."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "hinge_embedding_loss")
    target = _as_target(target, input)
    margin_term = where(target != 1, clamp_min(margin - input, 0.0), 0.0)
    self_term = where(target != -1, input, 0.0)
    return _reduce(margin_term + self_term, reduction)


def soft_margin_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
                     reduction: str = "mean") -> Tensor:
    """ℓᵢ = log(1 + exp(−yᵢ·xᵢ)), y ∈ {1, −1}: the logistic loss of a two-class margin, as softplus
    (finite for any margin; PyTorch's log1p(exp(·)) overflows to inf beyond −y·x ≈ 88 in float32)."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "soft_margin_loss")
    target = _as_target(target, input)
    if target.shape != input.shape and broadcast_shapes("soft_margin_loss", input.shape, target.shape) != input.shape:
        raise RuntimeError(f"soft_margin_loss: target of shape {target.shape} does not broadcast to the input's "
                           f"shape {input.shape}")
    return _reduce(_softplus(-target * input), reduction)


# ============================================================================ embeddings

_COSINE_EPS = 1e-12  # PyTorch's EPSILON inside cosine_embedding_loss


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0,  # noqa: PLR0913
                          size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = 1 − cos(x1ᵢ, x2ᵢ) where yᵢ = 1, max(0, cos(x1ᵢ, x2ᵢ) − margin) where yᵢ = −1, with
    cos = ⟨x1, x2⟩ / √((‖x1‖² + ε)(‖x2‖² + ε)), ε = 10⁻¹² (as PyTorch); rows (N, D) or one (D,) pair."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "cosine_embedding_loss")
    target = _as_target(target, input1)
    if input1.shape != input2.shape or input1.ndim not in (1, 2):
        raise RuntimeError(f"cosine_embedding_loss: input1 and input2 must have the same shape (N, D) or (D,), "
                           f"got {input1.shape} and {input2.shape}")
    if target.ndim != input1.ndim - 1:
        raise RuntimeError(f"cosine_embedding_loss: for inputs of shape {input1.shape} the target must be "
                           f"{input1.ndim - 1}-D, got shape {target.shape}")
    dim = input1.ndim - 1
    dot = sum(input1 * input2, dim)
    cos = dot / sqrt((sum(input1 * input1, dim) + _COSINE_EPS) * (sum(input2 * input2, dim) + _COSINE_EPS))
    loss = where(target == 1, 1.0 - cos, 0.0) + where(target == -1, clamp_min(cos - margin, 0.0), 0.0)
    return _reduce(loss, reduction)


def _triplet(anchor: Tensor, positive: Tensor, negative: Tensor, distance: Callable[[Tensor, Tensor], Tensor],
             margin: float, swap: bool, reduction: str) -> Tensor:
    """max(0, margin + d(a, p) − d(a, n)); with ``swap`` d(a, n) becomes min(d(a, n), d(p, n))."""
    if not margin > 0:
        raise ValueError(f"triplet margin loss: margin must be greater than 0, got {margin}")
    _same_ndim("triplet margin loss", anchor=anchor, positive=positive, negative=negative)
    d_pos, d_neg = distance(anchor, positive), distance(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, distance(positive, negative))
    return _reduce(clamp_min(margin + d_pos - d_neg, 0.0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,  # noqa: PLR0913
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average: Any = None,
                        reduce: Any = None, reduction: str = "mean") -> Tensor:
    """ℓᵢ = max(0, margin + ‖aᵢ − pᵢ + ε‖_p − ‖aᵢ − nᵢ + ε‖_p): the anchor nearer the positive than the
    negative by ``margin``; ``swap`` uses min(d(a, n), d(p, n)) (Balntas et al.)."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "triplet_margin_loss")
    return _triplet(anchor, positive, negative, lambda a, b: pairwise_distance(a, b, p, eps), margin, swap,
                    reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                                      margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    """ℓᵢ = max(0, margin + d(aᵢ, pᵢ) − d(aᵢ, nᵢ)) for any distance d (default ``pairwise_distance``)."""
    _check_reduction(reduction, "triplet_margin_with_distance_loss")
    return _triplet(anchor, positive, negative, distance_function or pairwise_distance, margin, swap, reduction)


# ============================================================================ multi-class and multi-label margins


def _rows(input: Tensor, op: str) -> Tensor:  # noqa: A002
    if input.ndim not in (1, 2) or input.numel() == 0:
        raise RuntimeError(f"{op}: expected a non-empty input of shape (N, C) or (C,), got {input.shape}")
    return input if input.ndim == 2 else reshape(input, (1, -1))


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0,  # noqa: A002, PLR0913
                      weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                      reduction: str = "mean") -> Tensor:
    """ℓₙ = (1/C)·Σ_{i≠yₙ} w[yₙ]·max(0, margin − xₙ[yₙ] + xₙ[i])ᵖ, p ∈ {1, 2}: the multi-class hinge
    (``torch.nn.functional.multi_margin_loss``; the weight multiplies after the power, as PyTorch)."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 are supported, got p={p}")
    _check_no_grad(weight, "weight", "multi_margin_loss")
    x = _rows(input, "multi_margin_loss")
    n, c = x.shape
    t = _ints(target, input, "multi_margin_loss").reshape(-1)
    if t.shape != (n,):
        raise RuntimeError(f"multi_margin_loss: input of shape {input.shape} needs a target of shape "
                           f"{input.shape[:-1]}, got {_ints(target, input, 'multi_margin_loss').shape}")
    if t.size and bool(backend.to_numpy(((t < 0) | (t >= c)).any())):
        raise RuntimeError(f"multi_margin_loss: target labels must lie in 0..{c - 1}")
    xp = x.xp
    z = margin - gather(x, 1, Tensor._wrap(t[:, None], False)) + x
    h = relu(z)  # PyTorch counts a term only where z > 0
    if p == 2:
        h = h * h
    others = t[:, None] != xp.arange(c)
    if weight is not None:
        w = _as_target(weight, input)
        if w.ndim != 1 or w.shape[0] != c:
            raise (ValueError if w.ndim != 1 else RuntimeError)(
                f"multi_margin_loss: weight must be one-dimensional of size {c}, got shape {w.shape}")
        h = h * _constant(w.data[t][:, None].astype(x.dtype, copy=False))  # w[yₙ], after the power
    loss = sum(where(_constant(others), h, 0.0), 1) * (1.0 / c)
    if input.ndim == 1:
        loss = reshape(loss, ())
    return _reduce(loss, reduction)


def multilabel_margin_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
                           reduction: str = "mean") -> Tensor:
    """ℓₙ = Σ_{j, i} max(0, 1 − (xₙ[yₙⱼ] − xₙ[i])) / C over the target classes yₙⱼ (the labels before
    the first −1) and the classes i that are not targets."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "multilabel_margin_loss")
    x = _rows(input, "multilabel_margin_loss")
    n, c = x.shape
    t = _ints(target, input, "multilabel_margin_loss")
    if tuple(t.shape) != input.shape:
        raise RuntimeError(f"multilabel_margin_loss: target must have the input's shape {input.shape}, "
                           f"got {tuple(t.shape)}")
    t = t.reshape(n, c)
    xp = x.xp
    if t.size and bool(backend.to_numpy(((t < -1) | (t >= c)).any())):
        raise RuntimeError(f"multilabel_margin_loss: target labels must lie in -1..{c - 1}")
    valid = xp.cumprod(t != -1, axis=1).astype(bool)  # the labels before the first −1
    labels = xp.where(valid, t, 0)
    is_target = ((labels[:, :, None] == xp.arange(c)) & valid[:, :, None]).any(axis=1)
    x_target = gather(x, 1, Tensor._wrap(labels, False))  # xₙ[yₙⱼ]
    z = 1.0 - unsqueeze(x_target, 2) + unsqueeze(x, 1)  # (n, j, i)
    pairs = valid[:, :, None] & ~is_target[:, None, :]
    loss = sum(where(_constant(pairs), relu(z), 0.0), (1, 2)) * (1.0 / c)
    if input.ndim == 1:
        loss = reshape(loss, ())
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Tensor | None = None,  # noqa: A002
                                size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """ℓₙ = −(1/C)·Σᵢ wᵢ·(yₙᵢ·log σ(xₙᵢ) + (1 − yₙᵢ)·log σ(−xₙᵢ)): one-vs-all logistic loss per class,
    averaged over the classes (the last dimension)."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "multilabel_soft_margin_loss")
    target = _as_target(target, input)
    loss = target * _softplus(-input) + (1.0 - target) * _softplus(input)  # −log σ(x) = softplus(−x)
    if weight is not None:
        loss = loss * _as_target(weight, input)
    c = input.shape[-1] if input.ndim else 1
    return _reduce(sum(loss, -1) * (1.0 / c), reduction)


# ============================================================================ likelihoods


def gaussian_nll_loss(input: Tensor, target: Any, var: Tensor | float, full: bool = False,  # noqa: A002
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """ℓᵢ = ½·(log max(σ²ᵢ, ε) + (xᵢ − yᵢ)² / max(σ²ᵢ, ε)) (+ ½·log 2π with ``full``): the negative
    log-likelihood of y under N(x, σ²).  ``var`` has the input's shape, one dimension less (one
    variance per row), one dimension of size 1, or is a number.  As PyTorch, the clamp at ε changes
    the value only: the gradient reaches ``var`` as if unclamped."""
    _check_reduction(reduction, "gaussian_nll_loss")
    target = _as_target(target, input)
    if not isinstance(var, Tensor):
        if var < 0:
            raise ValueError(f"gaussian_nll_loss: var has a negative entry ({var})")
        var = Tensor(input.xp.full(input.shape, float(var), dtype=input.dtype), device=input.device)
    elif var.numel() and bool(backend.to_numpy((var.data < 0).any())):
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = unsqueeze(var, -1)
        elif not (var.ndim == input.ndim and [v for v, i in zip(var.shape, input.shape) if v != i] == [1]):
            raise ValueError(f"gaussian_nll_loss: var of shape {var.shape} does not fit the input's shape "
                             f"{input.shape} (same shape, one dimension less, or one dimension of size 1)")
    v = var.detach()
    var = var + (clamp(v, min=eps) - v)  # the clamped value with var's own gradient, as torch's no_grad clamp_
    d = input - target
    loss = 0.5 * (log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Any, log_input: bool = True, full: bool = False,  # noqa: A002, PLR0913
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """ℓᵢ = e^{xᵢ} − yᵢ·xᵢ with ``log_input`` (x = log λ), else xᵢ − yᵢ·log(xᵢ + ε) (x = λ): the Poisson
    negative log-likelihood without the constant log y!.  ``full`` adds Stirling's approximation of
    log y!, y·log y − y + ½·log(2πy), where y > 1 (0 elsewhere), as PyTorch."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "poisson_nll_loss")
    target = _as_target(target, input)
    loss = exp(input) - target * input if log_input else input - target * log(input + eps)
    if full:
        big = target > 1
        y = where(big, target, 2.0)  # no log 0 under the mask
        loss = loss + where(big, y * log(y) - y + 0.5 * log(2 * math.pi * y), 0.0)
    return _reduce(loss, reduction)


__all__ = [
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "multi_margin_loss", "multilabel_margin_loss",
    "multilabel_soft_margin_loss", "gaussian_nll_loss", "poisson_nll_loss",
]
