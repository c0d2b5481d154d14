"""Datasets: indexable collections of samples.

A dataset is anything with ``__len__`` and ``__getitem__(i) -> sample``.  Datasets whose samples
live in whole arrays (``ArrayDataset``, ``TensorDataset``, the vision sets in
:mod:`tinygrad_ru.data.datasets`) also offer ``get_batch(indices)``: one fancy-indexing call per
array for a whole mini-batch, which :class:`~tinygrad_ru.data.DataLoader` uses instead of a
Python loop over samples.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import backend
from ..tensor import Tensor

__all__ = ["Dataset", "ArrayDataset", "TensorDataset", "Subset", "random_split", "apply_transform"]


def _is_tensor(x: Any) -> bool:
    # duck typing: anything shaped like a Tensor (data, grad_fn, requires_grad) is unwrapped the same way
    return hasattr(x, "grad_fn") and hasattr(x, "data") and hasattr(x, "requires_grad")


def apply_transform(transform: Callable | None, batch: Any) -> Any:
    """Apply a per-sample ``transform`` to every sample of ``batch`` (first axis).

    Transforms that know how to act on a whole batch (a ``batch`` method, see
    :mod:`tinygrad_ru.data.transforms`) get the batch in one call, with independent randomness per
    sample; any other callable runs once per sample and the results are stacked.
    """
    if transform is None:
        return batch
    fn = getattr(transform, "batch", None)
    if fn is not None:
        return fn(batch)
    return np.stack([np.asarray(transform(sample)) for sample in batch])


class Dataset:
    """Abstract dataset: a map from an index ``0 <= i < len(ds)`` to a sample.

    Subclasses implement ``__getitem__(i)`` and ``__len__()``.  ``ds[i]`` is usually a tuple
    ``(x_i, y_i)``.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def _check_index(self, index: Any) -> int:
        n = len(self)
        try:
            i = int(index)
        except TypeError:
            raise TypeError(
                f"{type(self).__name__}: index must be an integer, got {type(index).__name__}"
            ) from None
        if i < -n or i >= n:
            raise IndexError(f"{type(self).__name__}: index {i} out of range for {n} samples")
        return i + n if i < 0 else i


class ArrayDataset(Dataset):
    """Samples stored as rows of equally long arrays: sample ``i`` is ``(a[i] for a in arrays)``.

    ``transform`` acts on the first array's rows (the inputs), ``target_transform`` on the last
    array's rows (the targets) when there are at least two arrays.  ``get_batch(idx)`` returns
    ``tuple(a[idx] for a in arrays)`` (transforms applied) in one indexing call per array.
    """

    def __init__(self, *arrays: Any, transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        if not arrays:
            raise ValueError(f"{type(self).__name__}: needs at least one array")
        raw = []
        for k, a in enumerate(arrays):
            a = a.data if _is_tensor(a) else a
            if not hasattr(a, "shape"):
                a = np.asarray(a)
            if a.ndim == 0:
                raise ValueError(f"{type(self).__name__}: array {k} is a scalar; every array needs a "
                                 "first (sample) dimension")
            raw.append(a)
        n = raw[0].shape[0]
        if any(a.shape[0] != n for a in raw):
            shapes = ", ".join(str(tuple(a.shape)) for a in raw)
            raise ValueError(f"{type(self).__name__}: all arrays must have the same first dimension "
                             f"(number of samples), got shapes {shapes}")
        self.arrays: tuple[Any, ...] = tuple(raw)
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self) -> int:
        return int(self.arrays[0].shape[0])

    def _transformed(self, parts: list[Any], batched: bool) -> tuple[Any, ...]:
        if self.transform is not None:
            parts[0] = apply_transform(self.transform, parts[0]) if batched else self.transform(parts[0])
        if self.target_transform is not None and len(parts) > 1:
            t = self.target_transform
            parts[-1] = apply_transform(t, parts[-1]) if batched else t(parts[-1])
        return tuple(parts)

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        i = self._check_index(index)
        return self._transformed([a[i] for a in self.arrays], batched=False)

    def get_batch(self, indices: Any) -> tuple[Any, ...]:
        """The samples at ``indices`` (an integer array) as arrays with a leading batch axis."""
        idx = np.asarray(indices, dtype=np.int64)
        parts = [a[backend.to_device(idx, backend.device_of(a))] if not isinstance(a, np.ndarray)
                 else a[idx] for a in self.arrays]
        return self._transformed(parts, batched=True)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{tuple(a.shape)}:{a.dtype}" for a in self.arrays)
        return f"{type(self).__name__}({len(self)} samples; {shapes})"


