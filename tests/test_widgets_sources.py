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
