"""Module hooks against PyTorch: forward (pre-)hooks, full backward hooks and backward pre-hooks.

The backward hooks see the gradients the engine computes anyway (identity Functions around the
module's inputs and outputs, as torch.utils.hooks.BackwardHook); each test runs the same module
in tinygrad_ru and torch and compares what the hooks saw, in which order, and the final .grad.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Full backward hook is firing")


def _np(t):
    if t is None:
        return None
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _copy_linear(ours: nn.Linear):
    theirs = torch.nn.Linear(ours.in_features, ours.out_features, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.detach().numpy()))
        theirs.bias.copy_(torch.from_numpy(ours.bias.detach().numpy()))
    return theirs


def _pair_sequential():
    tg.manual_seed(0)
    ours = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3), nn.Sigmoid(), nn.Linear(3, 2)).double()
    theirs = torch.nn.Sequential(*[
        _copy_linear(m) if isinstance(m, nn.Linear) else (torch.nn.ReLU() if isinstance(m, nn.ReLU)
                                                          else torch.nn.Sigmoid())
        for m in ours
    ])
    return ours, theirs


def _record(module, log, name):
    def hook(m, grad_input, grad_output):
        log.append((name, tuple(_np(g) for g in grad_input), tuple(_np(g) for g in grad_output)))
    return module.register_full_backward_hook(hook)


def _assert_logs_equal(ours, theirs):
    assert [e[0] for e in ours] == [e[0] for e in theirs]  # the same hooks in the same order
    for (name, gi, go), (_, tgi, tgo) in zip(ours, theirs):
        assert len(gi) == len(tgi) and len(go) == len(tgo), name
        for a, b in zip(gi + go, tgi + tgo):
            if b is None:
                assert a is None, name
            else:
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=name)


X = np.random.default_rng(0).standard_normal((6, 4))


@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_linear_full_backward_hook_matches_torch(input_requires_grad):
    tg.manual_seed(1)
    lin = nn.Linear(4, 3).double()
    tlin = _copy_linear(lin)
    log, tlog = [], []
    _record(lin, log, "lin")
    _record(tlin, tlog, "lin")
    x = tg.tensor(X, dtype=tg.float64, requires_grad=input_requires_grad)
    tx = torch.tensor(X, requires_grad=input_requires_grad)
    (lin(x) ** 2).sum().backward()
    (tlin(tx) ** 2).sum().backward()
    _assert_logs_equal(log, tlog)
    assert len(log) == 1
    if input_requires_grad:
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
        np.testing.assert_allclose(log[0][1][0], x.grad.numpy())  # grad_input is ∂L/∂x
    else:
        assert log[0][1] == (None,)
    np.testing.assert_allclose(lin.weight.grad.numpy(), tlin.weight.grad.numpy(), rtol=1e-12)


def test_sequential_hooks_on_every_layer_match_torch_values_and_order():
    ours, theirs = _pair_sequential()
    log, tlog = [], []
    for name, m in list(ours.named_modules()):
        _record(m, log, name or "seq")
    for name, m in list(theirs.named_modules()):
        _record(m, tlog, name or "seq")
    x = tg.tensor(X, dtype=tg.float64, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    ours(x).sum().backward()
    theirs(tx).sum().backward()
    _assert_logs_equal(log, tlog)
    # innermost last layer first, the container when its input gradient is complete
    assert [e[0] for e in log] == ["4", "3", "2", "1", "0", "seq"]
    # the chain: what a layer passes down is what the layer below receives
    by_name = {e[0]: e for e in log}
    np.testing.assert_array_equal(by_name["3"][1][0], by_name["2"][2][0])


def test_hook_may_replace_grad_input_as_in_torch():
    ours, theirs = _pair_sequential()
    ours[2].register_full_backward_hook(lambda m, gi, go: (gi[0] * 3,))
    theirs[2].register_full_backward_hook(lambda m, gi, go: (gi[0] * 3,))
    x = tg.tensor(X, dtype=tg.float64, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    ours(x).sum().backward()
    theirs(tx).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours[0].weight.grad.numpy(), theirs[0].weight.grad.numpy(), rtol=1e-12)
    # and the layer's own weight gradient is not scaled (the replacement only flows further down)
    np.testing.assert_allclose(ours[2].weight.grad.numpy(), theirs[2].weight.grad.numpy(), rtol=1e-12)


def test_backward_pre_hook_replaces_grad_output_as_in_torch():
    ours, theirs = _pair_sequential()
    seen, tseen = [], []

    def pre(store):
        def hook(m, grad_output):
            store.append(_np(grad_output[0]))
            return (grad_output[0] * 0.5,)
        return hook

    ours[2].register_full_backward_pre_hook(pre(seen))
    theirs[2].register_full_backward_pre_hook(pre(tseen))
    x = tg.tensor(X, dtype=tg.float64, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    ours(x).sum().backward()
    theirs(tx).sum().backward()
    np.testing.assert_allclose(seen[0], tseen[0], rtol=1e-12)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12)


def test_remove_and_context_manager():
    tg.manual_seed(0)
    lin = nn.Linear(4, 3)
    calls = []
    handle = lin.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    x = tg.tensor(X.astype(np.float32), requires_grad=True)
    lin(x).sum().backward()
    handle.remove()
    lin(x).sum().backward()
    assert calls == [1]
    with lin.register_full_backward_hook(lambda m, gi, go: calls.append(2)):
        lin(x).sum().backward()
    lin(x).sum().backward()
    assert calls == [1, 2]
    # without hooks the module's output is the forward's own (no identity node in between)
    assert type(lin(x).grad_fn).__name__ != "BackwardHookFunction"


def test_no_hook_and_no_identity_under_no_grad():
    lin = nn.Linear(4, 3)
    calls = []
    lin.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    with tg.no_grad():
        y = lin(tg.tensor(X.astype(np.float32), requires_grad=True))
    assert not y.requires_grad and calls == []


def test_wrong_number_of_grad_inputs_is_an_error_like_torch():
    lin = nn.Linear(4, 3)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    tlin = torch.nn.Linear(4, 3)
    tlin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        lin(tg.tensor(X.astype(np.float32), requires_grad=True)).sum().backward()
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        tlin(torch.tensor(X, dtype=torch.float32, requires_grad=True)).sum().backward()


def test_no_input_requires_grad_hook_must_return_none_like_torch():
    lin = nn.Linear(4, 3)
    lin.register_full_backward_hook(lambda m, gi, go: (go[0],))
    tlin = torch.nn.Linear(4, 3)
    tlin.register_full_backward_hook(lambda m, gi, go: (go[0],))
    with pytest.raises(RuntimeError, match="should always return None or None for all gradients"):
        lin(tg.tensor(X.astype(np.float32))).sum().backward()
    with pytest.raises(RuntimeError, match="should always return None or None for all gradients"):
        tlin(torch.tensor(X, dtype=torch.float32)).sum().backward()


class _TwoInOut(nn.Module):
    def forward(self, a, b, scale):
        return a * b * scale, a + b


class _TTwoInOut(torch.nn.Module):
    def forward(self, a, b, scale):
        return a * b * scale, a + b


def test_several_inputs_and_outputs_match_torch():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    log, tlog = [], []
    m, tm = _TwoInOut(), _TTwoInOut()
    _record(m, log, "m")
    _record(tm, tlog, "m")
    ta = tg.tensor(a, dtype=tg.float64, requires_grad=True)
    tb = tg.tensor(b, dtype=tg.float64)  # does not require grad: zeros in grad_input (torch's materialised grad)
    u, v = m(ta, tb, 2.0)
    (u.sum() * 3 + (v * v).sum()).backward()
    xa, xb = torch.tensor(a, requires_grad=True), torch.tensor(b)
    tu, tv = tm(xa, xb, 2.0)
    (tu.sum() * 3 + (tv * tv).sum()).backward()
    _assert_logs_equal(log, tlog)
    assert len(log[0][1]) == 3 and log[0][1][2] is None  # the float argument has no gradient
    assert np.all(log[0][1][1] == 0)


def test_forward_hooks_order_prepend_and_kwargs_like_torch():
    def run(mod_cls, lib_tensor):
        order = []
        lin = mod_cls(4, 3)
        lin.register_forward_pre_hook(lambda m, args: order.append("pre1"))
        lin.register_forward_pre_hook(lambda m, args: order.append("pre0"), prepend=True)
        lin.register_forward_pre_hook(lambda m, args, kwargs: order.append(("prekw", sorted(kwargs))),
                                      with_kwargs=True)
        lin.register_forward_hook(lambda m, args, out: order.append(("post", len(args))))
        lin.register_forward_hook(lambda m, args, kwargs, out: order.append("postkw"), with_kwargs=True)
        lin.register_forward_hook(lambda m, args, out: out * 0, prepend=True)  # replaces the output
        out = lin(lib_tensor(X.astype(np.float32)))
        return order, _np(out)

    ours, out = run(nn.Linear, tg.tensor)
    theirs, tout = run(torch.nn.Linear, torch.tensor)
    assert ours == theirs == ["pre0", "pre1", ("prekw", []), ("post", 1), "postkw"]
    assert np.all(out == 0) and np.all(tout == 0)


def test_forward_pre_hook_with_kwargs_may_replace_args_and_kwargs():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    m.register_forward_pre_hook(lambda mod, args, kwargs: ((args[0] + 1,), {"factor": 10.0}), with_kwargs=True)
    assert float(m(tg.tensor(1.0), factor=2.0).item()) == 20.0
    m2 = Scale()
    m2.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"tuple of \(new_args, new_kwargs\)"):
        m2(tg.tensor(1.0))


def test_backward_hook_with_retain_graph_runs_per_backward_and_double_backward_works():
    tg.manual_seed(0)
    lin = nn.Linear(4, 1).double()
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(_np(gi[0])))
    x = tg.tensor(X, dtype=tg.float64, requires_grad=True)
    y = (lin(x) ** 2).sum()
    (g,) = tg.autograd.grad(y, x, create_graph=True)
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], g.detach().numpy())
    g.sum().backward()  # through the hook's identity nodes: second derivatives still flow
    tlin = _copy_linear(lin)
    tx = torch.tensor(X, requires_grad=True)
    (tg_,) = torch.autograd.grad((tlin(tx) ** 2).sum(), tx, create_graph=True)
    tg_.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(lin.weight.grad.numpy(), tlin.weight.grad.numpy(), rtol=1e-10)


def test_always_call_forward_hook_runs_when_forward_raises_like_torch():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    class TBoom(torch.nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    def run(module, make):
        seen = []
        module.register_forward_hook(lambda m, args, out: seen.append(("always", out)), always_call=True)
        module.register_forward_hook(lambda m, args, out: seen.append(("normal", out)))
        module.register_forward_hook(lambda m, args, out: 1 / 0, always_call=True)  # silenced: a warning
        with pytest.warns(UserWarning, match="always_call=True"), pytest.raises(ValueError, match="boom"):
            module(make([1.0]))
        return seen

    assert run(Boom(), tg.tensor) == run(TBoom(), torch.tensor) == [("always", None)]


def test_in_place_change_of_a_hooked_output_keeps_gradients_right():
    # torch refuses `y += 1` on the output of a module with a full backward hook; here the in-place op
    # is a node of its own: compare with torch doing the same out of place, without the hook
    tg.manual_seed(0)
    lin = nn.Linear(3, 2).double()
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((_np(gi[0]).copy(), _np(go[0]).copy())))
    x = tg.tensor(X[:, :3], dtype=tg.float64, requires_grad=True)
    y = lin(x)
    y += 1
    (y * y).sum().backward()
    tlin = _copy_linear(lin)
    tx = torch.tensor(X[:, :3], requires_grad=True)
    ty = tlin(tx)
    ty.retain_grad()
    tz = ty + 1
    (tz * tz).sum().backward()
    np.testing.assert_allclose(seen[0][0], tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(seen[0][1], ty.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_a_gradient_kept_by_a_hook_is_not_changed_by_later_accumulation_like_torch():
    # a leaf keeps its first gradient's array as .grad and adds the next ones into it: the tensor a
    # hook has seen must not be that array (torch: a kept gradient never changes)
    def run(lib, module, tensor_hook_target):
        kept = []
        module.register_full_backward_hook(lambda m, gi, go: kept.append(gi[0]))
        x = lib(X[:2, :4].copy(), requires_grad=True)
        tensor_hook_target(x).register_hook(lambda g: kept.append(g))
        for _ in range(2):
            module(x).sum().backward()
        return [_np(k).copy() for k in kept]

    tg.manual_seed(0)
    lin = nn.Linear(4, 3).double()
    ours = run(lambda a, requires_grad: tg.tensor(a, dtype=tg.float64, requires_grad=requires_grad), lin,
               lambda x: x)
    theirs = run(lambda a, requires_grad: torch.tensor(a, requires_grad=requires_grad), _copy_linear(lin),
                 lambda x: x)
    assert len(ours) == len(theirs) == 4
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_array_equal(ours[0], ours[2])  # the first backward's gradient, kept, unchanged
