"""The autograd engine: Function nodes, backward, grad, grad modes and gradient checking."""

from ..tensor import Tensor
from . import functional
from .engine import backward, grad, topological_order
from .function import Function, FunctionCtx
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck, numerical_grad

__all__ = [
    "Tensor", "Function", "FunctionCtx", "functional", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
    "is_grad_enabled", "inference_mode", "topological_order", "gradcheck", "gradgradcheck", "numerical_grad",
]
