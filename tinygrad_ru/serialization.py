"""Saving and loading checkpoints without pickle: ``save(obj, path)`` / ``load(path)``.

A checkpoint is an ordinary ``.npz`` archive (NumPy's zip of ``.npy`` files) that holds

* one ``.npy`` member per array (``a0``, ``a1``, …), written with ``allow_pickle=False``;
* a member ``__tinygrad_ru__`` — a uint8 array with the UTF-8 JSON *manifest*: the format name
  and version and the structure of the saved object (dicts, lists, tuples), with the numbers,
  strings, booleans and ``None`` inline and a reference to its member for every array/Tensor.

So ``numpy.load(path)`` opens it anywhere, loading never runs pickle (a checkpoint from the
internet can't execute code), and ``obj`` may be a model's ``state_dict()`` or a nested training
state ``{"model": ..., "optimizer": ..., "epoch": 3}``.

The file is written atomically: into a temporary file in the same directory, flushed and
fsync'ed, then renamed over the target with ``os.replace`` — a crash leaves either the old
checkpoint or the new one, never half a file.  A process killed while writing (SIGKILL, power
loss) leaves its hidden temporary ``.NAME.tgru-HOST-PID-XXXXXXXX.tmp`` behind; the next save to
the same target removes such leftovers — only files of exactly that name pattern, written on this
host by a process that no longer runs.

Optional: ``save_safetensors`` / ``load_safetensors`` (the ``safetensors`` package, extra
``interop``) write the flat ``{name: tensor}`` format that PyTorch and others read.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import socket
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np  # host-side file I/O: the one place in tinygrad_ru.nn's neighbourhood that names NumPy

from . import backend, torch_format
from .checkpoint_common import CheckpointError, map_device
from .tensor import Tensor

__all__ = ["save", "load", "save_safetensors", "load_safetensors", "CheckpointError"]

FORMAT = "tinygrad_ru.checkpoint"
VERSION = 1
_MANIFEST = "__tinygrad_ru__"
_MAX_DEPTH = 200  # nesting levels of dicts/lists a checkpoint may have (a state dict has about 4)


# ----------------------------------------------------------------------------- encoding
class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _add_array(self, array: np.ndarray, where: str) -> str:
        if array.dtype.hasobject:
            raise TypeError(f"save: {where} is an array of Python objects ({array.dtype}); only numeric arrays "
                            "can be saved without pickle")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = array
        return key

    def encode(self, value: Any, where: str, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError(f"save: {where} is nested deeper than {_MAX_DEPTH} levels of dicts/lists/tuples")
        if isinstance(value, Tensor):
            node = {"type": "tensor", "key": self._add_array(backend.to_numpy(value.data), where),
                    "device": value.device}
            if value.requires_grad:
                node["requires_grad"] = True
            return node
        if isinstance(value, np.ndarray) or type(value).__module__.startswith("cupy"):
            return {"type": "ndarray", "key": self._add_array(backend.to_numpy(value), where)}
        if isinstance(value, np.generic):
            return {"type": "npscalar", "key": self._add_array(np.asarray(value), where)}
        if value is None or isinstance(value, (bool, str)):
            return {"type": "value", "value": value}
        if isinstance(value, int):
            return {"type": "value", "value": value}
        if isinstance(value, float):
            if math.isfinite(value):
                return {"type": "value", "value": value}
            return {"type": "float", "value": repr(value)}  # 'nan', 'inf', '-inf': strict JSON has none
        if isinstance(value, Mapping):
            items = []
            for k, v in value.items():
                if isinstance(k, bool) or not isinstance(k, (str, int)):
                    raise TypeError(f"save: dict keys must be str or int, got {k!r} ({type(k).__name__}) in {where}")
                items.append([k, self.encode(v, f"{where}[{k!r}]", depth + 1)])
            kind = "odict" if isinstance(value, OrderedDict) else "dict"
            return {"type": kind, "items": items}
        if isinstance(value, (list, tuple)):
            kind = "list" if isinstance(value, list) else "tuple"
            return {"type": kind, "items": [self.encode(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]}
        raise TypeError(
            f"save: cannot store {type(value).__name__} at {where}; a checkpoint holds Tensors, arrays, numbers, "
            "strings, None and (nested) dicts/lists/tuples of them"
        )


class _Decoder:
    def __init__(self, archive: Any, path: str, map_location: Any) -> None:
        self.archive, self.path, self.map_location = archive, path, map_location

    def _array(self, key: str) -> np.ndarray:
        try:
            return self.archive[key]
        except KeyError:
            raise _not_checkpoint(self.path, f"the manifest refers to a missing array {key!r}") from None

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise _not_checkpoint(self.path, f"the manifest is nested deeper than {_MAX_DEPTH} levels")
        try:
            kind = node["type"]
        except (TypeError, KeyError):
            raise _not_checkpoint(self.path, "malformed manifest") from None
        if kind == "tensor":
            arr = self._array(node["key"])
            device = map_device(self.map_location, node.get("device", "cpu"))
            data = backend.to_device(arr, device)
            t = Tensor._wrap(data, False)
            if node.get("requires_grad"):
                t.requires_grad = True
            return t
        if kind == "ndarray":
            return self._array(node["key"])
        if kind == "npscalar":
            return self._array(node["key"])[()]
        if kind == "value":
            return node["value"]
        if kind == "float":
            return float(node["value"])
        if kind in ("dict", "odict"):
            out = OrderedDict() if kind == "odict" else {}
            for k, v in node["items"]:
                out[k] = self.decode(v, depth + 1)
            return out
        if kind == "list":
            return [self.decode(v, depth + 1) for v in node["items"]]
        if kind == "tuple":
            return tuple([self.decode(v, depth + 1) for v in node["items"]])
        raise _not_checkpoint(self.path, f"unknown entry type {kind!r} in the manifest")


def _not_checkpoint(path: Any, why: str) -> CheckpointError:
    return CheckpointError(f"load: {path} is not a tinygrad_ru checkpoint ({why})")


# ----------------------------------------------------------------------------- writing
def _write_npz(f: Any, arrays: dict[str, np.ndarray], manifest: dict) -> None:
    blob = np.frombuffer(json.dumps(manifest, allow_nan=False).encode("utf-8"), dtype=np.uint8)
    # np.savez on an open file object writes exactly there (no ".npz" appended to names)
    np.savez(f, **{_MANIFEST: blob}, **arrays)


def _fsync_dir(directory: str) -> None:
    if os.name != "posix":  # pragma: no cover - directories can't be opened on Windows
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def _host_prefix(path: str) -> str:
    """``.NAME.tgru-HOST-``: how the temporary files for ``path`` written on this host begin
    (then the writer's PID, ``-``, mkstemp's 8 random characters and ``.tmp``)."""
    host = re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())[:40]
    return f".{os.path.basename(path)}.tgru-{host}-"


def _process_gone(pid: int) -> bool:
    if os.name != "posix":  # pragma: no cover - os.kill(pid, 0) would terminate the process on Windows
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # e.g. PermissionError: it exists, owned by someone else
        return False
    return False


def remove_stale_temporaries(path: str | os.PathLike) -> list[str]:
    """Delete the temporaries that an interrupted :func:`atomic_write` to ``path`` left behind.

    Only files named exactly ``.NAME.tgru-HOST-PID-XXXXXXXX.tmp`` for this target, this host and a
    process that is no longer running; anything else (a file we did not write, a save still in
    progress) stays.  Returns the removed paths.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    pattern = re.compile(re.escape(_host_prefix(path)) + r"(\d+)-[a-z0-9_]{8}\.tmp")
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:  # pragma: no cover - an unreadable directory: mkstemp will report it
        return removed
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        if m is None or not entry.is_file(follow_symlinks=False) or not _process_gone(int(m.group(1))):
            continue
        try:
            os.unlink(entry.path)
            removed.append(entry.path)
        except FileNotFoundError:  # another process cleaned it first
            pass
    return removed


