"""The measurements behind the CPU choices of ``backend.DevicePolicy`` (issue 10), paired in one run.

    python benchmarks/cpu_choices.py conv  [--batch 64]   # conv 6→16 at 16×16: kept im2col columns vs the
                                                          #   flat grid, chunk GEMMs on 1 or 2 BLAS threads
    python benchmarks/cpu_choices.py step  [--batch 64]   # lecture CIFAR step (SGD momentum): ours vs torch,
                                                          #   and ours with kept im2col columns (≤ 16 MiB)
    python benchmarks/cpu_choices.py mlp   [--batch 64] [--opt adam]   # lecture MLP step: ours vs torch
    python benchmarks/cpu_choices.py update               # SGD momentum / Adam on 4.1M floats: blocks vs whole
    python benchmarks/cpu_choices.py linear               # x·Wᵀ vs (W·xᵀ)ᵀ for the lecture's layer shapes

Everything but ``conv --threads 2`` runs on one thread and is timed by ``time.thread_time()``
(CPU time of this thread), which load from other processes barely moves; each figure is the
median over rounds in which the alternatives run back to back.  Never a test: only printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402


def _threads(n: int) -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(n)
    try:
        import torch

        torch.set_num_threads(n)
    except ImportError:  # torch is optional
        pass


def _paired(runs: dict, rounds: int, clock=time.thread_time) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in runs}
    for f in runs.values():
        f()  # warm-up
    for _ in range(rounds):
        for k, f in runs.items():
            t = clock()
            f()
            times[k].append(clock() - t)
    return times


def _show(title: str, times: dict[str, list[float]], unit: float = 1e3, base: str | None = None) -> None:
    parts = [f"{k} {statistics.median(v) * unit:.2f}" for k, v in times.items()]
    print(f"{title}: " + ", ".join(parts) + (" ms" if unit == 1e3 else " µs"))  # noqa: RUF001
    if base is not None:
        for k, v in times.items():
            if k != base:
                ratio = statistics.median(a / b for a, b in zip(v, times[base]))
                print(f"    {k} / {base} (paired median) = {ratio:.3f}")


def conv(batch: int, threads: int, rounds: int) -> None:
    import tinygrad_ru as tg
    import tinygrad_ru.nn.functional as F
    from tinygrad_ru import backend

    r = np.random.default_rng(0)
    x = r.standard_normal((batch, 6, 16, 16)).astype(np.float32)
    w = r.standard_normal((16, 6, 5, 5)).astype(np.float32)
    g = r.standard_normal((batch, 16, 16, 16)).astype(np.float32)
    base = backend.CPU_POLICY
    policies = {"kept im2col columns": dataclasses.replace(base, keep_cols_bytes=1 << 40),
                "flat grid, 1-thread chunk GEMMs": dataclasses.replace(base, keep_cols_bytes=0)}
    if threads > 1:
        policies["flat grid, 2-thread chunk GEMMs"] = dataclasses.replace(base, keep_cols_bytes=0,
                                                                         small_gemms_single_thread=False)

    def run(policy):
        def f():
            backend.CPU_POLICY = policy
            xt, wt = tg.tensor(x, requires_grad=True), tg.tensor(w, requires_grad=True)
            F.conv2d(xt, wt, padding=2).backward(tg.tensor(g))
        return f

    runs = {k: run(p) for k, p in policies.items()}
    try:
        import torch

        xs, ws, gs = (torch.from_numpy(a) for a in (x, w, g))

        def theirs():
            xt, wt = xs.clone().requires_grad_(), ws.clone().requires_grad_()
            torch.nn.functional.conv2d(xt, wt, padding=2).backward(gs)

        runs["torch"] = theirs
    except ImportError:
        pass
    clock = time.thread_time if threads == 1 else time.perf_counter
    times = _paired(runs, rounds, clock)
    backend.CPU_POLICY = base
    _show(f"conv 6→16 16×16 k5 b{batch} forward+backward, {threads} thread(s), "
          f"{'CPU time' if threads == 1 else 'wall clock'}", times, base="flat grid, 1-thread chunk GEMMs")


def step(batch: int, rounds: int) -> None:
    import torch

    import tinygrad_ru as tg
    from tinygrad_ru import models, nn, optim

    r = np.random.default_rng(0)
    x, y = r.standard_normal((batch, 3, 32, 32)).astype(np.float32), r.integers(0, 10, batch)
    tg.manual_seed(0)
    model = models.cifar_cnn()
    opt, loss_fn = optim.SGD(model.parameters(), lr=0.01, momentum=0.9), nn.NLLLoss()
    tn = torch.nn
    tmodel = tn.Sequential(tn.Conv2d(3, 6, 5, padding=2), tn.ReLU(), tn.MaxPool2d(2), tn.Conv2d(6, 16, 5, padding=2),
                           tn.ReLU(), tn.Flatten(), tn.Linear(4096, 1000), tn.ReLU(), tn.Linear(1000, 10),
                           tn.LogSoftmax(dim=1))
    topt = torch.optim.SGD(tmodel.parameters(), lr=0.01, momentum=0.9)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    from tinygrad_ru import backend

    base = backend.CPU_POLICY

    def ours(policy=base):
        def f():
            backend.CPU_POLICY = policy
            opt.zero_grad()
            loss_fn(model(tg.Tensor(x)), tg.Tensor(y)).backward()
            opt.step()
        return f

    def theirs():
        topt.zero_grad()
        torch.nn.functional.nll_loss(tmodel(xt), yt).backward()
        topt.step()

    kept = dataclasses.replace(base, keep_cols_bytes=16 << 20)
    times = _paired({"torch": theirs, "ours": ours(), "ours, columns kept ≤ 16 MiB": ours(kept)}, rounds)
    backend.CPU_POLICY = base
    _show(f"CIFAR net step b{batch}, SGD momentum, 1 thread, CPU time", times, base="torch")


def mlp(batch: int, opt_name: str, rounds: int) -> None:
    import torch

    import tinygrad_ru as tg
    from tinygrad_ru import models, nn, optim

    r = np.random.default_rng(0)
    x, y = r.random((batch, 784), dtype=np.float32), r.integers(0, 10, batch)
    tg.manual_seed(0)
    model = models.lecture_mlp()
    opt = (optim.SGD(model.parameters(), lr=0.01) if opt_name == "sgd"
           else optim.Adam(model.parameters(), lr=1e-3))
    tn = torch.nn
    tmodel = tn.Sequential(tn.Linear(784, 128), tn.ReLU(), tn.Linear(128, 64), tn.ReLU(), tn.Linear(64, 10),
                           tn.LogSoftmax(dim=1))
    topt = (torch.optim.SGD(tmodel.parameters(), lr=0.01) if opt_name == "sgd"
            else torch.optim.Adam(tmodel.parameters(), lr=1e-3))
    xt, yt, loss_fn = torch.from_numpy(x), torch.from_numpy(y), nn.NLLLoss()

    def ours():
        opt.zero_grad()
        loss_fn(model(tg.Tensor(x)), tg.Tensor(y)).backward()
        opt.step()

    def theirs():
        topt.zero_grad()
        torch.nn.functional.nll_loss(tmodel(xt), yt).backward()
        topt.step()

    _show(f"lecture MLP step b{batch} {opt_name}, 1 thread, CPU time", _paired({"torch": theirs, "ours": ours}, rounds),
          unit=1e6, base="torch")


def update(rounds: int) -> None:
    from tinygrad_ru import backend
    from tinygrad_ru.optim import _functional as OF
    from tinygrad_ru.optim.adam import adam_update
    from tinygrad_ru.optim.sgd import sgd_update

    r = np.random.default_rng(0)
    n = 4096 * 1000 + 6 * 75 + 16 * 150 + 10 * 1000  # the CIFAR net's 4.1M parameters, as one array
    arrays = [r.standard_normal(n).astype(np.float32) for _ in range(4)]
    arrays[3] = np.abs(arrays[3])
    sgd_args, adam_args = (0.01, 0.9, 1.0), (1e-3, 0.9, 0.1, 0.999, 1e-3, 1e-8, 0.5, 0.5**0.5)
    whole_sgd = backend.elementwise(sgd_update, arrays[0], momentum=True)
    whole_adam = backend.elementwise(adam_update, arrays[0])
    runs = {"SGD momentum whole": lambda: whole_sgd(arrays[0], arrays[1], arrays[2], *sgd_args),
            "SGD momentum in blocks": lambda: OF.fused(sgd_update, arrays[0], momentum=True)(
                arrays[0], arrays[1], arrays[2], *sgd_args),
            "Adam whole": lambda: whole_adam(*arrays, None, *adam_args),
            "Adam in blocks": lambda: OF.fused(adam_update, arrays[0])(*arrays, None, *adam_args)}
    _show(f"update of {n} float32 parameters, 1 thread, CPU time", _paired(runs, rounds))


def linear(rounds: int) -> None:
    r = np.random.default_rng(0)
    for rows, fin, fout in [(16, 4096, 1000), (64, 4096, 1000), (256, 4096, 1000), (64, 784, 128), (128, 784, 128),
                            (128, 128, 64), (128, 64, 10), (1024, 784, 4096)]:
        x, w = r.standard_normal((rows, fin)).astype(np.float32), r.standard_normal((fout, fin)).astype(np.float32)
        _show(f"linear {rows} rows {fin}→{fout}, 1 thread, CPU time",
              _paired({"x·Wᵀ": lambda x=x, w=w: x @ w.T, "(W·xᵀ)ᵀ": lambda x=x, w=w: (w @ x.T).T}, rounds),
              base="x·Wᵀ")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["conv", "step", "mlp", "update", "linear"])
    ap.add_argument("--opt", choices=["sgd", "adam"], default="sgd", help="mlp only")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1, help="conv only: BLAS threads (2: wall clock)")
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    _threads(args.threads if args.what == "conv" else 1)
    if args.what == "conv":
        conv(args.batch, args.threads, args.rounds)
    elif args.what == "step":
        step(args.batch, args.rounds)
    elif args.what == "mlp":
        mlp(args.batch, args.opt, args.rounds)
    elif args.what == "update":
        update(args.rounds)
    else:
        linear(args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
