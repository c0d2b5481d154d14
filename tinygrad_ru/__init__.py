"""tinygrad_ru: a teaching-grade reverse-mode autodiff and deep-learning framework.

    import tinygrad_ru as tg
    a = tg.Tensor(2.0, requires_grad=True, name="a")
    b = tg.Tensor(1.0, requires_grad=True, name="b")
    c = a + b; d = b + 1; e = c * d
    e.backward()          # a.grad = 2, b.grad = 5
"""

from . import backend
from .autograd import Function, enable_grad, grad, gradcheck, is_grad_enabled, no_grad, set_grad_enabled
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
from .ops import (  # noqa: F401  (same names as PyTorch's)
    abs,
    argmax,
    argmin,
    cat,
    clamp,
    conv2d,
    cos,
    elu,
    erf,
    exp,
    flatten,
    gelu,
    leaky_relu,
    log,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    pad,
    permute,
    relu,
    reshape,
    sigmoid,
    silu,
    sin,
    softplus,
    split,
    sqrt,
    squeeze,
    stack,
    std,
    sum,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from .serialization import load, save
from .tensor import Tensor, as_tensor

float = float32  # noqa: A001 - torch.float
double = float64
long = int64

__version__ = "0.1.0"

# tg.nn, tg.optim, tg.data, tg.cuda, tg.accelerator, tg.utils.data as in PyTorch; they import the core above
from . import accelerator, cuda, data, nn, optim, utils  # noqa: E402

__all__ = [
    "Tensor", "Function", "tensor", "as_tensor", "no_grad", "enable_grad", "set_grad_enabled",
    "is_grad_enabled", "grad", "gradcheck", "manual_seed", "backend", "float16", "float32", "float64", "int32",
    "int64", "bool_", "get_default_dtype", "set_default_dtype", "cuda_is_available", "zeros", "ones", "full",
    "zeros_like", "ones_like", "full_like", "randn", "rand", "randint", "randperm", "arange", "linspace", "eye",
    "abs", "cat", "clamp", "cos", "elu", "erf", "exp", "flatten", "gelu", "leaky_relu", "log", "logsumexp",
    "matmul", "maximum", "mean", "minimum", "pad", "permute", "relu", "reshape", "sigmoid", "silu", "sin",
    "softplus", "sqrt", "squeeze", "stack", "std", "sum", "tanh", "transpose", "unsqueeze", "var", "where",
    "argmax", "argmin", "max", "min", "save", "load", "nn", "optim", "data",
    "device", "from_numpy", "cuda", "accelerator", "utils", "conv2d", "split",
]
