"""The layers and their functional forms on bad and on unbatched input, as PyTorch.

* a table of inputs (``PROBE``), each run in both frameworks: where torch raises we raise the same
  built-in exception class; where torch accepts (unbatched (C, H, W) convolutions and pools, a 1-D
  ``F.linear`` weight, ``adaptive_avg_pool2d(·, 1)`` of any rank ≥ 2) we give its shape and values;
* the accepted forms: values and gradients against torch (the shared parity driver) and gradient
  checks in float64;
* without torch: our messages name the op and show the shapes.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn.functional as F
from tests.test_autograd_gradcheck import _distinct, _rand
from tinygrad_ru.autograd import gradcheck, gradgradcheck

try:
    import torch
except ImportError:  # the torch-free checks at the end still run
    torch = None

if torch is not None:  # these modules skip themselves where torch is missing
    from tests.test_ops_torch_parity import test_forward_and_backward_match_torch as parity
    from tests.test_tensor_torch_api import _builtin

needs_torch = pytest.mark.skipif(torch is None, reason="needs PyTorch")


def o(fw, *shape):
    """A float32 ramp of ``shape`` in framework ``fw`` (not constant, so that values are compared)."""
    n = int(np.prod(shape))
    return fw.tensor(np.linspace(-1.0, 1.0, n, dtype=np.float32).reshape(shape))


def _fixed(fw, layer):
    """``layer`` with every parameter set to a ramp, the same in both frameworks."""
    layer.load_state_dict({k: o(fw, *v.shape) for k, v in layer.state_dict().items()})
    return layer


def _nn(fw):
    return fw.nn


def _F(fw):
    return fw.nn.functional


# ----------------------------------------------------------------------------- the probe table
# (name, fn(fw)) written once for both frameworks; fn raises, or returns a tensor
PROBE = [
    ("F.conv2d bias shape", lambda fw: _F(fw).conv2d(o(fw, 1, 3, 8, 8), o(fw, 4, 3, 3, 3), o(fw, 3))),
    ("F.conv2d stride0", lambda fw: _F(fw).conv2d(o(fw, 1, 3, 8, 8), o(fw, 4, 3, 3, 3), stride=0)),
    ("F.conv2d pad-1", lambda fw: _F(fw).conv2d(o(fw, 1, 3, 8, 8), o(fw, 4, 3, 3, 3), padding=-1)),
    ("F.conv2d dilation0", lambda fw: _F(fw).conv2d(o(fw, 1, 3, 8, 8), o(fw, 4, 3, 3, 3), dilation=0)),
    ("F.conv2d channels", lambda fw: _F(fw).conv2d(o(fw, 1, 2, 8, 8), o(fw, 4, 3, 3, 3))),
    ("F.conv2d 3d", lambda fw: _F(fw).conv2d(o(fw, 3, 8, 8), o(fw, 4, 3, 3, 3))),
    ("F.conv2d 3d bias stride", lambda fw: _F(fw).conv2d(o(fw, 3, 8, 8), o(fw, 4, 3, 3, 3), o(fw, 4), 2, 1)),
    ("F.conv2d 3d groups", lambda fw: _F(fw).conv2d(o(fw, 4, 8, 8), o(fw, 4, 2, 3, 3), groups=2)),
    ("F.conv2d 3d same", lambda fw: _F(fw).conv2d(o(fw, 3, 8, 8), o(fw, 4, 3, 2, 2), padding="same")),
    ("F.conv2d 3d channels", lambda fw: _F(fw).conv2d(o(fw, 2, 8, 8), o(fw, 4, 3, 3, 3))),
    ("F.conv2d 3d too small", lambda fw: _F(fw).conv2d(o(fw, 3, 2, 2), o(fw, 4, 3, 3, 3))),
    ("F.conv2d 2d", lambda fw: _F(fw).conv2d(o(fw, 8, 8), o(fw, 4, 3, 3, 3))),
    ("F.conv2d 5d", lambda fw: _F(fw).conv2d(o(fw, 1, 1, 3, 8, 8), o(fw, 4, 3, 3, 3))),
    ("F.conv2d weight rank", lambda fw: _F(fw).conv2d(o(fw, 1, 3, 8, 8), o(fw, 4, 3, 3))),
    ("F.max_pool2d 2d", lambda fw: _F(fw).max_pool2d(o(fw, 4, 4), 2)),
    ("F.max_pool2d 1d", lambda fw: _F(fw).max_pool2d(o(fw, 4), 2)),
    ("F.max_pool2d 3d", lambda fw: _F(fw).max_pool2d(o(fw, 1, 4, 4), 2)),
    ("F.max_pool2d 3d pad", lambda fw: _F(fw).max_pool2d(o(fw, 2, 5, 4), 3, 2, 1)),
    ("F.max_pool2d 3d too small", lambda fw: _F(fw).max_pool2d(o(fw, 1, 2, 2), 3)),
    ("F.max_pool2d stride0", lambda fw: _F(fw).max_pool2d(o(fw, 1, 1, 4, 4), 2, stride=0)),
    ("F.max_pool2d pad big", lambda fw: _F(fw).max_pool2d(o(fw, 1, 1, 4, 4), 2, padding=2)),
    ("F.max_pool2d pad-1", lambda fw: _F(fw).max_pool2d(o(fw, 1, 1, 4, 4), 2, padding=-1)),
    ("F.avg_pool2d 5d", lambda fw: _F(fw).avg_pool2d(o(fw, 1, 1, 1, 4, 4), 2)),
    ("F.avg_pool2d 2d", lambda fw: _F(fw).avg_pool2d(o(fw, 4, 4), 2)),
    ("F.avg_pool2d 3d", lambda fw: _F(fw).avg_pool2d(o(fw, 2, 5, 4), 3, 2, 1, count_include_pad=False)),
    ("F.avg_pool2d too small", lambda fw: _F(fw).avg_pool2d(o(fw, 1, 1, 2, 2), 3)),
    ("F.linear weight 1d", lambda fw: _F(fw).linear(o(fw, 2, 3), o(fw, 3))),
    ("F.linear weight 1d input 1d", lambda fw: _F(fw).linear(o(fw, 3), o(fw, 3))),
    ("F.linear weight 1d input 3d", lambda fw: _F(fw).linear(o(fw, 4, 2, 3), o(fw, 3))),
    ("F.linear weight 1d bias", lambda fw: _F(fw).linear(o(fw, 2, 3), o(fw, 3), o(fw, 2))),
    ("F.linear weight 1d bad", lambda fw: _F(fw).linear(o(fw, 2, 4), o(fw, 3))),
    ("F.linear weight 0d", lambda fw: _F(fw).linear(o(fw, 2, 3), fw.tensor(1.0))),
    ("F.linear weight 3d", lambda fw: _F(fw).linear(o(fw, 2, 3), o(fw, 1, 3, 3))),
    ("F.linear bias", lambda fw: _F(fw).linear(o(fw, 2, 3), o(fw, 4, 3), o(fw, 3))),
    ("F.linear in", lambda fw: _F(fw).linear(o(fw, 2, 3), o(fw, 4, 5))),
    ("F.batch_norm 1d", lambda fw: _F(fw).batch_norm(o(fw, 3), o(fw, 3), o(fw, 3), training=True)),
    ("F.batch_norm 1d no stats", lambda fw: _F(fw).batch_norm(o(fw, 3), None, None, training=True)),
    ("F.batch_norm 5d", lambda fw: _F(fw).batch_norm(o(fw, 2, 3, 2, 2, 2), None, None, training=True)),
    ("F.batch_norm channels", lambda fw: _F(fw).batch_norm(o(fw, 2, 3), o(fw, 4), o(fw, 4))),
    ("F.batch_norm weight", lambda fw: _F(fw).batch_norm(o(fw, 2, 3), None, None, o(fw, 4), training=True)),
    ("F.batch_norm one value", lambda fw: _F(fw).batch_norm(o(fw, 1, 3), None, None, training=True)),
    ("F.layer_norm weight", lambda fw: _F(fw).layer_norm(o(fw, 2, 4), (4,), o(fw, 3))),
    ("F.layer_norm shape", lambda fw: _F(fw).layer_norm(o(fw, 2, 4), (5,))),
    ("F.instance_norm 2d", lambda fw: _F(fw).instance_norm(o(fw, 2, 3))),
    ("F.instance_norm 1 spatial", lambda fw: _F(fw).instance_norm(o(fw, 2, 3, 1))),
    ("F.instance_norm 1 spatial, 1 sample", lambda fw: _F(fw).instance_norm(o(fw, 1, 3, 1, 1))),
    ("F.prelu weight", lambda fw: _F(fw).prelu(o(fw, 2, 3), o(fw, 2))),
    ("F.one_hot oob", lambda fw: _F(fw).one_hot(fw.tensor([3]), 3)),
    ("F.one_hot neg", lambda fw: _F(fw).one_hot(fw.tensor([-1]), 3)),
    ("F.adaptive_avg_pool2d 2d", lambda fw: _F(fw).adaptive_avg_pool2d(o(fw, 4, 5), 1)),
    ("F.adaptive_avg_pool2d 5d", lambda fw: _F(fw).adaptive_avg_pool2d(o(fw, 2, 1, 3, 2, 4), 1)),
    ("F.adaptive_avg_pool2d 1d", lambda fw: _F(fw).adaptive_avg_pool2d(o(fw, 4), 1)),
    ("F.adaptive_avg_pool2d 2d size 2", lambda fw: _F(fw).adaptive_avg_pool2d(o(fw, 4, 4), 2)),
    ("F.adaptive_avg_pool2d 2d pair", lambda fw: _F(fw).adaptive_avg_pool2d(o(fw, 4, 4), (1, 1))),
    ("F.adaptive_avg_pool2d 5d pair", lambda fw: _F(fw).adaptive_avg_pool2d(o(fw, 1, 1, 1, 4, 4), (1, 1))),
    ("F.adaptive_max_pool2d 2d", lambda fw: _F(fw).adaptive_max_pool2d(o(fw, 4, 4), 1)),
    ("BatchNorm1d rank 4", lambda fw: _nn(fw).BatchNorm1d(3)(o(fw, 2, 3, 4, 4))),
    ("BatchNorm1d channels", lambda fw: _nn(fw).BatchNorm1d(3)(o(fw, 2, 4))),
    ("BatchNorm1d channels 5", lambda fw: _nn(fw).BatchNorm1d(5)(o(fw, 2, 4))),
    ("BatchNorm2d channels", lambda fw: _nn(fw).BatchNorm2d(3)(o(fw, 2, 4, 2, 2))),
    ("BatchNorm2d rank", lambda fw: _nn(fw).BatchNorm2d(3)(o(fw, 2, 3))),
    ("LayerNorm shape", lambda fw: _nn(fw).LayerNorm((3, 4))(o(fw, 2, 4, 3))),
    ("LayerNorm last", lambda fw: _nn(fw).LayerNorm(5)(o(fw, 2, 4))),
    ("Linear in", lambda fw: _nn(fw).Linear(3, 2)(o(fw, 4, 5))),
    ("Linear 0d", lambda fw: _nn(fw).Linear(3, 2)(fw.tensor(1.0))),
    ("Linear 1d", lambda fw: _fixed(fw, _nn(fw).Linear(3, 2))(o(fw, 3))),
    ("PReLU channels", lambda fw: _nn(fw).PReLU(3)(o(fw, 2, 4))),
    ("Conv2d channels", lambda fw: _nn(fw).Conv2d(3, 4, 3)(o(fw, 1, 2, 8, 8))),
    ("Conv2d 3d", lambda fw: _fixed(fw, _nn(fw).Conv2d(3, 4, 3))(o(fw, 3, 8, 8))),
    ("Conv2d 3d channels", lambda fw: _nn(fw).Conv2d(3, 4, 3)(o(fw, 2, 8, 8))),
    ("Conv2d 2d", lambda fw: _nn(fw).Conv2d(3, 4, 3)(o(fw, 8, 8))),
    ("Conv2d 5d", lambda fw: _nn(fw).Conv2d(3, 4, 3)(o(fw, 1, 1, 3, 8, 8))),
    ("Conv2d too small", lambda fw: _nn(fw).Conv2d(3, 4, 5)(o(fw, 1, 3, 3, 3))),
    ("Conv2d groups ch", lambda fw: _nn(fw).Conv2d(4, 4, 3, groups=2)(o(fw, 1, 3, 8, 8))),
    ("Conv2d reflect 3d",
     lambda fw: _fixed(fw, _nn(fw).Conv2d(3, 4, 3, padding=1, padding_mode="reflect"))(o(fw, 3, 8, 8))),
    ("Conv2d circular groups 3d",
     lambda fw: _fixed(fw, _nn(fw).Conv2d(4, 6, 3, padding=2, padding_mode="circular", groups=2))(o(fw, 4, 5, 6))),
    ("MaxPool2d 5d", lambda fw: _nn(fw).MaxPool2d(2)(o(fw, 1, 1, 1, 4, 4))),
    ("MaxPool2d 2d", lambda fw: _nn(fw).MaxPool2d(2)(o(fw, 4, 4))),
    ("MaxPool2d 3d", lambda fw: _nn(fw).MaxPool2d(2)(o(fw, 2, 4, 5))),
    ("MaxPool2d too small", lambda fw: _nn(fw).MaxPool2d(3)(o(fw, 1, 1, 2, 2))),
    ("AvgPool2d 2d", lambda fw: _nn(fw).AvgPool2d(2)(o(fw, 4, 4))),
    ("AvgPool2d 3d", lambda fw: _nn(fw).AvgPool2d(3, 2, 1)(o(fw, 2, 5, 5))),
    ("AdaptiveAvgPool2d 2d", lambda fw: _nn(fw).AdaptiveAvgPool2d(1)(o(fw, 4, 4))),
    ("AdaptiveAvgPool2d 5d", lambda fw: _nn(fw).AdaptiveAvgPool2d(1)(o(fw, 1, 1, 1, 2, 2))),
    ("AdaptiveAvgPool2d 3d", lambda fw: _nn(fw).AdaptiveAvgPool2d((2, None))(o(fw, 2, 5, 3))),
    ("AdaptiveMaxPool2d 5d", lambda fw: _nn(fw).AdaptiveMaxPool2d(1)(o(fw, 1, 1, 1, 4, 4))),
    ("Embedding oob", lambda fw: _nn(fw).Embedding(3, 2)(fw.tensor([3]))),
    ("Embedding float", lambda fw: _nn(fw).Embedding(3, 2)(o(fw, 2))),
    ("Conv1d channels", lambda fw: _nn(fw).Conv1d(3, 4, 3)(o(fw, 1, 2, 8))),
    ("Dropout p", lambda fw: _nn(fw).Dropout(1.5)),
    ("Flatten", lambda fw: _nn(fw).Flatten(2)(o(fw, 2, 3))),
    ("Sequential index", lambda fw: _nn(fw).Sequential(_nn(fw).ReLU())[3]),
    ("load_state_dict missing", lambda fw: _nn(fw).Linear(2, 2).load_state_dict({})),
    ("load_state_dict shape",
     lambda fw: _nn(fw).Linear(2, 2).load_state_dict({"weight": o(fw, 3, 2), "bias": o(fw, 2)})),
    ("F.pad odd", lambda fw: _F(fw).pad(o(fw, 2, 2), (1,))),
    ("F.softmax dim", lambda fw: _F(fw).softmax(o(fw, 2, 2), dim=3)),
    ("bmm", lambda fw: fw.bmm(o(fw, 2, 3, 4), o(fw, 2, 5, 4))),
    ("SGD lr", lambda fw: fw.optim.SGD(_nn(fw).Linear(2, 2).parameters(), lr=-1)),
    ("Adam betas", lambda fw: fw.optim.Adam(_nn(fw).Linear(2, 2).parameters(), betas=(1.5, 0.9))),
    ("SGD empty", lambda fw: fw.optim.SGD([], lr=0.1)),
    ("StepLR step_size", lambda fw: fw.optim.lr_scheduler.StepLR(
        fw.optim.SGD(_nn(fw).Linear(2, 2).parameters(), lr=0.1), step_size=0)),
]


def _outcome(fw, fn):
    """The tensor fn(fw) returns, or the built-in class of what it raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(fw)
        except Exception as e:  # noqa: BLE001 - any exception is an outcome to compare
            return _builtin(e)


