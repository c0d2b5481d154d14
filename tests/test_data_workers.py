"""DataLoader with worker processes (num_workers > 0), as PyTorch's: order, seeding, exceptions,
shutdown (end of epoch, break, Ctrl-C, a killed worker, a dead main process), no zombies."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import backend
from tinygrad_ru.data import DataLoader, Dataset, TensorDataset, get_worker_info

psutil = pytest.importorskip("psutil")
ROOT = Path(__file__).resolve().parents[1]


class Slow(Dataset):
    """Item i is (i, i²); uneven delays make workers finish out of order."""

    def __init__(self, n=24, delay=0.002):
        self.n, self.delay = n, delay

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        time.sleep(self.delay * ((i * 7) % 5))
        return np.float32(i), i * i


class Probe(Dataset):
    """Each item says which worker made it and what its random generators gave."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return (info.id, info.seed, getattr(info.dataset, "tag", -1), float(backend.rng().random()),
                random.random(), float(np.random.random()))


class Failing(Dataset):
    def __len__(self):
        return 12

    def __getitem__(self, i):
        if i == 7:
            raise ValueError(f"bad sample {i}")
        return np.float32(i)


def _children():
    return {p.pid for p in psutil.Process().children(recursive=True)}


def _assert_reaped(pids):
    """Every worker is gone: not running, not a zombie."""
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        assert pid not in _children()


def _pids(loader_iter):
    return [w.pid for w in loader_iter.workers]


@pytest.mark.parametrize("num_workers", [1, 2, 3])
def test_batches_come_in_the_samplers_order(num_workers):
    ds = Slow()
    ref = [(x.numpy().tolist(), y.numpy().tolist()) for x, y in DataLoader(ds, batch_size=5, shuffle=True, seed=3)]
    it = iter(DataLoader(ds, batch_size=5, shuffle=True, seed=3, num_workers=num_workers, prefetch_factor=3))
    got = [(x.numpy().tolist(), y.numpy().tolist()) for x, y in it]
    assert got == ref
    assert all(x.dtype == tg.float32 for x, _ in DataLoader(ds, batch_size=5, num_workers=num_workers))
    _assert_reaped(_pids(it))


def test_in_order_false_gives_every_batch_once():
    batches = [b[1].numpy().tolist() for b in DataLoader(Slow(), batch_size=4, num_workers=3, in_order=False)]
    assert sorted(batches) == [[i * i for i in range(k, k + 4)] for k in range(0, 24, 4)]


def test_tensor_dataset_collate_fn_and_single_samples():
    x, y = tg.randn(10, 3), tg.arange(10)
    ref = [b[0].numpy() for b in DataLoader(TensorDataset(x, y), batch_size=4)]
    got = [b[0].numpy() for b in DataLoader(TensorDataset(x, y), batch_size=4, num_workers=2, pin_memory=True)]
    assert all(np.array_equal(a, b) for a, b in zip(ref, got, strict=True))
    sizes = list(DataLoader(Slow(10), batch_size=4, num_workers=2, collate_fn=len))
    assert sizes == [4, 4, 2]
    singles = list(DataLoader(Slow(5), batch_size=None, num_workers=2))
    assert [s[1] for s in singles] == [0, 1, 4, 9, 16]


def test_worker_seeding_as_torch():
    """Worker k seeds random, the library RNG and NumPy's global generator with base_seed + k;
    base_seed comes from the library RNG, so manual_seed reproduces the epoch."""
    def tag(worker_id):
        get_worker_info().dataset.tag = 100 + worker_id

    def run():
        tg.manual_seed(0)
        loader = DataLoader(Probe(), batch_sampler=[[0, 2, 4, 6]], num_workers=2, worker_init_fn=tag,
                            collate_fn=lambda samples: tuple(zip(*samples)))
        (batch,) = list(loader)  # one batch: worker 0 makes it
        return batch

    first = run()
    assert first == run()  # reproducible under manual_seed
    wid, seed, tags, lib, py, npg = first
    assert wid == (0, 0, 0, 0) and tags == (100,) * 4
    base_seed = seed[0]
    tg.manual_seed(0)
    assert base_seed == int(backend.rng().integers(2**62))  # drawn from the library RNG
    random.seed(base_seed)
    assert py[0] == random.random()  # Python's random seeded with base_seed + 0
    tg.manual_seed(base_seed)
    assert lib[0] == float(backend.rng().random())  # so is the library RNG
    np.random.seed(base_seed % 2**32)
    assert npg[0] == np.random.random()  # and NumPy's global generator


