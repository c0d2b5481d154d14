"""Data: datasets, samplers, the DataLoader, transforms (augmentation) and standard data sets.

    from tinygrad_ru.data import DataLoader, datasets, transforms as T
    train = datasets.MNIST10k(train=True, transform=T.Compose([T.ToTensor(), T.Normalize(0.1307, 0.3081)]))
    for xb, yb in DataLoader(train, batch_size=64, shuffle=True):  # xb: 64×1×28×28 float32, yb: int64
        ...
"""

from . import datasets, transforms
from .dataset import ArrayDataset, Dataset, Subset, TensorDataset, apply_transform, random_split
from .datasets import CIFAR10, MNIST, FashionMNIST, MNIST10k, best_mnist, load_dataset
from .loader import DataLoader, default_collate, overlapping_batches, to_tensor_batch
from .sampler import (
    BatchSampler,
    OverlappingBatch,
    OverlappingBatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)
from .workers import WorkerInfo, get_worker_info

__all__ = [
    "Dataset", "ArrayDataset", "TensorDataset", "Subset", "random_split", "apply_transform",
    "DataLoader", "default_collate", "to_tensor_batch", "overlapping_batches", "get_worker_info", "WorkerInfo",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
    "OverlappingBatchSampler", "OverlappingBatch",
    "datasets", "transforms", "MNIST", "FashionMNIST", "CIFAR10", "MNIST10k", "load_dataset", "best_mnist",
]
