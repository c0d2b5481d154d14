"""The device policy (``backend.DevicePolicy``): one place decides how big a piece of work is.

The CPU cuts conv columns into cache-sized chunks and pools with strided passes; a GPU-like
device (the stand-in of tests/standin_backend.py registers with the accelerator policy) takes
whole batches bounded by its free memory and pools with one argmax.  Both routes must give the
same numbers: gradchecks run *on* the stand-in device, and its results are compared to the CPU's.
"""

from __future__ import annotations

import numpy as np
import pytest
import standin_backend as sb

import tinygrad_ru as tg
import tinygrad_ru.nn.functional as F
from tinygrad_ru import backend
from tinygrad_ru.autograd import gradcheck, gradgradcheck
from tinygrad_ru.ops import _strided


@pytest.fixture
def fake():
    sb.register(gpu_like=True)
    old = sb.FREE_MEMORY
    yield sb.DEVICE
    sb.FREE_MEMORY = old
    sb.unregister()


def _pair(shape, seed, device, dtype=np.float64):
    host = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return (tg.tensor(host, dtype=host.dtype, requires_grad=True),
            tg.tensor(host, dtype=host.dtype, device=device, requires_grad=True))


def test_cpu_policy_blocks_for_the_cache():
    p = backend.policy(np.zeros(3))
    assert p is backend.CPU_POLICY and not p.whole_batch and not p.pool_argmax
    # 150 rows × 300 positions × 4 bytes = 180 kB per image: 2 images fit 0.5 MiB
    assert _strided.grid_chunk(150, 300, 4, 64, like=np.zeros(1)) == 2
    assert p.keep_columns(0) and not p.keep_columns(1)  # the CPU rebuilds columns in cache


def test_gpu_like_device_gets_one_chunk_per_batch(fake):
    a = backend.to_device(np.zeros(3, np.float32), fake)
    p = backend.policy(a)
    assert p.whole_batch and p.pool_argmax
    assert _strided.grid_chunk(150, 300, 4, 512, like=a) == 512  # 92 MB of columns: one chunk
    assert p.keep_columns(100 << 20)
    sb.FREE_MEMORY = 4 * 180_000 * 10  # a quarter of free memory holds 10 images
    assert _strided.grid_chunk(150, 300, 4, 512, like=a) == 10
    assert not p.keep_columns(100 << 20)


def test_gpu_like_device_runs_each_conv_in_one_chunk(fake, monkeypatch):
    """The flat-grid conv on the device copies its columns once per batch (not per 2 images)."""
    from tinygrad_ru.ops import conv

    chunks = []
    real = conv._flat_chunks

    def counting(x, dtype, geo):
        for item in real(x, dtype, geo):
            chunks.append(item[1] - item[0])
            yield item

    monkeypatch.setattr(conv, "_flat_chunks", counting)
    # forward (the weight needs no gradient: no columns kept) and the input gradient: two flat convs
    x = tg.tensor(np.ones((64, 6, 16, 16), np.float32), device=fake, requires_grad=True)
    w = tg.tensor(np.ones((16, 6, 5, 5), np.float32), device=fake)
    F.conv2d(x, w).sum().backward()
    assert chunks == [64, 64]
    chunks.clear()
    F.conv2d(x.detach().to("cpu").requires_grad_(), w.to("cpu")).sum().backward()
    assert len(chunks) > 4 and max(chunks) < 64


CONV_CASES = [
    dict(stride=1, padding=1, dilation=1),
    dict(stride=1, padding=0, dilation=2),
    dict(stride=2, padding=1, dilation=1),
]


@pytest.mark.parametrize("free", [1 << 30, 20_000])  # whole batch; or memory for one image per chunk
@pytest.mark.parametrize("kw", CONV_CASES)
def test_conv_on_the_device_equals_cpu_and_gradchecks(fake, kw, free):
    sb.FREE_MEMORY = free
    (x, xd), (w, wd), (b, bd) = _pair((3, 2, 6, 5), 0, fake), _pair((4, 2, 3, 3), 1, fake), _pair((4,), 2, fake)
    y, yd = F.conv2d(x, w, b, **kw), F.conv2d(xd, wd, bd, **kw)
    g = np.random.default_rng(3).standard_normal(y.shape)
    (y * tg.tensor(g, dtype=g.dtype)).sum().backward()
    (yd * tg.tensor(g, dtype=g.dtype, device=fake)).sum().backward()
    np.testing.assert_allclose(yd.detach().numpy(), y.detach().numpy(), rtol=1e-12, atol=1e-12)
    for cpu, dev in ((x, xd), (w, wd), (b, bd)):
        np.testing.assert_allclose(dev.grad.numpy(), cpu.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kw), [xd, wd, bd])


