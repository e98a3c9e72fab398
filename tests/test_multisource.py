"""MultiSourceRidgeCV, log_evidence and the chapter-6 theory against independent references.

Brute-force LOO (explicit refits) minimised by scipy; the log evidence against
scipy.stats.multivariate_normal maximised over σ²; the random-design theory
against Monte Carlo.
"""
import numpy as np
import pytest
from scipy.linalg import null_space
from scipy.optimize import minimize_scalar
from scipy.stats import multivariate_normal
from sklearn.base import clone

from tlearn import MultiSourceRidgeCV, RidgePath, ridge_fit, theory
from tlearn.datasets import load_diabetes_sources, make_multisource
from tlearn.multisource import log_evidence


def _refit_predict(X, y, lam, prior, fit_intercept, x):
    """Transfer ridge fitted from scratch (centring by hand), prediction at x."""
    if fit_intercept:
        xm, ym = X.mean(axis=0), y.mean()
        w = ridge_fit(X - xm, y - ym, lam, prior=prior)
        return x @ w + ym - xm @ w
    return x @ ridge_fit(X, y, lam, prior=prior)


def _brute_loo_residuals(X, y, lam, prior, fit_intercept):
    n = len(y)
    return np.array([y[i] - _refit_predict(np.delete(X, i, 0), np.delete(y, i), lam, prior, fit_intercept, X[i])
                     for i in range(n)])


def _brute_alpha(X, y, W, lam, fit_intercept):
    """argmin over α of the brute-force LOO error (refits).

    Each refit is linear in its prior, so the refitted LOO residuals are affine
    in α: probing them at α = 0 and at each unit vector gives the exact
    residual map, whose least-squares minimiser is taken by lstsq.
    """
    def resid(a):
        return _brute_loo_residuals(X, y, lam, W.T @ a, fit_intercept)

    e0 = resid(np.zeros(len(W)))
    J = np.column_stack([resid(np.eye(len(W))[k]) - e0 for k in range(len(W))])
    return np.linalg.lstsq(J, -e0, rcond=None)[0]


