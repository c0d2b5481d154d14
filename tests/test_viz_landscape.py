"""Loss landscape: filter normalisation, center = model loss, interpolation end points, restore."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import tinygrad_ru as tg  # noqa: E402
import tinygrad_ru.nn as nn  # noqa: E402
import tinygrad_ru.nn.functional as F  # noqa: E402
from tinygrad_ru.viz import landscape as L  # noqa: E402


def small_model_and_data():
    tg.manual_seed(3)
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    rng = np.random.default_rng(0)
    X = tg.Tensor(rng.standard_normal((20, 6)).astype(np.float32))
    y = tg.Tensor(rng.integers(0, 3, 20))
    return model, (X, y)


def test_filter_normalisation_property():
    tg.manual_seed(0)
    center = [np.random.default_rng(1).standard_normal((4, 3, 2, 2)).astype(np.float32) * 3,
              np.ones(4, np.float32), np.arange(12, dtype=np.float32).reshape(3, 4)]
    d = L.filter_normalized_direction(center)
    assert [x.shape for x in d] == [x.shape for x in center]
    assert d[0].dtype == np.float32
    for di, wi in zip(d[0], center[0]):  # every conv filter: ‖d_i‖ = ‖θ_i‖
        assert np.linalg.norm(di) == pytest.approx(np.linalg.norm(wi), rel=1e-5)
    np.testing.assert_allclose(np.linalg.norm(d[2], axis=1), np.linalg.norm(center[2], axis=1), rtol=1e-5)
    assert not d[1].any()  # biases zeroed, as in the paper
    np.testing.assert_array_equal(L.filter_normalize(d, center, bias_mode="copy")[1], center[1])
    d2 = L.filter_normalized_direction(center)
    assert not np.allclose(d[0], d2[0])  # two independent directions
    with pytest.raises(ValueError, match="shape"):
        L.filter_normalize([np.zeros((2, 2))], [np.zeros((3, 2))])


def test_surface_and_line_on_a_raw_quadratic():
    # loss_at = ‖w‖² on one 2×2 "weight": exact values along known directions
    def loss_at(arrays):
        return float((tg.Tensor(arrays[0], dtype=tg.float64) ** 2).sum().item())

    c = [np.array([[1.0, 0.0], [0.0, 1.0]])]
    d1, d2 = [np.array([[1.0, 0.0], [0.0, 0.0]])], [np.array([[0.0, 0.0], [0.0, 1.0]])]
    al = np.array([-1.0, 0.0, 1.0])
    Z = L.surface_2d(loss_at, c, d1, d2, al, al)
    A, B = np.meshgrid(al, al)
    np.testing.assert_allclose(Z, (1 + A) ** 2 + (1 + B) ** 2)
    line = L.line_1d(loss_at, c, [np.zeros((2, 2))], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(line, [2.0, 0.5, 0.0])


def test_landscape_center_equals_model_loss_and_params_restored():
    model, data = small_model_and_data()
    before = [p.data.copy() for p in model.parameters()]
    with tg.no_grad():
        loss = F.cross_entropy(model(data[0]), data[1]).item()
    res = L.landscape_2d(model, F.cross_entropy, data, steps=5, span=0.5)
    assert res.losses.shape == (5, 5)
    assert res.center_loss == pytest.approx(loss, rel=1e-6)
    assert res.losses[2, 2] == pytest.approx(loss, rel=1e-6)  # the grid's center is θ* itself
    assert not np.allclose(res.losses, loss)
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, b)
    d1, _ = res.directions
    w0 = before[0]
    np.testing.assert_allclose(np.linalg.norm(d1[0], axis=1), np.linalg.norm(w0, axis=1), rtol=1e-5)
    # an explicit direction reproduces one grid value by hand
    a = res.alphas[4]
    for p, c, x, y in zip(model.parameters(), before, *res.directions):
        p.data = c + float(a) * x + float(res.betas[0]) * y
    with tg.no_grad():
        manual = F.cross_entropy(model(data[0]), data[1]).item()
    for p, b in zip(model.parameters(), before):
        p.data = b
    assert res.losses[0, 4] == pytest.approx(manual, rel=1e-5)


def test_interpolate_1d_end_points():
    model, data = small_model_and_data()
    theta_a = {k: v.clone() for k, v in model.state_dict().items()}
    with tg.no_grad():
        loss_a = F.cross_entropy(model(data[0]), data[1]).item()
    for p in model.parameters():  # a "trained" point
        p.data = p.data * 0.5 + 0.1
    with tg.no_grad():
        loss_b = F.cross_entropy(model(data[0]), data[1]).item()
    res = L.interpolate_1d(model, F.cross_entropy, theta_a, model, data, steps=5, alpha_range=(0.0, 1.0))
    np.testing.assert_allclose(res.alphas, [0, 0.25, 0.5, 0.75, 1.0])
    assert res.losses[0] == pytest.approx(loss_a, rel=1e-5)
    assert res.losses[-1] == pytest.approx(loss_b, rel=1e-5)
    with tg.no_grad():  # the model keeps θ_b
        assert F.cross_entropy(model(data[0]), data[1]).item() == pytest.approx(loss_b, rel=1e-6)


def test_landscape_plots_carry_the_data(tmp_path):
    model, data = small_model_and_data()
    res = L.landscape_2d(model, F.cross_entropy, data, steps=5, span=0.5)
    fig = L.plot_landscape_contour(res, path=tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 0
    star = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "*"][0]
    assert list(star.get_xdata()) == [0]
    notes = [t.get_text() for t in fig.axes[0].texts]
    assert any(f"θ* (trained), loss {res.center_loss:.3g}" == n for n in notes)  # named next to the star
    assert fig.axes[1].get_ylabel() == "loss"  # the colour bar says what the colours are
    contour_labels = [n for n in notes if not n.startswith("θ*")]
    assert all(len(x.replace("-", "").replace(".", "").lstrip("0")) <= 3 for x in contour_labels)  # 3 digits
    fig = L.plot_landscape_surface(res)
    ax = fig.axes[0]
    assert ax.name == "3d" and ax.get_zlabel() == "loss"
    Z = res.losses  # seen from its lowest corner: no high corner in front of the bowl
    corners = {(1, 1): Z[-1, -1], (1, -1): Z[0, -1], (-1, 1): Z[-1, 0], (-1, -1): Z[0, 0]}
    sx, sy = min(corners, key=corners.get)
    assert np.sign(np.cos(np.radians(ax.azim))) == sx and np.sign(np.sin(np.radians(ax.azim))) == sy
    interp = L.interpolate_1d(model, F.cross_entropy, model, model, data, steps=3)
    fig = L.plot_interpolation({"same": interp}, labels=("initial weights", "trained weights"))
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), interp.losses)
    assert "θ_a" not in ax.get_title() and r"\theta_a" in ax.get_title()  # typeset, not a literal θ_a
    assert {"α = 0: initial weights", "α = 1: trained weights"} <= {t.get_text() for t in ax.texts}
