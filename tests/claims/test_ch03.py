"""Claims of notebook 03, recomputed with tlearn.backprop (Eqs. (3.11)-(3.14)).

The training claims use the explorer's data -- y = sin 3x + 0.3 ε, a pool of 60 points and 200 test
points drawn with ``default_rng(0)`` -- which §3.6's static figure uses too (its first 10 points).
"""
from functools import lru_cache

import numpy as np
import pytest

from tlearn import backprop as bp


def _data():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 60)
    y = np.sin(3 * x) + 0.3 * rng.standard_normal(60)
    x_test = rng.uniform(-1, 1, 200)
    y_test = np.sin(3 * x_test) + 0.3 * rng.standard_normal(200)
    return x, y, x_test, y_test


@lru_cache(maxsize=None)
def _train(n, lam, lr=0.1):
    x, y, x_test, y_test = _data()
    params, hist = bp.train_two_layer(x[:n, None], y[:n], n_hidden=16, lam=lam, lr=lr, steps=2000, seed=0,
                                      X_val=x_test[:, None], y_val=y_test, log_every=20)
    return params, {k: np.asarray(v) if isinstance(v, list) else v for k, v in hist.items()}


def _final_test(n, lam, lr=0.1):
    return float(_train(n, lam, lr)[1]["val_loss"][-1])


def test_explorer_controls_as_the_claims_assume():
    from tlearn.widgets import backprop_explorer

    c = backprop_explorer().controls
    assert (c["n"].value, c["lam"].value, c["lr"].value) == (10, 0.0, 0.1)
    assert {0.01, 3.0} <= {v for _, v in c["lr"].options} and 0.01 in [v for _, v in c["lam"].options]
    assert c["n"].max == 60


def test_ch03_eps_best_near_crossing():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    rng.integers(0, 2, 5)                                # the notebook's labels (same random stream)
    params = [p + 0.1 * rng.standard_normal(p.shape) for p in bp.init_two_layer(3, 4, 2, seed=0)]
    _, cache = bp.two_layer_forward(X, *params)
    grads = bp.two_layer_backward(cache, Y, task="regression")
    loss = lambda p: bp.two_layer_loss(bp.two_layer_forward(X, *p)[0], Y)
    eps = np.logspace(-13, -1, 25)
    errs = np.array([bp.relative_error(grads, bp.numerical_gradient(loss, params, eps=e)) for e in eps])
    best = eps[np.argmin(errs)]
    assert 1e-7 <= best <= 2e-5                          # near the crossing 10^(-16/3) ≈ 5e-6 of the two lines
    assert errs[np.argmin(np.abs(eps - 1e-6))] < 1e-9    # the default ε = 1e-6: about ten digits
    assert errs[0] > 1e-4 and errs[-1] > 1e-4            # the V: both ends are bad


def test_ch03_decay_step_flips_then_blows_up():
    W = np.array([1.0, -2.0])
    for eta_lam, flips, grows in [(0.5, False, False), (1.5, True, False), (2.5, True, True)]:
        W_new = (1 - eta_lam) * W                        # a plain gradient step on λ/2 ‖W‖²
        assert (np.sign(W_new[0]) != np.sign(W[0])) == flips
        assert (np.abs(W_new[0]) > np.abs(W[0])) == grows
    x, y, *_ = _data()
    params, hist = bp.train_two_layer(x[:10, None], y[:10], lam=100.0, lr=0.1, steps=200)   # ηλ = 10, Eq. (3.14)
    assert not hist["diverged"] and np.abs(params[0]).max() < 1e-6


def test_ch03_static_figure_overfits_and_decay_cures():
    hist = _train(10, 0.0)[1]
    best = np.argmin(hist["val_loss"])
    assert 300 <= hist["step"][best] <= 800                            # lowest near step 500 ...
    assert hist["val_loss"][-1] > 1.3 * hist["val_loss"][best]         # ... then it rises
    assert hist["loss"][-1] < hist["loss"][best]                       # while the training objective falls
    assert _final_test(10, 0.01) < 0.7 * _final_test(10, 0.0)          # λ = 0.01 ends lower
    assert _final_test(10, 0.1) > _final_test(10, 0.0)                 # λ = 0.1 is too much
    params = _train(10, np.inf)[0]
    assert np.isclose(params[3][0], _data()[1][:10].mean())            # λ = ∞: the mean of the targets


def test_ch03_explorer_overfits_at_n10():
    hist = _train(10, 0.0)[1]
    assert 300 <= hist["step"][np.argmin(hist["val_loss"])] <= 800
    assert abs(_final_test(10, 0.0) - 0.088) < 0.005 and abs(_final_test(10, 0.01) - 0.056) < 0.005


def test_ch03_explorer_lam_inf_is_flat():
    params = _train(10, np.inf)[0]
    grid = np.linspace(-1, 1, 50)[:, None]
    assert np.ptp(bp.two_layer_forward(grid, *params)[0]) < 1e-12


def test_ch03_explorer_n60_decay_hurts():
    assert _final_test(60, 0.01) > _final_test(60, 0.0)


def test_ch03_explorer_step_size():
    assert _train(10, 0.0, 3.0)[1]["diverged"]
    slow, done = _train(10, 0.0, 0.01)[1], _train(10, 0.0, 0.1)[1]
    assert not slow["diverged"] and slow["loss"][-1] > 2 * done["loss"][-1]


def test_ch03_ex4_decay_helps_at_n5_hurts_at_n60():
    assert _final_test(5, 0.01) < _final_test(5, 0.0)
    assert _final_test(60, 0.01) > _final_test(60, 0.0)


def test_ch03_ex4_constant_model_diverges_above_two():
    x, y, *_ = _data()
    for lr, diverges in [(1.9, False), (3.0, True)]:
        _, hist = bp.train_two_layer(x[:10, None], y[:10], lam=np.inf, lr=lr, steps=2000)
        assert hist["diverged"] == diverges


def test_ch03_hidden_units_prefer_few_classes():
    from sklearn.datasets import load_digits

    import tlearn

    digits = load_digits()
    Xd, yd = digits.data / 16.0, digits.target
    perm = np.random.default_rng(0).permutation(len(yd))
    train, val = perm[:1000], perm[1000:]
    net = tlearn.MLP([64, 32, 10], activation="relu", task="classification", seed=0)
    net.fit(Xd[train], yd[train], epochs=20, batch_size=32, lr=3e-3, seed=0, X_val=Xd[val], y_val=yd[val])
    H = net.hidden(Xd[val], layer=1)
    means = np.array([H[yd[val] == c].mean(axis=0) for c in range(10)])          # the right panel
    live = means.max(axis=0) > 0
    assert 0 < np.sum(~live) < 8                                                # a few dead units
    top3 = np.sort(means[:, live], axis=0)[::-1][:3].sum(axis=0) / means[:, live].sum(axis=0)
    assert np.mean(top3 > 0.4) >= 0.75 and 0.4 <= np.median(top3) <= 0.65      # uniform would give 0.3