def test_workers_draw_different_random_numbers():
    batches = list(DataLoader(Probe(), batch_size=2, num_workers=2, collate_fn=lambda s: s))
    by_worker = {}
    for batch in batches:
        for wid, seed, _, lib, _, _ in batch:
            by_worker.setdefault(wid, (seed, []))[1].append(lib)
    assert set(by_worker) == {0, 1}
    assert by_worker[1][0] == by_worker[0][0] + 1
    assert set(by_worker[0][1]).isdisjoint(by_worker[1][1])


def test_get_worker_info_is_none_in_the_main_process():
    assert get_worker_info() is None


def test_exception_in_a_worker_is_reraised_with_its_traceback():
    it = iter(DataLoader(Failing(), batch_size=2, num_workers=2))
    pids = _pids(it)
    with pytest.raises(ValueError) as err:
        list(it)
    text = str(err.value)
    assert "Caught ValueError in DataLoader worker process 1" in text  # batch 3 (samples 6, 7) went to worker 1
    assert "Traceback (most recent call last)" in text and 'raise ValueError(f"bad sample {i}")' in text
    assert "bad sample 7" in text
    _assert_reaped(pids)


def test_exception_in_worker_init_fn_is_reraised():
    def init(worker_id):
        raise RuntimeError(f"no init for {worker_id}")

    with pytest.raises(RuntimeError, match=r"(?s)worker_init_fn.*no init for 0"):
        list(DataLoader(Slow(4), batch_size=2, num_workers=1, worker_init_fn=init))