def _problem(n=20, d=6, K=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w_b = rng.standard_normal(d)
    y = X @ w_b + 0.5 * rng.standard_normal(n) + 2.0
    W = np.stack([w_b + rng.standard_normal(d) for _ in range(K)])
    return X, y, W


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("lam", [0.3, 4.0])
def test_alpha_closed_form_equals_brute_force_loo(fit_intercept, lam):
    # Eqs. (6.2)-(6.4): the LOO quadratic solved exactly = scipy on refitted LOO
    X, y, W = _problem()
    m = MultiSourceRidgeCV(W, lams=[lam], fit_intercept=fit_intercept, alpha_ridge=0.0,
                           allow_no_transfer=False).fit(X, y)
    brute = _brute_alpha(X, y, W, lam, fit_intercept)
    np.testing.assert_allclose(m.alpha_, brute, rtol=0, atol=1e-8)
    e = _brute_loo_residuals(X, y, lam, W.T @ brute, fit_intercept)
    assert m.cv_mse_[0] == pytest.approx(np.mean(e**2), rel=1e-10)


def test_alpha_closed_form_when_d_exceeds_n():
    X, y, W = _problem(n=9, d=14, K=2, seed=3)
    m = MultiSourceRidgeCV(W, lams=[2.0], alpha_ridge=0.0, allow_no_transfer=False).fit(X, y)
    np.testing.assert_allclose(m.alpha_, _brute_alpha(X, y, W, 2.0, True), atol=1e-8)


def test_nested_loo_equals_brute_force():
    # Eq. (6.5): sample i left out of the whole α fit, then predicted
    X, y, W = _problem(n=10, d=4, K=2, seed=1)
    lam = 1.5
    m = MultiSourceRidgeCV(W, lams=[lam], alpha_ridge=0.0, allow_no_transfer=False).fit(X, y)
    e = []
    for i in range(len(y)):
        Xi, yi = np.delete(X, i, 0), np.delete(y, i)
        a = _brute_alpha(Xi, yi, W, lam, True)
        e.append(y[i] - _refit_predict(Xi, yi, lam, W.T @ a, True, X[i]))
    assert m.cv_mse_nested_[0] == pytest.approx(np.mean(np.square(e)), rel=1e-8)


def test_per_source_scores_and_plain_ridge_are_brute_force_loo():
    X, y, W = _problem(n=12, d=4, K=2, seed=2)
    m = MultiSourceRidgeCV(W, lams=[0.7]).fit(X, y)
    for k in range(2):
        e = _brute_loo_residuals(X, y, 0.7, W[k], True)
        assert m.source_cv_mse_[k, 0] == pytest.approx(np.mean(e**2), rel=1e-10)
    assert m.cv_mse_plain_[0] == pytest.approx(np.mean(_brute_loo_residuals(X, y, 0.7, None, True) ** 2), rel=1e-10)


def _decoy_data(seed, n=200, d=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w_b = rng.standard_normal(d)
    v = rng.standard_normal(d)
    v -= (v @ w_b) / (w_b @ w_b) * w_b  # orthogonal to w_B
    y = X @ w_b + 0.5 * rng.standard_normal(n)
    return X, y, w_b, v


@pytest.mark.parametrize("seed", range(3))
def test_orthogonal_decoy_gets_alpha_near_zero_and_opposite_near_minus_one(seed):
    X, y, w_b, v = _decoy_data(seed)
    decoy = MultiSourceRidgeCV(v, lams=[np.inf], alpha_ridge=0.0).fit(X, y)
    # α is the regression of X w_B on X v: zero mean, s.d. ≈ ‖w_B‖ / (‖v‖ √n)
    assert abs(decoy.alpha_[0]) < 3 * np.linalg.norm(w_b) / (np.linalg.norm(v) * np.sqrt(len(y)))
    assert not MultiSourceRidgeCV(v).fit(X, y).transfer_
    both = MultiSourceRidgeCV(np.stack([-w_b, v]), lams=[np.inf], alpha_ridge=0.0).fit(X, y)
    assert both.alpha_[0] == pytest.approx(-1.0, abs=0.05)
    assert abs(both.alpha_[1]) < 0.1
    shrunk = MultiSourceRidgeCV(np.stack([-w_b, v]), lams=[np.inf]).fit(X, y)  # default alpha_ridge = 0.1
    assert -1.0 < shrunk.alpha_[0] < -0.85


@pytest.mark.parametrize("seed", range(3))
def test_opposite_source_is_transferred_with_few_samples(seed):
    X, y, w_b, v = _decoy_data(seed, n=15, d=8)
    m = MultiSourceRidgeCV(np.stack([-w_b, v])).fit(X, y)
    assert m.transfer_ and m.alpha_[0] < -0.5


def test_sources_without_effect_get_alpha_zero():
    X, y, W = _problem()  # n > d: at λ = 0 the prior does not change the fit
    m = MultiSourceRidgeCV(W, lams=[0.0], alpha_ridge=0.0).fit(X, y)
    assert m.rank_ == 0 and np.all(m.alpha_ == 0)


def test_duplicated_and_collinear_sources_share_weight():
    X, y, W = _problem(seed=4)
    single = MultiSourceRidgeCV(W[:1], alpha_ridge=0.0).fit(X, y)
    dup = MultiSourceRidgeCV(np.stack([W[0], W[0]]), alpha_ridge=0.0).fit(X, y)
    assert dup.rank_ == 1
    assert dup.alpha_[0] == pytest.approx(dup.alpha_[1], rel=1e-8)
    np.testing.assert_allclose(dup.alphas_.sum(axis=1), single.alphas_[:, 0], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(dup.predict(X), single.predict(X), rtol=1e-7, atol=1e-9)
    col = MultiSourceRidgeCV(np.stack([W[0], 2 * W[0]]), alpha_ridge=0.0).fit(X, y)
    np.testing.assert_allclose(col.alphas_ @ np.array([1.0, 2.0]), single.alphas_[:, 0], rtol=1e-7, atol=1e-9)


def test_zero_weight_row_is_the_same_as_removing_it():
    X, y, W = _problem(n=15, seed=5)
    w = np.ones(15)
    w[3] = 0.0
    a = MultiSourceRidgeCV(W[:2]).fit(X, y, sample_weight=w)
    b = MultiSourceRidgeCV(W[:2]).fit(np.delete(X, 3, 0), np.delete(y, 3))
    np.testing.assert_allclose(a.alpha_, b.alpha_, atol=1e-10)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-10)
    assert a.lam_ == b.lam_


def test_no_transfer_falls_back_to_plain_ridge():
    X, y, w_b, v = _decoy_data(0, n=30)
    m = MultiSourceRidgeCV(v).fit(X, y)
    assert not m.transfer_ and np.all(m.prior_ == 0)
    xm, ym = X.mean(axis=0), y.mean()
    np.testing.assert_allclose(m.coef_, ridge_fit(X - xm, y - ym, m.lam_plain_), atol=1e-10)


def test_sklearn_contract():
    X, y, W = _problem()
    est = MultiSourceRidgeCV(W, lams=[0.1, 1.0])
    assert clone(est).get_params()["lams"] == [0.1, 1.0]
    assert est.fit(X, y) is est
    assert est.predict(X).shape == (20,) and est.n_features_in_ == 6


@pytest.mark.parametrize("W, exc, match", [
    (np.ones((2, 5)), ValueError, r"source_coefs has shape \(2, 5\), expected \(n_sources, 6\)"),
    (np.ones((19, 6)), ValueError, "19 sources but there are only 20 samples"),
    (None, TypeError, "source_coefs is None"),
    (np.full((1, 6), np.nan), ValueError, "source_coefs contains"),
])
def test_bad_sources(W, exc, match):
    X, y, _ = _problem()
    with pytest.raises(exc, match=match):
        MultiSourceRidgeCV(W).fit(X, y)


def test_bad_target_and_lams():
    X, y, W = _problem()
    with pytest.raises(ValueError):
        MultiSourceRidgeCV(W).fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="lams must be >= 0"):
        MultiSourceRidgeCV(W, lams=[-1.0]).fit(X, y)


# ---------------------------------------------------------------- Eq. (6.6): the evidence

def _profiled_mvn(z, cov_unit):
    """max over σ² of the N(0, σ² C) log-density of z, by a 1-D search (independent of Eq. (6.6))."""
    res = minimize_scalar(lambda t: -multivariate_normal(np.zeros(len(z)), np.exp(t) * cov_unit).logpdf(z),
                          bounds=(-20, 20), method="bounded", options={"xatol": 1e-12})
    return -res.fun


@pytest.mark.parametrize("n, d", [(15, 4), (6, 10)])
@pytest.mark.parametrize("lam", [0.2, 3.0, np.inf])
def test_log_evidence_equals_multivariate_normal(n, d, lam):
    rng = np.random.default_rng(n + d)
    X, p = rng.standard_normal((n, d)), rng.standard_normal(d)
    y = X @ (p + 0.3 * rng.standard_normal(d)) + 0.5 * rng.standard_normal(n)
    C = np.eye(n) + (0 if np.isinf(lam) else X @ X.T / lam)
    ref = _profiled_mvn(y - X @ p, C)
    assert log_evidence(RidgePath(X, y), lam, prior=p) == pytest.approx(ref, abs=1e-6)
    assert RidgePath(X, y).log_evidence(lam, prior=p) == pytest.approx(ref, abs=1e-6)  # the method form


def test_log_evidence_with_intercept_is_the_restricted_likelihood():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((12, 3))
    y = X @ np.ones(3) + 5.0 + rng.standard_normal(12)
    H = null_space(np.ones((1, 12)))  # orthonormal contrasts, free of the intercept
    ref = _profiled_mvn(H.T @ y, H.T @ (np.eye(12) + X @ X.T / 2.0) @ H)
    assert log_evidence(RidgePath(X, y, fit_intercept=True), 2.0) == pytest.approx(ref, abs=1e-6)


def test_log_evidence_with_sample_weights():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((10, 3))
    y = X @ np.ones(3) + rng.standard_normal(10)
    v = rng.uniform(0.5, 2.0, 10)
    ref = _profiled_mvn(y, np.diag(1 / v) + X @ X.T / 1.5)
    assert log_evidence(RidgePath(X, y, sample_weight=v), 1.5) == pytest.approx(ref, abs=1e-6)


def test_log_evidence_limits_and_errors():
    X, y, W = _problem()
    path = RidgePath(X, y)
    out = log_evidence(path, [0.0, 1.0])
    assert out[0] == -np.inf and np.isfinite(out[1])
    with pytest.raises(TypeError, match="path must be a tlearn.RidgePath"):
        log_evidence(X, 1.0)
    with pytest.raises(ValueError, match="1-D target"):
        log_evidence(RidgePath(X, np.column_stack([y, y])), 1.0)


# ---------------------------------------------------------------- Eqs. (6.7)-(6.9): theory vs Monte Carlo

def _mc_conditional(n, d, lam, dist2, noise_var, reps, seed):
    """Average over Gaussian designs of the exact fixed-design risk (Eq. (1.12))."""
    rng = np.random.default_rng(seed)
    delta = rng.standard_normal(d)
    delta *= np.sqrt(dist2) / np.linalg.norm(delta)
    vals = [theory.transfer_risk(rng.standard_normal((n, d)), delta, lam, noise_var=noise_var).risk[0]
            for _ in range(reps)]
    return np.mean(vals), np.std(vals) / np.sqrt(reps)


@pytest.mark.parametrize("ratio", [0.5, 1.0, 2.0])
def test_tuned_risk_matches_monte_carlo(ratio):
    d, s2, D2 = 150, 0.25, 1.0
    mean, se = _mc_conditional(int(ratio * d), d, s2 * d / D2, D2, s2, 20, seed=int(10 * ratio))
    assert theory.tuned_risk(ratio, D2, s2) == pytest.approx(mean, rel=0.02, abs=3 * se)


def test_random_design_risk_matches_full_monte_carlo():
    # refit on fresh (X, y) every time: nothing of Eq. (1.12) is reused
    rng = np.random.default_rng(0)
    n, d, lam, s2 = 60, 120, 20.0, 0.5
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)
    errs = []
    for _ in range(300):
        X = rng.standard_normal((n, d))
        y = X @ w + np.sqrt(s2) * rng.standard_normal(n)
        errs.append(np.sum((ridge_fit(X, y, lam) - w) ** 2) + s2)
    se = np.std(errs) / np.sqrt(300)
    assert theory.random_design_risk(n / d, lam / n, 1.0, s2) == pytest.approx(np.mean(errs), rel=0.02, abs=3 * se)


