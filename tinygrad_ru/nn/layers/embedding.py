"""``Embedding``: a learnable lookup table — row i of ``weight`` is the vector of token/category i.

    y[…] = W[idx[…]],   W: (num_embeddings, embedding_dim)

Equal to one_hot(idx) · W without building the one-hot matrix; the gradient adds each output's
gradient to the row it was read from (``padding_idx``'s row gets none).
"""

from __future__ import annotations

from typing import Any

from ... import backend
from ...tensor import Tensor
from .. import functional as F
from .. import init as _init
from ..module import Module
from ..parameter import Parameter


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``: (…) integer indices →
    (…, embedding_dim), as ``torch.nn.Embedding``.

    ``weight`` starts as N(0, 1) with the ``padding_idx`` row zeroed; that row then gets no gradient.
    ``max_norm`` renormalises looked-up rows in place to at most that ``norm_type``-norm;
    ``scale_grad_by_freq`` divides a row's gradient by its count in the batch.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Any = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise AssertionError(f"Embedding: padding_idx must be within num_embeddings ({num_embeddings}), "
                                     f"got {padding_idx}")
            padding_idx %= self.num_embeddings
        self.padding_idx = padding_idx
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            d = backend.as_dtype(dtype)
            xp = backend.array_module(device or "cpu")
            self.weight = Parameter(Tensor(xp.empty(shape, dtype=d), dtype=d), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            w = _weight if isinstance(_weight, Tensor) else Tensor(_weight)
            if tuple(w.shape) != shape:
                raise AssertionError(f"Embedding: shape of _weight {tuple(w.shape)} does not match "
                                     f"num_embeddings and embedding_dim {shape}")
            self.weight = Parameter(w.detach(), requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        _init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: Any) -> Tensor:  # noqa: A002 - PyTorch's name
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding whose table is ``embeddings`` (2-D), frozen (no gradient) unless ``freeze=False``."""
        w = embeddings if isinstance(embeddings, Tensor) else Tensor(embeddings)
        if w.ndim != 2:
            raise AssertionError(f"Embedding.from_pretrained: embeddings parameter is expected to be 2-dimensional, "
                                 f"got shape {tuple(w.shape)}")
        return cls(w.shape[0], w.shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=w, _freeze=freeze)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        return s


__all__ = ["Embedding"]
