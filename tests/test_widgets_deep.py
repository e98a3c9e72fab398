"""The deep explorer: its model gives what fine_tune gives directly; the view draws it and stays readable."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from tlearn import MLP, fine_tune
from tlearn.widgets import deep_explorer
from tlearn.widgets.deep import LAM_CURVE, LR, SCENARIOS, DeepTransferModel


def _direct(source, scenario, n, strategy, seeds, lam=0.0, n_frozen=0, epochs=3):
    scores = []
    for seed in seeds:
        d = SCENARIOS[scenario].load(n, seed)
        m = fine_tune(source, d.X_target, d.y_target, strategy=strategy, lam=lam, n_frozen=n_frozen,
                      epochs=epochs, lr=1e-2, seed=seed)
        scores.append(m.score(d.X_test, d.y_test))
    return float(np.mean(scores)), float(np.std(scores, ddof=1) / np.sqrt(len(scores)))


@pytest.fixture(scope="module")
def explorer():
    return deep_explorer("split", n=2, lam=1.0, n_frozen=1, n_seeds=2, epochs=3)


def test_controls_css_and_summary(explorer):
    assert {"n", "lam", "n_frozen"} <= set(explorer.controls)
    assert "tlearn-lam" in explorer.controls["lam"]._dom_classes
    assert "tlearn-n" in explorer.controls["n"]._dom_classes
    assert "tlearn-explorer" in explorer.widget._dom_classes
    assert explorer.image.value[:4] == b"\x89PNG"
    assert isinstance(explorer.model, DeepTransferModel)
    assert "n / class = 2: best" in explorer.summary.value and "scratch" in explorer.summary.value


def test_source_is_the_documented_pretraining(explorer):
    sc = SCENARIOS["split"]
    d = sc.load(1, 0)
    ref = MLP(list(sc.sizes), sc.activation, "classification", seed=0).fit(d.X_source, d.y_source, lr=LR)
    for p, q in zip(ref.parameters(), explorer.model.source.parameters()):
        np.testing.assert_array_equal(p, q)


def test_moving_controls_updates_bars_and_curve(explorer):
    src, seeds = explorer.model.source, explorer.model.seeds
    explorer.controls["n"].value = 3
    explorer.controls["lam"].value = 10.0
    explorer.controls["n_frozen"].value = 0
    heights = [b.get_height() for b in explorer.artists.bars]
    expected = [
        _direct(src, "split", 3, "scratch", seeds),
        _direct(src, "split", 3, "head", seeds),
        _direct(src, "split", 3, "freeze", seeds, n_frozen=0),
        _direct(src, "split", 3, "full", seeds),
        _direct(src, "split", 3, "l2sp", seeds, lam=10.0),
    ]
    np.testing.assert_allclose(heights, [m for m, _ in expected])
    np.testing.assert_allclose(explorer.model.view(3, 10.0, 0)["bars"], expected)  # means and SEs
    curve = explorer.artists.curve.get_ydata()
    np.testing.assert_allclose(curve[LAM_CURVE.index(1.0)], _direct(src, "split", 3, "l2sp", seeds, lam=1.0)[0])
    np.testing.assert_allclose(curve[0], expected[3][0])  # λ = 0 is full fine-tuning
    np.testing.assert_allclose(curve[-1], expected[1][0])  # λ = ∞ is the head strategy
    np.testing.assert_allclose(explorer.artists.scratch_line.get_ydata(), expected[0][0])
    assert "settings cached" in explorer.status.value


def test_unknown_scenario():
    with pytest.raises(ValueError, match="scenario must be one of"):
        deep_explorer("imagenet")


def _inside(fig):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    W_, H_ = fig.bbox.width, fig.bbox.height
    for ax in fig.axes:
        lo, hi = ax.get_ylim()
        shown = [t for t, y in zip(ax.get_yticklabels(), ax.get_yticks()) if lo <= y <= hi]  # drawn tick labels
        for t in [ax.yaxis.label, ax.xaxis.label, ax.title] + shown:
            if t.get_text():
                b = t.get_window_extent(r)
                assert b.x0 >= -1 and b.y0 >= -1 and b.x1 <= W_ + 1 and b.y1 <= H_ + 1, t.get_text()
        lab, ticks = ax.yaxis.label.get_window_extent(r), [t.get_window_extent(r) for t in shown if t.get_text()]
        assert all(not lab.overlaps(tb) for tb in ticks)


def test_layout_stays_readable_and_scratch_line_visible_when_limits_change(explorer):
    for n in (1, 3, 2):
        explorer.controls["n"].value = n
        _inside(explorer.fig)
        ax = explorer.fig.axes[1]
        y = explorer.artists.scratch_line.get_ydata()[0]
        lo, hi = ax.get_ylim()
        assert lo < y < hi  # strictly inside: never on the edge
        legend = ax.get_legend().get_window_extent(explorer.fig.canvas.get_renderer())
        assert legend.x0 >= ax.get_window_extent().x1  # the legend sits beside the data, not on it


def test_a_first_visit_counts_its_fine_tunings_in_the_status_line():
    """The status line shows k/m while a first visit fine-tunes; ``missing`` counts what a view still needs."""
    seen = []
    ex = deep_explorer("split", n=1, lam=1.0, n_frozen=1, n_seeds=2, epochs=1)
    model = ex.model
    assert model.missing(1, 1.0, 1) == 0
    # n = 2: scratch, head, freeze 1, full and L2-SP at λ = 0.01, 0.1, 1, 10 (λ = 0, ∞ are full and head)
    assert model.missing(2, 1.0, 1) == 8 and model.missing(1, 1.0, 0) == 1 and model.missing(1, 0.5, 1) == 1
    ex.status.observe(lambda change: seen.append(change["new"]), names="value")
    ex.controls["n"].value = 2
    counts = [t.split(":")[0] for t in seen if t.startswith("fine-tuning")]
    assert counts == [f"fine-tuning {k}/8" for k in range(1, 9)]
    assert seen[-1].startswith("done in") and model.missing(2, 1.0, 1) == 0


@pytest.mark.parametrize("scenario, moves", [
    ("split", dict(n=1)), ("split", dict(lam=0.0)), ("split", dict(lam=np.inf, n_frozen=0)),
    ("split", dict(n=20, n_frozen=1, lam=0.01)), ("shared", dict(n=4)), ("shared", dict(n=100, lam=np.inf)),
])
def test_every_move_is_blitted_and_matches_a_fresh_full_render(scenario, moves, blit_vs_fresh, yaxis_fits):
    """n rescales both panels and λ / n_frozen the bars, yet every move is a blit over one background, equal to a
    new explorer's full render at the same values; the extreme settings fit the layout measured once."""
    start = dict(n=2, lam=1.0, n_frozen=1) if scenario == "split" else dict(n=10, lam=1.0, n_frozen=1)
    ex = deep_explorer(scenario, **start, n_seeds=2, epochs=3)
    fresh = lambda v: deep_explorer(scenario, n=v["n"], lam=v["lam"], n_frozen=v["n_frozen"],  # noqa: E731
                                    n_seeds=2, epochs=3)
    blit, full = blit_vs_fresh(ex, fresh, **moves)
    # A few anti-aliased pixels where markers overlap may differ; a stale tick label alone is about 50.
    assert (np.abs(blit - full).max(axis=2) > 40).sum() <= 10
    yaxis_fits(ex.fig)


