"""Time the layers and options of issue 11 against PyTorch (CPU), forward + backward.

    python benchmarks/layer_options.py             # 1 thread per framework, 7 rounds
    python benchmarks/layer_options.py --rounds 3

Grouped and depthwise Conv2d are compositions (split → one conv per group → cat) over the single
convolution kernel, padding_mode="reflect" a gather along each padded axis, adaptive pooling two
small matrix products (average) or a window gather (max), Embedding a row gather with a
scatter-add backward.  Each round runs ours then torch on the same data with one BLAS/torch
thread; a time is the median of the rounds' CPU times (``time.thread_time``: load from other
processes barely moves it), a ratio the median of the per-round ratios.  No test asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import tinygrad_ru as tg  # noqa: E402
import tinygrad_ru.nn as nn  # noqa: E402


def _cases(torch):
    """(name, our module, torch's module, input shape, integer input?)"""
    tnn = torch.nn
    return [
        ("Conv2d 32→32 3×3, groups=1 (reference)", nn.Conv2d(32, 32, 3, padding=1),
         tnn.Conv2d(32, 32, 3, padding=1), (32, 32, 16, 16), False),
        ("Conv2d 32→64 3×3, groups=2", nn.Conv2d(32, 64, 3, padding=1, groups=2),
         tnn.Conv2d(32, 64, 3, padding=1, groups=2), (32, 32, 16, 16), False),
        ("Conv2d 32→32 3×3, depthwise", nn.Conv2d(32, 32, 3, padding=1, groups=32),
         tnn.Conv2d(32, 32, 3, padding=1, groups=32), (32, 32, 16, 16), False),
        ("Conv2d 32→32 4×4, padding='same'", nn.Conv2d(32, 32, 4, padding="same"),
         tnn.Conv2d(32, 32, 4, padding="same"), (32, 32, 16, 16), False),
        ("Conv2d 32→32 3×3, padding_mode='reflect'", nn.Conv2d(32, 32, 3, padding=1, padding_mode="reflect"),
         tnn.Conv2d(32, 32, 3, padding=1, padding_mode="reflect"), (32, 32, 16, 16), False),
        ("AdaptiveAvgPool2d 15×15 → 4×4", nn.AdaptiveAvgPool2d(4), tnn.AdaptiveAvgPool2d(4),
         (32, 64, 15, 15), False),
        ("AdaptiveMaxPool2d 15×15 → 4×4", nn.AdaptiveMaxPool2d(4), tnn.AdaptiveMaxPool2d(4),
         (32, 64, 15, 15), False),
        ("Embedding 10000×64, 64×50 indices", nn.Embedding(10000, 64, padding_idx=0),
         tnn.Embedding(10000, 64, padding_idx=0), (64, 50), True),
    ]


def _step(module, x):
    """Forward, a scalar loss, backward; returns nothing (the work is the point)."""
    y = module(x)
    (y * y).sum().backward()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("layer_options.py compares with PyTorch: pip install torch")
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, torch {torch.__version__}, 1 thread, {args.rounds} rounds, CPU time per step")
    print(f"{'case':44s} {'ours ms':>9s} {'torch ms':>9s} {'ours/torch':>11s}")
    with threadpool_limits(1):
        for name, ours, theirs, shape, ints in _cases(torch):
            with torch.no_grad():  # the same weights in both
                for pname, p in theirs.named_parameters():
                    p.copy_(torch.tensor(getattr(ours, pname).detach().numpy()))
            data = rng.integers(0, 10000, size=shape) if ints else rng.standard_normal(shape).astype(np.float32)
            t_ours, t_torch, ratios = [], [], []
            for _ in range(args.rounds + 1):  # the first round warms up
                x = tg.tensor(data) if ints else tg.Tensor(data, requires_grad=True)
                start = time.thread_time()
                _step(ours, x)
                a = time.thread_time() - start
                xt = torch.tensor(data) if ints else torch.tensor(data, requires_grad=True)
                start = time.thread_time()
                _step(theirs, xt)
                b = time.thread_time() - start
                t_ours.append(a)
                t_torch.append(b)
                ratios.append(a / max(b, 1e-9))
            t_ours, t_torch, ratios = t_ours[1:], t_torch[1:], ratios[1:]
            print(f"{name:44s} {1e3 * statistics.median(t_ours):9.2f} {1e3 * statistics.median(t_torch):9.2f} "
                  f"{statistics.median(ratios):11.2f}")


if __name__ == "__main__":
    main()
