"""Issue 11: the Tensor methods, dunders, dtype rules and exception types a PyTorch user relies on,
each checked against torch itself (the whole module is skipped where torch is missing)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ru as tg

torch = pytest.importorskip("torch")

# ----------------------------------------------------------------------------- forward + backward vs torch
I = np.array  # noqa: E741 - index arrays, shared by both frameworks below


def _idx(fw, a):
    return tg.tensor(a) if fw is tg else torch.tensor(a)


# (name, fn(fw, *xs) written once for both frameworks, input shapes, positive inputs)
CASES = [
    ("unary", lambda fw, a: a.log1p() + a.expm1() + a.rsqrt() + fw.log2(a) + a.log10() + a.tan() + a.sinh()
     + a.cosh() + fw.atan(a) + (a * 0.3).asin() + (a * 0.3).acos(), [(3, 4)], True),
    ("sin_cos", lambda fw, a: fw.sin(a) * a.cos(), [(3, 4)], False),
    ("steps", lambda fw, a: (a * 3).floor() * a + (a * 3).ceil() + fw.round(a * 3) * a + (a * 3).trunc()
     + (a * 3).frac() + a.round(decimals=1), [(3, 4)], False),
    ("remainder_fmod", lambda fw, a, b: fw.remainder(a * 3, b) + fw.fmod(a * 3, b) + (a * 3) % b,
     [(3, 4), (4,)], True),
    ("clamp", lambda fw, a, lo: a.clamp(-0.5, 0.5) + a.clamp(0.4, -0.4) + a.clamp(min=lo) + a.clamp_max(0.2),
     [(3, 4), (4,)], False),
    ("lerp_addc", lambda fw, a, b: a.lerp(b, 0.3) + a.addcmul(b, b, value=0.5) + a.addcdiv(b, b * b + 1, value=2),
     [(3, 4), (3, 4)], False),
    ("masked_fill", lambda fw, a: a.masked_fill(a > 0.2, -1.5) + fw.masked_fill(a, a < -1, 3.0), [(3, 4)], False),
    ("gather", lambda fw, a: a.gather(1, _idx(fw, I([[0, 0, 3], [1, 2, 1]]))) * 2
     + fw.gather(a, 0, _idx(fw, I([[1, 0, 1, 1]])))[:, :3], [(2, 4)], False),
    ("scatter", lambda fw, a, s: a.scatter(1, _idx(fw, I([[2, 0], [1, 3]])), s)
     + a.scatter(0, _idx(fw, I([[1, 0]])), 2.0), [(2, 4), (2, 2)], False),
    ("scatter_add", lambda fw, a, s: a.scatter_add(0, _idx(fw, I([[1, 1, 0, 1], [0, 0, 0, 1]])), s),
     [(2, 4), (2, 4)], False),
    ("index_select_add", lambda fw, a, s: a.index_select(0, _idx(fw, I([2, 0, 2]))).sum(0) * a
     + a.index_add(0, _idx(fw, I([0, 2, 0])), s, alpha=2.0), [(3, 2), (3, 2)], False),
    ("take_along_dim", lambda fw, a: fw.take_along_dim(a, _idx(fw, I([[1], [0], [2]])), dim=1), [(3, 3)], False),
    ("repeat_tile", lambda fw, a: a.repeat(2, 1, 3).sum(0) + fw.tile(a, (1, 3)), [(2, 3)], False),
    ("repeat_interleave", lambda fw, a: a.repeat_interleave(2, dim=1).sum(1) + fw.repeat_interleave(a, 3).sum(),
     [(2, 3)], False),
    ("chunk_split_unbind", lambda fw, a: a.chunk(3, 1)[1] * a.split(2, 1)[0] + fw.split(a, [2, 3], 1)[1][:, 1:]
     + a.unbind(1)[4][:, None], [(3, 5)], False),
    ("narrow_select", lambda fw, a: a.narrow(1, 1, 2) * a.select(1, 0)[:, None] + fw.narrow(a, 1, 0, 2),
     [(3, 3)], False),
    ("flip_roll", lambda fw, a: a.flip(0) + fw.flip(a, (0, 1)) * a.fliplr() + a.flipud() + a.roll(1) + a.roll(-1, 1)
     + fw.roll(a, (1, 2), (0, 1)), [(3, 4)], False),
    ("tril_triu", lambda fw, a: a.tril() + fw.triu(a, 1) * 2 + a.tril(-1) + a.triu(diagonal=2), [(2, 3, 4)], False),
    ("diagonal", lambda fw, a: a.diagonal(1).sum() * a.diag() + fw.trace(a) + fw.diag(a.diagonal(), -1)[1:, :3],
     [(3, 3)], False),
    ("dims", lambda fw, a: a.movedim(0, 2).swapaxes(0, 1).unflatten(1, (2, 2)).sum((0, 1))
     + fw.moveaxis(a, 2, 0)[:, :, 0], [(3, 4, 2)], False),
    ("cumsum", lambda fw, a: a.cumsum(1) * a + fw.cumsum(a, dim=0), [(3, 4)], False),
    ("amax_amin", lambda fw, a: a.amax((0, 2)) + fw.amin(a, 2).sum(0) + a.amax(), [(2, 3, 4)], False),
    ("sort", lambda fw, a: a.sort(1)[0] * 2 + a.sort(0, descending=True).values + fw.sort(a).values, [(3, 4)], False),
    ("topk", lambda fw, a: a.topk(2).values.sum(1) + fw.topk(a, 2, dim=0, largest=False)[0].sum(0)[:3],
     [(3, 3)], False),
    ("median_kth", lambda fw, a: a.median() + a.median(1).values.sum() + a.kthvalue(2, 0).values.sum(), [(3, 5)],
     False),
    ("bmm_mv_outer", lambda fw, a, b, v: fw.bmm(a, b).sum(0) + fw.outer(fw.mv(a[0], v[:4]), v[:5])
     + a[0].mm(b[1]) + v.dot(v), [(2, 3, 4), (2, 4, 5), (5,)], False),
    ("einsum", lambda fw, a, b: fw.einsum("bij,bjk->bik", a, b).sum(0) + fw.einsum("...ij,...jk", a, b)[1]
     + fw.einsum("bii->b", a[:, :, :3]).sum(), [(2, 3, 4), (2, 4, 3)], False),
    ("where_method", lambda fw, a, b: a.where(a > 0, b), [(3, 4), (4,)], False),
]


@pytest.mark.parametrize("name,fn,shapes,positive", CASES, ids=[c[0] for c in CASES])
def test_forward_and_backward_match_torch(name, fn, shapes, positive):
    rng = np.random.default_rng(3)
    arrays = [rng.uniform(0.5, 2.0, s) if positive else rng.standard_normal(s) for s in shapes]
    xs = [tg.tensor(a, requires_grad=True) for a in arrays]  # float64 arrays stay float64, as in torch
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, yt = fn(tg, *xs), fn(torch, *ts)
    assert y.dtype == np.float64 and y.shape == tuple(yt.shape)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = rng.standard_normal(tuple(yt.shape))
    y.backward(tg.tensor(seed))
    yt.backward(torch.tensor(seed))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_sort_topk_indices_match_torch():
    a = np.array([[3.0, 1.0, 2.0, 1.0], [0.5, 0.7, -1.0, 9.0]])  # ties: the stable order
    b = np.array([[3.0, 1.0, 2.0, 1.5], [0.5, 0.7, -1.0, 9.0]])  # no ties: topk's order of ties is torch's own
    for ours, theirs in [(tg.sort(tg.tensor(a), stable=True), torch.sort(torch.tensor(a), stable=True)),
                         (tg.tensor(a).sort(descending=True, stable=True),
                          torch.tensor(a).sort(descending=True, stable=True)),
                         (tg.tensor(b).topk(3), torch.tensor(b).topk(3)),
                         (tg.tensor(b).topk(2, largest=False), torch.tensor(b).topk(2, largest=False)),
                         (tg.tensor(a).max(1), torch.tensor(a).max(1))]:
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
        assert ours.indices.dtype == np.int64
    np.testing.assert_array_equal(tg.tensor(a).argsort(1).numpy(), torch.tensor(a).argsort(dim=1, stable=True).numpy())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # x / 0 on purpose
@pytest.mark.parametrize("call", [
    lambda fw, x: x.any(), lambda fw, x: x.all(1), lambda fw, x: fw.any(x > 0, 0, keepdim=True),
    lambda fw, x: (x > 0).all(), lambda fw, x: x.isnan(), lambda fw, x: fw.isfinite(x / 0),
    lambda fw, x: fw.logical_xor(x > 0, x < 1), lambda fw, x: x.count_nonzero(1), lambda fw, x: x.argsort(0),
    lambda fw, x: x.int().cumsum(1), lambda fw, x: (x > 0).cumsum(0), lambda fw, x: x.long() // 2,
    lambda fw, x: fw.floor_divide(x, 0.7), lambda fw, x: x.long() % 3, lambda fw, x: x.long().floor(),
    lambda fw, x: x.div(0.3, rounding_mode="floor"), lambda fw, x: x.long().div(3, rounding_mode="trunc"),
])
def test_integer_and_boolean_results_match_torch(call):
    a = np.array([[0.0, 1.5, -2.0], [3.0, 0.0, 0.25]], dtype=np.float32)
    ours, theirs = call(tg, tg.tensor(a)), call(torch, torch.tensor(a))
    assert ours.dtype == np.dtype(str(theirs.dtype).replace("torch.", ""))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ----------------------------------------------------------------------------- in place
def _pair(values, requires_grad=False):
    a = np.asarray(values, dtype=np.float32)
    return tg.tensor(a, requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad)


INPLACE = [
    lambda fw, x: x.add_(2.0), lambda fw, x: x.add_(x, alpha=-0.5), lambda fw, x: x.sub_(1.0, alpha=3),
    lambda fw, x: x.mul_(3), lambda fw, x: x.div_(4), lambda fw, x: x.clamp_(-0.5, 0.5), lambda fw, x: x.clamp_(min=0),
    lambda fw, x: x.fill_(7), lambda fw, x: x.zero_(), lambda fw, x: x.copy_(fw.tensor([1.0, 2.0, 3.0])),
    lambda fw, x: x.copy_(fw.tensor([5])), lambda fw, x: x.pow_(2), lambda fw, x: x.neg_().abs_(),
    lambda fw, x: x.masked_fill_(x > 0, 0.5), lambda fw, x: x.lerp_(fw.ones(3), 0.25),
    lambda fw, x: x.addcmul_(x, x, value=2), lambda fw, x: x.addcdiv_(x, x * x + 1, value=-1),
    lambda fw, x: x.scatter_(0, fw.tensor([2, 0]), fw.tensor([9.0, 8.0])),
    lambda fw, x: x.scatter_add_(0, fw.tensor([1, 1]), fw.tensor([9.0, 8.0])), lambda fw, x: x.exp_().sqrt_(),
    lambda fw, x: x.relu_(), lambda fw, x: x.sigmoid_(), lambda fw, x: x.clip_(max=0.1),
]


@pytest.mark.parametrize("i", range(len(INPLACE)))
def test_inplace_methods_change_the_tensor_itself_as_torch(i):
    x, t = _pair([0.5, -1.0, 2.0])
    view = x.data  # the same array: an in-place method writes into it
    out, out_t = INPLACE[i](tg, x), INPLACE[i](torch, t)
    assert out is x and out_t is t
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-6)
    assert view is x.data and x.dtype == np.float32


def test_inplace_on_a_leaf_that_requires_grad_raises_as_torch():
    x, t = _pair([1.0, 2.0], requires_grad=True)
    for fw, v in ((tg, x), (torch, t)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            v.add_(1.0)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            v.fill_(0.0)
        with fw.no_grad():  # the optimizer's way: allowed
            v.mul_(2.0).add_(1.0)
    np.testing.assert_allclose(x.detach().numpy(), t.detach().numpy())


def test_inplace_inside_the_graph_is_differentiated_as_torch():
    grads = []
    for fw in (tg, torch):
        w = fw.tensor([0.5, -1.0, 2.0], dtype=fw.float64, requires_grad=True)
        v = fw.tensor([1.0, 2.0, 3.0], dtype=fw.float64, requires_grad=True)
        h = w * 3.0
        h.add_(v, alpha=2.0).mul_(2.0).clamp_(max=9.0)
        z = fw.zeros(3, dtype=fw.float64)
        z.copy_(w * w)  # a tensor that needs no grad takes on the graph of its source
        buf = fw.zeros(3, dtype=fw.float64)
        buf.add_(v)  # ... and of what is added to it
        (h.sum() + (z * v).sum() + (buf * buf).sum()).backward()
        assert h.grad_fn is not None and z.requires_grad and buf.requires_grad
        grads.append((w.grad.numpy().copy(), v.grad.numpy().copy()))
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs)


def test_fill_of_a_graph_tensor_cuts_the_gradient_as_torch():
    for fw in (tg, torch):
        w = fw.tensor([1.0, 2.0], requires_grad=True)
        h = w * 2
        h.fill_(3.0)
        (h * w).sum().backward()
        np.testing.assert_allclose(w.grad.numpy(), [3.0, 3.0])


def test_inplace_errors_as_torch():
    for fw in (tg, torch):
        with pytest.raises(RuntimeError):  # float result into an int tensor
            fw.tensor([1, 2]).add_(0.5)
        with pytest.raises(RuntimeError):  # the result does not fit
            fw.zeros(3).add_(fw.ones(2, 3))
        with pytest.raises(RuntimeError):  # expanded memory
            fw.zeros(1, 3).expand(2, 3).add_(1.0)


def test_random_inplace_fills_are_seeded_and_in_range():
    tg.manual_seed(5)
    a = tg.zeros(2000).normal_(3.0, 0.5)
    tg.manual_seed(5)
    b = tg.zeros(2000).normal_(3.0, 0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert abs(float(a.mean()) - 3.0) < 0.05 and abs(float(a.std()) - 0.5) < 0.05
    u = tg.zeros(2000, dtype=tg.float64).uniform_(-2, 1)
    assert u.dtype == np.float64 and -2 <= float(u.min()) and float(u.max()) < 1
    v = tg.zeros(10).uniform_(**{"from": 4.0, "to": 5.0})
    assert 4 <= float(v.min()) and float(v.max()) < 5


# ----------------------------------------------------------------------------- .data: micrograd's and DeZero's updates
def test_pytorch_and_micrograd_update_idiom_changes_the_parameter_in_place():
    for fw in (tg, torch):
        p = fw.tensor([1.0, -2.0], requires_grad=True)
        (p * p).sum().backward()
        p.data -= 0.1 * p.grad  # PyTorch/micrograd
        assert isinstance(p, fw.Tensor) and p.requires_grad
        np.testing.assert_allclose(p.detach().numpy(), [0.8, -1.6], rtol=1e-6)
        p.grad = None
        (p * p).sum().backward()  # the next step works: p is still a leaf with its array
        np.testing.assert_allclose(p.grad.numpy(), [1.6, -3.2], rtol=1e-6)
    p = tg.tensor([1.0, -2.0], requires_grad=True)
    (p * p).sum().backward()
    p.data -= 0.1 * p.grad.data  # DeZero
    p.data += -0.1 * p.grad  # micrograd's form
    np.testing.assert_allclose(p.detach().numpy(), [0.6, -1.2], rtol=1e-6)
    assert type(p.data) is np.ndarray


def test_assigning_a_tensor_to_data_stores_its_array():
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    p.data = p.data - 0.5 * tg.ones(2)  # ndarray - Tensor is a Tensor: its array is stored
    assert type(p.data) is np.ndarray
    np.testing.assert_allclose(p.data, [0.5, 1.5])
    p.data = tg.zeros(3)  # as torch: shape may change
    assert p.shape == (3,)
    with pytest.raises(TypeError, match="data"):
        p.data = "abc"


def test_numpy_ufuncs_on_tensors_keep_the_graph():
    x = tg.tensor([0.5, 1.0], requires_grad=True)
    y = np.exp(x) * np.ones(2) + np.float32(2.0) * x
    assert isinstance(y, tg.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, 1.0]) + 2.0, rtol=1e-6)
    with pytest.raises(RuntimeError, match="arctan2"):
        np.arctan2(x, x)
    assert isinstance(np.arctan2(x.detach(), x.detach()), tg.Tensor)


# ----------------------------------------------------------------------------- dtypes as torch
@pytest.mark.parametrize("make", [
    lambda fw: fw.tensor([1, 2]) * 2.5, lambda fw: fw.tensor([1, 2]) / 2,
    lambda fw: fw.tensor([3, 4]) / fw.tensor([2, 2]),
    lambda fw: fw.tensor([1, 2]) + 1.5, lambda fw: 1.5 - fw.tensor([1, 2]), lambda fw: fw.tensor([1, 2]) ** 0.5,
    lambda fw: fw.tensor([1, 2]) ** 2, lambda fw: fw.tensor([1, 2]).exp(), lambda fw: fw.tensor([1, 2]).sqrt(),
    lambda fw: fw.sin(fw.tensor([1, 2])), lambda fw: fw.tensor([1, 2]) * fw.ones(2),
    lambda fw: fw.ones(2, dtype=fw.float64) * fw.tensor([1, 2]), lambda fw: fw.tensor([True, False]) + 1,
    lambda fw: fw.tensor([True, False]) * 1.5, lambda fw: fw.tensor([1, 2]) + True, lambda fw: fw.tensor([1, 2]) // 2,
    lambda fw: fw.tensor(np.zeros(2)), lambda fw: fw.tensor(np.zeros(2, dtype=np.float32)),
    lambda fw: fw.tensor([1.0, 2.0]), lambda fw: fw.tensor(np.float64(1.0)), lambda fw: fw.tensor(3),
    lambda fw: fw.tensor([1, 2]).float().type_as(fw.ones(1, dtype=fw.float64)),
    lambda fw: fw.ones(2).new_tensor([1, 2]), lambda fw: fw.ones(2, dtype=fw.float64).new_zeros(3),
    lambda fw: fw.ones(2).new_ones((2, 2)), lambda fw: fw.ones(2, dtype=fw.int64).new_full((2,), 7),
    lambda fw: fw.ones(2).new_empty(3).zero_(), lambda fw: fw.tensor([1.5, 2.5]).floor(),
])
def test_result_dtypes_as_torch(make):
    ours, theirs = make(tg), make(torch)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_sizes_as_torch():
    for dt in ("float32", "float64", "int64", "int32"):
        x, t = tg.zeros(2, 3, dtype=dt), torch.zeros(2, 3, dtype=getattr(torch, dt))
        assert (x.element_size(), x.numel(), x.nelement(), x.dim(), x.ndimension()) == \
            (t.element_size(), t.numel(), t.nelement(), t.dim(), t.ndimension())
        assert x.is_floating_point() == t.is_floating_point() and tg.numel(x) == torch.numel(t)


# ----------------------------------------------------------------------------- dunders
def test_format_len_iter_contains_as_torch():
    for fw in (tg, torch):
        loss = fw.tensor(0.123456)
        assert f"{loss:.4f}" == "0.1235" and f"{loss:>8.2f}" == "    0.12" and f"{fw.tensor(7):03d}" == "007"
        with pytest.raises(TypeError):
            f"{fw.tensor([1.0, 2.0]):.2f}"  # torch's rule: only 0-d tensors take a number format
        assert f"{fw.tensor([1.0])}" == str(fw.tensor([1.0]))
        m = fw.tensor([[1, 2], [3, 4]])
        assert len(m) == 2 and [r.tolist() for r in m] == [[1, 2], [3, 4]]
        assert 3 in m and 5 not in m and fw.tensor(4) in m
        with pytest.raises(TypeError):
            len(fw.tensor(1.0))
        with pytest.raises(TypeError):
            iter(fw.tensor(1.0))
        assert list(range(10))[fw.tensor(3)] == 3  # __index__
        assert reversed(fw.tensor([1, 2, 3])).tolist() == [3, 2, 1]


def test_iterating_keeps_the_graph():
    w = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    sum(row.sum() * (i + 1) for i, row in enumerate(w)).backward()
    np.testing.assert_allclose(w.grad.numpy(), [[1, 1], [2, 2]])


# ----------------------------------------------------------------------------- exception types as torch
ERRORS = [
    lambda fw: fw.ones(3, 4) @ fw.ones(5, 2), lambda fw: fw.ones(3) + fw.ones(4), lambda fw: fw.ones(3).reshape(4),
    lambda fw: fw.cat([fw.ones(3, 4), fw.ones(5, 2)]), lambda fw: fw.stack([fw.ones(3), fw.ones(4)]),
    lambda fw: fw.ones(3, 4).expand(2, 5), lambda fw: fw.ones(3).clamp(), lambda fw: fw.ones(3).item(),
    lambda fw: fw.where(fw.ones(3) > 0, fw.ones(3), fw.ones(4)), lambda fw: fw.ones(3, 4).flatten(1, 0),
    lambda fw: fw.ones(0).max(), lambda fw: fw.tensor([1, 2]).mean(), lambda fw: fw.matmul(fw.ones(()), fw.ones(3)),
    lambda fw: fw.ones(2, 3, 4) @ fw.ones(3, 4, 5), lambda fw: fw.ones(3).view(-1, 5),
    lambda fw: fw.bmm(fw.ones(2, 3, 4), fw.ones(3, 4, 5)), lambda fw: fw.bmm(fw.ones(3, 4), fw.ones(4, 5)),
    lambda fw: fw.mm(fw.ones(3, 4), fw.ones(5, 2)), lambda fw: fw.ones(3).tril(),
    lambda fw: fw.ones(3, 4).gather(1, fw.tensor([[5]])), lambda fw: fw.ones(3, 4).gather(1, fw.tensor([1, 2])),
    lambda fw: fw.ones(3, 4).index_select(5, fw.tensor([0])), lambda fw: fw.ones(3, 4).masked_fill(fw.ones(3, 4), 0.0),
    lambda fw: fw.ones(3, 4).split([1, 1], 0), lambda fw: fw.ones(3, 4).repeat(2), lambda fw: fw.ones(3).topk(4),
    lambda fw: fw.einsum("ij,jk->ik", fw.ones(2, 3), fw.ones(4, 5)), lambda fw: fw.ones(3, 4).sum(3),
    lambda fw: fw.ones(3, 4).chunk(0), lambda fw: fw.ones(3).new_zeros(2).add_(fw.ones(3)),
    lambda fw: fw.ones(3, 4).max((0, 1)), lambda fw: fw.ones(3, 4).argmax((0, 1)),
    # loss targets: a different batch size is torch's ValueError, any other wrong shape its RuntimeError
    lambda fw: fw.nn.functional.cross_entropy(fw.ones(2, 3), fw.tensor([0, 1, 2])),
    lambda fw: fw.nn.functional.cross_entropy(fw.ones(2, 3), fw.tensor([[0] * 5] * 2)),
    lambda fw: fw.nn.functional.cross_entropy(fw.ones(2, 3), fw.ones(2, 4)),
    lambda fw: fw.nn.functional.cross_entropy(fw.ones(2, 3), fw.ones(3, 3)),
    lambda fw: fw.nn.functional.cross_entropy(fw.ones(3), fw.ones(4)),
    lambda fw: fw.nn.functional.cross_entropy(fw.ones(2, 3, 4, 5), fw.tensor([[0] * 4] * 2)),
    lambda fw: fw.nn.functional.nll_loss(fw.ones(2, 3, 4, 5), fw.tensor([[[0] * 5] * 4] * 3)),
    lambda fw: fw.nn.functional.nll_loss(fw.ones(()), fw.tensor(0)),
    lambda fw: fw.nn.functional.mse_loss(fw.ones(3), fw.ones(4)),
    lambda fw: fw.nn.functional.binary_cross_entropy(fw.ones(3, 1) / 2, fw.ones(3)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_exception_types_as_torch(i):
    with pytest.raises(Exception) as theirs:
        ERRORS[i](torch)
    with pytest.raises(Exception) as ours:
        ERRORS[i](tg)
    assert _builtin(ours.value) is _builtin(theirs.value), (str(ours.value), str(theirs.value))


def _builtin(e: BaseException) -> type:
    """The exception's first built-in class (torch raises e.g. subclasses of RuntimeError)."""
    return next(c for c in type(e).__mro__ if c.__module__ == "builtins")


