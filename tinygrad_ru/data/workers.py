"""Worker processes for the DataLoader (``num_workers > 0``), as PyTorch's.

::

    main process                                        worker k  (k = 0 … num_workers-1)
    ────────────                                        ────────
    base_seed ← the library RNG (once per iterator)     seed = base_seed + k: random, the library RNG
    batches of indices from the sampler                   and NumPy's global generator; worker_init_fn(k)
    task (key, indices) → index_queue[k], round robin   loop: task → batch = fetch(indices)
      at most prefetch_factor tasks ahead per worker          → result_queue   (an exception travels
    result_queue → reorder by key → yield                       as its type and traceback text)

A batch that raised in a worker is re-raised in the main process with the worker's traceback in
its message.  The iterator shuts its workers down (a ``None`` task each, join, terminate what
hangs, join again: no zombies) at the end of an epoch, on any exception (KeyboardInterrupt too)
and when it is garbage collected; workers ignore Ctrl-C (the main process owns it) and exit on
their own if the main process dies.  ``persistent_workers=True`` keeps them for the next epoch.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import random
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tinygrad_ru import backend

__all__ = ["WorkerInfo", "get_worker_info"]

_POLL_S = 1.0  # how often a waiting side checks that the other side is still alive
_JOIN_S = 5.0  # how long shutdown waits for a worker before terminating it


@dataclass(frozen=True)
class WorkerInfo:
    """What :func:`get_worker_info` tells the code running in a worker process."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker process: its :class:`WorkerInfo` (``id``, ``num_workers``, ``seed``,
    ``dataset`` — this worker's copy); in the main process: None."""
    return _worker_info


class _KeyErrorMessage(str):
    """KeyError shows its message with repr(); this keeps the worker's traceback readable."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception raised in a worker, as its type and text, to re-raise in the main process."""

    def __init__(self, where: str) -> None:
        exc = sys.exc_info()[1]
        self.exc_type = type(exc)
        self.msg = f"Caught {self.exc_type.__name__} {where}.\nOriginal {traceback.format_exc()}"

    def reraise(self) -> None:
        msg = _KeyErrorMessage(self.msg) if self.exc_type is KeyError else self.msg
        try:
            exc = self.exc_type(msg)
        except Exception:  # an exception type whose constructor wants other arguments
            exc = RuntimeError(msg)
        raise exc from None


def _seed_worker(seed: int) -> None:
    random.seed(seed)
    backend.manual_seed(seed)
    backend.host.random.seed(seed % 2**32)  # NumPy's global generator, for user transforms that use it


def _worker_loop(fetch: Callable[[Any], Any], dataset: Any, index_queue: Any, result_queue: Any, done_event: Any,
                 worker_id: int, num_workers: int, base_seed: int, worker_init_fn: Callable | None,
                 parent_pid: int) -> None:
    """The body of worker process ``worker_id``: fetch the batches it is sent until told to stop."""
    global _worker_info
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's: it shuts us down
    seed = base_seed + worker_id
    _seed_worker(seed)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    init_error = None
    if worker_init_fn is not None:
        try:
            worker_init_fn(worker_id)
        except Exception:
            init_error = ExceptionWrapper(f"in DataLoader worker process {worker_id} (in worker_init_fn)")
    while True:
        try:
            task = index_queue.get(timeout=_POLL_S)
        except queue.Empty:
            if os.getppid() != parent_pid:  # the main process died: don't linger as an orphan
                break
            continue
        if task is None:
            break
        if done_event.is_set():  # shutting down: skip what is left until our None
            continue
        key, indices = task
        if init_error is not None:
            result, init_error = init_error, None
        else:
            try:
                result = fetch(indices)
            except Exception:
                result = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
        result_queue.put((key, result))
        del result
    if done_event.is_set():  # nobody reads results any more: don't wait at exit to flush them
        result_queue.cancel_join_thread()
        result_queue.close()


def _context(multiprocessing_context: Any) -> Any:
    if multiprocessing_context is None:
        return multiprocessing.get_context()
    if isinstance(multiprocessing_context, str):
        return multiprocessing.get_context(multiprocessing_context)
    return multiprocessing_context


def move_to_device(batch: Any, device: Any) -> Any:
    """The Tensors of a (nested tuple/list/dict) batch moved to ``device``."""
    if hasattr(batch, "to") and hasattr(batch, "grad_fn"):  # a Tensor
        return batch.to(device)
    if isinstance(batch, dict):
        return {k: move_to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, (tuple, list)):
        return type(batch)(move_to_device(v, device) for v in batch)
    return batch


