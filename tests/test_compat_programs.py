"""Compatibility suite: real programs of other frameworks run on tinygrad_ru with only their import and
data lines changed (tests/programs/), and reach the reference's numbers.

- PyTorch's MNIST example (its Net, Adadelta, StepLR, train/test loops) on a slice of MNIST-10k:
  the same printed losses as PyTorch running the original from the same initial weights.
- micrograd's moons demo (Neuron/Layer/MLP of scalar Values, ``p.data -= learning_rate * p.grad``):
  the same losses and parameters as micrograd itself (its engine, kept in tests/programs).
- DeZero's Newton's method with the second derivative by double backprop, and a gradient used in a
  new function: the iterates of Newton's formula and the exact derivative.

The harness never edits a program: it gives it its data helper, its command line, a ``print`` that
records what the program reports, and (for the comparison with torch) the same initial weights and
the same dropout masks in both frameworks.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import tinygrad_ru as tg

PROGRAMS = Path(__file__).resolve().parent / "programs"


# ----------------------------------------------------------------------------- the harness
def source(name: str, original: bool = False) -> str:
    """The program's text; ``original=True`` restores each line marked ``# ported: ORIGINAL``."""
    lines = []
    for line in (PROGRAMS / name).read_text(encoding="utf-8").splitlines():
        code, mark, before = line.partition("  # ported:")
        if original and mark:
            if not before.strip():
                continue  # a line the original does not have
            line = code[: len(code) - len(code.lstrip())] + before.strip()
        lines.append(line)
    return "\n".join(lines) + "\n"


def run(name: str, namespace: dict, original: bool = False) -> dict:
    """Execute a program (not as __main__) in a namespace pre-filled with the harness's helpers."""
    ns = namespace  # (filled in place: a helper may look at the program's globals while it runs)
    ns.update(__name__="compat_program", __file__=str(PROGRAMS / name))
    exec(compile(source(name, original), str(PROGRAMS / name), "exec"), ns)  # noqa: S102 - our own files
    return ns


def as_module(name: str, module_name: str, monkeypatch, original: bool = False) -> types.ModuleType:
    """Import a program file as ``module_name`` (for the programs' own ``import`` lines)."""
    module = types.ModuleType(module_name)
    module.__file__ = str(PROGRAMS / name)
    monkeypatch.setitem(sys.modules, module_name, module)
    exec(compile(source(name, original), str(PROGRAMS / name), "exec"), module.__dict__)  # noqa: S102
    return module


class Enough(Exception):
    """Raised by the recording print to end a long training loop after the steps a test needs."""


def test_restoring_the_marked_lines_gives_the_originals():
    original = source("pytorch_mnist.py", original=True).splitlines()
    assert {"import torch", "import torch.nn as nn", "from torchvision import datasets, transforms"} <= set(original)
    assert not any(line.startswith(("import torch", "from torch")) for line in source("pytorch_mnist.py").splitlines())
    micrograd = source("micrograd_nn.py", original=True)
    assert "from micrograd.engine import Value\n" in micrograd and "p.grad = 0\n" in micrograd
    assert "import tinygrad_ru" not in micrograd and "partial" not in micrograd


# ----------------------------------------------------------------------------- PyTorch's MNIST example
N_TRAIN, N_TEST = 128, 100  # 2 training batches of 64, one test batch


def _mnist_subset(train: bool, transform):
    from tinygrad_ru.data import Subset, datasets

    return Subset(datasets.MNIST10k(train=train, transform=transform), range(N_TRAIN if train else N_TEST))


def _tg_mnist_slice(train, transform):
    return _mnist_subset(train, transform)


def _torch_mnist_slice(train, transform):
    import torch

    ds = _mnist_subset(train, transform)
    xs = np.stack([np.asarray(ds[i][0]) for i in range(len(ds))])
    ys = np.array([ds[i][1] for i in range(len(ds))], dtype=np.int64)
    return torch.utils.data.TensorDataset(torch.from_numpy(xs), torch.from_numpy(ys))