def atomic_write(path: str | os.PathLike, write: Callable[[Any], None]) -> None:
    """Call ``write(file)`` on a temporary file next to ``path``, fsync it and rename it over ``path``.

    On any error the temporary file is removed and ``path`` is untouched; temporaries that a killed
    earlier write to the same ``path`` left behind are removed first (:func:`remove_stale_temporaries`).
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f"{_host_prefix(path)}{os.getpid()}-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(directory)


def save(obj: Any, path: str | os.PathLike | io.IOBase, format: str = "npz") -> None:  # noqa: A002 - the keyword
    """Write ``obj`` — Tensors, arrays, numbers, strings, None and (nested) dicts/lists/tuples of
    them, e.g. ``model.state_dict()`` or ``{"model": ..., "optimizer": ..., "epoch": 5}`` — to ``path``
    as an ``.npz`` checkpoint (see the module docstring).  Atomic for paths; a writable binary file
    object is written directly.  Tensors are stored by value (host copies), bit for bit.

    ``format="pt"`` writes PyTorch's zip format instead (:mod:`tinygrad_ru.torch_format`), which
    ``torch.load(path, weights_only=True)`` reads; tensors are saved as CPU tensors.
    """
    if format not in ("npz", "pt"):
        raise ValueError(f"save: unknown format {format!r}; use 'npz' (tinygrad_ru's) or 'pt' (PyTorch's)")
    if format == "pt":
        if hasattr(path, "write"):
            torch_format.save(obj, path)
        else:
            atomic_write(path, lambda f: torch_format.save(obj, f))
        return
    enc = _Encoder()
    manifest = {"format": FORMAT, "version": VERSION, "root": enc.encode(obj, "obj")}
    if hasattr(path, "write"):
        _write_npz(path, enc.arrays, manifest)
        return
    atomic_write(path, lambda f: _write_npz(f, enc.arrays, manifest))


def load(path: str | os.PathLike | io.IOBase, map_location: Any = None, weights_only: bool | None = None) -> Any:
    """Read a checkpoint written by :func:`save`, or a PyTorch ``.pt`` file of tensors; never runs pickled code.

    A ``torch.save`` file (a zip with ``data.pkl``) is read by :func:`tinygrad_ru.torch_format.load`,
    whose restricted unpickler accepts only tensors, numbers, strings and dicts/lists of them.

    ``map_location``: None puts each Tensor back on the device it was saved from; a device
    (``"cpu"``, ``"cuda:0"``) puts them all there; a dict ``{"cuda:0": "cpu"}`` or a callable
    ``fn(saved_device) -> device`` maps devices.  A truncated, corrupted or foreign file raises
    :class:`CheckpointError` (a ValueError) saying so.  ``weights_only`` is accepted for
    ``torch.load`` calls and changes nothing: loading is always weights-only here.
    """
    if hasattr(path, "read"):
        name = str(getattr(path, "name", None) or "<file object>")
        source: Any = path
    else:
        name = os.fspath(path)
        with open(name, "rb") as fh:  # FileNotFoundError stays what it is
            head = fh.read(4)
        if head[:2] != b"PK":
            what = "empty file" if not head else "not a zip/npz archive"
            if head[:1] == b"\x80":
                what = ("a pickle file (PyTorch's format before 1.6?); tinygrad_ru never unpickles: "
                        "re-save it with a recent torch.save")
            elif head == b"\x93NUM":
                what = "a bare .npy array"
            raise _not_checkpoint(name, what)
        source = name
    if torch_format.is_torch_zip(source):
        return torch_format.load(source, map_location, name)
    try:
        with np.load(source, allow_pickle=False) as archive:
            if _MANIFEST not in archive.files:
                raise _not_checkpoint(name, "an .npz archive without a tinygrad_ru manifest")
            try:
                manifest = json.loads(archive[_MANIFEST].tobytes().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise _not_checkpoint(name, f"unreadable manifest: {e}") from None
            except RecursionError:  # json's own parser gives up on very deep nesting
                raise _not_checkpoint(name, f"the manifest is nested deeper than {_MAX_DEPTH} levels") from None
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise _not_checkpoint(name, "the manifest names another format")
            if manifest.get("version", 0) > VERSION:
                raise CheckpointError(
                    f"load: {name} was written by a newer tinygrad_ru (checkpoint format version "
                    f"{manifest.get('version')}, this one reads up to {VERSION})"
                )
            return _Decoder(archive, name, map_location).decode(manifest.get("root"))
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError, zipfile.LargeZipFile) as e:
        raise _not_checkpoint(name, f"truncated or corrupted: {type(e).__name__}: {e}") from None


# ----------------------------------------------------------------------------- safetensors
def _safetensors_numpy():
    try:
        import safetensors.numpy as st
    except ImportError:
        raise ImportError(
            "safetensors export/import needs the 'safetensors' package: pip install 'tinygrad-ru[interop]' "
            "(or pip install safetensors)"
        ) from None
    return st


def save_safetensors(state_dict: Mapping[str, Any], path: str | os.PathLike,
                     metadata: Mapping[str, str] | None = None) -> None:
    """Write a flat ``{name: Tensor or array}`` (a ``state_dict()``) in the safetensors format, atomically.

    PyTorch reads it with ``safetensors.torch.load_file(path)`` and ``model.load_state_dict(...)``.
    """
    st = _safetensors_numpy()
    arrays = {}
    for k, v in state_dict.items():
        if not isinstance(k, str):
            raise TypeError(f"save_safetensors: keys must be strings, got {k!r}")
        data = v.data if isinstance(v, Tensor) else v
        if not hasattr(data, "shape"):
            raise TypeError(f"save_safetensors: {k!r} is a {type(v).__name__}; only tensors/arrays can be stored")
        host = backend.to_numpy(data)
        arrays[k] = host if host.flags.c_contiguous else host.copy(order="C")  # keeps 0-d arrays 0-d
    blob = st.save(arrays, metadata=dict(metadata) if metadata else None)
    atomic_write(path, lambda f: f.write(blob))


def load_safetensors(path: str | os.PathLike, device: Any = "cpu") -> OrderedDict[str, Tensor]:
    """Read a safetensors file into an ordered ``{name: Tensor}`` (for ``model.load_state_dict``)."""
    st = _safetensors_numpy()
    path = os.fspath(path)
    with open(path, "rb") as fh:
        blob = fh.read()
    try:
        arrays = st.load(blob)
    except Exception as e:  # safetensors raises its own SafetensorError
        raise CheckpointError(f"load_safetensors: {path} is not a readable safetensors file ({e})") from None
    return OrderedDict((k, Tensor._wrap(backend.to_device(a, device), False)) for k, a in arrays.items())
