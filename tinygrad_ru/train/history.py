"""What a training run records: one row per epoch and one per iteration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class History:
    """``epochs``: rows with epoch, train_loss, train_acc, val_loss, val_acc, lr, time (cumulative s).
    ``iterations``: rows with step, loss, lr, time.  ``history["val_acc"]`` lists one column."""

    epochs: list[dict[str, Any]] = field(default_factory=list)
    iterations: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str | None = None  # set when a callback stopped training early

    def __getitem__(self, key: str) -> list[Any]:
        return [row.get(key) for row in self.epochs]

    def last(self, key: str, default: Any = None) -> Any:
        return self.epochs[-1].get(key, default) if self.epochs else default

    def to_dict(self) -> dict[str, Any]:
        return {"epochs": [dict(r) for r in self.epochs], "iterations": [dict(r) for r in self.iterations]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        return cls([dict(r) for r in data.get("epochs", [])], [dict(r) for r in data.get("iterations", [])])
