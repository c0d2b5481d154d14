"""Pictures that teach: computational graphs (graphviz), optimizer trajectories and training plots.

    from tinygrad_ru.viz import draw_graph, explain_backward
    draw_graph(e).render("graph", format="svg")     # needs Graphviz's `dot`
    print(explain_backward(e))                       # ∂e/∂b = ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b = 2·1 + 3·1 = 5
    backprop_steps(e).save("steps.html")             # the backward, step by step, in the browser

The matplotlib parts (``tinygrad_ru.viz.plots``, ``tinygrad_ru.viz.optimizers``) are imported
on use, so ``import tinygrad_ru.viz`` does not need matplotlib.
"""

from .backprop import BackpropSteps, backprop_steps
from .graph import ModuleTrace, draw_graph, draw_model, explain_backward, trace_modules

__all__ = ["BackpropSteps", "ModuleTrace", "backprop_steps", "draw_graph", "draw_model", "explain_backward",
           "trace_modules"]
from .landscape import (
    filter_normalized_direction,
    interpolate_1d,
    landscape_2d,
    plot_interpolation,
    plot_landscape_contour,
    plot_landscape_surface,
)
from .layer_stats import plot_layer_stats
from .optimizers import (
    animate_trajectories,
    classify_endpoint,
    gradient_signals,
    plot_trajectories,
    plot_update_response,
    run_lab,
    run_trajectory,
    update_response,
)
from .plots import plot_history, plot_lr_schedule
from .testfunctions import TEST_FUNCTIONS, get_test_function

__all__ += [
    "filter_normalized_direction", "interpolate_1d", "landscape_2d", "plot_interpolation", "plot_landscape_contour",
    "plot_landscape_surface", "plot_layer_stats", "animate_trajectories", "classify_endpoint", "gradient_signals",
    "plot_trajectories",
    "plot_update_response", "run_lab", "run_trajectory", "update_response", "plot_history", "plot_lr_schedule",
    "TEST_FUNCTIONS", "get_test_function",
]