def test_conv_double_backward_on_the_device(fake):
    (_, x), (_, w) = _pair((2, 2, 5, 5), 5, fake), _pair((3, 2, 3, 3), 6, fake)
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, padding=1), [x, w])


POOL_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3),  # floor mode drops the edge
]


@pytest.mark.parametrize("kw", POOL_CASES)
def test_argmax_pooling_on_the_device_equals_cpu(fake, kw):
    (x, xd) = _pair((2, 3, 7, 6), 8, fake)
    assert gradcheck(lambda x: F.max_pool2d(x, **kw), [xd])
    assert gradgradcheck(lambda x: F.max_pool2d(x, **kw) ** 2, [xd])
    # ties (ReLU zeros): the first maximum of the window gets the gradient on both routes
    host = np.maximum(np.random.default_rng(9).standard_normal((2, 3, 8, 8)), 0).astype(np.float32)
    outs = {}
    for dev in ("cpu", fake):
        t = tg.tensor(host, device=dev, requires_grad=True)
        y = F.max_pool2d(t, **kw)
        (y * y).sum().backward()
        outs[dev] = (y.detach().numpy(), t.grad.numpy())
    np.testing.assert_array_equal(outs[fake][0], outs["cpu"][0])
    np.testing.assert_array_equal(outs[fake][1], outs["cpu"][1])


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_losses_accept_a_cpu_target_on_a_device_input(fake, smoothing):
    """Labels left on the host next to logits on the device: cross_entropy (label smoothing too)
    behaves as nll_loss does — the labels join the input's device — and equals the CPU's loss."""
    x_host = np.random.default_rng(0).standard_normal((6, 5))
    y = tg.tensor(np.array([0, 4, 2, 1, 3, 0]))  # on the CPU
    results = {}
    for dev in ("cpu", fake):
        x = tg.tensor(x_host, dtype=tg.float64, device=dev, requires_grad=True)
        loss = F.cross_entropy(x, y, label_smoothing=smoothing) + F.nll_loss(F.log_softmax(x, dim=1), y)
        loss = loss + F.cross_entropy(x, y.numpy(), label_smoothing=smoothing, ignore_index=2)
        loss.backward()
        assert loss.device == x.device
        results[dev] = (loss.item(), x.grad.numpy())
    assert results[fake][0] == pytest.approx(results["cpu"][0], rel=1e-12)
    np.testing.assert_allclose(results[fake][1], results["cpu"][1], rtol=1e-12, atol=1e-14)


def _fit_reads(device: str, loss_name: str, epochs: int = 2, callbacks=()):
    """Host reads during fit() of a small MLP: 12 batches per epoch."""
    nn, optim = pytest.importorskip("tinygrad_ru.nn"), pytest.importorskip("tinygrad_ru.optim")
    from tinygrad_ru.data import DataLoader, TensorDataset

    r = np.random.default_rng(0)
    x = r.standard_normal((96, 10)).astype(np.float32)
    y = r.integers(0, 3, 96)
    target = y if loss_name == "ce" else np.eye(3, dtype=np.float32)[y]
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 3)).to(device)
    loss_fn = nn.CrossEntropyLoss() if loss_name == "ce" else nn.MSELoss()
    loader = DataLoader(TensorDataset(tg.tensor(x), tg.tensor(target)), batch_size=8)
    before = sb.host_reads
    from tinygrad_ru.train import fit

    history = fit(model, loss_fn, optim.Adam(model.parameters(), lr=1e-2), loader, epochs=epochs,
                           device=device, progress=False, callbacks=callbacks)
    return sb.host_reads - before, history


def test_fit_reads_the_device_once_per_epoch(fake):
    reads, history = _fit_reads(fake, "mse")
    assert reads == 2  # one transfer per epoch for 2 × 12 steps
    _, cpu_history = _fit_reads("cpu", "mse")
    assert [r["train_loss"] for r in history.epochs] == pytest.approx(
        [r["train_loss"] for r in cpu_history.epochs], rel=1e-6)
    losses = [r["loss"] for r in history.iterations]
    assert len(losses) == 24 and all(isinstance(v, float) for v in losses)
    assert losses == pytest.approx([r["loss"] for r in cpu_history.iterations], rel=1e-6)


