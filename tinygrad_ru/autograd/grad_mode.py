"""Whether operations record the computational graph (``no_grad`` / ``enable_grad``).

The mode is **per thread**, as in PyTorch: ``grad_mode`` is a ``threading.local``, so a
``no_grad()`` block (or a ``backward()``, or an optimizer step) in one thread never changes
what another thread records.  Every new thread starts with recording on.
"""

from __future__ import annotations

import contextlib
import threading


class _GradMode(threading.local):
    """``grad_mode.enabled``: this thread's flag (each thread sees its own, initially True)."""

    def __init__(self) -> None:
        self.enabled = True


grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations in this thread record the graph."""
    return grad_mode.enabled


class _SetGradMode(contextlib.ContextDecorator):
    """Context manager and decorator that sets this thread's grad mode and restores it on exit.

    The previous modes are kept per thread too, so one object (a decorated function) may be
    entered in several threads at once, and nested.  ``_mode = None`` leaves the mode as it is.
    """

    _mode: bool | None = True

    def __new__(cls, *args, **kwargs):
        # ``@no_grad`` without parentheses, as PyTorch allows: decorate the function directly
        if cls._bare_decorator and len(args) == 1 and not kwargs and callable(args[0]):
            return cls()(args[0])
        return super().__new__(cls)

    _bare_decorator = True

    def __enter__(self) -> None:
        previous = self.__dict__.get("_previous")
        if previous is None:
            previous = self.__dict__.setdefault("_previous", threading.local())
        stack = getattr(previous, "stack", None)
        if stack is None:
            stack = previous.stack = []
        stack.append(grad_mode.enabled)
        if self._mode is not None:
            grad_mode.enabled = self._mode

    def __exit__(self, *exc) -> bool:
        grad_mode.enabled = self._previous.stack.pop()
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


class inference_mode(_SetGradMode):  # noqa: N801 - the PyTorch name
    """PyTorch's faster ``no_grad`` for inference; here it acts exactly as :class:`no_grad`.

    ``inference_mode(False)`` leaves the grad mode as it is (in PyTorch it turns inference mode off).
    """

    _mode = False

    def __init__(self, mode: bool = True) -> None:
        self._mode = False if mode else None


class _ModeAs(_SetGradMode):
    """A plain "set the mode to ``mode`` inside" context (what ``@set_grad_enabled(m)`` decorates with)."""

    _bare_decorator = False

    def __init__(self, mode: bool) -> None:
        self._mode = mode


class set_grad_enabled(_SetGradMode):  # noqa: N801 - the PyTorch name
    """``set_grad_enabled(False)`` acts as ``no_grad()``, ``set_grad_enabled(True)`` as ``enable_grad()``.

    As in PyTorch the mode is set at once, so a plain call ``set_grad_enabled(False)`` switches
    recording off for this thread until ``set_grad_enabled(True)``; used with ``with`` (or as a
    decorator) the previous mode comes back afterwards.
    """

    _bare_decorator = False

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._before = grad_mode.enabled
        grad_mode.enabled = self._mode

    def __enter__(self) -> None:
        grad_mode.enabled = self._mode

    def __exit__(self, *exc) -> bool:
        grad_mode.enabled = self._before
        return False

    def __call__(self, func):
        grad_mode.enabled = self._before  # as a decorator it does not switch the mode now
        return _ModeAs(self._mode)(func)
