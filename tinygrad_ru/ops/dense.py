"""The dense-layer ops: linear (y = x·Wᵀ + b, one fused node), dropout, embedding lookup, PReLU."""

from __future__ import annotations

import warnings
from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._grad_math import grad_math
from .activation import relu
from .elementwise import Mul, _constant, mul
from .movement import IndexAdd, reshape, squeeze, unsqueeze


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
        m = grad_math()  # raw arrays, or Tensor ops under create_graph (one formula for both)
        x, w, g = m.arrays(self.inputs[0], self.inputs[1], g)
        needs = self.needs_input_grad
        has_bias = len(self.inputs) == 3
        out_f, in_f = w.shape
        g2 = m.reshape(g, (-1, out_f))
        gx = m.matmul(g, w) if needs[0] else None
        gw = m.matmul(m.t(g2), m.reshape(x, (-1, in_f))) if needs[1] else None
        gb = m.sum(g2, 0) if has_bias and needs[2] else None
        return m.grads(gx, gw, gb) if has_bias else m.grads(gx, gw)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = x·Wᵀ + b (``torch.nn.functional.linear``): x (…, in), W (out, in), b (out,) → (…, out).

    A 1-D weight w (in,) without bias is one output feature with that dimension dropped, as torch:
    y = x·w, (…, in) → (…).  Bad shapes: RuntimeError, as torch.
    """
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(f"linear: both arguments need to be at least 1-D, got an input of shape {input.shape} "
                           f"and a weight of shape {weight.shape}")
    if weight.ndim == 1 and bias is None:  # one row of a weight (1, in), then that axis dropped
        return squeeze(linear(input, unsqueeze(weight, 0)), -1)
    if weight.ndim != 2:
        given = " (a 1-D weight only without bias)" if weight.ndim == 1 else ""
        raise RuntimeError(f"linear: weight must be 2-D (out_features, in_features){given}, got shape {weight.shape}")
    if input.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            f"linear: input of shape {input.shape} has {input.shape[-1]} features but "
            f"the weight of shape {weight.shape} expects {weight.shape[1]} (weight is (out, in))"
        )
    if bias is None:
        return Linear()(input, weight)
    if bias.shape != (weight.shape[0],):
        raise RuntimeError(f"linear: bias must have shape ({weight.shape[0]},), got {bias.shape}")
    return Linear()(input, weight, bias)

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
    p = _probability(p, "dropout")
    if scaling not in ("inverted", "lecture"):
        raise ValueError(f"dropout: scaling must be 'inverted' or 'lecture', got {scaling!r}")
    if not training:
        return input if scaling == "inverted" or p == 0.0 else input * (1.0 - p)
    if p == 0.0:
        return input
    return mul(input, _dropout_mask(input, input.shape, p, scaling == "inverted"))


def _probability(p: Any, op: str) -> float:
    """A dropout probability: a number in [0, 1] (torch's ValueError otherwise)."""
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    return p


def _dropout_mask(input: Tensor, shape: tuple[int, ...], p: float, inverted: bool = True) -> Tensor:
    """m ~ Bernoulli(1 − p) of ``shape`` (broadcast against ``input``), times 1/(1 − p) if ``inverted``."""
    keep = backend.rng().random(shape, dtype=backend.float32) >= p
    mask = keep.astype(input.dtype)
    if inverted and p < 1.0:
        mask *= 1.0 / (1.0 - p)
    return _constant(backend.to_device(mask, input.device))


def _channel_dropout(input: Tensor, p: float, training: bool, spatial: int, op: str) -> Tensor:  # noqa: A002
    """Zero whole channels: one Bernoulli(1 − p) draw per (sample, channel), scaled by 1/(1 − p);
    ``spatial`` axes follow the channel axis (an input with one axis fewer is unbatched)."""
    p = _probability(p, op)
    if not training or p == 0.0:
        return input
    batched = input.ndim == spatial + 2
    lead = input.shape[:2] if batched else input.shape[:1]
    return mul(input, _dropout_mask(input, (*lead, *(1,) * spatial), p))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Channel dropout of (N, C, L) or (C, L): each channel zeroed with probability p (kept ones ×1/(1−p))."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input "
                           f"(shape {tuple(input.shape)})")
    return _channel_dropout(input, p, training, 1, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Channel dropout of (N, C, H, W) or (C, H, W): each feature map zeroed with probability p (the
    kept ones ×1/(1−p)).  A 3-D input is (N, C, L) (torch's rule, with its warning), any other rank
    drops along dim 1 too."""
    if input.ndim < 2:
        raise RuntimeError(f"dropout2d: Feature dropout requires at least 2 dimensions in the input, got shape "
                           f"{tuple(input.shape)}")
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "Use dropout1d for that (torch's rule; its interpretation may change)", UserWarning,
                      stacklevel=2)
    return _channel_dropout(input, p, training, input.ndim - 2, "dropout2d")



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


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """y = max(0, x) + a·min(0, x) with a learnable slope a per channel (axis 1) or one shared."""
    if weight.numel() != 1:
        if input.ndim < 2 or weight.shape != (input.shape[1],):
            raise RuntimeError(f"prelu: weight of shape {weight.shape} needs one slope per channel of the input "
                             f"of shape {input.shape} (axis 1), or a single slope")
        weight = reshape(weight, (1, input.shape[1]) + (1,) * (input.ndim - 2))
    return relu(input) - weight * relu(-input)


__all__ = [
    "dropout1d", "dropout2d", "linear", "dropout", "embedding", "prelu", "Linear", "Embedding"]
