r"""``LayerStats``: per-layer activation and gradient statistics during ``fit()`` — the lecture's
vanishing/exploding-gradient picture measured on real training.

Lecture 4: on every layer the signal is multiplied by a weight matrix, forward and backward,

.. math::
    f_k = W_k h_{k-1} + b_k,\quad h_k = \sigma(f_k),\qquad
    \frac{\partial L}{\partial h_{k-1}} = W_k^\top \Bigl(\sigma'(f_k) \odot \frac{\partial L}{\partial h_k}\Bigr),

so after many layers the activations h_k and the gradients ∂L/∂h_k shrink or grow geometrically
unless Var[w] is chosen for the activation (Xavier for symmetric ones, He for ReLU); with the
sigmoid, σ' ≤ 1/4 shrinks the gradient on every layer.

The callback watches chosen layers with module hooks (nothing is recomputed):

* a forward hook reads the layer's output h = ``module(x)`` — *act*;
* a full backward hook reads ``grad_output[0]`` = ∂L/∂h — *grad*;

and keeps, per layer and recorded step, ``mean``, ``std`` (over all elements, ddof = 0) and
``zeros`` (the fraction of elements exactly 0: dead ReLU units, underflow).  Keys of
:attr:`LayerStats.stats`: ``act_mean, act_std, act_zeros, grad_mean, grad_std, grad_zeros``.

    stats = LayerStats(layers=(nn.ReLU, nn.Sigmoid))       # the activations' outputs h_k
    fit(model, loss_fn, opt, loader, callbacks=[stats])
    stats.profile("grad_std", step=0)     # one value per layer at the first recorded step
    plot_layer_stats({"sigmoid": stats}) # tinygrad_ru.viz.plot_layer_stats
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..autograd.grad_mode import grad_mode
from ..tensor import Tensor
from .callbacks import Callback

KEYS = ("act_mean", "act_std", "act_zeros", "grad_mean", "grad_std", "grad_zeros")


def tensor_stats(array: Any) -> tuple[float, float, float]:
    """(mean, std with ddof = 0, fraction of exact zeros) of an array, accumulated in float64."""
    if array.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(array.mean(dtype="float64"))
    std = float(array.std(dtype="float64"))
    zeros = float((array == 0).sum()) / array.size
    return mean, std, zeros


def _first_tensor(value: Any) -> Tensor | None:
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for v in value:
            if isinstance(v, Tensor):
                return v
    return None


class LayerStats(Callback):
    """Record the statistics of each chosen layer's output and of the gradient arriving at it.

    Args:
        layers: which modules to watch — None: every leaf module (no children) of the model; a
            module type or tuple of types (``(nn.ReLU, nn.Sigmoid)``): the modules of those types;
            or an iterable of modules or of their dotted names (``"0"``, ``"features.3"``).
        every: record every ``every``-th optimizer step (1, 1 + every, ...); the others cost nothing.

    Only training forwards are recorded (``model.training`` and grad mode on), and only the first
    forward/backward of a step (closure optimizers evaluate several times): the statistics at the
    point θₜ where the step starts.  After ``fit`` the hooks are removed.

    Attributes:
        names: the watched layers' dotted names, from input to output (model order).
        steps: the recorded optimizer steps.
        stats: ``{name: {key: [value per recorded step]}}`` with the keys of :data:`KEYS`
            (NaN where a value was not seen, e.g. a layer no gradient reached).
    """

    def __init__(self, layers: Any = None, every: int = 1) -> None:
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"LayerStats: every must be a positive int, got {every!r}")
        self.layers, self.every = layers, every
        self.names: list[str] = []
        self.steps: list[int] = []
        self.stats: dict[str, dict[str, list[float]]] = {}
        self._handles: list[Any] = []
        self._pending: dict[str, dict[str, float]] = {}
        self._trainer: Any = None

    # ---------------------------------------------------------------- which layers
    def _select(self, model: Any) -> list[tuple[str, Any]]:
        named = list(model.named_modules())
        spec = self.layers
        if spec is None:
            chosen = [(n, m) for n, m in named if n and not any(True for _ in m.children())]
        elif isinstance(spec, type) or (isinstance(spec, tuple) and all(isinstance(t, type) for t in spec)):
            chosen = [(n, m) for n, m in named if isinstance(m, spec)]
        elif isinstance(spec, Iterable) and not isinstance(spec, str):
            wanted = list(spec)
            by_name = dict(named)
            by_id = {id(m): n for n, m in named}
            chosen = []
            for w in wanted:
                if isinstance(w, str):
                    if w not in by_name:
                        raise KeyError(f"LayerStats: the model has no layer named {w!r} "
                                       f"(have: {[n for n, _ in named if n]})")
                    chosen.append((w, by_name[w]))
                elif id(w) in by_id:
                    chosen.append((by_id[id(w)], w))
                else:
                    raise ValueError(f"LayerStats: {type(w).__name__} is not a module of the model")
        else:
            raise TypeError(f"LayerStats: layers must be None, a module type, or modules/names, got {spec!r}")
        if not chosen:
            raise ValueError(f"LayerStats: no layer of the model matches {spec!r}")
        return chosen

    # ---------------------------------------------------------------- hooks
    def _recording(self, module: Any) -> bool:
        trainer = self._trainer
        return (trainer is not None and module.training and grad_mode.enabled
                and trainer.step % self.every == 0)  # trainer.step + 1 is the step being computed

    def _forward_hook(self, name: str):
        def hook(module, args, output):
            t = _first_tensor(output)
            entry = self._pending.setdefault(name, {})
            if t is not None and "act_mean" not in entry and self._recording(module):
                entry["act_mean"], entry["act_std"], entry["act_zeros"] = tensor_stats(t.data)
        return hook

    def _backward_hook(self, name: str):
        def hook(module, grad_input, grad_output):
            g = _first_tensor(grad_output)
            entry = self._pending.setdefault(name, {})
            if g is not None and "act_mean" in entry and "grad_mean" not in entry:
                entry["grad_mean"], entry["grad_std"], entry["grad_zeros"] = tensor_stats(g.data)
        return hook

    # ---------------------------------------------------------------- callback
    def on_train_begin(self, trainer: Any) -> None:
        self._trainer = trainer
        chosen = self._select(trainer.model)
        names = [n for n, _ in chosen]
        if self.names and self.names != names:
            raise ValueError("LayerStats: the layers changed between two fit() calls")
        self.names = names
        for name in names:
            self.stats.setdefault(name, {k: [] for k in KEYS})
        for name, module in chosen:
            self._handles.append(module.register_forward_hook(self._forward_hook(name)))
            self._handles.append(module.register_full_backward_hook(self._backward_hook(name)))
        self._pending = {}

    def on_batch_end(self, trainer: Any, step: int, logs: dict[str, Any]) -> None:
        pending, self._pending = self._pending, {}
        if not any("act_mean" in e for e in pending.values()):
            return
        self.steps.append(step)
        for name in self.names:
            entry = pending.get(name, {})
            for k in KEYS:
                self.stats[name][k].append(entry.get(k, math.nan))

    def on_train_end(self, trainer: Any) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []
        self._pending = {}
        self._trainer = None

    # ---------------------------------------------------------------- reading
    def profile(self, key: str, step: int | slice = -1) -> list[float]:
        """One value per layer (input to output): ``key`` at recorded step number ``step`` (an index
        into :attr:`steps`: 0 = first, -1 = last), or its mean over a slice of recorded steps."""
        if key not in KEYS:
            raise KeyError(f"LayerStats: unknown statistic {key!r}; one of {KEYS}")
        if not self.steps:
            raise RuntimeError("LayerStats: nothing recorded yet (run fit() with this callback)")
        out = []
        for name in self.names:
            values = self.stats[name][key]
            if isinstance(step, slice):
                chosen = values[step]
                out.append(sum(chosen) / len(chosen) if chosen else math.nan)
            else:
                out.append(values[step])
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for JSON): ``{"steps": [...], "layers": {name: {key: [...]}}}``."""
        return {"steps": list(self.steps), "layers": {n: {k: list(v) for k, v in self.stats[n].items()}
                                                      for n in self.names}}
