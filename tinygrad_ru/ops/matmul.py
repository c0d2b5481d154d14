"""Matrix product with NumPy's rules: 1-D vectors, 2-D matrices, batched with broadcasting.

For C = A·B the chain rule gives ∂L/∂A = ∂L/∂C·Bᵀ and ∂L/∂B = Aᵀ·∂L/∂C (summed over broadcast
batch dimensions).
"""

from __future__ import annotations

from typing import Any

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import broadcast_shapes, operands
from .elementwise import Mul
from .movement import broadcast_to, permute, reshape, squeeze, sum_to, transpose, unsqueeze


def _check(a_shape: tuple, b_shape: tuple, op: str = "matmul") -> None:
    """Shape errors are RuntimeError, as in PyTorch."""
    if not a_shape or not b_shape:
        raise RuntimeError(f"{op}: both arguments need at least 1 dimension, got shapes {a_shape} and {b_shape}")
    k_a = a_shape[-1]
    k_b = b_shape[0] if len(b_shape) == 1 else b_shape[-2]
    if k_a != k_b:
        raise RuntimeError(f"{op}: shapes {a_shape} and {b_shape} do not align ({k_a} != {k_b})")
    if len(a_shape) > 2 or len(b_shape) > 2:
        try:
            broadcast_shapes(op, a_shape[:-2], b_shape[:-2])
        except RuntimeError:
            raise RuntimeError(
                f"matmul: batch dimensions of shapes {a_shape} and {b_shape} cannot be broadcast together"
            ) from None


class MatMul(Function):
    saves = Mul.saves  # ∂/∂a reads b, ∂/∂b reads a

    def forward(self, a, b):
        _check(tuple(a.shape), tuple(b.shape))
        return backend.get_array_module(a, b).matmul(a, b)

    def backward(self, g):
        a, b = self.inputs
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:  # dot product: g is a scalar
            ga = g * b if self.needs_input_grad[0] else None
            gb = g * a if self.needs_input_grad[1] else None
            return ga, gb
        if a.ndim == 1:  # (k) @ (..., k, n) -> (..., n)
            if self.needs_input_grad[0]:
                ga = sum_to(squeeze(matmul(b, unsqueeze(g, -1)), -1), a.shape)
            if self.needs_input_grad[1]:
                gb = sum_to(unsqueeze(a, -1) * unsqueeze(g, -2), b.shape)
            return ga, gb
        if b.ndim == 1:  # (..., m, k) @ (k) -> (..., m)
            if self.needs_input_grad[0]:
                ga = sum_to(unsqueeze(g, -1) * b, a.shape)
            if self.needs_input_grad[1]:
                gb = sum_to(squeeze(matmul(transpose(a, -1, -2), unsqueeze(g, -1)), -1), b.shape)
            return ga, gb
        if self.needs_input_grad[0]:
            ga = sum_to(matmul(g, transpose(b, -1, -2)), a.shape)
        if self.needs_input_grad[1]:
            gb = sum_to(matmul(transpose(a, -1, -2), g), b.shape)
        return ga, gb


def matmul(a: Any, b: Any) -> Tensor:
    return MatMul()(*operands(a, b))


def _require(op: str, a: Tensor, b: Tensor, ndims: tuple[int, int]) -> None:
    if (a.ndim, b.ndim) != ndims:
        raise RuntimeError(f"{op}: expected {ndims[0]}-D and {ndims[1]}-D tensors, got shapes {a.shape} and {b.shape}")


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix product (B, n, m) @ (B, m, p) → (B, n, p); no broadcasting (as PyTorch)."""
    _require("bmm", a, b, (3, 3))
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"bmm: batch sizes of shapes {a.shape} and {b.shape} differ")
    _check(a.shape, b.shape, "bmm")
    return matmul(a, b)


def _checked_matmul(op: str, a: Tensor, b: Tensor, ndims: tuple[int, int]) -> Tensor:
    """``matmul`` after ``op``'s checks: the operands' numbers of dimensions, then the inner sizes."""
    _require(op, a, b, ndims)
    _check(a.shape, b.shape, op)
    return matmul(a, b)


def mm(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product of two 2-D tensors (no broadcasting, as PyTorch)."""
    return _checked_matmul("mm", a, b, (2, 2))


def mv(a: Tensor, v: Tensor) -> Tensor:
    """Matrix (n, m) times vector (m,)."""
    return _checked_matmul("mv", a, v, (2, 1))


def dot(a: Tensor, b: Tensor) -> Tensor:
    """Inner product of two 1-D tensors of the same length."""
    return _checked_matmul("dot", a, b, (1, 1))


def outer(a: Tensor, b: Tensor) -> Tensor:
    """Outer product aᵢbⱼ of two 1-D tensors."""
    _require("outer", a, b, (1, 1))
    return unsqueeze(a, 1) * unsqueeze(b, 0)


