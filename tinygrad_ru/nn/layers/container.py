"""Containers: ``Sequential`` (a chain f_n ∘ … ∘ f_1), ``ModuleList``, ``ModuleDict``, and the parameter
containers ``ParameterList`` and ``ParameterDict``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter


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


# ----------------------------------------------------------------------------- parameter containers
_TENSOR_TYPES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
                 "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _as_parameter(value: Any) -> Any:
    """A Tensor stored in a parameter container becomes a Parameter (as torch); other values stay as they are."""
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


def _describe(p: Any, dtype_text: str) -> str:
    """torch's one-line summary: "Parameter containing: [torch.float32 of size 2x3]"."""
    if not isinstance(p, Tensor):
        return repr(p)
    device = f" ({p.device})" if str(p.device).startswith("cuda") else ""
    kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
    return f"{kind} containing: [{dtype_text} of size {'x'.join(str(n) for n in p.shape)}{device}]"


class _ParameterStore(Module):
    """What ParameterList and ParameterDict share: values kept under string names, Tensors as Parameters."""

    def _put(self, name: str, value: Any) -> None:
        value = _as_parameter(value)
        self._plain.pop(name, None)  # a name lives in one of the two stores
        if isinstance(value, Parameter) and name in self._parameters:
            self._parameters[name] = value  # replaced where it stands: the order of the names is kept
        elif isinstance(value, Parameter):
            self.register_parameter(name, value)
        else:
            self._remove_everywhere(name)
            self._plain[name] = value

    def _get(self, name: str) -> Any:
        return self._parameters[name] if name in self._parameters else self._plain[name]

    def _drop(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._plain.pop(name, None)

    def __init__(self) -> None:
        super().__init__()
        object.__setattr__(self, "_plain", {})  # non-tensor values, which torch keeps as plain attributes

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{type(self).__name__} should not be called (it only holds parameters)")


class ParameterList(_ParameterStore):
    """A list of parameters registered with the module: their names are "0", "1", … in ``parameters()``
    and ``state_dict()``, as in torch.  A plain Tensor appended becomes a Parameter."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        object.__setattr__(self, "_size", 0)
        if values is not None:
            self.extend(values)

    def _index(self, idx: int) -> str:
        if not -self._size <= idx < self._size:
            raise IndexError(f"ParameterList: index {idx} is out of range for {self._size} values")
        return str(idx % self._size)

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return (self._get(str(i)) for i in range(self._size))

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return ParameterList(list(self)[idx])
        return self._get(self._index(int(idx)))

    def __setitem__(self, idx: int, value: Any) -> None:
        self._put(self._index(int(idx)), value)

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        object.__setattr__(self, "_size", self._size + 1)
        self._put(str(self._size - 1), value)
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError(f"ParameterList.extend should be called with an iterable, got {type(values).__name__}")
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({i}): {_describe(p, f'torch.{p.dtype}' if isinstance(p, Tensor) else '')}"
                         for i, p in enumerate(self))


class _MissingKey(KeyError, AttributeError):
    """A key a ParameterDict lacks: torch raises AttributeError there; a dict's KeyError is caught too."""


class ParameterDict(_ParameterStore):
    """A dict of parameters registered with the module under their keys (``state_dict`` keys "prefix.key").

    As in torch, a plain ``dict`` given to the constructor or ``update`` is added in sorted key order
    (an ``OrderedDict``, a ParameterDict or a list of pairs keeps its order)."""

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        object.__setattr__(self, "_keys", {})  # insertion order of every key, parameter or not
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:
            raise _MissingKey(f"ParameterDict has no key {key!r}; keys: {list(self._keys)}")
        return self._get(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._keys[key] = None
        self._put(key, value)

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        self._drop(key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys))

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._keys))

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self) -> Iterable[str]:
        return list(self._keys)

    def values(self) -> Iterable[Any]:
        return [self._get(k) for k in self._keys]

    def items(self) -> Iterable[tuple[str, Any]]:
        return [(k, self._get(k)) for k in self._keys]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key: str) -> Any:
        v = self[key]
        del self[key]
        return v

    def popitem(self) -> tuple[str, Any]:
        k = list(self._keys)[-1]
        return k, self.pop(k)

    def clear(self) -> None:
        for k in list(self._keys):
            del self[k]

    def copy(self) -> ParameterDict:
        return ParameterDict(OrderedDict(self.items()))

    def update(self, parameters: Any) -> None:
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = list(parameters.items())
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items())
        elif isinstance(parameters, Iterable):
            pairs = []
            for j, p in enumerate(parameters):
                if not isinstance(p, Iterable):
                    raise TypeError(f"ParameterDict.update: element #{j} should be a (key, value) pair, got {p!r}")
                p = tuple(p)
                if len(p) != 2:
                    raise ValueError(f"ParameterDict.update: element #{j} has length {len(p)}; 2 is required")
                pairs.append(p)
        else:
            raise TypeError(f"ParameterDict.update should be called with an iterable of key/value pairs or a "
                            f"mapping, got {type(parameters).__name__}")
        for k, v in pairs:
            self[k] = v

    def extra_repr(self) -> str:
        def text(p: Any) -> str:
            name = _TENSOR_TYPES.get(str(p.dtype), str(p.dtype))
            return _describe(p, f"torch.{'cuda.' if str(p.device).startswith('cuda') else ''}{name}")
        return "\n".join(f"  ({k}): {text(v) if isinstance(v, Tensor) else repr(v)}" for k, v in self.items())


__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
