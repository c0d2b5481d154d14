"""Normalisation: batch norm and layer norm, both one fused ``Normalize`` node.

y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² over the batch (batch norm, per channel) or over the last
axes of each sample (layer norm); the backward is the closed form, x̂ and 1/σ kept from forward.
"""

from __future__ import annotations

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._grad_math import grad_math
from .elementwise import _constant
from .movement import reshape
from .reduce import mean


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

    def _xhat(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """x̂ and 1/σ rebuilt from x with Tensor ops, so that second derivatives flow through them."""
        xc = x - mean(x, self.axes, True)
        inv = (mean(xc * xc, self.axes, True) + self.eps) ** -0.5
        return xc * inv, inv

    def backward(self, g):
        m = grad_math()
        needs = self.needs_input_grad
        x, g = m.arrays(self.inputs[0], g)
        xhat, inv = m.saved((self.xhat, self.inv), lambda: self._xhat(self.inputs[0]))
        grads = [None] * len(self.inputs)
        if needs[0]:
            gh = g * m.reshape(m.arrays(self.inputs[1])[0], self.param_shape) if self.has_weight else g
            grads[0] = inv * (gh - m.mean(gh, self.axes, True) - xhat * m.mean(gh * xhat, self.axes, True))
        if self.has_weight and needs[1]:
            grads[1] = m.reshape(m.sum(g * xhat, self.param_axes), self.inputs[1].shape)
        if self.has_bias and needs[-1]:
            grads[-1] = m.reshape(m.sum(g, self.param_axes), self.inputs[-1].shape)
        return m.grads(*grads)


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


__all__ = ["batch_norm", "layer_norm", "Normalize"]
