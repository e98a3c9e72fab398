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
    assert "n_B = 40" in ex.fig.axes[1].get_title() and "n_B = 40" in ex.summary_text


def test_blitted_update_matches_a_full_redraw(ex, blit_vs_full):
    """A λ move redraws only the moving artists; the picture must equal a full render."""
    ex.controls["n"].value = 25
    ex.controls["lam"].value = ex.controls["lam"].options[5][1]
    ex.controls["lam"].value = ex.controls["lam"].options[20][1]  # same n: blitted
    blit, full = blit_vs_full(ex)
    differing = (np.abs(blit - full).max(axis=2) > 40).mean()
    assert differing < 0.005  # only stacking order of overlapping marks may differ


def _exact(n, similarity, lams=None):
    data = make_transfer_regression(n_source=0, n_target=n, n_test=80, n_features=10, similarity=similarity,
                                    noise=1.0, seed=0)
    from tlearn.widgets import LAM_GRID
    return theory.transfer_risk(data.X_target, data.coef_target, LAM_GRID if lams is None else lams,
                                prior=data.coef_source, noise_var=1.0).risk


def test_monte_carlo_agrees_with_the_exact_curve():
    """Eq. (1.12): ≥ 90 % of the Monte-Carlo points lie within 2 s.e. of the exact risk, over several settings."""
    from tlearn.widgets import RidgeExplorerModel

    model = RidgeExplorerModel()  # the explorer's default number of draws
    inside, total = 0, 0
    for n, similarity in [(10, 0.8), (10, 0.0), (2, 1.0), (5, -0.5), (30, 0.5), (60, -1.0), (12, 0.3)]:
        s = model.setting(n, similarity)
        exact = _exact(n, similarity)
        assert np.all(s.mc_se[:-1] > 0)  # λ = ∞ is the only deterministic point (ŵ = w_A)
        inside += int(np.sum(np.abs(s.mc_mean - exact) <= 2 * s.mc_se + 1e-9 * exact))
        total += exact.size
        assert np.all(s.mc_se <= 0.1 * exact)  # error bars small enough to see the curve
    assert inside >= 0.9 * total


def test_monte_carlo_error_bars_are_honest():
    """Each s.e. matches the spread of the point over independent seeds (not an understatement)."""
    from tlearn.widgets import RidgeExplorerModel

    means, ses = [], []
    for seed in range(12):
        model = RidgeExplorerModel(n_repeats=100, seed=seed)
        s = model.setting(10, 0.0)
        means.append(s.mc_mean[:-1])
        ses.append(s.mc_se[:-1])
    # the seed also changes the design, so compare each seed's point with its own exact value
    z = []
    for seed, (m, se) in enumerate(zip(means, ses)):
        data = make_transfer_regression(n_source=0, n_target=10, n_test=80, n_features=10, similarity=0.0,
                                        noise=1.0, seed=seed)
        from tlearn.widgets import LAM_GRID
        exact = theory.transfer_risk(data.X_target, data.coef_target, LAM_GRID[:-1], prior=data.coef_source,
                                     noise_var=1.0).risk
        z.append((m - exact) / se)
    z = np.concatenate(z)
    assert 0.7 < np.std(z) < 1.3  # standardised errors have unit spread when the s.e. is honest


def test_summary_reports_the_current_and_the_best_lambda(ex):
    from tlearn.widgets import LAM_GRID
    from tlearn.widgets._common import lam_label

    ex.controls["n"].value = 10
    ex.controls["similarity"].value = 0.0
    ex.controls["lam"].value = 1.0
    exact = _exact(10, 0.0)
    best = LAM_GRID[int(np.argmin(exact))]
    text = ex.summary_text
    assert f"expected test MSE {_exact(10, 0.0, 1.0)[0]:.3g} exact" in text
    assert f"best \N{GREEK SMALL LETTER LAMDA} on the slider {lam_label(best)} with {exact.min():.3g}" in text
    assert "aria-live" in ex.summary.value and "tlearn-summary" in ex.summary._dom_classes


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(n=1), ValueError, "n"), (dict(n=61), ValueError, "n"), (dict(n=3.0), TypeError, "n"),
    (dict(similarity=1.5), ValueError, "similarity"), (dict(similarity="high"), TypeError, "similarity"),
    (dict(lam=-0.1), ValueError, "lam"), (dict(lam=1j), TypeError, "lam"), (dict(n_repeats=1), ValueError, "n_repeats"),
    (dict(noise=0.0), ValueError, "noise"), (dict(noise=np.inf), ValueError, "noise"), (dict(seed=-3), ValueError, "seed"),
    (dict(n_features="10"), TypeError, "n_features"),
])
def test_bad_arguments_are_named(kwargs, error, name):
    with pytest.raises(error, match=name):
        ridge_explorer(**kwargs)


def test_values_off_the_slider_grids_snap():
    ex = ridge_explorer(n_repeats=2, similarity=0.33, lam=0.9)
    assert ex.controls["similarity"].value == pytest.approx(0.3)
    assert ex.controls["lam"].value == pytest.approx(1.0)


def test_the_model_stands_alone():
    """explorer.model without a figure: ŵ is ridge toward w_A, Eq. (1.4)."""
    from tlearn.widgets import RidgeExplorerModel

    s = RidgeExplorerModel(n_repeats=2).setting(7, -0.4)
    d = s.data
    np.testing.assert_allclose(s.coef(0.3), ridge_fit(d.X_target, d.y_target, 0.3, prior=d.coef_source), rtol=1e-10)


def test_model_refuses_too_few_noise_draws_by_name():
    """A standard error needs two draws: n_repeats = 1 or 0 is refused by name, not left to NaN or NumPy."""
    from tlearn.widgets._models import RidgeExplorerModel

    for bad in (1, 0, -3):
        with pytest.raises(ValueError, match="n_repeats"):
            RidgeExplorerModel(n_repeats=bad)
    with pytest.raises(ValueError, match="noise"):
        RidgeExplorerModel(noise=float("inf"))


@pytest.mark.parametrize("moves", [dict(n=2), dict(n=60), dict(n=11, lam=0.0), dict(similarity=-1.0),
                                   dict(similarity=1.0, lam=np.inf), dict(n=10, similarity=-1.0, lam=0.0)])
def test_every_move_is_blitted_and_matches_a_fresh_full_render(moves, blit_vs_fresh, yaxis_fits):
    """n_B and the similarity rescale every panel, yet every move is a blit (the axes that rescale are moving
    artists over one background) equal to a new explorer's full render; the extremes fit the fixed layout."""
    ex = ridge_explorer(n=15, similarity=0.5, n_repeats=50)
    fresh = lambda v: ridge_explorer(n=v["n"], similarity=v["similarity"], lam=v["lam"], n_repeats=50)  # noqa: E731
    blit, full = blit_vs_fresh(ex, fresh, **moves)
    assert (np.abs(blit - full).max(axis=2) > 40).mean() < 0.002
    yaxis_fits(ex.fig)
