"""The optimizer lab: the Habr article's experiments redone with tinygrad_ru's optimizers.

    python examples/optimizer_lab.py [--out lab_out] [--steps 125] [--no-gif] [--quick]

``--quick`` prints the table only (a few seconds); the full run writes ~30 pictures and 5 GIFs
(about two minutes on a laptop core) and prints each file as it is written.

For each of the article's landscapes (wobbly, basins and walls, giant plateau, hills and canyon,
two minima / bad init) every method starts at (−2.8, −2.5) and makes 125 steps with the
article's settings (Nesterov lr 0.01 momentum 0.9, RMSprop 0.25, Adadelta 100, Adagrad 1.0,
Adam 0.25 — Lasagne's formulas, see tinygrad_ru.viz.optimizers.ARTICLE_METHODS). It prints
where each trajectory ends and in which basin, and writes into the output folder:
  <function>.png / <function>.gif        trajectories over the contours, and their animation
  nesterov_<function>.png                the Nesterov momentum sweep (0.25, 0.9, 0.975)
  extra_<function>.png                   simple quadratic, ripple, Rosenbrock, Beale
  response_<optimizer>.png               update responses to the six synthetic gradient signals
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tinygrad_ru.viz._mpl import require_matplotlib  # noqa: E402

require_matplotlib()  # a clear message (how to install it) instead of a traceback, before any work

from tinygrad_ru.viz.optimizers import (  # noqa: E402
    ARTICLE_METHODS,
    NESTEROV_METHODS,
    RESPONSE_SUITES,
    animate_trajectories,
    format_lab_table,
    plot_trajectories,
    plot_update_response,
    run_lab,
    run_methods,
)
from tinygrad_ru.viz.testfunctions import ARTICLE_LAB_FUNCTIONS, get_test_function  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="lab_out", help="output folder (default ./lab_out)")
    ap.add_argument("--steps", type=int, default=125, help="iterations per run (the article: 125)")
    ap.add_argument("--no-gif", action="store_true", help="skip the animations")
    ap.add_argument("--quick", action="store_true", help="table only: no pictures")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    t0 = time.perf_counter()

    rows = run_lab(ARTICLE_LAB_FUNCTIONS, ARTICLE_METHODS, steps=args.steps)
    print(f"Article setup: start (-2.8, -2.5), {args.steps} iterations\n")
    print(format_lab_table(rows))
    escaped = [r.method for r in rows if r.function == "hills_and_canyon" and r.end.basin == "global"]
    bad = [r.method for r in rows if r.function == "two_minima" and r.end.basin == "global"]
    print(f"\nhills and canyon: reach the global minimum: {escaped or 'none'}"
          f" (the article: only Adam leaves the local minimum)")
    print(f"two minima / bad init: reach the global minimum: {bad or 'none'} (the article: none)")

    if args.quick:
        return 0
    n_total = len(ARTICLE_LAB_FUNCTIONS) * (2 if args.no_gif else 3) + 4 + len(RESPONSE_SUITES)
    written: list[str] = []

    def note(item: str) -> None:  # print each file as soon as it is written
        written.append(item)
        print(f"  [{len(written)}/{n_total}] {item}  ({time.perf_counter() - t0:.0f} s)", flush=True)

    print(f"\nwriting {n_total} pictures into {args.out}/ …", flush=True)
    for name in ARTICLE_LAB_FUNCTIONS:
        fn = get_test_function(name)
        trajs = {r.method: r.trajectory for r in rows if r.function == name}
        p = os.path.join(args.out, f"{name}.png")
        plot_trajectories(fn, trajs, path=p)
        note(p)
        if not args.no_gif:
            p = os.path.join(args.out, f"{name}.gif")
            _, n = animate_trajectories(fn, trajs, p, stride=2, fps=10)
            note(f"{p} ({n} frames)")
        p = os.path.join(args.out, f"nesterov_{name}.png")
        plot_trajectories(fn, run_methods(fn, NESTEROV_METHODS, steps=args.steps),
                          title=f"{fn.title}: Nesterov, lr 0.01", path=p)
        note(p)
    print("\nOther landscapes (own start for Rosenbrock and Beale):")
    extra = ("simple_quadratic", "ripple", "rosenbrock", "beale")
    extra_rows = []
    for name in extra:
        fn = get_test_function(name)
        r = run_lab([fn], ARTICLE_METHODS, start=None if not fn.in_article else fn.start, steps=args.steps)
        extra_rows += r
        p = os.path.join(args.out, f"extra_{name}.png")
        plot_trajectories(fn, {x.method: x.trajectory for x in r}, path=p)
        note(p)
    print(format_lab_table(extra_rows))
    for suite in RESPONSE_SUITES:
        slug = suite.name.lower().replace(" ", "_").replace("(", "").replace(")", "")
        p = os.path.join(args.out, f"response_{slug}.png")
        plot_update_response(suite, path=p)
        note(p)
    print(f"wrote {len(written)} files into {args.out}/ in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
