"""Loss landscapes (Li, Xu, Taylor, Studer, Goldstein, "Visualizing the Loss Landscape of Neural
Nets", NeurIPS 2018).

* 1-D: the loss along the segment between two parameter vectors,
  L(α) = loss((1 − α)·θ_a + α·θ_b)  (α outside [0, 1] extrapolates);
* 2-D: the loss on the plane through the trained θ* spanned by two random directions δ, η,
  L(α, β) = loss(θ* + α·δ + β·η), where each direction is **filter-normalised**: for every
  filter i of every weight tensor (a row of a Linear weight, one output channel of a conv
  kernel) δ_i ← δ_i / ‖δ_i‖ · ‖θ_i‖, and the directions of biases and batch-norm parameters
  (1-D tensors) are zero, as in the paper. Then the picture does not depend on the scale of
  the weights (which ReLU nets and batch norm make arbitrary).

Everything runs on a generic ``loss_at(list of arrays) -> float``; the ``model`` functions build it
from an ``nn.Module``, a loss function and one batch ``(inputs, targets)`` (the parameters are
swapped in place and restored afterwards).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np  # host-side grids and results; the parameter arithmetic uses the backend's module

from .. import backend
from ..autograd import no_grad
from ..tensor import Tensor
from ._mpl import new_figure, require_matplotlib, save

LossAt = Callable[[Sequence[Any]], float]


# ----------------------------------------------------------------------------- parameters
def _arrays(params: Any, model: Any = None) -> list[Any]:
    """Parameter arrays (copies) from a state_dict, a list of Tensors/arrays, or a Module."""
    if hasattr(params, "parameters") and callable(params.parameters):
        return [p.data.copy() for p in params.parameters()]
    if isinstance(params, Mapping):
        if model is None:
            return [_raw(v).copy() for v in params.values()]
        names = [n for n, _ in model.named_parameters()]
        missing = [n for n in names if n not in params]
        if missing:
            raise KeyError(f"landscape: the parameter dict lacks {missing}")
        return [_raw(params[n]).copy() for n in names]
    return [_raw(v).copy() for v in params]


def _raw(v: Any) -> Any:
    return v.data if isinstance(v, Tensor) else v


def model_loss_at(model: Any, loss_fn: Callable[..., Any], data: Any) -> LossAt:
    """``loss_at(arrays)``: put ``arrays`` into ``model.parameters()`` (in order), run the batch
    ``data = (inputs, targets)`` through the model in eval mode without building a graph, and
    return ``float(loss_fn(model(inputs), targets))``. The caller restores the parameters
    (:func:`interpolate_1d` and :func:`landscape_2d` do)."""
    params = list(model.parameters())
    inputs, targets = data
    inputs = inputs if isinstance(inputs, Tensor) else Tensor(inputs)
    targets = targets if isinstance(targets, Tensor) else Tensor(targets)

    def loss_at(arrays: Sequence[Any]) -> float:
        if len(arrays) != len(params):
            raise ValueError(f"loss_at: got {len(arrays)} arrays for {len(params)} parameters")
        for p, a in zip(params, arrays):
            if tuple(a.shape) != tuple(p.shape):
                raise ValueError(f"loss_at: array of shape {tuple(a.shape)} for a parameter of shape {tuple(p.shape)}")
            p.data = a
        with no_grad():
            out = loss_fn(model(inputs), targets)
        return float(out.item() if hasattr(out, "item") else out)

    return loss_at


class _Restore:
    """Context manager: remember a model's parameter arrays and training mode, restore them."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def __enter__(self) -> _Restore:
        self.params = list(self.model.parameters())
        self.saved = [p.data for p in self.params]
        self.training = getattr(self.model, "training", None)
        if hasattr(self.model, "eval"):
            self.model.eval()
        return self

    def __exit__(self, *exc: Any) -> None:
        for p, a in zip(self.params, self.saved):
            p.data = a
        if self.training is not None and hasattr(self.model, "train"):
            self.model.train(self.training)


