"""``tg.utils``: PyTorch's ``torch.utils`` namespace (``tg.utils.data`` is :mod:`tinygrad_ru.data`)."""

from . import data

__all__ = ["data"]
