"""tinygrad_ru: a teaching-grade reverse-mode autodiff and deep-learning framework.

    import tinygrad_ru as tg
    a = tg.Tensor(2.0, requires_grad=True, name="a")
    b = tg.Tensor(1.0, requires_grad=True, name="b")
    c = a + b; d = b + 1; e = c * d
    e.backward()          # a.grad = 2, b.grad = 5
"""

import builtins

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
    can_cast,
    cuda_is_available,
    device,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    get_num_threads,
    iinfo,
    initial_seed,
    int8,
    int16,
    int32,
    int64,
    manual_seed,
    promote_types,
    seed,
    set_default_dtype,
    set_num_threads,
    uint8,
)
from .creation import (
    arange,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_rng_state,
    linspace,
    logspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    set_rng_state,
    tensor,
    zeros,
    zeros_like,
)
from .serialization import load, save
from .tensor import Tensor, as_tensor, set_printoptions

# isort: split
from . import ops as _ops  # after .autograd: importing ops first would enter the Tensor ↔ ops cycle from the ops side

# the ops, as torch.<name>: the names are listed once, in ops.TORCH_FUNCTIONS
globals().update({name: getattr(_ops, name) for name in _ops.TORCH_FUNCTIONS})

float = float32  # noqa: A001 - torch.float
double = float64
long = int64
half = float16
bool = bool_  # noqa: A001 - torch.bool
int = int32  # noqa: A001 - torch.int is int32 (the string "int" names int64: tg.Tensor(x, dtype="int"))
short = int16
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


_deterministic = [False]


def use_deterministic_algorithms(mode: builtins.bool, *, warn_only: builtins.bool = False) -> None:
    """Accepted for PyTorch programs and remembered; it changes nothing: every op here is already
    deterministic (NumPy's kernels are, and the CuPy path uses no atomics-based nondeterministic ones)."""
    _deterministic[0] = builtins.bool(mode)


def are_deterministic_algorithms_enabled() -> builtins.bool:
    """What :func:`use_deterministic_algorithms` was last given (False at start, as torch)."""
    return _deterministic[0]

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
    "uint8", "int8", "int16", "bool", "int", "short", "half", "promote_types", "can_cast", "finfo", "iinfo",
    "empty", "empty_like", "logspace", "rand_like", "randn_like", "randint_like", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "get_num_threads", "set_num_threads", "set_printoptions",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
]
