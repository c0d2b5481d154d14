"""Version counters: in-place changes of what a backward needs raise PyTorch's error instead of
giving silently wrong gradients; in-place changes nothing needs stay allowed; ``.data`` is the escape."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_ru as tg

MESSAGE = "one of the variables needed for gradient computation has been modified by an inplace operation"


def _case_add_assign_saved(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    a = lib.tensor([3.0, 4.0])
    y = (w * a).sum()
    a += 10
    return y, [w]


def _case_setitem_saved(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    a = lib.tensor([3.0, 4.0])
    y = (w * a).sum()
    a[0] = 100.0
    return y, [w]


def _case_no_grad_update_of_saved_param(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    with lib.no_grad():
        w -= 1
    return y, [w]


def _case_zero_of_saved(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    a = lib.tensor([3.0, 4.0])
    y = (w * a).sum()
    a.zero_()
    return y, [w]


def _case_saved_output(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    y = w.exp()
    with lib.no_grad():
        y.zero_()
    return y.sum(), [w]


def _case_inplace_on_unsaved_input(lib):  # Add reads no input value: allowed
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    a = lib.tensor([3.0, 4.0])
    y = (w + a).sum()
    a += 10
    return y, [w]


def _case_mul_partner_not_needed(lib):  # w·a saves a (for ∂/∂w), not w's partner's partner
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    a = lib.tensor([3.0, 4.0])
    y = (w * 2.0 + a).sum()
    a *= 3
    return y, [w]


def _case_param_update_after_backward_needs(lib):  # the update comes after backward: fine
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with lib.no_grad():
        w -= 0.1 * w.grad
    y = (w * w).sum()
    return y, [w]


CASES = {
    "a += 10 on a saved tensor": (_case_add_assign_saved, True),
    "a[0] = 100 on a saved tensor": (_case_setitem_saved, True),
    "w -= 1 under no_grad": (_case_no_grad_update_of_saved_param, True),
    "zero_ of a saved tensor": (_case_zero_of_saved, True),
    "zero_ of a saved output": (_case_saved_output, True),
    "in-place on an input Add does not read": (_case_inplace_on_unsaved_input, False),
    "in-place on a tensor no backward reads": (_case_mul_partner_not_needed, False),
    "update after backward": (_case_param_update_after_backward_needs, False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_inplace_cases(name):
    case, raises = CASES[name]
    y, leaves = case(tg)
    if raises:
        with pytest.raises(RuntimeError, match=MESSAGE):
            y.backward()
    else:
        y.backward()
        assert all(w.grad is not None for w in leaves)


@pytest.mark.parametrize("name", list(CASES))
def test_inplace_cases_as_torch(name):
    torch = pytest.importorskip("torch")
    case, raises = CASES[name]
    y, leaves = case(torch)
    if raises:
        with pytest.raises(RuntimeError, match=MESSAGE):
            y.backward()
    else:
        y.backward()
        ours, our_leaves = case(tg)
        ours.backward()
        for t, o in zip(leaves, our_leaves):
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy())


def test_error_names_the_op_the_shape_and_the_versions():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    a = tg.tensor([3.0, 4.0])
    y = (w * a).sum()
    a += 1
    a += 1
    with pytest.raises(RuntimeError) as e:
        y.backward()
    text = str(e.value)
    assert "MulBackward" in text and "shape (2,)" in text
    assert "is at version 2; expected version 0 instead" in text


def test_versions_count_like_torch():
    torch = pytest.importorskip("torch")
    for lib in (tg, torch):
        a = lib.tensor([1.0, 2.0, 3.0])
        a += 1
        a *= 2
        a[0] = 5.0
        a.zero_()
        assert a._version == 4, lib.__name__


def test_data_is_the_escape_hatch():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    w.data -= 1  # raw array: no version bump (as torch's .data)
    assert w._version == 0
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), [0.0, 2.0])  # computed with the changed values


def test_optimizer_step_bumps_the_parameters_it_updated():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    frozen = tg.tensor([5.0], requires_grad=True)
    opt = tg.optim.SGD([w, frozen], lr=0.1)
    (w * w).sum().backward()
    y = (w * w).sum() + (frozen * frozen).sum()  # a graph that saved w
    opt.step()
    assert w._version == 1 and frozen._version == 0  # frozen had no gradient: not updated
    with pytest.raises(RuntimeError, match=MESSAGE):
        y.backward()


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adagrad", "SGD"])
def test_every_optimizer_bumps(name):
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    opt = getattr(tg.optim, name)([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    assert w._version == 1


def test_closure_optimizers_bump_too():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    opt = tg.optim.LBFGS([w], lr=0.5, max_iter=3)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert w._version >= 1


def test_zero_grad_without_none_and_zero_on_a_0d_tensor():
    w = tg.tensor(3.0, requires_grad=True)
    (w * w).backward()
    opt = tg.optim.SGD([w], lr=0.1)
    opt.zero_grad(set_to_none=False)
    assert w.grad.item() == 0.0
    s = tg.tensor([1.0, 2.0]).sum()  # a 0-d result
    s.zero_()
    assert s.item() == 0.0 and s._version == 1
