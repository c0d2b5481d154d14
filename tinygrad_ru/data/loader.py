"""DataLoader: mini-batches of Tensors from a dataset.

For datasets that keep their samples in whole arrays (anything with ``get_batch(indices)``:
``ArrayDataset``, ``TensorDataset``, ``Subset`` of those, the vision datasets) a batch is made by
one fancy-indexing call per array — no Python loop over the samples.  Other datasets are read
sample by sample and stacked by ``collate_fn`` (default :func:`default_collate`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from tinygrad_ru import backend

from .dataset import _is_tensor
from .sampler import (
    BatchSampler,
    OverlappingBatch,
    OverlappingBatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
)

__all__ = ["DataLoader", "default_collate", "to_tensor_batch", "overlapping_batches"]


def to_tensor_batch(array: Any, device: Any = "cpu") -> Any:
    """A batched array as a Tensor on ``device`` with the library's dtype policy.

    Floating arrays become the default dtype (float32); a 1-D integer array (one integer per
    sample: class labels) becomes int64; other integer arrays (e.g. raw uint8 images — use
    ``transforms.ToTensor()`` for floats in [0, 1]) and bools keep their dtype.
    """
    from tinygrad_ru import Tensor

    if _is_tensor(array):
        array = array.data
    xp = backend.get_array_module(array)
    if not hasattr(array, "dtype"):
        array = np.asarray(array)
    kind = np.dtype(array.dtype).kind
    if kind == "f":
        array = array.astype(backend.get_default_dtype(), copy=False)
    elif kind in "iu" and array.ndim == 1:
        array = array.astype(np.int64, copy=False)
    elif kind not in "iub":
        raise TypeError(f"DataLoader: cannot make a Tensor batch from an array of dtype {array.dtype}")
    if xp is np:
        array = np.ascontiguousarray(array)
    return Tensor(backend.to_device(array, device), device=device)


def default_collate(samples: Sequence[Any], device: Any = "cpu") -> Any:
    """Stack a list of samples into batched Tensors, keeping the samples' structure.

    Tuples/lists of fields → tuple of batched fields; dicts → dict; arrays, numbers and Tensors →
    one Tensor with a leading batch axis (dtype rules of :func:`to_tensor_batch`).
    """
    if len(samples) == 0:
        raise ValueError("default_collate: empty batch")
    first = samples[0]
    if isinstance(first, Mapping):
        return {k: default_collate([s[k] for s in samples], device) for k in first}
    if isinstance(first, (tuple, list)):
        width = len(first)
        if any(len(s) != width for s in samples):
            raise ValueError("default_collate: samples have different numbers of fields")
        return tuple(default_collate([s[k] for s in samples], device) for k in range(width))
    if _is_tensor(first):
        xp = backend.get_array_module(first.data)
        return to_tensor_batch(xp.stack([s.data for s in samples]), device)
    if isinstance(first, (bool, np.bool_)):
        return to_tensor_batch(np.array(samples, dtype=bool), device)
    if isinstance(first, (int, np.integer)):
        return to_tensor_batch(np.array(samples, dtype=np.int64), device)
    if isinstance(first, (float, np.floating)):
        return to_tensor_batch(np.array(samples, dtype=np.float64), device)
    if hasattr(first, "shape"):
        xp = backend.get_array_module(first)
        return to_tensor_batch(xp.stack(samples), device)
    raise TypeError(f"default_collate: don't know how to batch samples of type {type(first).__name__}")


def _collate_arrays(parts: Any, device: Any) -> Any:
    if isinstance(parts, tuple):
        return tuple(to_tensor_batch(p, device) for p in parts)
    return to_tensor_batch(parts, device)


class DataLoader:
    """Iterates over a dataset in mini-batches of Tensors.

    ``for xb, yb in DataLoader(ds, batch_size=64, shuffle=True): ...``

    - ``shuffle=True`` draws a new permutation every epoch (from ``backend.rng()``, or from a
      generator seeded once with ``seed``); ``sampler`` gives any order instead; ``batch_sampler``
      gives whole index batches (then ``batch_size``, ``shuffle``, ``sampler``, ``drop_last`` must
      stay at their defaults).
    - ``len(loader)`` = number of batches: ``⌊n/B⌋`` with ``drop_last``, else ``⌈n/B⌉``.
    - ``collate_fn(list_of_samples)`` builds a batch; by default samples are stacked into
      Tensors (:func:`default_collate`), floats in the default dtype, integer labels int64.
      Without a ``collate_fn``, a dataset with ``get_batch`` is batched by array indexing.
    - ``device``: where the batch Tensors live (``"cpu"``, ``"cuda"``).
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, collate_fn: Callable | None = None,
                 sampler: Sampler | Any | None = None, seed: int | None = None, device: Any = "cpu",
                 batch_sampler: Any | None = None) -> None:
        self.dataset = dataset
        self.collate_fn = collate_fn
        self.device = device
        backend.parse_device(device)  # fail early on an unknown device
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler is mutually exclusive with batch_size, "
                                 "shuffle, sampler and drop_last")
            self.batch_sampler = batch_sampler
            self.batch_size = None
            self.drop_last = False
            self.sampler = getattr(batch_sampler, "sampler", None)
            return
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: give either sampler or shuffle=True, not both")
        if sampler is None:
            sampler = RandomSampler(dataset, seed=seed) if shuffle else SequentialSampler(dataset)
        self.sampler = sampler
        if batch_size is None:
            self.batch_size = None
            self.drop_last = False
            self.batch_sampler = None
            return
        self.batch_size = int(batch_size)
        self.drop_last = bool(drop_last)
        self.batch_sampler = BatchSampler(sampler, batch_size, drop_last)

    def __len__(self) -> int:
        if self.batch_sampler is None:
            return len(self.sampler)
        return len(self.batch_sampler)

    def fetch(self, indices: Any) -> Any:
        """The collated batch of the samples at ``indices`` (vectorised where possible)."""
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        get_batch = getattr(self.dataset, "get_batch", None)
        if self.collate_fn is None and get_batch is not None:
            return _collate_arrays(get_batch(idx), self.device)
        samples = [self.dataset[int(i)] for i in idx]
        if self.collate_fn is not None:
            return self.collate_fn(samples)
        return default_collate(samples, self.device)

    def __iter__(self) -> Iterator[Any]:
        if self.batch_sampler is None:  # batch_size=None: single samples, no batching
            for i in self.sampler:
                yield self.dataset[int(i)]
            return
        for idx in self.batch_sampler:
            yield self.fetch(idx)

    def __repr__(self) -> str:
        return (f"DataLoader({type(self.dataset).__name__}, batch_size={self.batch_size}, "
                f"batches={len(self)}, device={self.device!r})")


def overlapping_batches(dataset: Any, batch_size: int, overlap: int, shuffle: bool = True,
                        seed: int | None = None, device: Any = "cpu",
                        collate_fn: Callable | None = None) -> Iterator[tuple[Any, Any, OverlappingBatch]]:
    """One pass of overlapping mini-batches for multi-batch L-BFGS (see
    :class:`~tinygrad_ru.data.OverlappingBatchSampler`).

    Yields ``(batch, overlap_batch, OverlappingBatch(indices, overlap))`` where ``batch`` is the
    collated ``S_k`` and ``overlap_batch`` the collated ``O_k = S_k ∩ S_{k+1}`` (the last
    ``overlap`` samples of ``batch``; ``None`` when ``overlap=0``).  For several passes keep one sampler and call
    ``DataLoader(dataset).fetch`` on its items, so that the overlap continues across passes.
    """
    sampler = OverlappingBatchSampler(dataset, batch_size, overlap, shuffle=shuffle, seed=seed)
    loader = DataLoader(dataset, batch_size=1, collate_fn=collate_fn, device=device)
    for item in sampler:
        overlap_batch = loader.fetch(item.overlap) if item.overlap.size else None
        yield loader.fetch(item.indices), overlap_batch, item
