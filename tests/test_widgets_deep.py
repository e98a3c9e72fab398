"""The deep explorer: moving a control changes the plotted numbers to what fine_tune gives directly."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from tlearn import MLP, fine_tune
from tlearn.widgets import deep_explorer
from tlearn.widgets.deep import SCENARIOS


def _direct(source, scenario, n, strategy, seeds, epochs, lam=0.0, n_frozen=0):
    scores = []
    for seed in seeds:
        d = SCENARIOS[scenario].load(n, seed)
        m = fine_tune(source, d.X_target, d.y_target, strategy=strategy, lam=lam, n_frozen=n_frozen,
                      epochs=epochs, lr=1e-2, seed=seed, reset_output=True)
        scores.append(m.score(d.X_test, d.y_test))
    return float(np.mean(scores))


@pytest.fixture(scope="module")
def explorer():
    return deep_explorer("split", n=2, lam=1.0, n_frozen=1, n_seeds=1, epochs=8)


def test_controls_and_css(explorer):
    assert {"n", "lam", "n_frozen"} <= set(explorer.controls)
    assert "tlearn-lam" in explorer.controls["lam"]._dom_classes
    assert "tlearn-n" in explorer.controls["n"]._dom_classes
    assert "tlearn-explorer" in explorer.widget._dom_classes
    assert explorer.image.value[:4] == b"\x89PNG"


def test_source_is_the_documented_pretraining(explorer):
    sc = SCENARIOS["split"]
    d = sc.load(1, 0)
    ref = MLP(list(sc.sizes), sc.activation, "classification", seed=0).fit(
        d.X_source, d.y_source, epochs=sc.source_epochs, lr=1e-2)
    for p, q in zip(ref.parameters(), explorer.state["source"].parameters()):
        np.testing.assert_array_equal(p, q)


def test_moving_controls_updates_bars_and_curve(explorer):
    src, seeds, ep = explorer.state["source"], explorer.state["seeds"], explorer.state["epochs"]
    explorer.controls["n"].value = 3
    explorer.controls["lam"].value = 10.0
    explorer.controls["n_frozen"].value = 0
    heights = [b.get_height() for b in explorer.state["bars"]]
    expected = [
        _direct(src, "split", 3, "scratch", seeds, ep),
        _direct(src, "split", 3, "head", seeds, ep),
        _direct(src, "split", 3, "freeze", seeds, ep, n_frozen=0),
        _direct(src, "split", 3, "full", seeds, ep),
        _direct(src, "split", 3, "l2sp", seeds, ep, lam=10.0),
    ]
    np.testing.assert_allclose(heights, expected)
    curve = explorer.state["curve"].get_ydata()
    np.testing.assert_allclose(curve[3], _direct(src, "split", 3, "l2sp", seeds, ep, lam=1.0))
    np.testing.assert_allclose(curve[0], expected[3])  # λ = 0 is full fine-tuning
    np.testing.assert_allclose(curve[-1], expected[1])  # λ = ∞ is the head strategy
    np.testing.assert_allclose(explorer.state["scratch_line"].get_ydata(), expected[0])
    assert "networks cached" in explorer.state["status"].value


def test_unknown_scenario():
    with pytest.raises(ValueError, match="scenario must be one of"):
        deep_explorer("imagenet")


def test_blitted_update_matches_a_full_redraw(explorer, blit_vs_full):
    """A λ move redraws only the moving artists; the picture must equal a full render."""
    explorer.controls["n"].value = 2
    explorer.controls["n_frozen"].value = 1
    explorer.controls["lam"].value = 0.1
    explorer.controls["lam"].value = 100.0  # same (n, n_frozen): blitted (marker under the legend)
    assert explorer.state["l2sp_label"].get_text() == "L2-SP 100"
    blit, full = blit_vs_full(explorer)
    differing = (np.abs(blit - full).max(axis=2) > 40).mean()
    assert differing < 0.005  # only stacking order of overlapping marks may differ
    # Nothing blitted overlaps a static mark drawn above it (the legend is redrawn last), so the
    # images agree almost exactly: a stale λ tick label alone would differ in ~300 pixels.
    assert (np.abs(blit - full).max(axis=2) > 40).sum() < 50


def test_lambda_move_leaves_axis_limits_alone(explorer):
    explorer.controls["n"].value = 2
    explorer.controls["lam"].value = 0.0
    limits = [(ax.get_xlim(), ax.get_ylim()) for ax in explorer.fig.axes]
    ticks = [[t.get_text() for t in ax.get_xticklabels()] for ax in explorer.fig.axes]
    heights = []
    for lam in (0.01, 1.0, np.inf):
        explorer.controls["lam"].value = lam
        heights.append(explorer.state["bars"][4].get_height())
        assert [(ax.get_xlim(), ax.get_ylim()) for ax in explorer.fig.axes] == limits
        assert [[t.get_text() for t in ax.get_xticklabels()] for ax in explorer.fig.axes] == ticks
    assert len(set(heights)) > 1  # λ did move the L2-SP bar
