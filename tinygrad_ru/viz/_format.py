"""Numbers, shapes and derivatives as text: shared by the graph pictures and the backprop page."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from ..autograd.function import FreedTensor
from ..tensor import Tensor


def _scalar(t: Any) -> float:
    """The one value of a one-element tensor or array, as a Python float."""
    data = t.data if isinstance(t, Tensor) else t
    return float(backend.to_numpy(data).reshape(-1)[0])


def _fmt(v: float, int_below: float = 1e15) -> str:
    """A number for people: an integer (below ``int_below``) as such, anything else with 3 significant digits."""
    if not np.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < int_below:
        return str(int(v))
    return f"{v:.3g}"


def fmt_number(v: float) -> str:
    """A number with 3 significant digits, integers without a decimal point: 5, 0.25, -1.23e-05."""
    return _fmt(float(v), int_below=1e6)


def fmt_tensor(t: Any, max_elements: int = 4) -> str:
    """A scalar as a number, up to ``max_elements`` values as a list, else mean ± std (3 digits)."""
    a = backend.to_numpy(t.data if isinstance(t, Tensor) else t).astype(np.float64)
    if a.size == 1:
        return fmt_number(a.reshape(-1)[0])
    if a.size <= max_elements:
        return "[" + ", ".join(fmt_number(v) for v in a.reshape(-1)) + "]"
    return f"{fmt_number(a.mean())} ± {fmt_number(a.std())}"


def _nested(a: np.ndarray) -> str:
    """[[1, 0.5], [-2, 3.25]]: every element with :func:`_fmt` (no NumPy column padding)."""
    if a.ndim == 0:
        return _fmt(float(a))
    return "[" + ", ".join(_nested(row) for row in a) + "]"


def _array_text(t: Tensor, max_elements: int) -> str:
    """The values (up to ``max_elements``, nested like the tensor) or mean and std of a tensor."""
    if isinstance(t, FreedTensor):
        return "freed by backward"
    a = backend.to_numpy(t.data).astype(np.float64)
    if a.size == 1:
        return _fmt(float(a.reshape(-1)[0]))
    if a.size <= max_elements:
        return _nested(a)
    return f"mean {_fmt(a.mean())}, std {_fmt(a.std())}"


def _stats_text(t: Tensor | None, max_elements: int) -> str:
    """A table cell: the values of a small tensor, else mean ± std; "—" for no tensor."""
    if t is None:
        return "—"
    if isinstance(t, FreedTensor):
        return "freed"
    a = backend.to_numpy(t.data)
    if a.size <= min(max_elements, 4):
        return _array_text(t, max_elements)
    a = a.astype(np.float64)
    return f"{_fmt(a.mean())} ± {_fmt(a.std())}"


def _shape_text(t: Tensor) -> str:
    return "scalar" if t.ndim == 0 else "×".join(str(n) for n in t.shape)


def _d(num: str, den: str) -> str:
    return f"∂{num}/∂{den}"


def _symbolic(name: str, i: int, inputs: list[str], minus: str = "−") -> str | None:
    """∂y/∂xᵢ as the lecture writes it: 1 for a sum, the other factor for a product (``inputs``: the names)."""
    if name == "Add":
        return "1"
    if name == "Sub":
        return "1" if i == 0 else f"{minus}1"
    if name == "Neg":
        return f"{minus}1"
    if name == "Mul" and len(inputs) == 2:  # per input slot: x·x gives x + x
        return inputs[1 - i]
    return None


def _derivative_text(y: str, x: str, sym: str | None, value: str) -> str:
    """``∂e/∂c = d = 2``: the symbolic form only where it says more than the number."""
    if sym is None or sym == value:
        return f"{_d(y, x)} = {value}"
    return f"{_d(y, x)} = {sym} = {value}"


def _wrap_attributes(text: str, width: int) -> list[str]:
    """``a=1, b=2, …`` split over lines of at most ``width`` characters at the commas; nothing is cut."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):  # split at the commas outside brackets: kernel_size=(5, 5) stays whole
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    lines: list[str] = []
    for part in [p for p in parts if p]:
        if lines and len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += ", " + part
        else:
            if lines:
                lines[-1] += ","
            lines.append(part)
    return lines
