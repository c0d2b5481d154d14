"""Grad mode is per thread (as in PyTorch): no_grad, backward and optimizer steps in one thread never
change what another thread records."""

from __future__ import annotations

import threading

import numpy as np

import tinygrad_ru as tg
from tinygrad_ru import Tensor


def _in_thread(fn):
    out = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - reported to the test
            out["error"] = e

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_no_grad_in_one_thread_does_not_reach_another():
    entered, release = threading.Event(), threading.Event()

    def hold_no_grad():
        with tg.no_grad():
            entered.set()
            release.wait(10)
            return tg.is_grad_enabled()

    t = threading.Thread(target=hold_no_grad)
    t.start()
    assert entered.wait(10)
    try:
        assert tg.is_grad_enabled()  # this thread still records
        x = Tensor([1.0], requires_grad=True)
        assert (x * 2).requires_grad
    finally:
        release.set()
        t.join()


def test_a_new_thread_starts_with_grad_enabled():
    with tg.no_grad():
        assert _in_thread(tg.is_grad_enabled) is True
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()


def test_set_grad_enabled_call_is_per_thread():
    def switch_off():
        tg.set_grad_enabled(False)  # a plain call, as in PyTorch: stays off in that thread
        return tg.is_grad_enabled()

    assert _in_thread(switch_off) is False
    assert tg.is_grad_enabled()


def test_one_decorated_function_runs_in_several_threads():
    @tg.no_grad()
    def f(barrier):
        barrier.wait(10)
        return tg.is_grad_enabled()

    barrier = threading.Barrier(4)
    results = []
    threads = [threading.Thread(target=lambda: results.append(f(barrier))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [False] * 4
    assert tg.is_grad_enabled()


def test_inference_mode_acts_as_no_grad_and_is_exported():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with tg.inference_mode():
        assert not tg.is_grad_enabled()
        assert not (x * 2).requires_grad
    assert tg.is_grad_enabled()

    @tg.inference_mode()
    def f():
        return (x * 2).requires_grad

    @tg.inference_mode
    def g():
        return (x * 2).requires_grad

    assert f() is False and g() is False
    with tg.inference_mode(False):
        assert tg.is_grad_enabled()
    assert tg.autograd.inference_mode is tg.inference_mode


def test_no_grad_as_a_bare_decorator():
    @tg.no_grad
    def f():
        return tg.is_grad_enabled()

    assert f() is False and tg.is_grad_enabled()


def test_set_grad_enabled_as_in_pytorch():
    tg.set_grad_enabled(False)
    try:
        assert not tg.is_grad_enabled()
    finally:
        tg.set_grad_enabled(True)
    assert tg.is_grad_enabled()
    with tg.set_grad_enabled(False):
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()

    @tg.set_grad_enabled(False)
    def f():
        return tg.is_grad_enabled()

    assert tg.is_grad_enabled()  # decorating switches nothing
    assert f() is False and tg.is_grad_enabled()


def _train(seed: int, steps: int, barrier: threading.Barrier | None = None) -> list[np.ndarray]:
    """A small MLP trained with SGD + momentum on fixed data; returns its final parameters."""
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((32, 6)), dtype=tg.float64)
    y = Tensor(rng.integers(0, 3, 32))
    model = tg.nn.Sequential(tg.nn.Linear(6, 16), tg.nn.Tanh(), tg.nn.Linear(16, 3)).to(tg.float64)
    for p in model.parameters():
        p.data = rng.standard_normal(p.shape) * 0.3
    opt = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    if barrier is not None:
        barrier.wait(10)
    for _ in range(steps):
        opt.zero_grad()
        loss = tg.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        with tg.no_grad():  # an evaluation, as a training loop does
            model(x)
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_two_models_trained_concurrently_equal_their_single_threaded_runs():
    steps = 200
    expected = [_train(1, steps), _train(2, steps)]
    barrier = threading.Barrier(2)
    results: dict[int, list] = {}
    errors: list[BaseException] = []

    def run(seed):
        try:
            results[seed] = _train(seed, steps, barrier)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=run, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for seed, want in zip((1, 2), expected):
        for got, ref in zip(results[seed], want):
            np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)
    assert tg.is_grad_enabled()


def test_backward_in_another_thread_does_not_switch_recording_here():
    stop = threading.Event()
    errors: list[BaseException] = []

    def hammer():
        w = Tensor([1.0, 2.0], requires_grad=True)
        try:
            while not stop.is_set():
                (w * w).sum().backward()  # backward turns recording off in its own thread only
                with tg.no_grad():
                    w * 2
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    t = threading.Thread(target=hammer)
    t.start()
    try:
        x = Tensor([3.0], requires_grad=True)
        for _ in range(3000):
            assert (x * x).requires_grad
    finally:
        stop.set()
        t.join()
    assert not errors
