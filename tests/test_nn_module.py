"""Module API: registration, traversal, modes, zero_grad, state_dict/load_state_dict, to(), apply, repr, containers."""

import copy
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
from tinygrad_ru.nn import Module, Parameter


class Affine(Module):
    """y = a·x + b with a buffer that counts calls (forward without nn.functional)."""

    def __init__(self, n=3):
        super().__init__()
        self.a = Parameter(tg.ones(n))
        self.b = Parameter(tg.zeros(n))
        self.register_buffer("calls", tg.zeros((), dtype=tg.int64))
        self.register_buffer("scratch", tg.zeros(n), persistent=False)
        self.plain = 5  # not a tensor: an ordinary attribute

    def forward(self, x):
        self.calls.data += 1
        return x * self.a + self.b


class Net(Module):
    def __init__(self):
        super().__init__()
        self.first = Affine()
        self.act = nn.ReLU()
        self.second = Affine()
        self.blocks = nn.ModuleList([Affine(), Affine()])

    def forward(self, x):
        x = self.second(self.act(self.first(x)))
        for b in self.blocks:
            x = b(x)
        return x


def test_parameter_is_tensor_leaf_with_grad():
    p = Parameter(tg.randn(2, 3))
    assert isinstance(p, tg.Tensor) and p.requires_grad and p.is_leaf
    assert "Parameter containing" in repr(p)
    t = tg.zeros(2, dtype=tg.float64)
    q = Parameter(t)
    assert q.dtype == tg.float64 and q.data is t.data  # shares memory, keeps dtype
    assert not Parameter(tg.zeros(2), requires_grad=False).requires_grad
    y = (p * 2).sum()
    assert type(p * 2) is tg.Tensor  # results of ops are plain tensors
    y.backward()
    assert np.allclose(p.grad.numpy(), 2)


def test_registration_and_traversal():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["first.a", "first.b", "second.a", "second.b", "blocks.0.a", "blocks.0.b", "blocks.1.a",
                     "blocks.1.b"]
    assert len(list(net.parameters())) == 8
    assert [n for n, _ in net.named_buffers()] == ["first.calls", "first.scratch", "second.calls",
                                                     "second.scratch", "blocks.0.calls", "blocks.0.scratch",
                                                     "blocks.1.calls", "blocks.1.scratch"]
    assert [n for n, _ in net.named_children()] == ["first", "act", "second", "blocks"]
    assert [n for n, _ in net.named_modules()] == ["", "first", "act", "second", "blocks", "blocks.0", "blocks.1"]
    assert list(net.parameters(recurse=False)) == []
    assert net.first.plain == 5 and "plain" not in dict(net.first.named_parameters())
    assert net.get_submodule("blocks.1") is net.blocks[1]
    assert net.get_parameter("blocks.0.a") is net.blocks[0].a
    assert net.num_parameters() == 24
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        net.nope


def test_shared_parameter_listed_once():
    shared = Affine()
    seq = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]


def test_reassign_and_delete():
    m = Affine()
    m.a = None  # a registered parameter may be set to None
    assert "a" not in dict(m.named_parameters())
    with pytest.raises(TypeError, match="cannot assign Tensor as parameter 'b'"):
        m.b = tg.zeros(3)  # a plain tensor is not a Parameter
    m.b = Parameter(tg.ones(3))
    del m.b
    assert "b" not in dict(m.named_parameters())
    m.sub = nn.ReLU()
    m.sub = Affine()  # replacing a module
    assert isinstance(m.sub, Affine) and [n for n, _ in m.named_children()] == ["sub"]


def test_setattr_before_init_is_a_clear_error():
    class Bad(Module):
        def __init__(self):
            self.w = Parameter(tg.ones(1))
            super().__init__()

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_forward_missing_is_clear():
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(1)