# ----------------------------------------------------------------------------- directions
def random_direction(center: Sequence[Any]) -> list[Any]:
    """Gaussian random arrays shaped like ``center`` (drawn from ``backend.rng()``)."""
    rng = backend.rng()
    out = []
    for a in center:
        d = rng.standard_normal(tuple(a.shape)).astype(a.dtype if a.dtype.kind == "f" else np.float32)
        out.append(backend.to_device(d, backend.device_of(a)))
    return out


def filter_normalize(direction: Sequence[Any], center: Sequence[Any], bias_mode: str = "zero") -> list[Any]:
    """Filter-normalise ``direction`` against the weights ``center`` (Li et al. 2018, §4).

    For a tensor with ndim ≥ 2, filter i is ``d[i]`` (a Linear row, a conv output channel):
    d[i] ← d[i] · ‖θ[i]‖ / ‖d[i]‖. For 1-D tensors (biases, batch-norm γ/β) ``bias_mode``
    ``"zero"`` sets the direction to 0 (the paper's default), ``"copy"`` uses θ itself.
    """
    if bias_mode not in ("zero", "copy"):
        raise ValueError(f"filter_normalize: bias_mode must be 'zero' or 'copy', got {bias_mode!r}")
    out = []
    for d, w in zip(direction, center, strict=True):
        xp = backend.get_array_module(w)
        if tuple(d.shape) != tuple(w.shape):
            raise ValueError(f"filter_normalize: direction shape {tuple(d.shape)} != weight shape {tuple(w.shape)}")
        if w.ndim <= 1:
            out.append(xp.zeros_like(w) if bias_mode == "zero" else w.copy())
            continue
        axes = tuple(range(1, w.ndim))
        dn = xp.sqrt((d * d).sum(axis=axes, keepdims=True))
        wn = xp.sqrt((w * w).sum(axis=axes, keepdims=True))
        out.append((d * (wn / (dn + 1e-10))).astype(w.dtype))
    return out


def filter_normalized_direction(center: Sequence[Any], bias_mode: str = "zero") -> list[Any]:
    """A random direction, filter-normalised against ``center``."""
    return filter_normalize(random_direction(center), center, bias_mode)


# ----------------------------------------------------------------------------- 1-D and 2-D scans
def line_1d(loss_at: LossAt, a: Sequence[Any], b: Sequence[Any], alphas: Sequence[float]) -> np.ndarray:
    """L(α) = loss_at((1 − α)·a + α·b) for every α."""
    # python floats as coefficients: a numpy float64 scalar would upcast float32 weights
    return np.array([loss_at([(1 - float(al)) * x + float(al) * y for x, y in zip(a, b, strict=True)])
                     for al in alphas])


def surface_2d(loss_at: LossAt, center: Sequence[Any], d1: Sequence[Any], d2: Sequence[Any],
               alphas: Sequence[float], betas: Sequence[float]) -> np.ndarray:
    """Z[j, i] = loss_at(center + alphas[i]·d1 + betas[j]·d2) (rows: β, columns: α)."""
    Z = np.empty((len(betas), len(alphas)))
    for j, be in enumerate(betas):
        for i, al in enumerate(alphas):
            al_, be_ = float(al), float(be)
            Z[j, i] = loss_at([c + al_ * x + be_ * y for c, x, y in zip(center, d1, d2, strict=True)])
    return Z


@dataclass
class Interpolation:
    """``alphas`` and ``losses`` of a 1-D interpolation (α = 0: θ_a, α = 1: θ_b)."""

    alphas: np.ndarray
    losses: np.ndarray


@dataclass
class Landscape:
    """A 2-D scan: ``losses[j, i]`` at θ* + alphas[i]·d1 + betas[j]·d2; ``center_loss`` = L(θ*);
    ``directions`` = (d1, d2) as lists of arrays; ``seconds`` it took."""

    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray
    center_loss: float
    directions: tuple[list[Any], list[Any]]
    seconds: float = 0.0


