"""Lazy matplotlib import: matplotlib is installed with the package, but imported only when plotting.

matplotlib is imported inside the functions on purpose (an optional extra, and slow to import), not
because of an import cycle.
"""

from __future__ import annotations

import os
from typing import Any


def require_matplotlib() -> Any:
    """Import and return matplotlib, or raise an ImportError that says how to install it."""
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "tinygrad_ru.viz plots need matplotlib (installed with tinygrad_ru unless pip ran with --no-deps): "
            "pip install matplotlib pillow"
        ) from exc
    return matplotlib


def new_figure(figsize: tuple[float, float] = (8.0, 6.0), **kwargs: Any) -> Any:
    """A ``matplotlib.figure.Figure`` that does not go through pyplot (no global state, no GUI
    backend needed); it renders with Agg when saved and displays in Jupyter."""
    require_matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, **kwargs)


def ensure_parent(path: Any) -> str:
    """``path`` as a string, its parent folders created."""
    path = os.fspath(path)
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    return path


def save(fig: Any, path: Any, dpi: int = 100) -> None:
    """Save ``fig`` to ``path`` (the format from the suffix), creating parent folders."""
    ensure_parent(path)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")  # nothing cut: legends outside the axes are kept
