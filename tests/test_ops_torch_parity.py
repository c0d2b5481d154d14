"""A sample of ops, forward and backward, against PyTorch (skipped where torch is missing)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ru as tg

torch = pytest.importorskip("torch")

# (name, our fn, torch fn, input shapes, positive inputs)
CASES = [
    ("add_broadcast", lambda a, b: a + b, lambda a, b: a + b, [(3, 4), (4,)], False),
    ("mul_div", lambda a, b: a * b / (b * b + 1), lambda a, b: a * b / (b * b + 1), [(2, 3), (2, 1)], False),
    ("pow_tensor", lambda a, b: a ** b, lambda a, b: a ** b, [(3,), (3,)], True),
    ("log_sqrt", lambda a: a.log() + a.sqrt(), lambda a: a.log() + a.sqrt(), [(5,)], True),
    ("abs_exp", lambda a: a.abs() * a.exp(), lambda a: a.abs() * a.exp(), [(5,)], False),
    ("maximum", tg.maximum, torch.maximum, [(3, 4), (4,)], False),
    ("clamp", lambda a: a.clamp(-0.3, 0.4), lambda a: a.clamp(-0.3, 0.4), [(4, 4)], False),
    ("where", lambda a, b: tg.where(a > b, a, b * 2), lambda a, b: torch.where(a > b, a, b * 2), [(6,), (6,)], False),
    ("activations",
     lambda a: a.tanh() + a.sigmoid() + a.relu() + a.leaky_relu(0.2) + a.elu(0.7) + tg.silu(a),
     lambda a: (a.tanh() + a.sigmoid() + a.relu() + torch.nn.functional.leaky_relu(a, 0.2)
                + torch.nn.functional.elu(a, 0.7) + torch.nn.functional.silu(a)), [(4, 5)], False),
    ("gelu", lambda a: a.gelu() + a.gelu("tanh"),
     lambda a: torch.nn.functional.gelu(a) + torch.nn.functional.gelu(a, approximate="tanh"), [(4, 5)], False),
    ("softplus", lambda a: a.softplus(beta=2.0, threshold=3.0),
     lambda a: torch.nn.functional.softplus(a, beta=2.0, threshold=3.0), [(4, 5)], False),
    ("var_std", lambda a: a.var(1) + a.std(0, unbiased=False).sum() + a.var(correction=0),
     lambda a: a.var(1) + a.std(0, unbiased=False).sum() + a.var(correction=0), [(4, 5)], False),
    ("max_min_dim", lambda a: a.max(1)[0] + a.min(1, keepdim=True)[0].squeeze(1) + a.max(),
     lambda a: a.max(1)[0] + a.min(1, keepdim=True)[0].squeeze(1) + a.max(), [(4, 5)], False),
    ("logsumexp", lambda a: a.logsumexp(1) * 3, lambda a: torch.logsumexp(a, 1) * 3, [(4, 5)], False),
    ("movement", lambda a: a.reshape(2, 10).T.unsqueeze(0).expand(3, 10, 2).permute(2, 0, 1).flatten(1),
     lambda a: a.reshape(2, 10).T.unsqueeze(0).expand(3, 10, 2).permute(2, 0, 1).flatten(1), [(4, 5)], False),
    ("indexing", lambda a: a[1:, np.array([0, 0, 3])] * a[a.detach() > 0].sum(),
     lambda a: a[1:, torch.tensor([0, 0, 3])] * a[a.detach() > 0].sum(), [(4, 5)], False),
    ("cat_stack_pad", lambda a, b: tg.stack([tg.cat([a, b], 1), tg.pad(b, (0, 0, 1, 0))[:3].pad((0, 2))]),
     lambda a, b: torch.stack([torch.cat([a, b], 1),
                               torch.nn.functional.pad(torch.nn.functional.pad(b, (0, 0, 1, 0))[:3], (0, 2))]),
     [(3, 2), (3, 3)], False),
    ("matmul_batched", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)], False),
    ("matmul_vec", lambda a, b: (a @ b) @ a[0], lambda a, b: (a @ b) @ a[0], [(4, 4), (4,)], False),
]


@pytest.mark.parametrize("name,ours,theirs,shapes,positive", CASES, ids=[c[0] for c in CASES])
def test_forward_and_backward_match_torch(name, ours, theirs, shapes, positive):
    rng = np.random.default_rng(0)
    arrays = [rng.uniform(0.5, 2.0, s) if positive else rng.standard_normal(s) for s in shapes]
    xs = [tg.Tensor(a, dtype=tg.float64, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    y, yt = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = rng.standard_normal(yt.shape)
    y.backward(tg.Tensor(seed, dtype=tg.float64))
    yt.backward(torch.tensor(seed))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_second_derivatives_match_torch():
    a = np.array([0.3, -1.2, 2.0])
    x = tg.Tensor(a, dtype=tg.float64, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    (g,) = tg.autograd.grad((x.tanh() * x.sigmoid() * x).sum(), x, create_graph=True)
    (gt,) = torch.autograd.grad((t.tanh() * t.sigmoid() * t).sum(), t, create_graph=True)
    (h,) = tg.autograd.grad((g * g).sum(), x)
    (ht,) = torch.autograd.grad((gt * gt).sum(), t)
    np.testing.assert_allclose(h.numpy(), ht.numpy(), rtol=1e-10)


def test_accumulation_matches_torch():
    a = np.array([1.0, 2.0])
    x = tg.Tensor(a, dtype=tg.float64, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    for _ in range(3):
        (x * x * 1.5).sum().backward()
        (t * t * 1.5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
