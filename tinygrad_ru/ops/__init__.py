"""The differentiable primitives, one small Function each, grouped by kind.

Each module lists its public ops in ``__all__``.  The two public surfaces built from them are
listed here, once: :data:`TORCH_FUNCTIONS` (``tinygrad_ru.<name>``, as ``torch.<name>``) and
:data:`FUNCTIONAL` (``tinygrad_ru.nn.functional.<name>``, as ``torch.nn.functional``).  Adding an
op touches its module and, if it is public, one of these two lists.
"""

from . import comparison as _comparison
from . import copies as _copies
from . import counting as _counting
from . import elementwise as _elementwise
from . import index_update as _index_update
from . import indexing as _indexing
from . import inplace as _inplace
from . import matmul as _matmul
from . import movement as _movement
from . import padding as _padding
from . import predicates as _predicates
from . import reduce as _reduce
from . import sampling as _sampling
from . import scans as _scans
from . import shaping as _shaping
from . import special as _special
from .activation import *  # noqa: F403  (each module lists its public ops in __all__)
from .adaptive_pool import *  # noqa: F403
from .comparison import *  # noqa: F403
from .conv import *  # noqa: F403
from .conv1d import *  # noqa: F403
from .conv_groups import *  # noqa: F403  (after conv: its conv2d, with groups, is the public one)
from .conv_transpose import *  # noqa: F403
from .copies import *  # noqa: F403
from .counting import *  # noqa: F403
from .dense import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .fold import *  # noqa: F403
from .index_update import *  # noqa: F403
from .indexing import *  # noqa: F403
from .inplace import *  # noqa: F403
from .losses import *  # noqa: F403
from .margin_losses import *  # noqa: F403
from .matmul import *  # noqa: F403
from .movement import *  # noqa: F403
from .normalization import *  # noqa: F403
from .padding import *  # noqa: F403
from .predicates import *  # noqa: F403
from .reduce import *  # noqa: F403
from .regression_losses import *  # noqa: F403
from .resample import *  # noqa: F403
from .sampling import *  # noqa: F403
from .scans import *  # noqa: F403
from .shaping import *  # noqa: F403
from .softmax_family import *  # noqa: F403
from .special import *  # noqa: F403

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
    # questions about tensors (ops/predicates.py) and random tensors made from tensors (ops/sampling.py)
    "allclose", "equal", "is_floating_point", "is_nonzero", "is_tensor", "isclose", "result_type",
    "bernoulli", "multinomial", "normal",
    # free forms of methods, joining and splitting (shaping.py, reduce.py)
    "softmax", "log_softmax", "t", "clone", "detach", "reciprocal", "norm", "dist", "concat", "concatenate",
    "hstack", "vstack", "row_stack", "dstack", "column_stack", "atleast_1d", "atleast_2d", "atleast_3d",
    "broadcast_tensors", "inner", "sgn", "tensor_split", "split_with_sizes", "hsplit", "vsplit", "dsplit",
    "rot90", "masked_select", "take", "nonzero", "argwhere",
    # elementwise (special.py)
    "atan2", "arctan2", "exp2", "logaddexp", "logaddexp2", "hypot", "logit", "xlogy", "sinc", "deg2rad",
    "rad2deg", "copysign", "heaviside", "nan_to_num", "float_power", "signbit", "fmax", "fmin", "asinh", "acosh",
    "atanh", "arcsinh", "arccosh", "arctanh", "erfc", "erfinv",
    # scans and NaN-aware reductions (scans.py)
    "cumprod", "cummax", "cummin", "logcumsumexp", "diff", "nansum", "nanmean", "aminmax",
    # products of shapes (shaping.py), writes along an index (index_update.py), counting (counting.py)
    "kron", "cross", "cartesian_prod", "block_diag", "diag_embed", "diagflat", "index_fill", "index_copy",
    "scatter_reduce", "unique", "bincount", "histc", "searchsorted", "bucketize",
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
    "kl_div", "l1_penalty", "l2_penalty", "flatten", "pad", "margin_ranking_loss", "hinge_embedding_loss",
    "soft_margin_loss", "cosine_embedding_loss", "pairwise_distance", "triplet_margin_loss",
    "triplet_margin_with_distance_loss", "multi_margin_loss", "multilabel_margin_loss",
    "multilabel_soft_margin_loss", "gaussian_nll_loss", "poisson_nll_loss",
    "relu6", "hardtanh", "hardtanh_", "selu", "selu_", "celu", "celu_", "mish", "logsigmoid", "softsign",
    "softmin", "threshold", "threshold_", "hardswish", "hardsigmoid", "hardshrink", "softshrink", "tanhshrink",
    "glu", "rrelu", "rrelu_", "relu_", "elu_", "leaky_relu_",
    "group_norm", "instance_norm", "rms_norm", "normalize", "cosine_similarity",
    "conv1d", "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d", "pixel_shuffle", "pixel_unshuffle",
    "conv_transpose2d", "dropout1d", "dropout2d", "unfold", "fold", "interpolate",
    "local_response_norm",
]

__all__ = list(dict.fromkeys([
    *_elementwise.__all__, *_comparison.__all__, *_copies.__all__, *_inplace.__all__, *_matmul.__all__,
    *_movement.__all__, *_indexing.__all__, *_padding.__all__, *_reduce.__all__,
    *_predicates.__all__, *_sampling.__all__,
    *_movement.__all__, *_indexing.__all__, *_padding.__all__, *_reduce.__all__, *_scans.__all__,
    *_shaping.__all__, *_special.__all__, *_counting.__all__, *_index_update.__all__,
    *TORCH_FUNCTIONS, *FUNCTIONAL,
]))