@needs_torch
@pytest.mark.parametrize("name,fn", PROBE, ids=[c[0] for c in PROBE])
def test_probe_case_as_torch(name, fn):
    theirs, ours = _outcome(torch, fn), _outcome(tg, fn)
    if isinstance(theirs, type):
        assert ours is theirs, f"{name}: torch raises {theirs.__name__}, we give {ours!r}"
        return
    assert not isinstance(ours, type), f"{name}: torch accepts it, we raise {ours.__name__}"
    if not torch.is_tensor(theirs):  # a layer or an optimizer made
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- the accepted forms
# (name, fn(fw, *xs) written once for both frameworks, input shapes, distinct values (pools: no ties))
ACCEPTED = [
    ("conv2d_unbatched", lambda fw, x, w, b: _F(fw).conv2d(x, w, b, stride=2, padding=1),
     [(3, 7, 6), (4, 3, 3, 3), (4,)], False),
    ("conv2d_unbatched_dilation", lambda fw, x, w: _F(fw).conv2d(x, w, dilation=2), [(2, 7, 7), (3, 2, 2, 3)], False),
    ("conv2d_unbatched_groups", lambda fw, x, w, b: _F(fw).conv2d(x, w, b, groups=2),
     [(4, 6, 5), (6, 2, 3, 3), (6,)], False),
    ("conv2d_unbatched_same", lambda fw, x, w: _F(fw).conv2d(x, w, padding="same"), [(3, 6, 5), (2, 3, 2, 2)], False),
    ("conv_transpose2d_unbatched", lambda fw, x, w, b: _F(fw).conv_transpose2d(x, w, b, stride=2, padding=1),
     [(3, 4, 5), (3, 2, 3, 3), (2,)], False),
    ("max_pool2d_unbatched", lambda fw, x: _F(fw).max_pool2d(x, 3, 2, 1), [(2, 7, 6)], True),
    ("max_pool2d_unbatched_tiled", lambda fw, x: _F(fw).max_pool2d(x, 2), [(3, 4, 6)], True),
    ("avg_pool2d_unbatched", lambda fw, x: _F(fw).avg_pool2d(x, 3, 2, 1, count_include_pad=False), [(2, 7, 6)],
     False),
    ("avg_pool2d_unbatched_tiled", lambda fw, x: _F(fw).avg_pool2d(x, (2, 3)), [(3, 4, 6)], False),
    ("adaptive_avg_pool2d_1_of_2d", lambda fw, x: _F(fw).adaptive_avg_pool2d(x, 1), [(4, 5)], False),
    ("adaptive_avg_pool2d_1_of_5d", lambda fw, x: _F(fw).adaptive_avg_pool2d(x, 1), [(2, 1, 3, 2, 4)], False),
    ("linear_weight_1d", lambda fw, x, w: _F(fw).linear(x, w), [(4, 3), (3,)], False),
    ("linear_weight_1d_input_1d", lambda fw, x, w: _F(fw).linear(x, w), [(3,), (3,)], False),
    ("linear_weight_1d_input_3d", lambda fw, x, w: _F(fw).linear(x, w), [(2, 4, 3), (3,)], False),
    ("batch_norm_5d", lambda fw, x, w, b: _F(fw).batch_norm(x, None, None, w, b, training=True),
     [(2, 3, 2, 2, 3), (3,), (3,)], False),
]


