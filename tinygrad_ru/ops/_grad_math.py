"""One derivative formula, run on raw arrays or on Tensors: the fused Functions' backward math.

A fused Function (``Linear``, ``Softmax``, ``CrossEntropy``, ``Normalize``, ``Sigmoid``…) writes its
backward once, against the small namespace ``m = grad_math()``:

* :data:`RAW` when the backward's own graph is not recorded (the usual ``loss.backward()``): the
  formula runs on the arrays themselves — fast, nothing recorded, and ``m.fused`` is one GPU kernel;
* :data:`GRAPH` under ``create_graph=True``: the same formula runs on Tensors with differentiable
  ops, so the gradient has a graph and second derivatives work.

Operators (``+ − * / @ **``) mean the same on both; what differs is spelled through ``m``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import backend
from ..autograd.grad_mode import grad_mode
from ..tensor import Tensor
from . import matmul as _matmul
from . import movement as _movement
from . import reduce as _reduce
from .elementwise import _constant, exp


class _Raw:
    """The formula on raw arrays (numpy/cupy): no graph, gradients wrapped as leaves at the end."""

    graph = False

    @staticmethod
    def arrays(*tensors: Tensor) -> tuple:
        """The operands the formula works on (here: the arrays)."""
        return tuple([t._data for t in tensors])

    @staticmethod
    def grad(a: Any) -> Tensor | None:
        """A gradient the formula computed, as the Tensor backward returns."""
        return None if a is None else Tensor._wrap(a, False)

    @staticmethod
    def grads(*arrays: Any) -> tuple:
        return tuple([None if a is None else Tensor._wrap(a, False) for a in arrays])

    @staticmethod
    def const(a: Any) -> Any:
        """A saved array that takes no gradient (a mask, a weight)."""
        return a

    @staticmethod
    def saved(value: Any, rebuild: Callable[[], Tensor]) -> Any:
        """A value forward kept (softmax, x̂): used as is here; the graph rebuilds it from the inputs."""
        return value

    @staticmethod
    def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return x.sum(axis=axis, keepdims=keepdims)

    @staticmethod
    def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return x.mean(axis=axis, keepdims=keepdims)

    @staticmethod
    def reshape(x: Any, shape: tuple) -> Any:
        return x.reshape(shape)

    @staticmethod
    def t(x: Any) -> Any:
        """The transpose of a matrix."""
        return x.T

    @staticmethod
    def matmul(a: Any, b: Any) -> Any:
        return a @ b

    @staticmethod
    def fused(formula: Callable, *args: Any) -> Any:
        """``formula(xp)(*args)`` (see ``backend.elementwise``): as written on the CPU, one kernel on a GPU."""
        return backend.elementwise(formula, args[0])(*args)

    @staticmethod
    def minus_at_rows(gx: Any, labels: Any, v: Any) -> Any:
        """gx − v·onehot(labels): subtract vᵢ at column labelsᵢ of row i (in place on the array)."""
        gx[backend.get_array_module(gx).arange(gx.shape[0]), labels] -= v.reshape(-1)
        return gx


class _Graph:
    """The same formula on Tensors: every step is a differentiable op (``create_graph=True``)."""

    graph = True

    @staticmethod
    def arrays(*tensors: Tensor) -> tuple:
        return tensors

    @staticmethod
    def grad(t: Tensor | None) -> Tensor | None:
        return t

    @staticmethod
    def grads(*tensors: Any) -> tuple:
        return tensors

    @staticmethod
    def const(a: Any) -> Tensor:
        return _constant(a)

    @staticmethod
    def saved(value: Any, rebuild: Callable[[], Tensor]) -> Tensor:
        return rebuild()  # a constant copy of the saved value would carry no second derivative

    @staticmethod
    def sum(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _reduce.sum(x, axis, keepdims)

    @staticmethod
    def mean(x: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _reduce.mean(x, axis, keepdims)

    @staticmethod
    def reshape(x: Tensor, shape: tuple) -> Tensor:
        return _movement.reshape(x, shape)

    @staticmethod
    def t(x: Tensor) -> Tensor:
        return _movement.transpose(x, 0, 1)

    @staticmethod
    def matmul(a: Tensor, b: Tensor) -> Tensor:
        return _matmul.matmul(a, b)

    exp = staticmethod(exp)  # what a fused formula calls as ``xp.exp``

    def fused(self, formula: Callable, *args: Any) -> Tensor:
        return formula(self)(*args)  # the formula's ``xp`` is this namespace: Tensor ops

    @staticmethod
    def minus_at_rows(gx: Tensor, labels: Any, v: Tensor) -> Tensor:
        onehot = backend.get_array_module(gx.data).zeros(gx.shape, dtype=gx.dtype)
        onehot[backend.get_array_module(onehot).arange(gx.shape[0]), labels] = 1
        return gx - v * _constant(onehot)


RAW = _Raw()
GRAPH = _Graph()


def grad_math() -> _Raw | _Graph:
    """The namespace for this backward: :data:`GRAPH` while grad mode records (create_graph), else :data:`RAW`."""
    return GRAPH if grad_mode.enabled else RAW
