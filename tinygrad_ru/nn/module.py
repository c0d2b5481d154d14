"""``Module``: the base class of layers and models (PyTorch's ``nn.Module``).

A module owns three kinds of named things, found by assigning attributes in ``__init__``:

* parameters (``self.weight = Parameter(...)``) — what the optimizer changes;
* buffers (``self.register_buffer("running_mean", tensor)``) — state that is saved but not
  learned (BatchNorm's running statistics);
* sub-modules (``self.fc1 = Linear(784, 128)``) — so a model is a tree of modules.

Their dotted names (``fc1.weight``, ``bn.running_var``) are the keys of ``state_dict()`` and
the same as PyTorch's for the same architecture.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .. import backend
from ..autograd.hooks import RemovableHandle
from ..tensor import Tensor
from .hooks import BackwardHook, add_module_hook
from .parameter import Parameter

_IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


_RemovableHandle = RemovableHandle  # the handle of every hook of the library


def _parse_to_args(args: tuple, device: Any, dtype: Any) -> tuple[Any, Any]:
    """``module.to("cuda")``, ``.to(tg.float64)``, ``.to("cpu", tg.float32)`` → (device, dtype)."""
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, str) and a not in backend._DTYPE_NAMES:
            device = a
        else:
            dtype = a
    if dtype is not None:
        dtype = backend.as_dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Module.to: only floating dtypes are accepted, got {dtype}")
    if device is not None:
        backend.parse_device(device)  # a clear error for an unknown device
    return device, dtype


def _as_array_like(value: Any, target: Tensor, key: str):
    """The raw array of a state_dict entry (Tensor or array), on ``target``'s device and dtype."""
    data = value.data if isinstance(value, Tensor) else value
    xp = backend.get_array_module(data)
    if not hasattr(data, "shape"):
        data = xp.asarray(data)
    return backend.to_device(data.astype(target.dtype, copy=False), target.device)