@pytest.mark.parametrize("n", [20, 70])
def test_minnorm_risk_is_exact_at_finite_size(n):
    rng = np.random.default_rng(n)
    d, s2 = 40, 0.3
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)
    errs = []
    for _ in range(2000):
        X = rng.standard_normal((n, d))
        y = X @ w + np.sqrt(s2) * rng.standard_normal(n)
        errs.append(np.sum((ridge_fit(X, y, 0.0) - w) ** 2) + s2)
    se = np.std(errs) / np.sqrt(len(errs))
    assert theory.minnorm_risk(n, d, 1.0, s2) == pytest.approx(np.mean(errs), abs=4 * se)


def test_dar_curves_shape_of_the_published_figure():
    r = np.linspace(0.2, 3.0, 57)
    similar, dissimilar = theory.dar_curves(r, 0.9), theory.dar_curves(r, 0.2)
    finite = np.isfinite(similar.minnorm)
    assert r[np.nanargmax(np.where(finite, similar.minnorm, np.nan))] == pytest.approx(1.0, abs=0.1)  # the peak
    assert np.all(similar.ridge[finite] < similar.minnorm[finite])  # tuned ridge removes it
    assert np.all(similar.transfer < similar.ridge)
    assert np.all(dissimilar.transfer > dissimilar.ridge)  # transfer with α = 1 loses (ρ < ½)
    assert np.all(dissimilar.transfer_alpha <= dissimilar.ridge)
    np.testing.assert_allclose(theory.dar_curves(r, 0.0).transfer_alpha, theory.dar_curves(r, 0.0).ridge)


# ---------------------------------------------------------------- data sets

def test_make_multisource_has_the_requested_similarities():
    data = make_multisource((0.9, 0.0, -1.0), n_target=7, n_features=6, seed=3)
    W, w = data.source_coefs, data.coef_target
    cos = W @ w / (np.linalg.norm(W, axis=1) * np.linalg.norm(w))
    np.testing.assert_allclose(cos, [0.9, 0.0, -1.0], atol=1e-12)
    assert data.X_target.shape == (7, 6)
    again = make_multisource((0.9, 0.0, -1.0), n_target=50, n_features=6, seed=3)
    np.testing.assert_array_equal(again.source_coefs, W)
    with pytest.raises(ValueError, match="similarities must lie in"):
        make_multisource((1.5,))


def test_diabetes_sources():
    data = load_diabetes_sources(target_group=1, n_target=15, seed=0)
    assert data.source_coefs.shape == (3, 9) and len(data.source_names) == 3
    assert data.X_target.shape == (15, 9) and "sex" not in data.feature_names
    with pytest.raises(ValueError, match="target_group must be"):
        load_diabetes_sources(target_group=4)
