"""The optimizer lab: trajectories of the real optimizers on 2-D landscapes, and update responses.

Two experiments of the Habr article "Методы оптимизации нейронных сетей", redone with the
classes of :mod:`tinygrad_ru.optim`:

* **trajectories** (its second listing): every optimizer starts at (−2.8, −2.5) and makes 125
  steps on a test function (:mod:`tinygrad_ru.viz.testfunctions`); the paths are drawn over the
  contour plot and animated into a GIF; :func:`classify_endpoint` says in which basin each ended.
* **update responses** (its first listing): a synthetic gradient signal g_t (spikes, rectangles,
  noisy sine, …) is fed as the gradient of one scalar parameter, and the step −Δθ_t that the
  optimizer makes is plotted against t, for several values of its main parameter.

The article ran Lasagne's optimizers; :data:`ARTICLE_METHODS` sets ours to Lasagne's formulas
and defaults (ε inside the root and ε = 1e-6 for RMSprop/Adagrad, ρ = 0.95 for Adadelta,
momentum 0.9 for Nesterov), so the numbers can be compared with the article's pictures.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np  # host-side plotting/bookkeeping only; the losses are tinygrad_ru expressions

from .. import backend, optim
from ..autograd import no_grad
from ..tensor import Tensor
from ._mpl import ensure_parent, new_figure, require_matplotlib, save
from .testfunctions import ARTICLE_LAB_FUNCTIONS, TEST_FUNCTIONS, TestFunction, get_test_function

ARTICLE_START = (-2.8, -2.5)
ARTICLE_STEPS = 125

#: The article's cross-method suite (Lasagne's update rules and defaults, see the module doc).
ARTICLE_METHODS: list[tuple[str, type, dict[str, Any]]] = [
    ("nesterov", optim.SGD, dict(lr=0.01, momentum=0.9, nesterov=True)),
    ("rmsprop", optim.RMSprop, dict(lr=0.25, alpha=0.9, eps=1e-6, eps_inside_sqrt=True)),
    ("adadelta", optim.Adadelta, dict(lr=100.0, rho=0.95, eps=1e-6)),
    ("adagrad", optim.Adagrad, dict(lr=1.0, eps=1e-6, eps_inside_sqrt=True)),
    ("adam", optim.Adam, dict(lr=0.25, betas=(0.9, 0.999), eps=1e-8)),
]

#: The article's Nesterov suite: one learning rate, three momenta.
NESTEROV_METHODS: list[tuple[str, type, dict[str, Any]]] = [
    (f"nesterov momentum {mu}", optim.SGD, dict(lr=0.01, momentum=mu, nesterov=True)) for mu in (0.25, 0.9, 0.975)
]


def _as_function(fn: TestFunction | str | Callable[[Tensor], Tensor]) -> Any:
    return get_test_function(fn) if isinstance(fn, str) else fn


# ----------------------------------------------------------------------------- trajectories
def run_trajectory(
    fn: TestFunction | str | Callable[[Tensor], Tensor],
    optimizer_cls: type,
    start: Sequence[float] | None = None,
    steps: int = ARTICLE_STEPS,
    *,
    dtype: str = "float64",
    **opt_kwargs: Any,
) -> np.ndarray:
    """Minimise ``fn`` from ``start`` with ``optimizer_cls(**opt_kwargs)`` for ``steps`` steps.

    Every step is the ordinary training step, through a closure (so LBFGS and the look-ahead
    form of Nesterov work too)::

        opt.zero_grad(); loss = fn(w); loss.backward(); opt.step()

    Returns the positions as a host array of shape (steps + 1, 2); row 0 is ``start``.
    """
    fn = _as_function(fn)
    if start is None:
        start = getattr(fn, "start", ARTICLE_START)
    if len(start) != 2:
        raise ValueError(f"run_trajectory: start must be a point (x, y), got {start!r}")
    if steps < 0:
        raise ValueError(f"run_trajectory: steps must be >= 0, got {steps}")
    w = Tensor(np.asarray(start, dtype=dtype), requires_grad=True, dtype=dtype)
    opt = optimizer_cls([w], **opt_kwargs)

    def closure() -> Tensor:
        opt.zero_grad()
        loss = fn(w)
        loss.backward()
        return loss

    path = np.empty((steps + 1, 2), dtype=np.float64)
    path[0] = start
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(steps):
            opt.step(closure)
            path[i + 1] = w.detach().numpy()
            if not np.all(np.isfinite(path[i + 1])):  # diverged: nothing more to draw
                path[i + 1:] = np.nan
                break
    return path


def run_methods(
    fn: TestFunction | str,
    methods: Iterable[tuple[str, type, Mapping[str, Any]]] = ARTICLE_METHODS,
    start: Sequence[float] | None = None,
    steps: int = ARTICLE_STEPS,
) -> dict[str, np.ndarray]:
    """``{name: trajectory}`` for every ``(name, optimizer_cls, kwargs)`` in ``methods``."""
    return {name: run_trajectory(fn, cls, start, steps, **dict(kw)) for name, cls, kw in methods}


def _value_and_grad(fn: Any, p: np.ndarray) -> tuple[float, np.ndarray]:
    w = Tensor(p, requires_grad=True, dtype="float64")
    loss = fn(w)
    loss.backward()
    return float(loss.item()), w.grad.numpy()


def descend(fn: TestFunction | str, point: Sequence[float], *, max_steps: int = 3000, max_move: float = 0.05,
            gtol: float = 1e-7) -> tuple[np.ndarray, float]:
    """Follow the steepest-descent path from ``point`` to the bottom of its basin.

    Gradient descent with an Armijo backtracking line search whose step is capped at
    ``max_move`` (so it walks along the basin instead of jumping over a ridge, and still
    crosses a flat plateau in a few dozen steps). Returns (the point reached, |∇f| there).
    """
    fn = _as_function(fn)
    p = np.asarray(point, dtype=np.float64).copy()
    f, g = _value_and_grad(fn, p)
    t = 1.0
    for _ in range(max_steps):
        gn = float(np.hypot(*g))
        if not math.isfinite(gn) or gn < gtol:
            break
        t = min(2 * t, max_move / gn)
        while True:
            q = p - t * g
            with no_grad():
                fq = fn.value(*q) if hasattr(fn, "value") else float(fn(Tensor(q, dtype="float64")).item())
            if fq <= f - 1e-4 * t * gn * gn or t < 1e-16:
                break
            t /= 2
        p = q
        f, g = _value_and_grad(fn, p)
    return p, float(np.hypot(*g))


@dataclass
class EndPoint:
    """Where a trajectory ended: ``position``, ``value`` = f(position), ``basin`` (the label of
    the known minimum whose basin it lies in, ``"local minimum at (x, y)"`` for an unlisted one,
    ``"undecided"`` where the descent from it did not reach a minimum in time, ``"diverged"``), ``minimum`` (the
    bottom of that basin), ``distance`` to it and ``converged`` (distance < tolerance)."""

    position: tuple[float, float]
    value: float
    basin: str
    minimum: tuple[float, float] | None
    distance: float
    converged: bool


def classify_endpoint(fn: TestFunction | str, point: Sequence[float], *, tol: float = 0.1,
                      match_tol: float = 0.05) -> EndPoint:
    """Say in which basin ``point`` lies: descend from it (:func:`descend`) and name the minimum
    reached from ``fn.minima``; ``converged`` when ``point`` is within ``tol`` of it."""
    fn = _as_function(fn)
    p = np.asarray(point, dtype=np.float64)
    if not np.all(np.isfinite(p)):
        return EndPoint((float(p[0]), float(p[1])), math.nan, "diverged", None, math.inf, False)
    value = fn.value(*p)
    bottom, gnorm = descend(fn, p)
    label = None
    for name, m in fn.minima.items():
        if math.hypot(bottom[0] - m[0], bottom[1] - m[1]) < match_tol:
            label, bottom = name, np.asarray(m, dtype=np.float64)
            break
    if label is None:
        label = f"local minimum at ({bottom[0]:.2f}, {bottom[1]:.2f})" if gnorm < 1e-4 else "undecided"
    dist = float(np.hypot(*(p - bottom)))
    return EndPoint((float(p[0]), float(p[1])), value, label, (float(bottom[0]), float(bottom[1])), dist, dist < tol)


@dataclass
class LabResult:
    """One row of the lab's table: a function, a method, its trajectory and its end point."""

    function: str
    method: str
    trajectory: np.ndarray = field(repr=False)
    end: EndPoint


