"""Property tests: random shapes and random compositions of ops keep gradcheck true, and
broadcast gradients sum back to the input's shape."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_ru as tg
from tinygrad_ru.autograd import gradcheck

SETTINGS = settings(max_examples=40, deadline=None)

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def _tensor(values: np.ndarray) -> tg.Tensor:
    return tg.Tensor(values, dtype=tg.float64, requires_grad=True)


def _values(draw, shape, low=-2.0, high=2.0):
    return draw(hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_nan=False, width=64)))


@st.composite
def broadcastable_pair(draw):
    """Two shapes that broadcast: the second drops leading dims and/or sets some to 1."""
    a = draw(shapes)
    keep = draw(st.integers(0, len(a)))
    b = list(a[len(a) - keep:])
    for i in range(len(b)):
        if draw(st.booleans()):
            b[i] = 1
    if draw(st.booleans()):
        a, b = tuple(b), a
    return tuple(a), tuple(b)


@SETTINGS
@given(broadcastable_pair(), st.sampled_from(["add", "sub", "mul", "div", "maximum"]), st.data())
def test_broadcast_gradient_sums_back(shapes_ab, op, data):
    sa, sb = shapes_ab
    a = _tensor(_values(data.draw, sa))
    b = _tensor(_values(data.draw, sb, 0.5, 2.0))
    fn = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
          "div": lambda x, y: x / y, "maximum": lambda x, y: tg.maximum(x, y + 0.123)}[op]
    out = fn(a, b)
    assert out.shape == np.broadcast_shapes(sa, sb)
    out.sum().backward()
    assert a.grad.shape == sa and b.grad.shape == sb
    if op == "add":  # ∂/∂b of Σ(a + b) is the number of times each b element was broadcast
        n = int(np.prod(out.shape)) // max(int(np.prod(sb)), 1)
        np.testing.assert_allclose(b.grad.numpy(), np.full(sb, float(n)))
    a.grad = b.grad = None
    assert gradcheck(fn, [a, b])


SMOOTH_UNARY = {
    "exp": lambda x: (x * 0.5).exp(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "softplus": lambda x: x.softplus(),
    "gelu": lambda x: x.gelu(),
    "silu": lambda x: tg.silu(x),
    "square": lambda x: x ** 2,
    "sin": lambda x: x.sin(),
    "log1p_abs": lambda x: (x * x + 1.0).log(),
    "sqrt": lambda x: (x * x + 0.5).sqrt(),
    "scale": lambda x: x * 1.7 - 0.3,
    "self_mul": lambda x: x * x.tanh() + x,  # a reused node
}

SHAPE_OPS = {
    "transpose": lambda x: x.T,
    "flip": lambda x: x[::-1] if x.ndim else x,
    "sum_keep": lambda x: x.sum(-1, keepdim=True) * x if x.ndim else x,
    "mean_last": lambda x: x.mean(-1) if x.ndim else x,
    "logsumexp_last": lambda x: x.logsumexp(-1) if x.ndim else x,
    "flatten": lambda x: x.flatten(),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "cat_self": lambda x: tg.cat([x, x * 2.0], 0) if x.ndim else x,
    "expand": lambda x: x.unsqueeze(0).expand(2, *x.shape),
    "pad": lambda x: x.pad((1, 0)) if x.ndim else x,
    "gram": lambda x: x.flatten().unsqueeze(0) @ x.flatten().unsqueeze(1),
}


@SETTINGS
@given(shapes, st.lists(st.sampled_from(sorted(SMOOTH_UNARY) + sorted(SHAPE_OPS)), min_size=1, max_size=5),
       st.data())
def test_random_compositions_pass_gradcheck(shape, names, data):
    x = _tensor(_values(data.draw, shape, -1.5, 1.5))

    def fn(t):
        for n in names:
            t = SMOOTH_UNARY[n](t) if n in SMOOTH_UNARY else SHAPE_OPS[n](t)
        return t

    # chains such as exp∘exp∘(sum·x)∘exp∘exp overflow float64 (e^2000): no derivative to compare there
    assume(np.isfinite(fn(x).detach().numpy()).all())
    assert gradcheck(fn, [x], atol=1e-4)


@SETTINGS
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), st.data())
def test_reductions_over_random_dims(shape, data):
    x = _tensor(_values(data.draw, shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())
    for fn in (lambda t: t.sum(dim, keepdim=keepdim), lambda t: t.mean(dim, keepdim=keepdim),
               lambda t: t.logsumexp(dim, keepdim=keepdim)):
        out = fn(x)
        assert out.shape == np.sum(np.zeros(shape), axis=dim, keepdims=keepdim).shape
        assert gradcheck(fn, [x])


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2), st.data())
def test_random_matmul_shapes(m, k, n, batch, data):
    sa = (2,) * batch + (m, k)
    sb = data.draw(st.sampled_from([(k, n), (k,), (1,) * batch + (k, n)]))
    a, b = _tensor(_values(data.draw, sa)), _tensor(_values(data.draw, sb))
    assert (a @ b).shape == np.matmul(np.zeros(sa), np.zeros(sb)).shape
    assert gradcheck(lambda x, y: x @ y, [a, b])
