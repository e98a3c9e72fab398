"""Notebook 03's explorer and loss monitor, driven without a browser."""
import ipywidgets as W
import numpy as np
import pytest

from tlearn.backprop import two_layer_forward
from tlearn.widgets import Explorer, LossMonitor, backprop_explorer


@pytest.fixture(scope="module")
def ex():
    return backprop_explorer(steps=400)


def test_callable_without_arguments_and_follows_the_explorer_api():
    ex = backprop_explorer()
    assert isinstance(ex, Explorer)
    assert {"lam", "n", "lr"} <= set(ex.controls)
    lams = [v for _, v in ex.controls["lam"].options]
    assert 0.0 in lams and np.inf in lams
    for name in ("lam", "n", "lr"):
        assert f"tlearn-{name}" in ex.controls[name]._dom_classes
    assert isinstance(ex.controls["n"], W.IntSlider)
    assert "tlearn-explorer" in ex.widget._dom_classes and ex.image.value[:4] == b"\x89PNG"
    assert "test loss" in ex.summary_text and "lowest test loss" in ex.summary_text
    assert ex.summary.value.count("tlearn") == 0 and "aria-live" in ex.summary.value


def test_fit_line_is_the_trained_network(ex):
    ex.controls["lam"].value = 0.0
    params, hist = ex.model.train(0.0, ex.controls["n"].value, ex.controls["lr"].value)
    grid = ex.model.grid
    # the plotted curve is the network evaluated on the grid, the hidden lines sum to it minus b2
    out, cache = two_layer_forward(grid[:, None], *params)
    np.testing.assert_allclose(ex.artists.fit_line.get_ydata(), out[:, 0])
    hidden_sum = sum(line.get_ydata() for line in ex.artists.hidden_lines)
    np.testing.assert_allclose(hidden_sum + params[3][0], out[:, 0], atol=1e-12)
    assert hist["loss"][-1] < hist["loss"][0]


def test_infinite_weight_decay_predicts_the_training_mean(ex):
    ex.controls["n"].value = 12
    ex.controls["lam"].value = np.inf
    x, y = ex.model.x, ex.model.y
    fit = ex.artists.fit_line.get_ydata()
    np.testing.assert_allclose(fit, y[:12].mean(), atol=1e-10)  # gradient descent on b2 alone
    assert all(np.all(line.get_ydata() == 0) for line in ex.artists.hidden_lines)
    assert "\N{INFINITY}" in ex.summary_text


def test_n_changes_the_data_and_artists_are_updated_in_place(ex):
    lines_before = list(ex.fig.axes[0].lines) + list(ex.fig.axes[1].lines)
    ex.controls["lam"].value = 0.0
    ex.controls["n"].value = 7
    assert ex.artists.points.get_offsets().shape == (7, 2)
    x, y = ex.model.x, ex.model.y
    np.testing.assert_array_equal(ex.artists.points.get_offsets(), np.column_stack([x[:7], y[:7]]))
    assert list(ex.fig.axes[0].lines) + list(ex.fig.axes[1].lines) == lines_before
    assert "n = 7" in ex.summary_text


def test_weight_decay_shrinks_the_hidden_contributions(ex):
    ex.controls["n"].value = 10
    sizes = []
    for lam in (0.0, 0.1, 1.0):
        ex.controls["lam"].value = lam
        sizes.append(max(np.abs(line.get_ydata()).max() for line in ex.artists.hidden_lines))
    assert sizes[0] > sizes[1] > sizes[2]


def test_too_large_a_learning_rate_is_reported(ex):
    ex.controls["lam"].value = 0.0
    ex.controls["lr"].value = 3.0
    assert "diverged" in ex.summary_text
    assert np.all(np.isnan(ex.artists.fit_line.get_ydata()))
    ex.controls["lr"].value = 0.1
    assert "diverged" not in ex.summary_text


def test_settings_are_cached(ex):
    ex.controls["lam"].value = 0.01
    first = ex.model.train(0.01, ex.controls["n"].value, 0.1)
    ex.controls["lam"].value = 0.0
    ex.controls["lam"].value = 0.01
    assert ex.model.train(0.01, ex.controls["n"].value, 0.1) is first


