"""The benchmark's process environment: a clean BLAS, a fixed thread count.

Must be imported and :func:`prepare` called *before* NumPy is imported anywhere in the process.

On some machines ``OPENBLAS_CORETYPE`` (and ``OPENBLAS_L2_SIZE``) are set globally because old
OpenBLAS builds misbehave there; a current NumPy then runs a slower generic kernel.  The
benchmark unsets both in its own process only — it re-executes itself with a cleaned
environment — and reports the kernel it actually runs (threadpoolctl).  Tests and CI keep the
machine's setting.
"""

from __future__ import annotations

import os
import sys

BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_MARK = "TINYGRAD_RU_BENCH_CLEAN_ENV"
_ORIG_PREFIX = "TINYGRAD_RU_BENCH_ORIG_"


def prepare(keep_blas_env: bool = False) -> None:
    """Re-exec this script without the OpenBLAS overrides (once), unless asked to keep them."""
    if "numpy" in sys.modules:
        raise RuntimeError("benchmarks/_env.prepare() must run before numpy is imported")
    if keep_blas_env or os.environ.get(_MARK) == "1":
        return
    found = {k: os.environ[k] for k in BLAS_VARS if k in os.environ}
    if not found:
        return
    env = {k: v for k, v in os.environ.items() if k not in BLAS_VARS}
    env[_MARK] = "1"
    for k, v in found.items():
        env[_ORIG_PREFIX + k] = v
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def unset_blas_vars() -> dict[str, str]:
    """The OpenBLAS overrides the caller had set and this process dropped."""
    return {k: os.environ[_ORIG_PREFIX + k] for k in BLAS_VARS if _ORIG_PREFIX + k in os.environ}


def child_env() -> dict[str, str]:
    """The environment for a measuring subprocess: the same clean BLAS as this process."""
    return {k: v for k, v in os.environ.items() if k not in BLAS_VARS}


def blas_line() -> str:
    """The BLAS this process runs, as threadpoolctl sees it."""
    try:
        import threadpoolctl
    except ImportError:
        return "BLAS: unknown (pip install threadpoolctl)"
    import numpy  # noqa: F401  (load its BLAS so threadpoolctl can see it)

    parts = []
    for info in threadpoolctl.threadpool_info():
        if info.get("user_api") != "blas":
            continue
        parts.append(
            f"{info.get('internal_api')} {info.get('version')} kernel={info.get('architecture')} "
            f"threads={info.get('num_threads')} ({os.path.basename(info.get('filepath', ''))})"
        )
    return "BLAS: " + ("; ".join(parts) if parts else "none found")
