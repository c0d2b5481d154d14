"""Pictures that teach: computational graphs (graphviz), optimizer trajectories and training plots.

    from tinygrad_ru.viz import draw_graph, explain_backward
    draw_graph(e).render("graph", format="svg")     # needs Graphviz's `dot`
    print(explain_backward(e))                       # ∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5

The matplotlib parts (``tinygrad_ru.viz.plots``, ``tinygrad_ru.viz.optimizers``) are imported
on use, so ``import tinygrad_ru.viz`` does not need matplotlib.
"""

from .graph import draw_graph, explain_backward

__all__ = ["draw_graph", "explain_backward"]
