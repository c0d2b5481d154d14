"""The differentiable primitives, one small Function each, grouped by kind.

Each module lists its public ops in ``__all__``.  The two public surfaces built from them are
listed here, once: :data:`TORCH_FUNCTIONS` (``tinygrad_ru.<name>``, as ``torch.<name>``) and
:data:`FUNCTIONAL` (``tinygrad_ru.nn.functional.<name>``, as ``torch.nn.functional``).  Adding an
op touches its module and, if it is public, one of these two lists.
"""

from . import comparison as _comparison
from . import copies as _copies
from . import elementwise as _elementwise
from . import indexing as _indexing
from . import inplace as _inplace
from . import matmul as _matmul
from . import movement as _movement
from . import padding as _padding
from . import reduce as _reduce
from .activation import *  # noqa: F403  (each module lists its public ops in __all__)
from .adaptive_pool import *  # noqa: F403
from .comparison import *  # noqa: F403
from .conv import *  # noqa: F403
from .conv1d import *  # noqa: F403
from .conv_groups import *  # noqa: F403  (after conv: its conv2d, with groups, is the public one)
from .conv_transpose import *  # noqa: F403
from .copies import *  # noqa: F403
from .dense import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .fold import *  # noqa: F403
from .indexing import *  # noqa: F403
from .inplace import *  # noqa: F403
from .losses import *  # noqa: F403
from .matmul import *  # noqa: F403
from .movement import *  # noqa: F403
from .normalization import *  # noqa: F403
from .padding import *  # noqa: F403
from .reduce import *  # noqa: F403
from .regression_losses import *  # noqa: F403
from .resample import *  # noqa: F403
from .softmax_family import *  # noqa: F403

TORCH_FUNCTIONS = [  # the ops that tinygrad_ru exports at the top level (torch.<name>)
    "abs", "acos", "add", "addcdiv", "addcmul", "all", "amax", "amin", "any", "argmax", "argmin", "argsort",
    "asin", "atan", "bmm", "broadcast_to", "cat", "ceil", "chunk", "clamp", "clamp_max", "clamp_min", "conv2d",
    "cos", "cosh", "count_nonzero", "cumsum", "diag", "diagonal", "div", "dot", "einsum", "elu", "erf", "exp",
    "expm1", "flatten", "flip", "floor", "floor_divide", "fmod", "frac", "gather", "gelu", "index_add",
    "index_select", "isfinite", "isinf", "isnan", "kthvalue", "leaky_relu", "lerp", "log", "log1p", "log2",
    "log10", "logical_and", "logical_not", "logical_or", "logical_xor", "logsumexp", "masked_fill", "matmul",
    "max", "maximum", "mean", "median", "min", "minimum", "mm", "movedim", "mul", "mv", "narrow", "neg",
    "outer", "pad", "permute", "pow", "prod", "relu", "remainder", "repeat_interleave", "reshape", "roll",
    "round", "rsqrt", "scatter", "scatter_add", "select", "sigmoid", "sign", "silu", "sin", "sinh", "softplus",
    "sort", "split", "sqrt", "squeeze", "stack", "std", "sub", "sum", "take_along_dim", "tan", "tanh", "tile",
    "topk", "transpose", "tril", "triu", "trunc", "unbind", "unflatten", "unsqueeze", "var", "where",
    "selu", "selu_", "celu", "celu_", "threshold", "threshold_", "hardshrink", "rrelu", "rrelu_", "relu_",
    "group_norm", "instance_norm", "rms_norm", "cosine_similarity", "pairwise_distance",
    "conv1d", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d", "pixel_shuffle", "pixel_unshuffle",
    "conv_transpose2d",
]

FUNCTIONAL = [  # the ops of tinygrad_ru.nn.functional (torch.nn.functional.<name>)
    "adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool2d", "max_pool2d", "conv2d", "linear", "dropout",
    "embedding", "prelu", "relu", "leaky_relu", "elu", "gelu", "sigmoid", "silu", "softplus", "tanh",
    "softmax", "log_softmax", "batch_norm", "layer_norm", "nll_loss", "cross_entropy", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "one_hot", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
    "kl_div", "l1_penalty", "l2_penalty", "flatten", "pad",
    "relu6", "hardtanh", "hardtanh_", "selu", "selu_", "celu", "celu_", "mish", "logsigmoid", "softsign",
    "softmin", "threshold", "threshold_", "hardswish", "hardsigmoid", "hardshrink", "softshrink", "tanhshrink",
    "glu", "rrelu", "rrelu_", "relu_", "elu_", "leaky_relu_",
    "group_norm", "instance_norm", "rms_norm", "normalize", "cosine_similarity", "pairwise_distance",
    "conv1d", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d", "pixel_shuffle", "pixel_unshuffle",
    "conv_transpose2d", "dropout1d", "dropout2d", "unfold", "fold", "interpolate",
    "local_response_norm",
]

__all__ = list(dict.fromkeys([
    *_elementwise.__all__, *_comparison.__all__, *_copies.__all__, *_inplace.__all__, *_matmul.__all__,
    *_movement.__all__, *_indexing.__all__, *_padding.__all__, *_reduce.__all__,
    *TORCH_FUNCTIONS, *FUNCTIONAL,
]))
