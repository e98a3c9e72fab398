"""The many-sources explorer, driven without a browser: controls move, artists follow."""
import numpy as np
import pytest

from tlearn import MultiSourceRidgeCV, theory
from tlearn.datasets import make_multisource
from tlearn.widgets import Explorer, sources_explorer
from tlearn.widgets.sources import SourcesModel


@pytest.fixture(scope="module")
def ex():
    return sources_explorer(n=15)


def _data(ex):
    k = ex.controls["n_sources"].value
    sims = [ex.controls[f"sim{i + 1}"].value for i in range(k)]
    return make_multisource(sims, n_target=ex.controls["n"].value, n_test=0, n_features=10, noise=1.0, seed=0)


def test_contract(ex):
    assert isinstance(ex, Explorer) and isinstance(ex.model, SourcesModel)
    assert {"lam", "n", "n_sources", "sim1", "sim4"} <= set(ex.controls)
    assert ex.image.value[:4] == b"\x89PNG"
    assert "tlearn-n-sources" in ex.controls["n_sources"]._dom_classes
    assert "\N{GREEK SMALL LETTER ALPHA} = [" in ex.summary.value


def test_bars_are_the_exact_loo_alpha(ex):
    # Eq. (6.4): the bars are the α an independent single-λ fit finds
    for i in [5, 17, -1]:  # λ = 0.01, 10, ∞ on the slider grid
        ex.controls["lam"].value = ex.controls["lam"].options[i][1]
        lam_v = ex.controls["lam"].value
        d = _data(ex)
        ref = MultiSourceRidgeCV(d.source_coefs, lams=[lam_v]).fit(d.X_target, d.y_target).alphas_[0]
        heights = [b.get_height() for b in ex.fig.axes[0].patches][:len(ref)]
        np.testing.assert_allclose(heights, ref, rtol=1e-8, atol=1e-10)
        assert f"{ref[0]:+.2f}" in ex.summary.value


def test_theory_curve_is_eq_1_12(ex):
    d = _data(ex)
    fit = MultiSourceRidgeCV(d.source_coefs, lams=[1.0]).fit(d.X_target, d.y_target)
    risk = theory.transfer_risk(d.X_target, d.coef_target, 1.0, prior=d.source_coefs.T @ fit.alphas_[0]).risk[0]
    line = [ln for ln in ex.fig.axes[2].get_lines() if ln.get_label().startswith("toward")][0]
    x = np.asarray(line.get_xdata())
    assert line.get_ydata()[int(np.argmin(np.abs(x - 1.0)))] == pytest.approx(risk, rel=1e-10)


def test_fewer_sources_and_new_similarity(ex):
    ex.controls["n_sources"].value = 2
    heights = [b.get_height() for b in ex.fig.axes[0].patches]
    assert heights[2] == 0 and heights[3] == 0 and heights[0] != 0
    before = ex.image.value
    ex.controls["sim2"].value = -1.0
    assert ex.image.value != before and ("n = 15" in ex.fig.axes[1].get_title())
    assert len(ex.model.cache) >= 2


def test_blitted_update_matches_a_full_redraw(blit_vs_full):
    """A λ move redraws only the bars and λ markers over the cached background; the picture equals a full render."""
    ex = sources_explorer(n=15)
    background = ex.blitter._bg
    ex.controls["lam"].value = 100.0
    assert ex.blitter._bg is background  # same setting and α axis: blitted, not redrawn
    blit, full = blit_vs_full(ex)
    assert (np.abs(blit - full).max(axis=2) > 40).mean() < 0.002


def _fresh(v):
    sims = [v[f"sim{i + 1}"] for i in range(v["n_sources"])]
    return sources_explorer(n=v["n"], similarities=sims, lam=v["lam"])


@pytest.mark.parametrize("moves", [
    dict(n=8), dict(n=60), dict(n_sources=1), dict(n_sources=3, sim3=-1.0), dict(sim1=-1.0, sim4=1.0),
    dict(lam=0.0, n=40, n_sources=2),  # least squares: the largest α (thousands) of any setting
])
def test_every_move_is_blitted_and_matches_a_fresh_full_render(moves, blit_vs_fresh):
    """n, the number of sources and every similarity rescale the panels, yet every move is a blit (the y-axes
    are moving artists over one background) whose picture equals a newly built explorer's full render."""
    ex = sources_explorer(n=15)
    blit, full = blit_vs_fresh(ex, _fresh, **moves)
    assert (np.abs(blit - full).max(axis=2) > 40).mean() < 0.002


@pytest.mark.parametrize("moves", [dict(lam=0.0, n=40, n_sources=2), dict(lam=0.0, n=8, n_sources=1),
                                   dict(lam=np.inf, n=60, sim1=-1.0)])
def test_every_setting_fits_the_fixed_layout(moves, yaxis_fits):
    """The layout is measured once: at the extreme settings every tick label stays between its axis label and
    its panel, and every panel's data (the α bars, the LOO minimum) lies inside its y-range."""
    ex = sources_explorer(n=15)
    for name, value in moves.items():
        ex.controls[name].value = value
    yaxis_fits(ex.fig)
    lo, hi = ex.fig.axes[0].get_ylim()
    assert all(lo <= b.get_height() <= hi for b in ex.fig.axes[0].patches)
    for line in ex.fig.axes[1].get_lines()[:3]:
        assert np.min(line.get_ydata()) <= ex.fig.axes[1].get_ylim()[1]
