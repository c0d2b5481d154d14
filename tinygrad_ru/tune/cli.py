"""``tinygrad-ru tune``: hyper-parameter search from the command line.

    tinygrad-ru tune                                     # AutoML: default space, TPE + Hyperband, MNIST-10k
    tinygrad-ru tune --sampler grid --pruner none --trials 12
    tinygrad-ru tune --storage sqlite:///study.db --study-name lr   # run again: the study resumes
    tinygrad-ru tune --storage sqlite:///study.db --jobs 2          # two worker processes, one study
    tinygrad-ru tune --sampler nsga2 --pruner none --objectives acc,params
    tinygrad-ru train --config best.json                 # train the best configuration found
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .objective import Objective
from .plots import save_study_plots
from .space import default_space
from .study import PRUNERS, SAMPLERS, best_config, create_study, run, summary_table

MODELS = ("mlp", "lenet", "cifar-cnn")
DATASETS = ("mnist10k", "mnist", "fashion-mnist", "cifar10")
# the options passed on to worker processes (each with its dest); the rest are the parent's business
_WORKER_OPTIONS = ("model", "dataset", "sampler", "pruner", "timeout", "epochs", "study_name", "storage", "seed",
                   "limit", "space", "objectives", "root")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``tune`` sub-command to the main parser's sub-parsers."""
    p = sub.add_parser("tune", help="hyper-parameter search on Optuna (grid, random, TPE, Hyperband, NSGA-II)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=MODELS, default="mlp")
    p.add_argument("--dataset", choices=DATASETS, default="mnist10k",
                   help="default: the bundled MNIST-10k (offline); its train split is cut into train/validation")
    p.add_argument("--sampler", default="tpe", help=f"{' | '.join(SAMPLERS)} (default tpe)")
    p.add_argument("--pruner", default="hyperband", help=f"{' | '.join(PRUNERS)} (default hyperband)")
    p.add_argument("--trials", type=int, default=20, help="trials to run now (added to a stored study)")
    p.add_argument("--timeout", type=float, default=None, help="stop starting new trials after this many seconds")
    p.add_argument("--epochs", type=int, default=3, help="epochs per trial: the most a pruner lets a trial use")
    p.add_argument("--study-name", default="tinygrad-ru")
    p.add_argument("--storage", default=None,
                   help="database URL, e.g. sqlite:///study.db (default: in memory); a stored study resumes")
    p.add_argument("--jobs", type=int, default=1, help="worker processes on this machine sharing the storage")
    p.add_argument("--seed", type=int, default=0, help="seeds the sampler, the initial weights and the data split")
    p.add_argument("--limit", type=int, default=None, help="use only the first N training samples")
    p.add_argument("--space", default=None, help="a JSON file with the search space (default: the AutoML space)")
    p.add_argument("--objectives", default="acc", choices=["acc", "acc,params", "acc,time"],
                   help="acc, or accuracy against parameter count / training time (Pareto front; NSGA-II)")
    p.add_argument("--best-config", default="best.json", help="where to write the best configuration ('' for none)")
    p.add_argument("--plots", default=None, help="a folder for the study's pictures")
    p.add_argument("--root", default=None, help="where data sets live (full MNIST etc.; never downloaded here)")
    p.add_argument("--worker-index", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=main)
    return p


def _read_space(path: str | None, model: str) -> Any:
    if path is None:
        return default_space(model)
    try:
        with open(path, encoding="utf-8") as f:
            space = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"--space {path}: cannot read a JSON object ({e})") from None
    if not isinstance(space, dict):
        raise ValueError(f"--space {path}: the search space must be a JSON object, got {type(space).__name__}")
    return space


def _check(args: argparse.Namespace) -> None:
    if args.sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {args.sampler!r}; choose one of {', '.join(SAMPLERS)}")
    if args.pruner not in PRUNERS:
        raise ValueError(f"unknown pruner {args.pruner!r}; choose one of {', '.join(PRUNERS)}")
    for name in ("jobs", "trials", "epochs"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name} must be >= 1, got {getattr(args, name)}")
    if args.timeout is not None and not args.timeout > 0:
        raise ValueError(f"--timeout must be > 0 seconds, got {args.timeout}")


def _worker_argv(args: argparse.Namespace, trials: int, index: int) -> list[str]:
    argv = [sys.executable, "-m", "tinygrad_ru", "tune", "--trials", str(trials), "--worker-index", str(index)]
    for dest in _WORKER_OPTIONS:
        value = getattr(args, dest)
        if value is not None:
            argv += [f"--{dest.replace('_', '-')}", str(value)]
    return argv


def _run_workers(args: argparse.Namespace) -> None:
    """``--jobs N``: N processes (not threads: they would share the GIL), each running its share of the
    trials against the same storage; Optuna's storage hands out trial numbers, so none runs twice."""
    jobs = min(args.jobs, args.trials)
    shares = [args.trials // jobs + (i < args.trials % jobs) for i in range(jobs)]
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
    procs = [subprocess.Popen(_worker_argv(args, n, i), env=env) for i, n in enumerate(shares)]
    codes = [p.wait() for p in procs]
    if any(codes):
        raise RuntimeError(f"tune: worker exit codes {codes} (see their messages above)")


def main(args: argparse.Namespace) -> int:
    """Run the search, print a line per trial and the final table, write the best configuration."""
    _check(args)
    space = _read_space(args.space, args.model)
    objectives = tuple(args.objectives.split(","))
    objective = Objective(space, args.model, args.dataset, args.epochs, limit=args.limit, seed=args.seed,
                          objectives=objectives, root=args.root)
    worker = args.worker_index is not None
    if args.jobs > 1 and not args.storage:
        args.storage = f"sqlite:///{tempfile.mkdtemp(prefix='tinygrad-ru-tune-')}/study.db"
        print(f"--jobs {args.jobs} needs a shared storage: using {args.storage}")
    sampler_seed = args.seed + (args.worker_index or 0)  # workers must not propose the same points
    study = create_study(objective, args.sampler, args.pruner, args.study_name, args.storage, sampler_seed)
    if worker:
        try:
            run(objective, study, args.trials, args.timeout, on_trial=lambda line: print(line, flush=True))
        except KeyboardInterrupt:  # the parent reports it
            return 130
        return 0
    before = len(study.trials)
    if before:
        print(f"resuming study {args.study_name!r} in {args.storage}: {before} trials stored")
    print(f"tune: {args.model} on {args.dataset}, sampler {args.sampler}, pruner {args.pruner}, "
          f"{args.trials} trials x up to {args.epochs} epochs" + (f", {args.jobs} workers" if args.jobs > 1 else ""))
    start = time.perf_counter()
    try:
        if args.jobs > 1:
            _run_workers(args)
            study = create_study(objective, args.sampler, args.pruner, args.study_name, args.storage, args.seed)
        else:
            run(objective, study, args.trials, args.timeout, on_trial=lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        kept = f"; the finished trials are kept in {args.storage}" if args.storage else ""
        print(f"\ninterrupted{kept}")
    print(f"\n{summary_table(study, objectives)}\n({time.perf_counter() - start:.1f} s)")
    if args.best_config:
        try:
            config = best_config(study)
        except ValueError as e:
            print(f"no best configuration written: {e}")
        else:
            with open(args.best_config, "w", encoding="utf-8") as f:
                json.dump(config, f, indent=2)
            print(f"best configuration written to {args.best_config}; train it with:\n"
                  f"  tinygrad-ru train --config {args.best_config}")
    if args.plots:
        for path in save_study_plots(study, args.plots):
            print(f"picture: {path}")
    return 0
