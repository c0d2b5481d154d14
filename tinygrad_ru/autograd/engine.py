"""Reverse-mode differentiation: walk the graph from the output back to the leaves.

The walk is iterative (no recursion limit) and visits Functions in decreasing *generation*
(a heap), so a node used by several others gets the sum of all its incoming gradients before
its own backward runs — the multivariate chain rule ∂L/∂x = Σᵢ ∂L/∂yᵢ · ∂yᵢ/∂x.
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from ..tensor import Tensor
from .grad_mode import grad_mode

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Specify retain_graph=True if you need to backward through the "
    "graph a second time."
)


def _check_grad(fn, i: int, x: Tensor, gx: Any) -> Tensor:
    if not isinstance(gx, Tensor):
        gx = Tensor._wrap(gx, False)
    if gx._data.shape != x._data.shape:
        raise RuntimeError(
            f"{fn.name}.backward returned a gradient of shape {gx.shape} for input {i} "
            f"of shape {x.shape}"
        )
    if gx._data.dtype != x._data.dtype:  # as PyTorch: a gradient takes its input's dtype
        gx = gx.to(dtype=x._data.dtype)
    return gx


def run_backward(
    roots: Sequence[Tensor],
    seeds: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: dict[int, Tensor] | None = None,
) -> None:
    """Propagate ``seeds`` (∂L/∂root) back through the graph.

    Gradients reaching a leaf that requires grad are accumulated into ``leaf.grad`` (``+=``,
    as PyTorch), unless ``capture`` is given: then they are collected there by ``id(tensor)``
    for exactly the tensors whose ids are its keys (``autograd.grad``), and nothing is
    accumulated.
    """
    # id(non-leaf tensor) -> (tensor, its gradient so far); holding the tensor keeps it alive
    # until its creator runs, even after the Functions that used it were released.
    pending: dict[int, tuple[Tensor, Tensor]] = {}
    heap: list = []
    seen: set[int] = set()
    counter = 0

    def deliver(t: Tensor, g: Tensor) -> None:
        nonlocal counter
        if capture is not None and id(t) in capture:
            old = capture[id(t)]
            capture[id(t)] = g if old is None else old + g
        fn = t.grad_fn
        if fn is None:
            if capture is None and t.requires_grad:
                _accumulate_leaf(t, g, create_graph)
            return
        if capture is None and t._retains_grad:  # a copy: g itself is still on its way to t's creator
            _accumulate_leaf(t, g if g.requires_grad else Tensor._wrap(g._data.copy(), False), create_graph)
        key = id(t)
        old = pending.get(key)
        pending[key] = (t, g if old is None else old[1] + g)
        if id(fn) not in seen:
            if fn.released:
                raise RuntimeError(_FREED_MESSAGE)
            seen.add(id(fn))
            counter += 1
            heapq.heappush(heap, (-fn.generation, counter, fn))

    previous = grad_mode.enabled
    grad_mode.enabled = create_graph
    try:
        for root, seed in zip(roots, seeds):
            deliver(root, seed)
        while heap:
            _, _, fn = heapq.heappop(heap)
            grad_outputs = []
            for ref in fn.outputs:
                out = ref()
                entry = pending.pop(id(out), None) if out is not None else None
                g = entry[1] if entry is not None else None
                if g is None and out is not None:
                    g = Tensor._wrap(out.data * 0, False)  # an unused output of a multi-output op
                grad_outputs.append(g)
            inputs, needs = fn.inputs, fn.needs_input_grad
            grads = fn.backward(*grad_outputs)
            if not isinstance(grads, tuple):
                grads = (grads,)
            if len(grads) != len(inputs):
                raise RuntimeError(
                    f"{fn.name}.backward returned {len(grads)} gradients for {len(inputs)} inputs"
                )
            if not retain_graph:
                fn.release()
            if len(grads) > 1:
                grads = _unshared(grads)
            for i, (x, gx, need) in enumerate(zip(inputs, grads, needs)):
                if need and gx is not None:
                    deliver(x, _check_grad(fn, i, x, gx))
    finally:
        grad_mode.enabled = previous


def _unshared(grads: tuple) -> tuple:
    """One gradient Tensor per input: a backward may return the same one for two inputs (Add gives
    (g, g)), and a leaf that keeps its array as ``.grad`` would later add into the other's gradient."""
    if len(grads) == 2:
        a, b = grads
        if a is b and a is not None and not a.requires_grad:
            return a, Tensor._wrap(a._data.copy(), False)
        return grads
    out, seen = [], set()
    for g in grads:
        if g is not None and id(g) in seen and not g.requires_grad:
            g = Tensor._wrap(g._data.copy(), False)
        seen.add(id(g))
        out.append(g)
    return tuple(out)


def _owned(array: Any) -> bool:
    """True when nothing but the gradient Tensor refers to ``array`` and it owns its memory, so a leaf
    may keep it as its ``.grad`` without a copy (PyTorch "steals" such gradients too).  References:
    the Tensor's slot, this call's argument, getrefcount's own argument."""
    return getattr(array, "base", True) is None and sys.getrefcount(array) <= 3


def _accumulate_leaf(t: Tensor, g: Tensor, create_graph: bool) -> None:
    if create_graph:
        t.grad = g if t.grad is None else t.grad + g
    elif t.grad is None:
        # a copy unless the array is fresh: the same array may be handed to several leaves (a + b),
        # be the user's seed, or be kept by a Function for a retained graph
        t.grad = Tensor._wrap(g._data if _owned(g._data) else g._data.copy(), False)
    else:
        if t.grad.requires_grad:  # a grad kept from create_graph=True: stay out of place
            t.grad = Tensor._wrap(t.grad.data + g.data, False)
        else:
            t.grad._data += g._data


def _seed(root: Tensor, gradient: Any) -> Tensor:
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; got an output of shape "
                f"{root.shape}: pass gradient= of that shape"
            )
        return Tensor._wrap(root.data * 0 + 1, False)
    g = gradient if isinstance(gradient, Tensor) else Tensor(gradient, dtype=root.dtype)
    if g.shape != root.shape:
        raise RuntimeError(f"backward: gradient of shape {g.shape} does not match output of shape {root.shape}")
    # the user keeps their tensor: a leaf must never take (and later += into) its array
    return g if g.requires_grad else Tensor._wrap(g.data.copy(), False)


def backward(
    tensor: Tensor, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False
) -> None:
    """Compute ∂tensor/∂leaf for every leaf that requires grad and accumulate it into ``leaf.grad``."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn: "
            "backward needs a tensor computed from tensors with requires_grad=True"
        )
    if retain_graph is None:
        retain_graph = create_graph
    run_backward([tensor], [_seed(tensor, gradient)], retain_graph, create_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Iterable[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """∂outputs/∂inputs, returned instead of accumulated (``torch.autograd.grad``).

    With ``create_graph=True`` the result is itself differentiable: Hessian-vector products
    are ``grad(grad(f, x, create_graph=True)[0] @ v, x)``.
    """
    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outs)
    elif isinstance(grad_outputs, Tensor) or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    for o in outs:
        if not o.requires_grad:
            raise RuntimeError("grad: an output does not require grad and does not have a grad_fn")
    if retain_graph is None:
        retain_graph = create_graph
    capture: dict[int, Any] = {id(x): None for x in ins}
    run_backward(outs, [_seed(o, g) for o, g in zip(outs, grad_outputs)], retain_graph, create_graph, capture)
    result = tuple(capture[id(x)] for x in ins)
    for x, g in zip(ins, result):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: one of the inputs (shape {x.shape}) was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
    return result
