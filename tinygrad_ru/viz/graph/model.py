"""``draw_model``: run a model (and its loss) on an example and draw it module by module."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...tensor import Tensor
from .collapse import _draw_modules
from .draw import _check_show, draw_graph
from .modules import trace_modules


def draw_model(
    model: Any,
    example_input: Any,
    loss_fn: Any = None,
    target: Any = None,
    *,
    collapse: bool | int | str = True,
    expand: Iterable[str] = (),
    show: str | None = None,
    rankdir: str = "TB",
    max_elements: int = 8,
    title: str | None = None,
):
    """Run ``model(example_input)`` (and ``loss_fn(output, target)``) and draw it module by module.

    One box per module (``collapse``/``expand`` as in :func:`draw_graph`) with its parameters'
    shapes and mean ± std, its output, and — when a loss is given — the gradients ∂loss/∂θ,
    computed on the side with ``autograd.grad``: the model's ``.grad`` fields are not touched.
    ``show`` defaults to ``"both"`` with a loss and ``"forward"`` without one.  Returns a
    :class:`graphviz.Digraph`.
    """
    if show is None:
        show = "both" if loss_fn is not None else "forward"
    _check_show(show, "draw_model")
    x = example_input if isinstance(example_input, Tensor) else Tensor(example_input)
    with trace_modules(model) as trace:
        out = model(x)
    if not isinstance(out, Tensor):
        raise TypeError(f"draw_model: the model must return a Tensor, got {type(out).__name__}")
    loss, loss_inputs = _apply_loss(out, loss_fn, target)
    names = {**trace.named_parameters(), "x": x, "output": out}
    if loss_fn is not None:
        names["loss"] = loss
    if collapse is False:
        return draw_graph(loss, show=show, rankdir=rankdir, max_elements=max_elements, names=names, title=title)
    return _draw_modules(loss, trace, collapse, expand, show, rankdir, max_elements, names, title, loss_inputs)


def _apply_loss(out: Tensor, loss_fn: Any, target: Any) -> tuple[Tensor, dict[str, Tensor]]:
    """``loss_fn(out, target)`` (or ``loss_fn(out)``, or ``out`` itself) and the extra inputs it took."""
    if loss_fn is None:
        return out, {}
    if target is None:
        return loss_fn(out), {}
    t = target if isinstance(target, Tensor) else Tensor(target)
    return loss_fn(out, t), {"target": t}