def test_train_eval_propagate():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_both_ways():
    net = Net()
    net(tg.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_keys_values_share_memory():
    net = Net()
    sd = net.state_dict()
    assert list(sd) == ["first.a", "first.b", "first.calls", "second.a", "second.b", "second.calls",
                        "blocks.0.a", "blocks.0.b", "blocks.0.calls", "blocks.1.a", "blocks.1.b", "blocks.1.calls"]
    assert not sd["first.a"].requires_grad and sd["first.a"].data is net.first.a.data


def test_load_state_dict_in_place_and_errors():
    src, dst = Net(), Net()
    for i, p in enumerate(src.parameters()):
        p.data[...] = i
    ids = [id(p) for p in dst.parameters()]
    arrays = [p.data for p in dst.parameters()]
    res = dst.load_state_dict(src.state_dict())
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert [id(p) for p in dst.parameters()] == ids  # same objects (an optimizer keeps working)
    assert all(a is p.data for a, p in zip(arrays, dst.parameters()))  # same arrays, copied into
    assert [float(p.data[0]) for p in dst.parameters()] == list(range(8))

    sd = src.state_dict()
    del sd["first.a"]
    sd["extra.weight"] = tg.zeros(1)
    with pytest.raises(RuntimeError) as e:
        dst.load_state_dict(sd)
    msg = str(e.value)
    assert "Error(s) in loading state_dict for Net" in msg
    assert 'Missing key(s) in state_dict: "first.a"' in msg and 'Unexpected key(s) in state_dict: "extra.weight"' in msg
    res = dst.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["first.a"] and res.unexpected_keys == ["extra.weight"]

    sd = src.state_dict()
    sd["second.b"] = tg.zeros(4)
    with pytest.raises(RuntimeError, match=r"size mismatch for second.b: copying a param with shape \(4,\) from "
                                           r"checkpoint, the shape in current model is \(3,\)"):
        dst.load_state_dict(sd, strict=False)  # a wrong shape is an error even when not strict

    # numpy arrays and other dtypes are accepted and cast to the parameter's dtype
    dst.load_state_dict({k: v.numpy().astype(np.float64) for k, v in src.state_dict().items()})
    assert dst.first.a.dtype == tg.float32
    with pytest.raises(TypeError, match="dict-like"):
        dst.load_state_dict([1, 2])


def test_to_dtype_keeps_objects_and_int_buffers():
    net = Net()
    params = list(net.parameters())
    assert net.to(tg.float64) is net
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert all(p.dtype == tg.float64 for p in net.parameters())
    assert net.first.calls.dtype == tg.int64  # integer buffers keep their dtype
    assert net.first.scratch.dtype == tg.float64
    net.float()
    assert all(p.dtype == tg.float32 for p in net.parameters())
    net.to("cpu")
    with pytest.raises(ValueError, match="unknown device"):
        net.to("tpu")
    with pytest.raises(TypeError, match="only floating"):
        net.to(tg.int64)


def test_to_device_moves_params_grads_buffers_in_place():
    standin = pytest.importorskip("standin_backend")
    standin.register()
    try:
        net = Net()
        net(tg.randn(2, 3)).sum().backward()
        params = list(net.parameters())
        net.to(standin.DEVICE)
        assert [id(p) for p in net.parameters()] == [id(p) for p in params]
        assert all(p.device.startswith(standin.DEVICE) for p in net.parameters())
        assert all(p.grad.device.startswith(standin.DEVICE) for p in net.parameters())
        assert all(b.device.startswith(standin.DEVICE) for b in net.buffers())
        out = net(tg.ones(2, 3, device=standin.DEVICE))
        assert out.device.startswith(standin.DEVICE)
        net.cpu()
        assert all(p.device == "cpu" for p in net.parameters())
    finally:
        standin.unregister()


def test_apply_and_requires_grad_():
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Affine") == 4
    net.apply(lambda m: nn.init.constant_(m.a, 0.5) if isinstance(m, Affine) else None)
    assert all(float(m.a.data[0]) == 0.5 for m in net.modules() if isinstance(m, Affine))
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_forward_hooks():
    m = Affine()
    seen = []
    h = m.register_forward_hook(lambda mod, inp, out: seen.append(out.shape))
    pre = m.register_forward_pre_hook(lambda mod, inp: (inp[0] * 0,))
    out = m(tg.ones(2, 3))
    assert seen == [(2, 3)] and not out.detach().numpy().any()
    h.remove(); pre.remove()
    m(tg.ones(2, 3))
    assert seen == [(2, 3)]


def test_repr_like_torch():
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Sequential(nn.Dropout(0.2), nn.Tanh()))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=128, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.2, inplace=False)\n"
        "    (1): Tanh()\n"
        "  )\n"
        ")"
    )


