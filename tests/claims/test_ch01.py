"""Claims of notebook 01, each recomputed with the library (ridge_fit, RidgePath, TransferRidgeCV, theory).

Claims about the explorer recompute its figure (the exact risk of Eq. (1.12) on its data, see
``_ridge_setting``); claims about tables averaged over seeds recompute the same averages.
"""
from functools import lru_cache

import numpy as np
import pytest

from tlearn import RidgePath, TransferRidge, TransferRidgeCV, ridge_fit, theory
from tlearn.datasets import load_diabetes_transfer, make_transfer_regression

from _ridge_setting import LAMS, best_lam, explorer_defaults, lam_star, risk_curve


def _chapter_data():
    return make_transfer_regression(n_source=500, n_target=15, n_test=2000, n_features=10, similarity=0.9,
                                    noise=1.0, seed=0)


def test_ch01_paths_end_at_source():
    data = _chapter_data()
    w_A = ridge_fit(data.X_source, data.y_source, lam=0.0)
    path = RidgePath(data.X_target, data.y_target)
    lams = np.logspace(-2, 4, 120)                      # the figure's λ grid
    W = path.coef(lams, prior=w_A)
    ls = np.linalg.lstsq(data.X_target, data.y_target, rcond=None)[0]
    assert np.abs(W[0] - ls).max() < 0.05 * np.abs(ls).max()        # left end: least squares
    assert np.abs(W[-1] - w_A).max() < 0.01                         # right end: the source (Eq. (1.8))


def test_ch01_oracle_near_minimum():
    data = _chapter_data()
    lams = np.logspace(-2, 4, 400)
    risk = theory.transfer_risk(data.X_target, data.coef_target, lams, prior=data.coef_source, noise_var=1.0).risk
    star = theory.oracle_lam(10, 1.0, data.coef_target, prior=data.coef_source)
    assert abs(np.log(star / lams[np.argmin(risk)])) < np.log(1.2)  # within 20 % of the argmin ...
    assert not np.isclose(star, lams[np.argmin(risk)], rtol=1e-3)   # ... but not the argmin itself


def test_ch01_contours_slide_from_least_squares_to_source():
    # the 2-D picture: d = 2, the path starts at least squares and ends at w_A, and each point
    # of it is where a contour of the data term touches a circle around w_A (gradients antiparallel)
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 2)) @ np.array([[1.0, 0.6], [0.0, 0.5]])
    y = X @ np.array([1.5, -0.5]) + 0.3 * rng.standard_normal(6)
    w_A = np.array([-0.5, 1.0])
    path = RidgePath(X, y)
    W = path.coef(np.array([1e-6, 1e6]), prior=w_A)
    assert np.allclose(W[0], np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-5) and np.allclose(W[1], w_A, atol=1e-4)
    for lam in (0.3, 3.0, 30.0):
        w = path.coef(lam, prior=w_A)
        g_data, g_pen = -2 * X.T @ (y - X @ w), 2 * lam * (w - w_A)      # Eq. (1.2), the two terms
        assert np.allclose(g_data, -g_pen, atol=1e-9)


def test_ch01_similarity_one_copy_is_perfect():
    values, controls = explorer_defaults()
    assert controls["similarity"].max == 1.0 and controls["similarity"].min == -1.0
    for n in (5, 10, 30):
        r = risk_curve(n, 1.0)
        assert np.isclose(r[-1], 1.0) and r[-1] <= r.min() + 1e-12     # λ = ∞ reaches the floor σ² = 1


def test_ch01_similarity_zero_minimum_near_lam_star():
    for n in (10, 15, 30):
        assert lam_star(n, 0.0) / 2 <= best_lam(n, 0.0) <= 2 * lam_star(n, 0.0)
    assert np.isclose(lam_star(10, 0.0), 5.0)


def test_ch01_more_data_source_matters_less():
    sim = 0.8
    gains = []
    for n in (15, 30, 60):
        r = risk_curve(n, sim)
        gains.append(r[0] - r.min())                 # what the source is worth over least squares
        assert np.isclose(r[-1], 1.0 + 2 * (1 - sim))  # the λ = ∞ end does not move: σ² + ‖w_B − w_A‖²
    assert gains[0] > gains[1] > gains[2] and gains[2] < 0.1


def test_ch01_interpolation_finite_below_d():
    assert risk_curve(5, 0.8)[0] < 3.0 < 1e3 < risk_curve(10, 0.8)[0]


def test_ch01_similarity_minus_one_best_lam_finite():
    for n in (5, 10, 15, 30, 60):
        b = best_lam(n, -1.0)
        assert 0 < b < np.inf and 1.0 <= b <= 5.0, (n, b)      # finite, near λ* = 2.5
    r = risk_curve(10, -1.0)
    assert np.argmax(r) == 0                                    # at n_B = 10, λ = 0 is the worst setting
    assert np.isclose(lam_star(10, -1.0), 2.5)


