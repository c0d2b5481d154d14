"""Containers: ``Sequential`` (a chain f_n ∘ … ∘ f_1), ``ModuleList`` and ``ModuleDict``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..module import Module


def _check_module(module: Any, where: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{where}: {type(module).__name__} is not a Module")
    return module


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: ordered sub-modules, ``len``, iteration, renumbering."""

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def _renumber(self, items: list[Module]) -> None:
        """Store ``items`` under the names "0", "1", … (PyTorch renumbers after a delete or insert)."""
        self._modules.clear()
        for i, m in enumerate(items):
            self._modules[str(i)] = m


class Sequential(_ModuleSequence):
    """y = f_n(…f_2(f_1(x))): the modules run in the order they were given.

    ``Sequential(Linear(784, 128), ReLU(), Linear(128, 10))`` names them "0", "1", "2" (so the
    state_dict keys are "0.weight", … as in PyTorch); ``Sequential(OrderedDict(fc1=...))`` uses
    the given names.  ``seq[i]``, ``seq[1:]`` (a new Sequential), ``len(seq)``, ``seq.append(m)``.
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, _check_module(m, "Sequential"))
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), _check_module(m, "Sequential"))

    def _index(self, idx: int) -> str:
        n = len(self._modules)
        if not -n <= idx < n:
            raise IndexError(f"Sequential: index {idx} is out of range for {n} modules")
        return list(self._modules)[idx % n]

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._index(int(idx))]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._index(int(idx)), _check_module(module, "Sequential"))

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)[idx] if isinstance(idx, slice) else [self._index(int(idx))]
        for k in keys:
            del self._modules[k]
        if all(k.isdigit() for k in self._modules):  # user-given names stay as they are
            self._renumber(list(self._modules.values()))

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), _check_module(module, "Sequential.append"))
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        items = list(self._modules.values())
        n = len(items)
        if not -n <= index <= n:
            raise IndexError(f"Sequential.insert: index {index} is out of range for {n} modules")
        items.insert(index if index >= 0 else index + n, _check_module(module, "Sequential.insert"))
        self._renumber(items)
        return self

    def forward(self, x: Any) -> Any:
        for module in self._modules.values():
            x = module(x)
        return x


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (a plain Python list would hide them).

    Indexable, iterable, ``append``/``extend``/``insert``; it has no ``forward``.
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _key(self, idx: int) -> str:
        n = len(self._modules)
        if not -n <= idx < n:
            raise IndexError(f"ModuleList: index {idx} is out of range for {n} modules")
        return str(idx % n)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])
        return self._modules[self._key(int(idx))]

    def __setitem__(self, idx: int, module: Module) -> None:
        self._modules[self._key(int(idx))] = _check_module(module, "ModuleList")

    def __delitem__(self, idx: int | slice) -> None:
        items = list(self._modules.values())
        del items[idx]
        self._renumber(items)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), _check_module(module, "ModuleList.append"))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        if not isinstance(modules, Iterable):
            raise TypeError(f"ModuleList.extend should be called with an iterable, got {type(modules).__name__}")
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items.insert(index, _check_module(module, "ModuleList.insert"))
        self._renumber(items)


class ModuleDict(Module):
    """A dict of modules whose parameters are registered; keys keep their insertion order."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        try:
            return self._modules[key]
        except KeyError:
            raise KeyError(f"ModuleDict has no key {key!r}; keys: {list(self._modules)}") from None

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check_module(module, "ModuleDict"))

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def pop(self, key: str) -> Module:
        m = self[key]
        del self._modules[key]
        return m

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, m in pairs:
            self[key] = m


__all__ = ["Sequential", "ModuleList", "ModuleDict"]
