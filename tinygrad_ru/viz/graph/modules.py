"""Which module made which part of the graph: ``with trace_modules(model) as trace: loss = …``."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ...tensor import Tensor


@dataclass(eq=False)
class _Call:
    """One call of a module's forward: what went in, what came out, who called it."""

    module: Any
    name: str  # qualified name as in named_modules(), "" for the model itself
    depth: int  # 0 for the model, 1 for its children …
    parent: _Call | None
    index: int  # call order (start of forward)
    repeat: int  # 1 for the first call of this module, 2 for the second …
    inputs: list[Tensor] = field(default_factory=list)
    outputs: list[Tensor] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return next(iter(self.module.children()), None) is None

    @property
    def title(self) -> str:
        name = self.name or "model"
        return name if self.repeat == 1 else f"{name} (call {self.repeat})"

    def chain(self) -> list[_Call]:
        out, c = [], self
        while c is not None:
            out.append(c)
            c = c.parent
        return out[::-1]


def _tensors_in(obj: Any) -> list[Tensor]:
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [t for o in obj for t in _tensors_in(o)]
    if isinstance(obj, dict):
        return [t for o in obj.values() for t in _tensors_in(o)]
    return []


class ModuleTrace:
    """The module calls of one forward pass, recorded by :func:`trace_modules`.

    ``calls`` lists them in the order their forward *finished* (children before parents), so the
    first call that contains an op is the innermost module that created it.
    """

    def __init__(self, model: Any) -> None:
        if not hasattr(model, "named_modules"):
            raise TypeError(f"trace_modules: expected an nn.Module, got {type(model).__name__}")
        self.model = model
        self.names = {id(m): n for n, m in model.named_modules()}
        self.calls: list[_Call] = []
        self._stack: list[_Call] = []
        self._count = 0
        self._repeats: dict[int, int] = {}

    def _pre(self, module: Any, args: tuple) -> None:
        parent = self._stack[-1] if self._stack else None
        self._repeats[id(module)] = self._repeats.get(id(module), 0) + 1
        call = _Call(module, self.names[id(module)], len(self._stack), parent, self._count,
                     self._repeats[id(module)], _tensors_in(args))
        self._count += 1
        self._stack.append(call)

    def _post(self, module: Any, args: tuple, out: Any) -> None:
        while self._stack:  # a forward that raised leaves its call on the stack
            call = self._stack.pop()
            if call.module is module:
                call.outputs = _tensors_in(out)
                self.calls.append(call)
                return

    def named_parameters(self) -> dict[str, Tensor]:
        return dict(self.model.named_parameters())


_LAST_TRACE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model → its last ModuleTrace


class trace_modules:  # noqa: N801 - used like a function: `with trace_modules(model) as trace:`
    """Record which module creates which part of the graph: ``with trace_modules(model) as trace: loss = …``.

    Installs a forward pre-hook and a forward hook on every submodule for the duration of the
    ``with`` block.  Afterwards ``draw_graph(loss, model=trace)`` (or ``model=model``: the last
    trace of a model is remembered) draws one box per module.
    """

    def __init__(self, model: Any) -> None:
        self.trace = ModuleTrace(model)
        self._handles: list[Any] = []

    def __enter__(self) -> ModuleTrace:
        for _, m in self.trace.model.named_modules():
            self._handles.append(m.register_forward_pre_hook(self.trace._pre))
            self._handles.append(m.register_forward_hook(self.trace._post))
        return self.trace

    def __exit__(self, *exc: Any) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()
        _LAST_TRACE[self.trace.model] = self.trace


def _trace_of(model: Any) -> ModuleTrace:
    if isinstance(model, ModuleTrace):
        return model
    try:
        trace = _LAST_TRACE.get(model)
    except TypeError:  # not an object a weak reference can point to: certainly never traced
        trace = None
    if trace is None:
        raise RuntimeError(
            f"draw_graph(model=...): no recorded forward of this {type(model).__name__}; run it inside "
            "`with trace_modules(model) as trace:` and pass model=trace, or use draw_model(model, x, loss_fn, target)"
        )
    return trace


def _fn_inputs(fn: Any) -> tuple:
    return () if fn.released else tuple(getattr(fn, "inputs", ()))


def _owners(fns: Iterable[Any], trace: ModuleTrace) -> dict[int, _Call]:
    """id(fn) → the innermost module call whose forward created that Function (for the Functions ``fns``)."""
    in_graph = {id(fn) for fn in fns}
    owner: dict[int, _Call] = {}
    for call in trace.calls:  # children finish first, so they claim their ops before the parent
        stop = {id(t) for t in call.inputs}
        stack = [t.grad_fn for t in call.outputs if t.grad_fn is not None and id(t) not in stop]
        seen: set[int] = set()
        while stack:
            fn = stack.pop()
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            if id(fn) in in_graph and id(fn) not in owner:
                owner[id(fn)] = call
            stack.extend(x.grad_fn for x in _fn_inputs(fn) if id(x) not in stop and x.grad_fn is not None)
    return owner