class TensorDataset(ArrayDataset):
    """PyTorch's ``TensorDataset``: ``ds[i] = (t[i] for t in tensors)``.

    Accepts Tensors or arrays (all with the same first dimension, else ``ValueError``).  When built
    from Tensors, ``ds[i]`` returns Tensors (detached), otherwise array rows.
    """

    def __init__(self, *tensors: Any, transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        super().__init__(*tensors, transform=transform, target_transform=target_transform)
        self._as_tensors = tuple(_is_tensor(t) for t in tensors)
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        parts = super().__getitem__(index)
        if not any(self._as_tensors):
            return parts
        return tuple(Tensor(p, device=backend.device_of(p)) if wrap else p
                     for p, wrap in zip(parts, self._as_tensors))


class Subset(Dataset):
    """The samples ``dataset[indices[0]], dataset[indices[1]], …``.

    Keeps the vectorised path: ``get_batch(idx) = dataset.get_batch(indices[idx])``.
    """

    def __init__(self, dataset: Any, indices: Sequence[int] | np.ndarray) -> None:
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        n = len(dataset)
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"Subset: indices must lie in [0, {n}), got range "
                             f"[{idx.min()}, {idx.max()}]")
        self.dataset = dataset
        self.indices = np.where(idx < 0, idx + n, idx)

    def __len__(self) -> int:
        return int(self.indices.shape[0])

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[self._check_index(index)])]

    def __getattr__(self, name: str) -> Any:
        if name == "get_batch":  # only when the wrapped dataset has the fast path
            inner = getattr(self.__dict__.get("dataset"), "get_batch", None)
            if inner is not None:
                return lambda indices: inner(self.indices[np.asarray(indices, dtype=np.int64)])
        if name in ("targets", "data"):
            arr = getattr(self.__dict__.get("dataset"), name, None)
            if arr is not None:
                return arr[self.indices]
        if name in ("transform", "target_transform", "classes", "source") and "dataset" in self.__dict__:
            return getattr(self.__dict__["dataset"], name)
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def __repr__(self) -> str:
        return f"Subset({len(self)} of {self.dataset!r})"


def random_split(dataset: Any, lengths: Sequence[int | float],
                 generator_seed: int | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    ``lengths`` are counts summing to ``len(dataset)`` or fractions summing to 1 (the remainder
    after flooring goes round-robin to the first subsets, as in PyTorch).  The permutation comes
    from ``backend.rng()`` (so ``tg.manual_seed`` makes it reproducible) unless
    ``generator_seed`` is given.
    """
    n = len(dataset)
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths must not be empty")
    if all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1.0) \
            and sum(lengths) <= 1.0 + 1e-9:
        if any(x < 0 for x in lengths):
            raise ValueError(f"random_split: fractions must be >= 0, got {lengths}")
        counts = [int(math.floor(n * f)) for f in lengths]
        for k in range(n - sum(counts)):
            counts[k % len(counts)] += 1
    else:
        counts = [int(x) for x in lengths]
        if any(c != x for c, x in zip(counts, lengths)) or any(c < 0 for c in counts):
            raise ValueError(f"random_split: lengths must be non-negative integers or fractions "
                             f"summing to 1, got {lengths}")
        if sum(counts) != n:
            raise ValueError(f"random_split: sum of lengths {sum(counts)} != dataset length {n}")
    gen = np.random.default_rng(generator_seed) if generator_seed is not None else backend.rng()
    perm = gen.permutation(n)
    out, start = [], 0
    for c in counts:
        out.append(Subset(dataset, perm[start:start + c]))
        start += c
    return out
