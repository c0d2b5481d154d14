"""The ``Optimizer`` base class: parameter groups, per-parameter state, closures, checkpoints.

Mirrors ``torch.optim.Optimizer``:

>>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> opt = SGD([{"params": body.parameters()}, {"params": head.parameters(), "lr": 1e-3}], lr=0.1)
>>> opt.zero_grad(); loss.backward(); opt.step()

Subclasses implement ``_update(p, g, state, group)`` for one parameter and ``_validate(group)``
for their hyper-parameters.  The base class runs the closure, walks the groups, skips parameters
whose ``.grad`` is None, and hands ``_update`` the gradient its formula starts from: the sign of
``maximize`` and the weight decay already applied (``_gradient``).  ``_next_step(state)`` and
``_zeros(p, state, "exp_avg")`` create the per-parameter state on first use; the base class
saves and loads it.
"""

from __future__ import annotations

import copy
import functools
import inspect
import numbers
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any

from tinygrad_ru import backend
from tinygrad_ru.autograd.grad_mode import enable_grad, no_grad
from tinygrad_ru.optim import _functional as F

__all__ = ["Optimizer", "ParamState", "required"]


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


def _is_tensor(x: Any) -> bool:
    return hasattr(x, "data") and hasattr(x, "requires_grad") and hasattr(x, "grad")


