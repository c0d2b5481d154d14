"""Samplers: the order in which a DataLoader visits a dataset.

A sampler yields dataset indices; a batch sampler yields index arrays (one per mini-batch).
Every random choice comes from ``backend.rng()`` (seeded by ``tg.manual_seed``) unless a sampler
is given its own ``seed``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sized
from typing import Any, NamedTuple

import numpy as np

from tinygrad_ru import backend

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
           "OverlappingBatchSampler", "OverlappingBatch"]


def _length(data_source: Sized | int) -> int:
    if isinstance(data_source, (int, np.integer)):
        n = int(data_source)
    else:
        n = len(data_source)
    if n < 0:
        raise ValueError(f"sampler: number of samples must be >= 0, got {n}")
    return n


class Sampler:
    """Base class: ``__iter__`` yields indices, ``__len__`` says how many.

    ``indices()`` returns one whole pass as an int64 array, so that a :class:`BatchSampler` can
    cut it into batches without a Python loop per index.
    """

    def indices(self) -> np.ndarray:
        return np.fromiter(iter(self), dtype=np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices().tolist())

    def __len__(self) -> int:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """Indices ``0, 1, …, n−1`` in order."""

    def __init__(self, data_source: Sized | int) -> None:
        self.num_samples = _length(data_source)

    def indices(self) -> np.ndarray:
        return np.arange(self.num_samples, dtype=np.int64)

    def __len__(self) -> int:
        return self.num_samples


class RandomSampler(Sampler):
    """A fresh random permutation of ``0..n−1`` every pass (or draws with replacement).

    Random numbers come from ``backend.rng()`` — so ``tg.manual_seed(s)`` makes the whole
    sequence of epochs reproducible — unless ``seed`` is given, in which case the sampler owns a
    generator seeded once at construction (epochs differ from each other, runs do not).
    ``num_samples`` (default ``n``) shortens or lengthens a pass; with ``replacement=False`` and
    ``num_samples > n`` several permutations are concatenated.
    """

    def __init__(self, data_source: Sized | int, replacement: bool = False,
                 num_samples: int | None = None, seed: int | None = None) -> None:
        self.n = _length(data_source)
        self.replacement = bool(replacement)
        self.num_samples = self.n if num_samples is None else int(num_samples)
        if self.num_samples < 0:
            raise ValueError(f"RandomSampler: num_samples must be >= 0, got {num_samples}")
        if self.n == 0 and self.num_samples > 0:
            raise ValueError("RandomSampler: cannot draw samples from an empty dataset")
        self._gen = np.random.default_rng(seed) if seed is not None else None

    @property
    def generator(self) -> np.random.Generator:
        return self._gen if self._gen is not None else backend.rng()

    def indices(self) -> np.ndarray:
        g = self.generator
        if self.replacement:
            return g.integers(0, self.n, size=self.num_samples, dtype=np.int64)
        reps = -(-self.num_samples // self.n) if self.n else 0
        perms = [g.permutation(self.n) for _ in range(reps)]
        out = np.concatenate(perms) if perms else np.zeros(0, dtype=np.int64)
        return out[:self.num_samples].astype(np.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """A random permutation of the given indices every pass."""

    def __init__(self, indices: Any, seed: int | None = None) -> None:
        self.subset = np.asarray(indices, dtype=np.int64).reshape(-1)
        self._gen = np.random.default_rng(seed) if seed is not None else None

    def indices(self) -> np.ndarray:
        g = self._gen if self._gen is not None else backend.rng()
        return self.subset[g.permutation(self.subset.shape[0])]

    def __len__(self) -> int:
        return int(self.subset.shape[0])


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into int64 arrays of ``batch_size``.

    Number of batches: ``⌊n/B⌋`` with ``drop_last=True``, ``⌈n/B⌉`` otherwise (the last batch is
    then smaller).
    """

    def __init__(self, sampler: Sampler | Any, batch_size: int, drop_last: bool = False) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"BatchSampler: batch_size must be a positive integer, got {batch_size!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = bool(drop_last)

    def __iter__(self) -> Iterator[np.ndarray]:
        if hasattr(self.sampler, "indices"):
            idx = np.asarray(self.sampler.indices(), dtype=np.int64)
        else:
            idx = np.fromiter(iter(self.sampler), dtype=np.int64)
        b = self.batch_size
        stop = (idx.shape[0] // b) * b if self.drop_last else idx.shape[0]
        for start in range(0, stop, b):
            yield idx[start:start + b]

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


class OverlappingBatch(NamedTuple):
    """One step of :class:`OverlappingBatchSampler`: the batch ``S_k`` and ``O_k = S_k ∩ S_{k+1}``."""

    indices: np.ndarray
    overlap: np.ndarray


class OverlappingBatchSampler:
    """Consecutive mini-batches that overlap, for multi-batch L-BFGS (Berahas, Nocedal, Takáč 2016).

    Multi-batch L-BFGS takes the step on batch ``S_k`` and builds its curvature pair on the
    overlap ``O_k = S_k ∩ S_{k+1}``, so that both gradients in

        y_k = ∇F_{O_k}(w_{k+1}) − ∇F_{O_k}(w_k),   s_k = w_{k+1} − w_k

    are taken on the *same* samples (a stable ``y_kᵀ s_k`` although the batches change).

    Construction: shuffle the indices once per pass into ``π`` and read it as a cycle with stride
    ``s = batch_size − overlap``::

        S_k = π[(k·s + j) mod n],  j = 0 … batch_size−1
        O_k = π[((k+1)·s + j) mod n], j = 0 … overlap−1   =  the last ``overlap`` entries of S_k
                                                         =  the first ``overlap`` entries of S_{k+1}

    A pass has ``⌈n/s⌉`` batches (every sample is used at least once; the last batch wraps around).
    The next pass's permutation starts with the previous pass's last ``O_k`` (and keeps the rest
    of the previous last batch out of its first batch), so the overlap property also holds across
    passes.  Requires ``2·batch_size − overlap ≤ n``.  Each item is ``OverlappingBatch(indices, overlap)`` with
    ``indices[-overlap:] == overlap`` (positions ``batch_size−overlap … batch_size−1`` of the
    batch) and ``next.indices[:overlap] == overlap``.  Indices within a batch are distinct.

    Randomness: ``backend.rng()`` unless ``seed`` is given; ``shuffle=False`` uses ``0..n−1``.
    """

    def __init__(self, data_source: Sized | int, batch_size: int, overlap: int, shuffle: bool = True,
                 seed: int | None = None) -> None:
        self.n = _length(data_source)
        batch_size, overlap = int(batch_size), int(overlap)
        if batch_size <= 0 or batch_size > self.n:
            raise ValueError(f"OverlappingBatchSampler: batch_size must be in [1, {self.n}] "
                             f"(number of samples), got {batch_size}")
        if overlap < 0 or overlap >= batch_size:
            raise ValueError(f"OverlappingBatchSampler: overlap must be in [0, batch_size) = "
                             f"[0, {batch_size}), got {overlap}")
        if 2 * batch_size - overlap > self.n:
            raise ValueError(f"OverlappingBatchSampler: need 2·batch_size − overlap <= number of samples "
                             f"so that consecutive batches share only the overlap; got batch_size="
                             f"{batch_size}, overlap={overlap}, n={self.n}")
        self.batch_size, self.overlap, self.shuffle = batch_size, overlap, bool(shuffle)
        self.stride = batch_size - overlap
        self._gen = np.random.default_rng(seed) if seed is not None else None
        self._last = np.zeros(0, dtype=np.int64)  # S_last of the previous pass
        self._carry = np.zeros(0, dtype=np.int64)  # O_last of the previous pass

    def _permutation(self) -> np.ndarray:
        g = self._gen if self._gen is not None else backend.rng()
        base = g.permutation(self.n).astype(np.int64) if self.shuffle else np.arange(self.n, dtype=np.int64)
        if self._last.size == 0:
            return base
        rest = base[~np.isin(base, self._carry)]
        # The first batch of this pass is O_last + rest[:s]; it may share nothing else with S_last,
        # so members of S_last among rest[:s] swap places with random later non-members.
        s = self.stride
        in_last = np.isin(rest, self._last)
        bad = np.flatnonzero(in_last[:s])
        if bad.size:
            good = np.flatnonzero(~in_last[s:]) + s
            pick = good[np.sort(g.choice(good.size, size=bad.size, replace=False))] if self.shuffle \
                else good[:bad.size]
            rest[bad], rest[pick] = rest[pick], rest[bad].copy()
        return np.concatenate([self._carry, rest])

    def __iter__(self) -> Iterator[OverlappingBatch]:
        perm = self._permutation()
        n, b, o, s = self.n, self.batch_size, self.overlap, self.stride
        ar_b, ar_o = np.arange(b), np.arange(o)
        k_total = len(self)
        for k in range(k_total):
            batch = perm[(k * s + ar_b) % n]
            overlap = perm[((k + 1) * s + ar_o) % n]
            if k == k_total - 1:
                self._last, self._carry = batch.copy(), overlap.copy()
            yield OverlappingBatch(batch, overlap)

    def __len__(self) -> int:
        return -(-self.n // self.stride)
