"""Checkpoints under abuse: deeply nested manifests, saves killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import serialization
from tinygrad_ru.serialization import CheckpointError

ROOT = Path(__file__).resolve().parents[1]


def _write_manifest(path: Path, root_json: str) -> None:
    head = json.dumps({"format": serialization.FORMAT, "version": serialization.VERSION})[:-1]
    blob = np.frombuffer((head + ', "root": ' + root_json + "}").encode("utf-8"), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, **{serialization._MANIFEST: blob})


def _nested(depth: int) -> str:
    """The JSON text of a list nested ``depth`` levels deep (written as text: json.dumps can't go so deep)."""
    return '{"type": "list", "items": [' * depth + '{"type": "value", "value": 1}' + "]}" * depth


@pytest.mark.parametrize("depth", [300, 5000, 100_000])
def test_deeply_nested_manifest_is_a_checkpoint_error(tmp_path, depth):
    # 300: the decoder's limit; 5000 and 100000: deeper than json's parser can go (RecursionError before)
    path = tmp_path / "deep.npz"
    _write_manifest(path, _nested(depth))
    with pytest.raises(CheckpointError, match="nested deeper than"):
        tg.load(path)


def test_nesting_within_the_limit_round_trips_and_save_refuses_deeper(tmp_path):
    obj: list = [1.5]
    for _ in range(serialization._MAX_DEPTH - 1):
        obj = [obj]
    tg.save(obj, tmp_path / "ok.npz")
    loaded = tg.load(tmp_path / "ok.npz")
    for _ in range(serialization._MAX_DEPTH - 1):
        loaded = loaded[0]
    assert loaded == [1.5]
    with pytest.raises(ValueError, match="nested deeper than"):
        tg.save([[obj]], tmp_path / "too_deep.npz")
    assert not (tmp_path / "too_deep.npz").exists()


_KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from tinygrad_ru.serialization import atomic_write

    def write(f):
        f.write(b"PK" + bytes(1 << 20))   # a megabyte of a checkpoint ...
        f.flush()
        print("writing", flush=True)
        time.sleep(600)                   # ... and the process is killed here

    atomic_write(sys.argv[1], write)
""")


def _kill_during_save(target: Path) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target)], stdout=subprocess.PIPE, env=env)
    try:
        assert proc.stdout.readline().strip() == b"writing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)  # reaped: its PID no longer names a running process
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and PID checks are POSIX")
def test_next_save_removes_temporaries_of_saves_killed_by_sigkill(tmp_path):
    target = tmp_path / "w.npz"
    tg.save({"x": tg.tensor([1.0, 2.0])}, target)
    _kill_during_save(target)
    first = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(first) == 1 and first[0].startswith(".w.npz.tgru-")
    _kill_during_save(target)  # this save removed the first one's leftover before it was killed too
    stale = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(stale) == 1 and stale != first
    # the old checkpoint survived the killed saves
    np.testing.assert_array_equal(tg.load(target)["x"].numpy(), [1.0, 2.0])

    # files that are not ours, or not stale, must survive the cleanup
    host_prefix = serialization._host_prefix(str(target))
    keep = [
        ".w.npz.abcdefgh.tmp",                               # the same target, not our pattern
        f"{host_prefix}{os.getpid()}-abcdefgh.tmp",          # a save of a process still running
        f"{host_prefix}12x-abcdefgh.tmp",                    # not exactly our pattern
        f"{host_prefix}999999999-abcdefgh.tmp.bak",          # not exactly our pattern
        f".other.npz.tgru-{host_prefix.split('.tgru-')[1]}999999999-abcdefgh.tmp",  # another target
        ".w.npz.tgru-otherhost-999999999-abcdefgh.tmp",      # written on another host
        "w.npz.tgru-x-1-abcdefgh.tmp",                       # not hidden
    ]
    for name in keep:
        (tmp_path / name).write_bytes(b"user data")
    tg.save({"x": tg.tensor([3.0])}, target)
    left = {p.name for p in tmp_path.iterdir()}
    assert not (set(stale) & left), "the stale temporaries of the killed saves were not removed"
    assert set(keep) <= left
    assert all((tmp_path / name).read_bytes() == b"user data" for name in keep)
    np.testing.assert_array_equal(tg.load(target)["x"].numpy(), [3.0])


def test_a_failed_write_leaves_no_temporary_and_keeps_the_target(tmp_path):
    target = tmp_path / "w.npz"
    tg.save({"x": tg.tensor([1.0])}, target)

    def failing(f):
        f.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        serialization.atomic_write(target, failing)
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]
    assert time.time() >= 0 and tg.load(target)["x"].shape == (1,)
