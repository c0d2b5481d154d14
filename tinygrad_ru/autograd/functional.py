"""Derivatives of whole functions (``torch.autograd.functional``): Jacobians, Hessians and their products.

All are built on reverse mode (:func:`~tinygrad_ru.autograd.engine.grad`), the lecture's one tool:

* ``vjp(f, x, v)`` = vᵀ·J — one backward pass seeded with v;
* ``jacobian(f, x)``: J[i, j] = ∂fᵢ/∂xⱼ, one vjp per output element (the rows of J);
* ``jvp(f, x, v)`` = J·v by the double-vjp trick: g(u) = uᵀJ is linear in u, so ∂(g(u)·v)/∂u = J·v;
* ``hessian(f, x)`` = the Jacobian of ∇f (f scalar); ``vhp(f, x, v)`` = vᵀH, ``hvp(f, x, v)`` = H·v
  (the same numbers for a twice continuously differentiable f: H is symmetric).

Inputs and results mirror PyTorch: a single Tensor in gives Tensors out, a tuple gives tuples.
``create_graph=True`` keeps the results differentiable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..tensor import Tensor
from .engine import grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


def _as_tuple(x: Any, what: str, fn: str) -> tuple[bool, tuple[Tensor, ...]]:
    """(was it a tuple, the Tensors as a tuple); torch's TypeError for anything else."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for t in items:
        if not isinstance(t, Tensor):
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but the "
                            f"given {what} has type {type(t)}.")
    return is_tuple, items


def _refuse_strict(strict: bool, fn: str) -> None:
    """``strict=True`` (torch: an error where an output does not depend on an input) is not implemented:
    refused rather than ignored."""
    if strict:
        raise NotImplementedError(f"{fn}: strict=True is not supported here; outputs that do not depend on an "
                                  "input give zeros, as torch's default strict=False")


def _input_vector(v: Any, xs: tuple[Tensor, ...], fn: str) -> tuple[Tensor, ...]:
    """The vector ``v`` shaped like the inputs; None only for a single one-element input (then 1), as torch."""
    if v is not None:
        return _as_tuple(v, "v", fn)[1]
    if len(xs) != 1 or xs[0].numel() != 1:
        raise RuntimeError(f"{fn}: the vector v can only be None if the input to the user-provided function is "
                           "a single Tensor with a single element")
    return (xs[0].new_ones(xs[0].shape),)


