"""benchmarks/run.py --quick runs end to end and prints its table (no time is asserted, ever)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_benchmark_quick_prints_the_table():
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--quick"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "BLAS: " in out
    for row in ("MLP epoch SGD b64", "MLP epoch ADAM b128", "CIFAR net epoch SGD b64", "overhead: a + b",
                "overhead: e = (a+b)", "peak RSS, one MLP epoch", "RSS growth"):
        assert row in out, f"row {row!r} missing from the table:\n{out}"
    assert "targets met:" in out
    # our framework ran every part (a failure is reported in the notes as "ours FAILED: ...")
    assert "ours FAILED" not in out, out


def test_benchmark_rejects_unknown_part():
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--only", "nonsense"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert proc.returncode != 0 and "invalid choice" in proc.stderr


def test_benchmark_device_cuda_skips_cleanly_without_a_gpu():
    import tinygrad_ru as tg

    if tg.cuda_is_available():
        pytest.skip("a GPU is present: the real table runs instead (python benchmarks/run.py --device cuda)")
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--device", "cuda"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "SKIP device table: --device cuda needs CuPy and a CUDA GPU" in proc.stdout
    assert "MLP epoch" not in proc.stdout  # only the device table was asked for


@pytest.mark.slow
def test_benchmark_device_table_dry_run_on_cpu():
    """The GPU table's code path (data and model on the device, a sync per epoch) run on the CPU."""
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--device", "cpu", "--only", "device",
         "--quick", "--rounds", "1"],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "device: cpu (" in out
    for row in ("cpu: lecture MLP b128 Adam", "cpu: wide MLP", "cpu: CIFAR net b64 SGD-momentum",
                "cpu: CIFAR net b256 SGD-momentum"):
        assert row in out, f"row {row!r} missing:\n{out}"
    assert "ours FAILED" not in out and "torch FAILED" not in out, out


def test_benchmark_cpu_time_needs_one_thread():
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--cpu-time", "--threads", "2"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert proc.returncode != 0 and "--cpu-time needs --threads 1" in proc.stderr
