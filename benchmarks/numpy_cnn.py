"""The reference: the lecture CIFAR net written by hand in NumPy (im2col, manual backward, SGD).

conv 6@5×5 (pad 2) → ReLU → max-pool 2×2 → conv 16@5×5 (pad 2) → ReLU → FC 4096 → 1000 → ReLU
→ FC 1000 → 10 → LogSoftmax, NLL loss.  Channels-last (N, H, W, C) inside, im2col columns in
(kh, kw, C) order through a strided view and one GEMM per convolution; col2im accumulates the
kh·kw kernel taps with strided slices.  The first convolution computes no input gradient.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy_mlp import log_softmax_nll


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape).astype(np.float32)


class _Conv:
    """y = im2col(x) · W + b on NHWC arrays; W is (kh·kw·C, F)."""

    def __init__(self, rng: np.random.Generator, c_in: int, c_out: int, k: int, pad: int) -> None:
        fan_in = c_in * k * k
        self.w = _uniform(rng, (k * k * c_in, c_out), fan_in)
        self.b = _uniform(rng, (c_out,), fan_in)
        self.k, self.pad = k, pad

    def forward(self, x: np.ndarray) -> np.ndarray:
        n, h, w, c = x.shape
        k, p = self.k, self.pad
        xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0))) if p else x
        ho, wo = h + 2 * p - k + 1, w + 2 * p - k + 1
        win = sliding_window_view(xp, (k, k), axis=(1, 2))  # (n, ho, wo, c, k, k), a view
        cols = win.transpose(0, 1, 2, 4, 5, 3).reshape(n * ho * wo, k * k * c)  # the one copy
        self.cache = (cols, xp.shape, ho, wo, c)
        out = cols @ self.w
        out += self.b
        return out.reshape(n, ho, wo, -1)

    def backward(self, dout: np.ndarray, need_dx: bool) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        cols, xp_shape, ho, wo, c = self.cache
        d2 = dout.reshape(-1, dout.shape[-1])
        dw = cols.T @ d2
        db = d2.sum(axis=0)
        if not need_dx:
            return None, dw, db
        k, p = self.k, self.pad
        dcols = (d2 @ self.w.T).reshape(dout.shape[0], ho, wo, k, k, c)
        dxp = np.zeros(xp_shape, dtype=dout.dtype)
        for i in range(k):
            for j in range(k):
                dxp[:, i:i + ho, j:j + wo, :] += dcols[:, :, :, i, j, :]
        dx = dxp[:, p:xp_shape[1] - p, p:xp_shape[2] - p, :] if p else dxp
        return dx, dw, db


class NumpyCifarNet:
    """Hand-written lecture CIFAR net with plain SGD, float32 throughout."""

    def __init__(self, in_channels: int = 3, image_size: int = 32, num_classes: int = 10, lr: float = 0.01,
                 seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.conv1 = _Conv(rng, in_channels, 6, 5, 2)
        self.conv2 = _Conv(rng, 6, 16, 5, 2)
        side = image_size // 2
        fc_in = 16 * side * side
        self.w3 = _uniform(rng, (fc_in, 1000), fc_in)
        self.b3 = _uniform(rng, (1000,), fc_in)
        self.w4 = _uniform(rng, (1000, num_classes), 1000)
        self.b4 = _uniform(rng, (num_classes,), 1000)
        self.lr = lr

    def train_step(self, x_nchw: np.ndarray, y: np.ndarray) -> float:
        n = x_nchw.shape[0]
        x = np.ascontiguousarray(x_nchw.transpose(0, 2, 3, 1))
        a1 = self.conv1.forward(x)
        np.maximum(a1, 0, out=a1)
        _, h, w, c = a1.shape
        blocks = a1.reshape(n, h // 2, 2, w // 2, 2, c)
        p1 = blocks.max(axis=(2, 4))
        a2 = self.conv2.forward(p1)
        np.maximum(a2, 0, out=a2)
        f = a2.reshape(n, -1)
        h3 = f @ self.w3
        h3 += self.b3
        np.maximum(h3, 0, out=h3)
        z = h3 @ self.w4
        z += self.b4
        loss, e = log_softmax_nll(z, y)
        gw4 = h3.T @ e
        gb4 = e.sum(axis=0)
        dh3 = e @ self.w4.T
        dh3 *= h3 > 0
        gw3 = f.T @ dh3
        gb3 = dh3.sum(axis=0)
        df = dh3 @ self.w3.T
        da2 = df.reshape(a2.shape)
        da2 *= a2 > 0
        dp1, gw2, gb2 = self.conv2.backward(da2, need_dx=True)
        # max-pool backward: the gradient goes to the position(s) holding the max
        mask = blocks == p1[:, :, None, :, None, :]
        da1 = (mask * dp1[:, :, None, :, None, :]).reshape(a1.shape)
        da1 *= a1 > 0
        _, gw1, gb1 = self.conv1.backward(da1, need_dx=False)
        for p, g in ((self.w4, gw4), (self.b4, gb4), (self.w3, gw3), (self.b3, gb3), (self.conv2.w, gw2),
                     (self.conv2.b, gb2), (self.conv1.w, gw1), (self.conv1.b, gb1)):
            g *= self.lr
            p -= g
        return loss
