"""The reference: the lecture MLP written by hand in NumPy (manual backward, in-place updates).

784 → 128 → ReLU → 64 → ReLU → 10 → LogSoftmax, NLL loss averaged over the batch.  This is the
code a careful student writes without a framework; the framework's goal is to stay close to it.

Forward, for a batch X (B×784) and labels y:
    h₁ = relu(X W₁ᵀ + b₁),  h₂ = relu(h₁ W₂ᵀ + b₂),  z = h₂ W₃ᵀ + b₃,
    log p = z − logsumexp(z),  L = −(1/B) Σᵢ log p[i, yᵢ]
Backward:
    ∂L/∂z = (softmax(z) − onehot(y)) / B,  ∂L/∂W₃ = (∂L/∂z)ᵀ h₂,  ∂L/∂b₃ = Σᵢ ∂L/∂z,
    ∂L/∂h₂ = ∂L/∂z W₃ ⊙ [h₂ > 0],  … and so on down to W₁ (no gradient for X).
"""

from __future__ import annotations

import numpy as np


def _linear_init(rng: np.random.Generator, fan_out: int, fan_in: int) -> tuple[np.ndarray, np.ndarray]:
    bound = 1.0 / np.sqrt(fan_in)  # PyTorch's nn.Linear default (kaiming_uniform with a=√5)
    w = rng.uniform(-bound, bound, size=(fan_out, fan_in)).astype(np.float32)
    b = rng.uniform(-bound, bound, size=fan_out).astype(np.float32)
    return w, b


def log_softmax_nll(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean NLL of log-softmax(z) at labels y, and its gradient (softmax − onehot)/n, computed fused
    and in place in ``z`` (as a careful hand-written loop does)."""
    n = z.shape[0]
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.log(s).mean() - z[rows, y].mean())
    e /= s
    e[rows, y] -= 1.0
    e *= 1.0 / n
    return loss, e


class NumpyMLP:
    """Hand-written MLP with SGD or Adam (PyTorch's defaults and formulas), float32 throughout."""

    def __init__(self, sizes: tuple[int, ...] = (784, 128, 64, 10), optimizer: str = "sgd", lr: float = 0.01,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.params: list[np.ndarray] = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            self.params.extend(_linear_init(rng, fan_out, fan_in))
        self.grads = [np.empty_like(p) for p in self.params]
        self.optimizer, self.lr, self.betas, self.eps = optimizer, lr, betas, eps
        if optimizer == "adam":
            self.m = [np.zeros_like(p) for p in self.params]
            self.v = [np.zeros_like(p) for p in self.params]
            self.tmp = [np.empty_like(p) for p in self.params]
            self.t = 0
        elif optimizer != "sgd":
            raise ValueError(f"NumpyMLP: optimizer must be 'sgd' or 'adam', got {optimizer!r}")

    def train_step(self, x: np.ndarray, y: np.ndarray) -> float:
        w1, b1, w2, b2, w3, b3 = self.params
        gw1, gb1, gw2, gb2, gw3, gb3 = self.grads
        # forward
        h1 = x @ w1.T
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ w2.T
        h2 += b2
        np.maximum(h2, 0, out=h2)
        z = h2 @ w3.T
        z += b3
        loss, e = log_softmax_nll(z, y)
        np.matmul(e.T, h2, out=gw3)
        np.sum(e, axis=0, out=gb3)
        dh2 = e @ w3
        dh2 *= h2 > 0
        np.matmul(dh2.T, h1, out=gw2)
        np.sum(dh2, axis=0, out=gb2)
        dh1 = dh2 @ w2
        dh1 *= h1 > 0
        np.matmul(dh1.T, x, out=gw1)
        np.sum(dh1, axis=0, out=gb1)
        self._update()
        return loss

    def _update(self) -> None:
        if self.optimizer == "sgd":
            for p, g in zip(self.params, self.grads):
                g *= self.lr
                p -= g
            return
        b1, b2 = self.betas
        self.t += 1
        bc1 = 1.0 - b1**self.t
        bc2 = 1.0 - b2**self.t
        step = self.lr / bc1
        inv_sqrt_bc2 = 1.0 / np.sqrt(bc2)
        for p, g, m, v, tmp in zip(self.params, self.grads, self.m, self.v, self.tmp):
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp *= inv_sqrt_bc2
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= step
            p -= tmp
