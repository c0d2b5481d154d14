"""Neural-network ops: linear, softmax / log-softmax, dropout, batch and layer norm, losses, penalties.

The ops on the training hot path are single fused Functions with closed-form backward passes
(``Linear``, ``CrossEntropy``, ``NLLLoss``, ``Normalize``): one graph node instead of five to
ten, and no intermediate tensors kept alive.  Each backward has two paths: plain array code when
the graph of the backward is not recorded (the usual ``loss.backward()``), and the same formula
in Tensor operations under ``create_graph=True``, so that second derivatives work everywhere.

Names and signatures follow ``torch.nn.functional``; options select the lecture's variants where
it writes a formula differently (dropout scaled at test time, label smoothing with ε/(K−1)).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from .. import backend
from ..autograd.function import Function
from ..autograd.grad_mode import grad_mode
from ..tensor import Tensor
from ._util import canonical_dim
from .activation import relu, sigmoid
from .elementwise import Mul, _constant, abs, clamp, exp, log, mul, where
from .matmul import matmul
from .movement import IndexAdd, permute, reshape, transpose
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


# ============================================================================ linear


class Linear(Function):
    """y = x·Wᵀ + b with W of shape (out, in).

    Backward: ∂L/∂x = g·W, ∂L/∂W = gᵀ·x, ∂L/∂b = Σ_rows g — the input gradient is skipped when x
    does not require grad (the first layer of a network).
    """

    saves = Mul.saves  # ∂/∂x reads W, ∂/∂W reads x; the bias is not read

    def forward(self, x, w, b=None):
        if x.ndim == 2 and backend.policy(x).weight_first(x.shape[0], w.shape[1], w.shape[0]):
            y = (w @ x.T).T  # the same product in the GEMM order the CPU's BLAS runs faster here
        else:
            y = x @ w.T
        if b is not None:
            y += b
        return y

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        needs = self.needs_input_grad
        has_bias = len(self.inputs) == 3
        out_f, in_f = w.shape
        if not grad_mode.enabled:  # plain arrays: no graph of the backward is needed
            gd = g.data
            gx = Tensor._wrap(gd @ w.data, False) if needs[0] else None
            g2 = gd.reshape(-1, out_f)
            gw = Tensor._wrap(g2.T @ x.data.reshape(-1, in_f), False) if needs[1] else None
            gb = Tensor._wrap(g2.sum(axis=0), False) if has_bias and needs[2] else None
        else:
            gx = matmul(g, w) if needs[0] else None
            g2 = reshape(g, (-1, out_f))
            gw = matmul(transpose(g2, 0, 1), reshape(x, (-1, in_f))) if needs[1] else None
            gb = sum(g2, 0) if has_bias and needs[2] else None
        return (gx, gw, gb) if has_bias else (gx, gw)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = x·Wᵀ + b (``torch.nn.functional.linear``): x (…, in), W (out, in), b (out,) → (…, out)."""
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {input.shape} has {input.shape[-1] if input.ndim else 0} features but "
            f"the weight of shape {weight.shape} expects {weight.shape[1]} (weight is (out, in))"
        )
    if bias is None:
        return Linear()(input, weight)
    if bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got {bias.shape}")
    return Linear()(input, weight, bias)


# ============================================================================ softmax


def _dim(x: Tensor, dim: int, op: str) -> int:
    return canonical_dim(dim, x.ndim, op)


def _softmax_grad(xp):
    def softmax_grad(g, y, s):  # s = Σⱼ gⱼyⱼ along the softmax axis
        return y * (g - s)
    return softmax_grad


def _log_softmax_grad(xp):
    def log_softmax_grad(g, y, s):  # s = Σⱼ gⱼ along the axis
        return g - xp.exp(y) * s
    return log_softmax_grad


def _log_softmax_tail(xp):
    def log_softmax_tail(z, s):  # z = x − max x, s = Σ e^z
        return z - xp.log(s)
    return log_softmax_tail


