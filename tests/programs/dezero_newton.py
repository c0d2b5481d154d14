# DeZero (github.com/oreilly-japan/deep-learning-from-scratch-3, MIT License), steps 33 and 36:
# Newton's method with the second derivative from double backprop, and a gradient used inside a
# new function.  Ported to tinygrad_ru: only the import block differs (marked "# ported"); DeZero's
# Variable is a Tensor that requires grad, and its cleargrad() is PyTorch's ``grad = None``.
import numpy as np
import tinygrad_ru as tg  # ported: from dezero import Variable


class Variable(tg.Tensor):  # ported:
    def __init__(self, data):  # ported:
        super().__init__(data, requires_grad=True, dtype=tg.float64)  # ported:

    def cleargrad(self):  # ported:
        self.grad = None  # ported:


# step 33: Newton's method, f''(x) by backprop of the gradient
def f(x):
    y = x ** 4 - 2 * x ** 2
    return y

x = Variable(np.array(2.0))
iters = 10

for i in range(iters):
    print(i, x)

    y = f(x)
    x.cleargrad()
    y.backward(create_graph=True)

    gx = x.grad
    x.cleargrad()
    gx.backward()
    gx2 = x.grad

    x.data -= gx.data / gx2.data

# step 36: the gradient as part of a new function, z = (dy/dx)^3 + y, dz/dx
x2 = Variable(np.array(2.0))
y2 = x2 ** 2
y2.backward(create_graph=True)
gx = x2.grad
x2.cleargrad()

z = gx ** 3 + y2
z.backward()
print(x2.grad)
