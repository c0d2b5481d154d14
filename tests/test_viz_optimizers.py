"""The optimizer lab: test functions, trajectories of the real optimizers, basins, GIF, responses."""

import math

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import tinygrad_ru as tg  # noqa: E402
import tinygrad_ru.optim as optim  # noqa: E402
from tinygrad_ru.viz import optimizers as lab  # noqa: E402
from tinygrad_ru.viz.testfunctions import TEST_FUNCTIONS, get_test_function  # noqa: E402


# --- the article's formulas, re-typed in numpy -------------------------------------------
def np_wobbly(x, y):
    return ((x**2 + y**2) / 3 + abs(x) * np.sqrt(abs(x) + 0.1) + 3 * np.sin(x + y) + 3.0
            + 8 * np.exp(-2 * ((x + 1) ** 2 + (y + 2) ** 2)))


def np_hills(x, y):
    return ((x**2 + y**2) / 3 + 3 * np.exp(-((x + 1) ** 2 + (y + 2) ** 2))
            + np.exp(-1.5 * (2 * (x + 2) ** 2 + (y - 0.5) ** 2))
            + 3 * np.exp(-1.5 * ((x - 1) ** 2 + 2 * (y + 1.5) ** 2))
            + 1.5 * np.exp(-((x + 1.5) ** 2 + 3 * (y + 0.5) ** 2)) + 4 * (1 - np.exp(-((x + y) ** 2))))


NP_FORMULAS = {
    "simple_quadratic": lambda x, y: x**2 + y**2,
    "wobbly": np_wobbly,
    "basins_and_walls": lambda x, y: (x**2 + y**2) / 2 + np.sin(4 * x) ** 2,
    "ripple": lambda x, y: (x**2 + y**2) / 3 + (np.sin(20 * x) ** 2 + np.sin(20 * y) ** 2) / 15,
    "giant_plateau": lambda x, y: 4 * (1 - np.exp(-(x**2 + y**2))),
    "hills_and_canyon": np_hills,
    "two_minima": lambda x, y: 4 - 0.5 * np.exp(-((x + 2.5) ** 2 + (y + 2.5) ** 2)) - 3 * np.exp(-(x**2 + y**2)),
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
}


@pytest.mark.parametrize("name", sorted(NP_FORMULAS))
def test_test_function_matches_article_formula_and_grid(name):
    fn = get_test_function(name)
    pts = [(-2.8, -2.5), (0.3, -1.1), (1.7, 0.4)]
    for x, y in pts:
        assert fn.value(x, y) == pytest.approx(NP_FORMULAS[name](x, y), rel=1e-12)
    xs, ys = np.array([-1.0, 0.5, 2.0]), np.array([-0.5, 1.5])
    Z = fn.grid(xs, ys)
    assert Z.shape == (2, 3)
    X, Y = np.meshgrid(xs, ys)
    np.testing.assert_allclose(Z, NP_FORMULAS[name](X, Y), rtol=1e-12)


@pytest.mark.parametrize("name", sorted(TEST_FUNCTIONS))
def test_listed_minima_are_stationary_and_global_is_lowest(name):
    fn = get_test_function(name)
    for label, (x, y) in fn.minima.items():
        w = tg.Tensor([x, y], requires_grad=True, dtype=tg.float64)
        fn(w).backward()
        # coordinates are rounded to 3 decimals: the gradient is small, not zero
        assert np.abs(w.grad.numpy()).max() < 0.05 * max(1.0, abs(fn.value(x, y))) + 0.05, (label, w.grad)
    g = fn.value(*fn.global_minimum)
    assert all(g <= fn.value(*m) + 1e-12 for m in fn.minima.values())


def test_function_rejects_wrong_shape():
    with pytest.raises(ValueError, match="shape"):
        TEST_FUNCTIONS["wobbly"](tg.Tensor([1.0, 2.0, 3.0]))


def test_run_trajectory_is_the_real_optimizer():
    # gradient descent on x²+y²: θ_k = θ_0·(1 − 2·lr)^k exactly
    traj = lab.run_trajectory("simple_quadratic", optim.SGD, (1.0, -2.0), 10, lr=0.1)
    assert traj.shape == (11, 2)
    expected = np.array([1.0, -2.0]) * (0.8 ** np.arange(11))[:, None]
    np.testing.assert_allclose(traj, expected, rtol=1e-12)
    # Adam's first step moves every coordinate by ≈ lr (sign of the gradient)
    traj = lab.run_trajectory("simple_quadratic", optim.Adam, (1.0, -2.0), 1, lr=0.25)
    np.testing.assert_allclose(traj[1], [0.75, -1.75], atol=1e-6)


