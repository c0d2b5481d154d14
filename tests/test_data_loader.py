"""Datasets, samplers and the DataLoader."""

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import Tensor
from tinygrad_ru.data import (
    ArrayDataset,
    BatchSampler,
    DataLoader,
    Dataset,
    MNIST10k,
    OverlappingBatchSampler,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    overlapping_batches,
    random_split,
)
from tinygrad_ru.data import transforms as T


class ListDataset(Dataset):
    """A dataset without get_batch: forces the per-sample path."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], int(self.y[i])


def toy(n=10):
    x = np.arange(n * 3, dtype=np.float64).reshape(n, 3)
    y = np.arange(n) % 4
    return x, y


def test_dataset_is_abstract():
    with pytest.raises(NotImplementedError):
        len(Dataset())
    with pytest.raises(NotImplementedError):
        Dataset()[0]


def test_tensor_dataset_checks_first_dims():
    with pytest.raises(ValueError, match=r"same first dimension.*\(5, 2\), \(4,\)"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    ds = TensorDataset(Tensor(np.ones((5, 2))), np.arange(5))
    x, y = ds[-1]
    assert isinstance(x, Tensor) and x.shape == (2,) and int(y) == 4
    with pytest.raises(IndexError, match="out of range"):
        ds[5]


def test_subset_and_random_split():
    x, y = toy(10)
    ds = ArrayDataset(x, y)
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3 and int(sub[1][1]) == y[2]
    xb, yb = sub.get_batch(np.array([2, 0]))
    np.testing.assert_array_equal(xb, x[[5, 7]])
    tg.manual_seed(3)
    a, b = random_split(ds, [7, 3])
    tg.manual_seed(3)
    a2, b2 = random_split(ds, [7, 3])
    np.testing.assert_array_equal(a.indices, a2.indices)
    assert sorted(np.concatenate([a.indices, b.indices]).tolist()) == list(range(10))
    c, d = random_split(ds, [0.75, 0.25], generator_seed=0)
    assert (len(c), len(d)) == (8, 2)
    with pytest.raises(ValueError, match="sum of lengths 9 != dataset length 10"):
        random_split(ds, [5, 4])


def test_loader_batches_len_and_drop_last():
    x, y = toy(10)
    ds = TensorDataset(x, y)
    dl = DataLoader(ds, batch_size=4)
    batches = list(dl)
    assert len(dl) == 3 and len(batches) == 3
    assert [b[0].shape for b in batches] == [(4, 3), (4, 3), (2, 3)]
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x)
    xb, yb = batches[0]
    assert xb.dtype == tg.float32 and yb.dtype == tg.int64  # float64 input → default dtype
    dl = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(dl) == 2 and [b[0].shape[0] for b in dl] == [4, 4]
    assert len(DataLoader(ds, batch_size=5, drop_last=True)) == 2
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds, batch_size=0)


def test_shuffle_is_a_permutation_and_reproducible():
    x, y = toy(50)
    ds = TensorDataset(x, y)

    def epoch(dl):
        return np.concatenate([xb.numpy()[:, 0] for xb, _ in dl]) / 3

    tg.manual_seed(0)
    dl = DataLoader(ds, batch_size=8, shuffle=True)
    e1, e2 = epoch(dl), epoch(dl)
    assert sorted(e1.tolist()) == list(range(50)) and not np.array_equal(e1, np.arange(50))
    assert not np.array_equal(e1, e2)  # a new order each epoch
    tg.manual_seed(0)
    dl = DataLoader(ds, batch_size=8, shuffle=True)
    np.testing.assert_array_equal(epoch(dl), e1)
    np.testing.assert_array_equal(epoch(dl), e2)
    s1 = epoch(DataLoader(ds, batch_size=8, shuffle=True, seed=5))
    s2 = epoch(DataLoader(ds, batch_size=8, shuffle=True, seed=5))
    np.testing.assert_array_equal(s1, s2)


def test_fast_path_equals_per_sample_path():
    x, y = toy(13)
    fast = DataLoader(ArrayDataset(x, y), batch_size=5)
    slow = DataLoader(ListDataset(x, y), batch_size=5)
    for (xf, yf), (xs, ys) in zip(fast, slow):
        np.testing.assert_array_equal(xf.numpy(), xs.numpy())
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())
        assert (xf.dtype, yf.dtype) == (xs.dtype, ys.dtype) == (tg.float32, tg.int64)


def test_fast_path_does_not_call_getitem():
    class Counting(ArrayDataset):
        calls = 0

        def __getitem__(self, i):
            Counting.calls += 1
            return super().__getitem__(i)

    x, y = toy(100)
    for _ in DataLoader(Counting(x, y), batch_size=10, shuffle=True):
        pass
    assert Counting.calls == 0


def test_custom_collate_and_dict_samples():
    x, y = toy(6)
    dl = DataLoader(ArrayDataset(x, y), batch_size=4, collate_fn=lambda s: len(s))
    assert list(dl) == [4, 2]

    class Dicts(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return {"x": np.full(2, i, dtype=np.float32), "label": i}

    batch = next(iter(DataLoader(Dicts(), batch_size=3)))
    assert batch["x"].shape == (3, 2) and batch["label"].dtype == tg.int64


def test_mnist10k_with_transform_batches():
    ds = MNIST10k(train=False, transform=T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))]))
    xb, yb = next(iter(DataLoader(ds, batch_size=32)))
    assert xb.shape == (32, 1, 28, 28) and xb.dtype == tg.float32 and yb.dtype == tg.int64
    ref = (ds.data[:32, None].astype(np.float32) / 255 - 0.1307) / 0.3081
    np.testing.assert_allclose(xb.numpy(), ref, rtol=1e-5, atol=1e-5)
    x0, y0 = ds[0]
    np.testing.assert_allclose(x0, ref[0], rtol=1e-5, atol=1e-5)
    raw = next(iter(DataLoader(MNIST10k(train=False), batch_size=4)))[0]
    assert raw.dtype == np.uint8  # no transform: raw pixels (ToTensor for floats)


def test_samplers():
    assert list(SequentialSampler(4)) == [0, 1, 2, 3]
    tg.manual_seed(1)
    r = RandomSampler(20)
    assert sorted(r) == list(range(20)) and len(r) == 20
    w = RandomSampler(5, replacement=True, num_samples=50, seed=0).indices()
    assert w.shape == (50,) and w.max() < 5
    assert [b.tolist() for b in BatchSampler(SequentialSampler(5), 2)] == [[0, 1], [2, 3], [4]]
    assert len(BatchSampler(SequentialSampler(5), 2, drop_last=True)) == 2


@pytest.mark.parametrize("n,b,o", [(100, 20, 5), (37, 10, 3), (20, 12, 4), (50, 8, 0), (23, 7, 6)])
def test_overlapping_batches_have_requested_overlap(n, b, o):
    sampler = OverlappingBatchSampler(n, b, o, seed=0)
    items = list(sampler) + list(sampler) + list(sampler)  # three passes: the overlap continues across them
    assert len(items) == 3 * len(sampler) and len(sampler) == -(-n // (b - o))
    seen = set()
    for k, item in enumerate(items):
        assert item.indices.shape == (b,) and len(set(item.indices.tolist())) == b
        assert item.overlap.shape == (o,)
        np.testing.assert_array_equal(item.indices[b - o:], item.overlap)
        if k + 1 < len(items):
            nxt = items[k + 1].indices
            np.testing.assert_array_equal(nxt[:o], item.overlap)
            assert set(item.indices.tolist()) & set(nxt.tolist()) == set(item.overlap.tolist())
        if k < len(sampler):
            seen.update(item.indices.tolist())
    assert seen == set(range(n))  # every sample used in a pass


def test_overlapping_sampler_checks_and_loader():
    with pytest.raises(ValueError, match="overlap must be in"):
        OverlappingBatchSampler(10, 4, 4)
    with pytest.raises(ValueError, match="batch_size must be in"):
        OverlappingBatchSampler(10, 11, 2)
    with pytest.raises(ValueError, match="2·batch_size − overlap"):
        OverlappingBatchSampler(12, 12, 4)
    x, y = toy(30)
    got = list(overlapping_batches(ArrayDataset(x, y), batch_size=8, overlap=3, seed=1))
    assert len(got) == 6
    (xb, yb), (xo, yo), item = got[0]
    assert xb.shape == (8, 3) and xo.shape == (3, 3)
    np.testing.assert_array_equal(xo.numpy(), xb.numpy()[-3:])
    np.testing.assert_array_equal(got[1][0][0].numpy()[:3], xo.numpy())
    np.testing.assert_array_equal(xb.numpy(), x[item.indices].astype(np.float32))


def test_loader_device_batches_on_standin_accelerator():
    standin = pytest.importorskip("standin_backend")
    standin.register()
    try:
        x, y = toy(9)
        dl = DataLoader(ArrayDataset(x, y), batch_size=4, shuffle=True, seed=0, device=standin.DEVICE)
        xb, yb = next(iter(dl))
        assert isinstance(xb.data, standin.DeviceArray) and xb.device.startswith(standin.DEVICE)
        assert xb.dtype == tg.float32 and yb.dtype == tg.int64
        # a dataset whose arrays already live on the device: indexed there, never copied to the host
        dev = TensorDataset(Tensor(x, device=standin.DEVICE), Tensor(y, device=standin.DEVICE))
        batches = list(DataLoader(dev, batch_size=4, device=standin.DEVICE))
        np.testing.assert_array_equal(standin.to_host(batches[-1][0].data), x[8:].astype(np.float32))
        sample = next(iter(DataLoader(dev, batch_size=2, collate_fn=None, sampler=[3, 1], device=standin.DEVICE)))
        np.testing.assert_array_equal(standin.to_host(sample[1].data), y[[3, 1]])
    finally:
        standin.unregister()
