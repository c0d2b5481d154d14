"""Weight initialisation (PyTorch's ``torch.nn.init``), in place on ``tensor.data``.

Why it matters (the lecture): every layer multiplies by W on the way forward (f_k = W_k h_{k−1} + b_k)
and by W_kᵀ on the way back, so with weights too large the activations and gradients explode
layer after layer, and with weights too small they vanish.  For a layer with n_in inputs,
Var[f] = n_in · Var[w] · E[h²]; choosing Var[w] keeps the scale constant through depth:

* Xavier / Glorot (symmetric activations such as tanh):  Var[w] = 2 / (n_in + n_out),
  w ~ U[−√6/√(n_in+n_out), √6/√(n_in+n_out)]  (``xavier_uniform_``) or normal (``xavier_normal_``);
* He / Kaiming (ReLU, which zeroes half of its inputs so E[h²] = Var[f]/2):  Var[w] = 2 / n_in,
  w ~ N(0, √(2/n_in)) (``kaiming_normal_``) or U[−√6/√n_in, √6/√n_in] (``kaiming_uniform_``);
* LeCun:  Var[w] = 1 / n_in (``lecun_normal_``).

Random numbers come from :func:`tinygrad_ru.backend.rng` (seeded by ``tg.manual_seed``), drawn on the
host and moved to the tensor's device, so a seeded model is the same on CPU and GPU.
Every function returns the tensor it changed.
"""

from __future__ import annotations

import math
from typing import Any

from .. import backend
from ..tensor import Tensor

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
               "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table).

    linear / conv / sigmoid: 1;  tanh: 5/3;  relu: √2;  leaky_relu: √(2/(1+a²)) (a = 0.01 by default);
    selu: 3/4.
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = shape[1]·receptive field, fan_out = shape[0]·receptive field (weight is (out, in, k…))."""
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(
            f"Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape {shape})"
        )
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _check(tensor: Any, fn: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"init.{fn}: expected a Tensor, got {type(tensor).__name__}")
    return tensor


def _fill_from_host(tensor: Tensor, host_values: Any) -> Tensor:
    """Write host-drawn values into the tensor's own array (in place: same object, same device)."""
    tensor.data[...] = backend.to_device(host_values.astype(tensor.dtype, copy=False), tensor.device)
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """w ~ U[a, b]."""
    _check(tensor, "uniform_")
    return _fill_from_host(tensor, backend.rng().uniform(a, b, size=tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """w ~ N(mean, std²)."""
    _check(tensor, "normal_")
    return _fill_from_host(tensor, backend.rng().normal(mean, std, size=tensor.shape))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0) -> Tensor:
    """w ~ N(mean, std²) truncated to [a, b] (redrawn until inside)."""
    _check(tensor, "trunc_normal_")
    rng = backend.rng()
    values = rng.normal(mean, std, size=tensor.shape)
    bad = (values < a) | (values > b)
    while bad.any():
        values[bad] = rng.normal(mean, std, size=int(bad.sum()))
        bad = (values < a) | (values > b)
    return _fill_from_host(tensor, values)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """w = val everywhere."""
    _check(tensor, "constant_")
    tensor.data[...] = val
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (2-D tensors only)."""
    _check(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError(f"init.eye_: only 2-D tensors are supported, got shape {tensor.shape}")
    tensor.data[...] = tensor.xp.eye(*tensor.shape, dtype=tensor.dtype)
    return tensor


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """w ~ U[−a, a], a = gain·√(6/(fan_in + fan_out))  (Glorot & Bengio, 2010)."""
    _check(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """w ~ N(0, σ²), σ = gain·√(2/(fan_in + fan_out))."""
    _check(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Tensor:
    """w ~ U[−b, b], b = gain·√(3/fan)  (He et al., 2015); gain = calculate_gain(nonlinearity, a).

    With the defaults for ReLU (``nonlinearity="relu"``): b = √6/√fan_in, the lecture's formula.
    """
    _check(tensor, "kaiming_uniform_")
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> Tensor:
    """w ~ N(0, σ²), σ = gain/√fan; for ReLU σ = √(2/fan_in), the lecture's He initialisation."""
    _check(tensor, "kaiming_normal_")
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std)


def lecun_normal_(tensor: Tensor) -> Tensor:
    """w ~ N(0, 1/fan_in)  (LeCun et al., 1998; the right scale for SELU and for linear nets)."""
    _check(tensor, "lecun_normal_")
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, 1.0 / math.sqrt(fan_in))


def orthogonal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """A (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013), from the QR decomposition of
    a Gaussian matrix with the signs of R's diagonal folded in (so the result is uniformly distributed).
    Tensors with more than 2 dimensions are flattened to (shape[0], rest)."""
    _check(tensor, "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError(f"init.orthogonal_: only tensors with 2 or more dimensions are supported, got {tensor.shape}")
    if tensor.numel() == 0:
        return tensor
    host = backend.array_module("cpu")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = backend.rng().normal(0.0, 1.0, size=(rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = host.linalg.qr(flat)
    q = q * host.sign(host.diag(r))
    if rows < cols:
        q = q.T
    return _fill_from_host(tensor, (gain * q).reshape(tensor.shape))


# ------------------------------------------------------------------ the lecture's schemes by name
def _init_he(weight: Tensor) -> None:
    kaiming_normal_(weight, mode="fan_in", nonlinearity="relu")


def _init_he_uniform(weight: Tensor) -> None:
    kaiming_uniform_(weight, mode="fan_in", nonlinearity="relu")


SCHEMES = {
    "he": _init_he,
    "kaiming": _init_he,
    "he_normal": _init_he,
    "kaiming_normal": _init_he,
    "he_uniform": _init_he_uniform,
    "kaiming_uniform": _init_he_uniform,
    "xavier": xavier_uniform_,
    "glorot": xavier_uniform_,
    "xavier_uniform": xavier_uniform_,
    "xavier_normal": xavier_normal_,
    "lecun": lecun_normal_,
    "orthogonal": orthogonal_,
}


def init_layer(weight: Tensor, bias: Tensor | None, scheme: Any) -> None:
    """Initialise a layer's weight by a named scheme ("he", "xavier", "lecun", …) or a callable
    ``fn(weight)``; the bias (if any) becomes zero, as in the lecture."""
    if callable(scheme):
        scheme(weight)
    else:
        try:
            fn = SCHEMES[str(scheme).lower()]
        except KeyError:
            raise ValueError(f"unknown init scheme {scheme!r}; use one of {sorted(SCHEMES)} or a callable") from None
        fn(weight)
    if bias is not None:
        zeros_(bias)


def default_layer_init(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's Linear/Conv default: kaiming_uniform_(a=√5) for the weight (U[−1/√fan_in, 1/√fan_in])
    and U[−1/√fan_in, 1/√fan_in] for the bias."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound)


__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "zeros_", "ones_", "eye_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "lecun_normal_",
    "orthogonal_", "init_layer", "default_layer_init", "SCHEMES",
]