def test_loss_monitor_follows_the_history():
    mon = LossMonitor(epochs=3, redraw_every=2)
    history = {"loss": [], "val_loss": [], "val_accuracy": []}
    for epoch, (l, v, a) in enumerate([(1.0, 1.2, 0.5), (0.5, 0.8, 0.7), (0.25, 0.6, 0.9)]):
        history["loss"].append(l)
        history["val_loss"].append(v)
        history["val_accuracy"].append(a)
        mon(epoch, history)
        assert mon.progress.value == epoch + 1
    assert "epoch 3/3" in mon.label.value and "0.2500" in mon.label.value and "0.900" in mon.label.value
    np.testing.assert_array_equal(mon.train_line.get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(mon.val_line.get_ydata(), [1.2, 0.8, 0.6])
    assert mon.image.value[:4] == b"\x89PNG"


def test_loss_monitor_as_an_mlp_callback():
    from tlearn import MLP

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    mon = LossMonitor(epochs=4, redraw_every=4)
    model = MLP([3, 8, 1], activation="tanh", seed=0).fit(X, y, epochs=4, batch_size=10, lr=0.01, callback=mon)
    np.testing.assert_array_equal(mon.train_line.get_ydata(), model.history_["loss"])
    assert mon.progress.value == 4


@pytest.mark.parametrize("activation, d, k", [("tanh", 1, 1), ("relu", 3, 2)])
def test_stacked_grid_of_lambda_and_eta_equals_the_plain_trainer(activation, d, k):
    """Eqs. (3.13)-(3.14): the explorer's stacked fast path against ``train_two_layer`` run once per (λ, η).

    The η = 10 networks diverge, at different steps; each must stop at the same step with the
    same parameters, histories and flags as its plain run.
    """
    from tlearn.backprop import train_two_layer
    from tlearn.widgets import train_two_layer_grid

    rng = np.random.default_rng(5)
    X = rng.uniform(-1, 1, (11, d))
    Y = np.column_stack([np.sin(3 * X[:, 0]) + 0.3 * rng.standard_normal(11), X[:, -1] ** 2][:k])
    Xv = rng.uniform(-1, 1, (15, d))
    Yv = np.column_stack([np.sin(3 * Xv[:, 0]), Xv[:, -1] ** 2][:k])
    lams = np.tile([0.0, 0.01, 1.0, np.inf], 3)
    lrs = np.repeat([0.03, 0.3, 10.0], 4)
    kw = dict(n_hidden=6, activation=activation, steps=250, seed=4, X_val=Xv, y_val=Yv, log_every=9)
    runs = train_two_layer_grid(X, Y, lams, lrs, **kw)
    assert sum(h["diverged"] for _, h in runs) >= 2
    for lam, lr, (params, hist) in zip(lams, lrs, runs):
        ref_params, ref_hist = train_two_layer(X, Y, lam=lam, lr=lr, **kw)
        assert hist["diverged"] == ref_hist["diverged"] and hist["steps_done"] == ref_hist["steps_done"]
        assert hist["step"] == ref_hist["step"]
        np.testing.assert_allclose(hist["loss"], ref_hist["loss"], rtol=1e-12)
        np.testing.assert_allclose(hist["val_loss"], ref_hist["val_loss"], rtol=1e-12)
        for p, q in zip(params, ref_params):
            assert p.shape == q.shape
            if not hist["diverged"]:
                np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-13)


def test_the_explorer_model_trains_with_the_plain_trainer_numbers(ex):
    """Eq. (3.13): what the explorer caches for a slider λ is what ``train_two_layer`` gives at that (λ, n, η)."""
    from tlearn.backprop import train_two_layer

    m = ex.model
    for lam in (0.0, 1.0):
        params, hist = m.train(lam, 8, 0.3)
        ref_params, ref_hist = train_two_layer(m.x[:8, None], m.y[:8], lam=lam, lr=0.3, **m.fit_kw)
        np.testing.assert_allclose(hist["val_loss"], ref_hist["val_loss"], rtol=1e-12)
        for p, q in zip(params, ref_params):
            np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-13)


def test_a_first_visit_is_announced_in_the_status_line(ex):
    ex.controls["n"].value = 5
    assert ex.status.value.startswith("trained in")
    ex.controls["n"].value = 6
    ex.controls["n"].value = 5  # cached: the status is left alone
    assert ex.model.trained(ex.controls["lam"].value, 5, ex.controls["lr"].value)


def test_batched_training_names_bad_arguments():
    from tlearn.widgets import train_two_layer_grid

    x, y = np.zeros((4, 1)), np.zeros(4)
    with pytest.raises(ValueError, match="lams"):
        train_two_layer_grid(x, y, [-1.0], [0.1])
    with pytest.raises(ValueError, match="lrs"):
        train_two_layer_grid(x, y, [0.0], [0.0])
    with pytest.raises(ValueError, match="activation"):
        train_two_layer_grid(x, y, [0.0], [0.1], activation="sigmoid")
    with pytest.raises(ValueError, match="X_val"):
        train_two_layer_grid(x, y, [0.0], [0.1], X_val=x)
    with pytest.raises(ValueError, match="steps"):
        train_two_layer_grid(x, y, [0.0], [0.1], steps=0)


