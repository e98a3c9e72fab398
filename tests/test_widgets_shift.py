"""The covariate-shift explorer, driven without a browser: controls move, artists follow."""
import numpy as np
import pytest
from sklearn.linear_model import Ridge

from tlearn.datasets import make_covariate_shift
from tlearn.widgets import Explorer, shift_explorer
from tlearn.widgets.shift import GAMMAS, ShiftModel


@pytest.fixture(scope="module")
def ex():
    return shift_explorer()


def _line(ax, label):
    return [ln for ln in ax.get_lines() if ln.get_label() == label][0]


def _data(ex):
    v = {k: c.value for k, c in ex.controls.items()}
    return make_covariate_shift(n_source=v["n"], n_target=2000, shift=v["shift"], scale_target=0.5,
                                misspecification=v["misspecification"], noise=0.3, seed=0), v


def test_contract(ex):
    assert isinstance(ex, Explorer)
    assert {"lam", "n", "shift", "misspecification", "gamma"} <= set(ex.controls)
    for name in ("shift", "misspecification", "gamma", "n", "lam"):
        assert f"tlearn-{name}" in ex.controls[name]._dom_classes
    assert ex.image.value[:4] == b"\x89PNG"
    assert "target MSE" in ex.summary.value and "ESS" in ex.summary.value
    assert isinstance(ex.model, ShiftModel)


@pytest.mark.parametrize("gamma, lam_index", [(1.0, 5), (0.5, 13), (0.0, 20)])
def test_fit_is_sklearn_ridge_with_the_flattened_true_weights(ex, gamma, lam_index):
    """Eq. (5.5): weights (p_T/p_S)^γ; the drawn line is Ridge(alpha=λ) with those sample weights."""
    ex.controls["shift"].value = 1.5
    ex.controls["misspecification"].value = 1.0
    ex.controls["gamma"].value = gamma
    lam = ex.controls["lam"].options[lam_index][1]
    ex.controls["lam"].value = lam
    data, _ = _data(ex)
    w = data.ratio(data.X_source) ** gamma
    ref = Ridge(alpha=lam).fit(data.X_source, data.y_source, sample_weight=w / w.mean())
    fit = _line(ex.fig.axes[1], "weighted fit")
    np.testing.assert_allclose(fit.get_ydata(), ref.predict(ex.model.x[:, None]), rtol=1e-7, atol=1e-9)
    risk = np.mean((ref.predict(data.X_target) - data.y_target) ** 2)
    marker = _line(ex.fig.axes[2], "current \N{GREEK SMALL LETTER GAMMA}")
    assert marker.get_ydata()[0] == pytest.approx(risk, rel=1e-7)
    assert f"{risk:.3g}" in ex.summary.value


def test_gamma_zero_ignores_the_shift(ex):
    ex.controls["gamma"].value = 0.0
    w_line = [ln for ax in ex.fig.axes for ln in ax.get_lines() if ln.get_label() == "w\N{GREEK SMALL LETTER GAMMA}(x)"][0]
    np.testing.assert_allclose(w_line.get_ydata(), 1.0)
    assert f"ESS {ex.controls['n'].value} of" in ex.summary.value


def test_weight_curve_is_the_density_ratio(ex):
    ex.controls["gamma"].value = 1.0
    data, _ = _data(ex)
    x = ex.model.x
    w_line = [ln for ax in ex.fig.axes for ln in ax.get_lines() if ln.get_label() == "w\N{GREEK SMALL LETTER GAMMA}(x)"][0]
    c = data.ratio(data.X_source).mean()
    expected = (np.exp(-2 * (x - data.mean_target[0]) ** 2) / 0.5) / np.exp(-0.5 * x**2) / c
    np.testing.assert_allclose(w_line.get_ydata(), expected, rtol=1e-8)


def test_gamma_panel_has_one_point_per_slider_value(ex):
    risk = _line(ex.fig.axes[2], "target risk")
    np.testing.assert_array_equal(risk.get_xdata(), GAMMAS)
    assert np.all(np.isfinite(risk.get_ydata()))


def test_n_changes_the_data(ex):
    before = ex.fig.axes[1].collections[1].get_offsets().copy()
    ex.controls["n"].value = 200
    assert ex.fig.axes[1].collections[1].get_offsets().shape[0] == 200 != before.shape[0]


@pytest.mark.parametrize("name, value", [("lam", 0.01), ("gamma", 0.8)])
def test_blitted_update_matches_a_full_redraw(name, value, blit_vs_full):
    """A γ or λ move redraws only the moving artists over the cached background; the picture equals a full render."""
    ex = shift_explorer()
    background = ex.blitter._bg
    ex.controls[name].value = value
    assert ex.blitter._bg is background  # same data setting and axis tops: blitted, not redrawn
    blit, full = blit_vs_full(ex)
    assert (np.abs(blit - full).max(axis=2) > 40).mean() < 0.002


def _fresh(v):
    return shift_explorer(shift=v["shift"], misspecification=v["misspecification"], gamma=v["gamma"], lam=v["lam"],
                          n=v["n"])


@pytest.mark.parametrize("moves", [dict(shift=3.0), dict(shift=0.0), dict(misspecification=2.0), dict(n=20),
                                   dict(n=400, misspecification=0.0), dict(shift=3.0, misspecification=2.0, n=20)])
def test_every_move_is_blitted_and_matches_a_fresh_full_render(moves, blit_vs_fresh, yaxis_fits):
    """shift, misspecification and n change the data and rescale three panels (the weights up to ~1e5 at the
    largest shift), yet every move is a blit over one background, equal to a new explorer's full render; at the
    extreme settings every tick label fits the layout measured once."""
    ex = shift_explorer()
    blit, full = blit_vs_fresh(ex, _fresh, **moves)
    assert (np.abs(blit - full).max(axis=2) > 40).mean() < 0.002
    yaxis_fits(ex.fig)
    for ax in ex.fig.axes:  # and every label stays on the canvas
        box = ax.get_tightbbox(ex.fig.canvas.get_renderer())
        assert 0 <= box.x0 and box.x1 <= ex.fig.bbox.width