# ----------------------------------------------------------------------------- einsum
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str, str]:
    """Explicit subscripts: '...' replaced by letters (right-aligned), the implicit output made explicit."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(f"einsum: the equation {equation!r} names {len(terms)} operands, got {len(shapes)}")
    used = set(eq) - {".", ",", "-", ">"}
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for t, shape in zip(terms, shapes):
        if "..." in t:
            n_ell = max(n_ell, len(shape) - (len(t) - 3))
    ell = "".join(spare[:n_ell])
    out_terms = []
    for t, shape in zip(terms, shapes):
        if "..." in t:
            k = len(shape) - (len(t) - 3)
            t = t.replace("...", ell[n_ell - k:] if k else "")
        if len(t) != len(shape) or not all(c in _LETTERS for c in t):
            raise RuntimeError(f"einsum: subscripts {t!r} do not fit an operand of shape {shape} in {equation!r}")
        out_terms.append(t)
    if arrow:
        out = rhs.replace("...", ell)
    else:  # implicit output: the ellipsis, then the letters used once, alphabetically
        counts = {c: sum(t.count(c) for t in out_terms) for c in set("".join(out_terms))}
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    if any(c not in "".join(out_terms) for c in out) or len(set(out)) != len(out):
        raise RuntimeError(f"einsum: bad output subscripts {out!r} in {equation!r}")
    return out_terms, out, ell


class Einsum(Function):
    """Σ over the letters missing from the output of the product of the operands.

    The gradient of operand i is itself an einsum: the output gradient times all other operands,
    summed to operand i's subscripts (letters only in operand i are broadcast back, a repeated
    letter puts the gradient on the diagonal)."""

    def __init__(self, terms: list[str], out: str) -> None:
        self.terms, self.out = terms, out

    def forward(self, *xs):
        xp = backend.get_array_module(*xs)
        return xp.einsum(",".join(self.terms) + "->" + self.out, *xs)

    def backward(self, g):
        xs = self.inputs
        grads = []
        for i, (x, term) in enumerate(zip(xs, self.terms)):
            if not self.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [t for j, t in enumerate(self.terms) if j != i]
            known = set(self.out).union(*others)
            unique = "".join(dict.fromkeys(c for c in term if c in known))
            gi = _einsum([self.out] + others, unique, [g] + [t for j, t in enumerate(xs) if j != i])
            # letters only in this operand: the gradient does not depend on them, broadcast it
            full = "".join(dict.fromkeys(term))
            if full != unique:
                sizes = {c: n for c, n in zip(term, x.shape)}
                gi = _broadcast_letters(gi, unique, full, sizes)
            if full != term:  # a repeated letter: the gradient lives on the diagonal
                gi = _diagonal_embed(gi, full, term, x.shape)
            grads.append(gi)
        return tuple(grads)


def _broadcast_letters(g: Tensor, have: str, want: str, sizes: dict[str, int]) -> Tensor:
    """g with subscripts ``have`` broadcast to ``want`` (a superset), in ``want``'s order."""
    order = [have.index(c) for c in want if c in have]
    g = permute(g, *order) if order != list(range(len(order))) else g
    kept = [c for c in want if c in have]
    shape, target = [], []
    it = iter(g.shape)
    for c in want:
        shape.append(next(it) if c in kept else 1)
        target.append(sizes[c])
    return broadcast_to(reshape(g, tuple(shape)), tuple(target))


def _diagonal_embed(g: Tensor, full: str, term: str, shape: tuple[int, ...]) -> Tensor:
    """From subscripts with each letter once (``full``) to ``term`` with repeats: zero off the diagonal."""
    xp = g.xp
    extra, eyes, letters = [], [], iter(c for c in _LETTERS if c not in term)
    renamed = ""
    seen: set[str] = set()
    for c, n in zip(term, shape):
        if c in seen:
            new = next(letters)
            extra.append(c + new)
            eyes.append(Tensor._wrap(xp.eye(n, dtype=g.dtype), False))
            renamed += new
        else:
            seen.add(c)
            renamed += c
    return _einsum([full] + extra, renamed, [g] + eyes)


def _einsum(terms: list[str], out: str, xs: list[Tensor]) -> Tensor:
    return Einsum(terms, out)(*xs)


def einsum(equation: str, *operands_: Any) -> Tensor:
    """Einstein summation, ``tg.einsum("bij,bjk->bik", a, b)`` (also a list of operands, and '...')."""
    if len(operands_) == 1 and isinstance(operands_[0], (list, tuple)):
        operands_ = tuple(operands_[0])
    xs = [x if isinstance(x, Tensor) else Tensor(x) for x in operands_]
    terms, out, ell = _parse_einsum(equation, [x.shape for x in xs])
    if ell:  # the '...' dimensions broadcast: expand them to one shape first (differentiably)
        ell_shapes = [tuple(n for c, n in zip(t, x.shape) if c in ell) for t, x in zip(terms, xs)]
        common = broadcast_shapes("einsum", *ell_shapes)
        common = (1,) * (len(ell) - len(common)) + common
        for k, (t, x) in enumerate(zip(terms, xs)):
            target = tuple(common[ell.index(c)] if c in ell else n for c, n in zip(t, x.shape))
            if target != x.shape:
                xs[k] = broadcast_to(x, target)
    sizes: dict[str, int] = {}
    for t, x in zip(terms, xs):
        for c, n in zip(t, x.shape):
            if sizes.setdefault(c, n) != n:
                raise RuntimeError(f"einsum: subscript {c!r} has sizes {sizes[c]} and {n} in {equation!r} "
                                   f"(shapes {', '.join(str(x.shape) for x in xs)})")
    return _einsum(terms, out, xs)


__all__ = ["matmul", "bmm", "mm", "mv", "dot", "outer", "einsum"]
