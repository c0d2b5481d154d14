"""Handles of registered hooks (``torch.utils.hooks.RemovableHandle``).

Every ``register_*hook`` of the library (tensors, graph nodes, modules) stores its hooks in an
ordered dict ``{id: hook}`` and returns a :class:`RemovableHandle` of that dict: ``handle.remove()``
takes the hook out again; the handle also works as a context manager (removed on exit).
"""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count()


class RemovableHandle:
    """``handle.remove()`` unregisters the hook it was returned for (removing twice is harmless)."""

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks
        self.id = next(_ids)

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def add_hook(hooks: dict, fn: Any, what: str) -> RemovableHandle:
    """Register ``fn`` in ``hooks`` and return its handle (``what`` names the caller in errors)."""
    if not callable(fn):
        raise TypeError(f"{what}: the hook must be callable, got {type(fn).__name__}")
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


__all__ = ["RemovableHandle", "add_hook"]