def run_lab(
    functions: Iterable[str | TestFunction] = ARTICLE_LAB_FUNCTIONS,
    methods: Iterable[tuple[str, type, Mapping[str, Any]]] = ARTICLE_METHODS,
    start: Sequence[float] | None = ARTICLE_START,
    steps: int = ARTICLE_STEPS,
) -> list[LabResult]:
    """The article's experiment: every method from ``start`` (None: each function's own start)
    for ``steps`` steps on every function; one :class:`LabResult` per (function, method)."""
    methods = list(methods)
    rows = []
    for f in functions:
        fn = _as_function(f)
        for name, traj in run_methods(fn, methods, start, steps).items():
            rows.append(LabResult(fn.name, name, traj, classify_endpoint(fn, traj[-1])))
    return rows


def format_lab_table(rows: Iterable[LabResult]) -> str:
    """A plain-text table: function, method, end point, f(end), basin, distance to its bottom."""
    lines = [f"{'function':<18} {'method':<24} {'end (x, y)':>18} {'f(end)':>9}  {'basin':<34} {'dist':>6}"]
    lines.append("-" * len(lines[0]))
    for r in rows:
        e = r.end
        pos = f"({e.position[0]:7.3f}, {e.position[1]:7.3f})"
        basin = e.basin + ("" if e.converged else " (not settled)")
        lines.append(f"{r.function:<18} {r.method:<24} {pos:>18} {e.value:9.4f}  {basin:<34} {e.distance:6.3f}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- pictures
def _contour(ax: Any, fn: TestFunction, resolution: float | None = None, levels: Any = None) -> Any:
    x0, x1, y0, y1 = fn.extent
    resolution = resolution or (x1 - x0) / 120
    xs = np.arange(x0, x1 + resolution / 2, resolution)
    ys = np.arange(y0, y1 + resolution / 2, resolution)
    Z = fn.grid(xs, ys)
    if levels is None and fn.log_levels:
        lo, hi = max(float(np.nanmin(Z)), 1e-3), float(np.nanmax(Z))
        levels = np.logspace(math.log10(lo), math.log10(hi), 25)
    elif levels is None:
        levels = fn.levels if fn.levels is not None else 25
    cs = ax.contour(xs, ys, Z, levels=levels, cmap="viridis", linewidths=0.8)
    ax.clabel(cs, cs.levels[::2], inline=True, fontsize=8, fmt=lambda v: f"{v:.3g}")  # 735, not 734.867
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    for label, (mx, my) in fn.minima.items():
        is_global = label == "global"
        ax.plot([mx], [my], marker="*", color="gold" if is_global else "grey", markersize=14,
                markeredgecolor="k", linestyle="none", zorder=5,
                label="global minimum" if is_global else "local minimum")
    return cs


def _last_visible(traj: np.ndarray, extent: tuple[float, float, float, float]) -> tuple[float, float]:
    """The last point of a path inside the frame: its end, or where its last segment crosses the border."""
    x0, x1, y0, y1 = extent
    q = traj[-1]
    if x0 <= q[0] <= x1 and y0 <= q[1] <= y1 or len(traj) < 2:
        return float(np.clip(q[0], x0, x1)), float(np.clip(q[1], y0, y1))
    p = traj[-2]
    t = 1.0
    for k, (lo, hi) in enumerate(((x0, x1), (y0, y1))):
        if q[k] != p[k]:
            for bound in (lo, hi):
                s = (bound - p[k]) / (q[k] - p[k])
                if 0.0 <= s < t and (q[k] - bound) * (p[k] - bound) < 0:
                    t = s
    x, y = p + t * (q - p)
    return float(np.clip(x, x0, x1)), float(np.clip(y, y0, y1))


def _finite_part(traj: np.ndarray, extent: tuple[float, float, float, float]) -> tuple[np.ndarray, int | None]:
    """A diverging trajectory up to its last finite point — and, on its way out, only while it stays
    within one frame width of the picture (the huge finite steps before the NaN would be drawn as
    straight lines across the plot) — with the step at which it stopped being finite (None: it did not)."""
    bad = ~np.isfinite(traj).all(axis=1)
    if not bad.any():
        return traj, None
    k = int(np.argmax(bad))
    x0, x1, y0, y1 = extent
    w, h = x1 - x0, y1 - y0
    with np.errstate(invalid="ignore"):
        far = ((traj[:k, 0] < x0 - w) | (traj[:k, 0] > x1 + w) | (traj[:k, 1] < y0 - h) | (traj[:k, 1] > y1 + h))
    end = int(np.argmax(far)) if far.any() else k
    return traj[:max(end, 1)], k


def plot_trajectories(
    fn: TestFunction | str,
    trajectories: Mapping[str, Any],
    *,
    title: str | None = None,
    ax: Any = None,
    resolution: float | None = None,
    levels: Any = None,
    figsize: tuple[float, float] = (9.0, 7.5),
    path: Any = None,
) -> Any:
    """Draw ``{name: (N, 2) array}`` paths over the contour plot of ``fn``; return the Figure.

    Line ``k`` of ``ax.get_lines()`` after the minima markers holds trajectory ``k``: its x/y data
    are the trajectory's columns. Known minima are stars (gold = global); start is a black dot.
    """
    require_matplotlib()
    fn = _as_function(fn)
    if ax is None:
        fig = new_figure(figsize)
        ax = fig.add_subplot(111)
    else:
        fig = ax.figure
    _contour(ax, fn, resolution, levels)
    x0, x1, y0, y1 = fn.extent
    for name, traj in trajectories.items():
        traj, diverged_at = _finite_part(np.asarray(traj, dtype=np.float64), fn.extent)
        label = name if diverged_at is None else f"{name}: diverged at step {diverged_at}"
        (line,) = ax.plot(traj[:, 0], traj[:, 1], label=label, linewidth=1.6, marker=".", markersize=3)
        line.set_gid(f"trajectory:{name}")
        if len(traj) == 0:
            continue
        if diverged_at is None:
            ax.plot([traj[-1, 0]], [traj[-1, 1]], marker="o", color=line.get_color(), markeredgecolor="k",
                    linestyle="none")
        else:  # where the path leaves the picture (or its last finite point) gets a cross and the word
            px, py = _last_visible(traj, fn.extent)
            ax.plot([px], [py], marker="X", markersize=11, color=line.get_color(), markeredgecolor="k",
                    linestyle="none", zorder=6)
            ax.annotate("diverged", (px, py), xytext=(-6 if px > (x0 + x1) / 2 else 6, -12),
                        textcoords="offset points", ha="right" if px > (x0 + x1) / 2 else "left",
                        fontsize=9, color=line.get_color(), fontweight="bold", zorder=7,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})
    first = next(iter(trajectories.values()), None)
    if first is not None:
        ax.plot([first[0][0]], [first[0][1]], marker="o", color="k", markersize=8, linestyle="none", label="start",
                zorder=6)
    ax.set_title(title or fn.title, fontsize=12)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    # outside the plot, so that it covers neither the start nor a path; minima and start are in it
    found = dict(zip(*reversed(ax.get_legend_handles_labels())))  # label -> handle: two local minima, one entry
    labels, handles = list(found), list(found.values())
    marks = ("global minimum", "local minimum", "start")
    order = [k for k, x in enumerate(labels) if x not in marks] + [k for k, x in enumerate(labels) if x in marks]
    ax.legend([handles[k] for k in order], [labels[k] for k in order], loc="upper left", bbox_to_anchor=(1.02, 1.0),
              borderaxespad=0.0, fontsize=9, frameon=False)
    if path is not None:
        save(fig, path)
    return fig