class Module:
    """Base class of all layers and models.

    Subclasses set their parameters, buffers and sub-modules in ``__init__`` (after calling
    ``super().__init__()``) and compute the output in ``forward``; ``module(x)`` calls
    ``forward(x)`` (and any forward hooks).  ``training`` is True after ``train()``, False after
    ``eval()``; Dropout and BatchNorm behave differently in the two modes.
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks_with_kwargs", set())
        object.__setattr__(self, "_forward_pre_hooks_with_kwargs", set())
        object.__setattr__(self, "_forward_hooks_always_called", set())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())

    # ------------------------------------------------------------------ forward
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not (self._forward_hooks or self._forward_pre_hooks or self._backward_hooks or self._backward_pre_hooks):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        """PyTorch's order: forward pre-hooks, backward hooks on the inputs, forward, forward hooks,
        backward hooks on the outputs."""
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                            f"but got {result!r}."
                        )
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_hook = None
        if self._backward_hooks or self._backward_pre_hooks:
            backward_hook = BackwardHook(self, self._backward_hooks.values(), self._backward_pre_hooks.values())
            args = backward_hook.setup_input_hook(args)
        try:
            out = self.forward(*args, **kwargs)
        except Exception:
            self._run_always_called_hooks(args, kwargs)
            raise
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id in self._forward_hooks_with_kwargs:
                result = hook(self, args, kwargs, out)
            else:
                result = hook(self, args, out)
            if result is not None:
                out = result
        if backward_hook is not None:
            out = backward_hook.setup_output_hook(out)
        return out

    def _run_always_called_hooks(self, args: tuple, kwargs: dict) -> None:
        """``forward`` raised: call the hooks registered with ``always_call=True`` (output None); an
        error of theirs is only a warning, the forward's error is the one that propagates (as PyTorch)."""
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id not in self._forward_hooks_always_called:
                continue
            try:
                if hook_id in self._forward_hooks_with_kwargs:
                    hook(self, args, kwargs, None)
                else:
                    hook(self, args, None)
            except Exception as e:
                warnings.warn("forward hook with ``always_call=True`` raised an exception that was silenced "
                              f"as another error was raised in forward: {e}", stacklevel=3)

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)`` runs after every forward; a non-None return replaces the output.

        PyTorch's options: ``with_kwargs=True``: ``hook(module, args, kwargs, output)``;
        ``prepend=True``: runs before the hooks registered earlier; ``always_call=True``: runs (with
        output None) also when ``forward`` raises.
        """
        handle = add_module_hook(self._forward_hooks, hook, prepend, "register_forward_hook")
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)
        if always_call:
            self._forward_hooks_always_called.add(handle.id)
        return handle

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
                                  ) -> RemovableHandle:
        """``hook(module, args)`` runs before every forward; a non-None return replaces the args
        (a single value is wrapped in a tuple).  ``with_kwargs=True``: ``hook(module, args, kwargs)``
        returning None or ``(new_args, new_kwargs)``."""
        handle = add_module_hook(self._forward_pre_hooks, hook, prepend, "register_forward_pre_hook")
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs.add(handle.id)
        return handle

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        r"""``hook(module, grad_input, grad_output)`` runs once ∂L/∂inputs of this call is computed.

        ``grad_output[i]`` = ∂L/∂(output i), ``grad_input[j]`` = ∂L/∂(positional input j) (None for
        inputs that do not require grad; only positional Tensor arguments count, as in PyTorch).
        The hook may return a tuple of the same length to *replace* grad_input; it must not change
        its arguments in place.  If no input requires grad (the first layer), the hook runs when
        grad_output is known, with grad_input all None.  Implemented with identity Functions around
        the inputs and outputs (see :mod:`tinygrad_ru.nn.hooks`), so nothing is recomputed.

        One difference: PyTorch refuses an in-place change of such a module's output ("Output 0 of
        BackwardHookFunction is a view and is being modified inplace"); here the in-place operation
        becomes a node of its own (as every in-place op inside the graph), so it is allowed and the
        hook and the gradients stay right.
        """
        return add_module_hook(self._backward_hooks, hook, prepend, "register_full_backward_hook")

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output)`` runs when ∂L/∂outputs is known, before the module's own backward;
        it may return a tuple of the same length to replace grad_output."""
        return add_module_hook(self._backward_pre_hooks, hook, prepend, "register_full_backward_pre_hook")

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() call: call super().__init__() first"
            )
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            self._remove_everywhere(name)
            params[name] = value
        elif isinstance(value, Module):
            self._remove_everywhere(name)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter {name!r} (Parameter or None expected)"
                )
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as child module {name!r} (Module or None expected)"
                )
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r} (Tensor or None expected)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _remove_everywhere(self, name: str) -> None:
        self.__dict__.pop(name, None)
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._non_persistent_buffers.discard(name)
        self._modules.pop(name, None)

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: parameters, buffers and sub-modules live here
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters or name in self._buffers or name in self._modules:
            self._remove_everywhere(name)
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"parameter name must be a non-empty string without '.', got {name!r}")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign {type(param).__name__} as parameter {name!r} (Parameter or None expected)")
        self._remove_everywhere(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A named tensor that is part of the module's state but not learned (saved unless not persistent)."""
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"buffer name must be a non-empty string without '.', got {name!r}")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign {type(tensor).__name__} as buffer {name!r} (Tensor or None expected)")
        self._remove_everywhere(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        if not isinstance(name, str) or "." in name or name == "":
            raise KeyError(f"module name must be a non-empty string without '.', got {name!r}")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._remove_everywhere(name)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        mod = self
        for item in target.split(".") if target else []:
            if item not in mod._modules or mod._modules[item] is None:
                raise AttributeError(f"{type(mod).__name__} has no submodule {item!r} (looking up {target!r})")
            mod = mod._modules[item]
        return mod

    def get_parameter(self, target: str) -> Parameter:
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._parameters:
            raise AttributeError(f"{type(mod).__name__} has no parameter {name!r}")
        return mod._parameters[name]

    # ------------------------------------------------------------------ traversal
    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
                      ) -> Iterator[tuple[str, Module]]:
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(self, store: str, prefix: str, recurse: bool, remove_duplicate: bool = True):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for mod_prefix, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
                         ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter) pairs; a parameter shared by two layers is listed once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
                      ) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def num_parameters(self, trainable_only: bool = False) -> int:
        """The number of scalars in all parameters (each shared parameter counted once)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)

    # ------------------------------------------------------------------ modes and gradients
    def train(self, mode: bool = True) -> Module:
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget accumulated gradients: ``p.grad = None`` (default) or fill them with zeros."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.detach_()
                p.grad.data[...] = 0

    # ------------------------------------------------------------------ apply, devices, dtypes
    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first) and on self, e.g. for custom initialisation."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def _apply_to_tensors(self, convert: Callable[[Any, bool], Any]) -> Module:
        """Replace the raw array of every parameter, gradient and buffer in place (objects stay the same)."""
        for m in self.modules():
            for p in m._parameters.values():
                if p is None:
                    continue
                p.data = convert(p.data, True)
                if p.grad is not None:
                    p.grad.data = convert(p.grad.data, True)
            for b in m._buffers.values():
                if b is not None:
                    b.data = convert(b.data, False)
        return self

    def to(self, *args: Any, device: Any = None, dtype: Any = None) -> Module:
        """Move (``"cuda"``, ``"cpu"``) and/or cast (``tg.float64``) every parameter and buffer in place.

        Like ``torch.nn.Module.to``: the Parameter objects stay the same (an optimizer built
        before keeps working), only floating tensors change dtype, and the module is returned.
        """
        device, dtype = _parse_to_args(args, device, dtype)

        def convert(a, _is_param):
            if dtype is not None and a.dtype.kind == "f" and a.dtype != dtype:
                a = a.astype(dtype)
            if device is not None:
                a = backend.to_device(a, device)
            return a

        return self._apply_to_tensors(convert)

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self, index: int = 0) -> Module:
        return self.to(f"cuda:{index}")

    def float(self) -> Module:
        return self.to(dtype=backend.float32)

    def double(self) -> Module:
        return self.to(dtype=backend.float64)

    # ------------------------------------------------------------------ state
    def state_dict(self, destination: dict | None = None, prefix: str = "", keep_vars: bool = False
                   ) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name (PyTorch's keys).

        The values share memory with the module (``keep_vars=False`` gives detached tensors);
        save a copy with :func:`tinygrad_ru.save`.
        """
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> _IncompatibleKeys:
        """Copy values into the parameters and buffers in place (the objects stay the same).

        ``strict=True``: missing or unexpected keys are an error; mis-shaped entries always are.
        Returns ``(missing_keys, unexpected_keys)`` like PyTorch.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a dict-like state_dict, got {type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict:
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ".")
            if missing:
                errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            shape = tuple(getattr(value, "shape", ()))
            if shape != target.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {shape} from checkpoint, "
                    f"the shape in current model is {target.shape}."
                )
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors)
            )
        for key, target in own.items():
            if key in state_dict:
                target.data[...] = _as_array_like(state_dict[key], target, key)
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (override in layers)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        children = [(n, m) for n, m in self._modules.items() if m is not None]
        lines = extra.split("\n") if extra else []
        if not children and len(lines) <= 1:  # a multi-line extra_repr goes on its own lines, as in torch
            return f"{self._get_name()}({extra})"
        for name, module in children:
            text = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {text}")
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


__all__ = ["Module"]
