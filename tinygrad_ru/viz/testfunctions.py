"""2-D test functions for the optimizer lab, written as tinygrad_ru expressions.

The first seven are the landscapes of the Habr article "Методы оптимизации нейронных сетей"
(its second code listing, there written in Theano); Rosenbrock and Beale are the classics.
Every function takes two Tensors ``x``, ``y`` of any (broadcastable) shape, so the same formula
gives the loss of one 2-element parameter (``fn(w)``) and a whole contour grid (``fn.grid(...)``).

Each function lists its known minima (found numerically in the plotted square and rounded
to 3 decimals), labelled ``"global"`` or ``"local ..."``: the lab uses them to say in which basin
a trajectory ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import (
    backend,
    ops,  # noqa: F401  (registers the Tensor methods used below)
)
from ..autograd import no_grad
from ..tensor import Tensor


def _sin(t: Tensor) -> Tensor:
    return t.sin()


def _exp(t: Tensor) -> Tensor:
    return t.exp()


def simple_quadratic(x: Tensor, y: Tensor) -> Tensor:
    """f = x² + y²."""
    return x**2 + y**2


def wobbly(x: Tensor, y: Tensor) -> Tensor:
    """f = (x² + y²)/3 + |x|·√(|x| + 0.1) + 3 sin(x + y) + 3 + 8 exp(−2((x+1)² + (y+2)²))."""
    ax = x.abs()
    return ((x**2 + y**2) / 3 + ax * (ax + 0.1).sqrt() + 3 * _sin(x + y) + 3.0
            + 8 * _exp(-2 * ((x + 1) ** 2 + (y + 2) ** 2)))


def basins_and_walls(x: Tensor, y: Tensor) -> Tensor:
    """f = (x² + y²)/2 + sin²(4x)."""
    return (x**2 + y**2) / 2 + _sin(x * 4) ** 2


def ripple(x: Tensor, y: Tensor) -> Tensor:
    """f = (x² + y²)/3 + (sin²(20x) + sin²(20y))/15."""
    return (x**2 + y**2) / 3 + (_sin(x * 20) ** 2 + _sin(y * 20) ** 2) / 15


def giant_plateau(x: Tensor, y: Tensor) -> Tensor:
    """f = 4(1 − exp(−(x² + y²)))."""
    return 4 * (1 - _exp(-(x**2 + y**2)))


def hills_and_canyon(x: Tensor, y: Tensor) -> Tensor:
    """f = (x²+y²)/3 + 3e^{−((x+1)²+(y+2)²)} + e^{−1.5(2(x+2)²+(y−0.5)²)}
    + 3e^{−1.5((x−1)²+2(y+1.5)²)} + 1.5e^{−((x+1.5)²+3(y+0.5)²)} + 4(1 − e^{−(x+y)²})."""
    return ((x**2 + y**2) / 3
            + 3 * _exp(-((x + 1) ** 2 + (y + 2) ** 2))
            + _exp(-1.5 * (2 * (x + 2) ** 2 + (y - 0.5) ** 2))
            + 3 * _exp(-1.5 * ((x - 1) ** 2 + 2 * (y + 1.5) ** 2))
            + 1.5 * _exp(-((x + 1.5) ** 2 + 3 * (y + 0.5) ** 2))
            + 4 * (1 - _exp(-((x + y) ** 2))))


def two_minima(x: Tensor, y: Tensor) -> Tensor:
    """f = 4 − 0.5 exp(−((x+2.5)² + (y+2.5)²)) − 3 exp(−(x² + y²))  (the article's "bad init")."""
    return 4 - 0.5 * _exp(-((x + 2.5) ** 2 + (y + 2.5) ** 2)) - 3 * _exp(-(x**2 + y**2))


def rosenbrock(x: Tensor, y: Tensor) -> Tensor:
    """f = (1 − x)² + 100 (y − x²)²."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def beale(x: Tensor, y: Tensor) -> Tensor:
    """f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


@dataclass(frozen=True)
class TestFunction:
    """A named 2-D landscape f(x, y) with its known minima.

    ``fn(w)`` is the loss of a 2-element Tensor ``w`` (f(w₀, w₁), differentiable);
    ``fn.grid(xs, ys)`` evaluates it on a mesh without building a graph.
    ``minima``: ``{label: (x, y)}``; the label ``"global"`` marks the lowest one in ``extent``.
    ``start``: the lab's start point (the article's (−2.8, −2.5); a classic one for Rosenbrock/Beale).
    """

    __test__ = False  # not a pytest class

    name: str
    title: str
    f: Callable[[Tensor, Tensor], Tensor]
    minima: dict[str, tuple[float, float]]
    extent: tuple[float, float, float, float] = (-3.0, 3.0, -3.0, 3.0)
    levels: Any = None
    log_levels: bool = False
    in_article: bool = True
    start: tuple[float, float] = (-2.8, -2.5)
    notes: str = field(default="", compare=False)

    def __call__(self, w: Tensor) -> Tensor:
        if tuple(w.shape) != (2,):
            raise ValueError(f"TestFunction {self.name}: expected a parameter of shape (2,), got {tuple(w.shape)}")
        return self.f(w[0], w[1])

    def value(self, x: float, y: float) -> float:
        """f(x, y) as a Python float (float64)."""
        with no_grad():
            return float(self.f(Tensor(float(x), dtype="float64"), Tensor(float(y), dtype="float64")).item())

    def grid(self, xs: Any, ys: Any) -> Any:
        """Z[i, j] = f(xs[j], ys[i]) as a host (numpy) array; ``xs``, ``ys`` are 1-D sequences."""
        xp = backend.array_module("cpu")
        X, Y = xp.meshgrid(xp.asarray(xs, dtype="float64"), xp.asarray(ys, dtype="float64"))
        with no_grad():
            return self.f(Tensor(X, dtype="float64"), Tensor(Y, dtype="float64")).numpy()

    @property
    def global_minimum(self) -> tuple[float, float]:
        return self.minima["global"]


# The article's contour levels (its second listing).
ARTICLE_LEVELS = [x / 4.0 for x in range(-8, 24)] + [6.25, 6.5, 6.75, 7] + list(range(8, 20))

TEST_FUNCTIONS: dict[str, TestFunction] = {
    fn.name: fn
    for fn in [
        TestFunction("simple_quadratic", "Simple quadratic", simple_quadratic, {"global": (0.0, 0.0)},
                     levels=ARTICLE_LEVELS),
        TestFunction("wobbly", "Wobbly", wobbly,
                     {"global": (-0.172, -0.906), "local (upper right)": (0.896, 3.067)},
                     levels=ARTICLE_LEVELS),
        TestFunction("basins_and_walls", "Basins and walls", basins_and_walls,
                     {"global": (0.0, 0.0), "local (x=-0.76)": (-0.761, 0.0), "local (x=+0.76)": (0.761, 0.0),
                      "local (x=-1.52)": (-1.522, 0.0), "local (x=+1.52)": (1.522, 0.0),
                      "local (x=-2.28)": (-2.280, 0.0), "local (x=+2.28)": (2.280, 0.0)},
                     levels=ARTICLE_LEVELS),
        TestFunction("ripple", "Ripple", ripple, {"global": (0.0, 0.0)}, levels=ARTICLE_LEVELS,
                     notes="a local minimum in every cell of the sin² grid (period π/20)"),
        TestFunction("giant_plateau", "Giant plateau", giant_plateau, {"global": (0.0, 0.0)},
                     levels=ARTICLE_LEVELS),
        TestFunction("hills_and_canyon", "Hills and canyon", hills_and_canyon,
                     {"global": (-0.040, 0.072), "local (lower right)": (1.929, -1.921),
                      "local (left)": (-2.034, -1.082)},
                     levels=ARTICLE_LEVELS),
        TestFunction("two_minima", "Two minima / bad init", two_minima,
                     {"global": (0.0, 0.0), "local (-2.5, -2.5)": (-2.500, -2.500)}, levels=ARTICLE_LEVELS),
        TestFunction("rosenbrock", "Rosenbrock", rosenbrock, {"global": (1.0, 1.0)},
                     extent=(-2.0, 2.0, -1.0, 3.0), log_levels=True, in_article=False,
                     start=(-1.5, 2.5)),
        TestFunction("beale", "Beale", beale, {"global": (3.0, 0.5)},
                     extent=(-4.5, 4.5, -4.5, 4.5), log_levels=True, in_article=False,
                     start=(1.0, 1.5)),
    ]
}

#: The landscapes the article's lab loops over (its names: Wobbly, Basins_and_walls,
#: Giant_plateu, Hills_and_canyon, Bad_init).
ARTICLE_LAB_FUNCTIONS = ("wobbly", "basins_and_walls", "giant_plateau", "hills_and_canyon", "two_minima")


def get_test_function(name: str) -> TestFunction:
    """The test function called ``name`` (see ``TEST_FUNCTIONS``)."""
    try:
        return TEST_FUNCTIONS[name]
    except KeyError:
        raise KeyError(f"get_test_function: unknown test function {name!r}; "
                       f"known: {', '.join(TEST_FUNCTIONS)}") from None
