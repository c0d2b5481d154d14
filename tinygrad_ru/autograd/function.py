"""``Function``: one node of the computational graph.

A Function computes its ``forward`` on raw arrays (numpy or cupy) and, when any input needs a
gradient and grad mode is on, records itself as the creator (``grad_fn``) of its outputs.
``backward`` receives the gradients of the outputs (Tensors) and returns one gradient per input:
the chain rule's local step ∂L/∂x = ∂L/∂y · ∂y/∂x.

This is also the extension point for users (like ``torch.autograd.Function``)::

    class Cube(Function):
        def forward(self, x):            # x: a raw array
            return x ** 3
        def backward(self, gy):          # gy: a Tensor
            x, = self.inputs
            return gy * 3 * x ** 2       # Tensor ops, so double backward works too

    y = Cube()(t)        # or Cube.apply(t)

A backward written with Tensor operations can itself be differentiated (``create_graph=True``);
one written on raw arrays (``Tensor(xp_expression)``) gives first derivatives only.
"""

from __future__ import annotations

import weakref
from typing import Any

from ..tensor import Tensor, as_tensor
from .grad_mode import grad_mode


class Function:
    """Base class of every differentiable operation (see the module docstring)."""

    # generation: the position in the graph; backward visits higher generations first,
    # which gives a topological order even when a node is reused.
    inputs: tuple
    outputs: list
    generation: int = 0
    needs_input_grad: tuple = ()
    released: bool = False

    @classmethod
    def apply(cls, *inputs: Any, **params: Any):
        return cls(**params)(*inputs)

    def __call__(self, *inputs: Any):
        for x in inputs:
            if not isinstance(x, Tensor):
                inputs = tuple(x if isinstance(x, Tensor) else as_tensor(x) for x in inputs)
                break
        ys = self.forward(*[x._data for x in inputs])
        record = False
        if grad_mode.enabled:
            for x in inputs:
                if x.requires_grad:
                    record = True
                    break
        single = type(ys) is not tuple
        outputs = [Tensor._wrap(ys, record)] if single else [Tensor._wrap(y, record) for y in ys]
        if record:
            self.inputs = inputs
            self.needs_input_grad = tuple([x.requires_grad for x in inputs])
            self.generation = gen = max([x._generation for x in inputs])
            for out in outputs:
                out.grad_fn = self
                out._generation = gen + 1
            # weak references: outputs own their creator, never the other way round,
            # so the graph has no reference cycles and dies with its last Tensor.
            self.outputs = [weakref.ref(out) for out in outputs]
        return outputs[0] if single else tuple(outputs)

    def forward(self, *arrays: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *grad_outputs: Tensor) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    def release(self) -> None:
        """Free what backward needed (the graph is not retained)."""
        self.__dict__.clear()
        self.released = True

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name}Backward>"
