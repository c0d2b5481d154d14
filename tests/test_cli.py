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