_TRAIN_LINE = re.compile(r"Train Epoch: (\d+) \[(\d+)/(\d+) \((\d+)%\)\]\tLoss: ([\d.]+)")
_TEST_LINE = re.compile(r"Test set: Average loss: ([\d.]+), Accuracy: (\d+)/(\d+) \((\d+)%\)")


def _report(text: str) -> tuple[list, list]:
    return _TRAIN_LINE.findall(text), _TEST_LINE.findall(text)


def _shared_dropout(monkeypatch, dropout_cls, to_tensor) -> None:
    """Both frameworks draw their dropout masks from one seeded NumPy stream (same masks, same order)."""
    rng = np.random.default_rng(0)

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        keep = (rng.random(tuple(x.shape)) >= self.p).astype(np.float32) / np.float32(1 - self.p)
        return x * to_tensor(keep)

    monkeypatch.setattr(dropout_cls, "forward", forward)


def _start_from(monkeypatch, net_cls, state_dict) -> None:
    """Every ``Net()`` the program makes starts from ``state_dict`` (its own ``__init__`` runs first)."""
    init = net_cls.__init__

    def __init__(self):
        init(self)
        self.load_state_dict(state_dict)

    monkeypatch.setattr(net_cls, "__init__", __init__)


def test_pytorch_mnist_example_runs_its_dry_run(monkeypatch, capsys):
    """Without torch too: the example's own --dry-run (one logged batch per epoch, then the test pass)."""
    monkeypatch.setattr(sys, "argv", ["main.py", "--epochs", "1", "--dry-run"])
    ns = run("pytorch_mnist.py", {"mnist_slice": _tg_mnist_slice})
    ns["main"]()
    train_lines, test_lines = _report(capsys.readouterr().out)
    assert [line[:4] for line in train_lines] == [("1", "0", str(N_TRAIN), "0")]
    assert 2.0 < float(train_lines[0][4]) < 2.6  # about ln 10 at the start
    assert len(test_lines) == 1 and test_lines[0][2] == str(N_TEST)


@pytest.mark.slow
def test_pytorch_mnist_example_equals_torch(monkeypatch, capsys, tmp_path):
    torch = pytest.importorskip("torch")
    from tinygrad_ru.data import datasets, transforms

    monkeypatch.setitem(sys.modules, "torchvision", types.SimpleNamespace(datasets=datasets, transforms=transforms))
    monkeypatch.setattr(sys, "argv", ["main.py", "--epochs", "2", "--log-interval", "1", "--no-accel"])

    theirs = run("pytorch_mnist.py", {"mnist_slice": _torch_mnist_slice}, original=True)
    ours = run("pytorch_mnist.py", {"mnist_slice": _tg_mnist_slice})
    assert theirs["torch"] is torch and ours["torch"] is tg

    torch.manual_seed(0)
    torch.save(theirs["Net"]().state_dict(), tmp_path / "init.pt")  # one set of initial weights, moved by file
    _start_from(monkeypatch, theirs["Net"], torch.load(tmp_path / "init.pt", weights_only=True))
    _start_from(monkeypatch, ours["Net"], tg.load(tmp_path / "init.pt"))

    _shared_dropout(monkeypatch, torch.nn.Dropout, torch.from_numpy)
    theirs["main"]()
    reference = capsys.readouterr().out
    _shared_dropout(monkeypatch, tg.nn.Dropout, tg.from_numpy)
    ours["main"]()
    ported = capsys.readouterr().out

    (ref_train, ref_test), (our_train, our_test) = _report(reference), _report(ported)
    assert len(ref_train) == len(our_train) == 4 and len(ref_test) == len(our_test) == 2
    for r, o in zip(ref_train, our_train, strict=True):
        assert r[:4] == o[:4]
        assert float(o[4]) == pytest.approx(float(r[4]), abs=2e-5), (reference, ported)
    for r, o in zip(ref_test, our_test, strict=True):
        assert float(o[0]) == pytest.approx(float(r[0]), abs=2e-4), (reference, ported)
        assert abs(int(o[1]) - int(r[1])) <= 1  # a prediction on the fence may flip at float32 rounding


