"""The feature-transfer explorer, driven without a browser: controls move, artists follow."""
import numpy as np
import pytest
from sklearn.linear_model import Ridge

from tlearn import SubspaceExtractor
from tlearn.datasets import make_subspace_tasks
from tlearn.widgets import Explorer, feature_explorer

OPTS = dict(n_tasks=12, n_features=20, n_components=3, n_per_task=40, noise=0.5, seed=1, n_max=40, n_repeats=3,
            k_max=6)


@pytest.fixture(scope="module")
def ex():
    return feature_explorer(**OPTS)


def _reference(n, lam, k, distance):
    """Mean test MSE σ² + ‖ŵ − w_B‖² of the three methods, from scikit-learn's Ridge."""
    t = make_subspace_tasks(OPTS["n_tasks"], OPTS["n_features"], OPTS["n_components"], OPTS["n_per_task"],
                            OPTS["noise"], OPTS["seed"], target_distance=distance,
                            n_target=OPTS["n_max"] * OPTS["n_repeats"], n_test=1)
    W = np.array([Ridge(alpha=1.0).fit(X, y).coef_ for X, y in t.sources])
    U = np.linalg.svd(W.T)[0][:, :k]
    w_A = W.mean(axis=0)
    errs = np.zeros(3)
    for r in range(OPTS["n_repeats"]):
        X, y = t.X[r * OPTS["n_max"]: r * OPTS["n_max"] + n], t.y[r * OPTS["n_max"]: r * OPTS["n_max"] + n]
        fit = lambda A, b: Ridge(alpha=lam, fit_intercept=False).fit(A, b).coef_  # noqa: E731
        fits = (fit(X, y), w_A + fit(X, y - X @ w_A), U @ fit(X @ U, y))
        errs += [np.sum((w - t.coef) ** 2) for w in fits]
    return OPTS["noise"] ** 2 + errs / OPTS["n_repeats"]


def _lam(ex, target):
    return min((v for _, v in ex.controls["lam"].options), key=lambda v: abs(np.log(v) - np.log(target)) if 0 < v < np.inf else np.inf)


def test_contract(ex):
    assert isinstance(ex, Explorer)
    assert {"lam", "n", "k", "distance"} <= set(ex.controls)
    for name in ("n", "k", "distance"):
        assert f"tlearn-{name}" in ex.controls[name]._dom_classes
    assert ex.image.value[:4] == b"\x89PNG"
    assert isinstance(feature_explorer(n_repeats=1, n_max=20), Explorer)  # callable with defaults (small)


@pytest.mark.parametrize("settings", [dict(n=10, lam=0.3, k=3, distance=0.0), dict(n=25, lam=3.0, k=2, distance=0.6)])
def test_curves_match_a_direct_computation(ex, settings):
    axes_before = list(ex.fig.axes)
    lines = dict(ex.artists.lines)
    before = {m: ln.get_ydata().copy() for m, ln in lines.items()}
    png = ex.image.value
    lam = _lam(ex, settings["lam"])
    ex.controls["lam"].value = lam
    ex.controls["k"].value = settings["k"]
    ex.controls["distance"].value = settings["distance"]
    ex.controls["n"].value = settings["n"]
    sizes = ex.model.sizes
    expected = np.array([_reference(int(m), lam, settings["k"], settings["distance"]) for m in sizes])
    for j, (m, ln) in enumerate(ex.artists.lines.items()):
        np.testing.assert_allclose(ln.get_ydata(), expected[:, j], rtol=1e-6)
        assert not np.allclose(ln.get_ydata(), before[m])  # the picture changed
        assert ln is lines[m]  # updated in place
    here = _reference(settings["n"], lam, settings["k"], settings["distance"])
    for j, mk in enumerate(ex.artists.marks.values()):
        assert mk.get_xdata()[0] == settings["n"]
        np.testing.assert_allclose(mk.get_ydata()[0], here[j], rtol=1e-6)
    assert f"n_B = {settings['n']}," in ex.summary_text
    winner = ("scratch ridge", "parameter transfer", "subspace features")[int(np.argmin(here))]
    assert ex.summary_text.endswith(f"best: {winner}") and f"subspace features {here[2]:.3f}" in ex.summary_text
    assert ex.fig.axes == axes_before and ex.image.value != png


def test_extremes_of_lambda(ex):
    ex.controls["distance"].value = 0.0
    ex.controls["lam"].value = np.inf  # every head is its prior: 0, w_A, 0
    t = make_subspace_tasks(OPTS["n_tasks"], OPTS["n_features"], OPTS["n_components"], OPTS["n_per_task"],
                            OPTS["noise"], OPTS["seed"], n_target=OPTS["n_max"] * OPTS["n_repeats"], n_test=1)
    w_A = SubspaceExtractor(1).fit(t.sources).task_coefs_.mean(axis=0)
    y = [ln.get_ydata() for ln in ex.artists.lines.values()]
    np.testing.assert_allclose(y[0], OPTS["noise"] ** 2 + np.sum(t.coef**2))
    np.testing.assert_allclose(y[1], OPTS["noise"] ** 2 + np.sum((w_A - t.coef) ** 2))
    ex.controls["lam"].value = 0.0
    ex.controls["k"].value = 3
    # λ = 0 and n_B ≥ d: least squares, whose error decreases with n towards σ² (Eq. (2.5))
    assert ex.artists.lines["scratch ridge"].get_ydata()[-1] < 0.5 * y[0][-1]


