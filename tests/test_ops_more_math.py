"""torch's math that tinygrad_ru lacked: free forms of methods, more elementwise functions, scans,
NaN-aware reductions, joining/splitting.  Each differentiable op: values and gradients against
PyTorch (edge points included: ties, zeros, the origin), gradcheck and, where the backward is
written in Tensor ops, gradgradcheck in float64; errors of torch's types."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ru as tg
from tests.test_autograd_gradcheck import _distinct, _pos, _rand
from tinygrad_ru.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

R = np.random.default_rng(0)
A34, B34, B4 = R.standard_normal((3, 4)), R.standard_normal((3, 4)), R.standard_normal(4)
P34 = R.uniform(0.2, 0.8, (3, 4))
WITH_ZEROS = np.array([[0.5, 0.0, 2.0, 0.0, -1.5], [1.2, -0.7, 0.3, 2.0, 0.0]])
TIES = np.array([[1.0, 3.0, 3.0, 2.0, 5.0], [2.0, 2.0, -1.0, 2.0, 0.5]])
# scatter_reduce along dim 1: ties between self and src (amax/amin), zeros in both (prod)
SR_SELF = np.array([[1.0, 0.0, 3.0, 2.0], [0.5, 2.0, -1.0, 0.0]])
SR_SRC = np.array([[3.0, 0.0, 2.0, 1.5, 3.0], [2.0, 0.0, 4.0, 0.3, 2.0]])
SR_INDEX = np.array([[2, 1, 0, 0, 2], [1, 3, 3, 0, 1]])
ORIGIN = (np.array([0.0, 1.0, -2.0, 0.0]), np.array([0.0, 0.5, 0.0, -3.0]))


def _first(y):
    return y[0] if isinstance(y, tuple) else y


def _torch_parity(ours, theirs, arrays):
    """Values and gradients (for a random seed gradient) of ours and torch's on the same float64 inputs."""
    xs = [tg.Tensor(a, dtype=tg.float64, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    y, yt = _first(ours(*xs)), _first(theirs(*ts))
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert y.dtype == tg.float64 and tuple(y.shape) == tuple(yt.shape)
    seed = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    y.backward(tg.Tensor(seed, dtype=tg.float64))
    yt.backward(torch.tensor(seed))
    for x, t in zip(xs, ts):
        if t.grad is None or x.grad is None:  # no gradient, or torch's zeros
            assert not np.any((t.grad if x.grad is None else x.grad).numpy())
        else:
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


# (id, ours, torch's, inputs, second derivative checked): inputs at the edge points torch defines
PARITY = [
    # free forms of methods
    ("softmax", lambda a: tg.softmax(a, 1), lambda a: torch.softmax(a, 1), [A34], True),
    ("log_softmax", lambda a: tg.log_softmax(a, 0), lambda a: torch.log_softmax(a, 0), [A34], True),
    ("t", tg.t, torch.t, [A34], True),
    ("clone", tg.clone, torch.clone, [A34], True),
    ("reciprocal", tg.reciprocal, torch.reciprocal, [P34], True),
    ("norm_fro", tg.norm, torch.norm, [A34], True),
    ("norm_dim_keepdim", lambda a: tg.norm(a, 3, dim=1, keepdim=True), lambda a: torch.norm(a, 3, dim=1, keepdim=True),
     [A34], True),
    ("norm_dims_p1", lambda a: a.norm(1, dim=(0, 1)), lambda a: a.norm(1, dim=(0, 1)), [A34], False),
    ("norm_inf_ties", lambda a: a.norm(float("inf"), dim=1), lambda a: a.norm(float("inf"), dim=1), [TIES], False),
    ("norm_zero_row", lambda a: tg.norm(a, dim=1), lambda a: torch.norm(a, dim=1), [np.array([[0.0, 0.0], [3.0, 4.0]])],
     False),
    ("dist", lambda a, b: tg.dist(a, b), lambda a, b: torch.dist(a, b), [A34, B4], True),
    ("dist_p3", lambda a, b: a.dist(b, 3), lambda a, b: a.dist(b, 3), [A34, B34], True),
    ("dist_equal", lambda a, b: tg.dist(a, b), lambda a, b: torch.dist(a, b), [B4, B4.copy()], False),
    ("concat", lambda a, b: tg.concat([a, b], 1), lambda a, b: torch.concat([a, b], 1), [A34, B34], True),
    ("concatenate", lambda a, b: tg.concatenate((a, b)), lambda a, b: torch.concatenate((a, b)), [A34, B34], True),
    ("hstack", lambda a, b: tg.hstack([a, b]), lambda a, b: torch.hstack([a, b]), [A34, B34], True),
    ("hstack_1d", lambda a, b: tg.hstack([a, b]), lambda a, b: torch.hstack([a, b]), [B4, B4 + 1], True),
    ("vstack", lambda a, b: tg.vstack([a, b]), lambda a, b: torch.vstack([a, b]), [A34, B4], True),
    ("dstack", lambda a, b: tg.dstack([a, b]), lambda a, b: torch.dstack([a, b]), [A34, B34], True),
    ("column_stack", lambda a, b: tg.column_stack([a, b]), lambda a, b: torch.column_stack([a, b]),
     [A34, np.arange(3.0)], True),
    ("atleast_3d", lambda a, b: tg.atleast_3d(a, b)[0] * tg.atleast_3d(b)[..., :1, :],
     lambda a, b: torch.atleast_3d(a, b)[0] * torch.atleast_3d(b)[..., :1, :], [A34, B4], True),
    ("broadcast_tensors", lambda a, b: tg.stack(tg.broadcast_tensors(a, b)),
     lambda a, b: torch.stack(torch.broadcast_tensors(a, b)), [A34, B4], True),
    ("inner", tg.inner, torch.inner, [A34, R.standard_normal((2, 5, 4))], True),
    ("inner_1d", lambda a, b: a.inner(b), lambda a, b: a.inner(b), [B4, B4 + 2], True),
    # elementwise
    ("atan2", tg.atan2, torch.atan2, [A34, B4], True),
    ("atan2_origin", tg.arctan2, torch.arctan2, list(ORIGIN), False),
    ("hypot", tg.hypot, torch.hypot, [A34, B34], True),
    ("exp2", tg.exp2, torch.exp2, [A34], True),
    ("logaddexp", tg.logaddexp, torch.logaddexp, [A34, B4], True),
    ("logaddexp_far_and_tied", tg.logaddexp, torch.logaddexp,
     [np.array([-800.0, 700.0, 1.5, 0.0]), np.array([0.0, -700.0, 1.5, 1000.0])], False),
    ("logaddexp2", tg.logaddexp2, torch.logaddexp2, [A34, B34], True),
    ("logit", tg.logit, torch.logit, [P34], True),
    ("logit_eps", lambda a: a.logit(0.3), lambda a: a.logit(0.3), [P34], False),
    ("xlogy", tg.xlogy, torch.xlogy, [A34, P34], True),
    ("xlogy_zeros", tg.xlogy, torch.xlogy, [np.array([0.0, 0.0, 2.0, 0.0]), np.array([0.5, 3.0, 1.5, 0.0])], False),
    ("sinc", tg.sinc, torch.sinc, [A34], True),
    ("sinc_at_0", tg.sinc, torch.sinc, [np.array([0.0, 1.0, -0.5])], False),
    ("deg2rad_rad2deg", lambda a: tg.deg2rad(a) + tg.rad2deg(a), lambda a: torch.deg2rad(a) + torch.rad2deg(a),
     [A34], True),
    ("copysign", tg.copysign, torch.copysign, [np.array([1.5, -2.0, 0.0, 3.0]), np.array([-1.0, 2.0, -1.0, -0.0])],
     False),
    ("nan_to_num", lambda a: tg.nan_to_num(a * tg.Tensor(np.array([np.nan, np.inf, -np.inf, 1.0]))),
     lambda a: torch.nan_to_num(a * torch.tensor([np.nan, np.inf, -np.inf, 1.0])), [np.array([1.0, 2.0, 3.0, 4.0])],
     False),
    ("float_power", tg.float_power, torch.float_power, [P34, B4], True),
    ("fmax_ties_nan", tg.fmax, torch.fmax, [np.array([1.0, 2.0, 3.0, np.nan]), np.array([1.0, np.nan, 5.0, 2.0])],
     False),
    ("fmin_ties_nan", tg.fmin, torch.fmin, [np.array([1.0, 2.0, 3.0, np.nan]), np.array([1.0, np.nan, 5.0, 2.0])],
     False),
    ("asinh", tg.asinh, torch.asinh, [A34 * 30], True),
    ("acosh", tg.arccosh, torch.arccosh, [P34 + 1.1], True),
    ("atanh", tg.atanh, torch.atanh, [P34 * 2 - 1], True),
    ("erfc", tg.erfc, torch.erfc, [np.array([-3.0, -0.4, 0.0, 1.2, 5.0, 12.0])], True),
    ("erfinv", tg.erfinv, torch.erfinv, [np.array([-0.99, -0.4, 0.0, 0.3, 0.9, 0.999])], True),
    # scans and reductions
    ("cumprod", lambda a: tg.cumprod(a, 1), lambda a: torch.cumprod(a, 1), [A34], True),
    ("cumprod_zeros", lambda a: a.cumprod(1), lambda a: a.cumprod(1), [WITH_ZEROS], True),
    ("cumprod_zeros_dim0", lambda a: a.cumprod(0), lambda a: a.cumprod(0), [WITH_ZEROS.T.copy()], True),
    ("cummax_ties", lambda a: tg.cummax(a, 1), lambda a: torch.cummax(a, 1), [TIES], True),
    ("cummin_ties", lambda a: a.cummin(0), lambda a: a.cummin(0), [TIES], True),
    ("logcumsumexp", lambda a: tg.logcumsumexp(a, 1), lambda a: torch.logcumsumexp(a, 1), [A34], False),
    ("logcumsumexp_extreme", lambda a: a.logcumsumexp(0), lambda a: a.logcumsumexp(0),
     [np.array([-1000.0, 0.0, 800.0, -5.0])], False),
    ("diff", lambda a: tg.diff(a), lambda a: torch.diff(a), [A34], True),
    ("diff_n2_dim0_prepend_append", lambda a, b: tg.diff(a, 2, 0, prepend=b[:1], append=b),
     lambda a, b: torch.diff(a, 2, 0, prepend=b[:1], append=b), [A34, B34], True),
    ("nansum", lambda a: tg.nansum(a * tg.Tensor(np.array([1.0, np.nan, 2.0, 1.0])), 1),
     lambda a: torch.nansum(a * torch.tensor([1.0, np.nan, 2.0, 1.0]), 1), [A34], False),
    ("nanmean", lambda a: (a * tg.Tensor(np.array([1.0, np.nan, 2.0, 1.0]))).nanmean(),
     lambda a: (a * torch.tensor([1.0, np.nan, 2.0, 1.0])).nanmean(), [A34], False),
    ("aminmax", lambda a: tg.aminmax(a, dim=1)[0] * 2 + a.aminmax(dim=1).max,
     lambda a: torch.aminmax(a, dim=1)[0] * 2 + a.aminmax(dim=1).max, [TIES], False),
    ("aminmax_all", lambda a: tg.aminmax(a).min - tg.aminmax(a).max,
     lambda a: torch.aminmax(a).min - torch.aminmax(a).max, [TIES], False),
    # splitting, selecting, rotating
    ("tensor_split_int", lambda a: tg.tensor_split(a, 3, 1)[1] * 2 + tg.tensor_split(a, 3, 1)[0][:, :1],
     lambda a: torch.tensor_split(a, 3, 1)[1] * 2 + torch.tensor_split(a, 3, 1)[0][:, :1], [R.standard_normal((2, 7))],
     True),
    ("tensor_split_indices", lambda a: tg.cat(a.tensor_split([1, -1, 9], 1)[::-1], 1),
     lambda a: torch.cat(a.tensor_split([1, -1, 9], 1)[::-1], 1), [R.standard_normal((2, 7))], True),
    ("split_with_sizes", lambda a: a.split_with_sizes([1, 3], 1)[1], lambda a: a.split_with_sizes([1, 3], 1)[1],
     [A34], True),
    ("hsplit_vsplit_dsplit", lambda a: a.hsplit(2)[1].vsplit([1])[0].dsplit(2)[1],
     lambda a: a.hsplit(2)[1].vsplit([1])[0].dsplit(2)[1], [R.standard_normal((2, 4, 6))], True),
    ("rot90", lambda a: tg.rot90(a) * 1 + a.rot90(2).mT[:, :3] * 0 + tg.rot90(a, -1, (1, 0)),
     lambda a: torch.rot90(a) * 1 + a.rot90(2).mT[:, :3] * 0 + torch.rot90(a, -1, (1, 0)), [A34], True),
    ("masked_select", lambda a: tg.masked_select(a, tg.Tensor(B4 > 0)),
     lambda a: torch.masked_select(a, torch.tensor(B4 > 0)), [A34], True),
    ("take", lambda a: tg.take(a, tg.tensor([[0, 11], [-1, 0]])),
     lambda a: torch.take(a, torch.tensor([[0, 11], [-1, 0]])), [A34], True),
    # products of shapes
    ("kron", tg.kron, torch.kron, [R.standard_normal((2, 3)), R.standard_normal((3, 2))], True),
    ("kron_ndim", tg.kron, torch.kron, [R.standard_normal((2, 1, 2)), R.standard_normal((3, 2))], True),
    ("cross_default_dim", tg.cross, torch.cross, [R.standard_normal((4, 3)), R.standard_normal((4, 3))], True),
    ("cross_dim0_broadcast", lambda a, b: a.cross(b, dim=0), lambda a, b: a.cross(b, dim=0),
     [R.standard_normal((3, 2)), R.standard_normal((3, 1))], True),
    ("cartesian_prod", tg.cartesian_prod, torch.cartesian_prod, [B4, np.arange(3.0), np.array([2.0, -1.0])], True),
    ("block_diag", tg.block_diag, torch.block_diag, [np.array(2.0), B4, A34], True),
    ("diag_embed", tg.diag_embed, torch.diag_embed, [A34], True),
    ("diag_embed_offset_dims", lambda a: a.diag_embed(-2, 0, 2), lambda a: a.diag_embed(-2, 0, 2), [A34], True),
    ("diagflat", lambda a: tg.diagflat(a, 1), lambda a: torch.diagflat(a, 1), [R.standard_normal((2, 2))], True),
    # writes along an index
    ("index_fill", lambda a: tg.index_fill(a, 1, tg.tensor([0, 2]), -1.0),
     lambda a: torch.index_fill(a, 1, torch.tensor([0, 2]), -1.0), [A34], True),
    ("index_fill_tensor_value", lambda a, v: a.index_fill(0, tg.tensor([1]), v),
     lambda a, v: a.index_fill(0, torch.tensor([1]), v), [A34, np.array(0.5)], True),
    ("index_copy", lambda a, b: tg.index_copy(a, 0, tg.tensor([2, 0]), b),
     lambda a, b: torch.index_copy(a, 0, torch.tensor([2, 0]), b), [A34, R.standard_normal((2, 4))], True),
    *[(f"scatter_reduce_{r}_{'self' if inc else 'noself'}",
       lambda a, b, r=r, inc=inc: tg.scatter_reduce(a, 1, tg.tensor(SR_INDEX), b, r, include_self=inc),
       lambda a, b, r=r, inc=inc: torch.scatter_reduce(a, 1, torch.tensor(SR_INDEX), b, r, include_self=inc),
       [SR_SELF, SR_SRC], r in ("sum", "mean"))
      for r in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)],
]


@pytest.mark.parametrize("name,ours,theirs,arrays,second", PARITY, ids=[c[0] for c in PARITY])
def test_matches_torch(name, ours, theirs, arrays, second):
    _torch_parity(ours, theirs, arrays)


GRADCHECK = [
    ("norm_dim", lambda a: tg.norm(a, dim=0), lambda: [_rand(3, 4)], True),
    ("norm_p3_keepdim", lambda a: a.norm(3, dim=1, keepdim=True), lambda: [_rand(3, 4, away=0.1)], True),
    ("norm_inf_dim", lambda a: a.norm(float("inf"), dim=1), lambda: [_distinct(3, 4)], True),
    ("dist", lambda a, b: tg.dist(a, b, 1.5), lambda: [_rand(3, 4), _rand(4, seed=1)], True),
    ("inner", tg.inner, lambda: [_rand(2, 3), _rand(4, 3, seed=1)], True),
    ("stacks", lambda a, b: tg.hstack([a, b]).sum(0) * tg.vstack([b, a])[0] + tg.dstack([a, b]).sum(),
     lambda: [_rand(3), _rand(3, seed=1)], True),
    ("atan2", tg.atan2, lambda: [_rand(3, 4), _rand(3, 1, seed=1, away=0.2)], True),
    ("hypot", tg.hypot, lambda: [_rand(3, 4, away=0.2), _rand(4, seed=1)], True),
    ("logaddexp", tg.logaddexp, lambda: [_rand(3, 4), _rand(1, 4, seed=1)], True),
    ("logaddexp2", tg.logaddexp2, lambda: [_rand(3, 4), _rand(3, 4, seed=1)], True),
    ("xlogy", tg.xlogy, lambda: [_rand(3, 4), _pos(3, 4, seed=1)], True),
    ("xlogy_scalar", lambda b: tg.xlogy(2.0, b), lambda: [_pos(5)], True),
    ("logit", lambda a: tg.logit(a / 3.0), lambda: [_pos(5)], True),
    ("sinc", tg.sinc, lambda: [_rand(6)], True),
    ("copysign", lambda a: tg.copysign(a, tg.Tensor(np.array([-1.0, 2.0, -3.0]))), lambda: [_rand(3, away=0.1)], True),
    ("float_power", tg.float_power, lambda: [_pos(3), _rand(3, seed=1)], True),
    ("fmax_fmin", lambda a, b: tg.fmax(a, b) + tg.fmin(a, b * 2), lambda: [_distinct(4), _rand(4, seed=5)],
     True),
    ("asinh_acosh_atanh", lambda a: tg.asinh(a) + tg.acosh(a + 1.5) + tg.atanh(a / 3.0), lambda: [_pos(5)], True),
    ("erfc_erfinv", lambda a: tg.erfc(a) + tg.erfinv(a / 2.5), lambda: [_rand(5)], True),
    ("exp2_deg_rad", lambda a: tg.exp2(a) * tg.deg2rad(a) + tg.rad2deg(a), lambda: [_rand(5)], True),
    ("nan_to_num", tg.nan_to_num, lambda: [_rand(5)], True),
    ("cumprod", lambda a: tg.cumprod(a, 1), lambda: [_rand(3, 4)], True),
    ("cumprod_zeros", lambda a: tg.cumprod(a, 1),
     lambda: [tg.Tensor(WITH_ZEROS, dtype=tg.float64, requires_grad=True)], True),
    ("cummax_cummin", lambda a: tg.cummax(a, 1).values + tg.cummin(a, 0)[0], lambda: [_distinct(3, 4)], True),
    ("logcumsumexp", lambda a: tg.logcumsumexp(a, 0), lambda: [_rand(4, 3)], False),
    ("diff", lambda a, b: tg.diff(a, 2, 1, append=b), lambda: [_rand(3, 4), _rand(3, 2, seed=1)], True),
    ("nansum_nanmean", lambda a: tg.nansum(a, 0) + tg.nanmean(a, 1, keepdim=True), lambda: [_rand(3, 4)], True),
    ("aminmax", lambda a: tg.aminmax(a, dim=0).min * tg.aminmax(a, dim=0).max, lambda: [_distinct(3, 4)], True),
    ("splits_rot90", lambda a: tg.tensor_split(a.rot90(), 3, 1)[2].sum(1) * tg.hsplit(a, 2)[0].sum(),
     lambda: [_rand(4, 4)], True),
    ("masked_select_take", lambda a: tg.masked_select(a, a.detach() > 0) * 2 + tg.take(a, tg.tensor([3, 3])).sum(),
     lambda: [_rand(3, 4)], True),
    ("kron_cross", lambda a, b: tg.kron(a, b).sum(0) * tg.cross(a.T, b[:, :1].T.expand(2, 3), 1).sum(),
     lambda: [_rand(3, 2), _rand(3, 3, seed=1)], True),
    ("cartesian_block_diag",
     lambda a, b: (tg.cartesian_prod(a, b)[:, 0] * tg.cartesian_prod(b, a)[:, 1]).sum()
     + tg.block_diag(a, b.reshape(2, 2)),
     lambda: [_rand(3), _rand(4, seed=1)], True),
    ("diag_embed_diagflat", lambda a: tg.diag_embed(a, 1, 0, 2).sum(1) * tg.diagflat(a)[1:2, :3].sum(),
     lambda: [_rand(2, 3)], True),
    ("index_fill_copy", lambda a, b, v: tg.index_copy(tg.index_fill(a, 0, tg.tensor([1]), v), 1, tg.tensor([3]), b),
     lambda: [_rand(3, 4), _rand(3, 1, seed=1), _rand(seed=2)], True),
    *[(f"scatter_reduce_{r}_{inc}",
       lambda a, b, r=r, inc=inc: tg.scatter_reduce(a, 1, tg.tensor(SR_INDEX), b, r, include_self=inc),
       lambda: [_distinct(2, 4), _rand(2, 5, seed=4)], True)
      for r in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)],
    ("scatter_reduce_prod_zeros", lambda a, b: tg.scatter_reduce(a, 1, tg.tensor(SR_INDEX), b, "prod"),
     lambda: [tg.Tensor(SR_SELF, dtype=tg.float64, requires_grad=True),
              tg.Tensor(SR_SRC * np.array([1.0, 1.0, 0.9, 1.1, 0.7]), dtype=tg.float64, requires_grad=True)], True),
]


