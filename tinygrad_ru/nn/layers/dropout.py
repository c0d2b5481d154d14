"""``Dropout``: randomly zero inputs during training; ``Dropout1d``/``Dropout2d`` zero whole channels.

Inverted dropout (default, PyTorch's): in training y = x·m/(1−p) with m ~ Bernoulli(1−p), at test
y = x.  The lecture's form (``scaling="lecture"``): in training y = x·m, at test y = (1−p)·x.
Both give the test output the same expectation as the training output, E[x·m/(1−p)] = x and
E[x·m] = (1−p)·x; the inverted form simply moves the factor into training, so evaluation is free.
"""

from __future__ import annotations

from ...ops.dense import _probability
from ...tensor import Tensor
from .. import functional as F
from ..module import Module


class Dropout(Module):
    """Zero each element with probability p in training (see the module docstring for ``scaling``)."""

    def __init__(self, p: float = 0.5, inplace: bool = False, scaling: str = "inverted") -> None:
        super().__init__()
        _probability(p, "Dropout")
        if scaling not in ("inverted", "lecture"):
            raise ValueError(f"Dropout: scaling must be 'inverted' or 'lecture', got {scaling!r}")
        self.p, self.scaling = p, scaling
        self.inplace = inplace  # accepted for PyTorch compatibility; the output is always a new tensor

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training, scaling=self.scaling)

    def extra_repr(self) -> str:
        s = f"p={self.p}, inplace={self.inplace}"
        return s if self.scaling == "inverted" else s + f", scaling={self.scaling!r}"


class _ChannelDropout(Dropout):
    """Zero whole channels (feature maps) with probability p in training, the kept ones ×1/(1−p):
    neighbouring positions of a feature map are correlated, so dropping single values would hardly
    regularise a convolutional layer (Tompson et al., 2015)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__(p, inplace)


class Dropout1d(_ChannelDropout):
    """Channel dropout of (N, C, L) or (C, L) input."""

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout1d(x, self.p, self.training)


class Dropout2d(_ChannelDropout):
    """Channel dropout of (N, C, H, W) or (C, H, W)… input (a 3-D input is (N, C, L), as torch)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout2d(x, self.p, self.training)


__all__ = ["Dropout", "Dropout1d", "Dropout2d"]
