"""PyTorch's checkpoint format (what ``torch.save`` writes), read and written without running pickled code.

A ``.pt`` file since PyTorch 1.6 is a zip archive::

    archive/data.pkl       the object, pickled; every tensor is a call
                           torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)
                           whose storage is a *persistent id* ('storage', torch.FloatStorage, '0', 'cpu', numel)
    archive/data/0, …      the storages: raw little-endian bytes
    archive/byteorder      'little' or 'big';   archive/version: '3'

Unpickling can call any function a pickle names, so an untrusted file could run code.  Here the
unpickler resolves only the names a state dict of plain tensors needs — ``collections.OrderedDict``,
the tensor/parameter rebuild functions and the storage types — each to a small function of this
module (never to torch, which need not be installed), and refuses every other name with
:class:`~tinygrad_ru.serialization.CheckpointError`.  This is the idea of
``torch.load(weights_only=True)``.  Tensors come back as tinygrad_ru Tensors with their dtype
(bfloat16, which NumPy lacks, is widened to float32 exactly); views of one storage become copies.

:func:`save` writes the same format (protocol-2 pickle written opcode by opcode, storages on the
CPU), which ``torch.load(path, weights_only=True)`` reads.
"""

from __future__ import annotations

import io
import pickle
import struct
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import backend
from .checkpoint_common import CheckpointError, map_device
from .nn.parameter import Parameter
from .tensor import Tensor

np = backend.host  # file bytes live on the host

__all__ = ["is_torch_zip", "load", "save"]

# torch.<name>Storage → the NumPy dtype of its elements
_STORAGE_DTYPES = {
    "FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16", "BFloat16Storage": "bfloat16",
    "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16", "CharStorage": "int8",
    "ByteStorage": "uint8", "BoolStorage": "bool", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
}
_DTYPE_STORAGES = {v: k for k, v in _STORAGE_DTYPES.items() if v != "bfloat16"}
_EXPANSION_LIMIT = 1024  # the most elements a tensor may have per element of its storage (expanded views copy)


def _error(path: str, why: str) -> CheckpointError:
    return CheckpointError(f"load: {path}: {why}")


# ----------------------------------------------------------------------------- reading
@dataclass(frozen=True, slots=True)
class _StorageType:
    """What ``torch.FloatStorage`` & co. unpickle to: just the element type (frozen: BUILD can't alter it)."""

    name: str


@dataclass(frozen=True, slots=True)
class _Storage:
    """One storage of the archive: its elements as a flat host array, and the device to load it to."""

    array: Any
    device: Any


class _RebuildTensor:
    """``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])``."""

    __slots__ = ()  # no __dict__: a pickle's BUILD opcode cannot change it

    def __call__(self, storage: _Storage, offset: int, size: tuple, stride: tuple, requires_grad: bool = False,
                 backward_hooks: Any = None, metadata: Any = None) -> Tensor:
        if not isinstance(storage, _Storage):
            raise TypeError("a tensor without a storage")
        if backward_hooks:
            raise TypeError("a tensor with backward hooks")
        size, stride, offset = tuple(int(s) for s in size), tuple(int(s) for s in stride), int(offset)
        if len(size) != len(stride) or offset < 0 or min(size + stride, default=0) < 0:
            raise TypeError(f"bad tensor geometry: size {size}, stride {stride}, offset {offset}")
        flat = storage.array
        numel = 1
        for n in size:
            numel *= n
        if numel > _EXPANSION_LIMIT * max(flat.size, 1):  # stride-0 views: a tiny file must not ask for terabytes
            raise TypeError(f"a tensor of size {size} (stride {stride}) expands its storage of {flat.size} "
                            f"elements more than {_EXPANSION_LIMIT}×")
        if all(size):  # a non-empty tensor must lie inside its storage
            last = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
            if last >= flat.size:
                raise TypeError(f"tensor of size {size}, stride {stride}, offset {offset} overruns its storage "
                                f"of {flat.size} elements")
            view = backend.as_strided(flat[offset:], size, tuple(s * flat.itemsize for s in stride))
        else:
            view = np.zeros(size, dtype=flat.dtype)
        return Tensor(view.copy(), dtype=view.dtype, device=storage.device, requires_grad=bool(requires_grad))


class _RebuildParameter:
    """``torch._utils._rebuild_parameter(data, requires_grad, hooks[, state])`` → an ``nn.Parameter``."""

    __slots__ = ()

    def __call__(self, data: Tensor, requires_grad: bool, backward_hooks: Any, state: Any = None) -> Tensor:
        if not isinstance(data, Tensor) or backward_hooks or state:
            raise TypeError("a parameter that is not a plain tensor")
        return Parameter(data, requires_grad=bool(requires_grad))


