"""Hyper-parameter search on Optuna (tinygrad_ru.tune, `tinygrad-ru tune`): samplers, pruners, storages,
workers, faults.  Tiny data (the first few hundred MNIST-10k digits), 1–4 epochs, few trials."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from tinygrad_ru.cli import main  # noqa: E402
from tinygrad_ru.tune import (  # noqa: E402
    Objective,
    best_config,
    create_study,
    grid_of,
    make_pruner,
    make_sampler,
    open_storage,
    parse_space,
    run,
    suggest,
    summary_table,
    tune,
)

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
SPACE = {
    "optimizer": ["sgd", "adam"],
    "batch_size": {"low": 16, "high": 64, "step": 16},
    "lr": {"low": 1e-4, "high": 1e-1, "log": True, "grid": [1e-3, 1e-2]},
    "dropout": (0.0, 0.5),
    "width": 32,  # fixed
}
TINY = dict(limit=300, epochs=1)


def _quiet_study(sampler, space, directions=("maximize",)):
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    return optuna.create_study(sampler=make_sampler(sampler, space, seed=1), directions=list(directions))


# ------------------------------------------------------------------ the search space
@pytest.mark.parametrize("sampler", ["grid", "random", "tpe", "nsga2"])
def test_each_sampler_proposes_valid_points(sampler):
    space = dict(SPACE)
    if sampler == "grid":  # the grid needs a finite set of dropout values
        space["dropout"] = {"low": 0.0, "high": 0.5, "step": 0.25}
    seen = []

    def objective(trial):
        config = suggest(trial, space)
        seen.append(config)
        return -abs(config["lr"] - 0.01) - config["dropout"]

    study = _quiet_study(sampler, space)
    study.optimize(objective, n_trials=12)
    assert len(seen) == 12
    checked, _ = parse_space(space)
    for config in seen:
        assert config["width"] == 32
        for p in checked:
            assert p.contains(config[p.name]), (sampler, p.name, config[p.name])
        assert isinstance(config["batch_size"], int) and config["batch_size"] % 16 == 0
        if sampler == "grid":
            assert config["lr"] in (1e-3, 1e-2) and config["dropout"] in (0.0, 0.25, 0.5)
    if sampler in ("random", "tpe", "nsga2"):  # continuous ranges are really sampled, not a grid
        assert len({c["lr"] for c in seen}) > 3


def test_grid_covers_its_grid_exactly_once():
    space = {"optimizer": ["sgd", "adam", "momentum"], "lr": {"low": 0.0, "high": 1.0, "grid": [0.1, 0.5]},
             "batch_size": 32}
    study = _quiet_study("grid", space)
    run_count = []
    study.optimize(lambda t: run_count.append(1) or len(suggest(t, space)), n_trials=20)  # grid stops itself
    combos = [(t.params["optimizer"], t.params["lr"]) for t in study.trials]
    assert len(run_count) == 6
    assert sorted(combos) == sorted(itertools.product(["sgd", "adam", "momentum"], [0.1, 0.5]))


def test_space_errors_are_clear():
    with pytest.raises(ValueError, match="empty"):
        parse_space({})
    with pytest.raises(ValueError, match="empty"):
        parse_space({"lr": 0.1})  # fixed values only: nothing to search
    with pytest.raises(ValueError, match="log-scaled"):
        parse_space({"lr": {"low": 0.0, "high": 1.0, "log": True}})
    with pytest.raises(ValueError, match="grid of 'lr'"):
        parse_space({"lr": {"low": 0.1, "high": 1.0, "grid": [0.01]}})
    with pytest.raises(ValueError, match=r"\(low, high\)"):
        parse_space({"lr": (0.1, 0.2, 0.3)})
    with pytest.raises(ValueError, match="'lr' is a continuous range"):
        grid_of({"lr": {"low": 1e-4, "high": 1e-1, "log": True}})
    with pytest.raises(ValueError, match="dict search space"):
        grid_of(lambda trial: {"lr": trial.suggest_float("lr", 0.1, 1)})
    assert grid_of({"n": (1, 4), "x": {"low": 0.0, "high": 1.0, "step": 0.5}}) == {"n": [1, 2, 3, 4],
                                                                                    "x": [0.0, 0.5, 1.0]}
    with pytest.raises(ValueError, match="unknown hyper-parameters"):
        Objective({"lr": [0.1], "momentun": [0.9]})


def test_unknown_sampler_and_pruner():
    with pytest.raises(ValueError, match="unknown sampler 'bayes'"):
        make_sampler("bayes", SPACE)
    with pytest.raises(ValueError, match="unknown pruner 'asha'"):
        make_pruner("asha", 3)
    assert type(make_pruner("hyperband", 3)).__name__ == "HyperbandPruner"
    assert type(make_pruner("halving", 3)).__name__ == "SuccessiveHalvingPruner"


def test_bad_storage_url_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="cannot open the storage 'nosuchdb://x'"):
        open_storage("nosuchdb://x")
    with pytest.raises(ValueError, match="cannot open the storage"):
        open_storage(f"sqlite:///{tmp_path}/no/such/dir/study.db")


# ------------------------------------------------------------------ training trials
@pytest.mark.slow
def test_hyperband_prunes_the_hopeless_half():
    # crafted: every second trial has lr 1e-6 (it cannot learn in 4 epochs), the others lr 0.1
    objective = Objective({"optimizer": "sgd", "lr": [1e-6, 0.1], "width": 32}, limit=400, epochs=4)
    # Hyperband puts a trial in a bracket by a hash of the study name and trial number: a fixed name
    study = create_study(objective, "random", "hyperband", study_name="hopeless-half", seed=0)
    for i in range(10):
        study.enqueue_trial({"lr": 1e-6 if i % 2 else 0.1})
    run(objective, study, 10, on_trial=None)
    hopeless = [t for t in study.trials if t.params["lr"] == 1e-6]
    good = [t for t in study.trials if t.params["lr"] == 0.1]
    pruned = [t for t in hopeless if t.state.name == "PRUNED"]
    assert all(t.state.name == "COMPLETE" for t in good)
    # the first hopeless trial has no competitor in its bracket yet; every later one is pruned
    assert all(t.state.name == "PRUNED" for t in hopeless[1:]), [t.state.name for t in hopeless]
    for t in pruned:  # a pruned trial ends cleanly, its partial history kept
        history = t.user_attrs["history"]
        assert 1 <= len(history) < 4 and t.user_attrs["reason"].startswith("pruned after epoch")
        assert [row["val_acc"] for row in history] == [t.intermediate_values[e + 1] for e in range(len(history))]
    assert all(len(t.user_attrs["history"]) == 4 for t in good)


@pytest.mark.slow
def test_diverging_trial_fails_with_its_reason_and_the_study_goes_on():
    objective = Objective({"optimizer": "sgd", "lr": [1e4, 0.1], "width": 32}, limit=300, epochs=2)
    study = create_study(objective, "grid", "hyperband", seed=0)
    study.enqueue_trial({"lr": 1e4})
    study.enqueue_trial({"lr": 0.1})
    lines = []
    run(objective, study, 2, on_trial=lines.append)
    bad, ok = study.trials
    assert bad.state.name == "FAIL" and "diverged" in bad.user_attrs["reason"]
    assert "nan" in bad.user_attrs["reason"] or "inf" in bad.user_attrs["reason"]
    assert ok.state.name == "COMPLETE" and ok.value > 0.2
    assert "FAIL" in lines[0] and "diverged" in lines[0] and "COMPLETE" in lines[1]


@pytest.mark.slow
def test_resume_from_sqlite_continues_numbering(tmp_path):
    url = f"sqlite:///{tmp_path}/study.db"
    kwargs = dict(space={"optimizer": "adam", "lr": {"low": 1e-3, "high": 1e-1, "log": True}, "width": 16},
                  sampler="random", pruner="none", storage=url, study_name="resume", on_trial=None, **TINY)
    first = tune(trials=2, **kwargs)
    old = [(t.number, t.value, t.params) for t in first.trials]
    second = tune(trials=2, seed=1, **kwargs)
    assert [t.number for t in second.trials] == [0, 1, 2, 3]
    assert [(t.number, t.value, t.params) for t in second.trials[:2]] == old
    assert len(optuna.load_study(study_name="resume", storage=url).trials) == 4


@pytest.mark.slow
def test_multi_objective_nsga2_accuracy_against_parameter_count():
    objective = Objective({"optimizer": "adam", "width": [8, 64]}, objectives=("acc", "params"), **TINY)
    with pytest.raises(ValueError, match="needs one objective"):
        create_study(objective, "nsga2", "hyperband")
    study = create_study(objective, "nsga2", "none", seed=0)
    run(objective, study, 3, on_trial=None)
    assert [d.name for d in study.directions] == ["MAXIMIZE", "MINIMIZE"]
    for t in study.trials:
        w = t.params["width"]
        assert t.values[1] == 784 * w + w + w * (w // 2) + w // 2 + (w // 2) * 10 + 10
    assert "Pareto front" in summary_table(study, ("acc", "params"))
    assert best_config(study)["width"] in (8, 64)


def test_function_space_and_pruning_callback_without_training():
    """A space as a function of the trial; TrialPruning reports every epoch and stops the trainer."""
    from tinygrad_ru.tune import TrialPruning

    def space(trial):
        opt = trial.suggest_categorical("optimizer", ["sgd", "adam"])
        return {"optimizer": opt, "lr": trial.suggest_float("lr", 1e-3, 1e-1, log=True)}

    study = optuna.create_study(direction="maximize", pruner=optuna.pruners.ThresholdPruner(lower=0.5))

    class FakeTrainer:
        stopped = None

        def stop(self, reason):
            self.stopped = reason

    def objective(trial):
        config = suggest(trial, space)
        trainer, cb = FakeTrainer(), TrialPruning(trial)
        cb.on_epoch_end(trainer, 0, {"val_acc": 0.9 if config["optimizer"] == "adam" else 0.1})
        if trainer.stopped:
            raise optuna.TrialPruned(trainer.stopped)
        return 0.9

    study.enqueue_trial({"optimizer": "sgd"})
    study.enqueue_trial({"optimizer": "adam"})
    study.optimize(objective, n_trials=2)
    assert [t.state.name for t in study.trials] == ["PRUNED", "COMPLETE"]


@pytest.mark.parametrize("pruner", ["median", "halving", "hyperband"])
def test_each_pruner_stops_hopeless_curves_early(pruner):
    """A crafted objective (no training): trial i has the curve q·epoch/9 with q = 1 for good and 0.05 for
    hopeless trials; TrialPruning reports it epoch by epoch and stops the (fake) trainer when told to."""
    from tinygrad_ru.tune import TrialPruning

    class FakeTrainer:
        def __init__(self):
            self.stopped = None

        def stop(self, reason):
            self.stopped = reason

    def objective(trial):
        quality = trial.suggest_categorical("quality", [0.05, 1.0])
        trainer, cb = FakeTrainer(), TrialPruning(trial, last_epoch=9)
        for epoch in range(9):
            cb.on_epoch_end(trainer, epoch, {"val_acc": quality * (epoch + 1) / 9})
            if trainer.stopped:
                raise optuna.TrialPruned(trainer.stopped)
        return quality

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name=f"crafted-{pruner}", direction="maximize",
                                pruner=make_pruner(pruner, 9), sampler=optuna.samplers.RandomSampler(seed=0))
    for i in range(16):
        study.enqueue_trial({"quality": 1.0 if i % 2 == 0 else 0.05})
    study.optimize(objective, n_trials=16)
    good = [t for t in study.trials if t.params["quality"] == 1.0]
    hopeless = [t for t in study.trials if t.params["quality"] == 0.05]
    assert all(t.state.name == "COMPLETE" for t in good)
    pruned = [t for t in hopeless if t.state.name == "PRUNED"]
    # at least half: Hyperband's last bracket trains every trial for the full budget on purpose
    assert len(pruned) >= len(hopeless) // 2 + (pruner != "hyperband"), [t.state.name for t in hopeless]
    assert all(len(t.intermediate_values) < 9 for t in pruned)  # stopped before the last epoch


# ------------------------------------------------------------------ the command line
def _cli(args, tmp_path, **kw):
    return subprocess.run([sys.executable, "-m", "tinygrad_ru", "tune", *args], capture_output=True, text=True,
                          env=ENV, cwd=tmp_path, **kw)


@pytest.mark.parametrize("args, message", [
    (["--sampler", "bayes"], "unknown sampler 'bayes'"),
    (["--pruner", "asha"], "unknown pruner 'asha'"),
    (["--jobs", "0"], "--jobs must be >= 1"),
    (["--trials", "0"], "--trials must be >= 1"),
    (["--storage", "nosuchdb://host/x"], "cannot open the storage 'nosuchdb://host/x'"),
    (["--sampler", "grid", "--space", "{continuous}"], "'lr' is a continuous range"),
    (["--space", "{empty}"], "search space is empty"),
    (["--objectives", "acc,params"], "needs one objective"),
])
def test_bad_input_is_a_clear_error(args, message, tmp_path, capsys):
    (tmp_path / "continuous.json").write_text(json.dumps({"lr": {"low": 1e-4, "high": 0.1, "log": True}}))
    (tmp_path / "empty.json").write_text("{}")
    args = [a.format(continuous=tmp_path / "continuous.json", empty=tmp_path / "empty.json") for a in args]
    code = main(["tune", "--limit", "100", "--epochs", "1", "--trials", "1", "--best-config", "", *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


@pytest.mark.slow
def test_cli_writes_a_config_that_train_accepts(tmp_path, capsys):
    best = tmp_path / "best.json"
    code = main(["tune", "--sampler", "random", "--pruner", "median", "--trials", "2", "--epochs", "1",
                 "--limit", "200", "--best-config", str(best)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("trial ") >= 2 and "best 2 trials" in out and "tinygrad-ru train --config" in out
    config = json.loads(best.read_text())
    assert {"optimizer", "lr", "batch_size", "width", "dropout", "weight_decay", "schedule"} <= set(config)
    from tinygrad_ru.cli import build_parser, read_config

    parser = build_parser()
    argv = ["train", "--config", str(best), "--epochs", "1"]
    args = read_config(parser, parser.train_parser, parser.parse_args(argv), argv)
    assert (args.optimizer, args.lr, args.width, args.schedule) == (config["optimizer"], config["lr"],
                                                                   config["width"], config["schedule"])
    assert args.epochs == 1  # a flag on the command line wins over the file
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"lr": 0.1, "momentun": 0.9}))
    assert main(["train", "--config", str(bad)]) == 2
    assert "unknown keys ['momentun']" in capsys.readouterr().err


@pytest.mark.slow
def test_train_runs_a_tuned_config(tmp_path, capsys):
    best = tmp_path / "best.json"
    best.write_text(json.dumps({"model": "mlp", "dataset": "mnist10k", "epochs": 1, "optimizer": "adamw",
                                "lr": 0.003, "batch_size": 128, "width": 64, "dropout": 0.1,
                                "weight_decay": 1e-4, "schedule": "cosine"}))
    assert main(["train", "--config", str(best), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert f"{784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10:,} parameters" in out and "AdamW lr=0.003" in out
    assert float(out.split("test accuracy ")[-1].split("%")[0]) > 80.0


@pytest.mark.slow
def test_two_worker_processes_share_one_storage(tmp_path):
    url = f"sqlite:///{tmp_path}/study.db"
    proc = _cli(["--jobs", "2", "--trials", "5", "--storage", url, "--study-name", "w", "--sampler", "random",
                 "--pruner", "none", "--limit", "200", "--epochs", "1", "--best-config", ""], tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    trials = optuna.load_study(study_name="w", storage=url).trials
    assert sorted(t.number for t in trials) == [0, 1, 2, 3, 4]
    assert all(t.state.name == "COMPLETE" for t in trials)
    assert len({t.params["lr"] for t in trials}) == 5  # the two workers did not propose the same points
    assert proc.stdout.count("COMPLETE") == 5 and "5 complete" in proc.stdout


@pytest.mark.slow
def test_sigkill_then_rerun_loses_no_finished_trial(tmp_path):
    url = f"sqlite:///{tmp_path}/study.db"
    args = ["--storage", url, "--study-name", "k", "--sampler", "random", "--pruner", "none", "--limit", "200",
            "--epochs", "1", "--best-config", ""]
    proc = subprocess.Popen([sys.executable, "-m", "tinygrad_ru", "tune", "--trials", "1000", *args], env=ENV,
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    try:
        while time.time() < deadline:
            time.sleep(0.5)
            try:
                done = [t for t in optuna.load_study(study_name="k", storage=url).trials if t.state.name == "COMPLETE"]
            except KeyError:  # the study is not created yet
                continue
            if len(done) >= 2:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert len(done) >= 2
    # read what was finished again after the kill: a trial may have completed between the poll and the kill
    done = [t for t in optuna.load_study(study_name="k", storage=url).trials if t.state.name == "COMPLETE"]
    before = {t.number: (t.value, t.params) for t in done}
    rerun = _cli(["--trials", "1", *args], tmp_path, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming study 'k'" in rerun.stdout
    after = optuna.load_study(study_name="k", storage=url).trials
    finished = {t.number: (t.value, t.params) for t in after if t.state.name == "COMPLETE"}
    assert all(finished[n] == before[n] for n in before)  # nothing finished was lost or changed
    new = [t for t in after if t.number not in before and t.state.name == "COMPLETE"]
    assert len(new) == 1 and new[0].number > max(before)  # the numbering goes on


# ------------------------------------------------------------------ pictures
def test_study_pictures_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    from tinygrad_ru.tune.plots import grid_vs_random, save_study_plots

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
        width = trial.suggest_int("width", 8, 64)
        for epoch in range(1, 4):
            trial.report(lr * epoch / 3 + width / 1000, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return lr + width / 1000

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=2))
    study.optimize(objective, n_trials=12)
    paths = save_study_plots(study, tmp_path)
    assert sorted(p.name for p in paths) == ["history.png", "intermediate_values.png", "parallel_coordinate.png",
                                             "param_importances.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000 for p in paths)
    grid = optuna.create_study(direction="maximize",
                               sampler=optuna.samplers.GridSampler({"lr": [0.01, 0.1, 1.0], "width": [8, 32, 64]}))
    grid.optimize(objective, n_trials=9)
    path = grid_vs_random(grid, study, "lr", "width", tmp_path / "gvr.png")
    assert path.stat().st_size > 10_000