def test_the_model_is_usable_without_a_figure():
    """explorer.model alone: training, curves and the best λ, with no matplotlib involved."""
    from tlearn.backprop import train_two_layer
    from tlearn.widgets import BackpropExplorerModel

    model = BackpropExplorerModel(steps=50, n_max=20)
    params, hist = model.train(0.1, 8, 0.3)
    ref = train_two_layer(model.x[:8, None], model.y[:8], lam=0.1, lr=0.3, **model.fit_kw)
    np.testing.assert_allclose(hist["val_loss"], ref[1]["val_loss"], rtol=1e-12)
    lam, loss = model.best_lam(8, 0.3)
    from tlearn.widgets import LAM_GRID
    finals = [train_two_layer(model.x[:8, None], model.y[:8], lam=g, lr=0.3, **model.fit_kw)[1]["val_loss"][-1]
              for g in LAM_GRID]
    assert lam == LAM_GRID[int(np.argmin(finals))] and loss == pytest.approx(min(finals), rel=1e-10)
    assert loss <= hist["val_loss"][-1]


def test_a_lambda_move_leaves_every_axis_alone(ex):
    ex.controls["lr"].value = 0.1
    ex.controls["n"].value = 15
    ex.controls["lam"].value = 0.0
    limits = [(ax.get_xlim(), ax.get_ylim()) for ax in ex.fig.axes]
    for lam in (0.01, 1.0, np.inf, 0.001):
        ex.controls["lam"].value = lam
        assert [(ax.get_xlim(), ax.get_ylim()) for ax in ex.fig.axes] == limits
        top = ex.fig.axes[1].get_ylim()[1]
        assert max(np.abs(line.get_ydata()).max() for line in ex.artists.hidden_lines) <= top


def test_blitted_update_matches_a_full_redraw(ex, blit_vs_full):
    """A λ move redraws only the moving artists; the picture must equal a full render."""
    ex.controls["lr"].value = 0.1
    ex.controls["n"].value = 20
    ex.controls["lam"].value = ex.controls["lam"].options[5][1]
    ex.controls["lam"].value = ex.controls["lam"].options[14][1]  # same (n, η): blitted
    blit, full = blit_vs_full(ex)
    differing = (np.abs(blit - full).max(axis=2) > 40).mean()
    assert differing < 0.005


def test_summary_names_the_best_lambda(ex):
    from tlearn.widgets import LAM_GRID
    from tlearn.widgets._common import lam_label

    ex.controls["lr"].value = 0.1
    ex.controls["n"].value = 10
    ex.controls["lam"].value = 0.0
    finals = {g: ex.model.train(g, 10, 0.1)[1]["val_loss"][-1] for g in LAM_GRID}
    best = min(finals, key=finals.get)
    assert f"lowest test loss on the slider at \N{GREEK SMALL LETTER LAMDA} = {lam_label(best)}" in ex.summary_text


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(n=2), ValueError, "n"), (dict(n=61), ValueError, "n"), (dict(n=5.5), TypeError, "n"),
    (dict(lr=0.2), ValueError, "lr"), (dict(lr="fast"), ValueError, "lr"), (dict(lam=-1.0), ValueError, "lam"),
    (dict(lam="big"), TypeError, "lam"), (dict(steps=0), ValueError, "steps"), (dict(n_hidden=True), TypeError, "n_hidden"),
    (dict(noise=-0.1), ValueError, "noise"), (dict(seed=-1), ValueError, "seed"),
])
def test_bad_arguments_are_named(kwargs, error, name):
    with pytest.raises(error, match=name):
        backprop_explorer(**{"steps": 5, **kwargs})


def test_lambda_off_the_grid_snaps():
    ex = backprop_explorer(steps=5, lam=0.011)
    assert ex.controls["lam"].value == pytest.approx(0.01)


def test_n_and_eta_moves_are_blitted_and_match_a_full_redraw(ex, blit_vs_full):
    """n and η change the hidden panel's scale, yet only the moving artists (its y-axis among them) are redrawn."""
    ex.controls["lr"].value, ex.controls["n"].value, ex.controls["lam"].value = 0.1, 30, 0.0
    key = ex.blitter._key
    for n, lr in ((4, 0.1), (4, 0.3), (30, 0.3)):
        ex.controls["n"].value, ex.controls["lr"].value = n, lr
        assert ex.blitter._key is key  # one background for every setting: no full draw
        assert ex.fig.axes[1].get_ylim()[1] == pytest.approx(ex.model.hidden_scale(n, lr))
        blit, full = blit_vs_full(ex)
        assert (np.abs(blit - full).max(axis=2) > 40).sum() < 100  # stale tick labels differ in ~1000


@pytest.mark.parametrize("moves", [dict(lr=0.01), dict(lr=3.0), dict(n=3, lr=0.3), dict(n=60, lam=np.inf)])
def test_every_move_is_blitted_and_matches_a_fresh_full_render(moves, blit_vs_fresh):
    """η (even a diverging one) and n rescale the hidden panel, yet every move is a blit over the one background,
    equal to a newly built explorer's full render at the same values."""
    ex = backprop_explorer(steps=200, n=10, lr=0.1)
    fresh = lambda v: backprop_explorer(steps=200, n=v["n"], lr=v["lr"], lam=v["lam"])  # noqa: E731
    blit, full = blit_vs_fresh(ex, fresh, **moves)
    assert (np.abs(blit - full).max(axis=2) > 40).mean() < 0.002