@pytest.mark.parametrize("name,fn,make,second", GRADCHECK, ids=[c[0] for c in GRADCHECK])
def test_gradcheck(name, fn, make, second):
    assert gradcheck(fn, make())


@pytest.mark.parametrize("name,fn,make,second", [c for c in GRADCHECK if c[3]],
                         ids=[c[0] for c in GRADCHECK if c[3]])
def test_gradgradcheck(name, fn, make, second):
    assert gradgradcheck(fn, make())


def test_cumprod_zeros_second_derivative_matches_torch():
    x = tg.Tensor(WITH_ZEROS, dtype=tg.float64, requires_grad=True)
    xt = torch.tensor(WITH_ZEROS, requires_grad=True)
    (g,) = tg.autograd.grad(tg.cumprod(x, 1).sum(), x, create_graph=True)
    (gt,) = torch.autograd.grad(torch.cumprod(xt, 1).sum(), xt, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), gt.detach().numpy(), rtol=1e-12)
    (h,) = tg.autograd.grad((g * g).sum(), x)
    (ht,) = torch.autograd.grad((gt * gt).sum(), xt)
    np.testing.assert_allclose(h.numpy(), ht.numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- values only
VALUES = [
    ("cummax_indices_ties_nan", lambda m: m.cummax(m.tensor(np.array([[1.0, 3.0, 3.0, np.nan, 2.0, np.nan]])), 1)[1]),
    ("cummin_indices", lambda m: m.cummin(m.tensor(np.array([[4.0, 1.0, 1.0, 0.5], [0.0, 0.0, 1.0, -1.0]])), 1)[1]),
    ("cummax_0d", lambda m: m.cummax(m.tensor(2.5), 0)[0]),
    ("cumprod_int", lambda m: m.cumprod(m.tensor([[1, 2], [3, 4]]), 0)),
    ("cumprod_0d", lambda m: m.cumprod(m.tensor(3.0), -1)),
    ("heaviside", lambda m: m.heaviside(m.tensor([-1.5, 0.0, 2.0]), m.tensor([0.5]))),
    ("signbit", lambda m: m.signbit(m.tensor([-0.0, 0.0, -2.0, 3.0]))),
    ("sgn", lambda m: m.sgn(m.tensor([-0.5, 0.0, 2.0]))),
    ("nonzero", lambda m: m.nonzero(m.tensor([[0, 1, 2], [3, 0, 0]]))),
    ("nonzero_tuple", lambda m: m.stack(m.nonzero(m.tensor([[0, 1, 2], [3, 0, 0]]), as_tuple=True))),
    ("argwhere", lambda m: m.argwhere(m.tensor([0.0, 1.5, 0.0, -2.0]))),
    ("nonzero_0d", lambda m: m.nonzero(m.tensor(5))),
    ("diff_bool", lambda m: m.diff(m.tensor([True, True, False, True]))),
    ("diff_int_n3", lambda m: m.diff(m.tensor([1, 4, 9, 16, 25]), 3)),
    ("nan_to_num_args", lambda m: m.nan_to_num(m.tensor([np.nan, np.inf, -np.inf, 1.0]), 1.0, 2.0, -3.0)),
    ("nan_to_num_float32_max", lambda m: m.nan_to_num(m.tensor([np.inf, -np.inf]))),
    ("nansum_all_nan_nanmean", lambda m: m.nanmean(m.tensor([[np.nan, np.nan], [1.0, np.nan]]), 1)),
    ("logit_out_of_range", lambda m: m.logit(m.tensor([-0.5, 0.0, 1.0, 1.5]))),
    ("erfinv_ends", lambda m: m.erfinv(m.tensor([-1.0, 1.0, 1.5], dtype=m.float64))),
    ("float_power_int_is_float64", lambda m: m.float_power(m.tensor([2, 3]), 2)),
    ("exp2_int", lambda m: m.exp2(m.tensor([1, 2, 3]))),
    ("atan2_int", lambda m: m.atan2(m.tensor([1, -1]), m.tensor([0, 0]))),
    ("deg2rad_int", lambda m: m.deg2rad(m.tensor([180, 90]))),
    ("reciprocal_int", lambda m: m.reciprocal(m.tensor([2, 4]))),
    ("atleast_1d_0d", lambda m: m.atleast_1d(m.tensor(3.0))),
    ("atleast_2d_tuple", lambda m: m.stack(m.atleast_2d([m.tensor([1.0, 2.0]), m.tensor([3.0, 4.0])]))),
    ("atleast_3d_2d", lambda m: m.atleast_3d(m.ones(2, 3))),
    ("column_stack_0d_1d", lambda m: m.column_stack([m.tensor([1.0, 2.0]), m.tensor([[3.0], [4.0]])])),
    ("tensor_split_uneven", lambda m: m.cat([p.sum(0, keepdim=True) for p in m.tensor_split(m.arange(10.0), 4)])),
    ("tensor_split_tensor_indices", lambda m: m.tensor_split(m.arange(6.0), m.tensor([2, 3]))[1]),
    ("tensor_split_more_sections", lambda m: m.stack([p.sum() for p in m.arange(2.0).tensor_split(4)])),
    ("inner_0d", lambda m: m.inner(m.tensor(2.0), m.tensor([1.0, 3.0]))),
    ("logaddexp_neg_inf", lambda m: m.logaddexp(m.tensor([-np.inf, 0.0]), m.tensor([-np.inf, np.inf]))),
    ("xlogy_nan", lambda m: m.xlogy(m.tensor([0.0, 1.0]), m.tensor([np.nan, np.nan]))),
    ("norm_int_default_p", lambda m: m.norm(m.tensor([[3.0, 4.0]]), dim=1, keepdim=True)),
    ("rot90_3", lambda m: m.rot90(m.arange(6).reshape(2, 3), 3)),
    ("take_float_index_0d", lambda m: m.take(m.arange(6.0).reshape(2, 3), m.tensor(4))),
    ("unique", lambda m: m.unique(m.tensor([3, 1, 2, 3, 1]))),
    ("unique_inverse", lambda m: m.unique(m.tensor([[3.0, 1.0], [2.0, 3.0]]), return_inverse=True)[1]),
    ("unique_counts", lambda m: m.tensor([3, 1, 2, 3, 1]).unique(return_counts=True)[1]),
    ("unique_unsorted", lambda m: m.unique(m.tensor([3.0, 1.0, 2.0]), sorted=False)),
    ("bincount", lambda m: m.bincount(m.tensor([0, 1, 1, 3]))),
    ("bincount_weights_minlength", lambda m: m.bincount(m.tensor([0, 1, 1, 3]), m.tensor([0.5, 1.0, 1.0, 2.0]), 6)),
    ("bincount_empty", lambda m: m.bincount(m.tensor([], dtype=m.int64), minlength=2)),
    ("histc", lambda m: m.histc(m.tensor([1.0, 2.0, 1.0, 4.0]), bins=4, min=0, max=3)),
    ("histc_range_of_data", lambda m: m.tensor([1.0, 2.0, 1.0, 4.0]).histc(4)),
    ("searchsorted", lambda m: m.searchsorted(m.tensor([1, 3, 5, 7]), m.tensor([3, 6, 9]))),
    ("searchsorted_right_int32", lambda m: m.searchsorted(m.tensor([1, 3, 5, 7]), m.tensor([3, 6]), right=True,
                                                           out_int32=True)),
    ("searchsorted_side_2d", lambda m: m.searchsorted(m.tensor([[1, 3, 5], [2, 4, 6]]), m.tensor([[3, 6], [3, 1]]),
                                                       side="right")),
    ("bucketize", lambda m: m.bucketize(m.tensor([3, 6, 9]), m.tensor([1, 3, 5, 7]))),
    ("bucketize_right", lambda m: m.bucketize(m.tensor([[3.0], [0.5]]), m.tensor([1.0, 3.0]), right=True)),
    ("scatter_reduce_int_mean", lambda m: m.scatter_reduce(m.tensor([1, 2, 3]), 0, m.tensor([0, 0, 2]),
                                                            m.tensor([4, 6, 2]), "mean")),
    ("scatter_reduce_amax_noself", lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0, 0]), m.tensor([-1.0, -2.0]),
                                                                        "amax", include_self=False)),
    ("cartesian_prod_1", lambda m: m.cartesian_prod(m.tensor([1, 2]))),
]


