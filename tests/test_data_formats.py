"""Data files in their real formats: IDX (gzip/raw), CIFAR-10 binary, downloads, the bundled sample."""

import gzip
import hashlib
import io
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest

from tinygrad_ru.data import datasets
from tinygrad_ru.data.datasets import (
    CIFAR10,
    MNIST,
    DownloadError,
    FashionMNIST,
    MNIST10k,
    best_mnist,
    download_url,
    load_dataset,
    read_cifar_binary,
    read_idx,
    write_cifar_binary,
    write_idx,
)


def idx_bytes(arr: np.ndarray, type_code: int = 0x08) -> bytes:
    """IDX written by hand with struct (independent of write_idx)."""
    header = struct.pack(">BBBB", 0, 0, type_code, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


@pytest.fixture
def small_mnist():
    rng = np.random.default_rng(0)
    return {
        "train": (rng.integers(0, 256, (12, 28, 28), dtype=np.uint8), rng.integers(0, 10, 12).astype(np.uint8)),
        "test": (rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), rng.integers(0, 10, 5).astype(np.uint8)),
    }


def write_mnist_dir(folder: Path, sets, gz: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images, labels = sets[split]
        for name, arr in ((f"{prefix}-images-idx3-ubyte", images), (f"{prefix}-labels-idx1-ubyte", labels)):
            raw = idx_bytes(arr)
            if gz:
                (folder / (name + ".gz")).write_bytes(gzip.compress(raw))
            else:
                (folder / name).write_bytes(raw)


# ----------------------------------------------------------------------------- IDX
@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_handwritten_file(tmp_path, gz):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = idx_bytes(arr)
    path = tmp_path / ("x.idx.gz" if gz else "x.idx")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    out = read_idx(path, expected_magic=2051)
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, arr)


def test_read_idx_detects_gzip_by_content_not_name(tmp_path):
    arr = np.arange(10, dtype=np.uint8)
    path = tmp_path / "labels-no-suffix"
    path.write_bytes(gzip.compress(idx_bytes(arr)))
    np.testing.assert_array_equal(read_idx(path, 2049), arr)


@pytest.mark.parametrize("dtype,code", [(np.int16, 0x0B), (np.int32, 0x0C), (np.float32, 0x0D),
                                        (np.float64, 0x0E), (np.int8, 0x09)])
def test_idx_multibyte_types_are_big_endian(tmp_path, dtype, code):
    arr = (np.arange(6).reshape(2, 3) * 37 - 50).astype(dtype)
    (tmp_path / "a.idx").write_bytes(idx_bytes(arr, code))
    out = read_idx(tmp_path / "a.idx")
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, arr)
    write_idx(tmp_path / "b.idx.gz", arr)
    assert (tmp_path / "b.idx.gz").read_bytes()[:2] == b"\x1f\x8b"
    np.testing.assert_array_equal(read_idx(tmp_path / "b.idx.gz"), arr)
    write_idx(tmp_path / "c.idx", arr)
    assert (tmp_path / "c.idx").read_bytes() == idx_bytes(arr, code)


def test_wrong_magic_names_file_and_both_magics(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros(5, dtype=np.uint8)))  # a labels file (2049)
    with pytest.raises(ValueError) as e:
        read_idx(path, expected_magic=2051)
    msg = str(e.value)
    assert str(path) in msg and "2051" in msg and "2049" in msg and "magic" in msg


def test_not_an_idx_file(tmp_path):
    path = tmp_path / "foreign.bin"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(ValueError, match="not an IDX file") as e:
        read_idx(path)
    assert str(path) in str(e.value)


def test_truncated_idx_data_and_header(tmp_path):
    raw = idx_bytes(np.zeros((3, 4, 4), dtype=np.uint8))
    path = tmp_path / "short.idx"
    path.write_bytes(raw[:-5])
    with pytest.raises(ValueError, match=r"truncated IDX data.*48 bytes.*43") as e:
        read_idx(path, 2051)
    assert str(path) in str(e.value)
    path.write_bytes(raw[:9])
    with pytest.raises(ValueError, match="truncated IDX header"):
        read_idx(path)
    path.write_bytes(raw[:2])
    with pytest.raises(ValueError, match="too short"):
        read_idx(path)
    path.write_bytes(raw + b"\x00")
    with pytest.raises(ValueError, match="longer than its header"):
        read_idx(path)


