"""The main job: `tinygrad-ru train` on the bundled sample, and its errors."""

import subprocess
import sys

import pytest

from tinygrad_ru.cli import build_parser, main, make_optimizer


def test_parser_defaults_are_the_lecture_setup():
    args = build_parser().parse_args(["train"])
    assert (args.model, args.optimizer, args.epochs, args.batch_size) == ("mlp", "adam", 15, 64)


def test_make_optimizer_names():
    import tinygrad_ru as tg

    p = [tg.Tensor([1.0], requires_grad=True)]
    opt = make_optimizer("nesterov", p, 0.1)
    assert type(opt).__name__ == "SGD" and opt.param_groups[0]["nesterov"] and opt.param_groups[0]["lr"] == 0.1
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("adamm", p)


@pytest.mark.slow
def test_train_command_on_bundled_sample(tmp_path, capsys):
    out = tmp_path / "w.npz"
    code = main(["train", "--dataset", "mnist10k", "--epochs", "1", "--batch-size", "128", "--no-progress",
                 "--save", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "MNIST-10k" in text or "mnist10k" in text
    acc = float(text.split("test accuracy ")[-1].split("%")[0])
    assert acc > 85.0  # one epoch of Adam on 8k digits
    import tinygrad_ru as tg

    state = tg.load(str(out))
    assert state["1.weight"].shape == (128, 784)


def test_module_entry_point_help():
    proc = subprocess.run([sys.executable, "-m", "tinygrad_ru", "train", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--optimizer" in proc.stdout


def test_bad_dataset_is_a_clear_error(capsys, tmp_path):
    code = main(["train", "--dataset", "cifar10", "--root", str(tmp_path), "--no-download", "--epochs", "1"])
    assert code == 2
    assert "cifar" in capsys.readouterr().err.lower()


def test_bare_command_prints_help_and_trains_nothing(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "usage: tinygrad-ru" in out and "train" in out and "epoch" not in out.split("tinygrad-ru train", 1)[0]


@pytest.mark.parametrize("argv", [["train", "--epochs", "0"], ["train", "--epochs", "-3"], ["compare", "--epochs", "0"],
                                  ["train", "--batch-size", "0"]])
def test_nonpositive_counts_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_output_paths_are_checked_before_any_data_or_training(tmp_path, capsys, monkeypatch):
    import tinygrad_ru.cli as cli

    def no_data(*a, **k):
        raise AssertionError("data loaded before the output path was checked")

    monkeypatch.setattr(cli, "load_data", no_data)
    missing = tmp_path / "nope" / "w.npz"
    for option in ("--save", "--checkpoint"):
        assert main(["train", option, str(missing)]) == 2
        err = capsys.readouterr().err
        assert f"{option} {missing}" in err and "does not exist" in err and ".tmp" not in err
    assert main(["train", "--resume", str(tmp_path / "none.ckpt")]) == 2
    assert "no such checkpoint" in capsys.readouterr().err


def test_missing_matplotlib_is_reported_before_compare_trains(monkeypatch, capsys):
    import tinygrad_ru.experiments as experiments
    import tinygrad_ru.viz._mpl as mpl

    def missing():
        raise ImportError("No module named 'matplotlib'")

    def no_training(*a, **k):
        raise AssertionError("compare trained before checking matplotlib")

    monkeypatch.setattr(mpl, "require_matplotlib", missing)
    monkeypatch.setattr(experiments, "compare", no_training)
    assert main(["compare", "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "needs matplotlib" in err and "pip install" in err


def test_messages_speak_cli_and_are_not_cut(tmp_path, capsys):
    code = main(["train", "--dataset", "cifar10", "--root", str(tmp_path), "--no-download"])
    err = capsys.readouterr().err
    assert code == 2 and "download=True" not in err and "without --no-download" in err
    from tinygrad_ru.cli import load_data

    _, _, message = load_data("auto", str(tmp_path), download=False)
    assert "MNIST-10k" in message and "download=True" not in message
    assert "..." not in message and message.rstrip().endswith("/")  # the whole reason, down to the folder


@pytest.mark.slow
def test_train_prints_each_epoch_as_it_ends_through_a_pipe_once(tmp_path):
    import os

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-m", "tinygrad_ru", "train", "--dataset", "mnist10k", "--epochs", "3",
                             "--limit", "1500", "--batch-size", "100"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    lines, running_when_first_epoch_seen = [], None
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("epoch") and running_when_first_epoch_seen is None:
            running_when_first_epoch_seen = proc.poll() is None
    assert proc.wait() == 0
    epochs = [line for line in lines if line.startswith("epoch")]
    assert [e.split()[1] for e in epochs] == ["1/3", "2/3", "3/3"]  # once each, in order
    assert running_when_first_epoch_seen  # printed when epoch 1 ended, not at exit


@pytest.mark.slow
def test_resume_continues_bit_identically(tmp_path, capsys):
    import numpy as np

    common = ["train", "--dataset", "mnist10k", "--limit", "600", "--batch-size", "100", "--no-progress"]
    assert main(common + ["--epochs", "3", "--save", str(tmp_path / "full.npz")]) == 0
    assert main(common + ["--epochs", "1", "--checkpoint", str(tmp_path / "run.ckpt")]) == 0
    assert main(common + ["--epochs", "3", "--resume", str(tmp_path / "run.ckpt"),
                          "--save", str(tmp_path / "resumed.npz")]) == 0
    out = capsys.readouterr().out
    assert "resuming" in out and "epoch   2/3" in out
    import tinygrad_ru as tg

    full, resumed = tg.load(str(tmp_path / "full.npz")), tg.load(str(tmp_path / "resumed.npz"))
    assert full.keys() == resumed.keys()
    for k in full:
        assert np.array_equal(full[k].numpy(), resumed[k].numpy()), k
    assert main(common + ["--epochs", "1", "--resume", str(tmp_path / "run.ckpt")]) == 2  # nothing left to run
    assert "already at epoch 1" in capsys.readouterr().err


def test_explain_writes_the_lecture_page(tmp_path, capsys):
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    out = tmp_path / "steps.html"
    assert main(["explain", "--out", str(out), "--gif", str(tmp_path / "steps.gif")]) == 0
    text = out.read_text(encoding="utf-8")
    assert "<svg" in text and "2·1 + 3·1 = 5" in text
    assert (tmp_path / "steps.gif").stat().st_size > 1000
    assert main(["explain", "--out", str(tmp_path / "no" / "x.html")]) == 2
    assert "does not exist" in capsys.readouterr().err
