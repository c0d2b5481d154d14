"""The namespaces a PyTorch script touches first: tg.device, tg.utils.data, tg.cuda, tg.accelerator,
tg.from_numpy (issue 11)."""

import pickle

import numpy as np
import pytest

import tinygrad_ru as tg


@pytest.mark.parametrize("args", [("cpu",), ("cuda",), ("cuda:1",), ("cuda", 1), ("cpu", 0), ("meta",)])
def test_device_type_index_str_repr_as_torch(args):
    torch = pytest.importorskip("torch")
    ours, theirs = tg.device(*args), torch.device(*args)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert str(ours) == str(theirs)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("args", [("foo",), ("cpu", -1), ("cuda:x",), ("cuda:1", 1)])
def test_device_errors_as_torch(args):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as theirs:
        torch.device(*args)
    with pytest.raises(RuntimeError) as ours:
        tg.device(*args)
    assert type(ours.value) is type(theirs.value)


def test_device_equality_hash_pickle():
    assert tg.device("cuda:1") == tg.device("cuda", 1)
    assert tg.device("cpu") != tg.device("cpu", 0)  # as torch: no index is not index 0
    assert len({tg.device("cpu"), tg.device("cpu")}) == 1
    d = pickle.loads(pickle.dumps(tg.device("cuda", 2)))
    assert (d.type, d.index) == ("cuda", 2) and isinstance(d, tg.device)
    assert tg.device(tg.device("cpu")) == "cpu"  # also equal to its string (a documented difference)
    with pytest.raises(TypeError, match="device"):
        tg.device(1.5)


def test_device_accepted_wherever_a_device_string_is():
    dev = tg.device("cpu")
    x = tg.tensor([1.0, 2.0], device=dev)
    assert x.to(dev) is x and x.to(dev, tg.float64).dtype == tg.float64
    assert tg.zeros(2, device=dev).device == dev
    assert tg.randn(2, 3, device=dev).shape == (2, 3)
    model = tg.nn.Linear(2, 1).to(dev)
    assert model(x).shape == (1,)
    loader = tg.utils.data.DataLoader(tg.utils.data.TensorDataset(tg.ones(4, 2)), batch_size=2, device=dev)
    assert next(iter(loader))[0].device == dev


def test_tensor_device_is_a_device_object():
    d = tg.ones(2).device
    assert isinstance(d, tg.device) and d.type == "cpu" and d.index is None
    assert repr(d) == "device(type='cpu')"
    if tg.cuda.is_available():  # pragma: no cover - needs a GPU
        assert tg.ones(2, device="cuda").device == tg.device("cuda", 0)


def test_cuda_and_accelerator_namespaces():
    assert tg.cuda.is_available() == tg.cuda_is_available()
    assert tg.cuda.device_count() >= (1 if tg.cuda.is_available() else 0)
    assert tg.accelerator.is_available() == tg.cuda.is_available()
    acc = tg.accelerator.current_accelerator()
    assert acc is None or acc.type == "cuda"
    if not tg.cuda.is_available():
        assert tg.accelerator.current_accelerator(check_available=True) is None
        with pytest.raises(RuntimeError, match="accelerator"):
            tg.device(0)  # an integer names an accelerator, as in torch
    device = tg.device("cuda" if tg.cuda.is_available() else "cpu")  # the idiom of every PyTorch script
    assert tg.ones(1, device=device).device.type == device.type


def test_inference_mode_is_exported_as_in_torch():
    x = tg.ones(2, requires_grad=True)
    with tg.inference_mode():
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad


def test_utils_data_is_the_data_module():
    from tinygrad_ru.utils.data import DataLoader, Dataset, TensorDataset, random_split

    assert DataLoader is tg.data.DataLoader and Dataset is tg.data.Dataset
    assert TensorDataset is tg.data.TensorDataset and random_split is tg.data.random_split
    assert tg.utils.data.get_worker_info is tg.data.get_worker_info
    a, b = random_split(TensorDataset(tg.arange(10)), [7, 3])
    assert (len(a), len(b)) == (7, 3)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int64", "int32", "int16", "int8",
                                   "uint8", "bool", "complex64"])
def test_from_numpy_shares_memory_and_keeps_dtype_as_torch(dtype):
    a = np.arange(6).reshape(2, 3).astype(dtype)
    t = tg.from_numpy(a)
    assert t.dtype == a.dtype and t.shape == a.shape
    assert np.shares_memory(t.numpy(), a)
    a[0, 0] = 1
    assert t.numpy()[0, 0] == 1
    torch = pytest.importorskip("torch")
    assert str(torch.from_numpy(a).dtype) == f"torch.{dtype}"


def test_from_numpy_refuses_what_torch_refuses():
    torch = pytest.importorskip("torch")
    for bad in ([1.0, 2.0], np.array(["a"], dtype=object)):
        with pytest.raises(TypeError) as theirs:
            torch.from_numpy(bad)
        with pytest.raises(TypeError) as ours:
            tg.from_numpy(bad)
        if isinstance(bad, list):
            assert str(ours.value) == str(theirs.value)  # "expected np.ndarray (got list)"
