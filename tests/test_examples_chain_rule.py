"""`python examples/chain_rule.py` prints the lecture's numbers and writes the graph."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("graphviz")


def _run(tmp_path: Path, path_env: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if path_env is not None:
        env["PATH"] = path_env
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / "chain_rule.py"), "--out", str(tmp_path / "cr")],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )


def test_chain_rule_example(tmp_path):
    proc = _run(tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "e = c · d = 6" in out
    assert "∂e/∂a = 2" in out and "∂e/∂b = 5" in out
    assert "∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5" in out
    dot = (tmp_path / "cr.dot").read_text(encoding="utf-8")
    assert "∂e/∂c = d = 2" in dot and "value = 6" in dot
    if shutil.which("dot"):
        assert "<svg" in (tmp_path / "cr.svg").read_text(encoding="utf-8")
        assert (tmp_path / "cr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chain_rule_example_without_dot(tmp_path):
    bindir = Path(sys.executable).parent
    proc = _run(tmp_path, path_env=str(bindir))  # a PATH where `dot` is not found
    if shutil.which("dot", path=str(bindir)):
        pytest.skip("dot lives next to the Python interpreter")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "cr.dot").exists() and not (tmp_path / "cr.svg").exists()
    assert "dot -Tsvg" in proc.stdout