@pytest.mark.parametrize("name,make", VALUES, ids=[c[0] for c in VALUES])
def test_values_and_dtypes_match_torch(name, make):
    ours, theirs = make(tg), make(torch)
    got = ours.numpy() if isinstance(ours, tg.Tensor) else np.asarray(ours)
    want = theirs.numpy()
    assert got.shape == want.shape and got.dtype == want.dtype, (got, want)
    np.testing.assert_allclose(got, want, rtol=1e-6, equal_nan=True)


def test_heaviside_has_no_gradient_and_needs_the_same_dtypes():
    x = tg.tensor([1.0, -2.0], requires_grad=True)
    assert not tg.heaviside(x, tg.tensor([0.5])).requires_grad
    for m in (tg, torch):
        with pytest.raises(RuntimeError, match="heaviside"):
            m.heaviside(m.tensor([1.0, 2.0]), m.tensor([1]))


def test_nonzero_and_argwhere_have_no_gradient():
    x = tg.tensor([1.0, 0.0], requires_grad=True)
    assert not tg.nonzero(x).requires_grad and tg.argwhere(x).dtype == tg.int64


def test_return_types():
    x = tg.tensor([[1.0, 5.0], [3.0, 2.0]])
    mm = tg.aminmax(x, dim=0)
    assert mm.min.tolist() == [1.0, 2.0] and mm.max.tolist() == [3.0, 5.0]
    values, indices = x.cummax(1)
    assert x.cummax(1).values.tolist() == values.tolist() and indices.tolist() == [[0, 1], [0, 0]]
    one = tg.atleast_2d(tg.tensor(1.0))
    assert isinstance(one, tg.Tensor) and one.shape == (1, 1)
    assert isinstance(tg.atleast_1d(tg.tensor(1.0), tg.tensor(2.0)), tuple)