def trajectory_lines(fig_or_ax: Any) -> dict[str, Any]:
    """``{name: Line2D}`` of the trajectories drawn by :func:`plot_trajectories`."""
    ax = fig_or_ax.axes[0] if hasattr(fig_or_ax, "axes") and not hasattr(fig_or_ax, "get_lines") else fig_or_ax
    return {ln.get_gid().split(":", 1)[1]: ln for ln in ax.get_lines()
            if (ln.get_gid() or "").startswith("trajectory:")}


def animate_trajectories(
    fn: TestFunction | str,
    trajectories: Mapping[str, Any],
    path: Any = None,
    *,
    stride: int = 1,
    fps: int = 10,
    title: str | None = None,
    figsize: tuple[float, float] = (8.5, 6.0),
    dpi: int = 80,
) -> tuple[Any, int]:
    """Animate the paths growing step by step; write a GIF to ``path`` with Pillow (no ffmpeg).

    Frame k shows every path up to step ``k·stride`` (the last frame always shows the whole
    path) and the step number in the title, so no two frames are identical and a GIF reader
    sees exactly ``n_frames`` frames. Returns ``(animation, n_frames)``; ``animation._fig`` is
    the figure.
    """
    require_matplotlib()
    from matplotlib.animation import FuncAnimation  # an optional extra (see _mpl), not a cycle

    fn = _as_function(fn)
    if stride < 1:
        raise ValueError(f"animate_trajectories: stride must be >= 1, got {stride}")
    trajs = {k: np.asarray(v, dtype=np.float64) for k, v in trajectories.items()}
    n_steps = max(len(t) for t in trajs.values()) - 1
    frame_steps = list(range(0, n_steps + 1, stride))
    if frame_steps[-1] != n_steps:
        frame_steps.append(n_steps)
    fig = new_figure(figsize)
    ax = fig.add_subplot(111)
    _contour(ax, fn)
    lines, heads = [], []
    for name in trajs:
        (line,) = ax.plot([], [], label=name, linewidth=1.6)
        (head,) = ax.plot([], [], marker="o", color=line.get_color(), markeredgecolor="k", linestyle="none")
        lines.append(line)
        heads.append(head)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=9, frameon=False)
    fig.subplots_adjust(left=0.08, right=0.72, bottom=0.08, top=0.92)  # room for the legend: it covers no path
    base = title or fn.title

    def draw(k: int) -> list[Any]:
        s = frame_steps[k]
        for line, head, traj in zip(lines, heads, trajs.values()):
            upto = traj[: s + 1]
            line.set_data(upto[:, 0], upto[:, 1])
            head.set_data(upto[-1:, 0], upto[-1:, 1])
        ax.set_title(f"{base} — step {s}")
        return lines + heads

    anim = FuncAnimation(fig, draw, frames=len(frame_steps), interval=1000 / fps, blit=False, repeat=False)
    if path is not None:
        ensure_parent(path)
        anim.save(path, writer=_palette_gif_writer(fps), dpi=dpi)
    return anim, len(frame_steps)


