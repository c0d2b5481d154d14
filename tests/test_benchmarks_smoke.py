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
