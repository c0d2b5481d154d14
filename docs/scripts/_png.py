"""Smaller documentation PNGs: the same picture in a 256-colour palette (octree, no dithering).

Contour plots with antialiased lines store hundreds of thousands of distinct colours in RGB; in a
palette they take a quarter of the bytes and look the same, which lets the pictures be drawn at a
resolution that reads at full size while docs/img stays under the limit of tests/test_docs.py.
"""

from __future__ import annotations

from pathlib import Path


def shrink_png(path: str | Path) -> None:
    """Rewrite ``path`` as a 256-colour palette PNG."""
    from PIL import Image

    with Image.open(path) as im:
        rgb = im.convert("RGB")
    rgb.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(path, optimize=True)