def test_truncated_gzip_is_a_clear_value_error(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(1000, dtype=np.uint8) % 7))[:-30])
    with pytest.raises(ValueError, match="truncated or corrupt gzip") as e:
        read_idx(path)
    assert str(path) in str(e.value)


# ----------------------------------------------------------------------------- MNIST-style sets
@pytest.mark.parametrize("gz", [False, True])
def test_mnist_reads_standard_files(tmp_path, small_mnist, gz):
    write_mnist_dir(tmp_path / "mnist", small_mnist, gz)
    train = MNIST(tmp_path, train=True)
    test = MNIST(tmp_path, train=False)
    assert len(train) == 12 and len(test) == 5
    assert train.data.dtype == np.uint8 and train.data.shape == (12, 28, 28)
    assert train.targets.dtype == np.int64
    np.testing.assert_array_equal(train.data, small_mnist["train"][0])
    np.testing.assert_array_equal(test.targets, small_mnist["test"][1])
    x, y = train[3]
    np.testing.assert_array_equal(x, small_mnist["train"][0][3])
    assert int(y) == small_mnist["train"][1][3]
    assert str(tmp_path / "mnist") in train.source


def test_mnist_torchvision_layout_and_fashion(tmp_path, small_mnist):
    write_mnist_dir(tmp_path / "MNIST" / "raw", small_mnist, gz=True)
    write_mnist_dir(tmp_path / "FashionMNIST" / "raw", small_mnist, gz=False)
    assert len(MNIST(tmp_path)) == 12
    fm = FashionMNIST(tmp_path, train=False)
    assert len(fm) == 5 and fm.classes[9] == "Ankle boot"


def test_mnist_mismatched_counts(tmp_path, small_mnist):
    sets = dict(small_mnist)
    sets["train"] = (sets["train"][0], sets["train"][1][:7])
    write_mnist_dir(tmp_path, sets, gz=True)
    with pytest.raises(ValueError, match="12 images but .* 7 labels"):
        MNIST(tmp_path)


