"""What the two checkpoint formats share: :mod:`tinygrad_ru.serialization` (``.npz``, ours) and
:mod:`tinygrad_ru.torch_format` (``.pt``, PyTorch's) raise the same error and read ``map_location``
the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CheckpointError", "map_device"]


class CheckpointError(ValueError):
    """The file is not a (readable) tinygrad_ru checkpoint."""


def map_device(map_location: Any, saved: str) -> Any:
    """Where a tensor saved from device ``saved`` is loaded: ``map_location`` None keeps ``saved``;
    a device (``"cpu"``, ``"cuda:0"``) puts every tensor there; a dict ``{"cuda:0": "cpu"}`` maps
    the devices it names; a callable ``fn(saved) -> device`` decides."""
    if map_location is None:
        return saved
    if isinstance(map_location, Mapping):
        return map_location.get(saved, saved)
    if callable(map_location):
        return map_location(saved)
    return map_location
