"""Optimizers and learning-rate schedules (``import tinygrad_ru.optim as optim``).

PyTorch's optimizers with PyTorch's defaults and numbers (SGD, Adagrad, RMSprop, Adadelta, Adam,
AdamW, Adamax, NAdam, RAdam, LBFGS, Rprop, ASGD), and the methods of the course that mainstream
libraries lack: GD, SignSGD/Signum, Lion, SGDBB (Barzilai–Borwein step per epoch), MultiBatchLBFGS (overlapping
batches), AcceleratedGD (Nesterov's (k−1)/(k+2) scheme) and NewtonCG (Hessian-free, double backward).
"""

from tinygrad_ru.autograd.clip_grad import clip_grad_norm_, clip_grad_value_
from tinygrad_ru.optim import lr_scheduler
from tinygrad_ru.optim.accelerated import AcceleratedGD
from tinygrad_ru.optim.adam import Adam, Adamax, AdamW, NAdam, RAdam
from tinygrad_ru.optim.adaptive import Adadelta, Adagrad, RMSprop
from tinygrad_ru.optim.lbfgs import LBFGS, MultiBatchLBFGS
from tinygrad_ru.optim.newton import NewtonCG
from tinygrad_ru.optim.optimizer import Optimizer
from tinygrad_ru.optim.sgd import ASGD, GD, SGD
from tinygrad_ru.optim.sgdbb import SGDBB
from tinygrad_ru.optim.sign import Lion, Rprop, SignSGD

__all__ = [
    "Optimizer", "GD", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam",
    "LBFGS", "Rprop", "ASGD", "MultiBatchLBFGS", "SignSGD", "Lion", "SGDBB", "AcceleratedGD", "NewtonCG",
    "clip_grad_norm_", "clip_grad_value_", "lr_scheduler",
]
