"""Redraw every picture of the docs and regenerate docs/api.md.

    python docs/scripts/make_all.py

Each page's pictures come from one script in docs/scripts/ (matplotlib with the Agg backend;
graphviz's ``dot`` for the graphs).  The optimizer lab's full set (GIFs, ~18 MB) is not part of
the docs: ``python examples/optimizer_lab.py --out lab_out``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "autodiff_figures.py",
    "backprop_figures.py",
    "activations_figures.py",
    "optimizers_figures.py",
    "schedules_figures.py",
    "regularization_figures.py",
    "stopping_figures.py",
    "optimizer_lab_figures.py",
    "landscape_figures.py",
    "gen_api.py",
]


def main() -> int:
    failed = []
    for name in SCRIPTS:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, str(HERE / name)], capture_output=True, text=True)
        status = "ok" if proc.returncode == 0 else "FAILED"
        print(f"{name:28s} {status} ({time.perf_counter() - t0:.1f} s)")
        if proc.returncode != 0:
            failed.append(name)
            print(proc.stderr[-2000:])
    img = HERE.parent / "img"
    total = sum(f.stat().st_size for f in img.rglob("*") if f.is_file())
    print(f"docs/img: {total / 1e6:.2f} MB")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