def test_a_lam_move_never_trains_the_slider_offers_the_path():
    """The λ slider offers exactly the λ of the path on the right, so a λ move is a look-up: no fine-tuning."""
    ex = deep_explorer("split", n=1, lam=0.5, n_seeds=2, epochs=1)
    assert [v for _, v in ex.controls["lam"].options] == list(LAM_CURVE)
    assert ex.controls["lam"].value == 1.0  # 0.5 snaps to the nearest path λ in log λ
    trained = len(ex.model.cache)
    for g in LAM_CURVE:
        ex.controls["lam"].value = g
        assert ex.model.missing(1, g, 1) == 0
    assert len(ex.model.cache) == trained
    np.testing.assert_allclose(ex.artists.bars[4].get_height(), ex.artists.curve.get_ydata()[-1])  # λ = ∞: head


@pytest.mark.parametrize("kwargs, name", [(dict(n=0), "n"), (dict(n=21), "n"), (dict(n=2.5), "n"),
                                          (dict(n_frozen=2), "n_frozen"), (dict(n_frozen=-1), "n_frozen"),
                                          (dict(n_seeds=1), "n_seeds"), (dict(epochs=0), "epochs"),
                                          (dict(lam=-1.0), "lam"), (dict(lam=1j), "lam")])
def test_arguments_off_the_sliders_are_refused_by_name(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        deep_explorer("split", **{"n_seeds": 2, "epochs": 1, **kwargs})