# errors: the same builtin exception class as torch
ERRORS = [
    ("t_3d", lambda m: m.t(m.ones(2, 2, 2))),
    ("diff_0d", lambda m: m.diff(m.tensor(1.0))),
    ("diff_negative_n", lambda m: m.diff(m.ones(3), -1)),
    ("diff_dim", lambda m: m.diff(m.ones(3), dim=2)),
    ("cumprod_dim", lambda m: m.cumprod(m.ones(3), 1)),
    ("cummax_dim", lambda m: m.cummax(m.ones(3, 2), -3)),
    ("logcumsumexp_dim", lambda m: m.logcumsumexp(m.ones(3), 5)),
    ("inner_sizes", lambda m: m.inner(m.ones(2, 3), m.ones(4))),
    ("broadcast_tensors", lambda m: m.broadcast_tensors(m.ones(2, 3), m.ones(4))),
    ("tensor_split_zero", lambda m: m.tensor_split(m.ones(4), 0)),
    ("hsplit_uneven", lambda m: m.hsplit(m.ones(2, 5), 2)),
    ("vsplit_1d", lambda m: m.vsplit(m.ones(4), 2)),
    ("dsplit_2d", lambda m: m.dsplit(m.ones(4, 4), 2)),
    ("split_with_sizes_sum", lambda m: m.ones(5).split_with_sizes([2, 2])),
    ("rot90_same_dims", lambda m: m.rot90(m.ones(2, 2), 1, (0, 0))),
    ("rot90_1d", lambda m: m.rot90(m.ones(2))),
    ("masked_select_float_mask", lambda m: m.masked_select(m.ones(3), m.ones(3))),
    ("masked_select_shape", lambda m: m.masked_select(m.ones(3), m.ones(4) > 0)),
    ("take_out_of_range", lambda m: m.take(m.ones(2, 2), m.tensor([4]))),
    ("norm_int", lambda m: m.norm(m.tensor([3, 4]))),
    ("norm_dim", lambda m: m.norm(m.ones(2, 2), dim=3)),
    ("nanmean_int", lambda m: m.nanmean(m.tensor([1, 2]))),
    ("atan2_shapes", lambda m: m.atan2(m.ones(2), m.ones(3))),
    ("aminmax_empty", lambda m: m.aminmax(m.ones(0))),
    ("leaf_inplace", lambda m: m.ones(2, requires_grad=True).sin_()),
    ("cross_no_3", lambda m: m.cross(m.ones(2, 2), m.ones(2, 2))),
    ("cross_dim_not_3", lambda m: m.cross(m.ones(3, 2), m.ones(3, 2), dim=1)),
    ("cartesian_prod_2d", lambda m: m.cartesian_prod(m.ones(2, 2), m.ones(2))),
    ("block_diag_3d", lambda m: m.block_diag(m.ones(2, 2, 2))),
    ("diag_embed_same_dims", lambda m: m.diag_embed(m.ones(2, 2), 0, 1, 1)),
    ("index_fill_value_1d", lambda m: m.ones(2, 2).index_fill(0, m.tensor([0]), m.ones(2))),
    ("index_fill_out_of_range", lambda m: m.ones(2, 2).index_fill(0, m.tensor([5]), 1.0)),
    ("index_copy_shape", lambda m: m.ones(3, 2).index_copy(0, m.tensor([0]), m.ones(2, 2))),
    ("scatter_reduce_bad_reduce", lambda m: m.ones(3).scatter_reduce(0, m.tensor([0]), m.ones(1), "median")),
    ("bincount_negative", lambda m: m.bincount(m.tensor([-1, 2]))),
    ("bincount_2d", lambda m: m.bincount(m.tensor([[1]]))),
    ("bincount_float", lambda m: m.bincount(m.tensor([1.0]))),
    ("histc_bins", lambda m: m.histc(m.ones(3), bins=0)),
    ("histc_min_max", lambda m: m.histc(m.ones(3), bins=2, min=3, max=1)),
    ("searchsorted_side", lambda m: m.searchsorted(m.tensor([1, 2]), m.tensor([1]), side="middle")),
    ("searchsorted_opposites", lambda m: m.searchsorted(m.tensor([1, 2]), m.tensor([1]), right=True, side="left")),
    ("bucketize_2d", lambda m: m.bucketize(m.tensor([1]), m.tensor([[1, 2]]))),
]


