"""The device policy: how big a piece of work each kind of device takes at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DevicePolicy:
    """How big a piece of work to hand the device at once: the one place that knows the device's taste.

    A CPU core reads from a small cache (~0.5 MiB of L2) and a call costs nothing, so the ops cut
    big temporaries (conv columns) into cache-sized chunks and walk small strided views in loops.
    A GPU has gigabytes of memory and each kernel launch costs ~5–10 µs, so the same work goes in
    whole batches — one launch over everything — as long as it fits in free device memory.

    * ``whole_batch``: False → chunks of ``cache_bytes``; True → chunks bounded by
      ``memory_fraction`` of ``free_memory()`` (one chunk per batch in practice).
    * ``keep_cols_bytes``: a stride-1 convolution keeps its im2col columns for the weight gradient
      up to this size instead of rebuilding them chunk by chunk in cache (the flat grid).  The CPU
      keeps none: with the chunk GEMMs on one BLAS thread, always rebuilding measured faster
      (lecture CIFAR step, paired: 1 thread CPU time b16/b64/b96 0.94/0.95/0.95 of the time with
      the earlier 16 MiB limit; 2 threads under load 0.71/0.87).  An accelerator keeps them
      whenever they fit its workspace: one big GEMM instead of many chunks.
    * ``pool_argmax``: max-pooling finds each window's maximum with one argmax over a copied
      window axis (few launches) instead of kh·kw passes over strided views (no copy: the CPU's way).
    * ``defer_host_reads``: reading a value to the host waits for all queued device work, so on a
      GPU ``fit()`` reads losses once per progress-bar refresh / epoch; the CPU checks each at once.
    * ``small_gemms_single_thread``: the CPU runs the many small per-chunk GEMMs on one BLAS thread
      (:func:`blas_single_thread`): split over 2 threads they gain nothing quiet, and on a loaded
      machine each call waits for the second thread (measured 1-thread vs 2-thread, load 18: conv
      6→16 at 16×16, b64, forward + backward 8 ms vs 1.1 s).
    """

    whole_batch: bool = False
    cache_bytes: int = 1 << 19
    keep_cols_bytes: int = 0
    free_memory: Callable[[], int] | None = None
    memory_fraction: float = 0.25
    pool_argmax: bool = False
    small_gemms_single_thread: bool = True
    defer_host_reads: bool = False

    def workspace_bytes(self) -> int:
        """Bytes one temporary may take: the cache budget, or a fraction of free device memory."""
        if not self.whole_batch:
            return self.cache_bytes
        free = self.free_memory() if self.free_memory is not None else 1 << 30
        return max(1, int(free * self.memory_fraction))

    def chunk(self, bytes_per_item: int, n: int) -> int:
        """How many of ``n`` items (images) to process at once, each needing ``bytes_per_item``."""
        return max(1, min(n, self.workspace_bytes() // max(1, bytes_per_item)))

    def weight_first(self, rows: int, in_features: int, out_features: int) -> bool:
        """Compute a linear layer x·Wᵀ as (W·xᵀ)ᵀ?  OpenBLAS (1 thread, CPU time) is faster with the
        weight first when the batch is small next to the layer: 4096→1000 at 16/64/256 rows 0.64/0.78/
        0.95 of the time, 784→128 at 64 rows 0.88; slower for narrow layers (128→64: 1.13, 64→10: 1.44)
        and no better for big batches (1024 rows: 0.99–1.04).  A GPU's BLAS takes either order."""
        return not self.whole_batch and 8 * rows <= in_features and out_features >= 128

    def keep_columns(self, nbytes: int) -> bool:
        """Keep ``nbytes`` of im2col columns for the weight gradient instead of rebuilding them?"""
        limit = self.workspace_bytes() if self.whole_batch else self.keep_cols_bytes
        return nbytes <= limit


CPU_POLICY = DevicePolicy()


def accelerator_policy(free_memory: Callable[[], int] | None = None) -> DevicePolicy:
    """The policy of a GPU-like device: whole batches bounded by free memory, few launches."""
    return DevicePolicy(whole_batch=True, free_memory=free_memory, pool_argmax=True, small_gemms_single_thread=False,
                        defer_host_reads=True)
