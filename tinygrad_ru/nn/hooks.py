"""Module hooks: watch (or change) what flows through a layer, forward and backward.

Forward hooks run around ``module(x)``; *full backward hooks* run when the gradient with respect
to the module's inputs has been computed, and see

* ``grad_output`` — ∂L/∂y for each output y of the module (what arrives from above), and
* ``grad_input``  — ∂L/∂x for each positional input x (what the module passes further down),

the two ends of one step of the chain rule: ∂L/∂x = ∂L/∂y · ∂y/∂x.

How (as PyTorch's ``torch.utils.hooks.BackwardHook``): the inputs that require grad go through
an identity :class:`BackwardHookFunction` before ``forward``, and so do the outputs after it.
Backward reaches the output identity first and remembers ∂L/∂y; it reaches the input identity
once ∂L/∂x is complete (the engine's topological order guarantees that), calls the user hooks
with both, and passes on what they return.  Nothing is recomputed: the gradients are the ones
the engine computes anyway.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from .. import backend
from ..autograd.function import Function
from ..autograd.grad_mode import grad_mode
from ..autograd.hooks import RemovableHandle, add_hook
from ..tensor import Tensor

__all__ = ["BackwardHookFunction", "BackwardHook", "add_module_hook"]


def add_module_hook(hooks: OrderedDict, hook: Callable, prepend: bool, what: str) -> RemovableHandle:
    """Register ``hook`` in the module's ordered ``hooks`` (first with ``prepend``); returns its handle."""
    handle = add_hook(hooks, hook, what)
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


class BackwardHookFunction(Function):
    """The identity y = x (one output per input, same arrays) whose backward hands the incoming
    gradients to ``on_backward(grads) -> grads``: the place where module backward hooks run."""

    def __init__(self, on_backward: Callable[[tuple], tuple]) -> None:
        self.on_backward = on_backward

    def forward(self, *arrays: Any) -> Any:
        return arrays[0] if len(arrays) == 1 else arrays

    def backward(self, *grad_outputs: Tensor) -> tuple:
        return tuple(self.on_backward(grad_outputs))


def _pack(index: Sequence[int], values: Sequence[Any], size: int) -> tuple:
    """A tuple of ``size`` with ``values`` at the positions ``index`` and None elsewhere."""
    out: list[Any] = [None] * size
    for i, v in zip(index, values):
        out[i] = v
    return tuple(out)


class BackwardHook:
    """Runs a module's full backward (pre-)hooks for ONE call of the module.

    ``setup_input_hook(args)`` before ``forward``, ``setup_output_hook(result)`` after it; both
    return the values to use instead (identities of the tensors that require grad).
    """

    def __init__(self, module: Any, hooks: Sequence[Callable], pre_hooks: Sequence[Callable]) -> None:
        self.module = module
        self.hooks, self.pre_hooks = list(hooks), list(pre_hooks)
        self.grad_outputs: tuple | None = None
        self.n_inputs = self.n_outputs = 0
        self.input_index: list[int] | None = None
        self.output_index: list[int] | None = None

    @staticmethod
    def _wrap(values: tuple, on_backward: Callable[[tuple], tuple]) -> tuple[tuple, list[int] | None]:
        """Route the Tensors of ``values`` that require grad through one identity node; returns the new
        values and the positions of ALL Tensors (None when no Tensor requires grad: no node)."""
        tensors = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        wrapped = [i for i in tensors if values[i].requires_grad]
        if not wrapped or not grad_mode.enabled:
            return values, None
        outs = BackwardHookFunction(on_backward)(*[values[i] for i in wrapped])
        if len(wrapped) == 1:
            outs = (outs,)
        new = list(values)
        for i, o in zip(wrapped, outs):
            new[i] = o
        return tuple(new), tensors

    # ---------------------------------------------------------------- inputs: the user hooks run here
    def setup_input_hook(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        self._args = args
        args, self.input_index = self._wrap(args, self._on_input_grads)
        if self.input_index is not None:
            self.wrapped = [i for i in self.input_index if self._args[i].requires_grad]
        return args

    def _on_input_grads(self, grads: tuple) -> tuple:
        if self.grad_outputs is None:
            # the gradient reached the inputs without passing through the outputs (e.g. a
            # second-order term of a double backward): nothing to report, as in PyTorch
            return grads
        by_position = dict(zip(self.wrapped, grads))
        grad_input: tuple = tuple(
            by_position[i] if i in by_position
            # a Tensor input that does not require grad: zeros, as PyTorch's materialised gradient
            else (Tensor._wrap(backend.get_array_module(self._args[i].data).zeros_like(self._args[i].data), False)
                  if i in self.input_index else None)
            for i in range(self.n_inputs)
        )
        for hook in self.hooks:
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is None:
                continue
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
            if len(result) != len(grad_input):
                raise RuntimeError(
                    f"Backward hook of {type(self.module).__name__} returned an invalid number of grad_input, "
                    f"got {len(result)}, but expected {len(grad_input)}"
                )
            grad_input = result
        self.grad_outputs = None
        out = []
        for i in self.wrapped:
            g = grad_input[i]
            if g is not None and self._args[i].grad_fn is None and not g.requires_grad:
                # a leaf input keeps its first gradient's array as .grad and adds into it later:
                # give it a copy, so the tensor the hook has seen (and may keep) never changes
                g = Tensor._wrap(g.data.copy(), False)
            out.append(g)
        return tuple(out)

    # ---------------------------------------------------------------- outputs: remember ∂L/∂y
    def setup_output_hook(self, result: Any) -> Any:
        single = not isinstance(result, tuple)
        values = (result,) if single else result
        self.n_outputs = len(values)
        self._outputs = values
        values, self.output_index = self._wrap(values, self._on_output_grads)
        return values[0] if single else values

    def _on_output_grads(self, grads: tuple) -> tuple:
        wrapped = [i for i in (self.output_index or []) if self._outputs[i].requires_grad]
        self.grad_outputs = _pack(wrapped, grads, self.n_outputs)
        for hook in self.pre_hooks:
            result = hook(self.module, self.grad_outputs)
            if result is None:
                continue
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
            if len(result) != len(self.grad_outputs):
                raise RuntimeError(
                    f"Backward pre hook of {type(self.module).__name__} returned an invalid number of "
                    f"grad_output, got {len(result)}, but expected {len(self.grad_outputs)}"
                )
            self.grad_outputs = result
        passed_on = tuple(self.grad_outputs[i] for i in wrapped)
        if self.input_index is None:
            # no input requires grad: the hooks run now, with grad_input all None (PyTorch does the same)
            grad_input = (None,) * self.n_inputs
            for hook in self.hooks:
                result = hook(self.module, grad_input, self.grad_outputs)
                if result is not None and not (isinstance(result, tuple) and all(r is None for r in result)):
                    raise RuntimeError(
                        f"Backward hook of {type(self.module).__name__}: for a module where no input requires "
                        "gradient the hook should always return None or None for all gradients."
                    )
            self.grad_outputs = None
        return passed_on
