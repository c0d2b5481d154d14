"""Training plots: line data equal the history values; lr plots equal the scheduler sequence."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import tinygrad_ru.optim as optim  # noqa: E402
from tinygrad_ru.optim import lr_scheduler  # noqa: E402
from tinygrad_ru.train.history import History  # noqa: E402
from tinygrad_ru.viz.plots import default_schedules, lr_sequence, plot_history, plot_lr_schedule  # noqa: E402


def make_history(scale=1.0, n=6, missing_val_at=None):
    h, t = History(), 0.0
    for e in range(1, n + 1):
        t += 1.25 * scale
        h.epochs.append(dict(epoch=e, train_loss=2.0 * scale / e, train_acc=1 - 1 / (e + 1),
                             val_loss=2.5 * scale / e, val_acc=None if e == missing_val_at else 1 - 1.5 / (e + 2),
                             lr=0.1 / e, time=t))
        for s in range(3):
            h.iterations.append(dict(step=3 * (e - 1) + s, loss=2.0 * scale / (e + s / 3), lr=0.1 / e, time=t))
    return h


def lines_by_label(ax):
    return {ln.get_label(): ln for ln in ax.get_lines()}


def test_plot_history_single_run_axis_data():
    h = make_history(missing_val_at=3)
    fig = plot_history(h)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "loss" and acc_ax.get_title() == "accuracy"
    lines = lines_by_label(loss_ax)
    assert set(lines) == {"train", "val"}
    np.testing.assert_allclose(lines["train"].get_ydata(), h["train_loss"])
    np.testing.assert_allclose(lines["val"].get_ydata(), h["val_loss"])
    np.testing.assert_allclose(lines["train"].get_xdata(), h["epoch"])
    acc = lines_by_label(acc_ax)
    # the missing value is skipped, not plotted as 0
    assert list(acc["val"].get_xdata()) == [1, 2, 4, 5, 6]
    np.testing.assert_allclose(acc["val"].get_ydata(), [v for v in h["val_acc"] if v is not None])
    assert lines["val"].get_linestyle() == "--"


def test_plot_history_several_runs_by_time():
    runs = {"sgd": make_history(1.0), "adam": make_history(0.5)}
    fig = plot_history(runs, metrics=("loss",), x="time")
    ax = fig.axes[0]
    lines = lines_by_label(ax)
    assert set(lines) == {"sgd train", "sgd val", "adam train", "adam val"}
    for name, h in runs.items():
        np.testing.assert_allclose(lines[f"{name} train"].get_xdata(), h["time"])
        np.testing.assert_allclose(lines[f"{name} val"].get_ydata(), h["val_loss"])
    assert lines["sgd train"].get_color() == lines["sgd val"].get_color() != lines["adam train"].get_color()
    assert ax.get_xlabel() == "time, s"


def test_plot_history_lists_labels_and_plain_data():
    h1, h2 = make_history(), make_history(2.0)
    fig = plot_history([h1.to_dict(), h2], metrics=["loss", "lr"], labels=["a", "b"])
    assert set(lines_by_label(fig.axes[0])) == {"a train", "a val", "b train", "b val"}
    np.testing.assert_allclose(lines_by_label(fig.axes[1])["b"].get_ydata(), h2["lr"])
    # a dict of columns and a list of row dicts are single histories
    fig = plot_history({"train_loss": [3.0, 2.0, 1.5], "val_loss": [3.5, 2.5, 2.0]}, metrics=("loss",))
    np.testing.assert_allclose(lines_by_label(fig.axes[0])["val"].get_ydata(), [3.5, 2.5, 2.0])
    np.testing.assert_allclose(lines_by_label(fig.axes[0])["val"].get_xdata(), [1, 2, 3])
    fig = plot_history(h1.epochs, metrics=("accuracy",))
    np.testing.assert_allclose(lines_by_label(fig.axes[0])["train"].get_ydata(), h1["train_acc"])
    with pytest.raises(ValueError, match="labels"):
        plot_history([h1, h2], labels=["only one"])


def test_plot_history_per_iteration():
    h = make_history()
    fig = plot_history(h, metrics=("loss",), x="step")
    (line,) = fig.axes[0].get_lines()
    np.testing.assert_allclose(line.get_xdata(), [r["step"] for r in h.iterations])
    np.testing.assert_allclose(line.get_ydata(), [r["loss"] for r in h.iterations])


def test_lr_sequence_and_plot_match_the_scheduler():
    steps, lr = 40, 0.1
    seq = lr_sequence(lambda o: lr_scheduler.InverseTimeLR(o, decay_rate=0.5), steps, lr)
    np.testing.assert_allclose(seq, [lr / (1 + 0.5 * t) for t in range(steps)])
    # triangular: base 0.01 -> max 0.1 over 5 steps and back
    tri = lr_sequence(lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, step_size_up=5, cycle_momentum=False), 12, lr)
    np.testing.assert_allclose(tri[:11], [0.01, 0.028, 0.046, 0.064, 0.082, 0.1, 0.082, 0.064, 0.046, 0.028, 0.01])
    fig = plot_lr_schedule([("inv", lambda o: lr_scheduler.InverseTimeLR(o, decay_rate=0.5))], steps, lr)
    (line,) = fig.axes[0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), seq)
    np.testing.assert_allclose(line.get_xdata(), np.arange(steps))
    # an existing scheduler instance is stepped as is
    p = optim.SGD([__import__("tinygrad_ru").Tensor([0.0], requires_grad=True)], lr=1.0)
    fig = plot_lr_schedule(lr_scheduler.StepLR(p, step_size=2, gamma=0.5), steps=6)
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), [1, 1, 0.5, 0.5, 0.25, 0.25])


def test_default_schedules_cover_every_scheduler():
    names = [n for n, _ in default_schedules(60, 0.1)]
    for want in ("triangular", "triangular2", "exp_range", "cosine with restarts", "InverseTimeLR",
                 "StepLR", "OneCycleLR", "ReduceLROnPlateau", "CosineAnnealingLR"):
        assert any(want in n for n in names), want
    fig = plot_lr_schedule(steps=60)
    assert len(fig.axes) == len(names)
    for ax, (name, factory) in zip(fig.axes, default_schedules(60, 0.1)):
        assert ax.get_title() == name
        np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), lr_sequence(factory, 60, 0.1))
    tri2 = dict(default_schedules(64, 0.1))["CyclicLR triangular2"]
    seq = lr_sequence(tri2, 64, 0.1)
    assert max(seq[:16]) == pytest.approx(0.1) and max(seq[16:32]) == pytest.approx(0.055)