def test_fit_reads_per_step_only_for_a_callback_that_asks(fake):
    from tinygrad_ru.train import callbacks as cbs

    assert _fit_reads(fake, "mse", callbacks=[cbs.MaxIterations(100)])[0] == 2
    reads, history = _fit_reads(fake, "mse", callbacks=[cbs.RelativeLoss(1e-9, per="iteration")])
    assert reads == 24 and all(isinstance(r["loss"], float) for r in history.iterations)


def test_fit_with_class_labels_reads_once_per_step_at_most(fake):
    """Cross-entropy validates its labels (one read per step, as few as the check allows)."""
    reads, history = _fit_reads(fake, "ce", epochs=1)
    assert reads <= 12 + 1
    assert 0.0 <= history.epochs[0]["train_acc"] <= 1.0


FUSED = [  # (optimizer, options, the fused kernel that must run once per parameter and step)
    ("SGD", dict(lr=0.1), "sgd_"),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1), "sgd_momentum_"),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2), "sgd_momentum_"),
    ("SGD", dict(lr=0.1, momentum=0.9, lecture_form=True), "sgd_lecture_"),
    ("Adam", dict(lr=1e-2), "adam_"),
    ("Adam", dict(lr=1e-2, amsgrad=True, eps_inside_sqrt=True), "adam_"),
    ("AdamW", dict(lr=1e-2), "adam_"),
    ("Adamax", dict(lr=1e-2), "adamax_"),
    ("NAdam", dict(lr=1e-2), "nadam_"),
    ("RAdam", dict(lr=1e-2), "radam_"),
    ("Adagrad", dict(lr=1e-1), "adagrad_"),
    ("RMSprop", dict(lr=1e-2, momentum=0.5, centered=True), "rmsprop_"),
    ("RMSprop", dict(lr=1e-2), "rmsprop_"),
    ("Adadelta", dict(), "adadelta_"),
]


@pytest.mark.parametrize("name,options,kernel", FUSED, ids=[f"{n}-{k}-{i}" for i, (n, _, k) in enumerate(FUSED)])
def test_fused_updates_run_once_per_parameter_and_match_torch_in_float32(fake, name, options, kernel):
    """On the device each update is one fused kernel per parameter; its float32 trajectory equals
    torch.optim's (the readable formula it is written from) to float32 rounding."""
    from tinygrad_ru import optim

    torch = pytest.importorskip("torch")
    r = np.random.default_rng(0)
    shapes = [(4, 3), (3,), (2, 2, 3)]
    init = [r.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[r.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(12)]
    ours = [tg.tensor(a, device=fake, requires_grad=True) for a in init]
    theirs = [torch.tensor(a, requires_grad=True) for a in init]
    opt = getattr(optim, name)(ours, **options)
    topt = getattr(torch.optim, name)(theirs, **{k: v for k, v in options.items()
                                                 if k not in ("lecture_form", "eps_inside_sqrt")})
    sb.fused_calls.clear()
    for step in grads:
        for p, tp, g in zip(ours, theirs, step):
            p.grad = tg.tensor(g, device=fake)
            tp.grad = torch.tensor(g)
        opt.step()
        topt.step()
    assert sb.fused_calls == {kernel: len(grads) * len(shapes)}
    if options.get("lecture_form") or options.get("eps_inside_sqrt"):
        return  # not torch's formula (checked in float64 in tests/test_optim_formulas.py)
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=2e-5, atol=2e-6)


def test_small_gemms_run_on_one_blas_thread_on_the_cpu_only(fake):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    a = backend.to_device(np.zeros(3, np.float32), fake)
    assert backend.CPU_POLICY.small_gemms_single_thread and not backend.policy(a).small_gemms_single_thread
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        def blas_threads():
            return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

        before = blas_threads()
        with backend.blas_single_thread(np.zeros(1)):
            assert all(n == 1 for n in blas_threads())
        assert blas_threads() == before
        with backend.blas_single_thread(a):  # a GPU-like device leaves the host BLAS alone
            assert blas_threads() == before


