"""Small real training runs on the bundled MNIST-10k (8k train / 2k test): the accuracy PyTorch gets.

The issue's full runs (MLP 15 epochs ≥ 94%, LeNet 10 epochs ≥ 96%) are the command
``tinygrad-ru train --dataset mnist10k [--model lenet --epochs 10]``; here fewer epochs with bounds
that the same setup reaches after them.
"""

import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.optim as optim
from tinygrad_ru.data import DataLoader, MNIST10k
from tinygrad_ru.data import transforms as T
from tinygrad_ru.models import build_model
from tinygrad_ru.train import fit

pytestmark = pytest.mark.slow


def _data():
    tf = T.Compose([T.ToTensor(), T.Normalize(0.1307, 0.3081)])
    return MNIST10k(train=True, transform=tf), MNIST10k(train=False, transform=tf)


def _train(model_name, make_optimizer, epochs, batch_size=64, limit=None):
    tg.manual_seed(0)
    train, test = _data()
    if limit:
        from tinygrad_ru.data import Subset

        train = Subset(train, range(limit))
    model = build_model(model_name, 1, 28)
    h = fit(model, nn.NLLLoss(), make_optimizer(model.parameters()), DataLoader(train, batch_size, shuffle=True),
            DataLoader(test, batch_size=1000), epochs=epochs, progress=False)
    return h


def test_lecture_mlp_adam_reaches_93_percent_in_5_epochs():
    h = _train("mlp", lambda p: optim.Adam(p, lr=1e-3), epochs=5)
    assert h["val_acc"][-1] >= 0.93, h["val_acc"]


def test_lenet_reaches_94_percent_in_3_epochs():
    h = _train("lenet", lambda p: optim.Adam(p, lr=1e-3), epochs=3)
    assert h["val_acc"][-1] >= 0.94, h["val_acc"]


@pytest.mark.parametrize("name,make", [
    ("sgdbb", lambda p: optim.SGDBB(p, lr=0.05)),
    ("momentum", lambda p: optim.SGD(p, lr=0.01, momentum=0.9)),
])
def test_sgd_family_trains_the_mlp_past_90_percent(name, make):
    h = _train("mlp", make, epochs=3)
    assert h["val_acc"][-1] >= 0.90, (name, h["val_acc"])


def test_multibatch_lbfgs_trains_the_mlp_past_90_percent():
    from tinygrad_ru.experiments import _run_mb_lbfgs

    tg.manual_seed(0)
    train, test = _data()
    model = build_model("mlp", 1, 28)
    h = _run_mb_lbfgs(model, nn.NLLLoss(), train, DataLoader(test, batch_size=1000), epochs=3, batch_size=256,
                      settings={"lr": 0.5, "history_size": 10})
    assert h["val_acc"][-1] >= 0.90, h["val_acc"]
