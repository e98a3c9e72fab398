"""The ridge explorer, driven without a browser: controls move, artists follow."""
import numpy as np
import pytest

from tlearn import ridge_fit, theory
from tlearn.datasets import make_transfer_regression
from tlearn.widgets import Explorer, ridge_explorer


@pytest.fixture(scope="module")
def ex():
    return ridge_explorer(n_repeats=8)


def _coef_line(ex):
    ax = ex.fig.axes[2]
    return [ln for ln in ax.get_lines() if ln.get_label().startswith("\u0175")][0]


def test_contract(ex):
    assert isinstance(ex, Explorer)
    assert {"lam", "n"} <= set(ex.controls)
    assert 0.0 in ex.controls["lam"].options[0] and np.isinf(ex.controls["lam"].options[-1][1])
    assert ex.image.value[:4] == b"\x89PNG"


def test_lambda_moves_fit_to_the_closed_form(ex):
    ex.controls["n"].value = 12
    ex.controls["similarity"].value = 0.5
    axes_before = list(ex.fig.axes)
    line = _coef_line(ex)
    data = make_transfer_regression(n_source=0, n_target=12, n_test=80, n_features=10, similarity=0.5, noise=1.0, seed=0)
    for lam in [0.0, ex.controls["lam"].options[10][1], np.inf]:
        png_before = ex.image.value
        ex.controls["lam"].value = lam
        expected = ridge_fit(data.X_target, data.y_target, lam, prior=data.coef_source)
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-8, atol=1e-10)
        assert ex.image.value != png_before  # the picture was re-rendered
    assert ex.fig.axes == axes_before and _coef_line(ex) is line  # updated in place, not rebuilt


def test_current_lambda_marker_sits_on_the_theory_curve(ex):
    ex.controls["lam"].value = 1.0
    ax = ex.fig.axes[1]
    marker = [ln for ln in ax.get_lines() if ln.get_label() == "current \N{GREEK SMALL LETTER LAMDA}"][0]
    data = make_transfer_regression(n_source=0, n_target=ex.controls["n"].value, n_test=80, n_features=10,
                                    similarity=ex.controls["similarity"].value, noise=1.0, seed=0)
    risk = theory.transfer_risk(data.X_target, data.coef_target, 1.0, prior=data.coef_source, noise_var=1.0).risk[0]
    assert marker.get_xdata()[0] == 1.0 and marker.get_ydata()[0] == pytest.approx(risk)


def test_n_changes_the_data(ex):
    ex.controls["n"].value = 5
    pts = ex.fig.axes[0].collections[0]
    before = pts.get_offsets().copy()
    ex.controls["n"].value = 40
    assert not np.allclose(pts.get_offsets(), before)
    assert "n_B = 40" in ex.fig.axes[1].get_title()


def test_blitted_update_matches_a_full_redraw(ex, blit_vs_full):
    """A λ move redraws only the moving artists; the picture must equal a full render."""
    ex.controls["n"].value = 25
    ex.controls["lam"].value = ex.controls["lam"].options[5][1]
    ex.controls["lam"].value = ex.controls["lam"].options[20][1]  # same n: blitted
    blit, full = blit_vs_full(ex)
    differing = (np.abs(blit - full).max(axis=2) > 40).mean()
    assert differing < 0.005  # only stacking order of overlapping marks may differ
