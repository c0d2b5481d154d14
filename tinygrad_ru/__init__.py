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
from .ops import (  # noqa: F401  (same names as PyTorch's)
    abs,
    acos,
    add,
    addcdiv,
    addcmul,
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    argsort,
    asin,
    atan,
    bmm,
    broadcast_to,
    cat,
    ceil,
    chunk,
    clamp,
    clamp_max,
    clamp_min,
    conv2d,
    cos,
    cosh,
    count_nonzero,
    cumsum,
    diag,
    diagonal,
    div,
    dot,
    einsum,
    elu,
    erf,
    exp,
    expm1,
    flatten,
    flip,
    floor,
    floor_divide,
    fmod,
    frac,
    gather,
    gelu,
    index_add,
    index_select,
    isfinite,
    isinf,
    isnan,
    kthvalue,
    leaky_relu,
    lerp,
    log,
    log1p,
    log2,
    log10,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    logsumexp,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    median,
    min,
    minimum,
    mm,
    movedim,
    mul,
    mv,
    narrow,
    neg,
    outer,
    pad,
    permute,
    pow,
    prod,
    relu,
    remainder,
    repeat_interleave,
    reshape,
    roll,
    round,
    rsqrt,
    scatter,
    scatter_add,
    select,
    sigmoid,
    sign,
    silu,
    sin,
    sinh,
    softplus,
    sort,
    split,
    sqrt,
    squeeze,
    stack,
    std,
    sub,
    sum,
    take_along_dim,
    tan,
    tanh,
    tile,
    topk,
    transpose,
    tril,
    triu,
    trunc,
    unbind,
    unflatten,
    unsqueeze,
    var,
    where,
)
from .serialization import load, save
from .tensor import Tensor, as_tensor

float = float32  # noqa: A001 - torch.float
double = float64
long = int64
clip = clamp
arcsin, arccos, arctan = asin, acos, atan
swapaxes = swapdims = transpose
moveaxis = movedim
fix = trunc
subtract, multiply, divide, true_divide, negative, absolute = sub, mul, div, div, neg, abs


def numel(t: Tensor) -> int:
    """The number of elements of ``t``."""
    return t.numel()


def fliplr(t: Tensor) -> Tensor:
    return flip(t, 1)


def flipud(t: Tensor) -> Tensor:
    return flip(t, 0)


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
    "nn", "optim", "data", "abs", "absolute", "acos", "add", "addcdiv", "addcmul", "all", "amax", "amin", "any",
    "arccos", "arcsin", "arctan", "argmax", "argmin", "argsort", "asin", "atan", "bmm", "broadcast_to", "cat",
    "ceil", "chunk", "clamp", "clamp_max", "clamp_min", "clip", "cos", "cosh", "count_nonzero", "cumsum", "diag",
    "diagonal", "div", "divide", "dot", "einsum", "elu", "erf", "exp", "expm1", "fix", "flatten", "flip", "fliplr",
    "flipud", "floor", "floor_divide", "fmod", "frac", "gather", "gelu", "index_add", "index_select", "isfinite",
    "isinf", "isnan", "kthvalue", "leaky_relu", "lerp", "log", "log10", "log1p", "log2", "logical_and",
    "logical_not", "logical_or", "logical_xor", "logsumexp", "masked_fill", "matmul", "max", "maximum", "mean",
    "median", "min", "minimum", "mm", "moveaxis", "movedim", "mul", "multiply", "mv", "narrow", "neg", "negative",
    "numel", "outer", "pad", "permute", "pow", "prod", "relu", "remainder", "repeat_interleave", "reshape", "roll",
    "round", "rsqrt", "scatter", "scatter_add", "select", "sigmoid", "sign", "silu", "sin", "sinh", "softplus",
    "sort", "split", "sqrt", "square", "squeeze", "stack", "std", "sub", "subtract", "sum", "swapaxes", "swapdims",
    "take_along_dim", "tan", "tanh", "tile", "topk", "trace", "transpose", "tril", "triu", "true_divide", "trunc",
    "unbind", "unflatten", "unsqueeze", "var", "where",
    "device", "from_numpy", "cuda", "accelerator", "utils", "conv2d",
]