def test_classify_endpoint_names_basins():
    fn = get_test_function("two_minima")
    e = lab.classify_endpoint(fn, (-2.3, -2.6))
    assert e.basin.startswith("local") and not e.converged
    assert e.minimum == pytest.approx((-2.5, -2.5), abs=1e-6)
    e = lab.classify_endpoint(fn, (0.01, -0.02))
    assert e.basin == "global" and e.converged
    e = lab.classify_endpoint(fn, (float("nan"), 0.0))
    assert e.basin == "diverged"


# The article's lab setup (start (−2.8, −2.5), 125 steps, its learning rates): the end basins.
PINNED = {
    "hills_and_canyon": {"nesterov": "local (left)", "rmsprop": "local (left)", "adadelta": "local (left)",
                         "adagrad": "local (left)", "adam": "global"},
    "two_minima": {m: "local (-2.5, -2.5)" for m in ("nesterov", "rmsprop", "adadelta", "adagrad", "adam")},
}


def test_lab_end_basins_are_pinned():
    rows = lab.run_lab(list(PINNED), lab.ARTICLE_METHODS)
    got = {}
    for r in rows:
        got.setdefault(r.function, {})[r.method] = r.end.basin
        assert r.trajectory.shape == (126, 2)
        np.testing.assert_allclose(r.trajectory[0], (-2.8, -2.5))
    assert got == PINNED
    # the article's two findings
    assert [r.method for r in rows if r.function == "hills_and_canyon" and r.end.basin == "global"] == ["adam"]
    assert not [r for r in rows if r.function == "two_minima" and r.end.basin == "global"]
    table = lab.format_lab_table(rows)
    assert "hills_and_canyon" in table and "adam" in table and "global" in table


def test_plot_trajectories_draws_the_paths():
    trajs = {"sgd": lab.run_trajectory("basins_and_walls", optim.SGD, None, 5, lr=0.05),
             "adam": lab.run_trajectory("basins_and_walls", optim.Adam, None, 5, lr=0.25)}
    fig = lab.plot_trajectories("basins_and_walls", trajs, resolution=0.2)
    lines = lab.trajectory_lines(fig)
    assert list(lines) == ["sgd", "adam"]
    for name, line in lines.items():
        np.testing.assert_allclose(line.get_xdata(), trajs[name][:, 0])
        np.testing.assert_allclose(line.get_ydata(), trajs[name][:, 1])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:2] == ["sgd", "adam"]
    assert {"global minimum", "start"} <= set(labels)  # the stars and the start are explained
    legend = fig.axes[0].get_legend()
    assert legend.get_bbox_to_anchor().x0 >= fig.axes[0].get_window_extent().x1  # outside: covers nothing
    assert fig.axes[0].get_title() == "Basins and walls"


