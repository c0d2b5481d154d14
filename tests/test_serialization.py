"""save/load: round trips, atomic writes, clear errors on foreign/truncated files, safetensors, torch interop."""

import io
import os
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
from tinygrad_ru.serialization import CheckpointError, load, load_safetensors, save, save_safetensors


def _model():
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.PReLU(8), nn.Linear(8, 3))


def test_state_dict_round_trip_bit_identical(tmp_path):
    m = _model()
    m.train()
    with tg.no_grad():
        m(tg.randn(5, 4))  # running stats move away from their initial values
    path = tmp_path / "model.ckpt"
    save(m.state_dict(), path)
    loaded = load(path)
    assert list(loaded) == list(m.state_dict())
    for k, v in m.state_dict().items():
        assert isinstance(loaded[k], tg.Tensor)
        assert loaded[k].dtype == v.dtype and loaded[k].shape == v.shape
        assert np.array_equal(loaded[k].numpy(), v.numpy()), k
    m2 = _model()
    tg.manual_seed(123)
    for p in m2.parameters():
        nn.init.normal_(p)
    m2.load_state_dict(loaded)
    for (k, a), b in zip(m.state_dict().items(), m2.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), k
    assert int(m2.state_dict()["1.num_batches_tracked"].item()) == 1


def test_nested_checkpoint_with_scalars(tmp_path):
    obj = {
        "model": {"w": tg.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))},
        "optimizer": {"state": {0: {"step": 3, "exp_avg": np.ones(3, dtype=np.float64)}},
                      "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "amsgrad": False, "params": [0],
                                        "maximize": None}]},
        "epoch": 7, "name": "run-α", "loss": float("nan"), "best": float("inf"), "np": np.float32(2.5),
        "ordered": OrderedDict([("b", 1), ("a", 2)]),
    }
    path = tmp_path / "ck.npz"
    save(obj, path)
    back = load(path)
    assert back["epoch"] == 7 and back["name"] == "run-α"
    assert np.isnan(back["loss"]) and back["best"] == float("inf")
    assert back["np"] == np.float32(2.5) and back["np"].dtype == np.float32
    st = back["optimizer"]["state"]
    assert list(st) == [0] and st[0]["step"] == 3           # int keys survive (JSON would stringify them)
    assert st[0]["exp_avg"].dtype == np.float64 and isinstance(st[0]["exp_avg"], np.ndarray)
    g = back["optimizer"]["param_groups"][0]
    assert g["betas"] == (0.9, 0.999) and g["amsgrad"] is False and g["maximize"] is None
    assert isinstance(back["ordered"], OrderedDict) and list(back["ordered"]) == ["b", "a"]
    assert back["model"]["w"].tolist() == [[0, 1, 2], [3, 4, 5]]


def test_file_is_plain_npz_and_never_pickled(tmp_path):
    path = tmp_path / "m.npz"
    save({"w": tg.ones(2, 2)}, path)
    with np.load(path, allow_pickle=False) as z:  # any NumPy can read it, without pickle
        assert "__tinygrad_ru__" in z.files
        assert all(z[k].dtype != object for k in z.files)


def test_file_object_round_trip():
    buf = io.BytesIO()
    save({"x": tg.arange(5)}, buf)
    buf.seek(0)
    assert load(buf)["x"].tolist() == [0, 1, 2, 3, 4]


def test_requires_grad_and_map_location(tmp_path):
    p = nn.Parameter(tg.ones(3))
    path = tmp_path / "p.ckpt"
    save({"p": p}, path)
    back = load(path, map_location="cpu")["p"]
    assert back.requires_grad and back.device == "cpu"
    assert load(path, map_location={"cuda:0": "cpu"})["p"].device == "cpu"


def test_unsupported_values_are_rejected(tmp_path):
    with pytest.raises(TypeError, match="cannot store"):
        save({"f": lambda x: x}, tmp_path / "a")
    with pytest.raises(TypeError, match="keys must be str or int"):
        save({(1, 2): 3}, tmp_path / "b")
    with pytest.raises(TypeError, match="Python objects"):
        save({"o": np.array([object()], dtype=object)}, tmp_path / "c")
    assert not os.listdir(tmp_path)  # nothing half-written