@pytest.mark.parametrize("name,call", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors_take_torch_types(name, call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(tg)
    expected = next(c for c in type(theirs.value).__mro__ if c.__module__ == "builtins")
    assert isinstance(ours.value, expected), (type(ours.value), type(theirs.value), ours.value)


# ----------------------------------------------------------------------------- in-place forms
INPLACE = [  # (method, args, positive input)
    ("sin_", (), False), ("cos_", (), False), ("tan_", (), False), ("reciprocal_", (), True), ("trunc_", (), False),
    ("sign_", (), False), ("sgn_", (), False), ("log1p_", (), True),
    ("expm1_", (), False), ("rsqrt_", (), True), ("log2_", (), True), ("exp2_", (), False), ("erf_", (), False),
    ("erfc_", (), False), ("frac_", (), False), ("fmod_", (0.7,), False), ("remainder_", (0.7,), False),
    ("atan2_", (lambda m: m.tensor(0.5, dtype=m.float64),), False),
    ("hypot_", (lambda m: m.tensor([2.0, -1.0, 0.5, 3.0], dtype=m.float64),), False),
    ("xlogy_", (2.0,), True), ("logit_", (0.1,), True),
    ("cumsum_", (1,), False), ("cumprod_", (0,), False), ("tril_", (), False), ("triu_", (1,), False),
    ("eq_", (0.5,), False), ("gt_", (0.0,), False), ("le_", (0.1,), False),
    ("copysign_", (-1.0,), False), ("nan_to_num_", (), False), ("deg2rad_", (), False), ("negative_", (), False),
    ("subtract_", (1.5,), False), ("multiply_", (3.0,), False), ("divide_", (2.0,), False),
    ("t_", (), False), ("transpose_", (0, 1), False), ("swapdims_", (1, 0), False), ("unsqueeze_", (1,), False),
    ("squeeze_", (), False),
]


@pytest.mark.parametrize("method,args,positive", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_forms_match_torch(method, args, positive):
    """Values, the version counter, the gradient through the rebased node, and the refusal on a leaf."""
    data = (P34 if positive else A34).copy()
    if method == "squeeze_":
        data = data[:1]
    xs = [tg.Tensor(data, dtype=tg.float64, requires_grad=True), torch.tensor(data, requires_grad=True)]
    results = []
    for m, x in zip((tg, torch), xs):
        margs = tuple(a(m) if callable(a) else a for a in args)
        with pytest.raises(RuntimeError, match="leaf"):
            getattr(x, method)(*margs)
        y = x * 1.0
        before = y._version
        assert getattr(y, method)(*margs) is y
        assert y._version > before
        y.backward(m.ones_like(y) if m is torch else tg.ones(*y.shape, dtype=tg.float64))
        plain = m.tensor(data.copy())  # (tg.tensor of an ndarray shares its memory, torch.tensor copies)
        getattr(plain, method)(*margs)  # outside the graph: written into the tensor's own array
        grad = x.grad.numpy(force=True) if m is torch else x.grad.numpy()  # (torch's may be a ZeroTensor)
        results.append((y.detach().numpy(), grad, plain.numpy()))
    for ours, theirs in zip(*results):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_inplace_forms_torch_cannot_differentiate_still_work():
    """asinh_/atanh_: torch has no derivative for them in the graph; outside it they match."""
    for method in ("asinh_", "atanh_", "logical_not_"):
        ours, theirs = tg.tensor(P34.copy()), torch.tensor(P34.copy())
        getattr(ours, method)()
        getattr(theirs, method)()
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    x = tg.tensor(P34.copy(), requires_grad=True)
    y = x * 2.0
    y.atanh_()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.0 / (1.0 - 4.0 * P34 ** 2), rtol=1e-12)


def test_inplace_index_writes_match_torch():
    results = []
    for m in (tg, torch):
        x = m.tensor(SR_SELF.copy(), requires_grad=True)
        y = x * 2.0
        before = y._version
        y.index_fill_(1, m.tensor([0]), 7.0).index_copy_(0, m.tensor([1]), m.ones(1, 4, dtype=m.float64))
        y.scatter_reduce_(1, m.tensor(SR_INDEX), m.tensor(SR_SRC), "amax")
        assert y._version >= before + 3
        y.sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy()))
        with pytest.raises(RuntimeError, match="leaf"):
            x.index_fill_(0, m.tensor([0]), 1.0)
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_counting_ops_have_no_gradient():
    x = tg.tensor([1.0, 2.0, 1.0], requires_grad=True)
    assert not tg.histc(x, 3).requires_grad and not tg.unique(x).requires_grad
    assert not tg.bincount(tg.tensor([0, 1]), weights=x[:2]).requires_grad


def test_view_inplace_shares_memory_and_keeps_the_graph():
    x = tg.tensor([[1.0, 2.0, 3.0]])
    y = x.view(3)
    x.t_()
    assert x.shape == (3, 1)
    x.mul_(2)
    assert y.tolist() == [2.0, 4.0, 6.0]


def test_index_copy_with_a_repeated_index_writes_not_adds_as_torch():
    src = np.array([[1.0, 2.0], [10.0, 20.0]])
    ours = tg.zeros(3, 2, dtype=tg.float64).index_copy(0, tg.tensor([1, 1]), tg.tensor(src))
    theirs = torch.zeros(3, 2, dtype=torch.float64).index_copy(0, torch.tensor([1, 1]), torch.tensor(src))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
