"""Random tensors made from tensors: ``normal(mean, std)``, ``bernoulli(p)``, ``multinomial(p, n)``.

Samples come from the library's generator (``tg.manual_seed``), drawn on the host and moved to the
input's device.  None of them passes a gradient (torch's are zero: a sample's derivative with
respect to its distribution's parameters is not defined by the draw).
"""

from __future__ import annotations

import numbers
from typing import Any

from .. import backend
from ..tensor import Tensor
from ._util import broadcast_shapes
from .inplace import _rng, bernoulli_

__all__ = ["normal", "bernoulli", "multinomial"]

np = backend.host  # samples are drawn on the host, as every random fill of the library


def _check_std(std: Any) -> None:
    """std ≥ 0 (a number, or a host array of a tensor's values)."""
    if isinstance(std, numbers.Number):
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    elif (std < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    r"""Samples of N(mean, std²), torch's overloads:

    * ``normal(mean: Tensor, std: Tensor)`` — one sample per element of the broadcast shape;
    * ``normal(mean: Tensor, std=1.0)`` / ``normal(mean: float, std: Tensor)`` — the tensor's shape;
    * ``normal(mean: float, std: float, size)`` — a tensor of ``size`` (``dtype``, ``device`` as in ``randn``).

    The result takes the dtype of the (first) floating tensor argument: z = mean + std·ε, ε ~ N(0, 1).
    """
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal(): with a float mean and a float std the size= argument is required")
        _check_std(std)
        shape = tuple(size) if isinstance(size, (tuple, list)) else (int(size),)
        out = Tensor(np.zeros(shape, dtype=backend.as_dtype(dtype)), device=device, dtype=dtype)
        return out.normal_(float(mean), float(std), generator=generator).requires_grad_(requires_grad)
    if size is not None:
        raise TypeError("normal(): size= is only for a float mean and a float std")
    like = tensors[0]
    if like.dtype.kind != "f":
        raise NotImplementedError(f"normal: not implemented for dtype {like.dtype} (needs a floating tensor)")
    m = backend.to_numpy(mean.data) if isinstance(mean, Tensor) else mean
    s = backend.to_numpy(std.data) if isinstance(std, Tensor) else std  # one read to the host
    _check_std(s)
    shape = broadcast_shapes("normal", np.shape(m), np.shape(s))
    z = m + s * _rng(generator).standard_normal(shape)
    return Tensor(backend.to_device(z.astype(like.dtype), like.device), dtype=like.dtype)


def bernoulli(input: Tensor, p: float | None = None, *, generator: Any = None) -> Tensor:  # noqa: A002
    """Samples of Bernoulli(input) (1 with probability ``input``, elementwise), or of Bernoulli(p)
    with ``p`` given; the result has the input's shape and dtype."""
    if input.dtype.kind != "f":
        raise NotImplementedError(f"bernoulli: not implemented for dtype {input.dtype} (needs a floating tensor)")
    out = Tensor._wrap(input.xp.zeros(input.shape, dtype=input.dtype), False)
    return bernoulli_(out, input.detach() if p is None else p, generator=generator)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Any = None) -> Tensor:
    r"""Category indices (int64) drawn with probabilities proportional to the rows of ``input``
    (1-d: one distribution, shape (num_samples,); 2-d: one per row, (rows, num_samples)).

    With ``replacement`` every draw is independent; without it a category is drawn at most once,
    as torch: the ``num_samples`` largest of p_i / E_i, E_i ~ Exp(1) (the same distribution as drawing
    one at a time and removing it; categories of probability 0 come last).
    """
    if not isinstance(num_samples, numbers.Integral) or isinstance(num_samples, bool):
        raise TypeError(f"multinomial(): argument 'num_samples' (position 2) must be int, not "
                        f"{type(num_samples).__name__}")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {input.shape}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype}")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (got {num_samples})")
    n = input.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
                           f"replacement ({num_samples} > {n})")
    p = backend.to_numpy(input.data).astype(np.float64).reshape(-1, n)
    if not np.isfinite(p).all() or (p < 0).any():
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
    total = p.sum(axis=1, keepdims=True)
    if p.shape[0] and (total <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    if replacement:
        cdf = np.cumsum(p / total, axis=1)
        u = rng.random((p.shape[0], num_samples))
        # the first category whose cdf exceeds u; never one of probability 0 (its cdf step is empty)
        idx = np.stack([np.searchsorted(c, row, side="right") for c, row in zip(cdf, u)]) if p.shape[0] \
            else np.zeros((0, num_samples), dtype=np.int64)
        last = n - 1 - np.argmax(p[:, ::-1] > 0, axis=1, keepdims=True)  # rounding: cdf[-1] may be < 1
        idx = np.minimum(idx, last)
    else:
        keys = p / rng.exponential(size=p.shape)
        idx = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    idx = idx.astype(np.int64).reshape(*input.shape[:-1], num_samples)
    return Tensor(backend.to_device(idx, input.device), dtype=backend.int64)
