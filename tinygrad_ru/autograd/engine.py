"""Reverse-mode differentiation: walk the graph from the output back to the leaves.

The walk is iterative (no recursion limit) and visits Functions in decreasing *generation*
(a heap), so a node used by several others gets the sum of all its incoming gradients before
its own backward runs — the multivariate chain rule ∂L/∂x = Σᵢ ∂L/∂yᵢ · ∂yᵢ/∂x.
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..tensor import Tensor, _inplace_clock
from .function import SMALL_VALUES, Function
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


def topological_order(roots: Tensor | Function | Iterable[Tensor | Function]) -> Iterator[Function]:
    """The Functions under ``roots`` in the order backward runs them (the engine's schedule).

    A heap on −generation: a Function comes after every Function that uses its outputs, so when
    it runs, the gradient of each of its outputs is complete (the multivariate chain rule
    ∂L/∂x = Σᵢ ∂L/∂yᵢ · ∂yᵢ/∂x).  Ties (equal generation) go in the order they were reached.
    Only edges along which a gradient flows are followed (inputs with ``needs_input_grad``).
    ``roots``: output tensors (or Functions).  A generator: the engine runs each Function before
    asking for the next one; ``viz`` numbers the steps with it.
    """
    if isinstance(roots, (Tensor, Function)):
        roots = [roots]
    heap: list = []
    seen: set[int] = set()
    counter = 0
    for r in roots:
        fn = r.grad_fn if isinstance(r, Tensor) else r
        if fn is not None and id(fn) not in seen:
            seen.add(id(fn))
            counter += 1
            heapq.heappush(heap, (-fn.generation, counter, fn))
    while heap:
        fn = heapq.heappop(heap)[2]
        # the children are read before fn is handed out: running fn may release its inputs
        for x, need in zip(fn.inputs, fn.needs_input_grad):
            child = x.grad_fn
            if need and child is not None and id(child) not in seen:
                seen.add(id(child))
                counter += 1
                heapq.heappush(heap, (-child.generation, counter, child))
        yield fn


def _run_tensor_hooks(t: Tensor, g: Tensor) -> Tensor:
    """``register_hook`` hooks of ``t`` in order; a returned value replaces the gradient."""
    for hook in list(t._hooks.values()):
        out = hook(g)
        if out is None:
            continue
        if not isinstance(out, Tensor):
            out = Tensor._wrap(t.xp.asarray(out, dtype=t.dtype), False)
        if out.shape != t.shape:
            raise RuntimeError(
                f"hook of a tensor of shape {t.shape} returned a gradient of shape {out.shape}"
            )
        g = out
    return g


def _run_grad_hooks(fn: Function, hooks: dict, grads: tuple, extra: tuple, what: str, of: str) -> tuple:
    """``hook(grads, *extra)`` for each hook of ``fn`` in order; a returned value (as many gradients)
    replaces ``grads``."""
    for hook in list(hooks.values()):
        out = hook(grads, *extra)
        if out is not None:
            out = tuple(out) if isinstance(out, (tuple, list)) else (out,)
            if len(out) != len(grads):
                raise RuntimeError(
                    f"{what} of {fn.name}Backward returned {len(out)} gradients for {len(grads)} {of}"
                )
            grads = out
    return grads


def _run_node_hooks(fn: Function, grads: tuple, grad_outputs: list) -> tuple:
    """``register_hook`` hooks of a node: ``hook(grad_inputs, grad_outputs)``."""
    return _run_grad_hooks(fn, fn._hooks, grads, (tuple(grad_outputs),), "hook", "inputs")


def _run_node_prehooks(fn: Function, grad_outputs: list) -> tuple:
    """``register_prehook`` hooks of a node: ``hook(grad_outputs)``, before its backward."""
    return _run_grad_hooks(fn, fn._prehooks, tuple(grad_outputs), (), "pre-hook", "outputs")


def _release(fn: Function, grad_outputs: list, grads: tuple, retain_graph: bool, pictures: bool,
             freed: dict[int, tuple]) -> None:
    """After ``fn``'s backward: free what it saved unless the graph is retained, and keep for pictures
    after backward (``pictures``) the gradients it saw (only the small ones while the graph lives on)."""
    if not retain_graph:
        if pictures:
            fn._grads_seen = (grad_outputs, grads)
        fn.release(freed)
    elif pictures:
        fn._grads_seen = (_small(grad_outputs), _small(grads))


def run_backward(
    roots: Sequence[Tensor],
    seeds: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: dict[int, Tensor] | None = None,
) -> None:
    """Propagate ``seeds`` (∂L/∂root) back through the graph, in :func:`topological_order`.

    Gradients reaching a leaf that requires grad are accumulated into ``leaf.grad`` (``+=``,
    as PyTorch), unless ``capture`` is given: then they are collected there by ``id(tensor)``
    for exactly the tensors whose ids are its keys (``autograd.grad``), and nothing is
    accumulated.  A non-leaf's gradient is complete when its creator comes up: then its hooks
    run, ``retain_grad`` stores it, and the creator's backward receives it.
    """
    # id(tensor) -> [tensor, its gradient so far]; holding the tensor keeps it alive until its
    # creator runs, even after the Functions that used it were released.
    pending: dict[int, list] = {}
    held: list[Tensor] = []  # leaves whose gradient waits for the end (hooks, autograd.grad)
    freed: dict[int, tuple] = {}  # stand-ins of big tensors in the released graph (Function.release)

    def deliver(t: Tensor, g: Tensor) -> None:
        if t.grad_fn is None:
            if capture is not None:
                if id(t) not in capture:
                    return
            elif not t.requires_grad:
                return
            elif t._hooks is None:
                _accumulate_leaf(t, g, create_graph)
                return
            if id(t) not in pending:
                held.append(t)
        entry = pending.get(id(t))
        if entry is None:
            pending[id(t)] = [t, g]
        else:
            entry[1] = entry[1] + g

    def finish(t: Tensor, g: Tensor) -> Tensor:
        """The complete gradient of ``t``: through its hooks, into retain_grad/autograd.grad."""
        if t._hooks:
            g = _run_tensor_hooks(t, g)
        if capture is not None:
            if id(t) in capture:
                capture[id(t)] = g
        elif t.grad_fn is None:
            if t._hooks and not g.requires_grad:  # a hook has seen (and may keep) g: the leaf must not own it
                g = Tensor._wrap(g._data.copy(), False)
            _accumulate_leaf(t, g, create_graph)
        elif t._retains_grad:  # a copy: g itself goes on to t's creator
            _accumulate_leaf(t, g if g.requires_grad else Tensor._wrap(g._data.copy(), False), create_graph)
        return g

    pictures = capture is None and not create_graph  # viz draws a plain backward's gradients afterwards
    previous = grad_mode.enabled
    grad_mode.enabled = create_graph
    try:
        for root, seed in zip(roots, seeds):
            deliver(root, seed)
        for fn in topological_order(roots):
            if fn.released:
                raise RuntimeError(_FREED_MESSAGE)
            grad_outputs = []
            got = False
            for ref in fn.outputs:
                out = ref()
                entry = pending.pop(id(out), None) if out is not None else None
                if entry is not None:
                    g = entry[1]
                    if out._hooks is not None or out._retains_grad or capture is not None:
                        g = finish(out, g)
                    grad_outputs.append(g)
                    got = True
                elif out is not None and fn.materialize_grads:  # an unused output of a multi-output op
                    grad_outputs.append(Tensor._wrap(out.xp.zeros_like(out.data), False))
                else:
                    grad_outputs.append(None)
            if not got:  # no gradient reached this node (a backward returned None above it)
                continue
            if fn._prehooks:
                grad_outputs = list(_run_node_prehooks(fn, grad_outputs))
            if fn._clock != _inplace_clock[0]:  # something was modified in place since fn was recorded
                fn.check_versions()
            inputs, needs = fn.inputs, fn.needs_input_grad
            grads = fn.backward(*grad_outputs)
            if not isinstance(grads, tuple):
                grads = (grads,)
            if len(grads) != len(inputs):
                raise RuntimeError(
                    f"{fn.name}.backward returned {len(grads)} gradients for {len(inputs)} inputs"
                )
            if fn._hooks:
                grads = _run_node_hooks(fn, grads, grad_outputs)
            _release(fn, grad_outputs, grads, retain_graph, pictures, freed)
            if len(grads) > 1:
                grads = _unshared(grads)
            for i, (x, gx, need) in enumerate(zip(inputs, grads, needs)):
                if need and gx is not None:
                    deliver(x, _check_grad(fn, i, x, gx))
        for t in held:
            entry = pending.pop(id(t))
            finish(t, entry[1])
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


def _small(grads: Sequence[Any]) -> tuple:
    """The gradients with at most SMALL_VALUES elements (None for the others): kept for pictures."""
    return tuple([g if isinstance(g, Tensor) and g._data.size <= SMALL_VALUES else None for g in grads])


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
        if root._data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; got an output of shape "
                f"{root.shape}: pass gradient= of that shape"
            )
        return Tensor._wrap(root.xp.ones_like(root.data), False)
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
