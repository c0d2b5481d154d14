"""Every primitive op: first derivatives (gradcheck) and second derivatives (gradgradcheck).

All checks run in float64 against central finite differences.  Inputs are chosen away from
kinks (|x| > 0.1 for relu/abs/max, distinct values for max/min/maximum) so that finite
differences are meaningful.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru.autograd import gradcheck, gradgradcheck

F64 = tg.float64


def _rand(*shape, low=-2.0, high=2.0, seed=0, away=0.0):
    """Random float64 values in [low, high]; with ``away``, |x| ≥ away (off the kinks)."""
    rng = np.random.default_rng(seed + 17 * len(shape) + sum(shape))
    x = rng.uniform(low, high, size=shape)
    if away:
        x = np.where(np.abs(x) < away, np.sign(x + 1e-12) * away + x, x)
    return tg.Tensor(x, dtype=F64, requires_grad=True)


def _pos(*shape, seed=0):
    return _rand(*shape, low=0.5, high=2.0, seed=seed)


def _distinct(*shape, seed=0):
    """A permutation of well-separated values: no ties for max/min."""
    n = int(np.prod(shape))
    rng = np.random.default_rng(seed)
    x = rng.permutation(n).reshape(shape) * 0.37 - n * 0.15 + 0.013
    return tg.Tensor(x, dtype=F64, requires_grad=True)


# (id, fn, inputs factory, check second derivative)
# Piecewise-linear ops have a zero second derivative, which gradgradcheck checks too.
CASES = [
    # arithmetic, with broadcasting both ways
    ("add", lambda a, b: a + b, lambda: [_rand(3, 4), _rand(3, 4, seed=1)], True),
    ("add_broadcast", lambda a, b: a + b, lambda: [_rand(3, 4), _rand(4, seed=1)], True),
    ("add_broadcast_both", lambda a, b: a + b, lambda: [_rand(3, 1), _rand(1, 4, seed=1)], True),
    ("add_scalar", lambda a: 2.5 + a, lambda: [_rand(3)], True),
    ("sub", lambda a, b: a - b, lambda: [_rand(2, 3), _rand(2, 3, seed=1)], True),
    ("sub_broadcast", lambda a, b: a - b, lambda: [_rand(2, 1, 3), _rand(4, 1, seed=1)], True),
    ("rsub", lambda a: 1.0 - a, lambda: [_rand(3)], True),
    ("mul", lambda a, b: a * b, lambda: [_rand(3, 4), _rand(3, 4, seed=1)], True),
    ("mul_broadcast", lambda a, b: a * b, lambda: [_rand(2, 3, 4), _rand(3, 1, seed=1)], True),
    ("mul_0d", lambda a, b: a * b, lambda: [_rand(3, 2), _rand(seed=1)], True),
    ("div", lambda a, b: a / b, lambda: [_rand(3, 4), _pos(3, 4, seed=1)], True),
    ("div_broadcast", lambda a, b: a / b, lambda: [_rand(3, 4), _pos(4, seed=1)], True),
    ("rdiv", lambda a: 1.0 / a, lambda: [_pos(5)], True),
    ("neg", lambda a: -a, lambda: [_rand(3, 4)], True),
    ("pow_scalar", lambda a: a ** 3, lambda: [_rand(3, 4)], True),
    ("pow_scalar_2", lambda a: a ** 2, lambda: [_rand(3, 4)], True),
    ("pow_scalar_frac", lambda a: a ** 0.5, lambda: [_pos(3, 4)], True),
    ("pow_scalar_neg", lambda a: a ** -1.5, lambda: [_pos(4)], True),
    ("pow_tensor", lambda a, b: a ** b, lambda: [_pos(3, 4), _rand(3, 4, seed=1)], True),
    ("pow_tensor_broadcast", lambda a, b: a ** b, lambda: [_pos(3, 4), _rand(4, seed=1)], True),
    ("rpow", lambda b: 2.0 ** b, lambda: [_rand(4)], True),
    ("norm_2", lambda a: a.norm(), lambda: [_rand(3, 4)], True),
    ("norm_1", lambda a: a.norm(1), lambda: [_rand(5)], False),
    ("norm_3", lambda a: a.norm(3), lambda: [_rand(2, 3)], True),
    ("norm_inf", lambda a: a.norm(float("inf")), lambda: [_rand(5)], False),
    ("reused_node", lambda x: x * x + x, lambda: [_rand(3, 4)], True),
    ("reused_deep", lambda x: (x * x + x) * (x - 1.0) / (x * x + 1.0), lambda: [_rand(5)], True),
    # unary
    ("exp", lambda a: a.exp(), lambda: [_rand(3, 4)], True),
    ("log", lambda a: a.log(), lambda: [_pos(3, 4)], True),
    ("sqrt", lambda a: a.sqrt(), lambda: [_pos(3, 4)], True),
    ("abs", lambda a: a.abs(), lambda: [_rand(3, 4, away=0.1)], True),
    ("sin_cos", lambda a: a.sin() * a.cos(), lambda: [_rand(6)], True),
    ("maximum", lambda a, b: tg.maximum(a, b), lambda: [_rand(3, 4), _rand(3, 4, seed=1)], True),
    ("maximum_broadcast", lambda a, b: tg.maximum(a, b), lambda: [_rand(3, 4), _rand(4, seed=1)], True),
    ("minimum", lambda a, b: tg.minimum(a, b), lambda: [_rand(3, 4), _rand(3, 4, seed=1)], True),
    ("maximum_scalar", lambda a: tg.maximum(a, 0.3), lambda: [_rand(8, away=0.1)], True),
    ("clamp", lambda a: a.clamp(-0.5, 0.7), lambda: [_distinct(4, 5)], True),
    ("clamp_min", lambda a: tg.clamp(a, min=0.05), lambda: [_distinct(4, 5)], True),
    ("clamp_max", lambda a: tg.clamp(a, max=0.05), lambda: [_distinct(4, 5)], True),
    ("where", lambda a, b: tg.where(a > 0, a * 2.0, b), lambda: [_rand(3, 4, away=0.1), _rand(3, 4, seed=1)], True),
    ("where_broadcast", lambda a, b: tg.where(a > 0, a, b), lambda: [_rand(3, 4, away=0.1), _rand(4, seed=1)], True),
    # activations
    ("tanh", lambda a: a.tanh(), lambda: [_rand(3, 4)], True),
    ("sigmoid", lambda a: a.sigmoid(), lambda: [_rand(3, 4, low=-6, high=6)], True),
    ("relu", lambda a: a.relu(), lambda: [_rand(3, 4, away=0.1)], True),
    ("leaky_relu", lambda a: a.leaky_relu(0.1), lambda: [_rand(3, 4, away=0.1)], True),
    ("elu", lambda a: a.elu(1.3), lambda: [_rand(3, 4, away=0.1)], True),
    ("gelu_erf", lambda a: a.gelu(), lambda: [_rand(3, 4, low=-3, high=3)], True),
    ("gelu_tanh", lambda a: a.gelu("tanh"), lambda: [_rand(3, 4, low=-3, high=3)], True),
    ("silu", lambda a: tg.silu(a), lambda: [_rand(3, 4, low=-4, high=4)], True),
    ("softplus", lambda a: a.softplus(), lambda: [_rand(3, 4, low=-5, high=5)], True),
    ("softplus_beta", lambda a: a.softplus(beta=2.0, threshold=5.0), lambda: [_rand(3, 4, low=-2, high=1.5)], True),
    # reductions
    ("sum", lambda a: a.sum(), lambda: [_rand(3, 4)], True),
    ("sum_dim", lambda a: a.sum(1), lambda: [_rand(3, 4, 2)], True),
    ("sum_dims_keepdim", lambda a: a.sum((0, 2), keepdim=True) * a, lambda: [_rand(3, 4, 2)], True),
    ("sum_axis_keepdims", lambda a: a.sum(axis=-1, keepdims=True), lambda: [_rand(3, 4)], True),
    ("mean", lambda a: a.mean(), lambda: [_rand(3, 4)], True),
    ("mean_dim", lambda a: a.mean(0) ** 2, lambda: [_rand(3, 4)], True),
    ("var", lambda a: a.var(), lambda: [_rand(3, 4)], True),
    ("var_dim_biased", lambda a: a.var(1, unbiased=False), lambda: [_rand(3, 4)], True),
    ("var_correction", lambda a: a.var(0, correction=2, keepdim=True), lambda: [_rand(5, 3)], True),
    ("std", lambda a: a.std(), lambda: [_rand(3, 4)], True),
    ("std_dim", lambda a: a.std(-1, unbiased=True), lambda: [_rand(3, 4)], True),
    ("std_biased", lambda a: tg.std(a, 0, unbiased=False), lambda: [_rand(3, 4)], True),
    ("max_all", lambda a: a.max(), lambda: [_distinct(3, 4)], True),
    ("min_all", lambda a: a.min() * a.min(), lambda: [_distinct(3, 4)], True),
    ("max_dim_values", lambda a: a.max(1)[0], lambda: [_distinct(3, 4)], True),
    ("max_dim_keepdim", lambda a: a.max(0, keepdim=True)[0] * a, lambda: [_distinct(3, 4)], True),
    ("min_dim_values", lambda a: tg.min(a, -1)[0], lambda: [_distinct(2, 3, 4)], True),
    ("logsumexp_all", lambda a: a.logsumexp(), lambda: [_rand(3, 4)], True),
    ("logsumexp_dim", lambda a: a.logsumexp(1), lambda: [_rand(3, 4)], True),
    ("logsumexp_keepdim", lambda a: tg.logsumexp(a, 0, keepdim=True), lambda: [_rand(3, 4)], True),
    # movement
    ("reshape", lambda a: a.reshape(4, 3) * _const(4, 3), lambda: [_rand(3, 4)], True),
    ("view", lambda a: a.view(-1, 2), lambda: [_rand(3, 4)], True),
    ("flatten", lambda a: a.flatten(1), lambda: [_rand(2, 3, 4)], True),
    ("transpose", lambda a: a.transpose(0, 2), lambda: [_rand(2, 3, 4)], True),
    ("permute", lambda a: a.permute(2, 0, 1), lambda: [_rand(2, 3, 4)], True),
    ("T", lambda a: a.T @ a, lambda: [_rand(3, 2)], True),
    ("squeeze", lambda a: a.squeeze(), lambda: [_rand(3, 1, 4, 1)], True),
    ("squeeze_dim", lambda a: a.squeeze(1), lambda: [_rand(3, 1, 4)], True),
    ("unsqueeze", lambda a: a.unsqueeze(1) * a.unsqueeze(0), lambda: [_rand(3)], True),
    ("expand", lambda a: a.expand(2, 3, 4), lambda: [_rand(3, 1)], True),
    ("expand_minus1", lambda a: a.expand(4, -1), lambda: [_rand(1, 3)], True),
    ("broadcast_to", lambda a: tg.Tensor.broadcast_to(a, (2, 3, 4)) ** 2, lambda: [_rand(4)], True),
    ("getitem_slice", lambda a: a[1:, ::2], lambda: [_rand(4, 5)], True),
    ("getitem_int", lambda a: a[2], lambda: [_rand(4, 5)], True),
    ("getitem_neg_step", lambda a: a[::-1, 1], lambda: [_rand(4, 5)], True),
    ("getitem_ellipsis_none", lambda a: a[..., None, 0], lambda: [_rand(2, 3, 4)], True),
    ("getitem_int_array_repeated", lambda a: a[np.array([0, 2, 0, 0])] ** 2, lambda: [_rand(4, 3)], True),
    ("getitem_tensor_index", lambda a: a[tg.tensor([1, 1, 3])], lambda: [_rand(4)], True),
    ("getitem_two_arrays", lambda a: a[np.array([0, 1, 1]), np.array([2, 2, 2])], lambda: [_rand(3, 4)], True),
    ("getitem_bool_mask", lambda a: a[a.detach() > 0] * 3.0, lambda: [_rand(4, 5, away=0.1)], True),
    ("getitem_mixed", lambda a: a[1:, np.array([0, 0, 2])], lambda: [_rand(3, 4)], True),
    ("cat", lambda a, b: tg.cat([a, b, a], 0), lambda: [_rand(2, 3), _rand(4, 3, seed=1)], True),
    ("cat_dim1", lambda a, b: tg.cat([a, b], dim=-1), lambda: [_rand(2, 3), _rand(2, 1, seed=1)], True),
    ("stack", lambda a, b: tg.stack([a, b, a * b]), lambda: [_rand(2, 3), _rand(2, 3, seed=1)], True),
    ("stack_dim", lambda a, b: tg.stack([a, b], dim=2), lambda: [_rand(2, 3), _rand(2, 3, seed=1)], True),
    ("pad", lambda a: tg.pad(a, (1, 2)), lambda: [_rand(2, 3)], True),
    ("pad_2d_value", lambda a: a.pad((1, 0, 0, 2), value=1.5) ** 2, lambda: [_rand(2, 3)], True),
    ("pad_crop", lambda a: tg.pad(a, (-1, 2, 1, -1)) ** 2, lambda: [_rand(3, 4)], True),
    ("pad_reflect", lambda a: tg.pad(a, (2, 1, 1, 2), mode="reflect") ** 2, lambda: [_rand(1, 3, 4)], True),
    ("pad_replicate", lambda a: tg.pad(a, (3, -1), mode="replicate") ** 2, lambda: [_rand(2, 3)], True),
    ("pad_circular", lambda a: tg.pad(a, (1, 2, 2, 0), mode="circular") ** 2, lambda: [_rand(1, 3, 4)], True),
    ("split", lambda a: [p * (i + 1.0) for i, p in enumerate(tg.split(a, 2, 1))][1:] + [a[0] ** 2],
     lambda: [_rand(3, 5)], True),
    ("split_sections_unused", lambda a: tg.split(a, [1, 3, 0], 0)[1] ** 2, lambda: [_rand(4, 2)], True),
    # matmul
    ("matmul_2d", lambda a, b: a @ b, lambda: [_rand(3, 4), _rand(4, 2, seed=1)], True),
    ("matmul_1d_1d", lambda a, b: a @ b, lambda: [_rand(4), _rand(4, seed=1)], True),
    ("matmul_1d_2d", lambda a, b: a @ b, lambda: [_rand(4), _rand(4, 2, seed=1)], True),
    ("matmul_2d_1d", lambda a, b: tg.matmul(a, b), lambda: [_rand(3, 4), _rand(4, seed=1)], True),
    ("matmul_batched", lambda a, b: a @ b, lambda: [_rand(2, 3, 4), _rand(2, 4, 5, seed=1)], True),
    ("matmul_batch_broadcast", lambda a, b: a @ b, lambda: [_rand(2, 1, 3, 4), _rand(3, 4, 2, seed=1)], True),
    ("matmul_batched_1d", lambda a, b: a @ b, lambda: [_rand(4), _rand(2, 4, 3, seed=1)], True),
    ("matmul_batched_by_1d", lambda a, b: a @ b, lambda: [_rand(2, 3, 4), _rand(4, seed=1)], True),
    ("matmul_square", lambda a: a @ a, lambda: [_rand(3, 3)], True),
    # issue 11: the methods a PyTorch user reaches for
    ("log1p", lambda a: a.log1p(), lambda: [_rand(3, 4, low=-0.5, high=2.0)], True),
    ("expm1", lambda a: a.expm1(), lambda: [_rand(3, 4)], True),
    ("rsqrt", lambda a: a.rsqrt(), lambda: [_pos(3, 4)], True),
    ("log2_log10", lambda a: a.log2() + tg.log10(a), lambda: [_pos(3, 4)], True),
    ("tan", lambda a: a.tan(), lambda: [_rand(3, 4, low=-1.2, high=1.2)], True),
    ("sinh_cosh", lambda a: a.sinh() * tg.cosh(a), lambda: [_rand(3, 4)], True),
    ("asin_acos_atan", lambda a: a.asin() + a.acos() * a.atan(), lambda: [_rand(3, 4, low=-0.9, high=0.9)], True),
    ("floor_ceil_round", lambda a: a.floor() + a.ceil() * a + a.round() + a.trunc() * a,
     lambda: [_distinct(3, 4)], True),
    ("frac", lambda a: a.frac() * a, lambda: [_distinct(3, 4)], True),
    ("remainder", lambda a, b: a % b, lambda: [_distinct(3, 4), _pos(3, 4, seed=1)], True),
    ("fmod", lambda a, b: tg.fmod(a, b), lambda: [_distinct(3, 4), _pos(4, seed=1)], True),
    ("clamp_tensor_bounds", lambda a, lo, hi: a.clamp(lo, hi),
     lambda: [_distinct(3, 4), _rand(4, low=-2, high=-0.1, seed=1), _rand(3, 1, low=0.1, high=2, seed=2)], True),
    ("clamp_min_gt_max", lambda a: a.clamp(0.5, -0.5) + a, lambda: [_distinct(3, 4)], True),
    ("lerp_addcmul_addcdiv", lambda a, b, w: a.lerp(b, w) + a.addcmul(b, w, value=0.3) + a.addcdiv(b, w + 3.0),
     lambda: [_rand(3, 4), _rand(3, 4, seed=1), _rand(4, low=0.0, high=1.0, seed=2)], True),
    ("masked_fill", lambda a: a.masked_fill(a.detach() > 0.5, -1.0) * a, lambda: [_distinct(3, 4)], True),
    ("masked_fill_tensor_value", lambda a, v: tg.masked_fill(a, a.detach() < 0, v),
     lambda: [_distinct(3, 4), _rand(seed=1)], True),
    ("gather", lambda a: a.gather(1, tg.tensor([[0, 0], [2, 1], [3, 3]])) ** 2, lambda: [_rand(3, 4)], True),
    ("gather_dim0_small_index", lambda a: tg.gather(a, 0, tg.tensor([[2, 0, 2]])), lambda: [_rand(3, 4)], True),
    ("scatter", lambda a, s: a.scatter(1, tg.tensor([[1, 3], [0, 2]]), s) ** 2,
     lambda: [_rand(2, 4), _rand(2, 3, seed=1)], True),
    ("scatter_value", lambda a: a.scatter(0, tg.tensor([[1, 0, 1]]), value=2.5) * a, lambda: [_rand(2, 3)], True),
    ("scatter_add", lambda a, s: a.scatter_add(0, tg.tensor([[1, 1, 0], [1, 0, 0]]), s) ** 2,
     lambda: [_rand(2, 3), _rand(2, 3, seed=1)], True),
    ("index_select", lambda a: a.index_select(1, tg.tensor([2, 0, 2])) ** 2, lambda: [_rand(3, 4)], True),
    ("index_add", lambda a, s: a.index_add(0, tg.tensor([0, 2, 0]), s, alpha=2.0) ** 2,
     lambda: [_rand(3, 2), _rand(3, 2, seed=1)], True),
    ("take_along_dim", lambda a: tg.take_along_dim(a, tg.tensor([[0], [2]]), 1), lambda: [_rand(2, 3)], True),
    ("repeat", lambda a: a.repeat(2, 1, 3) ** 2, lambda: [_rand(2, 3)], True),
    ("tile", lambda a: a.tile((2,)) * a.tile((1, 2)), lambda: [_rand(2, 3)], True),
    ("repeat_interleave", lambda a: a.repeat_interleave(2, dim=0) ** 2, lambda: [_rand(2, 3)], True),
    ("chunk_split", lambda a: a.chunk(3, 1)[1][1:] * a.split([1, 2], 0)[1][:, :2], lambda: [_rand(3, 5)], True),
    ("unbind_iter", lambda a: sum(r * (i + 1.0) for i, r in enumerate(a)) ** 2, lambda: [_rand(3, 2)], True),
    ("narrow_select", lambda a: a.narrow(1, 1, 2) * a.select(0, 1)[None, 1:], lambda: [_rand(2, 3)], True),
    ("flip", lambda a: a.flip(0, 1) * a, lambda: [_rand(3, 4)], True),
    ("roll", lambda a: a.roll(1, 1) * a + a.roll((1, -1), (0, 1)), lambda: [_rand(3, 4)], True),
    ("tril_triu", lambda a: a.tril() * 2.0 + tg.triu(a, 1) ** 2, lambda: [_rand(2, 3, 4)], True),
    ("movedim_swapaxes", lambda a: a.movedim(0, 2).swapaxes(0, 1), lambda: [_rand(2, 3, 4)], True),
    ("diagonal_trace", lambda a: a.diagonal(1) * a.trace() + a.diag(), lambda: [_rand(3, 4)], True),
    ("diag_embed", lambda v: tg.diag(v, -1) ** 2, lambda: [_rand(3)], True),
    ("cumsum", lambda a: a.cumsum(1) ** 2, lambda: [_rand(3, 4)], True),
    ("cumsum_dim0", lambda a: tg.cumsum(a, dim=0) * a, lambda: [_rand(3, 4)], True),
    ("amax_amin_dims", lambda a: a.amax((0, 2)) + tg.amin(a, 1).sum(), lambda: [_distinct(2, 3, 4)], True),
    ("sort", lambda a: a.sort(1)[0] * tg.arange(4.0, dtype=F64), lambda: [_distinct(3, 4)], True),
    ("sort_descending", lambda a: a.sort(0, descending=True).values ** 2, lambda: [_distinct(3, 4)], True),
    ("topk", lambda a: a.topk(2).values ** 2, lambda: [_distinct(3, 5)], True),
    ("topk_smallest_dim0", lambda a: tg.topk(a, 2, dim=0, largest=False)[0] * 3.0, lambda: [_distinct(3, 4)], True),
    ("median", lambda a: a.median() + a.median(1).values.sum(), lambda: [_distinct(3, 5)], True),
    ("kthvalue", lambda a: a.kthvalue(2, 0, keepdim=True)[0] * a, lambda: [_distinct(3, 4)], True),
    ("bmm", lambda a, b: a.bmm(b), lambda: [_rand(2, 3, 4), _rand(2, 4, 5, seed=1)], True),
    ("mv_outer_dot", lambda m, v: tg.outer(m.mv(v), v) * v.dot(v), lambda: [_rand(3, 4), _rand(4, seed=1)], True),
    ("einsum_matmul", lambda a, b: tg.einsum("ij,jk->ik", a, b), lambda: [_rand(3, 4), _rand(4, 2, seed=1)], True),
    ("einsum_batch_ellipsis", lambda a, b: tg.einsum("...ij,...jk", a, b),
     lambda: [_rand(2, 1, 3, 4), _rand(3, 4, 2, seed=1)], True),
    ("einsum_trace_diag", lambda a: tg.einsum("ii", a) * tg.einsum("ii->i", a), lambda: [_rand(3, 3)], True),
    ("einsum_sum_outer", lambda a, b: tg.einsum("ij,k->ik", a, b), lambda: [_rand(3, 4), _rand(2, seed=1)], True),
    # a small MLP-ish composition
    ("mlp", lambda x, w: (x @ w).relu().logsumexp(1).mean(),
     lambda: [_rand(4, 3, away=0.05), _rand(3, 5, seed=1)], True),
]


def _const(*shape):
    return tg.Tensor(np.arange(np.prod(shape), dtype=np.float64).reshape(shape) - 2.0, dtype=F64)


@pytest.mark.parametrize("name,fn,make,second", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, fn, make, second):
    assert gradcheck(fn, make())


@pytest.mark.parametrize("name,fn,make,second", [c for c in CASES if c[3]], ids=[c[0] for c in CASES if c[3]])
def test_gradgradcheck(name, fn, make, second):
    assert gradgradcheck(fn, make())


def test_gradcheck_catches_a_wrong_backward():
    class BadSquare(tg.Function):
        def forward(self, x):
            return x * x

        def backward(self, g):
            x, = self.inputs
            return g * x  # should be 2x

    with pytest.raises(AssertionError, match="gradcheck failed"):
        gradcheck(lambda x: BadSquare()(x), [_rand(3)])


def test_gradgradcheck_catches_a_non_differentiable_backward():
    class Cube(tg.Function):
        def forward(self, x):
            return x ** 3

        def backward(self, g):  # raw arrays: the first derivative is right, the second is lost
            x, = self.inputs
            return tg.Tensor(g.data * 3 * x.data ** 2, dtype=x.dtype)

    x = _rand(3)
    assert gradcheck(lambda t: Cube.apply(t), [x])
    with pytest.raises(AssertionError):
        gradgradcheck(lambda t: Cube.apply(t), [x])


def test_gradcheck_rejects_float32():
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda x: x * 2, [tg.randn(3, requires_grad=True)])


def test_every_primitive_of_the_issue_is_in_the_table():
    names = {c[0] for c in CASES}
    required = [
        "add", "sub", "mul", "div", "neg", "pow_scalar", "pow_tensor", "exp", "log", "sqrt", "abs", "maximum",
        "minimum", "clamp", "where", "tanh", "sigmoid", "relu", "leaky_relu", "elu", "gelu_erf", "gelu_tanh",
        "silu", "softplus", "sum", "mean", "var", "std", "max_all", "max_dim_values", "min_all", "logsumexp_dim",
        "reshape", "view", "flatten", "transpose", "permute", "T", "squeeze", "unsqueeze", "expand",
        "broadcast_to", "getitem_slice", "getitem_int_array_repeated", "getitem_bool_mask", "cat", "stack", "pad",
        "matmul_1d_1d", "matmul_2d", "matmul_batch_broadcast", "reused_node",
        # issue 11
        "log1p", "expm1", "rsqrt", "sin_cos", "floor_ceil_round", "masked_fill", "gather", "scatter", "scatter_add",
        "index_select", "repeat", "chunk_split", "cumsum", "topk", "sort", "flip", "tril_triu", "einsum_matmul",
        "bmm",
    ]
    assert not [r for r in required if r not in names]
