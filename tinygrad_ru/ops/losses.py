"""Classification losses: negative log-likelihood, cross-entropy (fused with log-softmax), binary
cross-entropy (of probabilities and of logits), and ``one_hot``.

``NLLLoss`` and ``CrossEntropy`` are single fused Functions with closed-form backward passes: one
graph node instead of five to ten.  Names and signatures follow ``torch.nn.functional``; label
smoothing also has the lecture's variant (ε/(K−1) on the other classes).
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Function
from ..autograd.grad_mode import grad_mode
from ..tensor import Tensor
from ._grad_math import grad_math
from ._reduction import _as_target, _check_no_grad, _reduce, _resolve_reduction
from .activation import relu, sigmoid
from .comparison import clamp
from .elementwise import _constant, _quiet, abs, exp, log
from .movement import permute, reshape
from .reduce import sum
from .softmax_family import log_softmax, softmax


def _flatten_classes(x: Tensor, target: Any, op: str):
    """(N, C), (C,) or (N, C, d₁, …) inputs → (M, C) rows, the target array, the 'none' shape, and
    whether the target holds class probabilities (floating) rather than class indices."""
    t = target.data if isinstance(target, Tensor) else Tensor(target, device=x.device).data
    # a target on another device (labels left on the CPU) joins the input's, as nll_loss always allowed
    t = backend.to_device(t, x.device)
    if x.ndim == 0:
        raise ValueError(f"{op}: input must have at least 1 dimension (classes), got a 0-d tensor")
    probs = t.dtype.kind == "f"
    if x.ndim == 1:
        expected = x.shape if probs else ()
        if tuple(t.shape) != expected:
            error = RuntimeError if probs else ValueError  # torch's types
            raise error(f"{op}: for an input of shape {x.shape} the target must have shape {expected}, "
                        f"got {tuple(t.shape)}")
        return reshape(x, (1, x.shape[0])), t.reshape((1, -1) if probs else (1,)), (), probs
    n, c = x.shape[0], x.shape[1]
    out_shape = (n,) + x.shape[2:]
    expected = x.shape if probs else out_shape
    if tuple(t.shape) != expected:
        kind = "class probabilities" if probs else "class indices"
        # torch's types: a different batch size is a ValueError, any other shape a RuntimeError
        error = ValueError if t.ndim == 0 or t.shape[0] != n else RuntimeError
        raise error(f"{op}: input of shape {x.shape} needs a target ({kind}) of shape {expected}, "
                    f"got {tuple(t.shape)}")
    if x.ndim > 2:  # classes last, then rows
        x = reshape(permute(x, 0, *range(2, x.ndim), 1), (-1, c))
        t = t.transpose(0, *range(2, t.ndim), 1).reshape(-1, c) if probs else t.reshape(-1)
    return x, t, out_shape, probs


def _class_weights(target: Any, weight: Tensor | None, ignore_index: int, n_classes: int, op: str,
                   unweighted_ok: bool = False):
    """Per-row weight w[tᵢ] (0 for ignored rows) and the labels with ignored rows set to 0.

    With ``unweighted_ok`` the common case — no class weights, every label in range and none
    ignored — returns ``(target, None)``: every row counts once, and no weight array is built.
    """
    xp = backend.get_array_module(target)
    if target.dtype.kind not in "iub":
        raise TypeError(f"{op}: target must hold integer class indices, got dtype {target.dtype}")
    if unweighted_ok and weight is None and target.size:
        lo, hi = (int(v) for v in backend.to_numpy(xp.stack((target.min(), target.max()))))  # one read
        if 0 <= lo and hi < n_classes and not lo <= ignore_index <= hi:
            return target, None
    valid = target != ignore_index
    bad = valid & ((target < 0) | (target >= n_classes))
    if bool(backend.to_numpy(bad.any())):
        label = int(backend.to_numpy(target[bad]).reshape(-1)[0])
        raise IndexError(
            f"{op}: target label {label} is out of range for {n_classes} classes "
            f"(valid labels are 0..{n_classes - 1}, or ignore_index={ignore_index})"
        )
    labels = xp.where(valid, target, 0)
    if weight is None:
        row_w = valid.astype(backend.float64)
    else:
        if weight.shape != (n_classes,):
            raise ValueError(f"{op}: weight must have shape ({n_classes},), got {weight.shape}")
        row_w = weight.data[labels] * valid
    return labels, row_w


def _nonzero(xp: Any, norm: Any) -> Any:
    """The 'mean' divisor Σᵢ w[tᵢ] for the backward pass, 1 where it is 0: then every row weight is 0
    (all rows ignored), so is every gradient, as in PyTorch — not 0/0."""
    return xp.where(norm == 0, 1, norm) if isinstance(norm, xp.ndarray) else (norm or 1)


class NLLLoss(Function):
    """ℓᵢ = −w[tᵢ]·log pᵢ[tᵢ]; 'mean' divides Σℓᵢ by Σᵢ w[tᵢ] (PyTorch's weighted mean)."""

    def __init__(self, labels: Any, row_w: Any, reduction: str) -> None:
        self.labels, self.row_w, self.reduction = labels, row_w, reduction

    def forward(self, logp):
        xp = backend.get_array_module(logp)
        rows = xp.arange(logp.shape[0])
        losses = -logp[rows, self.labels]
        if self.row_w is None:  # every row has weight 1
            self.norm = logp.shape[0]
        else:
            w = self.row_w = self.row_w.astype(logp.dtype, copy=False)
            losses *= w
            self.norm = w.sum()
        if self.reduction == "none":
            return losses
        total = losses.sum()
        if self.reduction == "sum":
            return total
        with _quiet(xp):  # every row ignored: 0/0 = nan, as PyTorch (its gradient is 0, below)
            return total / self.norm

    def backward(self, g):
        logp, = self.inputs
        xp = backend.get_array_module(g.data)
        coef = -1.0 if self.row_w is None else -self.row_w
        if self.reduction == "mean":
            coef = coef / _nonzero(xp, self.norm)
        mask = xp.zeros(logp.shape, dtype=logp.dtype)  # ∂ℓ/∂logp: coef at each row's label
        mask[xp.arange(logp.shape[0]), self.labels] = coef
        m = grad_math()
        g, = m.arrays(g)
        if self.reduction == "none":
            g = m.reshape(g, (-1, 1))
        return m.grad(g * m.const(mask))


def nll_loss(
    input: Tensor,  # noqa: A002
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) at integer labels ``target`` (N,).

    ℓᵢ = −w[tᵢ]·input[i, tᵢ];  'mean' = Σℓᵢ / Σᵢ w[tᵢ] over rows whose label ≠ ignore_index.
    Also (C,) with a scalar label, and (N, C, d₁, …) with (N, d₁, …) labels, as PyTorch.
    """
    reduction = _resolve_reduction(size_average, reduce, reduction, "nll_loss")
    _check_no_grad(weight, "weight", "nll_loss")
    x2, t, out_shape, probs = _flatten_classes(input, target, "nll_loss")
    if probs:
        raise TypeError(f"nll_loss: target must hold integer class indices, got dtype {t.dtype}")
    labels, row_w = _class_weights(t, weight, ignore_index, x2.shape[1], "nll_loss", unweighted_ok=True)
    out = NLLLoss(labels, row_w, reduction)(x2)
    return reshape(out, out_shape) if reduction == "none" else out


class CrossEntropy(Function):
    """Fused log-softmax + weighted NLL with soft targets Q (label smoothing, probabilities).

    ℓᵢ = −Σ_c Qᵢc·log softmax(xᵢ)_c = Sᵢ·lseᵢ − Σ_c Qᵢc·xᵢc with Sᵢ = Σ_c Qᵢc;
    ∂ℓᵢ/∂xᵢ = Sᵢ·softmax(xᵢ) − Qᵢ.  With hard labels and no smoothing Q is w[tᵢ]·onehot(tᵢ) and is
    never materialised.
    """

    def __init__(self, labels: Any, row_w: Any, q: Any, reduction: str, norm: Any) -> None:
        self.labels, self.row_w, self.q = labels, row_w, q
        self.reduction, self.norm = reduction, norm

    def forward(self, x):
        xp = backend.get_array_module(x)
        z = x - x.max(axis=1, keepdims=True)
        e = xp.exp(z)
        s = e.sum(axis=1, keepdims=True)
        lse = xp.log(s)
        e /= s
        self.p = e  # softmax, for backward
        if self.q is None:
            w = self.row_w.astype(x.dtype, copy=False)
            self.row_w = w
            losses = (lse[:, 0] - z[xp.arange(x.shape[0]), self.labels]) * w
            self.s = w
        else:
            q = self.q.astype(x.dtype, copy=False)
            self.q = q
            self.s = q.sum(axis=1)
            losses = self.s * lse[:, 0] - (q * z).sum(axis=1)
        if self.reduction == "none":
            return losses
        total = losses.sum()
        if self.reduction == "sum":
            return total
        with _quiet(xp):  # every row ignored: 0/0 = nan, as PyTorch (its gradient is 0, below)
            return (total / self.norm).astype(x.dtype, copy=False)

    def backward(self, g):
        m = grad_math()
        x, col = m.arrays(self.inputs[0], g)
        if self.reduction == "none":
            col = m.reshape(col, (-1, 1))
        if self.reduction == "mean":
            col = col / m.const(_nonzero(g.xp, g.xp.asarray(self.norm, dtype=g.dtype)))
        p = m.saved(self.p, lambda: softmax(x, 1))
        gx = p * (col * m.const(self.s.reshape(-1, 1)))  # Sᵢ·softmax(xᵢ) − Qᵢ, times the output gradient
        if self.q is None:  # Q = w[tᵢ]·onehot(tᵢ), never materialised on arrays
            return m.grad(m.minus_at_rows(gx, self.labels, col * m.const(self.row_w.reshape(-1, 1))))
        return m.grad(gx - col * m.const(self.q))


def _soft_cross_entropy(x: Tensor, q: Tensor, weight: Tensor | None, eps: float, form: str,
                        reduction: str) -> Tensor:
    """ℓ = −Σ_c q_c·log softmax(x)_c for class probabilities q that need a gradient themselves (a
    learned or distilled target): composed of Tensor ops, so q gets ∂ℓ/∂q_c = −log softmax(x)_c
    (times the smoothing and weight factors) as in PyTorch.  'mean' divides by the number of rows."""
    cdim = 1 if x.ndim > 1 else 0
    k = x.shape[cdim]
    if eps > 0:
        q = q * (1.0 - eps) + eps / k if form == "pytorch" else q * (1.0 - eps) + (1.0 - q) * (eps / (k - 1))
    if weight is not None:
        q = q * reshape(weight, (k,) + (1,) * (x.ndim - cdim - 1))
    return _reduce(-sum(q * log_softmax(x, cdim), cdim), reduction)


def cross_entropy(
    input: Tensor,  # noqa: A002
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    *,
    smoothing_form: str = "pytorch",
) -> Tensor:
    """Cross-entropy of logits ``input`` (N, C) against labels (N,) or class probabilities (N, C).

    Equal to ``nll_loss(log_softmax(input, 1), target)`` but one fused node.  Label smoothing
    replaces the one-hot target by q:

    * ``smoothing_form="pytorch"`` (default, as torch): q = (1−ε)·onehot + ε/K on every class,
      so the true class gets 1 − ε + ε/K;
    * ``smoothing_form="lecture"``: 1 − ε on the true class and ε/(K−1) on each other class.

    Both spread the same mass ε away from the true class; they agree when ε/K = ε/(K−1)·… only
    in the limit of many classes (PyTorch's form with ε' = ε·K/(K−1) is the lecture's with ε).
    Class weights multiply q column-wise; 'mean' divides by Σᵢ w[tᵢ] as PyTorch.
    """
    reduction = _resolve_reduction(size_average, reduce, reduction, "cross_entropy")
    _check_no_grad(weight, "weight", "cross_entropy")
    eps = float(label_smoothing)
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if smoothing_form == "torch":  # an accepted alias
        smoothing_form = "pytorch"
    if smoothing_form not in ("pytorch", "lecture"):
        raise ValueError(f"cross_entropy: smoothing_form must be 'pytorch' or 'lecture', got {smoothing_form!r}")
    x2, t, out_shape, probs = _flatten_classes(input, target, "cross_entropy")
    if probs and isinstance(target, Tensor) and target.requires_grad and grad_mode.enabled:
        return _soft_cross_entropy(input, target, weight, eps, smoothing_form, reduction)
    xp = x2.xp
    m, k = x2.shape
    if k < 2 and smoothing_form == "lecture" and eps > 0:
        raise ValueError("cross_entropy: the lecture's label smoothing needs at least 2 classes")
    off = eps / k if smoothing_form == "pytorch" else (eps / (k - 1) if k > 1 else 0.0)
    wvec = None
    if weight is not None:
        if weight.shape != (k,):
            raise ValueError(f"cross_entropy: weight must have shape ({k},), got {weight.shape}")
        wvec = weight.data.astype(x2.dtype, copy=False)
    if probs:
        q = t.astype(x2.dtype, copy=False)
        if eps > 0:
            q = q * (1.0 - eps) + eps / k if smoothing_form == "pytorch" else q * (1.0 - eps) + (1.0 - q) * off
        if wvec is not None:
            q = q * wvec
        fn = CrossEntropy(None, None, q, reduction, float(m))
    else:
        labels, row_w = _class_weights(t, weight, ignore_index, k, "cross_entropy")
        norm = xp.asarray(row_w.sum(), dtype=x2.dtype)  # an array, not a NumPy scalar: no float64 upcast
        if eps == 0:
            fn = CrossEntropy(labels, row_w, None, reduction, norm)
        else:
            valid = (t != ignore_index).astype(x2.dtype)
            true = 1.0 - eps + (off if smoothing_form == "pytorch" else 0.0)
            q = xp.full((m, k), off, dtype=x2.dtype)
            q[xp.arange(m), labels] = true
            q *= valid[:, None]
            if wvec is not None:
                q *= wvec
            fn = CrossEntropy(None, None, q, reduction, norm)
    out = fn(x2)
    return reshape(out, out_shape) if reduction == "none" else out



class _WeightedLoss(Function):
    """An elementwise loss of (x, y) with optional per-element weights w: ℓ·w, and g·w in backward."""

    weight: Any = None

    def _weighted(self, loss: Any, dtype: Any) -> Any:
        if self.weight is not None:
            loss = loss * self.weight
        return loss.astype(dtype, copy=False)

    def _weighted_grad(self, g: Tensor) -> Tensor:
        return g if self.weight is None else g * _constant(self.weight)


class BinaryCrossEntropy(_WeightedLoss):
    """ℓ = −w·(y·log x + (1−y)·log(1−x)), logs clamped at −100 (PyTorch), inputs (x, y).

    ∂ℓ/∂x = w·(x − y)/max(x(1−x), 10⁻¹²),  ∂ℓ/∂y = w·(log(1−x) − log x).
    """

    def __init__(self, weight: Any) -> None:
        self.weight = weight

    def forward(self, x, y):
        xp = backend.get_array_module(x)
        # log clamped at −100 (PyTorch), without evaluating log 0
        log_x = xp.where(x > 0, xp.maximum(xp.log(xp.where(x > 0, x, 1.0)), -100.0), -100.0)
        log_1mx = xp.where(x < 1, xp.maximum(xp.log1p(-xp.where(x < 1, x, 0.0)), -100.0), -100.0)
        loss = -(y * log_x + (1.0 - y) * log_1mx)
        return self._weighted(loss, x.dtype)

    def backward(self, g):
        x, y = self.inputs
        g = self._weighted_grad(g)
        gx = g * (x - y) / clamp(x * (1.0 - x), min=1e-12) if self.needs_input_grad[0] else None
        gy = None
        if self.needs_input_grad[1]:
            gy = g * (clamp(log(1.0 - x), min=-100.0) - clamp(log(x), min=-100.0))
        return gx, gy


def _weight_array(weight: Any, like: Tensor) -> Any:
    if weight is None:
        return None
    return (weight.data if isinstance(weight, Tensor) else backend.to_device(weight, like.device)).astype(like.dtype)


def binary_cross_entropy(
    input: Tensor,  # noqa: A002
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓᵢ = −wᵢ·(yᵢ·log xᵢ + (1−yᵢ)·log(1−xᵢ)) for probabilities x ∈ [0, 1] (logs clamped at −100)."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "binary_cross_entropy")
    _check_no_grad(weight, "weight", "binary_cross_entropy")
    target = _as_target(target, input)
    if input.shape != target.shape:
        raise ValueError(f"binary_cross_entropy: target shape {target.shape} must match input shape {input.shape}")
    xd = input.data
    if input.numel() and bool(backend.to_numpy(((xd < 0) | (xd > 1) | (xd != xd)).any())):
        raise ValueError("binary_cross_entropy: all elements of input should be between 0 and 1 "
                         "(apply sigmoid first, or use binary_cross_entropy_with_logits)")
    return _reduce(BinaryCrossEntropy(_weight_array(weight, input))(input, target), reduction)


class BinaryCrossEntropyWithLogits(_WeightedLoss):
    """ℓ = w·((1−y)·x + l·softplus(−x)) with l = 1 + (pos_weight − 1)·y — never overflows.

    ∂ℓ/∂x = w·((1−y) − l·σ(−x)),  ∂ℓ/∂y = w·(−x + (pos_weight − 1)·softplus(−x)).
    """

    def __init__(self, weight: Any, pos_weight: Any) -> None:
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, x, y):
        xp = backend.get_array_module(x)
        sp = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)  # softplus(−x), stable
        lw = 1.0 if self.pos_weight is None else 1.0 + (self.pos_weight - 1.0) * y
        loss = (1.0 - y) * x + lw * sp
        return self._weighted(loss, x.dtype)

    def backward(self, g):
        x, y = self.inputs
        g = self._weighted_grad(g)
        gx = gy = None
        if self.needs_input_grad[0]:
            lw = 1.0 if self.pos_weight is None else 1.0 + (_constant(self.pos_weight) - 1.0) * y
            gx = g * ((1.0 - y) - lw * sigmoid(-x))
        if self.needs_input_grad[1]:
            sp = relu(-x) + log(1.0 + exp(-abs(x)))
            gy = g * (-x) if self.pos_weight is None else g * (-x + (_constant(self.pos_weight) - 1.0) * sp)
        return gx, gy


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002
    target: Any,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """BCE of σ(x) computed from the logits x without overflow:
    ℓᵢ = wᵢ·[(1−yᵢ)·xᵢ + (1 + (p−1)yᵢ)·log(1 + e^{−xᵢ})] (p = pos_weight, 1 by default)."""
    reduction = _resolve_reduction(size_average, reduce, reduction, "binary_cross_entropy_with_logits")
    _check_no_grad(weight, "weight", "binary_cross_entropy_with_logits")
    _check_no_grad(pos_weight, "pos_weight", "binary_cross_entropy_with_logits")
    target = _as_target(target, input)
    if input.shape != target.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: target shape {target.shape} must match input "
                         f"shape {input.shape}")
    fn = BinaryCrossEntropyWithLogits(_weight_array(weight, input), _weight_array(pos_weight, input))
    return _reduce(fn(input, target), reduction)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer labels (…) → (…, num_classes) int64 one-hot rows (no gradient)."""
    t = tensor.data
    if t.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expects integer labels, got dtype {t.dtype}")
    xp = tensor.xp
    if num_classes < 0:
        num_classes = int(backend.to_numpy(t.max())) + 1 if t.size else 0
    if t.size and (int(backend.to_numpy(t.min())) < 0 or int(backend.to_numpy(t.max())) >= num_classes):
        raise RuntimeError(f"one_hot: labels must lie in 0..{num_classes - 1} (num_classes={num_classes}), got "
                           f"labels from {int(backend.to_numpy(t.min()))} to {int(backend.to_numpy(t.max()))}")
    return Tensor._wrap((t[..., None] == xp.arange(num_classes)).astype(backend.int64), False)


__all__ = ["nll_loss", "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "one_hot",
           "NLLLoss", "CrossEntropy"]
