"""Check a backward against central finite differences — the test every op here passes.

    ∂f/∂xᵢ ≈ (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε      (error O(ε²))

Students use it to check their own :class:`Function` subclasses::

    x = tg.randn(3, 4, dtype=tg.float64, requires_grad=True)
    gradcheck(lambda x: (x * x).sum(), [x])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import backend
from ..tensor import Tensor
from .engine import grad


def _as_list(inputs: Any) -> list[Tensor]:
    return [inputs] if isinstance(inputs, Tensor) else list(inputs)


def _requiring_grad(xs: Sequence[Any]) -> list[Tensor]:
    """The inputs that are Tensors with ``requires_grad``: the ones the checks differentiate by."""
    return [x for x in xs if isinstance(x, Tensor) and x.requires_grad]


def _scalarize(out: Any, weights: list[np.ndarray]) -> Tensor:
    """Reduce any output (tuple of tensors too) to a scalar with fixed random weights."""
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, Tensor)]
    outs = [o for o in outs if o.dtype.kind == "f"]
    while len(weights) < len(outs):
        o = outs[len(weights)]
        weights.append(backend.to_device(np.random.default_rng(len(weights) + 7).standard_normal(o.shape), o.device))
    total = None
    for o, w in zip(outs, weights):
        term = (o * Tensor._wrap(w.astype(o.dtype), False)).sum()
        total = term if total is None else total + term
    return total


def numerical_grad(f: Callable[[], Tensor], x: Tensor, eps: float) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to every element of ``x.data``."""
    host = backend.to_numpy(x.data)
    g = np.zeros(host.shape, dtype=np.float64)
    flat = host.reshape(-1).copy()
    for i in range(flat.size):
        old = flat[i]
        for sign in (1, -1):
            flat[i] = old + sign * eps
            x.data = backend.to_device(flat.reshape(host.shape).astype(host.dtype), x.device)
            value = float(f().detach().item())
            g.reshape(-1)[i] += sign * value / (2 * eps)
        flat[i] = old
    x.data = backend.to_device(host, x.device)
    return g


def gradcheck(
    fn: Callable[..., Any],
    inputs: Sequence[Tensor] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Compare the analytic gradient of ``fn(*inputs)`` with central differences.

    Inputs that require grad should be float64.  Non-scalar outputs are reduced with fixed random
    weights (so every output element is checked).  Returns True or raises AssertionError naming
    the input, the worst element and both values.
    """
    inputs = _as_list(inputs)
    wrt = _requiring_grad(inputs)
    if not wrt:
        raise ValueError("gradcheck: no input has requires_grad=True")
    for x in wrt:
        if x.dtype != np.float64:
            raise ValueError(f"gradcheck: inputs must be float64 for finite differences, got {x.dtype}")
    weights: list[np.ndarray] = []
    out = _scalarize(fn(*inputs), weights)
    # an output that does not depend on the inputs (e.g. the derivative of a linear op) has zero gradient
    analytic = grad(out, wrt, allow_unused=True) if out.requires_grad else [None] * len(wrt)
    for k, (x, ga) in enumerate(zip(wrt, analytic)):
        numeric = numerical_grad(lambda: _scalarize(fn(*inputs), weights), x, eps)
        got = np.zeros(x.shape) if ga is None else backend.to_numpy(ga.data).astype(np.float64)
        if not np.allclose(got, numeric, atol=atol, rtol=rtol):
            err = np.abs(got - numeric)
            i = tuple(int(j) for j in np.unravel_index(int(np.argmax(err)), err.shape)) if err.ndim else ()
            raise AssertionError(
                f"gradcheck failed for input {k} of shape {x.shape}: at index {i} analytic "
                f"{float(got[i]):.6g} vs numerical {float(numeric[i]):.6g} (max abs error {err.max():.3g})"
            )
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Sequence[Tensor] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check second derivatives: gradcheck of x ↦ ∂(w·fn(x))/∂x built with ``create_graph=True``."""
    inputs = _as_list(inputs)
    wrt = _requiring_grad(inputs)
    weights: list[np.ndarray] = []

    def first_derivative(*xs: Tensor):
        out = _scalarize(fn(*xs), weights)
        grads = grad(out, _requiring_grad(xs), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    first_derivative(*inputs)  # fixes the weights
    return gradcheck(first_derivative, inputs, eps=eps, atol=atol, rtol=rtol) if wrt else True