def test_mnist_missing_files_say_where_to_put_them(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        MNIST(tmp_path / "nothing", train=True)
    msg = str(e.value)
    assert "train-images-idx3-ubyte" in msg and "download=True" in msg
    assert str(tmp_path / "nothing" / "mnist") in msg and "ossci-datasets" in msg


# ----------------------------------------------------------------------------- downloads
def test_download_url_file_scheme_verifies_and_writes_atomically(tmp_path):
    payload = b"hello mnist" * 100
    src = tmp_path / "src.bin"
    src.write_bytes(payload)
    dest = tmp_path / "out" / "f.bin"
    md5 = hashlib.md5(payload).hexdigest()
    sha = hashlib.sha256(payload).hexdigest()
    download_url(["file:///definitely/not/here.bin", src.as_uri()], dest, md5=md5, sha256=sha, quiet=True)
    assert dest.read_bytes() == payload
    assert [p.name for p in dest.parent.iterdir()] == ["f.bin"]  # no temporary leftovers


def test_download_checksum_mismatch_leaves_nothing_and_explains(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"corrupted")
    dest = tmp_path / "out" / "train-images-idx3-ubyte.gz"
    with pytest.raises(DownloadError) as e:
        download_url([src.as_uri()], dest, md5="0" * 32, quiet=True)
    msg = str(e.value)
    assert "md5 mismatch" in msg and src.as_uri() in msg and str(dest) in msg
    assert not dest.exists() and not (tmp_path / "out").exists()


def test_mnist_download_with_monkeypatched_fetch(tmp_path, small_mnist, monkeypatch):
    served = tmp_path / "server"
    write_mnist_dir(served, small_mnist, gz=True)
    md5 = {p.name[:-3]: hashlib.md5(p.read_bytes()).hexdigest() for p in served.iterdir()}
    calls = []

    def fake_fetch(url, dest, timeout=30.0):
        calls.append(url)
        if url.startswith("https://dead.mirror/"):
            raise OSError("connection refused")
        dest.write(Path(served, url.rsplit("/", 1)[-1]).read_bytes())

    monkeypatch.setattr(datasets, "fetch_url", fake_fetch)
    monkeypatch.setattr(MNIST, "mirrors", ["https://dead.mirror/", "https://good.mirror/"])
    monkeypatch.setattr(MNIST, "md5", md5)
    root = tmp_path / "root"
    ds = MNIST(root, train=True, download=True)
    np.testing.assert_array_equal(ds.data, small_mnist["train"][0])
    assert (root / "mnist" / "train-images-idx3-ubyte.gz").is_file()
    assert calls[0].startswith("https://dead.mirror/") and calls[1].startswith("https://good.mirror/")
    assert "downloaded" in ds.source
    n = len(calls)
    MNIST(root, train=True, download=True)  # already there: no new fetches
    assert len(calls) == n


def test_download_failure_error_names_file_and_place(tmp_path, monkeypatch):
    def offline(url, dest, timeout=30.0):
        raise OSError("Name or service not known")

    monkeypatch.setattr(datasets, "fetch_url", offline)
    with pytest.raises(DownloadError) as e:
        MNIST(tmp_path, train=False, download=True)
    msg = str(e.value)
    assert "t10k-images-idx3-ubyte.gz" in msg and str(tmp_path / "mnist") in msg
    assert msg.count("Name or service not known") == len(MNIST.mirrors)


# ----------------------------------------------------------------------------- CIFAR-10 binary
def cifar_record_bytes(images, labels) -> bytes:
    out = bytearray()
    for img, lab in zip(images, labels):
        out.append(int(lab))
        for c in range(3):  # R plane, G plane, B plane, rows top to bottom
            out += img[:, :, c].tobytes()
    return bytes(out)


def make_cifar_dir(folder: Path, rng, per_batch=4):
    folder.mkdir(parents=True, exist_ok=True)
    truth = {}
    for name in [f"data_batch_{k}.bin" for k in range(1, 6)] + ["test_batch.bin"]:
        images = rng.integers(0, 256, (per_batch, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, per_batch)
        (folder / name).write_bytes(cifar_record_bytes(images, labels))
        truth[name] = (images, labels)
    return truth


def test_cifar10_binary_reader(tmp_path):
    truth = make_cifar_dir(tmp_path / "cifar-10-batches-bin", np.random.default_rng(1))
    train = CIFAR10(tmp_path, train=True)
    test = CIFAR10(tmp_path, train=False)
    assert train.data.shape == (20, 32, 32, 3) and train.data.dtype == np.uint8
    assert len(test) == 4 and train.classes[0] == "airplane"
    np.testing.assert_array_equal(train.data[4:8], truth["data_batch_2.bin"][0])
    np.testing.assert_array_equal(train.targets[16:], truth["data_batch_5.bin"][1])
    np.testing.assert_array_equal(test.data, truth["test_batch.bin"][0])
    imgs, labs = read_cifar_binary(tmp_path / "cifar-10-batches-bin" / "test_batch.bin")
    write_cifar_binary(tmp_path / "again.bin", imgs, labs)
    assert (tmp_path / "again.bin").read_bytes() == (tmp_path / "cifar-10-batches-bin/test_batch.bin").read_bytes()


def test_cifar10_bad_files(tmp_path):
    folder = tmp_path / "cifar-10-batches-bin"
    make_cifar_dir(folder, np.random.default_rng(2))
    good = (folder / "test_batch.bin").read_bytes()
    (folder / "test_batch.bin").write_bytes(good[:-100])
    with pytest.raises(ValueError, match="3073") as e:
        CIFAR10(tmp_path, train=False)
    assert "test_batch.bin" in str(e.value)
    bad = bytearray(good)
    bad[3073] = 57  # second record gets label 57
    (folder / "test_batch.bin").write_bytes(bytes(bad))
    with pytest.raises(ValueError, match="record 1 has label 57"):
        CIFAR10(tmp_path, train=False)
    (folder / "data_batch_3.bin").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_3.bin.*binary"):
        CIFAR10(tmp_path, train=True)


def test_cifar10_download_extracts_only_binary_members(tmp_path, monkeypatch):
    src = tmp_path / "src" / "cifar-10-batches-bin"
    truth = make_cifar_dir(src, np.random.default_rng(3), per_batch=2)
    (src / "batches.meta.txt").write_text("\n".join(CIFAR10.default_classes) + "\n")
    archive = tmp_path / "served" / "cifar-10-binary.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        for p in sorted(src.iterdir()):
            tar.add(p, arcname=f"cifar-10-batches-bin/{p.name}")
        evil = tarfile.TarInfo("../../evil.txt")
        evil.size = 4
        tar.addfile(evil, io.BytesIO(b"evil"))
    md5 = hashlib.md5(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(CIFAR10, "mirrors", [archive.parent.as_uri() + "/"])
    monkeypatch.setattr(CIFAR10, "archive_md5", md5)
    root = tmp_path / "root"
    ds = CIFAR10(root, train=False, download=True)
    np.testing.assert_array_equal(ds.data, truth["test_batch.bin"][0])
    assert not (tmp_path / "evil.txt").exists() and not (root.parent / "evil.txt").exists()
    assert sorted(p.name for p in (root / "cifar-10-batches-bin").iterdir()) == sorted(
        [f"data_batch_{k}.bin" for k in range(1, 6)] + ["test_batch.bin", "batches.meta.txt"])


# ----------------------------------------------------------------------------- the bundled sample
MNIST10K_DIR = Path(datasets.__file__).parent / "mnist10k"


def test_bundled_files_sha256():
    for name, want in datasets.MNIST10K_SHA256.items():
        assert hashlib.sha256((MNIST10K_DIR / name).read_bytes()).hexdigest() == want
    assert datasets.MNIST10K_SHA256["images-idx3-ubyte.gz"] == (
        "c57357b7f233235eb1e538ee125b55b20d88da422662fd72fe439c4947307fbd")


def test_mnist10k_splits_shapes_and_class_counts():
    train, test = MNIST10k(train=True), MNIST10k(train=False)
    assert train.data.shape == (8000, 28, 28) and test.data.shape == (2000, 28, 28)
    assert train.data.dtype == np.uint8 and train.targets.dtype == np.int64
    counts = np.bincount(np.concatenate([train.targets, test.targets]), minlength=10)
    assert counts.tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    full = read_idx(MNIST10K_DIR / "images-idx3-ubyte.gz", 2051)
    np.testing.assert_array_equal(train.data, full[:8000])
    np.testing.assert_array_equal(test.data, full[8000:])
    assert 0 < train.data.mean() < 255 and train.data.max() == 255
    assert "bundled" in train.source and "8000" in train.source
    train.data[0, 0, 0] = 7  # the caller's copy; the cached arrays stay intact
    assert MNIST10k(train=True).data[0, 0, 0] == full[0, 0, 0]


def test_load_dataset_names(tmp_path, small_mnist):
    assert len(load_dataset("mnist10k", train=False)) == 2000
    assert len(load_dataset("MNIST-10k")) == 8000
    write_mnist_dir(tmp_path / "mnist", small_mnist, gz=True)
    assert len(load_dataset("mnist", train=True, root=tmp_path)) == 12
    write_mnist_dir(tmp_path / "fashion-mnist", small_mnist, gz=True)
    assert isinstance(load_dataset("fashion_mnist", train=False, root=tmp_path), FashionMNIST)
    make_cifar_dir(tmp_path / "cifar-10-batches-bin", np.random.default_rng(4), per_batch=1)
    assert len(load_dataset("cifar10", train=True, root=tmp_path)) == 5
    with pytest.raises(ValueError, match="unknown dataset 'imagenet'.*mnist10k"):
        load_dataset("imagenet")


def test_best_mnist_prefers_full_then_falls_back(tmp_path, small_mnist, monkeypatch):
    monkeypatch.setattr(datasets, "fetch_url", lambda *a, **k: (_ for _ in ()).throw(OSError("offline")))
    train, test, msg = best_mnist(tmp_path / "empty", download=True)
    assert isinstance(train, MNIST10k) and len(test) == 2000
    assert "MNIST-10k" in msg and "not available" in msg
    write_mnist_dir(tmp_path / "full" / "mnist", small_mnist, gz=True)
    train, test, msg = best_mnist(tmp_path / "full", download=False)
    assert isinstance(train, MNIST) and len(train) == 12 and "full MNIST" in msg


@pytest.mark.skipif(not datasets.FASHION_MNIST_SYSTEM_DIR.is_dir(),
                    reason="Debian package dataset-fashion-mnist not installed")
def test_fashion_mnist_from_debian_package(tmp_path):
    test = FashionMNIST(tmp_path, train=False)
    assert test.data.shape == (10000, 28, 28)
    assert np.bincount(test.targets).tolist() == [1000] * 10
    assert str(datasets.FASHION_MNIST_SYSTEM_DIR) in test.source