def test_ch01_loo_minimum_left_of_heldout():
    data = _chapter_data()
    w_A = ridge_fit(data.X_source, data.y_source, lam=0.0)
    cv = TransferRidgeCV(source_coef=w_A).fit(data.X_target, data.y_target)
    lams = cv.lams_[1:-1]
    test = [np.mean((data.y_test - TransferRidge(lam=l, source_coef=w_A).fit(data.X_target, data.y_target)
                     .predict(data.X_test)) ** 2) for l in lams]
    assert cv.cv_mse_[0] > cv.cv_mse_[1:-1].min() and test[0] > min(test)       # both fall from λ = 0
    assert lams[np.argmin(cv.cv_mse_[1:-1])] < lams[np.argmin(test)]


@lru_cache(maxsize=None)
def _negative_transfer_row(similarity, n_seeds=30):
    """Mean test MSE over seeds: copy, least squares, ridge (LOO), transfer (LOO), transfer or not (LOO)."""
    err = np.zeros(5)
    for seed in range(n_seeds):
        t = make_transfer_regression(n_source=500, n_target=15, n_test=500, n_features=10,
                                     similarity=similarity, noise=1.0, seed=seed)
        wa = ridge_fit(t.X_source, t.y_source, 0.0)
        models = [TransferRidge(lam=np.inf, source_coef=wa), TransferRidge(lam=0.0), TransferRidgeCV(),
                  TransferRidgeCV(source_coef=wa, allow_no_transfer=False), TransferRidgeCV(source_coef=wa)]
        err += [np.mean((t.y_test - m.fit(t.X_target, t.y_target).predict(t.X_test)) ** 2) for m in models]
    return err / n_seeds


@pytest.mark.parametrize("similarity", [1.0, 0.9, 0.5])
def test_ch01_transfer_beats_ridge_when_similar(similarity):
    copy, ls, ridge, transfer, either = _negative_transfer_row(similarity)
    assert transfer < ridge < ls


@pytest.mark.parametrize("similarity", [0.0, -0.5, -1.0])
def test_ch01_ridge_beats_transfer_when_dissimilar(similarity):
    copy, ls, ridge, transfer, either = _negative_transfer_row(similarity)
    assert ridge < transfer


def test_ch01_copy_worst_for_misleading_source():
    copy, ls, *_ = _negative_transfer_row(-1.0)
    assert copy > ls                                 # worse even than least squares on 15 samples
    assert _negative_transfer_row(1.0)[0] < min(_negative_transfer_row(1.0)[1:])


@pytest.mark.parametrize("similarity", [1.0, 0.9, 0.5, 0.0, -0.5, -1.0])
def test_ch01_transfer_or_not_tracks_the_better(similarity):
    copy, ls, ridge, transfer, either = _negative_transfer_row(similarity)
    assert either <= 1.10 * min(ridge, transfer)


@lru_cache(maxsize=None)
def _diabetes(n_target, n_rep=50):
    err = np.zeros(4)
    for seed in range(n_rep):
        t = load_diabetes_transfer(n_target=n_target, seed=seed)
        src = TransferRidgeCV().fit(t.X_source, t.y_source)
        models = [TransferRidge.from_source(src, lam=np.inf), TransferRidge(lam=0.0),
                  TransferRidgeCV(), TransferRidgeCV(source_coef=src.coef_)]
        err += [np.mean((t.y_test - m.fit(t.X_target, t.y_target).predict(t.X_test)) ** 2) for m in models]
    return err / n_rep


@pytest.mark.parametrize("n_target", [12, 25])
def test_ch01_diabetes_source_slopes_hard_to_beat(n_target):
    copy, ls, ridge, transfer = _diabetes(n_target)
    assert copy < transfer < ridge < ls


def test_ch01_diabetes_fitted_methods_win_at_100():
    copy, ls, ridge, transfer = _diabetes(100)
    assert max(ls, ridge, transfer) < copy


def test_ch01_gcv_same_order_as_loo():
    data = _chapter_data()
    X, y = data.X_target, data.y_target
    w_A = ridge_fit(data.X_source, data.y_source, lam=0.0)
    path = RidgePath(X, y)
    grid = np.logspace(-2, 3, 26)
    lam_loo = grid[np.argmin(path.loo_mse(grid, prior=w_A))]
    lam_gcv = grid[np.argmin(path.gcv(grid, prior=w_A))]
    assert 1 / 4 <= lam_gcv / lam_loo <= 4
    risk = theory.transfer_risk(X, data.coef_target, grid, prior=w_A, noise_var=1.0).risk   # Eq. (1.12)
    best = grid[np.argmin(risk)]
    assert 30 <= best <= 100 and max(lam_loo, lam_gcv) < best / 10   # both well left of the exact minimum