def test_animation_gif_has_the_promised_frames(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    trajs = {"sgd": lab.run_trajectory("simple_quadratic", optim.SGD, (-2.8, -2.5), 10, lr=0.1),
             "adam": lab.run_trajectory("simple_quadratic", optim.Adam, (-2.8, -2.5), 10, lr=0.25)}
    path = tmp_path / "anim.gif"
    anim, n = lab.animate_trajectories("simple_quadratic", trajs, path, stride=3, figsize=(3, 3), dpi=40)
    assert n == 5  # steps 0, 3, 6, 9 and the final 10
    with Image.open(path) as im:
        assert im.format == "GIF"
        assert im.n_frames == n


def test_gradient_signals_are_the_articles():
    s = lab.gradient_signals()
    assert set(s) == {"spikes", "rectangles", "noisy sin", "very noisy sin", "uneven sawtooth", "saturation"}
    assert all(len(v) == 300 for v in s.values())
    assert np.flatnonzero(s["spikes"]).tolist() == [0, 60, 120, 180, 240]
    assert s["rectangles"][:20].tolist() == [1.0] * 20 and s["rectangles"][20:40].tolist() == [-1.0] * 20
    assert s["uneven sawtooth"][19] == pytest.approx(19 / 5) and s["uneven sawtooth"][99] == pytest.approx(19 / 20)
    rs = np.random.RandomState(413)
    t = np.arange(300)
    np.testing.assert_allclose(s["noisy sin"], np.sin(t / 20) + rs.random_sample(300) - 0.5)


def _article_adadelta(X, gamma, start, eps=1e-3):
    out, eg, ed = [], 0.0, start
    for x in X:
        eg = gamma * eg + (1 - gamma) * x * x
        v = math.sqrt(ed + eps) / math.sqrt(eg + eps) * x
        out.append(v)
        ed = gamma * ed + (1 - gamma) * v * v
    return np.array(out)


def _article_adam(X, beta1, beta2=0.999, lr=0.25, eps=1e-7):
    out, m, v = [], 0.0, 0.0
    for i, x in enumerate(X):
        m = beta1 * m + (1 - beta1) * x
        v = beta2 * v + (1 - beta2) * x * x
        out.append(lr / math.sqrt(v / (1 - beta2 ** (i + 1)) + eps) * m / (1 - beta1 ** (i + 1)))
    return np.array(out)


def test_update_responses_match_the_articles_formulas():
    sig = lab.gradient_signals()["noisy sin"][:120]
    suites = {s.name: s for s in lab.RESPONSE_SUITES}
    # momentum: v = γv + lr·g, Δθ = −v
    v, ref = 0.0, []
    for g in sig:
        v = 0.9 * v + 0.25 * g
        ref.append(v)
    np.testing.assert_allclose(-suites["Momentum"].responses(sig)[0.9], ref, rtol=1e-10, atol=1e-12)
    # Adagrad: lr/√(G + ε)·g
    G = np.cumsum(sig**2)
    np.testing.assert_allclose(-suites["Adagrad"].responses(sig)[0.1], 2.5 / np.sqrt(G + 0.1) * sig, rtol=1e-10)
    # Adadelta, zero and big start; Adam with ε inside the root
    np.testing.assert_allclose(-suites["Adadelta (zero start)"].responses(sig)[0.9], _article_adadelta(sig, 0.9, 0.0),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(-suites["Adadelta (big start)"].responses(sig)[0.9], _article_adadelta(sig, 0.9, 50.0),
                               rtol=1e-9)
    np.testing.assert_allclose(-suites["Adam"].responses(sig)[0.9], _article_adam(sig, 0.9), rtol=1e-9)


def test_plot_update_response_axis_data():
    sigs = {k: v[:50] for k, v in lab.gradient_signals().items() if k in ("spikes", "rectangles")}
    suite = lab.RESPONSE_SUITES[3]  # RMSprop
    fig = lab.plot_update_response(suite, sigs)
    assert len(fig.axes) == 2
    lines = fig.axes[1].get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), sigs["rectangles"])
    resp = suite.responses(sigs["rectangles"])
    for line, value in zip(lines[1:1 + len(suite.values)], suite.values):
        np.testing.assert_allclose(line.get_ydata(), -resp[value])


def test_missing_matplotlib_gives_a_clear_error(monkeypatch):
    import sys

    from tinygrad_ru.viz import _mpl

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="matplotlib.*pip install matplotlib"):
        _mpl.require_matplotlib()


def test_a_diverging_path_is_cut_at_its_last_finite_point_and_marked():
    # inside, inside, just outside the frame, far away (a straight line across the plot), then NaN
    traj = np.array([[-1.5, 2.5], [-1.0, 1.0], [1.5, 5.0], [300.0, 4000.0], [np.inf, np.nan], [np.nan, np.nan]])
    fig = lab.plot_trajectories("rosenbrock", {"nesterov": traj, "fine": np.array([[-1.5, 2.5], [0.0, 0.0]])})
    line = lab.trajectory_lines(fig)["nesterov"]
    np.testing.assert_array_equal(line.get_xydata(), traj[:3])  # no segment to the far point or to NaN
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "nesterov: diverged at step 4" in labels and "fine" in labels
    assert "diverged" in [t.get_text() for t in fig.axes[0].texts]
    x0, x1, y0, y1 = get_test_function("rosenbrock").extent
    cross = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "X"][0]
    cx, cy = cross.get_xdata()[0], cross.get_ydata()[0]
    assert x0 <= cx <= x1 and cy == pytest.approx(y1)  # marked where the path leaves the picture
    assert cx == pytest.approx(-1.0 + 2.5 * (y1 - 1.0) / 4.0)  # on its last segment, not just clipped


def test_update_response_has_one_readable_legend_for_all_panels():
    suite = lab.RESPONSE_SUITES[1]
    fig = lab.plot_update_response(suite)
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["gradient g"] + [f"{suite.param} = {v:g}" for v in suite.values]
    assert min(t.get_fontsize() for t in fig.legends[0].get_texts()) >= 10