def _palette_gif_writer(fps: int) -> Any:
    """A matplotlib movie writer that stores the GIF with ONE palette (from the last, fullest frame):
    the GIF encoder then keeps only what changed between frames (the growing paths), not the whole
    contour plot again — several times smaller than PillowWriter, which gives each frame its own palette."""
    # matplotlib and Pillow are optional extras (see _mpl), imported on use: not a cycle
    from matplotlib.animation import AbstractMovieWriter
    from PIL import Image

    class PaletteGifWriter(AbstractMovieWriter):
        def setup(self, fig: Any, outfile: Any, dpi: float | None = None) -> None:
            super().setup(fig, outfile, dpi=dpi)
            self.images: list[Any] = []

        def grab_frame(self, **savefig_kwargs: Any) -> None:
            buf = io.BytesIO()
            self.fig.savefig(buf, **{**savefig_kwargs, "format": "rgba", "dpi": self.dpi})
            self.images.append(Image.frombuffer("RGBA", self.frame_size, buf.getbuffer(), "raw", "RGBA", 0, 1)
                               .convert("RGB"))

        def finish(self) -> None:
            palette = self.images[-1].quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                                               dither=Image.Dither.NONE)
            frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in self.images]
            frames[0].save(self.outfile, save_all=True, append_images=frames[1:], duration=int(1000 / self.fps),
                           loop=0)

    return PaletteGifWriter(fps=fps)