def test_subspace_bars_follow_k(ex):
    ex.controls["k"].value = 4
    bars = ex.fig.axes[1].patches
    colours = [b.get_facecolor() for b in bars]
    assert len({tuple(c) for c in colours[:4]}) == 1 and colours[4] != colours[0]


def test_blitted_update_matches_a_full_redraw(ex, blit_vs_full):
    """A λ move redraws only the moving artists; the picture must equal a full render."""
    ex.controls["k"].value = 3
    ex.controls["n"].value = 12
    ex.controls["lam"].value = _lam(ex, 10.0)
    ex.controls["lam"].value = 0.0  # same (n_B, k, distance): blitted; least squares peaks under the legend
    blit, full = blit_vs_full(ex)
    differing = (np.abs(blit - full).max(axis=2) > 40).mean()
    assert differing < 0.005  # only stacking order of overlapping marks may differ
    # a stale title (it shows λ) or a curve drawn over the legend is few pixels overall: compare their boxes too
    for artist in (ex.fig.axes[0].title, ex.fig.legends[0]):
        box = artist.get_window_extent()
        rows = slice(int(full.shape[0] - box.y1) - 1, int(full.shape[0] - box.y0) + 1)
        cols = slice(int(box.x0) - 1, int(box.x1) + 1)
        assert (np.abs(blit[rows, cols] - full[rows, cols]).max(axis=2) > 40).mean() < 0.01


def test_error_axis_fits_the_curves_at_every_lambda(ex):
    """The y-range follows the curves shown: they fill most of it and never leave it (below the cap)."""
    ex.controls["n"].value = 21
    ex.controls["distance"].value = 0.3
    t = make_subspace_tasks(OPTS["n_tasks"], OPTS["n_features"], OPTS["n_components"], OPTS["n_per_task"],
                            OPTS["noise"], OPTS["seed"], target_distance=0.3,
                            n_target=OPTS["n_max"] * OPTS["n_repeats"], n_test=1)
    cap = 1.08 * 3.0 * (OPTS["noise"] ** 2 + np.sum(t.coef**2))
    x_limits = [a.get_xlim() for a in ex.fig.axes]
    for _, lam in ex.controls["lam"].options:
        ex.controls["lam"].value = lam
        assert [a.get_xlim() for a in ex.fig.axes] == x_limits
        bottom, top = ex.fig.axes[0].get_ylim()
        shown = max(np.max(ln.get_ydata()) for ln in ex.artists.lines.values())
        assert bottom == 0.0
        if shown < cap:
            assert shown <= top and shown >= 0.6 * top


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(n=1), ValueError, "n"), (dict(n=41), ValueError, "n"), (dict(k=0), ValueError, "k"),
    (dict(k=7), ValueError, "k"), (dict(distance=1.2), ValueError, "distance"), (dict(lam=np.nan), ValueError, "lam"),
    (dict(n_repeats=0), ValueError, "n_repeats"), (dict(noise=-1.0), ValueError, "noise"),
    (dict(n_tasks=2.5), TypeError, "n_tasks"), (dict(seed=-1), ValueError, "seed"),
])
def test_bad_arguments_are_named(kwargs, error, name):
    with pytest.raises(error, match=name):
        feature_explorer(**{**OPTS, **kwargs})


def test_distance_off_the_grid_snaps():
    ex = feature_explorer(**{**OPTS, "distance": 0.33})
    assert ex.controls["distance"].value == pytest.approx(0.35)


def test_the_model_stands_alone():
    """explorer.model without a figure, against scikit-learn (Eqs. (2.2), (2.4))."""
    from tlearn.widgets import LAM_GRID, FeatureCurves

    opts = {k: v for k, v in OPTS.items()}
    model = FeatureCurves(**opts)
    lam = LAM_GRID[13]
    np.testing.assert_allclose(model.at(10, lam, 3, 0.0), _reference(10, lam, 3, 0.0), rtol=1e-6)


def _fresh(v):
    return feature_explorer(**OPTS, n=v["n"], lam=v["lam"], k=v["k"], distance=v["distance"])


@pytest.mark.parametrize("moves", [dict(n=2), dict(n=40), dict(k=1), dict(k=6), dict(distance=1.0),
                                   dict(n=2, k=6, distance=1.0, lam=0.0), dict(n=40, distance=0.0, lam=np.inf)])
def test_every_move_is_blitted_and_matches_a_fresh_full_render(moves, blit_vs_fresh, yaxis_fits):
    """n_B, k and distance rescale the error axis and recolour the kept components, yet every move is a blit
    (the y-axis and the bars are moving artists over one background) equal to a new explorer's full render."""
    ex = feature_explorer(**OPTS, n=12, k=3, distance=0.3)
    blit, full = blit_vs_fresh(ex, _fresh, **moves)
    assert (np.abs(blit - full).max(axis=2) > 40).mean() < 0.005  # only overlapping marks may stack differently
    yaxis_fits(ex.fig)