class _Size:
    """``torch.Size(sequence)`` → a tuple."""

    __slots__ = ()

    def __call__(self, sizes: Any = ()) -> tuple:
        return tuple(int(s) for s in sizes)


_ALLOWED = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _RebuildTensor(),
    ("torch._utils", "_rebuild_parameter"): _RebuildParameter(),
    ("torch._utils", "_rebuild_parameter_with_state"): _RebuildParameter(),
    ("torch", "Size"): _Size(),
    **{("torch", name): _StorageType(name) for name in _STORAGE_DTYPES},
}


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that knows only the names in ``_ALLOWED`` and reads storages from the archive."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile, prefix: str, path: str, map_location: Any) -> None:
        super().__init__(io.BytesIO(data))
        self.archive, self.prefix, self.path, self.map_location = archive, prefix, path, map_location
        self.storages: dict[str, _Storage] = {}
        order = f"{prefix}/byteorder"
        self.byteorder = archive.read(order).decode().strip() if order in archive.namelist() else "little"
        if self.byteorder not in ("little", "big"):
            raise _error(path, f"unknown byte order {self.byteorder!r}")

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise _error(self.path, f"refused: the pickle asks for {module}.{name}; tinygrad_ru reads only tensors, "
                                    "numbers, strings and dicts/lists of them from a PyTorch file (it never runs "
                                    "pickled code)") from None

    def persistent_load(self, pid: Any) -> _Storage:
        if (not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage"
                or not isinstance(pid[1], _StorageType) or not isinstance(pid[2], str)):
            raise _error(self.path, f"refused: unknown persistent id {pid!r}")
        _, kind, key, location, numel = pid
        if key not in self.storages:
            self.storages[key] = _Storage(self._read_storage(kind.name, key, int(numel)),
                                          map_device(self.map_location, str(location)))
        return self.storages[key]

    def _read_storage(self, kind: str, key: str, numel: int) -> Any:
        name = f"{self.prefix}/data/{key}"
        try:
            raw = self.archive.read(name)
        except KeyError:
            raise _error(self.path, f"the storage {name!r} is missing") from None
        dtype_name = _STORAGE_DTYPES[kind]
        stored = np.dtype("uint16" if dtype_name == "bfloat16" else dtype_name)
        if len(raw) < numel * stored.itemsize:
            raise _error(self.path, f"the storage {name!r} holds {len(raw)} bytes, {numel} × {stored.itemsize} "
                                    "expected")
        flat = np.frombuffer(raw, dtype=stored.newbyteorder("<" if self.byteorder == "little" else ">"),
                             count=numel).astype(stored, copy=False)
        if dtype_name == "bfloat16":  # the upper half of a float32: widening is exact
            flat = (flat.astype(np.uint32) << 16).view(np.float32)
        return flat