class Softmax(Function):
    """yᵢ = e^{xᵢ−m} / Σⱼ e^{xⱼ−m} (m = max x: no overflow); ∂L/∂x = y ⊙ (g − Σ g⊙y)."""

    saves = ()
    saves_output = True  # backward reads the output

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def forward(self, x):
        xp = backend.get_array_module(x)
        e = xp.exp(x - x.max(axis=self.dim, keepdims=True))
        e /= e.sum(axis=self.dim, keepdims=True)
        return e

    def backward(self, g):
        y = self.outputs[0]()
        if not grad_mode.enabled:  # the elementwise tail is one fused kernel on a GPU
            yd, gd = y.data, g.data
            s = (gd * yd).sum(axis=self.dim, keepdims=True)
            return Tensor._wrap(backend.elementwise(_softmax_grad, gd)(gd, yd, s), False)
        return y * (g - sum(g * y, self.dim, True))


class LogSoftmax(Function):
    """yᵢ = xᵢ − m − log Σⱼ e^{xⱼ−m} (stable for any logits); ∂L/∂x = g − e^y · Σ g."""

    saves = ()
    saves_output = True  # backward reads the output

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def forward(self, x):
        xp = backend.get_array_module(x)
        z = x - x.max(axis=self.dim, keepdims=True)
        # the tail z − log Σe^z is one fused kernel on a GPU
        return backend.elementwise(_log_softmax_tail, z)(z, xp.exp(z).sum(axis=self.dim, keepdims=True))

    def backward(self, g):
        y = self.outputs[0]()
        if not grad_mode.enabled:  # g − e^y·Σg: one fused kernel after the sum on a GPU
            gd = g.data
            return Tensor._wrap(backend.elementwise(_log_softmax_grad, gd)(gd, y.data, gd.sum(axis=self.dim,
                                                                                          keepdims=True)), False)
        return g - exp(y) * sum(g, self.dim, True)