# ----------------------------------------------------------------------------- update responses
def gradient_signals(n: int = 300, seed: int | None = 413) -> dict[str, np.ndarray]:
    """The article's six synthetic gradient signals over steps 0 … n−1.

    With ``seed`` (the article's 413) the noise comes from ``numpy.random.RandomState(seed)``
    drawn in the article's order, so the noisy sines are exactly the article's; ``seed=None``
    draws from ``tinygrad_ru.backend.rng()`` (seeded by ``tg.manual_seed``).
    """
    t = np.arange(n, dtype=np.float64)
    if seed is None:
        rng = backend.rng()
        u1, u2 = rng.random(n), rng.random(n)
    else:
        rs = np.random.RandomState(seed)
        u1, u2 = rs.random_sample(n), rs.random_sample(n)
    return {
        "spikes": (t % 60 == 0).astype(np.float64),
        "rectangles": 2.0 * (t % 40 < 20) - 1.0,
        "noisy sin": np.sin(t / 20) + u1 - 0.5,
        "very noisy sin": np.sin(t / 20) / 5 + u2 - 0.5,
        "uneven sawtooth": (t % 20) / (15.0 * (t > 80) + 5.0),
        "saturation": (t % 80 < 40).astype(np.float64),
    }


def update_response(optimizer_cls: type, signal: Sequence[float], *,
                    initial_state: Callable[[Tensor], dict] | None = None, **opt_kwargs: Any) -> np.ndarray:
    """Feed ``signal[t]`` as the gradient of one scalar parameter; return Δθ_t for every t.

    The parameter starts at 0; each step sets ``p.grad`` by hand and calls ``opt.step()``.
    ``initial_state(p)`` may fill ``opt.state[p]`` first (e.g. Adadelta's E[Δθ²]₀).
    """
    p = Tensor(np.zeros(1), requires_grad=True, dtype="float64")
    opt = optimizer_cls([p], **opt_kwargs)
    if initial_state is not None:
        opt.state[p] = initial_state(p)
    out = np.empty(len(signal), dtype=np.float64)
    for i, g in enumerate(signal):
        before = float(p.data[0])
        p.grad = Tensor(np.array([g], dtype=np.float64), dtype="float64")
        opt.step()
        out[i] = float(p.data[0]) - before
    return out


