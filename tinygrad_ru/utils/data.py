"""``tg.utils.data``: the same objects as :mod:`tinygrad_ru.data`, under PyTorch's name.

    from tinygrad_ru.utils.data import DataLoader, TensorDataset, random_split   # as from torch.utils.data
"""

from tinygrad_ru.data import *  # noqa: F403 - a namespace alias
from tinygrad_ru.data import __all__  # noqa: F401
