"""Checkpoints across frameworks: tg.load reads torch.save files of plain tensors without running
pickled code (and refuses anything else); tg.save(..., format="pt") writes files torch.load reads."""

import io
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru import nn
from tinygrad_ru.serialization import CheckpointError


def _tg_net():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 5 * 5, 3))


def _torch_net(torch):
    tnn = torch.nn
    return tnn.Sequential(tnn.Conv2d(1, 4, 3, padding=1), tnn.BatchNorm2d(4), tnn.ReLU(), tnn.Flatten(),
                          tnn.Linear(4 * 5 * 5, 3))


def _zip_with_pickle(payload: bytes) -> bytes:
    """A torch-style archive whose data.pkl is ``payload``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", payload)
        z.writestr("archive/byteorder", "little")
        z.writestr("archive/version", "3\n")
    return buf.getvalue()


# ----------------------------------------------------------------------------- torch → tinygrad_ru
def test_torch_state_dict_loads_into_the_same_net(tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = _torch_net(torch)
    theirs.train()
    theirs(torch.randn(8, 1, 5, 5))  # moves BatchNorm's running statistics and its int64 counter
    theirs.eval()
    path = tmp_path / "net.pt"
    torch.save(theirs.state_dict(), path)

    state = tg.load(path)
    assert isinstance(state, OrderedDict) and list(state) == list(theirs.state_dict())
    for k, v in theirs.state_dict().items():
        assert state[k].dtype == np.dtype(str(v.dtype).removeprefix("torch.")), k
        np.testing.assert_array_equal(state[k].numpy(), v.numpy())
    ours = _tg_net()
    ours.load_state_dict(state)
    ours.eval()
    x = np.random.default_rng(1).standard_normal((2, 1, 5, 5)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(tg.tensor(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_torch_tensors_of_every_kind(tmp_path):
    torch = pytest.importorskip("torch")
    base = torch.arange(24, dtype=torch.float64).reshape(4, 6)
    obj = {
        "t": base.t(),  # a transposed view: strides (1, 6)
        "col": base[:, 2],  # an offset, strided view
        "same": base,  # shares its storage with the two above
        "scalar": torch.tensor(2.5),
        "expanded": torch.arange(3.0).expand(4, 3),  # stride (0, 1)
        "empty": torch.zeros(0, 3),
        "half": torch.tensor([1.5, -2.0], dtype=torch.float16),
        "bf16": torch.tensor([1.5, -3.25, 1e30], dtype=torch.bfloat16),
        "i8": torch.tensor([-3, 4], dtype=torch.int8),
        "u8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False]),
        "c64": torch.tensor([1 + 2j]),
        "param": torch.nn.Parameter(torch.ones(2)),
        "state": {"step": 3, "lr": 0.1, "betas": (0.9, 0.999), "name": "adam", "none": None, "ids": [0, 1]},
    }
    torch.save(obj, tmp_path / "all.pt")
    got = tg.load(tmp_path / "all.pt")
    for k in ["t", "col", "same", "scalar", "expanded", "empty", "half", "i8", "u8", "bool", "c64"]:
        assert got[k].dtype == np.dtype(str(obj[k].dtype).removeprefix("torch.")), k
        assert got[k].shape == tuple(obj[k].shape), k
        np.testing.assert_array_equal(got[k].numpy(), obj[k].numpy())
    assert got["bf16"].dtype == tg.float32  # NumPy has no bfloat16: widened exactly
    np.testing.assert_array_equal(got["bf16"].numpy(), obj["bf16"].float().numpy())
    assert isinstance(got["param"], nn.Parameter) and got["param"].requires_grad
    assert got["state"] == obj["state"]
    assert not np.shares_memory(got["t"].numpy(), got["same"].numpy())  # views become copies


def test_map_location(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save({"w": torch.ones(2)}, tmp_path / "w.pt")
    seen = []
    got = tg.load(tmp_path / "w.pt", map_location=lambda saved: seen.append(saved) or tg.device("cpu"))
    assert seen == ["cpu"] and got["w"].device == "cpu"
    assert tg.load(tmp_path / "w.pt", map_location="cpu")["w"].device == tg.device("cpu")
    for weights_only in (True, False):  # torch.load's keyword: loading here is always weights-only
        assert tg.load(tmp_path / "w.pt", map_location=tg.device("cpu"), weights_only=weights_only)["w"].shape == (2,)
    with open(tmp_path / "w.pt", "rb") as f:  # an open file too
        assert tg.load(f)["w"].shape == (2,)


# ----------------------------------------------------------------------------- refusals
class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_malicious_torch_file_is_refused_and_runs_nothing(tmp_path):
    torch = pytest.importorskip("torch")
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"w": torch.ones(2), "x": _Exploit(marker)}, path)  # a real torch.save archive
    with pytest.raises(CheckpointError, match=r"refused: the pickle asks for posix\.system"):
        tg.load(path)
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError):  # torch's own safe reader refuses it too
        torch.load(path, weights_only=True)


@pytest.mark.parametrize("payload, why", [
    (b"\x80\x02cbuiltins\neval\nX\x06\x00\x00\x00print()\x85R.", r"builtins\.eval"),
    (b"\x80\x02c__builtin__\ngetattr\n.", r"__builtin__\.getattr"),
    # BUILD on an allowed function cannot change it
    (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n}X\x01\x00\x00\x00aK\x01sb.", "AttributeError"),
    # NEWOBJ needs a class; a rebuild function is not one
    (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n)\x81.", "refused or corrupted"),
    (b"\x80\x02(X\x07\x00\x00\x00storageX\x01\x00\x00\x000tQ.", "unknown persistent id"),
    (b"\x80\x02ctorch\nFloatStorage\n.", None),  # harmless: a name, no code
])
def test_hand_made_pickles_are_refused(tmp_path, payload, why):
    path = tmp_path / "x.pt"
    path.write_bytes(_zip_with_pickle(payload))
    if why is None:
        tg.load(path)
        return
    with pytest.raises(CheckpointError, match=why):
        tg.load(path)


def test_corrupted_storages_are_refused(tmp_path):
    header = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\n"
    pid = header + b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ"
    overrun = pid + b"K\x00K\x05\x85K\x01\x85\x89NtR."  # 5 elements of a 4-element storage
    path = tmp_path / "x.pt"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", overrun)
        z.writestr("archive/data/0", np.zeros(4, np.float32).tobytes())
    path.write_bytes(buf.getvalue())
    with pytest.raises(CheckpointError, match="overruns its storage"):
        tg.load(path)
    expanded = pid + b"K\x00J\x00\x00\x00\x40\x85K\x00\x85\x89NtR."  # 2**30 elements, stride 0
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", expanded)
        z.writestr("archive/data/0", np.zeros(4, np.float32).tobytes())
    path.write_bytes(buf.getvalue())
    with pytest.raises(CheckpointError, match="expands its storage"):
        tg.load(path)  # refused before allocating 4 GiB
    path.write_bytes(_zip_with_pickle(overrun))  # no storage member at all
    with pytest.raises(CheckpointError, match="missing"):
        tg.load(path)


def test_legacy_pickle_file_is_refused(tmp_path):
    path = tmp_path / "old.pt"
    path.write_bytes(pickle.dumps({"w": [1.0]}, protocol=2))
    with pytest.raises(CheckpointError, match="never unpickles"):
        tg.load(path)


# ----------------------------------------------------------------------------- tinygrad_ru → torch
def _state():
    tg.manual_seed(0)
    return OrderedDict(w=tg.randn(3, 4), i=tg.arange(5), d=tg.randn(2, dtype=tg.float64), s=tg.tensor(1.5),
                       t=tg.randn(4, 3).T, mask=tg.tensor([True, False]), meta={"epoch": 3, "lr": 1e-3, "big": 2**40,
                                                                             "tags": ["a", None], "ok": True})


def test_pt_format_round_trip_without_torch(tmp_path):
    state = _state()
    tg.save(state, tmp_path / "ours.pt", format="pt")
    got = tg.load(tmp_path / "ours.pt")
    assert isinstance(got, OrderedDict) and list(got) == list(state)
    for k in ["w", "i", "d", "s", "t", "mask"]:
        assert got[k].dtype == state[k].dtype and got[k].shape == state[k].shape
        np.testing.assert_array_equal(got[k].numpy(), state[k].numpy())
    assert got["meta"] == state["meta"]
    with pytest.raises(ValueError, match="unknown format"):
        tg.save(state, tmp_path / "x", format="pickle")
    with pytest.raises(TypeError, match=r"cannot store object at obj\['x'\]"):
        tg.save({"x": object()}, tmp_path / "y.pt", format="pt")
    assert not (tmp_path / "y.pt").exists()  # atomic: nothing half-written


def test_torch_reads_our_pt_files_with_weights_only(tmp_path):
    torch = pytest.importorskip("torch")
    state = _state()
    buf = io.BytesIO()
    tg.save(state, buf, format="pt")
    buf.seek(0)
    got = torch.load(buf, weights_only=True)
    for k in ["w", "i", "d", "s", "t", "mask"]:
        assert str(got[k].dtype) == f"torch.{state[k].dtype}" and tuple(got[k].shape) == state[k].shape
        np.testing.assert_array_equal(got[k].numpy(), state[k].numpy())
    assert got["meta"] == state["meta"]


def test_a_tg_model_moves_to_torch_and_back(tmp_path):
    torch = pytest.importorskip("torch")
    tg.manual_seed(0)
    ours = _tg_net()
    ours.eval()
    tg.save(ours.state_dict(), tmp_path / "net.pt", format="pt")
    theirs = _torch_net(torch)
    theirs.load_state_dict(torch.load(tmp_path / "net.pt", weights_only=True))
    theirs.eval()
    x = np.random.default_rng(2).standard_normal((2, 1, 5, 5)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(tg.tensor(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    torch.save(theirs.state_dict(), tmp_path / "back.pt")
    again = _tg_net()
    again.load_state_dict(tg.load(tmp_path / "back.pt"))
    for (k, a), b in zip(ours.state_dict().items(), again.state_dict().values(), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