def _pickle_name(archive: zipfile.ZipFile) -> str | None:
    names = [n for n in archive.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
    return names[0] if len(names) == 1 else None


def is_torch_zip(source: Any) -> bool:
    """Whether ``source`` (a path or a seekable binary file) is a zip archive laid out as ``torch.save``'s."""
    position = source.tell() if hasattr(source, "tell") else None
    try:
        with zipfile.ZipFile(source) as archive:
            return _pickle_name(archive) is not None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
    finally:
        if position is not None:
            source.seek(position)


def load(source: Any, map_location: Any = None, name: str | None = None) -> Any:
    """Read a ``torch.save`` file (a state dict of plain tensors, possibly nested with numbers, strings,
    lists and dicts) into tinygrad_ru Tensors; anything else is refused with ``CheckpointError``.

    ``map_location`` as in :func:`tinygrad_ru.load`; by default a tensor goes to the device it was saved
    from (``"cpu"``, ``"cuda:0"``).
    """
    path = name or str(getattr(source, "name", source))
    try:
        with zipfile.ZipFile(source) as archive:
            pkl = _pickle_name(archive)
            if pkl is None:
                raise _error(path, "not a PyTorch checkpoint (no data.pkl in the archive)")
            unpickler = _RestrictedUnpickler(archive.read(pkl), archive, pkl.split("/")[0], path, map_location)
            return unpickler.load()
    except (pickle.UnpicklingError, TypeError, AttributeError, ValueError, EOFError, KeyError, IndexError,
            zipfile.BadZipFile, struct.error) as e:
        if isinstance(e, CheckpointError):
            raise
        raise _error(path, f"refused or corrupted PyTorch checkpoint ({type(e).__name__}: {e})") from None


# ----------------------------------------------------------------------------- writing
class _PickleWriter:
    """A protocol-2 pickle written opcode by opcode: the structure of the object, and for each tensor
    a call of ``torch._utils._rebuild_tensor_v2`` on a storage stored beside it in the archive."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.storages: list[Any] = []  # host arrays, C-contiguous, in key order

    def op(self, *parts: bytes) -> None:
        for p in parts:
            self.out.write(p)

    def global_(self, module: str, name: str) -> None:
        self.op(b"c", module.encode(), b"\n", name.encode(), b"\n")

    def string(self, s: str) -> None:
        data = s.encode("utf-8")
        self.op(b"X", struct.pack("<I", len(data)), data)

    def integer(self, v: int) -> None:
        if -2**31 <= v < 2**31:
            self.op(b"J", struct.pack("<i", v))
        else:
            data = v.to_bytes((v.bit_length() + 8) // 8, "little", signed=True)
            self.op(b"\x8a", bytes([len(data)]), data)

    def ordered_dict(self) -> None:
        self.global_("collections", "OrderedDict")
        self.op(b")", b"R")

    def tensor(self, array: Any, requires_grad: bool, where: str) -> None:
        host = backend.to_numpy(array)
        if not host.flags.c_contiguous:
            host = host.copy(order="C")  # (np.ascontiguousarray would make a 0-d array 1-d)
        kind = _DTYPE_STORAGES.get(host.dtype.name)
        if kind is None:
            raise TypeError(f"save(format='pt'): {where} has dtype {host.dtype}, which PyTorch has no storage for")
        key = str(len(self.storages))
        self.storages.append(host)
        strides = tuple(s // host.itemsize for s in host.strides) if host.size else (0,) * host.ndim
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.op(b"(", b"(")  # args, and the persistent id of the storage
        self.string("storage")
        self.global_("torch", kind)
        self.string(key)
        self.string("cpu")
        self.integer(int(host.size))
        self.op(b"t", b"Q")
        self.integer(0)
        self.value(tuple(int(n) for n in host.shape), where)
        self.value(strides, where)
        self.op(b"\x88" if requires_grad else b"\x89")
        self.ordered_dict()  # backward hooks: none
        self.op(b"t", b"R")

    def value(self, v: Any, where: str) -> None:  # noqa: C901 - one branch per kind of value
        if isinstance(v, Tensor):
            self.tensor(v.data, v.requires_grad, where)
        elif hasattr(v, "shape") and hasattr(v, "dtype") and not isinstance(v, np.generic):  # an array
            self.tensor(v, False, where)
        elif v is None:
            self.op(b"N")
        elif isinstance(v, (bool, np.bool_)):
            self.op(b"\x88" if v else b"\x89")
        elif isinstance(v, (int, np.integer)):
            self.integer(int(v))
        elif isinstance(v, (float, np.floating)):
            self.op(b"G", struct.pack(">d", float(v)))
        elif isinstance(v, str):
            self.string(v)
        elif isinstance(v, Mapping):
            if isinstance(v, OrderedDict):
                self.ordered_dict()
            else:
                self.op(b"}")
            self.op(b"(")
            for k, item in v.items():
                if not isinstance(k, (str, int)):
                    raise TypeError(f"save(format='pt'): dict keys must be str or int, got {k!r} in {where}")
                self.value(k, where)
                self.value(item, f"{where}[{k!r}]")
            self.op(b"u")
        elif isinstance(v, list):
            self.op(b"]", b"(")
            for i, item in enumerate(v):
                self.value(item, f"{where}[{i}]")
            self.op(b"e")
        elif isinstance(v, tuple):
            self.op(b"(")
            for i, item in enumerate(v):
                self.value(item, f"{where}[{i}]")
            self.op(b"t")
        else:
            raise TypeError(f"save(format='pt'): cannot store {type(v).__name__} at {where}; a PyTorch file from "
                            "tinygrad_ru holds Tensors, arrays, numbers, strings, None and dicts/lists/tuples of them")


def save(obj: Any, file: Any) -> None:
    """Write ``obj`` (e.g. ``model.state_dict()``) to the binary file ``file`` in ``torch.save``'s zip format.

    Tensors and arrays become CPU tensors of the same dtype; ``torch.load(path, weights_only=True)`` reads it.
    """
    writer = _PickleWriter()
    writer.op(b"\x80\x02")
    writer.value(obj, "obj")
    writer.op(b".")
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", writer.out.getvalue())
        archive.writestr("archive/byteorder", "little")
        for key, host in enumerate(writer.storages):
            archive.writestr(f"archive/data/{key}", host.astype(host.dtype.newbyteorder("<"), copy=False).tobytes())
        archive.writestr("archive/version", "3\n")
