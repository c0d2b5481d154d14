"""The graph frees itself: Function nodes die after backward without the cycle collector, and
a training loop keeps memory flat."""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np

import tinygrad_ru as tg
from tinygrad_ru import Tensor
from tinygrad_ru.autograd.function import SMALL_VALUES, FreedTensor


def _collect_functions(root: Tensor) -> list:
    """Weak references to every Function node reachable from ``root``."""
    refs, stack, seen = [], [root.grad_fn], set()
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        refs.append(weakref.ref(fn))
        stack.extend(x.grad_fn for x in getattr(fn, "inputs", ()))
    return refs


def _small_graph(x: Tensor, w: Tensor) -> Tensor:
    h = (x @ w).relu()
    return (h * h + h).logsumexp(1).mean()


def test_after_backward_only_the_skeleton_stays_and_dies_with_the_output_without_gc():
    gc.disable()
    try:
        x = tg.randn(4, 30)
        w = tg.randn(30, 50, requires_grad=True)
        loss = _small_graph(x, w)
        refs = _collect_functions(loss)
        assert len(refs) >= 6
        big = weakref.ref(loss.grad_fn.inputs[0].grad_fn.inputs[0])  # an intermediate of 4×50 values
        loss.backward()
        # the nodes stay while `loss` lives (so the graph can be drawn), released: what forward saved
        # is gone, big intermediates are freed (stand-ins of their shape), parameters and small values stay
        assert all(r() is not None and r().released for r in refs)
        assert big() is None
        for r in refs:
            for t in r().inputs:
                assert t is w or t.numel() <= SMALL_VALUES or isinstance(t, FreedTensor)
                assert t.data.size <= SMALL_VALUES or t is w or t.data.strides == (0,) * t.ndim
        del loss, t
        assert all(r() is None for r in refs)
        assert w.grad is not None
    finally:
        gc.enable()


def test_graph_without_backward_dies_with_its_output_no_cycles():
    gc.disable()
    try:
        x = tg.randn(4, 3, requires_grad=True)
        loss = _small_graph(x, tg.randn(3, 5))
        refs = _collect_functions(loss)
        intermediate = weakref.ref(loss.grad_fn.inputs[0])
        del loss
        assert intermediate() is None
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


def test_retained_graph_is_kept_then_freed():
    gc.disable()
    try:
        w = tg.randn(3, 5, requires_grad=True)
        loss = _small_graph(tg.randn(4, 3), w)
        refs = _collect_functions(loss)
        loss.backward(retain_graph=True)
        assert all(r() is not None for r in refs)
        loss.backward()
        del loss
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


def test_gc_finds_no_garbage_cycles_from_a_training_step():
    gc.collect()
    gc.disable()
    try:
        w = tg.randn(3, 5, requires_grad=True)
        for _ in range(5):
            _small_graph(tg.randn(4, 3), w).backward()
        assert gc.collect() == 0
    finally:
        gc.enable()


def _mlp_memory(iterations: int, checkpoints: tuple[int, ...]) -> dict[int, int]:
    tg.manual_seed(0)
    x = tg.randn(16, 8)
    y = tg.randint(0, 4, (16,))
    w1 = tg.Tensor(tg.randn(8, 32).numpy() * 0.3, requires_grad=True)
    b1 = tg.zeros(32, requires_grad=True)
    w2 = tg.Tensor(tg.randn(32, 4).numpy() * 0.3, requires_grad=True)
    params = [w1, b1, w2]
    onehot = tg.Tensor(np.eye(4, dtype=np.float32)[y.numpy()])
    seen = {}
    for it in range(1, iterations + 1):
        logits = (x @ w1 + b1).relu() @ w2
        loss = (logits.logsumexp(1) - (logits * onehot).sum(1)).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with tg.no_grad():
            for p in params:
                p -= 0.05 * p.grad
        if it in checkpoints:
            seen[it] = tracemalloc.get_traced_memory()[0]
    return seen


def test_memory_flat_over_2000_mlp_iterations():
    gc.disable()
    tracemalloc.start()
    try:
        # the first few hundred steps fill CPython's free lists (freed tuples/floats stay counted by
        # tracemalloc until a list is full), so growth is measured after that warm-up
        mem = _mlp_memory(2000, (200, 1000, 2000))
    finally:
        tracemalloc.stop()
        gc.enable()
    growth = mem[2000] - mem[1000]
    print(f"tracemalloc current: {mem[200]} B after 200 iterations, {mem[1000]} B after 1000, "
          f"{mem[2000]} B after 2000 ({growth:+d} B over the last 1000)")
    assert mem[2000] - mem[200] < 200_000, mem
    assert growth < 20_000, mem
