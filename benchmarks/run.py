"""Benchmarks: tinygrad_ru next to PyTorch CPU and hand-written NumPy, in one process, alternating.

    python benchmarks/run.py                 # everything (a few minutes on 2 cores)
    python benchmarks/run.py --quick         # tiny sizes: a smoke run, numbers meaningless
    python benchmarks/run.py --only mlp      # mlp | cnn | overhead | memory | device (repeatable)
    python benchmarks/run.py --device cuda   # the GPU table: ours on CuPy vs torch on CUDA (skips without one)
    python benchmarks/run.py --device cpu --only device --quick   # a dry run of the GPU table's path

Every measurement runs the frameworks in turn, round after round, on the same data with the
same thread count (2: threadpoolctl for the BLAS, ``torch.set_num_threads``), so that load from
other processes hits all of them alike.  A ratio is the median of the per-round ratios (paired),
a time the median over rounds.  Peak memory is measured in fresh subprocesses, one per framework.

Targets (issue 6): MLP epoch ≤ 0.65× PyTorch, CIFAR-net epoch ≤ 1.25× PyTorch, per-node overhead
≤ PyTorch, no memory growth over thousands of steps, peak RSS of an MLP epoch ≤ PyTorch.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import _env  # noqa: E402

if __name__ == "__main__":
    _env.prepare(keep_blas_env="--keep-blas-env" in sys.argv)

import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

THREADS = 2
CLOCK = time.perf_counter  # --cpu-time (with --threads 1): time.thread_time, which load barely moves

_child = sys.argv[sys.argv.index("--_memory-child") + 1] if "--_memory-child" in sys.argv else None
if _child in (None, "torch"):  # a memory child for another framework must not pay torch's RSS
    try:
        import torch
    except Exception:  # torch is optional: the NumPy loops are the reference then
        torch = None
else:
    torch = None

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None


@dataclass
class Sizes:
    mlp_samples: int = 60_000
    mlp_batches: tuple[int, ...] = (64, 128)
    mlp_rounds: int = 5
    cnn_samples: int = 5_000
    cnn_rounds: int = 3
    overhead_iters: int = 20_000
    overhead_rounds: int = 7
    mem_long: int = 5_000
    mem_short: int = 100
    mem_samples: int = 60_000


QUICK = Sizes(mlp_samples=512, mlp_batches=(64, 128), mlp_rounds=1, cnn_samples=64, cnn_rounds=1,
              overhead_iters=200, overhead_rounds=1, mem_long=40, mem_short=10, mem_samples=512)


@dataclass
class Row:
    name: str
    unit: str
    values: dict[str, float | None] = field(default_factory=dict)  # framework -> median
    ratios: dict[str, float | None] = field(default_factory=dict)  # "ours/torch" -> paired median
    target: str = ""
    met: bool | None = None
    note: str = ""


# ----------------------------------------------------------------------------------------------- data
_MNIST_CACHE: dict[int, tuple[np.ndarray, np.ndarray, str]] = {}


def mnist_like(n: int) -> tuple[np.ndarray, np.ndarray, str]:
    """n MNIST-shaped samples: the bundled 10k digits repeated, or synthetic ones if unavailable."""
    if n not in _MNIST_CACHE:
        _MNIST_CACHE[n] = _mnist_like(n)
    return _MNIST_CACHE[n]


def _mnist_like(n: int) -> tuple[np.ndarray, np.ndarray, str]:
    try:
        from tinygrad_ru.data import datasets

        ds = datasets.MNIST10k() if hasattr(datasets, "MNIST10k") else None
        x, y = _dataset_arrays(ds)
        x = x.reshape(len(x), -1).astype(np.float32)
        if x.max() > 1.5:
            x /= 255.0
        reps = -(-n // len(x))
        return np.ascontiguousarray(np.tile(x, (reps, 1))[:n]), np.tile(y.astype(np.int64), reps)[:n], \
            f"bundled MNIST-10k repeated to {n}"
    except Exception:
        r = np.random.default_rng(0)
        return r.random((n, 784), dtype=np.float32), r.integers(0, 10, n).astype(np.int64), f"{n} synthetic"


def _dataset_arrays(ds: Any) -> tuple[np.ndarray, np.ndarray]:
    for xa, ya in (("data", "targets"), ("images", "labels"), ("x", "y")):
        if hasattr(ds, xa) and hasattr(ds, ya):
            x, y = getattr(ds, xa), getattr(ds, ya)
            x = x.numpy() if hasattr(x, "numpy") else np.asarray(x)
            y = y.numpy() if hasattr(y, "numpy") else np.asarray(y)
            return x, y
    raise TypeError("unknown dataset layout")


def cifar_like(n: int) -> tuple[np.ndarray, np.ndarray]:
    r = np.random.default_rng(1)
    return r.standard_normal((n, 3, 32, 32), dtype=np.float32), r.integers(0, 10, n).astype(np.int64)


def batches(n: int, batch: int, seed: int) -> list[np.ndarray]:
    perm = np.random.default_rng(seed).permutation(n)
    return [perm[i:i + batch] for i in range(0, n, batch)]


# ----------------------------------------------------------------------------------------------- trainers
# A trainer factory returns a function that runs one epoch over the given index batches.
def framework_epoch(model: Any, opt: Any, loss_fn: Callable, to_tensor: Callable) -> Callable:
    """One epoch of the usual loop in a PyTorch-like framework (ours or torch): the timed work."""

    def epoch(x: np.ndarray, y: np.ndarray, idx: list) -> None:
        for b in idx:
            opt.zero_grad()
            loss_fn(model(to_tensor(x[b])), to_tensor(y[b])).backward()
            opt.step()

    return epoch


def numpy_epoch(net: Any) -> Callable:
    """One epoch of a hand-written NumPy network (its own forward, backward and update)."""

    def epoch(x: np.ndarray, y: np.ndarray, idx: list) -> None:
        for b in idx:
            net.train_step(x[b], y[b])

    return epoch


def ours_mlp(opt_name: str) -> Callable[[np.ndarray, np.ndarray, list], None]:
    import tinygrad_ru as tg
    from tinygrad_ru import models, nn, optim

    tg.manual_seed(0)
    model = models.lecture_mlp()
    opt = optim.SGD(model.parameters(), lr=0.01) if opt_name == "sgd" else optim.Adam(model.parameters(), lr=1e-3)
    return framework_epoch(model, opt, nn.NLLLoss(), tg.Tensor)


def torch_mlp(opt_name: str) -> Callable:
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10),
                          nn.LogSoftmax(dim=1))
    opt = (torch.optim.SGD(model.parameters(), lr=0.01) if opt_name == "sgd"
           else torch.optim.Adam(model.parameters(), lr=1e-3))
    return framework_epoch(model, opt, torch.nn.functional.nll_loss, torch.from_numpy)


def numpy_mlp(opt_name: str) -> Callable:
    from numpy_mlp import NumpyMLP

    return numpy_epoch(NumpyMLP(optimizer=opt_name, lr=0.01 if opt_name == "sgd" else 1e-3))


def ours_cnn() -> Callable:
    import tinygrad_ru as tg
    from tinygrad_ru import models, nn, optim

    tg.manual_seed(0)
    model = models.cifar_cnn()
    return framework_epoch(model, optim.SGD(model.parameters(), lr=0.01), nn.NLLLoss(), tg.Tensor)


def torch_cnn() -> Callable:
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(3, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5, padding=2), nn.ReLU(),
        nn.Flatten(), nn.Linear(4096, 1000), nn.ReLU(), nn.Linear(1000, 10), nn.LogSoftmax(dim=1),
    )
    return framework_epoch(model, torch.optim.SGD(model.parameters(), lr=0.01), torch.nn.functional.nll_loss,
                           torch.from_numpy)


def numpy_cnn() -> Callable:
    from numpy_cnn import NumpyCifarNet

    return numpy_epoch(NumpyCifarNet(lr=0.01))


# ----------------------------------------------------------------------------------------------- on a device
@dataclass
class DeviceCase:
    """One row of the device table: a model, an optimizer, a batch size and an epoch's sample count."""

    name: str
    model: str  # "mlp" | "wide" | "cnn"
    opt: str  # "adam" | "sgd-momentum"
    batch: int
    samples: int


