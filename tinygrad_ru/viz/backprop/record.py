"""Recording a backward: the Functions in forward order, and what each node hook saw during ``backward()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ... import backend
from ...tensor import Tensor
from ..graph.tracing import _local_derivatives


@dataclass
class _Step:
    """One Function's backward as the engine ran it (recorded by its node hook)."""

    fn: Any
    inputs: list[Tensor]
    outputs: list[Tensor]
    grad_outputs: list[Any]  # the incoming gradients ∂L/∂y (as the engine summed them)
    grad_inputs: list[Any]  # the gradients the backward returned, one per input (None: not needed)


@dataclass
class _Record:
    output: Tensor
    forward: list[Any]  # Functions in forward order
    inputs: dict[int, list[Tensor]]  # id(fn) -> its inputs
    outputs: dict[int, list[Tensor]]
    local: dict[int, list[float | None]]  # id(fn) -> ∂y/∂xᵢ for scalar ops
    needs: dict[int, tuple] = field(default_factory=dict)  # id(fn) -> needs_input_grad (backward frees it)
    steps: list[_Step] = field(default_factory=list)
    scalar: bool = True


def _forward_order(output: Tensor) -> list[Any]:
    """The Functions under ``output`` in the order a program would run them: a depth-first walk that
    finishes a Function after all its inputs' creators (iterative: graphs can be deep)."""
    order: list[Any] = []
    done: set[int] = set()
    if output.grad_fn is None:
        return order
    stack: list[tuple[Any, bool]] = [(output.grad_fn, False)]
    while stack:
        fn, expanded = stack.pop()
        if id(fn) in done:
            continue
        if expanded:
            done.add(id(fn))
            order.append(fn)
            continue
        if fn.released:
            raise RuntimeError(
                "backprop_steps: the graph was already freed by backward(); call backprop_steps(loss) "
                "instead of loss.backward() — it runs the backward itself and records every step"
            )
        stack.append((fn, True))
        for x in reversed(fn.inputs):
            if x.grad_fn is not None and id(x.grad_fn) not in done:
                stack.append((x.grad_fn, False))
    return order


def _record(output: Tensor) -> _Record:
    """Walk the graph, note what the forward computed, then run the engine's backward with a hook
    on every Function and keep what each hook saw."""
    fns = _forward_order(output)
    rec = _Record(output, fns, {}, {}, {})
    for fn in fns:
        rec.inputs[id(fn)] = list(fn.inputs)
        rec.outputs[id(fn)] = [o for o in (r() for r in fn.outputs) if o is not None]
        rec.needs[id(fn)] = tuple(fn.needs_input_grad)
    tensors = {id(t): t for fn in fns for t in rec.inputs[id(fn)] + rec.outputs[id(fn)]}
    rec.scalar = all(t.numel() == 1 for t in tensors.values())
    if rec.scalar:  # asked of each op's own backward before the real backward runs
        for fn in fns:
            rec.local[id(fn)] = _local_derivatives(fn, rec.outputs[id(fn)])

    handles = []
    for fn in fns:
        def hook(grad_inputs, grad_outputs, fn=fn):
            rec.steps.append(_Step(fn, rec.inputs[id(fn)], rec.outputs[id(fn)],
                                   [_copy(g) for g in grad_outputs], [_copy(g) for g in grad_inputs]))
        handles.append(fn.register_hook(hook))
    try:
        output.backward()
    finally:
        for h in handles:
            h.remove()
    return rec


def _check_output(output: Any) -> None:
    if not isinstance(output, Tensor):
        raise TypeError(f"backprop_steps: expected a Tensor, got {type(output).__name__}")
    if not output.requires_grad or output.grad_fn is None:
        raise ValueError("backprop_steps: the tensor has no graph (it does not require grad); "
                         "compute it from tensors with requires_grad=True")
    if output.numel() != 1:
        raise ValueError(f"backprop_steps: expected a scalar (a loss), got shape {output.shape}")


def _copy(g: Any) -> Any:
    if g is None:
        return None
    data = g.data if isinstance(g, Tensor) else g
    return backend.to_numpy(data).copy()


def _final_gradients(rec: _Record) -> dict[int, Any]:
    """∂L/∂t as the engine left it: a leaf's ``.grad``; a non-leaf's summed gradient, as its creator received it."""
    out: dict[int, Any] = {id(rec.output): None}
    for s in rec.steps:
        for y, g in zip(s.outputs, s.grad_outputs):
            if g is not None:
                out[id(y)] = g
    for fn in rec.forward:
        for x in rec.inputs[id(fn)]:
            if x.grad_fn is None and x.requires_grad and x.grad is not None:
                out[id(x)] = backend.to_numpy(x.grad.data).copy()
    return out


def _uses(rec: _Record) -> dict[int, int]:
    """How many gradient contributions each tensor receives (its uses by ops that need its gradient)."""
    n: dict[int, int] = {}
    for s in rec.steps:
        for i, (x, gx) in enumerate(zip(s.inputs, s.grad_inputs)):
            if gx is not None and rec.needs[id(s.fn)][i]:
                n[id(x)] = n.get(id(x), 0) + 1
    return n


def _tensors_in_forward(output: Tensor) -> list[Tensor]:
    fns = _forward_order(output)
    seen: dict[int, Tensor] = {}
    for fn in fns:
        for x in fn.inputs:
            seen.setdefault(id(x), x)
        for r in fn.outputs:
            o = r()
            if o is not None:
                seen.setdefault(id(o), o)
    seen.setdefault(id(output), output)
    # _names numbers the unnamed tensors from the end of this list backwards (leaves first)
    return list(reversed(list(seen.values())))