def _fresh_inputs(inputs: tuple[Tensor, ...], create_graph: bool = False) -> tuple[Tensor, ...]:
    """The inputs as tensors to differentiate by: new leaves sharing their values (the caller's graph
    stays out), or with ``create_graph`` a differentiable identity of those that require grad, so
    that the results can be differentiated back to them (as torch)."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in inputs)


def _evaluate(func: Callable[..., Any], xs: tuple[Tensor, ...], create_graph: bool,
              fn: str) -> tuple[tuple[Tensor, ...], bool, tuple[Tensor, ...]]:
    """``func`` run on the differentiable stand-ins of the inputs (the caller holds ``enable_grad``):
    (those inputs, whether the output was a tuple, the outputs as a tuple)."""
    xs = _fresh_inputs(xs, create_graph)
    out_tuple, outs = _as_tuple(func(*xs), "outputs of the user-provided function", fn)
    return xs, out_tuple, outs


def _grads(outputs: tuple[Tensor, ...], inputs: tuple[Tensor, ...], seeds: tuple[Any, ...],
           create_graph: bool) -> tuple[Tensor, ...]:
    """Σₖ seedₖᵀ·∂outputₖ/∂inputs, zeros for inputs the outputs do not depend on (as torch's strict=False)."""
    used = [(o, s) for o, s in zip(outputs, seeds) if o.requires_grad]
    if not used:
        return tuple(x.new_zeros(x.shape) for x in inputs)
    gs = grad([o for o, _ in used], list(inputs), [s for _, s in used], retain_graph=True,
              create_graph=create_graph, allow_unused=True)
    return tuple(x.new_zeros(x.shape) if g is None else g for g, x in zip(gs, inputs))


def _result(values: tuple[Any, ...], is_tuple: bool, create_graph: bool) -> Any:
    if not create_graph:
        values = tuple(v.detach() if isinstance(v, Tensor) else v for v in values)
    return values if is_tuple else values[0]


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), vᵀ·J): the vector-Jacobian product, one backward pass seeded with ``v``.

    ``v`` may be omitted for a function with a single-element output (v = 1)."""
    _refuse_strict(strict, "vjp")
    in_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
    with enable_grad():
        xs, out_tuple, outs = _evaluate(func, xs, create_graph, "vjp")
        if v is None:
            if any(o.numel() != 1 for o in outs):
                raise RuntimeError("vjp: the vector v can only be None if the user-provided function returns a "
                                   "single Tensor with a single element")
            seeds: tuple[Any, ...] = (None,) * len(outs)
        else:
            _, seeds = _as_tuple(v, "v", "vjp")
            for o, s in zip(outs, seeds):
                if tuple(o.shape) != tuple(s.shape):
                    raise RuntimeError(f"vjp: v has shape {tuple(s.shape)} but the output has shape {tuple(o.shape)}")
        g = _grads(outs, xs, seeds, create_graph)
    return _result(outs, out_tuple, create_graph), _result(g, in_tuple, create_graph)


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), J·v): the Jacobian-vector product by the double-vjp trick (reverse mode twice)."""
    _refuse_strict(strict, "jvp")
    in_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
    vs = _input_vector(v, xs, "jvp")
    with enable_grad():
        xs, out_tuple, outs = _evaluate(func, xs, create_graph, "jvp")
        us = tuple(o.new_zeros(o.shape).requires_grad_(True) for o in outs)  # g(u) = uᵀJ, linear in u
        g = _grads(outs, xs, us, create_graph=True)
        jv = _grads(g, us, vs, create_graph)
    return _result(outs, out_tuple, create_graph), _result(jv, out_tuple, create_graph)


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """J[i, j] = ∂outputᵢ/∂inputⱼ, of shape output.shape + input.shape (tuples of them for tuple
    inputs/outputs, as torch): one backward pass per output element."""
    _refuse_strict(strict, "jacobian")
    in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():
        xs, out_tuple, outs = _evaluate(func, xs, create_graph, "jacobian")
        blocks = []
        for o in outs:
            rows: list[tuple[Tensor, ...]] = []
            flat = o.reshape(-1)
            for k in range(flat.shape[0]):
                rows.append(_grads((flat[k],), xs, (None,), create_graph))
            per_input = []
            for j, x in enumerate(xs):
                per_input.append(_stack_rows([r[j] for r in rows], x).reshape(tuple(o.shape) + tuple(x.shape)))
            blocks.append(_result(tuple(per_input), in_tuple, create_graph))
    return tuple(blocks) if out_tuple else blocks[0]


def _stack_rows(rows: list[Tensor], like: Tensor) -> Tensor:
    """The rows (each shaped like ``like``) as one (len(rows), like.numel()) Tensor: Σₖ eₖ ⊗ rowₖ, so
    that it stays differentiable without a stacking op in this layer (the teaching sizes are small)."""
    n, m = len(rows), like.numel()
    if n == 0:
        return like.detach().new_zeros((0, m))
    eye = like.xp.eye(n, dtype=like.dtype)
    total = None
    for k, r in enumerate(rows):
        term = Tensor(eye[:, k:k + 1]) * r.reshape(1, m)
        total = term if total is None else total + term
    return total


def _scalar(func: Callable[..., Any], name: str) -> Callable[..., Tensor]:
    def f(*xs: Tensor) -> Tensor:
        out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a single "
                               "element")
        return out.reshape(())
    return f


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """H[i, j] = ∂²f/∂xᵢ∂xⱼ of a scalar function: the Jacobian of its gradient."""
    _refuse_strict(strict, "hessian")
    in_tuple, xs = _as_tuple(inputs, "inputs", "hessian")
    f = _scalar(func, "hessian")

    def gradient(*ys: Tensor) -> tuple[Tensor, ...]:
        return _grads((f(*ys),), ys, (None,), create_graph=True)

    h = jacobian(gradient, xs, create_graph=create_graph)
    return h if in_tuple else h[0][0]


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), vᵀ·H) of a scalar function: a vjp of its gradient."""
    _refuse_strict(strict, "vhp")
    in_tuple, xs = _as_tuple(inputs, "inputs", "vhp")
    f = _scalar(func, "vhp")
    with enable_grad():
        xs = _fresh_inputs(xs, create_graph)
        out = f(*xs)
        g = _grads((out,), xs, (None,), create_graph=True)
        vs = _input_vector(v, xs, "vhp")
        hv = _grads(g, xs, vs, create_graph)
    return _result((out,), False, create_graph), _result(hv, in_tuple, create_graph)


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), H·v): equal to vᵀ·H, the Hessian of a twice differentiable f being symmetric."""
    return vhp(func, inputs, v, create_graph, strict)