def test_key_error_message_stays_readable():
    class Missing(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return {}["label"]

    with pytest.raises(KeyError) as err:
        list(DataLoader(Missing(), batch_size=1, num_workers=1))
    assert "\n" in str(err.value) and "Caught KeyError" in str(err.value)


def test_break_and_garbage_collection_shut_workers_down():
    it = iter(DataLoader(Slow(40), batch_size=2, num_workers=2))
    pids = _pids(it)
    assert set(pids) <= _children()
    for _ in it:
        break
    del it, _
    _assert_reaped(pids)


def test_keyboard_interrupt_in_the_loop_body_leaves_no_workers():
    loader = DataLoader(Slow(40), batch_size=2, num_workers=2)
    before = _children()
    with pytest.raises(KeyboardInterrupt):
        for _ in loader:
            raise KeyboardInterrupt
    assert _children() <= before


def test_killed_worker_is_reported_not_waited_for():
    it = iter(DataLoader(Slow(400, delay=0.05), batch_size=1, num_workers=2))
    next(it)
    os.kill(it.workers[0].pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        for _ in it:
            pass
    _assert_reaped(_pids(it))


def test_timeout():
    with pytest.raises(RuntimeError, match="timed out after 0.2 seconds"):
        list(DataLoader(Slow(4, delay=1.0), batch_size=1, num_workers=1, timeout=0.2, sampler=[3]))


def test_persistent_workers_keep_their_processes_and_drop_an_abandoned_epoch():
    loader = DataLoader(Slow(20), batch_size=4, num_workers=2, persistent_workers=True)
    it = iter(loader)
    pids = _pids(it)
    next(it)  # abandon epoch 1 after one batch: its prefetched batches must not leak into epoch 2
    second = [y.numpy().tolist() for _, y in loader]
    assert second == [[i * i for i in range(k, k + 4)] for k in range(0, 20, 4)]
    assert _pids(loader._iterator) == pids and all(w.is_alive() for w in loader._iterator.workers)
    assert len([b for b in loader]) == 5
    loader._iterator.shutdown()
    _assert_reaped(pids)


def test_worker_options_checked_as_torch():
    torch = pytest.importorskip("torch")
    tds = torch.utils.data
    bad = [dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(persistent_workers=True)]
    for kwargs in bad:
        with pytest.raises(ValueError) as theirs:
            tds.DataLoader(tds.TensorDataset(torch.zeros(4)), **kwargs)
        with pytest.raises(ValueError) as ours:
            DataLoader(TensorDataset(tg.zeros(4)), **kwargs)
        assert str(ours.value) == str(theirs.value)


def _run_script(body, tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(body))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, start_new_session=True)


_SLOW_SCRIPT = """
    import time, numpy as np, tinygrad_ru as tg
    from tinygrad_ru.data import DataLoader, Dataset

    class Slow(Dataset):
        def __len__(self):
            return 10_000
        def __getitem__(self, i):
            time.sleep(0.01)
            return np.float32(i)

    loader = DataLoader(Slow(), batch_size=4, num_workers=2, persistent_workers=True)
    it = iter(loader)
    next(it)
    print(*[w.pid for w in it.workers], flush=True)
    {end}
"""


def _wait_gone(pids, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in pids):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_ctrl_c_stops_the_main_process_and_its_workers(tmp_path):
    """SIGINT to the whole process group (what Ctrl-C in a terminal does): KeyboardInterrupt in the
    main process, no traceback from the workers, and no worker left behind."""
    proc = _run_script(_SLOW_SCRIPT.format(end="for _ in it: pass"), tmp_path)
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    assert "worker process" not in err  # the workers ignore Ctrl-C: one traceback, the main one
    assert _wait_gone(pids)


@pytest.mark.slow
def test_workers_exit_when_the_main_process_dies(tmp_path):
    proc = _run_script(_SLOW_SCRIPT.format(end="import os; os._exit(0)"), tmp_path)  # no clean-up at all
    pids = [int(p) for p in proc.stdout.readline().split()]
    proc.communicate(timeout=30)
    assert _wait_gone(pids)  # orphans notice their parent is gone and exit


def test_worker_batches_move_to_the_loaders_device():
    """Workers make host batches (no accelerator work in a forked child); the main process moves them."""
    standin = pytest.importorskip("standin_backend")
    standin.register()
    try:
        x, y = np.arange(20, dtype=np.float32).reshape(10, 2), np.arange(10)
        batches = list(DataLoader(TensorDataset(tg.tensor(x), tg.tensor(y)), batch_size=4, num_workers=2,
                                  device=standin.DEVICE))
        assert all(isinstance(b.data, standin.DeviceArray) for batch in batches for b in batch)
        np.testing.assert_array_equal(standin.to_host(batches[-1][0].data), x[8:])
    finally:
        standin.unregister()


def test_a_stuck_worker_is_terminated_and_reaped(monkeypatch):
    from tinygrad_ru.data import workers

    monkeypatch.setattr(workers, "_JOIN_S", 0.2)  # (how long shutdown waits before terminating)
    it = iter(DataLoader(Slow(4, delay=10.0), batch_size=1, num_workers=2, timeout=0.3, sampler=[1, 2]))
    with pytest.raises(RuntimeError, match="timed out"):
        next(it)  # both workers are inside a 10-20 s __getitem__ when shutdown comes
    assert all(w.exitcode == -signal.SIGTERM for w in it.workers)
    _assert_reaped(_pids(it))


@pytest.mark.parametrize("context", ["spawn", "forkserver"])
def test_workers_started_without_fork(context):
    """spawn/forkserver (macOS's and Windows' default, Linux's from Python 3.14): the dataset and the
    batch maker travel by pickle; order, values and a worker's exception as with fork."""
    x = tg.arange(10.0)
    batches = list(DataLoader(TensorDataset(x, tg.arange(10)), batch_size=4, num_workers=2,
                              multiprocessing_context=context))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    with pytest.raises(ValueError, match="bad sample 7"):
        list(DataLoader(Failing(), batch_size=4, num_workers=1, multiprocessing_context=context))