def test_clamp_min_greater_than_max_clamps_to_max_as_torch():
    a = np.array([0.0, 5.0, 10.0], dtype=np.float32)
    np.testing.assert_array_equal(tg.tensor(a).clamp(6, 4).numpy(), torch.tensor(a).clamp(6, 4).numpy())


# ----------------------------------------------------------------------------- the hasattr probe
COMMON = """abs absolute acos add add_ addcdiv addcdiv_ addcmul addcmul_ all allclose amax amin any arccos arcsin arctan
argmax argmin argsort asin atan backward bmm bool ceil ceil_ chunk clamp clamp_ clamp_max clamp_min clip clip_ clone
contiguous copy_ cos cosh count_nonzero cpu cuda cumsum detach detach_ diag diagonal dim div div_ divide dot double
element_size eq equal erf exp exp_ expand expand_as expm1 fill_ fix flatten flip fliplr flipud float floor floor_
floor_divide fmod frac gather ge greater gt half index_add index_add_ index_select int is_contiguous is_cuda
is_floating_point isclose isfinite isinf isnan item kthvalue le lerp lerp_ less log log10 log1p log2 log_ logical_and
logical_not logical_or logical_xor logsumexp long lt masked_fill masked_fill_ matmul max maximum mean median min minimum
mm moveaxis movedim mul mul_ multiply mv narrow ndimension ne neg neg_ negative nelement new_empty new_full new_ones
new_tensor new_zeros norm normal_ numel numpy outer permute pow pow_ prod ravel reciprocal relu relu_ remainder repeat
repeat_interleave requires_grad_ reshape reshape_as retain_grad roll round round_ rsqrt scatter scatter_ scatter_add
scatter_add_ select sgn sigmoid sigmoid_ sign sin sinh size softmax sort split sqrt sqrt_ square square_ squeeze std
sub sub_ subtract sum swapaxes swapdims t take_along_dim tan tanh tanh_ tile to tolist topk trace transpose tril triu
true_divide trunc type type_as unbind unflatten uniform_ unsqueeze var view view_as where zero_""".split()