def softmax(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """softmax(x)ᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along ``dim`` (computed with the max subtracted)."""
    return Softmax(_dim(input, dim, "softmax"))(input)


def log_softmax(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """log softmax(x)ᵢ = xᵢ − log Σⱼ e^{xⱼ} along ``dim``; finite for logits of any size."""
    return LogSoftmax(_dim(input, dim, "log_softmax"))(input)


# ============================================================================ NLL and cross-entropy


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
            raise ValueError(f"{op}: for an input of shape {x.shape} the target must have shape {expected}, "
                             f"got {tuple(t.shape)}")
        return reshape(x, (1, x.shape[0])), t.reshape((1, -1) if probs else (1,)), (), probs
    n, c = x.shape[0], x.shape[1]
    out_shape = (n,) + x.shape[2:]
    expected = x.shape if probs else out_shape
    if tuple(t.shape) != expected:
        kind = "class probabilities" if probs else "class indices"
        raise ValueError(f"{op}: input of shape {x.shape} needs a target ({kind}) of shape {expected}, "
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
        return total / self.norm

    def backward(self, g):
        logp, = self.inputs
        xp = backend.get_array_module(g.data)
        coef = -1.0 if self.row_w is None else -self.row_w
        if self.reduction == "mean":
            coef = coef / self.norm
        m = xp.zeros(logp.shape, dtype=logp.dtype)
        m[xp.arange(logp.shape[0]), self.labels] = coef
        if self.reduction == "none":
            g = reshape(g, (-1, 1))
        if not grad_mode.enabled:
            return Tensor._wrap(g.data * m, False)
        return g * _constant(m)


def nll_loss(
    input: Tensor,  # noqa: A002
    target: Any,
    weight: Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) at integer labels ``target`` (N,).

    ℓᵢ = −w[tᵢ]·input[i, tᵢ];  'mean' = Σℓᵢ / Σᵢ w[tᵢ] over rows whose label ≠ ignore_index.
    Also (C,) with a scalar label, and (N, C, d₁, …) with (N, d₁, …) labels, as PyTorch.
    """
    _check_reduction(reduction, "nll_loss")
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
        return (total / self.norm).astype(x.dtype, copy=False)

    def backward(self, g):
        x, = self.inputs
        xp = backend.get_array_module(g.data)
        s = self.s.reshape(-1, 1)
        if not grad_mode.enabled:
            col = g.data.reshape(-1, 1) if self.reduction == "none" else g.data
            if self.reduction == "mean":
                col = col / self.norm
            gx = self.p * (col * s)
            if self.q is None:
                gx[xp.arange(x.shape[0]), self.labels] -= (col * self.row_w.reshape(-1, 1)).reshape(-1)
            else:
                gx -= col * self.q
            return Tensor._wrap(gx, False)
        col = reshape(g, (-1, 1)) if self.reduction == "none" else g
        if self.reduction == "mean":
            col = col * (1.0 / self.norm if isinstance(self.norm, float) else _constant(xp.asarray(1.0 / self.norm)))
        q = self.q
        if q is None:
            q = xp.zeros(x.shape, dtype=x.dtype)
            q[xp.arange(x.shape[0]), self.labels] = self.row_w
        return col * (_constant(s) * softmax(x, 1) - _constant(q))


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
    reduction: str = "mean",
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
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
    _check_reduction(reduction, "cross_entropy")
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


# ============================================================================ dropout


def dropout(
    input: Tensor,  # noqa: A002
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    scaling: str = "inverted",
) -> Tensor:
    """Zero each element with probability p (mask drawn from ``tg.manual_seed``'s generator).

    * ``scaling="inverted"`` (PyTorch): training y = x·m/(1−p), test y = x;
    * ``scaling="lecture"``: training y = x·m, test y = (1−p)·x.

    With mᵢ ~ Bernoulli(1−p), E[x·m] = (1−p)·x: the inverted form divides during training so that
    test time needs nothing; the lecture's form multiplies at test time instead.  Both give the
    next layer the same expected input in training and at test; only the scale of the training
    activations differs (by 1/(1−p)).  ``inplace`` is accepted for PyTorch compatibility and ignored.
    """
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability has to be between 0 and 1, but got {p}")
    if scaling not in ("inverted", "lecture"):
        raise ValueError(f"dropout: scaling must be 'inverted' or 'lecture', got {scaling!r}")
    if not training:
        return input if scaling == "inverted" or p == 0.0 else input * (1.0 - p)
    if p == 0.0:
        return input
    keep = backend.rng().random(input.shape, dtype=backend.float32) >= p
    mask = keep.astype(input.dtype)
    if scaling == "inverted" and p < 1.0:
        mask *= 1.0 / (1.0 - p)
    return mul(input, _constant(backend.to_device(mask, input.device)))


# ============================================================================ normalisation


class Normalize(Function):
    """y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε), μ and σ² (biased) over ``axes``.

    Closed-form backward (x̂ and 1/σ kept from forward):
        ∂L/∂x = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),  ĝ = γ·g,  means over ``axes``
        ∂L/∂γ = Σ g·x̂,   ∂L/∂β = Σ g   (sums over ``param_axes``, the axes γ is broadcast along)
    """

    def __init__(self, axes: tuple[int, ...], param_axes: tuple[int, ...], param_shape: tuple[int, ...],
                 eps: float, has_weight: bool, has_bias: bool) -> None:
        self.axes, self.param_axes, self.param_shape = axes, param_axes, param_shape
        self.eps, self.has_weight, self.has_bias = eps, has_weight, has_bias

    def forward(self, x, *params):
        xp = backend.get_array_module(x)
        mu = x.mean(axis=self.axes, keepdims=True)
        xc = x - mu
        var = (xc * xc).mean(axis=self.axes, keepdims=True)
        self.batch_mean, self.batch_var = mu, var
        inv = 1.0 / xp.sqrt(var + self.eps)
        xc *= inv
        self.xhat, self.inv = xc, inv
        params = list(params)
        y = xc * params.pop(0).reshape(self.param_shape) if self.has_weight else xc.copy()
        if self.has_bias:
            y += params.pop(0).reshape(self.param_shape)
        return y

    def backward(self, g):
        x = self.inputs[0]
        needs = self.needs_input_grad
        w = self.inputs[1] if self.has_weight else None
        if not grad_mode.enabled:
            gd, xhat = g.data, self.xhat
            gh = gd * w.data.reshape(self.param_shape) if w is not None else gd
            gx = None
            if needs[0]:
                gx = gh - gh.mean(axis=self.axes, keepdims=True)
                gx -= xhat * (gh * xhat).mean(axis=self.axes, keepdims=True)
                gx *= self.inv
                gx = Tensor._wrap(gx, False)
            grads = [gx]
            if self.has_weight:
                grads.append(Tensor._wrap((gd * xhat).sum(axis=self.param_axes).reshape(w.shape), False)
                             if needs[1] else None)
            if self.has_bias:
                b = self.inputs[-1]
                grads.append(Tensor._wrap(gd.sum(axis=self.param_axes).reshape(b.shape), False)
                             if needs[-1] else None)
            return tuple(grads)
        # differentiable path: rebuild x̂ from x with Tensor ops so that second derivatives flow
        xc = x - mean(x, self.axes, True)
        inv = (mean(xc * xc, self.axes, True) + self.eps) ** -0.5
        xhat = xc * inv
        gh = g * reshape(w, self.param_shape) if w is not None else g
        gx = inv * (gh - mean(gh, self.axes, True) - xhat * mean(gh * xhat, self.axes, True))
        grads = [gx]
        if self.has_weight:
            grads.append(reshape(sum(g * xhat, self.param_axes), w.shape))
        if self.has_bias:
            grads.append(reshape(sum(g, self.param_axes), self.inputs[-1].shape))
        return tuple(grads)


def batch_norm(
    input: Tensor,  # noqa: A002
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation over every axis but the channel axis 1 of (N, C), (N, C, L) or (N, C, H, W).

    Training: x̂ = (x − μ_B)/√(σ²_B + ε) with the batch mean and *biased* variance, y = γx̂ + β,
    and the running estimates are updated in place (PyTorch; α = momentum):
        μ̂ ← (1 − α)·μ̂ + α·μ_B,   σ̂² ← (1 − α)·σ̂² + α·σ²_B·m/(m − 1)   (unbiased, m values per channel)
    Evaluation: y = γ·(x − μ̂)/√(σ̂² + ε) + β (batch statistics if no running estimates are given).
    """
    if input.ndim not in (2, 3, 4):
        raise ValueError(f"batch_norm: expected a 2-D, 3-D or 4-D input (N, C, ...), got shape {input.shape}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.shape != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},) for an input of shape {input.shape}, "
                             f"got {t.shape}")
    axes = (0,) + tuple(range(2, input.ndim))
    param_shape = (1, c) + (1,) * (input.ndim - 2)
    use_batch_stats = training or running_mean is None or running_var is None
    if not use_batch_stats:
        xp = input.xp
        inv = 1.0 / xp.sqrt(running_var.data + eps)
        scale = _constant(inv.astype(input.dtype, copy=False))
        shift = _constant((-running_mean.data * inv).astype(input.dtype, copy=False))
        if weight is not None:
            scale = weight * scale
            shift = weight * shift
        if bias is not None:
            shift = shift + bias
        return input * reshape(scale, param_shape) + reshape(shift, param_shape)
    m = input.numel() // c
    if training and m <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input "
                         f"shape {input.shape}")
    params = [t for t in (weight, bias) if t is not None]
    fn = Normalize(axes, axes, param_shape, eps, weight is not None, bias is not None)
    out = fn(input, *params)
    if training and running_mean is not None:
        mom = float(momentum)
        batch_mean = fn.batch_mean.reshape(c).astype(running_mean.dtype, copy=False)
        running_mean.data *= 1.0 - mom
        running_mean.data += mom * batch_mean
    if training and running_var is not None:
        mom = float(momentum)
        unbiased = (fn.batch_var.reshape(c) * (m / (m - 1))).astype(running_var.dtype, copy=False)
        running_var.data *= 1.0 - mom
        running_var.data += mom * unbiased
    return out


def layer_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: int | tuple[int, ...],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalisation over the last ``len(normalized_shape)`` axes of each sample:

    y = γ·(x − μ)/√(σ² + ε) + β, μ and σ² (biased) over those axes; γ, β of shape normalized_shape.
    """
    shape = (int(normalized_shape),) if not isinstance(normalized_shape, (tuple, list)) else \
        tuple(int(s) for s in normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or input.shape[-k:] != shape:
        raise ValueError(f"layer_norm: normalized_shape {shape} does not match the last dimensions of the "
                         f"input of shape {input.shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise ValueError(f"layer_norm: {name} must have shape {shape}, got {t.shape}")
    nd = input.ndim
    axes = tuple(range(nd - k, nd))
    param_axes = tuple(range(nd - k))
    params = [t for t in (weight, bias) if t is not None]
    return Normalize(axes, param_axes, shape, eps, weight is not None, bias is not None)(input, *params)


# ============================================================================ regression and binary losses


def _check_same_shape(input: Tensor, target: Tensor, op: str) -> None:  # noqa: A002
    if input.shape != target.shape:
        warnings.warn(
            f"{op}: target size {target.shape} differs from input size {input.shape}; they will be "
            "broadcast, which is likely not what you want",
            stacklevel=3,
        )


def _as_target(target: Any, like: Tensor) -> Tensor:
    return target if isinstance(target, Tensor) else Tensor(target, dtype=like.dtype, device=like.device)


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """ℓᵢ = (xᵢ − yᵢ)², reduced by mean (default), sum or none."""
    _check_reduction(reduction, "mse_loss")
    target = _as_target(target, input)
    _check_same_shape(input, target, "mse_loss")
    d = input - target
    return _reduce(d * d, reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """ℓᵢ = |xᵢ − yᵢ| (subgradient 0 at xᵢ = yᵢ, as PyTorch), reduced by mean, sum or none."""
    _check_reduction(reduction, "l1_loss")
    target = _as_target(target, input)
    _check_same_shape(input, target, "l1_loss")
    return _reduce(abs(input - target), reduction)


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's deprecated ``size_average``/``reduce`` pair, mapped to ``reduction`` as torch does."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction= instead", stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


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
    if weight is not None:
        loss = loss * _as_target(weight, input)
    return _reduce(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """ℓᵢ = ½dᵢ²/β if |dᵢ| < β else |dᵢ| − ½β (``torch.nn.functional.smooth_l1_loss``): Huber with
    δ = β divided by β, so the tails are exactly L1; β = 0 is the L1 loss."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "smooth_l1_loss")
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


class BinaryCrossEntropy(Function):
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
        if self.weight is not None:
            loss = loss * self.weight
        return loss.astype(x.dtype, copy=False)

    def backward(self, g):
        x, y = self.inputs
        if self.weight is not None:
            g = g * _constant(self.weight)
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
    reduction: str = "mean",
) -> Tensor:
    """ℓᵢ = −wᵢ·(yᵢ·log xᵢ + (1−yᵢ)·log(1−xᵢ)) for probabilities x ∈ [0, 1] (logs clamped at −100)."""
    _check_reduction(reduction, "binary_cross_entropy")
    target = _as_target(target, input)
    if input.shape != target.shape:
        raise ValueError(f"binary_cross_entropy: target shape {target.shape} must match input shape {input.shape}")
    xd = input.data
    if input.numel() and bool(backend.to_numpy(((xd < 0) | (xd > 1) | (xd != xd)).any())):
        raise ValueError("binary_cross_entropy: all elements of input should be between 0 and 1 "
                         "(apply sigmoid first, or use binary_cross_entropy_with_logits)")
    return _reduce(BinaryCrossEntropy(_weight_array(weight, input))(input, target), reduction)


