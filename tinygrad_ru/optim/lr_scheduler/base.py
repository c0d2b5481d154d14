"""The base class of the learning-rate schedules, and the small helpers they share."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from tinygrad_ru.optim.optimizer import Optimizer

__all__ = ["LRScheduler"]


def _format_param(name: str, optimizer: Optimizer, param: Any) -> list:
    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups: {name} has "
                             f"{len(param)} values, param_groups has {len(optimizer.param_groups)}")
        return list(param)
    return [param] * len(optimizer.param_groups)


def _lrs(optimizer: Optimizer, key: str = "lr") -> list:
    return [group[key] for group in optimizer.param_groups]


def _check_optimizer(optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def _function_state(fn: Callable | None) -> dict | None:
    """What a state_dict keeps of a user function (PyTorch's rule): nothing of a plain function or
    lambda (pickle can't save it, the constructor gets it again), the attributes of a callable object."""
    return None if fn is None or isinstance(fn, types.FunctionType) else fn.__dict__.copy()


def _load_function_state(fn: Callable | None, saved: dict | None) -> None:
    if fn is not None and saved is not None:
        fn.__dict__.update(saved)


def _set_momentum(group: dict[str, Any], momentum: float, use_beta1: bool) -> None:
    """Write a cycled momentum into a group: Adam's β₁ (``betas[0]``) or SGD's ``momentum``."""
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


class LRScheduler:
    """Base class: ``step()`` advances ``last_epoch`` by one and writes the new lr into every group.

    Attributes: ``optimizer``, ``base_lrs`` (each group's ``initial_lr``), ``last_epoch``
    (−1 before the constructor's initial step, then 0, 1, ...).  ``get_last_lr()`` returns the
    lrs set by the last step.  Subclasses implement ``get_lr()`` (chainable form, may read the
    groups' current lr) and optionally ``_get_closed_form_lr()`` (a function of last_epoch).
    """

    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                                   "a scheduler with last_epoch >= 0")
        self.base_lrs: list[float] = _lrs(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    # attributes state_dict() does not copy as they are: the optimizer (it has a state_dict of its own)
    # and those a subclass saves in a form of its own (_save_special / _load_special)
    _not_saved: tuple[str, ...] = ("optimizer",)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer (as in PyTorch); functions are saved by their attributes."""
        state = {k: v for k, v in self.__dict__.items() if k not in self._not_saved}
        state.update(self._save_special())
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a ``state_dict()`` (the optimizer is not touched)."""
        state = dict(state_dict)
        special = {k: state.pop(k) for k in self._not_saved if k in state}
        self.__dict__.update(state)
        self._load_special(special)

    def _save_special(self) -> dict[str, Any]:
        """The saved form of the attributes of ``_not_saved`` that are saved (other than the optimizer)."""
        return {}

    def _load_special(self, saved: dict[str, Any]) -> None:
        """Restore from ``_save_special``'s form; runs after the plain attributes are loaded."""

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last ``step()``, one per parameter group."""
        return self._last_lr

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def _current_lrs_times(self, factor: float) -> list[float]:
        """η_{t−1}·factor for every group: one step of a chainable (multiplicative) schedule."""
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to ``epoch``, using the closed form where there is one)."""
        self._step_count += 1
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = _lrs(self.optimizer)
