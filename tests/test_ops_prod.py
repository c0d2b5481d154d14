"""prod: forward, gradient by central differences (zeros included) and against torch."""

import numpy as np
import pytest

import tinygrad_ru as tg


@pytest.mark.parametrize("reduce", [
    lambda x: x.prod(),
    lambda x: x.prod(1),
    lambda x: x.prod(0, keepdim=True),
    lambda x: x.prod(-1) * 2.0,
])
@pytest.mark.parametrize("values", [
    [[1.5, -2.0, 0.5], [3.0, 0.25, -1.0]],
    [[1.0, 2.0, 0.0], [3.0, 0.0, 5.0]],  # zeros: the gradient is the product of the others, not y/x
])
def test_prod_gradcheck(reduce, values):
    x = tg.Tensor(np.array(values), dtype=tg.float64, requires_grad=True)
    assert tg.gradcheck(reduce, [x])


def test_prod_forward_and_torch_parity():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, 2.0, 0.0], [3.0, 4.0, 5.0]])
    x = tg.Tensor(a, dtype=tg.float64, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    np.testing.assert_allclose(x.prod(1).detach().numpy(), t.prod(1).detach().numpy())
    x.prod(1).sum().backward()
    t.prod(1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
