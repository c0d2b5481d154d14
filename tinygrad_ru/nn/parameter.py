"""``Parameter``: a Tensor that a :class:`~tinygrad_ru.nn.Module` learns.

Assigning a Parameter to a module attribute (``self.weight = Parameter(...)``) registers it, so
that ``module.parameters()`` hands it to an optimizer and ``state_dict()`` saves it.
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor with ``requires_grad=True`` by default, registered by modules.

    ``Parameter(data, requires_grad=True)``.  When ``data`` is a Tensor, the parameter shares
    its array (no copy) and keeps its dtype, like ``torch.nn.Parameter``.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = backend.array_module("cpu").empty((0,), dtype=backend.get_default_dtype())
        if isinstance(data, Tensor):
            super().__init__(data.data, requires_grad=requires_grad, dtype=data.dtype)
        else:
            super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


__all__ = ["Parameter"]