def test_big_updates_run_in_cache_blocks_with_the_same_numbers():
    """On the CPU a big parameter's update runs block by block: element for element the same result."""
    from tinygrad_ru.optim import _functional as OF
    from tinygrad_ru.optim.adam import adam_update
    from tinygrad_ru.optim.sgd import sgd_update

    r = np.random.default_rng(0)
    n = 300_001  # above the blocking threshold, not a multiple of the block
    theta, g, m, v = (r.standard_normal(n).astype(np.float32) for _ in range(4))
    v = np.abs(v)
    args = (1e-3, 0.9, 0.1, 0.999, 1e-3, 1e-8, 0.5, 0.7)
    whole = [a.copy() for a in (theta, g, m, v)]
    backend.elementwise(adam_update, theta)(whole[0], whole[1], whole[2], whole[3], None, *args)
    blocked = [a.copy() for a in (theta, g, m, v)]
    kernel = OF.fused(adam_update, theta)
    assert kernel is not backend.elementwise(adam_update, theta)  # the blocked wrapper
    kernel(blocked[0], blocked[1], blocked[2], blocked[3], None, *args)
    for a, b in zip(blocked, whole):
        np.testing.assert_array_equal(a, b)
    # a non-contiguous operand: the update runs whole, still correct
    t2 = np.asfortranarray(theta.reshape(1, -1).repeat(2, 0))
    OF.fused(sgd_update, t2)(t2, np.ones_like(t2), 0.5)
    np.testing.assert_array_equal(t2, np.asfortranarray(theta.reshape(1, -1).repeat(2, 0)) - 0.5)


def test_linear_weight_first_layout_matches_torch():
    """Few rows, a wide layer: the CPU computes (W·xᵀ)ᵀ; values and gradients are torch's."""
    torch = pytest.importorskip("torch")
    assert backend.CPU_POLICY.weight_first(16, 4096, 1000) and not backend.CPU_POLICY.weight_first(128, 128, 64)
    assert not backend.accelerator_policy().weight_first(16, 4096, 1000)
    r = np.random.default_rng(0)
    xn, wn, bn, gn = (r.standard_normal(s) for s in [(8, 96), (128, 96), (128,), (8, 128)])
    x, w, b = (tg.tensor(a, dtype=tg.float64, requires_grad=True) for a in (xn, wn, bn))
    assert backend.CPU_POLICY.weight_first(8, 96, 128)
    y = F.relu(F.linear(x, w, b))
    (y * tg.tensor(gn, dtype=tg.float64)).sum().backward()
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (xn, wn, bn))
    yt = torch.relu(torch.nn.functional.linear(xt, wt, bt))
    (yt * torch.tensor(gn)).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    for ours, theirs in ((x, xt), (w, wt), (b, bt)):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_tally_reads_float_losses_next_to_device_counts(fake):
    """A closure optimizer may hand back a Python float; the counts still live on the device."""
    from tinygrad_ru.train.loop import _Tally

    tally = _Tally()
    row = {}
    tally.add(row, 0.5, backend.to_device(np.array(3), fake), 4)
    tally.read(1)
    assert row["loss"] == 0.5 and tally.correct == 3 and tally.count == 4
    tally.add({}, float("nan"), backend.to_device(np.array(0), fake), 4)
    with pytest.raises(FloatingPointError, match="the loss became nan at step 2"):
        tally.read(2)


def test_fit_on_a_device_reports_the_first_nan_step_when_it_reads(fake):
    """A GPU-like device checks the losses when it reads them: the error still names the first bad step."""
    nn, optim = pytest.importorskip("tinygrad_ru.nn"), pytest.importorskip("tinygrad_ru.optim")
    from tinygrad_ru.data import DataLoader, TensorDataset
    from tinygrad_ru.train import fit

    assert backend.policy(backend.to_device(np.zeros(1), fake)).defer_host_reads
    assert not backend.CPU_POLICY.defer_host_reads
    x = np.random.default_rng(0).standard_normal((32, 4)).astype(np.float32)
    x[9] = np.nan  # in the second batch of 8
    model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1)).to(fake)
    loader = DataLoader(TensorDataset(tg.tensor(x), tg.tensor(np.arange(32) % 3)), batch_size=8)
    with pytest.raises(FloatingPointError, match=r"loss became nan at step 2 \(SGD\); lower the lr"):
        fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=0.1), loader, device=fake, progress=False)