def test_repr_matches_torch_for_common_layers():
    torch = pytest.importorskip("torch")
    pairs = [
        (nn.Linear(3, 4, bias=False), torch.nn.Linear(3, 4, bias=False)),
        (nn.Conv2d(3, 6, 5), torch.nn.Conv2d(3, 6, 5)),
        (nn.Conv2d(3, 6, 3, stride=2, padding=1, bias=False), torch.nn.Conv2d(3, 6, 3, stride=2, padding=1,
                                                                              bias=False)),
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
        (nn.Flatten(), torch.nn.Flatten()),
        (nn.Dropout(0.5), torch.nn.Dropout(0.5)),
        (nn.PReLU(), torch.nn.PReLU()),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_sequential_indexing_and_growth():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[0], nn.Linear) and isinstance(seq[-1], nn.Linear)
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2 and sub[1] is seq[2]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and list(seq._modules) == ["0", "1", "2", "3"]
    seq.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "ReLU", "Linear", "Sigmoid"]
    del seq[1]
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear", "Sigmoid"]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    with pytest.raises(IndexError, match="out of range"):
        seq[10]
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)
    named = nn.Sequential(OrderedDict(fc=nn.Linear(2, 2), act=nn.ReLU()))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"] and named.fc is named[0]


def test_sequential_forward_chains():
    seq = nn.Sequential(Affine(), nn.ReLU(), Affine())
    seq[0].a.data[...] = -1
    out = seq(tg.ones(2, 3))
    assert not out.detach().numpy().any()


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.ReLU(), nn.Linear(2, 2)])
    ml.append(nn.Linear(2, 3))
    ml += [nn.Tanh()]
    assert len(ml) == 4 and [n for n, _ in ml.named_parameters()] == ["1.weight", "1.bias", "2.weight", "2.bias"]
    ml.insert(0, nn.Sigmoid())
    assert isinstance(ml[0], nn.Sigmoid) and isinstance(ml[2], nn.Linear) and list(ml._modules)[-1] == "4"
    with pytest.raises(IndexError):
        ml[7]
    md = nn.ModuleDict({"enc": nn.Linear(2, 2), "dec": nn.Linear(2, 2)})
    md["act"] = nn.ReLU()
    assert list(md.keys()) == ["enc", "dec", "act"] and "enc" in md and len(md) == 3
    assert [n for n, _ in md.named_parameters()][:2] == ["enc.weight", "enc.bias"]
    md.pop("dec")
    assert list(md) == ["enc", "act"]
    with pytest.raises(KeyError, match="no key 'zzz'"):
        md["zzz"]


def test_deepcopy_module():
    net = Net()
    clone = copy.deepcopy(net)
    clone.first.a.data[...] = 7
    assert float(net.first.a.data[0]) == 1.0
    assert isinstance(clone.first.a, Parameter) and clone.first.a.requires_grad


def test_parameters_to_vector_and_back():
    net = Net()
    vec = nn.utils.parameters_to_vector(net.parameters())
    assert vec.shape == (24,)
    new = tg.arange(24, dtype=tg.float32)
    nn.utils.vector_to_parameters(new, net.parameters())
    assert nn.utils.parameters_to_vector(net.parameters()).tolist() == list(range(24))
    with pytest.raises(ValueError, match="has 5 elements but the parameters need 24"):
        nn.utils.vector_to_parameters(tg.zeros(5), net.parameters())
    # differentiable: d(‖θ‖²)/dθ = 2θ
    (nn.utils.parameters_to_vector(net.parameters()) ** 2).sum().backward()
    assert np.allclose(net.first.a.grad.numpy(), 2 * net.first.a.detach().numpy())


def test_clip_grad_reexported():
    assert callable(nn.utils.clip_grad_norm_) and callable(nn.utils.clip_grad_value_)
    p = Parameter(tg.ones(4))
    p.grad = tg.full((4,), 3.0)
    total = nn.utils.clip_grad_norm_([p], 1.0)
    assert abs(float(total) - 6.0) < 1e-5
    assert abs(float(np.linalg.norm(p.grad.numpy())) - 1.0) < 1e-4