# ----------------------------------------------------------------------------- micrograd's moons demo
def _make_moons(n_samples=100, noise=None):
    """sklearn.datasets.make_moons (shuffled, Gaussian noise) on NumPy's global generator."""
    n_out, n_in = n_samples // 2, n_samples - n_samples // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(t_out), 1 - np.cos(t_in)), np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    order = np.random.permutation(n_samples)
    X, y = X[order], y[order]
    if noise is not None:
        X = X + np.random.normal(scale=noise, size=X.shape)
    return X, y


def _recording_print(ns_holder: dict, steps: int, read) -> tuple[list, callable]:
    losses: list[float] = []

    def print_(*args, **kwargs):
        text = " ".join(str(a) for a in args)
        if text.startswith("step "):
            losses.append(read(ns_holder["ns"]["total_loss"]))
            if len(losses) == steps:
                raise Enough

    return losses, print_


def _run_moons(monkeypatch, original: bool, steps: int, n_samples: int):
    if original:  # micrograd itself: its engine and its nn.py, importable as the demo expects
        package = types.ModuleType("micrograd")
        package.__path__ = []
        monkeypatch.setitem(sys.modules, "micrograd", package)
        package.engine = as_module("micrograd_engine.py", "micrograd.engine", monkeypatch)
        package.nn = as_module("micrograd_nn.py", "micrograd.nn", monkeypatch, original=True)
        read = lambda v: float(v.data)  # noqa: E731
    else:
        as_module("micrograd_nn.py", "micrograd_port", monkeypatch)
        read = lambda v: v.item()  # noqa: E731
    holder: dict = {}
    losses, print_ = _recording_print(holder, steps, read)
    holder["ns"] = ns = {"make_moons": _make_moons, "n_samples": n_samples, "print": print_}
    with pytest.raises(Enough):
        run("micrograd_moons.py", ns, original=original)
    return losses, [read(p) for p in ns["model"].parameters()]


@pytest.mark.slow
def test_micrograd_moons_demo_equals_micrograd(monkeypatch):
    ref_losses, ref_params = _run_moons(monkeypatch, original=True, steps=3, n_samples=12)
    our_losses, our_params = _run_moons(monkeypatch, original=False, steps=3, n_samples=12)
    assert len(our_params) == len(ref_params) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1
    np.testing.assert_allclose(our_losses, ref_losses, rtol=1e-10)
    assert our_losses[-1] < our_losses[0]
    np.testing.assert_allclose(our_params, ref_params, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------- DeZero's Newton step
def test_dezero_newton_with_double_backprop():
    printed: list = []  # the values as printed (x changes in place afterwards)
    run("dezero_newton.py", {"print": lambda *args: printed.append([float(a.item()) for a in args[-1:]])})
    iterates = [values[0] for values in printed[:-1]]
    x, expected = 2.0, []
    for _ in range(10):  # Newton on f(x) = x⁴ − 2x²: x ← x − f'(x)/f''(x) = x − (4x³ − 4x)/(12x² − 4)
        expected.append(x)
        x = x - (4 * x**3 - 4 * x) / (12 * x**2 - 4)
    np.testing.assert_allclose(iterates, expected, rtol=1e-12)
    assert iterates[-1] == pytest.approx(1.0, abs=1e-12)
    # z = (dy/dx)³ + y with y = x²: dz/dx = 3(2x)²·2 + 2x = 24x² + 2x = 100 at x = 2
    assert printed[-1][0] == 24 * 2.0**2 + 2 * 2.0
