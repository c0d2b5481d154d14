"""The CPU's BLAS threads, through threadpoolctl (a runtime dependency; without it nothing is changed)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

_blas = None  # threadpoolctl's controller of the BLAS libraries, found on first use (False: none)


def _blas_controller() -> Any:
    """threadpoolctl's controller of the BLAS libraries NumPy uses, or False where there is none."""
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas = ThreadpoolController().select(user_api="blas")
        except Exception:  # an environment without it (or a BLAS it cannot see) keeps the BLAS's own threads
            _blas = False
    return _blas


def get_num_threads() -> int:
    """The number of threads the CPU's BLAS (matrix products, convolutions) runs on (``torch.get_num_threads``)."""
    blas = _blas_controller()
    threads = [lib["num_threads"] for lib in blas.info()] if blas else []
    if not threads:
        return os.cpu_count() or 1
    return max(threads)


def set_num_threads(num: int) -> None:
    """Run the CPU's BLAS on ``num`` threads from now on (``torch.set_num_threads``; through threadpoolctl)."""
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(num).__name__}")
    if num <= 0:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {num}")
    blas = _blas_controller()
    if blas:
        blas.limit(limits=int(num), user_api="blas")  # not as a context: the limit stays until changed
