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

from .. import backend
from ..tensor import Tensor
from .dataset import _is_tensor
from .sampler import (
    BatchSampler,
    OverlappingBatch,
    OverlappingBatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
)
from .workers import MultiProcessIterator

__all__ = ["DataLoader", "BatchFetcher", "default_collate", "to_tensor_batch", "overlapping_batches"]


def to_tensor_batch(array: Any, device: Any = "cpu") -> Any:
    """A batched array as a Tensor on ``device`` with the library's dtype policy.

    Floating arrays become the default dtype (float32); a 1-D integer array (one integer per
    sample: class labels) becomes int64; other integer arrays (e.g. raw uint8 images — use
    ``transforms.ToTensor()`` for floats in [0, 1]) and bools keep their dtype.
    """
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


class BatchFetcher:
    """Makes the batch of the samples at some indices: what the main process or a worker runs.

    ``batched=False`` (``batch_size=None``) returns single samples as the dataset gives them.
    """

    def __init__(self, dataset: Any, collate_fn: Callable | None, device: Any, batched: bool = True) -> None:
        self.dataset, self.collate_fn, self.device, self.batched = dataset, collate_fn, device, batched

    def __call__(self, indices: Any) -> Any:
        if not self.batched:
            return self.dataset[int(indices)]
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        get_batch = getattr(self.dataset, "get_batch", None)
        if self.collate_fn is None and get_batch is not None:
            return _collate_arrays(get_batch(idx), self.device)
        samples = [self.dataset[int(i)] for i in idx]
        if self.collate_fn is not None:
            return self.collate_fn(samples)
        return default_collate(samples, self.device)


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
    - ``num_workers > 0``: batches are made in that many worker processes, ``prefetch_factor``
      (default 2) batches ahead per worker, and come out in the sampler's order (``in_order=False``:
      as they are ready).  Worker ``k`` seeds Python's ``random``, the library RNG and NumPy's global
      generator with ``base_seed + k`` (``base_seed`` drawn from the library RNG, so
      ``manual_seed`` reproduces it), then calls ``worker_init_fn(k)``; inside a worker
      :func:`get_worker_info` tells its id, seed and dataset copy.  ``persistent_workers=True``
      keeps the workers between epochs; ``timeout`` (seconds, 0 = wait forever) bounds the wait
      for one batch; ``multiprocessing_context`` (``"fork"``, ``"spawn"``, ``"forkserver"``)
      picks how workers start (with spawn the dataset and functions must be picklable).
      An exception in a worker is re-raised here with the worker's traceback in its message.
    - ``pin_memory`` is accepted for PyTorch scripts and does nothing: batches on the CPU need no
      page-locked copy, and ``device="cuda"`` already puts batches on the GPU.
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool = False,
                 sampler: Sampler | Any | None = None, batch_sampler: Any | None = None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False, drop_last: bool = False,
                 timeout: float = 0, worker_init_fn: Callable | None = None, multiprocessing_context: Any = None,
                 *, prefetch_factor: int | None = None, persistent_workers: bool = False, in_order: bool = True,
                 seed: int | None = None, device: Any = "cpu") -> None:
        self.dataset = dataset
        self.collate_fn = collate_fn
        self.device = device
        backend.parse_device(device)  # fail early on an unknown device
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        self.num_workers = int(num_workers)
        self.prefetch_factor = prefetch_factor if prefetch_factor is not None or num_workers == 0 else 2
        self.persistent_workers = bool(persistent_workers)
        self.pin_memory = bool(pin_memory)
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = bool(in_order)
        self._iterator: MultiProcessIterator | None = None
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

    def _fetcher(self, device: Any) -> BatchFetcher:
        return BatchFetcher(self.dataset, self.collate_fn, device, batched=self.batch_sampler is not None)

    def fetch(self, indices: Any) -> Any:
        """The collated batch of the samples at ``indices`` (vectorised where possible)."""
        return BatchFetcher(self.dataset, self.collate_fn, self.device)(indices)

    def __iter__(self) -> Iterator[Any]:
        tasks = self.sampler if self.batch_sampler is None else self.batch_sampler
        if self.num_workers == 0:
            return map(self._fetcher(self.device), tasks)
        if self._iterator is None or self._iterator.closed:
            iterator = MultiProcessIterator(
                self._fetcher("cpu"), self.dataset, self.num_workers, self.prefetch_factor, self.device,
                worker_init_fn=self.worker_init_fn, multiprocessing_context=self.multiprocessing_context,
                timeout=self.timeout, in_order=self.in_order, persistent=self.persistent_workers)
            if not self.persistent_workers:
                return iterator.start_epoch(tasks)
            self._iterator = iterator
        return self._iterator.start_epoch(tasks)

    def __repr__(self) -> str:
        workers = f", num_workers={self.num_workers}" if self.num_workers else ""
        return (f"DataLoader({type(self.dataset).__name__}, batch_size={self.batch_size}, "
                f"batches={len(self)}{workers}, device={self.device!r})")


def _check_worker_options(num_workers: int, timeout: float, prefetch_factor: int | None,
                          persistent_workers: bool) -> None:
    """PyTorch's checks of the worker keywords, with its messages."""
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                         "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


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