class MultiProcessIterator:
    """An epoch (or, with persistent workers, every epoch) of batches loaded by worker processes.

    Made by :class:`~tinygrad_ru.data.DataLoader` when ``num_workers > 0``; ``fetch`` is the
    loader's batch maker (picklable), ``device`` where the batches go in the main process.
    """

    def __init__(self, fetch: Callable[[Any], Any], dataset: Any, num_workers: int, prefetch_factor: int,
                 device: Any, worker_init_fn: Callable | None = None, multiprocessing_context: Any = None,
                 timeout: float = 0, in_order: bool = True, persistent: bool = False) -> None:
        ctx = _context(multiprocessing_context)
        self.num_workers, self.prefetch_factor = num_workers, prefetch_factor
        self.device, self.timeout, self.in_order, self.persistent = device, timeout, in_order, persistent
        self.base_seed = int(backend.rng().integers(2**62))  # from the library RNG: manual_seed reproduces it
        self.result_queue = ctx.Queue()
        self.done_event = ctx.Event()
        self.index_queues, self.workers = [], []
        self.closed = False
        self.epoch = 0
        self.exhausted = True
        try:
            for k in range(num_workers):
                index_queue = ctx.Queue()
                index_queue.cancel_join_thread()
                w = ctx.Process(target=_worker_loop, daemon=True,
                                args=(fetch, dataset, index_queue, self.result_queue, self.done_event, k,
                                      num_workers, self.base_seed, worker_init_fn, os.getpid()))
                w.start()
                self.index_queues.append(index_queue)
                self.workers.append(w)
        except BaseException:
            self.shutdown()
            raise

    # ------------------------------------------------------------------ an epoch
    def start_epoch(self, batches: Iterable[Any]) -> MultiProcessIterator:
        """Begin a pass over ``batches`` (index lists); results of an earlier, unfinished pass are dropped."""
        if self.closed:
            raise RuntimeError("DataLoader: this worker iterator was shut down")
        self.epoch += 1
        self.batches = iter(batches)
        self.exhausted = False
        self.send_idx = self.rcvd_idx = 0
        self.outstanding: set[int] = set()
        self.ready: dict[int, Any] = {}
        self.next_worker = itertools.cycle(range(self.num_workers))
        for _ in range(self.prefetch_factor * self.num_workers):
            self._send_task()
        return self

    def _send_task(self) -> None:
        if self.exhausted:
            return
        try:
            indices = next(self.batches)
        except StopIteration:
            self.exhausted = True
            return
        self.index_queues[next(self.next_worker)].put(((self.epoch, self.send_idx), indices))
        self.outstanding.add(self.send_idx)
        self.send_idx += 1

    def __iter__(self) -> MultiProcessIterator:
        return self

    def __next__(self) -> Any:
        try:
            return self._next()
        except StopIteration:
            if not self.persistent:
                self.shutdown()
            raise
        except BaseException:  # a worker's exception, a dead worker, a timeout, Ctrl-C: stop the workers
            self.shutdown()
            raise

    def _next(self) -> Any:
        while True:
            if self.in_order and self.rcvd_idx in self.ready:
                i = self.rcvd_idx
                break
            if not self.in_order and self.ready:
                i = next(iter(self.ready))
                break
            if not self.outstanding and self.exhausted:
                raise StopIteration
            (epoch, i), data = self._receive()
            if epoch == self.epoch:  # (a result from an abandoned epoch is dropped)
                self.outstanding.discard(i)
                self.ready[i] = data
        data = self.ready.pop(i)
        self.rcvd_idx += 1
        self._send_task()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data if backend.parse_device(self.device)[0] == "cpu" else move_to_device(data, self.device)

    def _receive(self) -> Any:
        if self.closed:
            raise RuntimeError("DataLoader: this worker iterator was shut down")
        start = time.monotonic()
        while True:
            try:
                return self.result_queue.get(timeout=_POLL_S if not self.timeout else min(_POLL_S, self.timeout))
            except queue.Empty:
                dead = [w for w in self.workers if not w.is_alive()]
                if dead:
                    which = ", ".join(f"pid {w.pid}, exit code {w.exitcode}" for w in dead)
                    raise RuntimeError(f"DataLoader worker ({which}) exited unexpectedly") from None
                if self.timeout and time.monotonic() - start > self.timeout:
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds") from None

    # ------------------------------------------------------------------ the end
    def shutdown(self) -> None:
        """Stop and reap every worker (idempotent)."""
        if self.closed:
            return
        self.closed = True
        self.done_event.set()
        for q in self.index_queues:
            try:
                q.put(None)
            except (OSError, ValueError):  # pragma: no cover - a queue already closed
                pass
        deadline = time.monotonic() + _JOIN_S  # one wait for all: a busy worker is terminated after it
        for w in self.workers:
            w.join(timeout=max(0.0, deadline - time.monotonic()))
        for w in self.workers:
            if w.is_alive():
                w.terminate()
                w.join()
        for q in [*self.index_queues, self.result_queue]:
            q.cancel_join_thread()
            q.close()

    def __del__(self) -> None:
        if not getattr(self, "closed", True):
            self.shutdown()
