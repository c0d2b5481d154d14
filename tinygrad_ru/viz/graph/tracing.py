"""Collecting the graph under a tensor: its tensors, ops, names, gradients and local derivatives.

Drawn before ``backward()`` the gradients are computed on the side (``autograd.grad(...,
retain_graph=True)``, ``.grad`` untouched); drawn after one, nothing runs: a leaf shows the ``.grad``
it holds, an intermediate tensor the gradient that backward passed through it, an edge the local
derivative backward used (recorded for small tensors, see :meth:`~tinygrad_ru.autograd.Function.release`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...autograd.engine import grad as _grad
from ...autograd.engine import topological_order
from ...autograd.function import FreedTensor
from ...autograd.grad_mode import no_grad
from ...tensor import Tensor
from .._format import _fmt, _scalar


@dataclass
class _Op:
    fn: Any
    key: str
    inputs: list[Tensor]
    outputs: list[Tensor]
    order: int | None = None  # the step at which backward visits it (1 = first)
    local: list[Any] = field(default_factory=list)  # ∂y/∂x_i as a float, or None


@dataclass
class _Graph:
    output: Tensor
    tensors: list[Tensor]  # in backward order: the output first, leaves last
    names: dict[int, str]
    ops: list[_Op]
    producer: dict[int, _Op]
    consumers: dict[int, list[tuple[_Op, int]]]
    grads: dict[int, Tensor | None]
    scalar: bool


def _collect(output: Tensor, names: Mapping[str, Any] | None) -> _Graph:
    """Everything a picture of the graph under ``output`` needs (tensors in the order backward finishes them)."""
    if not isinstance(output, Tensor):
        raise TypeError(f"draw_graph: expected a Tensor, got {type(output).__name__}")
    fn0 = output.grad_fn
    # after a backward the picture shows what that backward computed, and runs none of its own
    after = fn0 is not None and (fn0.released or fn0._grads_seen is not None)
    seen, ops = _walk(output)
    # Tensors in decreasing generation, ties in discovery order: the order backward finishes them.
    rank = {k: i for i, k in enumerate(seen)}
    ordered = sorted(seen.values(), key=lambda t: (-t._generation, rank[id(t)]))
    producer = {id(o): op for op in ops.values() for o in op.outputs}
    consumers = _consumers(ops.values(), rank)
    label_of = _names(ordered, names)
    _backward_order(output, ops)
    grads = _held_gradients(ordered, producer) if after else _gradients(output, ordered)
    scalar = all(t.numel() == 1 for t in ordered)
    if scalar:
        for op in ops.values():
            op.local = _seen_local_derivatives(op) if after else _local_derivatives(op.fn, op.outputs)
    return _Graph(output, ordered, label_of, list(ops.values()), producer, consumers, grads, scalar)


def _walk(output: Tensor) -> tuple[dict[int, Tensor], dict[int, _Op]]:
    """The tensors (in discovery order) and the ops under ``output``; iterative: graphs can be deep."""
    tensors: dict[int, Tensor] = {id(output): output}
    ops: dict[int, _Op] = {}
    stack = [output]
    while stack:
        fn = stack.pop().grad_fn
        if fn is None or id(fn) in ops:
            continue
        outs = [_live(r()) for r in fn.outputs]
        op = _Op(fn, f"op{len(ops)}", [_live(x) for x in fn.inputs], [o for o in outs if o is not None])
        ops[id(fn)] = op
        for x in op.inputs:
            tensors.setdefault(id(x), x)
        stack.extend(reversed(op.inputs))
        for o in op.outputs:
            tensors.setdefault(id(o), o)
    return tensors, ops


def _consumers(ops: Any, rank: dict[int, int]) -> dict[int, list[tuple[_Op, int]]]:
    """id(x) → the (op, input slot) pairs that use x, in the order backward finishes their outputs."""
    consumers: dict[int, list[tuple[_Op, int]]] = {}
    for op in ops:
        for i, x in enumerate(op.inputs):
            consumers.setdefault(id(x), []).append((op, i))
    for lst in consumers.values():
        lst.sort(key=lambda item: rank[id(item[0].outputs[0])] if item[0].outputs else 0)
    return consumers


def _live(t: Tensor | None) -> Tensor | None:
    """The real tensor behind a stand-in of a released graph while it is alive (else the stand-in)."""
    if isinstance(t, FreedTensor):
        origin = t.origin()
        return origin if origin is not None else t
    return t


def _held_gradients(tensors: list[Tensor], producer: dict[int, _Op]) -> dict[int, Tensor | None]:
    """After backward: a leaf's ``.grad``, a retained ``.grad``, else what backward passed (small tensors)."""
    grads: dict[int, Tensor | None] = {}
    for t in tensors:
        g = t.grad if t.grad_fn is None or t.retains_grad else None
        op = producer.get(id(t))
        if g is None and op is not None and op.fn._grads_seen is not None:
            slot = op.outputs.index(t)
            seen_out = op.fn._grads_seen[0]
            g = seen_out[slot] if slot < len(seen_out) else None
        grads[id(t)] = g
    return grads