def interpolate_1d(model: Any, loss_fn: Callable[..., Any], params_a: Any, params_b: Any, data: Any,
                   steps: int = 25, alpha_range: tuple[float, float] = (-0.5, 1.5)) -> Interpolation:
    """The loss on the line through two parameter sets of ``model`` (Goodfellow et al. 2015).

    ``params_a``/``params_b``: state_dicts, lists of arrays/Tensors in ``parameters()`` order, or
    Modules; ``data = (inputs, targets)``; α runs over ``steps`` points of ``alpha_range``.
    The model's own parameters are restored afterwards.
    """
    if steps < 2:
        raise ValueError(f"interpolate_1d: steps must be >= 2, got {steps}")
    a, b = _arrays(params_a, model), _arrays(params_b, model)
    alphas = np.linspace(alpha_range[0], alpha_range[1], steps)
    with _Restore(model):
        losses = line_1d(model_loss_at(model, loss_fn, data), a, b, alphas)
    return Interpolation(alphas, losses)


def landscape_2d(model: Any, loss_fn: Callable[..., Any], data: Any, steps: int = 21, span: float = 1.0, *,
                 directions: tuple[Sequence[Any], Sequence[Any]] | None = None,
                 bias_mode: str = "zero") -> Landscape:
    """The loss around the model's current parameters θ* on the plane of two random
    filter-normalised directions; α, β each take ``steps`` values in [−span, span]
    (an odd ``steps`` puts θ* itself on the grid). The parameters are restored afterwards."""
    if steps < 2:
        raise ValueError(f"landscape_2d: steps must be >= 2, got {steps}")
    t0 = time.perf_counter()
    center = [p.data.copy() for p in model.parameters()]
    if directions is None:
        directions = (filter_normalized_direction(center, bias_mode), filter_normalized_direction(center, bias_mode))
    d1, d2 = list(directions[0]), list(directions[1])
    grid = np.linspace(-span, span, steps)
    with _Restore(model):
        loss_at = model_loss_at(model, loss_fn, data)
        center_loss = loss_at(center)
        Z = surface_2d(loss_at, center, d1, d2, grid, grid)
    return Landscape(grid, grid.copy(), Z, center_loss, (d1, d2), time.perf_counter() - t0)


# ----------------------------------------------------------------------------- pictures
def _sig3(v: float) -> str:
    """A contour/legend number for people: 3 significant digits (0.238, 1.07, 735)."""
    return f"{v:.3g}"


def _leading_digit(v: float) -> int:
    return int(round(v / 10 ** math.floor(math.log10(v)))) if v > 0 else 0


