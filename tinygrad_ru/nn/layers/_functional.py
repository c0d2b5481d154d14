"""``F``: tinygrad_ru.nn.functional, imported on first use.

The layers call the functional ops, and ``nn.functional`` may import from ``nn``; resolving it
lazily keeps the import order free of cycles.
"""

from __future__ import annotations

import importlib
from typing import Any


class _LazyFunctional:
    __slots__ = ("_module",)

    def __init__(self) -> None:
        self._module = None

    def __getattr__(self, name: str) -> Any:
        module = self._module
        if module is None:
            module = importlib.import_module("tinygrad_ru.nn.functional")
            object.__setattr__(self, "_module", module)
        return getattr(module, name)


F = _LazyFunctional()