def _is_array(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and hasattr(x, "copy") and not _is_tensor(x)


def _clone(v: Any) -> Any:
    """A deep copy of a state value; arrays are copied (state_dict must not alias live buffers)."""
    if _is_array(v):
        return v.copy()
    if isinstance(v, list):
        return [_clone(x) for x in v]
    if isinstance(v, tuple):
        return tuple(_clone(x) for x in v)
    if isinstance(v, dict):
        return {k: _clone(x) for k, x in v.items()}
    return copy.deepcopy(v)


def _to_param(v: Any, p: Any, key: str) -> Any:
    """A loaded state value made to live beside parameter ``p`` (its device; its dtype if floating)."""
    if _is_array(v):
        a = backend.to_device(v, p.device)
        if backend.is_floating(a.dtype) and key != "step":
            a = a.astype(p.data.dtype, copy=False)
        return a.copy() if a is v else a
    if isinstance(v, list):
        return [_to_param(x, p, key) for x in v]
    if isinstance(v, tuple):
        return tuple(_to_param(x, p, key) for x in v)
    return copy.deepcopy(v)


class ParamState(MutableMapping):
    """Per-parameter state, keyed by the parameter itself (by identity, like torch's defaultdict).

    ``opt.state[p]`` creates an empty dict on first access.  Keys are compared by identity, so
    Tensors work as keys whatever ``Tensor.__eq__``/``__hash__`` do.
    """

    def __init__(self) -> None:
        self._items: dict[int, tuple[Any, dict]] = {}

    def __getitem__(self, p: Any) -> dict:
        entry = self._items.get(id(p))
        if entry is None:
            entry = self._items[id(p)] = (p, {})
        return entry[1]

    def __setitem__(self, p: Any, value: dict) -> None:
        self._items[id(p)] = (p, value)

    def __delitem__(self, p: Any) -> None:
        del self._items[id(p)]

    def __contains__(self, p: object) -> bool:
        return id(p) in self._items

    def __iter__(self) -> Iterator[Any]:
        return (p for p, _ in list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"ParamState({len(self)} parameters)"


def _bumps_versions(step: Callable) -> Callable:
    """Wrap an optimizer's ``step``: afterwards every parameter it updated (those with a gradient)
    has its version bumped, as an in-place ``p.add_(...)`` would in PyTorch, so that a graph that
    saved the old values refuses to backward (see ``Tensor._bump_version``)."""

    @functools.wraps(step)
    def wrapped(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
        depth = self.__dict__.get("_step_depth", 0)  # a subclass's step calling super().step(): bump once
        self.__dict__["_step_depth"] = depth + 1
        try:
            return step(self, *args, **kwargs)
        finally:
            self.__dict__["_step_depth"] = depth
            if depth == 0:
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is not None:
                            p._bump_version()

    wrapped._bumps_versions = True  # type: ignore[attr-defined]
    return wrapped


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, or of dicts ``{"params": [...], **options}`` (parameter
            groups with their own options).
        defaults: the default options of every group (``lr``, ``momentum``, ...).

    Attributes:
        param_groups: list of dicts, each with ``"params"`` (a list of Tensors) and its options.
        state: per-parameter state (moving averages, step counters), ``opt.state[p]``.
        defaults: the options given to the constructor.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # every step() — the base one and each subclass's own — bumps the versions of the parameters
        # it updated; done here once instead of in every optimizer
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_bumps_versions", False):
            cls.step = _bumps_versions(step)

    def __init__(self, params: Iterable[Any] | Iterable[dict], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: ParamState = ParamState()
        self.param_groups: list[dict[str, Any]] = []
        if _is_tensor(params):
            raise TypeError(
                f"{type(self).__name__}: params should be an iterable of Tensors or dicts, "
                "got a single Tensor (wrap it in a list)"
            )
        if isinstance(params, dict):
            params = [params]
        param_list = list(params)
        if len(param_list) == 0:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if not isinstance(param_list[0], dict):
            param_list = [{"params": param_list}]
        for group in param_list:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing options take the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"{type(self).__name__}: a param group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group.get("params")
        if params is None:
            raise ValueError(f"{type(self).__name__}: a param group needs a 'params' entry")
        if _is_tensor(params):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                f"{type(self).__name__}: parameters must be given in an ordered collection, not a set"
            )
        params = list(params)
        for p in params:
            if not _is_tensor(p):
                raise TypeError(f"{type(self).__name__} can only optimize Tensors, got {type(p).__name__}")
            if not getattr(p, "is_leaf", True):
                raise ValueError(f"{type(self).__name__} can't optimize a non-leaf Tensor")
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{type(self).__name__}: a parameter group contains the same parameter twice")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if seen.intersection(ids):
            raise ValueError(f"{type(self).__name__}: some parameters appear in more than one parameter group")
        group["params"] = params
        for key, value in self.defaults.items():
            if value is required and key not in group:
                raise ValueError(f"{type(self).__name__}: parameter group has no value for required option {key!r}")
            group.setdefault(key, value)
        self._check_types(group)
        self._validate(group)
        self.param_groups.append(group)

    # options that may be a number or None (declared, since their default None says nothing)
    _optional_numbers: tuple[str, ...] = ()

    @classmethod
    def _numeric_options(cls) -> dict[str, str]:
        """Which options are numbers: those whose constructor default is a number (not a bool) or a
        tuple of numbers (``betas``), in this class or a base class; plus ``_optional_numbers``."""
        kinds: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            init = klass.__dict__.get("__init__")
            if init is None or klass is object:
                continue
            for name, param in inspect.signature(init).parameters.items():
                default = param.default
                if isinstance(default, bool):
                    continue
                if isinstance(default, numbers.Real):
                    kinds[name] = "a real number"
                elif isinstance(default, tuple) and default and all(isinstance(d, numbers.Real) for d in default):
                    kinds[name] = "a tuple of real numbers"
        for name in cls._optional_numbers:
            kinds[name] = "a real number or None"
        return kinds

    def _check_types(self, group: dict[str, Any]) -> None:
        """A clear TypeError for a hyper-parameter of the wrong type (``SGD(lr="0.1")``) naming the
        optimizer and the option, instead of a bare comparison error from ``_validate``."""
        for key, kind in self._numeric_options().items():
            if key not in group:
                continue
            value = group[key]
            if kind == "a tuple of real numbers":
                ok = isinstance(value, (tuple, list)) and all(isinstance(v, numbers.Real) for v in value)
            else:
                ok = isinstance(value, numbers.Real) or (value is None and kind.endswith("None"))
            if not ok:
                raise TypeError(f"{type(self).__name__}: {key} must be {kind}, got {type(value).__name__} {value!r}")

    def _validate(self, group: dict[str, Any]) -> None:
        """Check a group's hyper-parameters; subclasses extend it.  Raise ValueError on bad values."""
        if "lr" in group:
            self._check(group["lr"] >= 0, "learning rate", group["lr"], ">= 0")
        if "weight_decay" in group:
            self._check(group["weight_decay"] >= 0, "weight_decay", group["weight_decay"], ">= 0")
        if "eps" in group:
            self._check(group["eps"] > 0, "epsilon", group["eps"], "> 0")
        if "momentum" in group:
            self._check(group["momentum"] >= 0, "momentum", group["momentum"], ">= 0")
        if "betas" in group:
            betas = group["betas"]
            if not isinstance(betas, (tuple, list)) or len(betas) != 2:
                raise ValueError(f"{type(self).__name__}: betas must be a pair (beta1, beta2), got {betas!r}")
            for i, b in enumerate(betas):
                self._check(0.0 <= b < 1.0, f"beta parameter at index {i}", b, "in [0, 1)")

    def _check(self, ok: bool, what: str, value: Any, rule: str) -> None:
        if not ok:
            raise ValueError(f"{type(self).__name__}: invalid {what}: {value!r} (must be {rule})")

    # ------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (default) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.zero_()

    # ------------------------------------------------------------------ stepping
    def _evaluate(self, closure: Callable[[], Any] | None) -> Any:
        """Run the closure (re-evaluating the loss and its gradients) with grad recording on."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient.

        Args:
            closure: optional ``() -> loss`` that zeroes the gradients, recomputes the loss and
                calls ``backward``; it runs before the update (with grad recording on).

        Returns:
            the closure's loss, or None.
        """
        loss = self._evaluate(closure)
        with no_grad():
            self._update_all()
        return loss

    step = _bumps_versions(step)

    def _update_all(self) -> None:
        """``_update`` every parameter that has a gradient (grad recording must be off)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, self._gradient(p, group), self.state[p], group)

    def _update(self, p: Any, g: Any, state: dict, group: dict[str, Any]) -> None:
        """Update parameter ``p`` in place from the gradient ``g`` of ``_gradient`` (a raw array)."""
        raise NotImplementedError

    # whether weight decay is decoupled when the group has no "decoupled_weight_decay" option (Lion's is)
    _decoupled_decay: bool = False

    def _gradient(self, p: Any, group: dict[str, Any]) -> Any:
        r"""The gradient an update formula starts from, as a raw array:

        .. math::
            g = \pm\nabla f(\theta) + \lambda\theta

        (− when ``maximize``; +λθ is coupled weight decay, L2).  With decoupled weight decay
        (``decoupled_weight_decay=True``, AdamW, Lion) g = ±∇f(θ) and θ ← θ(1 − ηλ) here instead.
        A changed gradient is a new array: the user's ``p.grad`` is never modified (as in PyTorch).
        """
        g = p.grad.data
        if group.get("maximize", False):
            g = -g
        weight_decay = group.get("weight_decay", 0)
        if weight_decay != 0:
            if group.get("decoupled_weight_decay", self._decoupled_decay):
                F.decoupled_decay_(p.data, group["lr"], weight_decay)
            else:
                g = F.l2_penalty(g, p.data, weight_decay)
        return g

    @staticmethod
    def _next_step(state: dict) -> int:
        """Count an update in a parameter's state: returns t, 1 on its first update."""
        t = state["step"] = state.get("step", 0) + 1
        return t

    @staticmethod
    def _zeros(p: Any, state: dict, name: str) -> Any:
        """The array ``state[name]``, created on first use as zeros like θ (its shape, dtype and
        device): moving averages and momentum buffers start at 0."""
        buf = state.get(name)
        if buf is None:
            buf = state[name] = F.xp_of(p.data).zeros_like(p.data)
        return buf

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as a dict of copies: ``{"state": {index: {...}}, "param_groups": [...]}``.

        As in PyTorch, parameters are referred to by their index in the order of the groups.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: _clone(v) for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for p in self.state:
            if id(p) in index and self.state[p]:
                state[index[id(p)]] = _clone(self.state[p])
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a ``state_dict()``: the group options and per-parameter state (copied onto the params)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the state has {len(saved_groups)} parameter groups, "
                f"the optimizer has {len(self.param_groups)}"
            )
        for mine, saved in zip(self.param_groups, saved_groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: a group of the state has {len(saved['params'])} "
                    f"parameters, the optimizer's group has {len(mine['params'])}"
                )
        id_map = {}
        for mine, saved in zip(self.param_groups, saved_groups):
            for p, i in zip(mine["params"], saved["params"]):
                id_map[i] = p
        self.state = ParamState()
        for i, s in state_dict["state"].items():
            p = id_map.get(int(i))
            if p is None:
                continue
            self.state[p] = {k: _to_param(v, p, k) for k, v in s.items()}
        for mine, saved in zip(self.param_groups, saved_groups):
            for k, v in saved.items():
                if k != "params":
                    mine[k] = _clone(v)

    def __getstate__(self) -> dict[str, Any]:
        return self.__dict__.copy()

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)
