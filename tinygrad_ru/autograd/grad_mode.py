"""Whether operations record the computational graph (``no_grad`` / ``enable_grad``)."""

from __future__ import annotations

import contextlib


class _GradMode:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    return grad_mode.enabled


class _SetGradMode(contextlib.ContextDecorator):
    """Context manager and decorator that sets the grad mode and restores it on exit."""

    _mode = True

    def __enter__(self) -> None:
        self._previous = grad_mode.enabled
        grad_mode.enabled = self._mode

    def __exit__(self, *exc) -> bool:
        grad_mode.enabled = self._previous
        return False


class no_grad(_SetGradMode):  # noqa: N801 - the PyTorch name
    """Operations inside do not record the graph: for evaluation and parameter updates.

    >>> with no_grad():
    ...     y = model(x)        # y.requires_grad is False
    """

    _mode = False


class enable_grad(_SetGradMode):  # noqa: N801 - the PyTorch name
    """Turn graph recording back on inside a ``no_grad`` block (e.g. an optimizer's closure)."""

    _mode = True


class set_grad_enabled(_SetGradMode):  # noqa: N801 - the PyTorch name
    """``set_grad_enabled(False)`` acts as ``no_grad()``, ``set_grad_enabled(True)`` as ``enable_grad()``."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