@dataclass
class ResponseSuite:
    """One panel family of the article's first listing: an optimizer, the parameter swept
    (``param``, ``values``), ``make_kwargs(value) -> optimizer kwargs``, optional initial state."""

    name: str
    optimizer_cls: type
    param: str
    values: tuple[float, ...]
    make_kwargs: Callable[[float], dict[str, Any]]
    initial_state: Callable[[Tensor], dict] | None = None

    def responses(self, signal: Sequence[float]) -> dict[float, np.ndarray]:
        return {v: update_response(self.optimizer_cls, signal, initial_state=self.initial_state,
                                   **self.make_kwargs(v)) for v in self.values}


def _adadelta_start(value: float) -> Callable[[Tensor], dict]:
    def init(p: Tensor) -> dict:
        xp = backend.get_array_module(p.data)
        return {"step": 0, "square_avg": xp.zeros_like(p.data), "acc_delta": xp.full_like(p.data, value)}
    return init


#: The article's sweeps (its first listing): learning rates and ε as there, ε inside the root.
RESPONSE_SUITES: list[ResponseSuite] = [
    ResponseSuite("Momentum", optim.SGD, "momentum γ", (0.25, 0.9, 0.975), lambda v: dict(lr=0.25, momentum=v)),
    ResponseSuite("Nesterov", optim.SGD, "momentum γ", (0.25, 0.9, 0.975),
                  lambda v: dict(lr=0.25, momentum=v, nesterov=True)),
    ResponseSuite("Adagrad", optim.Adagrad, "ε", (1e-7, 0.1, 10.0),
                  lambda v: dict(lr=2.5, eps=v, eps_inside_sqrt=True)),
    ResponseSuite("RMSprop", optim.RMSprop, "γ (alpha)", (0.25, 0.9, 0.975),
                  lambda v: dict(lr=0.25, alpha=v, eps=1e-5, eps_inside_sqrt=True)),
    ResponseSuite("Adadelta (zero start)", optim.Adadelta, "ρ", (0.25, 0.9, 0.975),
                  lambda v: dict(lr=1.0, rho=v, eps=1e-3)),
    ResponseSuite("Adadelta (big start)", optim.Adadelta, "ρ", (0.25, 0.9, 0.975),
                  lambda v: dict(lr=1.0, rho=v, eps=1e-3), initial_state=_adadelta_start(50.0)),
    ResponseSuite("Adam", optim.Adam, "β₁", (0.25, 0.9, 0.975),
                  lambda v: dict(lr=0.25, betas=(v, 0.999), eps=1e-7, eps_inside_sqrt=True)),
]