def test_atomic_write_keeps_old_file_when_replace_fails(tmp_path, monkeypatch):
    path = tmp_path / "model.ckpt"
    save({"w": tg.zeros(3)}, path)
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        save({"w": tg.ones(3)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert load(path)["w"].tolist() == [0, 0, 0]
    assert sorted(os.listdir(tmp_path)) == ["model.ckpt"]  # the temporary file was cleaned up


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "model.ckpt"
    save({"w": tg.zeros(3)}, path)
    before = path.read_bytes()
    monkeypatch.setattr(np, "savez", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError, match="disk full"):
        save({"w": tg.ones(3)}, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.ckpt"]


def test_truncated_file_error(tmp_path):
    path = tmp_path / "model.ckpt"
    save(_model().state_dict(), path)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 3):
        bad = tmp_path / f"cut{cut}.ckpt"
        bad.write_bytes(data[:cut])
        with pytest.raises(CheckpointError, match=r"is not a tinygrad_ru checkpoint \((truncated|not a zip)"):
            load(bad)


def test_corrupted_member_error(tmp_path):
    path = tmp_path / "model.ckpt"
    save({"w": tg.Tensor(np.arange(1000, dtype=np.float32))}, path)
    data = bytearray(path.read_bytes())
    pos = data.index(np.arange(1000, dtype=np.float32).tobytes()[400:408])
    data[pos] ^= 0xFF  # flip bits inside the stored array: the zip CRC catches it
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="truncated or corrupted"):
        load(path)


def test_foreign_files_error(tmp_path):
    cases = {
        "plain.txt": b"hello world",
        "empty.bin": b"",
        "pickle.pt": b"\x80\x04\x95....",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(CheckpointError, match="is not a tinygrad_ru checkpoint"):
            load(tmp_path / name)
    with pytest.raises(CheckpointError, match="pickle"):
        load(tmp_path / "pickle.pt")
    np.save(tmp_path / "arr.npy", np.ones(3))
    with pytest.raises(CheckpointError, match="bare .npy"):
        load(tmp_path / "arr.npy")
    np.savez(tmp_path / "other.npz", a=np.ones(3))
    with pytest.raises(CheckpointError, match="without a tinygrad_ru manifest"):
        load(tmp_path / "other.npz")
    with zipfile.ZipFile(tmp_path / "doc.zip", "w") as z:
        z.writestr("readme.txt", "not numpy")
    with pytest.raises(CheckpointError, match="is not a tinygrad_ru checkpoint"):
        load(tmp_path / "doc.zip")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.ckpt")


def test_wrong_manifest_format(tmp_path):
    blob = np.frombuffer(b'{"format": "something-else", "root": null}', dtype=np.uint8)
    np.savez(tmp_path / "x.npz", __tinygrad_ru__=blob)
    with pytest.raises(CheckpointError, match="another format"):
        load(tmp_path / "x.npz")


# ----------------------------------------------------------------------------- interop
def test_safetensors_round_trip(tmp_path):
    pytest.importorskip("safetensors")
    m = _model()
    path = tmp_path / "model.safetensors"
    save_safetensors(m.state_dict(), path, metadata={"framework": "tinygrad_ru"})
    back = load_safetensors(path)
    assert set(back) == set(m.state_dict())
    for k, v in m.state_dict().items():
        assert np.array_equal(back[k].numpy(), v.numpy()) and back[k].dtype == v.dtype
    (tmp_path / "junk.safetensors").write_bytes(b"\x00" * 20)
    with pytest.raises(CheckpointError, match="not a readable safetensors"):
        load_safetensors(tmp_path / "junk.safetensors")


def _torch_twin(torch):
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.PReLU(8),
                               torch.nn.Linear(8, 3))


def test_torch_loads_our_weights_and_agrees(tmp_path):
    torch = pytest.importorskip("torch")
    m = _model()
    with tg.no_grad():
        m(tg.randn(16, 4))  # non-trivial running statistics
    m.eval()
    path = tmp_path / "m.ckpt"
    save(m.state_dict(), path)
    sd = {k: torch.from_numpy(v.numpy().copy()) for k, v in load(path).items()}
    tm = _torch_twin(torch)
    tm.load_state_dict(sd)  # strict: names and shapes map one to one
    tm.eval()
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    with torch.no_grad():
        ref = tm(torch.from_numpy(x)).numpy()
    ours = m(tg.Tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


def test_torch_reads_our_safetensors_and_we_read_torchs(tmp_path):
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    m = _model()
    m.eval()
    save_safetensors(m.state_dict(), tmp_path / "ours.safetensors")
    tm = _torch_twin(torch)
    tm.load_state_dict(st_torch.load_file(str(tmp_path / "ours.safetensors")))
    tm.eval()
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(m(tg.Tensor(x)).detach().numpy(), tm(torch.from_numpy(x)).numpy(),
                                   rtol=1e-5, atol=1e-6)
    # and the other way: torch's initial weights into our model
    tm2 = _torch_twin(torch)
    st_torch.save_file(tm2.state_dict(), str(tmp_path / "theirs.safetensors"))
    m.load_state_dict(load_safetensors(tmp_path / "theirs.safetensors"))
    for k, v in tm2.state_dict().items():
        np.testing.assert_array_equal(m.state_dict()[k].numpy(), v.numpy())