def _inputs(shapes, distinct):
    return [(_distinct if distinct else _rand)(*s, seed=i) for i, s in enumerate(shapes)]


@needs_torch
@pytest.mark.parametrize("name,fn,shapes,distinct", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_accepted_forms_match_torch(name, fn, shapes, distinct):
    parity(name, lambda *xs: fn(tg, *xs), lambda *xs: fn(torch, *xs), shapes, False)


@pytest.mark.parametrize("name,fn,shapes,distinct", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_accepted_forms_gradcheck(name, fn, shapes, distinct):
    assert gradcheck(lambda *xs: fn(tg, *xs), _inputs(shapes, distinct))


def test_unbatched_conv2d_second_derivatives():
    x, w, b = _rand(3, 6, 5), _rand(4, 3, 3, 3, seed=1), _rand(4, seed=2)
    assert gradgradcheck(lambda x, w, b: tg.nn.functional.conv2d(x, w, b, padding=1) ** 2, [x, w, b])


# the layers on unbatched input: (name, make(fw) → a layer, input shape, distinct input values)
LAYERS = [
    ("Conv2d", lambda fw: _nn(fw).Conv2d(3, 4, 3, stride=2, padding=1), (3, 7, 6), False),
    ("Conv2d_reflect", lambda fw: _nn(fw).Conv2d(3, 4, 3, padding=1, padding_mode="reflect"), (3, 6, 5), False),
    ("Conv2d_replicate", lambda fw: _nn(fw).Conv2d(3, 2, (2, 3), padding=(1, 2), padding_mode="replicate"),
     (3, 5, 5), False),
    ("Conv2d_circular_groups", lambda fw: _nn(fw).Conv2d(4, 6, 3, padding=2, padding_mode="circular", groups=2),
     (4, 5, 6), False),
    ("Conv2d_same_groups", lambda fw: _nn(fw).Conv2d(4, 4, 4, padding="same", groups=4, bias=False), (4, 6, 6), False),
    ("MaxPool2d", lambda fw: _nn(fw).MaxPool2d(3, 2, 1), (2, 7, 6), True),
    ("AvgPool2d", lambda fw: _nn(fw).AvgPool2d(2), (2, 5, 6), False),
    ("AdaptiveAvgPool2d_2d", lambda fw: _nn(fw).AdaptiveAvgPool2d(1), (5, 4), False),
    ("AdaptiveAvgPool2d_3d", lambda fw: _nn(fw).AdaptiveAvgPool2d((2, 3)), (2, 5, 7), False),
]


def _state_of(layer):
    """torch ``layer``'s state_dict as our tensors (so that both layers start from torch's init)."""
    return {k: tg.tensor(v.detach().numpy()) for k, v in layer.state_dict().items()}


@needs_torch
@pytest.mark.parametrize("name,make,shape,distinct", LAYERS, ids=[c[0] for c in LAYERS])
def test_layers_on_unbatched_input_match_torch(name, make, shape, distinct):
    theirs = make(torch).double()
    ours = make(tg).double()
    ours.load_state_dict(_state_of(theirs))
    parity(name, ours, theirs, [shape], False)
    for (k, p), (_, pt) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), pt.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("name,make,shape,distinct", LAYERS, ids=[c[0] for c in LAYERS])
def test_layers_on_unbatched_input_gradcheck(name, make, shape, distinct):
    layer = make(tg).double()
    assert gradcheck(layer, _inputs([shape], distinct))
    if len(shape) == 3:  # the same as a batch of one
        x = _inputs([shape], distinct)[0]
        np.testing.assert_allclose(layer(x).detach().numpy(), layer(x.unsqueeze(0))[0].detach().numpy(), rtol=1e-12,
                                   atol=1e-12)


# ----------------------------------------------------------------------------- our messages (no torch needed)
MESSAGES = [
    (lambda: F.conv2d(tg.ones(1, 2, 8, 8), tg.ones(4, 3, 3, 3)), RuntimeError,
     r"conv2d: input has 2 channels \(shape \(1, 2, 8, 8\)\) but the weight expects 3 \(weight shape \(4, 3, 3, 3\)\)"),
    (lambda: F.conv2d(tg.ones(8, 8), tg.ones(4, 3, 3, 3)), RuntimeError,
     r"conv2d: expected a 3-D \(unbatched: C, H, W\) or 4-D \(batched: N, C, H, W\) input, got shape \(8, 8\)"),
    (lambda: tg.nn.Conv2d(3, 4, 3)(tg.ones(2, 8, 8)), RuntimeError,
     r"Conv2d: expected input with 3 channels .* got shape \(2, 8, 8\)"),
    (lambda: F.max_pool2d(tg.ones(4, 4), 2), RuntimeError, r"max_pool2d: expected a 3-D .* got shape \(4, 4\)"),
    (lambda: tg.nn.AvgPool2d(2)(tg.ones(4, 4)), IndexError, r"avg_pool2d: expected a 3-D .* got shape \(4, 4\)"),
    (lambda: F.max_pool2d(tg.ones(1, 2, 2), 3), RuntimeError,
     r"max_pool2d: kernel_size \(3, 3\) is larger than the padded input \(2, 2\) \(input shape \(1, 1, 2, 2\)\)"),
    (lambda: F.linear(tg.ones(2, 3), tg.ones(4, 5)), RuntimeError,
     r"linear: input of shape \(2, 3\) has 3 features but the weight of shape \(4, 5\) expects 5"),
    (lambda: F.linear(tg.ones(2, 3), tg.ones(3), tg.ones(1)), RuntimeError,
     r"linear: weight must be 2-D .*without bias.* got shape \(3,\)"),
    (lambda: F.batch_norm(tg.ones(2, 3), tg.ones(4), tg.ones(4)), RuntimeError,
     r"batch_norm: running_mean must have shape \(3,\) for an input of shape \(2, 3\), got \(4,\)"),
    (lambda: tg.nn.BatchNorm2d(3)(tg.ones(2, 4, 2, 2)), RuntimeError,
     r"BatchNorm2d: expected 3 features/channels on dim 1, got shape \(2, 4, 2, 2\)"),
    (lambda: F.layer_norm(tg.ones(2, 4), (4,), tg.ones(3)), RuntimeError,
     r"layer_norm: weight must have shape \(4,\), got \(3,\)"),
    (lambda: F.instance_norm(tg.ones(2, 3, 1)), ValueError,
     r"instance_norm: Expected more than 1 spatial element when training, got input size \(2, 3, 1\)"),
    (lambda: F.prelu(tg.ones(2, 3), tg.ones(2)), RuntimeError,
     r"prelu: weight of shape \(2,\) needs one slope per channel of the input of shape \(2, 3\)"),
    (lambda: F.one_hot(tg.tensor([3]), 3), RuntimeError,
     r"one_hot: labels must lie in 0..2 \(num_classes=3\), got labels from 3 to 3"),
    (lambda: F.adaptive_avg_pool2d(tg.ones(4), 1), IndexError,
     r"adaptive_avg_pool2d: output_size 1 averages the last two dimensions, but the input of shape \(4,\) has 1"),
]


@pytest.mark.parametrize("fn,error,message", MESSAGES, ids=[m[2].split(":")[0] + f"-{i}" for i, m in
                                                             enumerate(MESSAGES)])
def test_messages_name_the_op_and_shapes(fn, error, message):
    with pytest.raises(error, match=message):
        fn()