class BinaryCrossEntropyWithLogits(Function):
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
        if self.weight is not None:
            loss = loss * self.weight
        return loss.astype(x.dtype, copy=False)

    def backward(self, g):
        x, y = self.inputs
        if self.weight is not None:
            g = g * _constant(self.weight)
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
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """BCE of σ(x) computed from the logits x without overflow:
    ℓᵢ = wᵢ·[(1−yᵢ)·xᵢ + (1 + (p−1)yᵢ)·log(1 + e^{−xᵢ})] (p = pos_weight, 1 by default)."""
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    target = _as_target(target, input)
    if input.shape != target.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: target shape {target.shape} must match input "
                         f"shape {input.shape}")
    fn = BinaryCrossEntropyWithLogits(_weight_array(weight, input), _weight_array(pos_weight, input))
    return _reduce(fn(input, target), reduction)


# ============================================================================ embedding


class Embedding(Function):
    """y[…] = W[idx[…]]: a lookup of rows of W (num_embeddings, dim) at integer indices.

    ∂L/∂W[r] = Σ_{k: idx_k = r} g_k · s_k — a scatter-add over the lookups, with s_k = 0 for
    ``padding_idx`` (that row learns nothing) and s_k = 1/count(idx_k) with ``scale_grad_by_freq``.
    """

    def __init__(self, index: Any, scale: Any) -> None:
        self.index, self.scale = index, scale

    def forward(self, w):
        self.w_shape = w.shape
        return w[self.index]

    def backward(self, g):
        if self.scale is not None:
            g = g * _constant(self.scale.astype(g.dtype, copy=False))
        return IndexAdd(self.index, self.w_shape)(g)


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,  # noqa: A002
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` (num_embeddings, embedding_dim) at the integer ``input`` (any shape) →
    (…, embedding_dim), as ``torch.nn.functional.embedding``.

    ``padding_idx``: that row gets no gradient.  ``max_norm``: rows that are looked up and whose
    ``norm_type``-norm exceeds it are rescaled in place to norm max_norm first (PyTorch's renorm).
    ``scale_grad_by_freq``: each row's gradient is divided by how often it occurs in ``input``.
    """
    idx = input.data if isinstance(input, Tensor) else Tensor(input, device=weight.device).data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: expected integer indices (int64 or int32), got dtype {idx.dtype}")
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}")
    n = weight.shape[0]
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise AssertionError(f"embedding: padding_idx must be within num_embeddings ({n}), got {padding_idx}")
        padding_idx %= n
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported (there are no sparse tensors)")
    if idx.size and (int(backend.to_numpy(idx.min())) < 0 or int(backend.to_numpy(idx.max())) >= n):
        bad = backend.to_numpy(idx).reshape(-1)
        bad = bad[(bad < 0) | (bad >= n)][0]
        raise IndexError(f"embedding: index {int(bad)} out of range for {n} embeddings (valid: 0..{n - 1})")
    xp = weight.xp
    if max_norm is not None:
        rows = xp.unique(idx)
        w = weight.data[rows]
        norms = (xp.abs(w) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
        weight.data[rows] = w * scale[:, None]
    scale = None
    if scale_grad_by_freq:
        counts = xp.bincount(idx.reshape(-1), minlength=n)
        scale = 1.0 / counts[idx]
    if padding_idx is not None:
        keep = (idx != padding_idx).astype(backend.float64)
        scale = keep if scale is None else scale * keep
    if scale is not None:
        scale = scale[..., None]
    return Embedding(idx, scale)(weight)


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


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """y = max(0, x) + a·min(0, x) with a learnable slope a per channel (axis 1) or one shared."""
    if weight.numel() != 1:
        if input.ndim < 2 or weight.shape != (input.shape[1],):
            raise ValueError(f"prelu: weight of shape {weight.shape} needs one slope per channel of the input "
                             f"of shape {input.shape} (axis 1), or a single slope")
        weight = reshape(weight, (1, input.shape[1]) + (1,) * (input.ndim - 2))
    return relu(input) - weight * relu(-input)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer labels (…) → (…, num_classes) int64 one-hot rows (no gradient)."""
    t = tensor.data
    if t.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expects integer labels, got dtype {t.dtype}")
    xp = tensor.xp
    if num_classes < 0:
        num_classes = int(backend.to_numpy(t.max())) + 1 if t.size else 0
    if t.size and (int(backend.to_numpy(t.min())) < 0 or int(backend.to_numpy(t.max())) >= num_classes):
        raise IndexError(f"one_hot: labels must lie in 0..{num_classes - 1}")
    return Tensor._wrap((t[..., None] == xp.arange(num_classes)).astype(backend.int64), False)


__all__ = [
    "linear", "softmax", "log_softmax", "nll_loss", "cross_entropy", "dropout", "batch_norm", "layer_norm",
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "kl_div", "embedding",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "l1_penalty",
    "l2_penalty", "prelu", "one_hot", "Linear", "Softmax", "LogSoftmax", "NLLLoss", "CrossEntropy",
    "Normalize", "Embedding",
]
