"""Pictures of a computational graph, and the chain rule written out.

``draw_graph(e)`` returns a :class:`graphviz.Digraph` with

* a box per tensor: its name, shape and dtype, its value and gradient ∂out/∂t (small tensors),
  or mean/std (big ones);
* an ellipse per operation (the Function's name) with the step number at which backward
  visits it;
* on every edge *input → op* of a scalar graph, the local derivative ∂y/∂x of that op,
  e.g. ``∂e/∂c = d = 2`` for e = c·d.

``explain_backward(e)`` prints the same chain rule as text, one line per tensor::

    ∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5

Drawn before ``backward()``, both compute the gradients on the side (their own
``autograd.grad(..., retain_graph=True)``) and leave ``.grad`` untouched.  Drawn after a
``backward()`` (plain or with ``retain_graph=True``) they run no backward at all: a leaf shows the
``.grad`` it holds, an intermediate tensor the gradient that backward passed through it, and an
edge the local derivative backward used (recorded for small tensors, see
:meth:`~tinygrad_ru.autograd.Function.release`); big tensors whose values backward freed show
their shape only.

The modules, one job each: ``tracing`` (tensors, ops, names and gradients of a graph),
``labels`` (the text and colours of tensor and op nodes), ``explain`` (the chain rule as text),
``draw`` (the op-by-op picture), ``modules`` (which module made which op: ``trace_modules``),
``boxes`` and ``collapse`` (one box per module), ``model`` (``draw_model``).
"""

from .draw import draw_graph
from .explain import explain_backward
from .model import draw_model
from .modules import ModuleTrace, trace_modules

__all__ = ["ModuleTrace", "draw_graph", "draw_model", "explain_backward", "trace_modules"]
