"""``tg.accelerator``: PyTorch's device-neutral questions (``torch.accelerator``).

    device = tg.accelerator.current_accelerator() if tg.accelerator.is_available() else tg.device("cpu")

The only accelerator kind tinygrad_ru runs is ``cuda`` (through CuPy).
"""

from __future__ import annotations

from . import backend

__all__ = ["is_available", "current_accelerator", "device_count"]


def is_available() -> bool:
    """Whether an accelerator (a GPU seen by CuPy) is available."""
    return backend.cuda_is_available()


def device_count() -> int:
    """The number of accelerator devices (0 without one)."""
    return backend.device_count("cuda")


def current_accelerator(check_available: bool = False) -> backend.device | None:
    """``device("cuda")`` when CuPy is installed, else None; with ``check_available=True`` it is
    also None when no GPU is visible (as ``torch.accelerator.current_accelerator``)."""
    if "cuda" not in backend.known_devices():  # CuPy not installed
        return None
    if check_available and not is_available():
        return None
    return backend.device("cuda")