def plot_update_response(
    suite: ResponseSuite,
    signals: Mapping[str, Sequence[float]] | None = None,
    *,
    figsize: tuple[float, float] | None = None,
    path: Any = None,
) -> Any:
    """One figure per suite, one panel per signal: the gradient g_t and the step −Δθ_t
    (the move along the gradient, the article's sign) for every value of the parameter.
    Panel lines: [gradient, value₁, value₂, …] with ydata = g and −Δθ."""
    require_matplotlib()
    signals = signals if signals is not None else gradient_signals()
    n = len(signals)
    cols = 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    fig = new_figure(figsize or (7.0 * cols, 3.0 * rows))
    for k, (label, sig) in enumerate(signals.items()):
        ax = fig.add_subplot(rows, cols, k + 1)
        sig = np.asarray(sig, dtype=np.float64)
        t = np.arange(len(sig))
        ax.plot(t, sig, color="k", linewidth=1.0, label="gradient g")
        for value, dtheta in suite.responses(sig).items():
            ax.plot(t, -dtheta, linewidth=1.2, label=f"{suite.param} = {value:g}")
        ax.axhline(0.0, color="grey", linewidth=0.5)
        ax.set_title(label, fontsize=12)
        ax.set_xlabel("step t", fontsize=10)
        ax.set_ylabel("−Δθ", fontsize=10)
        ax.grid(True, alpha=0.3)
    # one legend for all panels, above them, in a readable size (the panels share their lines)
    handles, labels = fig.axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize=12, frameon=False,
               bbox_to_anchor=(0.5, 1.0))
    fig.suptitle(f"{suite.name}: the step −Δθ for a gradient signal g", fontsize=14, y=1.04)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    if path is not None:
        save(fig, path)
    return fig


__all__ = [
    "ARTICLE_METHODS", "ARTICLE_START", "ARTICLE_STEPS", "NESTEROV_METHODS", "RESPONSE_SUITES", "EndPoint",
    "LabResult", "ResponseSuite", "TEST_FUNCTIONS", "animate_trajectories", "classify_endpoint", "descend",
    "format_lab_table", "gradient_signals", "plot_trajectories", "plot_update_response", "run_lab", "run_methods",
    "run_trajectory", "trajectory_lines", "update_response",
]