def plot_interpolation(result: Interpolation | Mapping[str, Interpolation], *, logy: bool = False,
                       title: str | None = None, labels: tuple[str, str] = (r"$\theta_a$", r"$\theta_b$"),
                       path: Any = None) -> Any:
    """L(α) curves (one per entry of a dict) on θ(α) = (1 − α)·θ_a + α·θ_b; labelled dotted lines
    mark α = 0 (``labels[0]``, e.g. "initial weights") and α = 1 (``labels[1]``)."""
    require_matplotlib()
    items = list(result.items()) if isinstance(result, Mapping) else [("loss", result)]
    fig = new_figure((7.5, 4.8))
    ax = fig.add_subplot(111)
    for name, r in items:
        ax.plot(r.alphas, r.losses, marker=".", label=name)
    for a, text in ((0.0, f"α = 0: {labels[0]}"), (1.0, f"α = 1: {labels[1]}")):
        ax.axvline(a, color="grey", linestyle=":", linewidth=1.2)
        ax.annotate(text, xy=(a, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=10, color="dimgrey")
    ax.set_xlabel("α", fontsize=11)
    ax.set_ylabel("loss" + (" (log scale)" if logy else ""), fontsize=11)
    if logy:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(lambda v, _pos: _sig3(v))
        ax.yaxis.set_minor_formatter(lambda v, _pos: _sig3(v) if _leading_digit(v) in (2, 3, 5) else "")
    ax.set_title(title or r"1-D interpolation: $\theta(\alpha) = (1-\alpha)\,\theta_a + \alpha\,\theta_b$",
                 fontsize=12, pad=22)
    ax.grid(True, alpha=0.3)
    if len(items) > 1 or items[0][0] != "loss":
        ax.legend(fontsize=10)
    fig.tight_layout()
    if path is not None:
        save(fig, path)
    return fig


def _levels(Z: np.ndarray, n: int) -> np.ndarray:
    lo, hi = float(np.nanmin(Z)), float(np.nanmax(Z))
    if lo > 0 and hi / lo > 20:
        return np.logspace(math.log10(lo), math.log10(hi), n)
    return np.linspace(lo, hi, n)


def plot_landscape_contour(result: Landscape, *, levels: int = 20, title: str | None = None, path: Any = None) -> Any:
    """Filled contours of L(α, β) with a colour bar, a few labelled contour lines, and θ* marked
    (and named) at the origin."""
    require_matplotlib()
    fig = new_figure((7.0, 5.8))
    ax = fig.add_subplot(111)
    lv = _levels(result.losses, levels)
    filled = ax.contourf(result.alphas, result.betas, result.losses, levels=lv, cmap="viridis")
    cs = ax.contour(result.alphas, result.betas, result.losses, levels=lv, colors="white", linewidths=0.6,
                    alpha=0.7)
    # label every third line, and only where there is room: labels do not pile up in the steep corners
    ax.clabel(cs, cs.levels[::3], inline=True, fontsize=9, fmt=_sig3, inline_spacing=4)
    cbar = fig.colorbar(filled, ax=ax, format=lambda v, _pos: _sig3(v))
    cbar.set_label("loss", fontsize=11)
    ax.plot([0], [0], marker="*", color="red", markeredgecolor="white", markersize=16, linestyle="none")
    ax.annotate(f"θ* (trained), loss {_sig3(result.center_loss)}", xy=(0, 0), xytext=(10, 10),
                textcoords="offset points", fontsize=10, color="white", fontweight="bold")
    ax.set_xlabel("α (direction 1)", fontsize=11)
    ax.set_ylabel("β (direction 2)", fontsize=11)
    ax.set_aspect("equal")
    ax.set_title(title or "loss landscape around θ*, filter-normalised directions", fontsize=12)
    fig.tight_layout()
    if path is not None:
        save(fig, path)
    return fig


def _low_corner_azimuth(result: Landscape) -> float:
    """The azimuth that puts the lowest corner of the grid nearest the viewer, so that no high corner
    stands in front of the bowl."""
    Z = result.losses
    corners = {(1, 1): Z[-1, -1], (1, -1): Z[0, -1], (-1, 1): Z[-1, 0], (-1, -1): Z[0, 0]}
    (sx, sy), _ = min(corners.items(), key=lambda kv: kv[1])
    return math.degrees(math.atan2(sy, sx))


def plot_landscape_surface(result: Landscape, *, title: str | None = None, log: bool = False,
                           elev: float = 35.0, azim: float | None = None, path: Any = None) -> Any:
    """A 3-D surface of L(α, β) (``log=True``: of log L), seen from its lowest corner (``azim=None``)."""
    require_matplotlib()
    from matplotlib.ticker import MaxNLocator  # an optional extra (see _mpl), not a cycle

    fig = new_figure((7.5, 6.2))
    ax = fig.add_subplot(111, projection="3d")
    A, B = np.meshgrid(result.alphas, result.betas)
    Z = np.log(result.losses) if log else result.losses
    ax.plot_surface(A, B, Z, cmap="viridis", linewidth=0, antialiased=True, rstride=1, cstride=1)
    ax.set_xlabel("α", fontsize=11, labelpad=6)
    ax.set_ylabel("β", fontsize=11, labelpad=6)
    ax.set_zlabel("log loss" if log else "loss", fontsize=11, labelpad=10)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_major_locator(MaxNLocator(5))
    ax.zaxis.set_major_formatter(lambda v, _pos: _sig3(v))
    ax.tick_params(labelsize=9)
    ax.view_init(elev=elev, azim=_low_corner_azimuth(result) if azim is None else azim)
    ax.set_title(title or "loss surface around θ*", fontsize=12)
    if path is not None:
        save(fig, path)
    return fig


__all__ = [
    "Interpolation", "Landscape", "filter_normalize", "filter_normalized_direction", "interpolate_1d",
    "landscape_2d", "line_1d", "model_loss_at", "plot_interpolation", "plot_landscape_contour",
    "plot_landscape_surface", "random_direction", "surface_2d",
]