def device_cases(quick: bool) -> list[DeviceCase]:
    """The issue-10 table (the H200 figures it started from: 1.93, 1.67, 14.1, 59.3 × torch)."""
    if quick:
        return [DeviceCase("lecture MLP b128 Adam", "mlp", "adam", 128, 512),
                DeviceCase("wide MLP b256 Adam (quick: 784-256-256-10)", "wide", "adam", 256, 512),
                DeviceCase("CIFAR net b64 SGD-momentum", "cnn", "sgd-momentum", 64, 128),
                DeviceCase("CIFAR net b256 SGD-momentum", "cnn", "sgd-momentum", 256, 256)]
    return [DeviceCase("lecture MLP b128 Adam", "mlp", "adam", 128, 60_000),
            DeviceCase("wide MLP 784-4096-4096-10 b1024 Adam", "wide", "adam", 1024, 65_536),
            DeviceCase("CIFAR net b64 SGD-momentum", "cnn", "sgd-momentum", 64, 5_000),
            DeviceCase("CIFAR net b256 SGD-momentum", "cnn", "sgd-momentum", 256, 5_000)]


DEVICE_TARGETS = {"mlp": 1.3, "wide": 1.1, "cnn": 2.0}  # ours/torch on the same GPU (issue 10)


def _layers(nn: Any, case: DeviceCase, quick: bool) -> Any:
    """The case's model in either framework (``nn`` is tinygrad_ru.nn or torch.nn: same layer names)."""
    if case.model == "cnn":
        return nn.Sequential(
            nn.Conv2d(3, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5, padding=2), nn.ReLU(),
            nn.Flatten(), nn.Linear(4096, 1000), nn.ReLU(), nn.Linear(1000, 10), nn.LogSoftmax(dim=1))
    h1, h2 = (128, 64) if case.model == "mlp" else ((256, 256) if quick else (4096, 4096))
    return nn.Sequential(nn.Linear(784, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(), nn.Linear(h2, 10),
                         nn.LogSoftmax(dim=1))


def _device_data(case: DeviceCase) -> tuple[np.ndarray, np.ndarray]:
    if case.model == "cnn":
        return cifar_like(case.samples)
    x, y, _ = mnist_like(case.samples)
    return x, y


def ours_on_device(case: DeviceCase, device: str, quick: bool) -> Callable[[list], None]:
    """An epoch of ours with the data, model and optimizer state on ``device``; waits for the device."""
    import tinygrad_ru as tg
    from tinygrad_ru import backend, nn, optim

    tg.manual_seed(0)
    model = _layers(nn, case, quick).to(device)
    opt = (optim.Adam(model.parameters(), lr=1e-3) if case.opt == "adam"
           else optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
    x, y = _device_data(case)
    xd, yd = backend.to_device(x, device), backend.to_device(y, device)
    loss_fn = nn.NLLLoss()

    def epoch(idx: list) -> None:
        for b in idx:
            opt.zero_grad()
            loss_fn(model(tg.Tensor(xd[b])), tg.Tensor(yd[b])).backward()
            opt.step()
        backend.synchronize(device)

    return epoch


def torch_on_device(case: DeviceCase, device: str, quick: bool) -> Callable[[list], None]:
    torch.manual_seed(0)
    dev = torch.device(device)
    model = _layers(torch.nn, case, quick).to(dev)
    opt = (torch.optim.Adam(model.parameters(), lr=1e-3) if case.opt == "adam"
           else torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
    x, y = _device_data(case)
    xd, yd = torch.from_numpy(x).to(dev), torch.from_numpy(y).to(dev)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    def epoch(idx: list) -> None:
        for b in idx:
            opt.zero_grad()
            torch.nn.functional.nll_loss(model(xd[b]), yd[b]).backward()
            opt.step()
        sync()

    return epoch


def bench_device(sizes: Sizes, rows: list[Row], log: Callable[[str], None], device: str = "cuda",
                 quick: bool = False) -> None:
    """The paired table on one device: ours (on CuPy for cuda) vs torch on the same device, data there."""
    import tinygrad_ru as tg
    from tinygrad_ru import backend

    if device == "cuda" and not tg.cuda_is_available():
        log("SKIP device table: --device cuda needs CuPy and a CUDA GPU; none here, nothing measured")
        return
    log(f"device: {backend.device_name(device)}; torch on "
        + (torch.cuda.get_device_name(0) if torch is not None and device == "cuda" else device))
    for case in device_cases(quick):
        n_batches = -(-case.samples // case.batch)
        make: dict[str, Callable] = {}

        def factory(builder: Callable, case: DeviceCase = case, n_batches: int = n_batches) -> Callable:
            def build() -> Callable[[], None]:
                epoch = builder(case, device, quick)
                # the same batches for both, as device index arrays for ours and host ones for torch
                idx = batches(case.samples, case.batch, seed=case.batch)[:n_batches]
                if builder is ours_on_device:
                    from tinygrad_ru import backend as b

                    idx = [b.to_device(i, device) for i in idx]
                epoch(idx[:2])  # warm-up: kernel compilation, allocator, cuDNN autotuning
                return lambda: epoch(idx)

            return build

        make["ours"] = factory(ours_on_device)
        if torch is not None:
            make["torch"] = factory(torch_on_device)
        times, errors = alternate(make, sizes.cnn_rounds)
        target = DEVICE_TARGETS[case.model]
        on_gpu = device == "cuda"
        row = Row(f"{device}: {case.name}", "s/epoch",
                  target=f"ours ≤ {target}× torch" if on_gpu else "none (GPU targets; dry run)")
        _fill(row, times, errors)
        ratio = row.ratios.get("ours/torch")
        row.met = None if ratio is None or not on_gpu else ratio <= target
        rows.append(row)
        log(_row_text(row))


# ----------------------------------------------------------------------------------------------- timing
def alternate(make: dict[str, Callable[[], Callable[[], None]]], rounds: int) -> tuple[dict, dict]:
    """Time each framework's ``run()`` once per round, rotating the order; return times and errors."""
    runners: dict[str, Callable[[], None]] = {}
    errors: dict[str, str] = {}
    for name, factory in make.items():
        try:
            runners[name] = factory()
        except Exception as exc:  # a framework that cannot even build is reported, not fatal
            errors[name] = _short(exc)
    times: dict[str, list[float]] = {name: [] for name in runners}
    names = list(runners)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)] if names else []
        for name in order:
            if name in errors:
                continue
            gc.collect()
            t0 = CLOCK()
            try:
                runners[name]()
            except Exception as exc:
                errors[name] = _short(exc)
                continue
            times[name].append(CLOCK() - t0)
    return {k: v for k, v in times.items() if k not in errors and v}, errors


def _short(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f"{os.path.relpath(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
    return f"{type(exc).__name__}: {exc} [{where}]".replace("\n", " ")[:300]


def paired(times: dict[str, list[float]], a: str, b: str) -> float | None:
    if a not in times or b not in times:
        return None
    pairs = [x / y for x, y in zip(times[a], times[b]) if y > 0]
    return statistics.median(pairs) if pairs else None


def med(times: dict[str, list[float]], name: str) -> float | None:
    return statistics.median(times[name]) if name in times else None


def bench_mlp(sizes: Sizes, rows: list[Row], log: Callable[[str], None]) -> None:
    x, y, desc = mnist_like(sizes.mlp_samples)
    log(f"MLP data: {desc}, {x.shape[0]} samples")
    for opt_name in ("sgd", "adam"):
        for batch in sizes.mlp_batches:
            idx = batches(len(x), batch, seed=batch)
            warm = idx[: max(2, min(20, len(idx) // 10))]
            make: dict[str, Callable] = {}

            def factory(builder: Callable, *args: Any, warm: list = warm, idx: list = idx) -> Callable:
                def build() -> Callable[[], None]:
                    epoch = builder(*args)
                    epoch(x, y, warm)  # warm-up: allocator, BLAS threads, lazy imports
                    return lambda: epoch(x, y, idx)

                return build

            make["ours"] = factory(ours_mlp, opt_name)
            if torch is not None:
                make["torch"] = factory(torch_mlp, opt_name)
            make["numpy"] = factory(numpy_mlp, opt_name)
            times, errors = alternate(make, sizes.mlp_rounds)
            row = Row(f"MLP epoch {opt_name.upper()} b{batch}", "s/epoch", target="ours ≤ 0.65× torch")
            _fill(row, times, errors)
            ratio = row.ratios.get("ours/torch")
            row.met = None if ratio is None else ratio <= 0.65
            rows.append(row)
            log(_row_text(row))


def bench_cnn(sizes: Sizes, rows: list[Row], log: Callable[[str], None]) -> None:
    x, y = cifar_like(sizes.cnn_samples)
    idx = batches(len(x), 64, seed=3)
    warm = idx[:2]
    make: dict[str, Callable] = {}

    def factory(builder: Callable) -> Callable:
        def build() -> Callable[[], None]:
            epoch = builder()
            epoch(x, y, warm)
            return lambda: epoch(x, y, idx)

        return build

    make["ours"] = factory(ours_cnn)
    if torch is not None:
        make["torch"] = factory(torch_cnn)
    make["numpy"] = factory(numpy_cnn)
    times, errors = alternate(make, sizes.cnn_rounds)
    row = Row(f"CIFAR net epoch SGD b64 ({len(x)} samples)", "s/epoch", target="ours ≤ 1.25× torch")
    _fill(row, times, errors)
    ratio = row.ratios.get("ours/torch")
    row.met = None if ratio is None else ratio <= 1.25
    rows.append(row)
    log(_row_text(row))


def bench_overhead(sizes: Sizes, rows: list[Row], log: Callable[[str], None]) -> None:
    n = sizes.overhead_iters

    def graph(leaf: Callable[[float], Any], three: bool) -> Callable[[], Callable[[], None]]:
        """The same tiny graph in any framework: ``leaf(v)`` makes a 1-element tensor that requires grad."""

        def build() -> Callable[[], None]:
            a, b = leaf(2.0), leaf(1.0)

            def run() -> None:
                for _ in range(n):
                    if three:
                        ((a + b) * (b + 1)).backward()
                    else:
                        (a + b).backward()

            return run

        return build

    def ours_leaf(v: float) -> Any:
        import tinygrad_ru as tg

        return tg.Tensor([v], requires_grad=True)

    def torch_leaf(v: float) -> Any:
        return torch.tensor([v], requires_grad=True)

    for three, label in ((False, "a + b, backward"), (True, "e = (a+b)·(b+1), backward")):
        make = {"ours": graph(ours_leaf, three)}
        if torch is not None:
            make["torch"] = graph(torch_leaf, three)
        times, errors = alternate(make, sizes.overhead_rounds)
        times = {k: [t / n * 1e6 for t in v] for k, v in times.items()}
        row = Row(f"overhead: {label}", "µs/iter", target="ours ≤ torch")
        _fill(row, times, errors)
        ratio = row.ratios.get("ours/torch")
        row.met = None if ratio is None else ratio <= 1.0
        rows.append(row)
        log(_row_text(row))


# ----------------------------------------------------------------------------------------------- memory
def memory_child(framework: str, steps_short: int, steps_long: int, samples: int) -> dict[str, Any]:
    """Run in a fresh process: peak RSS of one MLP epoch (b64, SGD), then RSS after short/long runs."""
    try:
        import psutil

        def rss() -> float:
            return psutil.Process().memory_info().rss / 2**20
    except ImportError:  # pragma: no cover
        def rss() -> float:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    if threadpool_limits is not None:
        threadpool_limits(THREADS)
    x, y, _ = mnist_like(samples)
    builders = {"ours": ours_mlp, "torch": torch_mlp, "numpy": numpy_mlp}
    if framework == "torch":
        torch.set_num_threads(THREADS)
    epoch = builders[framework]("sgd")
    idx = batches(len(x), 64, seed=0)
    base = rss()
    epoch(x, y, idx)
    peak = _peak_rss()
    # growth: the same number of fresh steps, measured after steps_short and after steps_long
    cycle = batches(len(x), 64, seed=1)
    done = 0
    gc.collect()
    after_short = None
    objects_short = None
    while done < steps_long:
        goal = steps_short if done < steps_short else steps_long
        take = min(len(cycle), goal - done)
        epoch(x, y, cycle[:take])
        done += take
        if done == steps_short:
            gc.collect()
            after_short, objects_short = rss(), len(gc.get_objects())
    gc.collect()
    return {"base": base, "peak": peak, "short": after_short, "long": rss(),
            "objects_short": objects_short, "objects_long": len(gc.get_objects())}


def _peak_rss() -> float:
    """Peak RSS of this process image in MiB: VmHWM (ru_maxrss would include the parent's before exec)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_memory(sizes: Sizes, rows: list[Row], log: Callable[[str], None]) -> None:
    results: dict[str, dict] = {}
    errors: dict[str, str] = {}
    names = ["ours", "numpy"] + (["torch"] if torch is not None else [])
    for name in names:
        cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(THREADS), "--_memory-child", name,
               "--_mem-args", f"{sizes.mem_short},{sizes.mem_long},{sizes.mem_samples}"]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=_env.child_env(), timeout=1800)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("MEMORY ")]
        if proc.returncode != 0 or not lines:
            errors[name] = (proc.stderr.strip().splitlines() or ["failed"])[-1][:300]
            continue
        results[name] = json.loads(lines[-1][len("MEMORY "):])
    peak = Row("peak RSS, one MLP epoch (SGD b64)", "MiB", target="ours ≤ torch")
    _fill(peak, {k: [v["peak"]] for k, v in results.items()}, errors)
    if "ours" in results and "torch" in results:
        peak.met = results["ours"]["peak"] <= results["torch"]["peak"]
    peak.note = "RSS after imports+data: " + ", ".join(f"{k} {v['base']:.0f}" for k, v in results.items())
    rows.append(peak)
    log(_row_text(peak))
    growth = Row(f"RSS growth, step {sizes.mem_short} → {sizes.mem_long}", "MiB",
                 target="ours: no growth (< 2 MiB)")
    _fill(growth, {k: [v["long"] - v["short"]] for k, v in results.items()}, errors)
    if "ours" in results:
        g = results["ours"]["long"] - results["ours"]["short"]
        growth.met = g < 2.0
        o = results["ours"]
        growth.note = f"ours: live Python objects {o['objects_short']} → {o['objects_long']}"
    rows.append(growth)
    log(_row_text(growth))


# ----------------------------------------------------------------------------------------------- table
def _fill(row: Row, times: dict[str, list[float]], errors: dict[str, str]) -> None:
    for name in ("ours", "torch", "numpy"):
        row.values[name] = med(times, name)
    row.ratios["ours/torch"] = paired(times, "ours", "torch")
    row.ratios["numpy/torch"] = paired(times, "numpy", "torch")
    row.ratios["ours/numpy"] = paired(times, "ours", "numpy")
    if errors:
        row.note = "; ".join(f"{k} FAILED: {v}" for k, v in errors.items())


def _fmt(v: float | None, digits: int = 3) -> str:
    if v is None:
        return "—"
    return f"{v:.{digits}g}" if abs(v) < 1000 else f"{v:.0f}"


def _row_text(row: Row) -> str:
    met = {True: "met", False: "NOT met", None: "n/a"}[row.met]
    return (f"{row.name:<42} {row.unit:<8} {_fmt(row.values.get('ours')):>8} {_fmt(row.values.get('torch')):>8} "
            f"{_fmt(row.values.get('numpy')):>8} {_fmt(row.ratios.get('ours/torch')):>9} "
            f"{_fmt(row.ratios.get('numpy/torch')):>9} {_fmt(row.ratios.get('ours/numpy')):>9}  "
            f"{row.target:<27} {met}")


def print_table(rows: list[Row]) -> None:
    head = (f"{'benchmark':<42} {'unit':<8} {'ours':>8} {'torch':>8} {'numpy':>8} {'ours/torch':>9} "
            f"{'np/torch':>9} {'ours/np':>9}  {'target':<27} status")
    print("\n" + head)
    print("-" * len(head))
    for row in rows:
        print(_row_text(row))
    notes = [f"  {row.name}: {row.note}" for row in rows if row.note]
    if notes:
        print("notes:")
        print("\n".join(notes))
    met = sum(r.met is True for r in rows)
    print(f"\ntargets met: {met} of {sum(r.met is not None for r in rows)}")


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def header(sizes: Sizes, quick: bool) -> None:
    print("tinygrad_ru benchmarks" + (" (--quick: tiny sizes, numbers are not meaningful)" if quick else ""))
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch is not None else 'not installed'}, "
          f"{os.cpu_count()} CPUs, {THREADS} threads per framework, timed by "
          + ("this thread's CPU time (--cpu-time)" if CLOCK is time.thread_time else "wall clock"))
    print(_env.blas_line())
    print(f"load average at start: {_load()}" + (
        "  WARNING: the machine is busy (load > CPUs): expect noisy times; ratios are paired per round"
        if os.getloadavg()[0] > (os.cpu_count() or 1) else ""))
    dropped = _env.unset_blas_vars()
    if dropped:
        print("WARNING: the calling environment sets " + ", ".join(f"{k}={v}" for k, v in dropped.items())
              + " (a slower BLAS kernel here); this benchmark process runs without it")
    elif any(k in os.environ for k in _env.BLAS_VARS):
        print("WARNING: " + ", ".join(f"{k}={os.environ[k]}" for k in _env.BLAS_VARS if k in os.environ)
              + " is set (--keep-blas-env): OpenBLAS may run a slower kernel")


def _set_threads(n: int) -> None:
    global THREADS
    THREADS = n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    ap.add_argument("--only", action="append", choices=["mlp", "cnn", "overhead", "memory", "device"],
                    help="run only these parts (repeatable)")
    ap.add_argument("--device", choices=["cpu", "cuda"], default=None,
                    help="the device table (part 'device'): ours vs torch with data on this device; "
                         "--device cuda alone runs just that table (a skip line without a GPU)")
    ap.add_argument("--rounds", type=int, default=None, help="rounds per timing (default: 5 MLP, 3 CNN)")
    ap.add_argument("--threads", type=int, default=2, help="BLAS/torch threads per framework (default 2)")
    ap.add_argument("--keep-blas-env", action="store_true", help="do not unset OPENBLAS_CORETYPE/L2_SIZE")
    ap.add_argument("--cpu-time", action="store_true",
                    help="time CPU work by this thread's CPU time (needs --threads 1; not for --device cuda): "
                         "on a loaded machine it stays close to the quiet figures, wall-clock does not")
    ap.add_argument("--_memory-child", dest="memory_child", help=argparse.SUPPRESS)
    ap.add_argument("--_mem-args", dest="mem_args", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    _set_threads(args.threads)
    if args.cpu_time:
        if args.threads != 1 or args.device == "cuda":
            ap.error("--cpu-time needs --threads 1 and the CPU (other threads' and the GPU's work is not counted)")
        global CLOCK
        CLOCK = time.thread_time

    limiter = threadpool_limits(THREADS) if threadpool_limits is not None else None  # noqa: F841
    if torch is not None:
        torch.set_num_threads(THREADS)

    if args.memory_child:
        short, long, samples = (int(v) for v in args.mem_args.split(","))
        print("MEMORY " + json.dumps(memory_child(args.memory_child, short, long, samples)), flush=True)
        return 0

    sizes = QUICK if args.quick else Sizes()
    if args.rounds:
        sizes.mlp_rounds = sizes.cnn_rounds = sizes.overhead_rounds = args.rounds
    header(sizes, args.quick)
    parts = args.only or (["device"] if args.device == "cuda" else ["mlp", "cnn", "overhead", "memory"])
    device = args.device or "cuda"
    rows: list[Row] = []

    def log(text: str) -> None:
        print("  " + text, flush=True)

    for part in parts:
        t0 = time.perf_counter()
        print(f"[{part}] running ...", flush=True)
        if part == "device":
            bench_device(sizes, rows, log, device, args.quick)
        else:
            {"mlp": bench_mlp, "cnn": bench_cnn, "overhead": bench_overhead, "memory": bench_memory}[part](
                sizes, rows, log)
        print(f"[{part}] {time.perf_counter() - t0:.1f} s", flush=True)
    print_table(rows)
    print(f"load average at end: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
