"""LayerStats: per-layer activation/gradient statistics recorded with module hooks during fit(),
checked against the same statistics computed by hand (NumPy forward and backward) on a tiny net."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.optim as optim
from tinygrad_ru.data import DataLoader, TensorDataset
from tinygrad_ru.train import LayerStats, fit
from tinygrad_ru.train.layer_stats import KEYS

ROOT = Path(__file__).resolve().parents[1]
LR = 0.5


def tiny():
    tg.manual_seed(3)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2), nn.LogSoftmax(dim=1)).double()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3)).astype(np.float32).astype(np.float64)  # exact after the float32 batch
    y = rng.integers(0, 2, 8)
    return model, x, y


def stats_of(a):
    return a.mean(), a.std(), float((a == 0).mean())


def by_hand(params, x, y):
    """Forward and backward of the tiny net written out in NumPy: outputs and ∂L/∂output per layer."""
    w0, b0, w2, b2 = params
    h0 = x @ w0.T + b0
    h1 = np.maximum(h0, 0)
    h2 = h1 @ w2.T + b2
    shifted = h2 - h2.max(axis=1, keepdims=True)
    h3 = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = x.shape[0]
    g3 = np.zeros_like(h3)
    g3[np.arange(n), y] = -1.0 / n                       # NLL mean
    g2 = g3 - np.exp(h3) * g3.sum(axis=1, keepdims=True)  # through log-softmax
    g1 = g2 @ w2
    g0 = g1 * (h0 > 0)
    grads = (g0.T @ x, g0.sum(0), g2.T @ h1, g2.sum(0))
    return [h0, h1, h2, h3], [g0, g1, g2, g3], grads


def test_statistics_equal_hand_computed_ones_for_two_sgd_steps():
    model, x, y = tiny()
    params = [p.detach().numpy().copy() for p in model.parameters()]
    stats = LayerStats()  # every leaf module: Linear, ReLU, Linear, LogSoftmax
    loader = DataLoader(TensorDataset(x, y.astype(np.int64)), batch_size=4)
    fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=LR), loader, epochs=1, callbacks=[stats],
        progress=False)
    assert stats.names == ["0", "1", "2", "3"] and stats.steps == [1, 2]
    for step, rows in enumerate([slice(0, 4), slice(4, 8)]):
        acts, grads, pgrads = by_hand(params, x[rows], y[rows])
        for name, a, g in zip(stats.names, acts, grads):
            got = {k: stats.stats[name][k][step] for k in KEYS}
            for prefix, arr in (("act", a), ("grad", g)):
                mean, std, zeros = stats_of(arr)
                assert got[f"{prefix}_mean"] == pytest.approx(mean, rel=1e-10, abs=1e-15), (name, step, prefix)
                assert got[f"{prefix}_std"] == pytest.approx(std, rel=1e-10, abs=1e-15), (name, step, prefix)
                assert got[f"{prefix}_zeros"] == zeros, (name, step, prefix)
        params = [p - LR * g for p, g in zip(params, pgrads)]  # the SGD step, by hand
    # a ReLU net has exact zeros to count; the hand check above covers them
    assert any(v > 0 for v in stats.stats["1"]["act_zeros"])


def test_every_n_steps_eval_not_recorded_and_hooks_removed():
    model, x, y = tiny()
    data = TensorDataset(x, y.astype(np.int64))
    stats = LayerStats(layers=nn.ReLU, every=2)
    fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1), DataLoader(data, batch_size=2),
        val_loader=DataLoader(data, batch_size=8), epochs=2, callbacks=[stats], progress=False)
    assert stats.names == ["1"]
    assert stats.steps == [1, 3, 5, 7]  # 8 steps, every second; the validation forwards left no record
    assert all(len(v) == 4 for v in stats.stats["1"].values())
    assert all(math.isfinite(v) for vs in stats.stats["1"].values() for v in vs)
    for m in model.modules():
        assert not m._forward_hooks and not m._backward_hooks


def test_closure_optimizer_records_the_first_evaluation_of_each_step():
    model, x, y = tiny()
    params = [p.detach().numpy().copy() for p in model.parameters()]
    stats = LayerStats(layers=["0", "2"])
    fit(model, nn.NLLLoss(), optim.LBFGS(model.parameters(), max_iter=4), DataLoader(
        TensorDataset(x, y.astype(np.int64)), batch_size=8), epochs=2, callbacks=[stats], progress=False)
    assert stats.steps == [1, 2]
    acts, grads, _ = by_hand(params, x, y)
    assert stats.stats["0"]["act_std"][0] == pytest.approx(acts[0].std(), rel=1e-10)
    assert stats.stats["2"]["grad_mean"][0] == pytest.approx(grads[2].mean(), rel=1e-10, abs=1e-15)
    assert stats.stats["0"]["act_std"][1] != stats.stats["0"]["act_std"][0]  # the second step starts elsewhere


def test_layer_selection_and_errors():
    model, _, _ = tiny()
    assert [n for n, _ in LayerStats(layers=nn.Linear)._select(model)] == ["0", "2"]
    assert [n for n, _ in LayerStats(layers=[model[2], "1"])._select(model)] == ["2", "1"]
    with pytest.raises(KeyError, match="no layer named 'fc9'"):
        LayerStats(layers=["fc9"])._select(model)
    with pytest.raises(ValueError, match="no layer of the model matches"):
        LayerStats(layers=nn.Sigmoid)._select(model)
    with pytest.raises(ValueError, match="not a module of the model"):
        LayerStats(layers=[nn.ReLU()])._select(model)
    with pytest.raises(ValueError, match="every must be a positive int"):
        LayerStats(every=0)
    with pytest.raises(RuntimeError, match="nothing recorded"):
        LayerStats().profile("act_std")
    with pytest.raises(KeyError, match="unknown statistic"):
        LayerStats().profile("act_var")


def test_profile_reads_one_step_or_averages_a_slice():
    model, x, y = tiny()
    stats = LayerStats(layers=nn.Linear)
    fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1),
        DataLoader(TensorDataset(x, y.astype(np.int64)), batch_size=2), epochs=1, callbacks=[stats], progress=False)
    col = stats.stats["2"]["grad_std"]
    assert stats.profile("grad_std", 0) == [stats.stats["0"]["grad_std"][0], col[0]]
    assert stats.profile("grad_std", slice(None))[1] == pytest.approx(sum(col) / len(col))
    assert stats.to_dict()["layers"]["2"]["grad_std"] == col


def test_plot_has_a_panel_per_statistic_a_line_per_run_and_moment_and_the_legend(tmp_path):
    pytest.importorskip("matplotlib")
    from tinygrad_ru.viz import plot_layer_stats

    runs = {}
    for act in (nn.ReLU, nn.Sigmoid):
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 5), act(), nn.Linear(5, 5), act(), nn.Linear(5, 2), nn.LogSoftmax(dim=1))
        rng = np.random.default_rng(0)
        data = TensorDataset(rng.standard_normal((16, 3)).astype(np.float32), rng.integers(0, 2, 16))
        stats = LayerStats(layers=act)
        fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1), DataLoader(data, batch_size=4),
            callbacks=[stats], progress=False)
        runs[act.__name__] = stats
    path = tmp_path / "stats.png"
    fig = plot_layer_stats(runs, path=path, titles={"grad_std": "std of dL/dh"})
    assert path.stat().st_size > 10_000
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["std of activations h_k", "std of dL/dh", "fraction of zero activations"]
    for ax in axes:
        assert len(ax.lines) == 2 * 2  # two runs × (first step, last step)
        for line in ax.lines:
            xs, ys = line.get_data()
            assert list(xs) == [1, 2] and np.all(np.isfinite(ys))  # one point per watched layer, no NaN
    assert axes[0].get_yscale() == "log" and axes[2].get_yscale() == "linear"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["ReLU", "Sigmoid", "first step", "last step"]


@pytest.mark.slow
def test_example_script_writes_the_picture(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "layers.png"
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "layer_stats.py"), "--quick", "--depth", "3",
                           "--width", "16", "--out", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.stat().st_size > 10_000
    assert proc.stdout.count("std dL/dh") == 5  # one line per configuration