def test_the_common_torch_tensor_methods_exist():
    assert not [m for m in COMMON if not hasattr(torch.Tensor, m)]  # the list names real torch methods
    assert not [m for m in COMMON if not hasattr(tg.Tensor, m)]


FREE = """abs add all amax amin any argmax argmin argsort bmm cat ceil chunk clamp clip cos cumsum diag diagonal div dot
einsum exp flatten flip fliplr flipud floor gather index_select isnan kthvalue log log1p masked_fill matmul max maximum
mean median min minimum mm movedim mul mv narrow numel outer permute pow prod remainder repeat_interleave reshape roll
round rsqrt scatter scatter_add sigmoid sin sort split sqrt square squeeze stack std sub sum swapaxes take_along_dim
tanh tile topk trace transpose tril triu trunc unbind unsqueeze var where""".split()


def test_the_common_torch_functions_exist():
    assert not [f for f in FREE if not hasattr(torch, f)]
    assert not [f for f in FREE if not hasattr(tg, f)]


# ----------------------------------------------------------------------------- copies and shared memory, as torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_tensor_copies_an_array_from_numpy_and_as_tensor_share_it(dtype):
    for make, shares in ((tg.tensor, False), (tg.from_numpy, True), (tg.as_tensor, True), (tg.Tensor, True)):
        theirs = {tg.tensor: torch.tensor, tg.from_numpy: torch.from_numpy, tg.as_tensor: torch.as_tensor,
                  tg.Tensor: torch.Tensor}[make]
        if make is tg.Tensor and dtype is not np.float32:
            continue  # torch.Tensor(array) converts other dtypes to float32 (a copy)
        a, b = np.zeros(3, dtype=dtype), np.zeros(3, dtype=dtype)
        ours, ref = make(a), theirs(b)
        a[0] = b[0] = 5
        assert ours.numpy()[0] == ref.numpy()[0] == (5 if shares else 0), make


def test_tensor_of_a_tensor_copies_and_warns_as_torch():
    src = tg.ones(2)
    with pytest.warns(UserWarning, match="detach\\(\\).clone\\(\\)"):
        copy = tg.tensor(src)
    src.data[0] = 7
    assert copy.tolist() == [1.0, 1.0] and copy.is_leaf and not copy.requires_grad