def _seen_local_derivatives(op: _Op) -> list[Any]:
    """∂y/∂xᵢ of one scalar op as backward used it: (∂L/∂xᵢ through this op) / (∂L/∂y)."""
    seen = op.fn._grads_seen
    if seen is None or len(seen[0]) != 1 or seen[0][0] is None:
        return [None] * len(op.inputs)
    gy = _scalar(seen[0][0])
    if gy == 0:
        return [None] * len(op.inputs)
    return [None if gi is None else _scalar(gi) / gy for gi in seen[1]]


def _names(tensors: list[Tensor], names: Mapping[str, Any] | None) -> dict[int, str]:
    """``t.name``, else a name from ``names`` (e.g. ``locals()``), else a constant's value or t1, t2 …"""
    given: dict[int, str] = {}
    for n, v in (names or {}).items():
        if isinstance(v, Tensor) and not n.startswith("_") and id(v) not in given:
            given[id(v)] = n
    out: dict[int, str] = {}
    counter = 0
    for t in reversed(tensors):  # leaves first: t1, t2 … in forward order
        if t.name:
            out[id(t)] = t.name
        elif id(t) in given:
            out[id(t)] = given[id(t)]
        elif t.grad_fn is None and not t.requires_grad and t.numel() == 1:
            out[id(t)] = _fmt(_scalar(t))
        else:
            counter += 1
            out[id(t)] = f"t{counter}"
    return out


def _backward_order(output: Tensor, ops: dict[int, _Op]) -> None:
    """Number the ops as backward visits them: the engine's own schedule, ``topological_order``."""
    for step, fn in enumerate(topological_order(output), start=1):
        ops[id(fn)].order = step


def _gradients(output: Tensor, tensors: list[Tensor]) -> dict[int, Tensor | None]:
    """∂output/∂t for every tensor of the graph (ones as the output's gradient if it is not a scalar)."""
    wrt = [t for t in tensors if t.requires_grad]
    grads: dict[int, Tensor | None] = {id(t): None for t in tensors}
    if not output.requires_grad or not wrt:
        return grads
    seed = Tensor._wrap(output.xp.ones_like(output.data), False)
    values = _grad(output, wrt, grad_outputs=seed, retain_graph=True, allow_unused=True)
    for t, g in zip(wrt, values):
        grads[id(t)] = g
    return grads


def _local_derivatives(fn: Any, outputs: list[Tensor]) -> list[float | None]:
    """∂y/∂xᵢ of one scalar op: its own backward with ∂L/∂y = 1, run outside the graph."""
    if len(outputs) != 1 or len(fn.outputs) != 1:
        return [None] * len(fn.inputs)
    y = outputs[0]
    with no_grad():
        g = fn.backward(Tensor._wrap(y.xp.ones_like(y.data), False))
    if not isinstance(g, tuple):
        g = (g,)
    return [None if gi is None else _scalar(gi) for gi in g]
