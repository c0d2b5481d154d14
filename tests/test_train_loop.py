"""The training loop: history, evaluation mode, stopping criteria, checkpoints that resume bit for bit."""

import subprocess
import sys

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.optim as optim
from tinygrad_ru.data import DataLoader, TensorDataset
from tinygrad_ru.train import (
    Callback,
    Checkpoint,
    EarlyStopping,
    GradientNormRatio,
    MaxIterations,
    MaxTime,
    RelativeLoss,
    TargetLoss,
    Trainer,
    evaluate,
    fit,
)


def blobs(n=256, seed=0):
    """Two well separated Gaussian blobs in 2-D: a problem a linear model solves."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.standard_normal((n, 2)) * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    return TensorDataset(x.astype(np.float32), y.astype(np.int64))


def small_net():
    return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2), nn.LogSoftmax(dim=1))


def test_fit_learns_and_records_history():
    tg.manual_seed(0)
    model = small_net()
    train = DataLoader(blobs(), batch_size=32, shuffle=True)
    val = DataLoader(blobs(seed=1), batch_size=64)
    history = fit(model, nn.NLLLoss(), optim.Adam(model.parameters(), lr=0.05), train, val, epochs=5,
                  progress=False)
    assert [r["epoch"] for r in history.epochs] == [1, 2, 3, 4, 5]
    assert len(history.iterations) == 5 * 8
    assert history["val_acc"][-1] > 0.95
    assert history["train_loss"][-1] < history["train_loss"][0]
    times = history["time"]
    assert all(b >= a for a, b in zip(times, times[1:]))
    assert all(r["lr"] == pytest.approx(0.05) for r in history.epochs)


def test_evaluate_uses_eval_mode_and_no_grad_and_restores_mode():
    seen = []

    class Probe(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)

        def forward(self, x):
            seen.append((self.training, tg.is_grad_enabled()))
            return self.lin(x).log_softmax(1) if hasattr(tg.Tensor, "log_softmax") else nn.LogSoftmax(1)(self.lin(x))

    model = Probe()
    model.train()
    evaluate(model, nn.NLLLoss(), DataLoader(blobs(64), batch_size=32))
    assert seen and all(s == (False, False) for s in seen)
    assert model.training


def test_max_iterations_and_max_time_stop():
    model = small_net()
    h = fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1), DataLoader(blobs(), batch_size=16),
            epochs=10, callbacks=[MaxIterations(5)], progress=False)
    assert len(h.iterations) == 5 and "5 iterations" in h.stop_reason
    h = fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1), DataLoader(blobs(), batch_size=16),
            epochs=1000, callbacks=[MaxTime(1e-9)], progress=False)
    assert len(h.iterations) == 1 and "time" in h.stop_reason


def test_loss_based_criteria():
    tg.manual_seed(1)
    model = small_net()
    opt = optim.Adam(model.parameters(), lr=0.05)
    h = fit(model, nn.NLLLoss(), opt, DataLoader(blobs(), batch_size=32), epochs=50,
            callbacks=[RelativeLoss(0.2)], progress=False)
    losses = h["train_loss"]
    assert h.stop_reason is not None and losses[-1] <= 0.2 * losses[0] and len(losses) < 50
    assert all(v > 0.2 * losses[0] for v in losses[:-1])  # stopped at the first epoch that met it
    h = fit(model, nn.NLLLoss(), opt, DataLoader(blobs(), batch_size=32), epochs=50,
            callbacks=[TargetLoss(0.0, 0.05)], progress=False)
    assert h["train_loss"][-1] <= 0.05


def test_gradient_norm_ratio_stops_when_gradients_shrink():
    tg.manual_seed(2)
    model = small_net()
    h = fit(model, nn.NLLLoss(), optim.Adam(model.parameters(), lr=0.05), DataLoader(blobs(), batch_size=256),
            epochs=500, callbacks=[GradientNormRatio(0.05, smoothing=0.0)], progress=False)
    norms = [r["grad_norm"] for r in h.iterations]
    assert h.stop_reason and norms[-1] <= 0.05 * norms[0]


def test_early_stopping_restores_best_weights():
    class Scripted(Callback):
        """Feeds a validation curve that gets worse after epoch 2."""

        curve = [1.0, 0.5, 0.4, 0.6, 0.7, 0.8, 0.9]

        def on_epoch_end(self, trainer, epoch, logs):
            logs["val_loss"] = self.curve[epoch]
            self.weights = getattr(self, "weights", [])
            self.weights.append(trainer.model[0].weight.data.copy())

    tg.manual_seed(3)
    model = small_net()
    scripted = Scripted()
    h = fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1), DataLoader(blobs(), batch_size=32),
            epochs=7, callbacks=[scripted, EarlyStopping(patience=2)], progress=False)
    assert len(h.epochs) == 5 and "not improved" in h.stop_reason
    np.testing.assert_array_equal(model[0].weight.data, scripted.weights[2])


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="MaxIterations"):
        MaxIterations(0)
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)
    model = small_net()
    with pytest.raises(KeyError, match="val_loss"):
        fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1), DataLoader(blobs(), batch_size=64),
            epochs=2, callbacks=[EarlyStopping()], progress=False)


def _train_two_phases(tmp_path, split: bool):
    tg.manual_seed(7)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 2), nn.LogSoftmax(dim=1))
    opt = optim.Adam(model.parameters(), lr=0.01)
    loader = DataLoader(blobs(), batch_size=32, shuffle=True)
    trainer = Trainer(model, nn.NLLLoss(), opt, progress=False)
    if not split:
        trainer.fit(loader, epochs=4)
        return model
    trainer.callbacks = [Checkpoint(str(tmp_path / "ckpt.npz"))]
    trainer.fit(loader, epochs=2)
    # a "new process": fresh objects, a different RNG state, then resume from the file
    tg.manual_seed(12345)
    model2 = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 2), nn.LogSoftmax(dim=1))
    opt2 = optim.Adam(model2.parameters(), lr=0.01)
    trainer2 = Trainer(model2, nn.NLLLoss(), opt2, progress=False)
    trainer2.load_checkpoint(str(tmp_path / "ckpt.npz"))
    assert trainer2.epoch == 2 and len(trainer2.history.epochs) == 2
    trainer2.fit(loader, epochs=2)
    return model2


def test_checkpoint_resume_is_bit_identical(tmp_path):
    straight = _train_two_phases(tmp_path, split=False)
    resumed = _train_two_phases(tmp_path, split=True)
    for (name, a), (_, b) in zip(straight.state_dict().items(), resumed.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)


def test_checkpoint_survives_a_killed_process(tmp_path):
    """Save in a child process that is then killed; the parent resumes from the file."""
    path = tmp_path / "killed.npz"
    code = f"""
