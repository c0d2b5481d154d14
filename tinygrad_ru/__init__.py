"""tinygrad_ru: a teaching-grade reverse-mode autodiff and deep-learning framework.

    import tinygrad_ru as tg
    a = tg.Tensor(2.0, requires_grad=True, name="a")
    b = tg.Tensor(1.0, requires_grad=True, name="b")
    c = a + b; d = b + 1; e = c * d
    e.backward()          # a.grad = 2, b.grad = 5
"""

from . import backend
from .autograd import (
    Function,
    enable_grad,
    grad,
    gradcheck,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .backend import (
    bool_,
    cuda_is_available,
    device,
    float16,
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    manual_seed,
    set_default_dtype,
)
from .creation import (
    arange,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .serialization import load, save
from .tensor import Tensor, as_tensor

# isort: split
from . import ops as _ops  # after .autograd: importing ops first would enter the Tensor ↔ ops cycle from the ops side

# the ops, as torch.<name>: the names are listed once, in ops.TORCH_FUNCTIONS
globals().update({name: getattr(_ops, name) for name in _ops.TORCH_FUNCTIONS})

float = float32  # noqa: A001 - torch.float
double = float64
long = int64
clip = _ops.clamp
arcsin, arccos, arctan = _ops.asin, _ops.acos, _ops.atan
swapaxes = swapdims = _ops.transpose
moveaxis = _ops.movedim
fix = _ops.trunc
subtract, multiply, divide, true_divide, negative, absolute = _ops.sub, _ops.mul, _ops.div, _ops.div, _ops.neg, _ops.abs

def numel(t: Tensor) -> int:
    """The number of elements of ``t``."""
    return t.numel()


def fliplr(t: Tensor) -> Tensor:
    return _ops.flip(t, 1)


def flipud(t: Tensor) -> Tensor:
    return _ops.flip(t, 0)


def square(t: Tensor) -> Tensor:
    return t * t


def trace(t: Tensor) -> Tensor:
    return t.trace()

__version__ = "0.1.0"

# tg.nn, tg.optim, tg.data, tg.cuda, tg.accelerator, tg.utils.data as in PyTorch; they import the core above
from . import accelerator, cuda, data, nn, optim, utils  # noqa: E402

__all__ = [
    "Tensor", "Function", "tensor", "as_tensor", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode",
    "grad", "gradcheck", "manual_seed", "backend", "float16", "float32", "float64", "int32", "int64", "bool_",
    "get_default_dtype", "set_default_dtype", "cuda_is_available", "zeros", "ones", "full", "zeros_like",
    "ones_like", "full_like", "randn", "rand", "randint", "randperm", "arange", "linspace", "eye", "save", "load",
    "nn", "optim", "data", "absolute", "arccos", "arcsin", "arctan", "clip", "divide", "fix", "fliplr", "flipud",
    "moveaxis", "multiply", "negative", "numel", "square", "subtract", "swapaxes", "swapdims", "trace",
    "true_divide", *_ops.TORCH_FUNCTIONS,
    "device", "from_numpy", "cuda", "accelerator", "utils",
]
