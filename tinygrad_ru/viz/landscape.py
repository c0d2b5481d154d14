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
    import time

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
def plot_interpolation(result: Interpolation | Mapping[str, Interpolation], *, logy: bool = False,
                       title: str = "1-D interpolation θ(α) = (1 − α)θ_a + αθ_b", path: Any = None) -> Any:
    """L(α) curves (one per entry of a dict); dotted lines mark α = 0 and α = 1."""
    require_matplotlib()
    items = result.items() if isinstance(result, Mapping) else [("loss", result)]
    fig = new_figure((7.0, 4.5))
    ax = fig.add_subplot(111)
    for name, r in items:
        ax.plot(r.alphas, r.losses, marker=".", label=name)
    for a in (0.0, 1.0):
        ax.axvline(a, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("α")
    ax.set_ylabel("loss")
    if logy:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    if path is not None:
        save(fig, path)
    return fig


def _levels(Z: np.ndarray, n: int) -> np.ndarray:
    lo, hi = float(np.nanmin(Z)), float(np.nanmax(Z))
    if lo > 0 and hi / lo > 20:
        return np.logspace(math.log10(lo), math.log10(hi), n)
    return np.linspace(lo, hi, n)


def plot_landscape_contour(result: Landscape, *, levels: int = 30, title: str | None = None, path: Any = None) -> Any:
    """Contour lines of L(α, β) with θ* marked at the origin."""
    require_matplotlib()
    fig = new_figure((6.5, 5.5))
    ax = fig.add_subplot(111)
    cs = ax.contour(result.alphas, result.betas, result.losses, levels=_levels(result.losses, levels),
                    cmap="viridis", linewidths=0.9)
    ax.clabel(cs, inline=True, fontsize=7, fmt="%.2f")
    ax.plot([0], [0], marker="*", color="red", markersize=12, linestyle="none", label=f"θ*: {result.center_loss:.3f}")
    ax.set_xlabel("α (direction 1)")
    ax.set_ylabel("β (direction 2)")
    ax.set_aspect("equal")
    ax.set_title(title or "loss landscape, filter-normalised directions")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    if path is not None:
        save(fig, path)
    return fig


def plot_landscape_surface(result: Landscape, *, title: str | None = None, log: bool = False,
                           elev: float = 35.0, azim: float = -60.0, path: Any = None) -> Any:
    """A 3-D surface of L(α, β) (``log=True``: of log L)."""
    require_matplotlib()
    fig = new_figure((7.5, 6.0))
    ax = fig.add_subplot(111, projection="3d")
    A, B = np.meshgrid(result.alphas, result.betas)
    Z = np.log(result.losses) if log else result.losses
    ax.plot_surface(A, B, Z, cmap="viridis", linewidth=0, antialiased=True, rstride=1, cstride=1)
    ax.set_xlabel("α")
    ax.set_ylabel("β")
    ax.set_zlabel("log loss" if log else "loss")
    ax.view_init(elev=elev, azim=azim)
    ax.set_title(title or "loss surface")
    if path is not None:
        save(fig, path)
    return fig


__all__ = [
    "Interpolation", "Landscape", "filter_normalize", "filter_normalized_direction", "interpolate_1d",
    "landscape_2d", "line_1d", "model_loss_at", "plot_interpolation", "plot_landscape_contour",
    "plot_landscape_surface", "random_direction", "surface_2d",
]