import os, signal, numpy as np, tinygrad_ru as tg, tinygrad_ru.nn as nn, tinygrad_ru.optim as optim
from tinygrad_ru.data import DataLoader, TensorDataset
from tinygrad_ru.train import Trainer, Checkpoint
rng = np.random.default_rng(0); y = rng.integers(0, 2, 128)
x = (rng.standard_normal((128, 2)) + np.where(y[:, None] == 1, 2.0, -2.0)).astype(np.float32)
tg.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2), nn.LogSoftmax(dim=1))
t = Trainer(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
            callbacks=[Checkpoint({str(path)!r})], progress=False)
t.fit(DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True), epochs=1)
np.save({str(tmp_path / 'w.npy')!r}, model[0].weight.data)
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode != 0  # it was killed
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 2), nn.LogSoftmax(dim=1))
    t = Trainer(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1, momentum=0.9), progress=False)
    t.load_checkpoint(str(path))
    np.testing.assert_array_equal(model[0].weight.data, np.load(tmp_path / "w.npy"))
    assert t.epoch == 1


def test_snapshot_ensemble_averages_snapshot_probabilities():
    from tinygrad_ru.optim.lr_scheduler import CosineAnnealingWarmRestarts
    from tinygrad_ru.train import SnapshotEnsemble

    tg.manual_seed(4)
    model = small_net()
    opt = optim.SGD(model.parameters(), lr=0.2)
    loader = DataLoader(blobs(), batch_size=32, shuffle=True)
    snap = SnapshotEnsemble(cycle_length=2)
    sched = CosineAnnealingWarmRestarts(opt, T_0=2 * len(loader))
    fit(model, nn.NLLLoss(), opt, loader, epochs=6, callbacks=[snap], scheduler=sched,
        scheduler_interval="batch", progress=False)
    assert len(snap.snapshots) == 3
    x = tg.Tensor(blobs(16, seed=9).arrays[0])
    probs = snap.predict(model, x)
    expected = 0
    for s in snap.snapshots:  # the same average written out by hand
        m = small_net()
        m.load_state_dict({k: tg.Tensor(v) for k, v in s.items()})
        m.eval()
        with tg.no_grad():
            expected = expected + np.exp(m(x).numpy())
    np.testing.assert_allclose(probs.numpy(), expected / 3, rtol=1e-5)
    np.testing.assert_allclose(probs.numpy().sum(1), 1.0, rtol=1e-5)
    # the model's own weights were put back
    np.testing.assert_array_equal(model[0].weight.data, snap.snapshots[-1]["0.weight"])


@pytest.mark.parametrize("make", [
    lambda p: optim.LBFGS(p, lr=0.5, max_iter=5),
    lambda p: optim.NewtonCG(p, damping=1e-2),
    lambda p: optim.SGDBB(p, lr=0.05),
])
def test_fit_drives_closure_and_epoch_optimizers(make):
    tg.manual_seed(5)
    model = small_net()
    h = fit(model, nn.NLLLoss(), make(model.parameters()), DataLoader(blobs(), batch_size=64), epochs=3,
            progress=False)
    assert h["train_loss"][-1] < h["train_loss"][0]
