"""``tg.cuda``: what PyTorch scripts ask ``torch.cuda`` (GPUs run through CuPy here).

    device = "cuda" if tg.cuda.is_available() else "cpu"
"""

from __future__ import annotations

from . import backend

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all"]


def is_available() -> bool:
    """Whether CuPy is installed and sees at least one GPU."""
    return backend.cuda_is_available()


def device_count() -> int:
    """The number of GPUs CuPy sees (0 without CuPy)."""
    return backend.device_count("cuda")


def manual_seed(seed: int) -> None:
    """As ``torch.cuda.manual_seed``: random numbers are drawn on the host here, so this seeds the one
    library generator (:func:`tinygrad_ru.manual_seed`)."""
    backend.manual_seed(seed)


manual_seed_all = manual_seed
