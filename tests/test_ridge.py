"""ridge_fit, RidgePath, TransferRidge(CV) against independent references.

References: the augmented least-squares system [X; √λ I] w = [y; √λ w_A]
(solved by np.linalg.lstsq), the pseudo-inverse, brute-force leave-one-out,
scikit-learn's Ridge and RidgeCV, and scikit-learn's check_estimator.
"""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, Ridge, RidgeCV
from sklearn.utils.estimator_checks import check_estimator

from tlearn import RidgePath, TransferRidge, TransferRidgeCV, ridge_fit

SHAPES = [(30, 5), (12, 12), (5, 20), (1, 3), (40, 1)]
LAMS = [1e-3, 0.7, 25.0]


def augmented_lstsq(X, y, lam, prior):
    """min ||y - Xw||² + λ||w - p||² as ordinary least squares on a stacked system."""
    d = X.shape[1]
    A = np.vstack([X, np.sqrt(lam) * np.eye(d)])
    if y.ndim == 1:
        b = np.concatenate([y, np.sqrt(lam) * prior])
    else:
        b = np.vstack([y, np.sqrt(lam) * prior])
    return np.linalg.lstsq(A, b, rcond=None)[0]


def data(n, d, k=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n if k is None else (n, k))
    prior = rng.standard_normal(d if k is None else (d, k))
    return X, y, prior


# --------------------------------------------------------------------- ridge_fit
@pytest.mark.parametrize("n,d", SHAPES)
@pytest.mark.parametrize("lam", LAMS)
@pytest.mark.parametrize("k", [None, 3])
def test_ridge_fit_equals_augmented_least_squares(n, d, lam, k):
    X, y, p = data(n, d, k, seed=n * 100 + d)
    np.testing.assert_allclose(ridge_fit(X, y, lam, prior=p), augmented_lstsq(X, y, lam, p), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("n,d", SHAPES)
def test_plain_ridge_matches_sklearn(n, d):
    X, y, _ = data(n, d)
    ref = Ridge(alpha=0.5, fit_intercept=False, solver="svd").fit(X, y).coef_
    np.testing.assert_allclose(ridge_fit(X, y, 0.5), ref, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n,d", SHAPES)
def test_lam_zero_is_closest_least_squares_solution_to_prior(n, d):
    """Eq. (1.7): as λ → 0 the estimate is the least-squares solution closest to the prior."""
    X, y, p = data(n, d, seed=3)
    expected = p + np.linalg.pinv(X) @ (y - X @ p)
    np.testing.assert_allclose(ridge_fit(X, y, 0.0, prior=p), expected, rtol=1e-8, atol=1e-9)
    # and it is the limit of small positive λ
    np.testing.assert_allclose(ridge_fit(X, y, 1e-9, prior=p), expected, rtol=1e-5, atol=1e-6)


def test_lam_zero_rank_deficient_does_not_raise():
    X, y, p = data(20, 4, seed=1)
    X = np.column_stack([X, X[:, 0]])  # duplicated column: XᵀX singular
    p = np.concatenate([p, [0.3]])
    w = ridge_fit(X, y, 0.0, prior=p)
    np.testing.assert_allclose(w, p + np.linalg.pinv(X) @ (y - X @ p), atol=1e-9)


def test_lam_infinity_copies_the_prior_and_large_lam_approaches_it():
    X, y, p = data(15, 6, seed=2)
    np.testing.assert_array_equal(ridge_fit(X, y, np.inf, prior=p), p)
    assert np.abs(ridge_fit(X, y, 1e9, prior=p) - p).max() < 1e-6
    np.testing.assert_array_equal(ridge_fit(X, y, np.inf), np.zeros(6))


def test_penalty_is_lambda_not_lambda_squared():
    # One coefficient, one sample: w = (x y + λ a) / (x² + λ), by hand.
    x, yv, a, lam = 2.0, 3.0, -1.0, 4.0
    w = ridge_fit([[x]], [yv], lam, prior=[a])
    assert w[0] == pytest.approx((x * yv + lam * a) / (x * x + lam))


@pytest.mark.parametrize("n,d", [(25, 4), (6, 10)])
def test_sample_weight_two_equals_duplicating_rows(n, d):
    X, y, p = data(n, d, seed=5)
    w = np.ones(n)
    w[:3] = 2.0
    w[-1] = 0.0
    Xd = np.vstack([X[:-1], X[:3]])
    yd = np.concatenate([y[:-1], y[:3]])
    np.testing.assert_allclose(ridge_fit(X, y, 0.3, prior=p, sample_weight=w), ridge_fit(Xd, yd, 0.3, prior=p), rtol=1e-9)


def test_prior_1d_broadcasts_over_targets():
    X, y, p2 = data(20, 4, k=2, seed=6)
    p = p2[:, 0]
    np.testing.assert_allclose(ridge_fit(X, y, 1.0, prior=p), ridge_fit(X, y, 1.0, prior=np.column_stack([p, p])))


# ---------------------------------------------------------------- bad input
def test_huge_finite_entries_whose_sum_overflows_are_accepted():
    """The finiteness check's fast path (a finite sum) falls back to the entries when the sum overflows."""
    from tlearn._validation import check_array, check_lam

    for rows in (4, 2000):  # a small array (checked entry by entry) and a large one (by its sum first)
        big = np.full((rows, 3), 1e308)  # finite entries, an infinite sum
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no overflow warning escapes the check
            assert check_array(big, "X") is big  # a finite float array is not copied
        for bad, n_bad in ((np.inf, 1), (np.nan, 1), (-np.inf, 1)):
            X = big.copy()
            X[rows // 2, 1] = bad
            with pytest.raises(ValueError, match=f"X contains {n_bad} NaN or infinite"):
                check_array(X, "X")
    lam = np.array([0.0, 1.0, np.inf])
    got = check_lam(lam, allow_inf=True, allow_array=True)
    got[0] = 5.0
    assert lam[0] == 0.0  # the checked λ array is a copy: the caller's is never changed
    for bad, match in ((np.array([1.0, np.nan]), "NaN"), (np.array([1.0, -1.0]), ">= 0"), (lam, "finite")):
        with pytest.raises(ValueError, match=match):
            check_lam(bad, allow_array=True)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(X=[[1.0, np.nan]]), ValueError, "X contains 1 NaN"),
        (dict(X=[[1.0, np.inf]]), ValueError, "X contains 1 NaN or infinite"),
        (dict(X=[[np.inf, -np.inf]] * 3), ValueError, "X contains 6 NaN or infinite"),  # their sum is NaN
        (dict(y=[1.0, 2.0]), ValueError, "y has 2 rows but X has 3"),
        (dict(X=[1.0, 2.0, 3.0]), ValueError, "X must be 2-D"),
        (dict(X=np.zeros((0, 2)), y=np.zeros(0)), ValueError, r"X has 0 sample\(s\)"),
        (dict(lam=-1.0), ValueError, "lam must be >= 0"),
        (dict(lam=float("nan")), ValueError, "lam is NaN"),
        (dict(lam="big"), TypeError, "lam must be a non-negative number"),
        (dict(lam=[1.0, 2.0]), ValueError, "lam must be a single number"),
        (dict(prior=[1.0, 2.0, 3.0]), ValueError, r"prior has shape \(3,\), expected \(2,\)"),
        (dict(X=[["a", "b"]] * 3), TypeError, "X must contain numbers"),
        (dict(y=[[np.nan]] * 3), ValueError, "y contains"),
        (dict(sample_weight=[1.0, -1.0, 1.0]), ValueError, "sample_weight must be >= 0"),
        (dict(sample_weight=[1.0, 1.0]), ValueError, "sample_weight has 2 entries but X has 3 rows"),
    ],
)
def test_ridge_fit_bad_input(kwargs, exc, match):
    args = dict(X=np.ones((3, 2)), y=np.ones(3), lam=1.0, prior=None, sample_weight=None)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        ridge_fit(**args)


# ---------------------------------------------------------------- RidgePath
@pytest.mark.parametrize("n,d", SHAPES)
@pytest.mark.parametrize("k", [None, 2])
def test_path_equals_direct_solve(n, d, k):
    X, y, p = data(n, d, k, seed=7)
    path = RidgePath(X, y)
    lams = np.array([0.0, 1e-3, 0.7, 25.0, np.inf])
    W = path.coef(lams, prior=p)
    for j, lam in enumerate(lams):
        ref = ridge_fit(X, y, lam, prior=p)
        np.testing.assert_allclose(W[j], ref, rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(path.coef(lam, prior=p), ref, rtol=1e-8, atol=1e-9)


def brute_loo_mse(X, y, lam, prior, fit_intercept, sample_weight=None):
    n = X.shape[0]
    sw = np.ones(n) if sample_weight is None else sample_weight
    errs = []
    for i in range(n):
        keep = np.arange(n) != i
        est = TransferRidge(lam=lam, source_coef=prior, fit_intercept=fit_intercept)
        est.fit(X[keep], y[keep], sample_weight=sw[keep])
        errs.append(sw[i] * (y[i] - est.predict(X[i : i + 1])[0]) ** 2)
    return np.sum(errs) / sw.sum()


@pytest.mark.parametrize("n,d", [(15, 4), (8, 8), (6, 12)])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("lam", [0.0, 0.05, 3.0, np.inf])
def test_closed_form_loo_equals_brute_force(n, d, fit_intercept, lam):
    X, y, p = data(n, d, seed=n + d)
    path = RidgePath(X, y, fit_intercept=fit_intercept)
    expected = brute_loo_mse(X, y, lam, p, fit_intercept)
    assert path.loo_mse(lam, prior=p) == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("n,d,zero,route", [(14, 3, False, "gram"), (6, 20, False, "dual"), (6, 20, True, "svd")])
def test_weighted_loo_equals_brute_force(n, d, zero, route):
    """Eq. (1.14) of notebook 01 with sample weights and an intercept against n weighted refits; for d ≫ n the
    intercept's null direction is √w, and a zero weight (a zero row of √w X) sends the path to the SVD."""
    X, y, p = data(n, d, seed=11)
    w = np.random.default_rng(0).uniform(0.2, 3.0, n)
    w[0] = 0.0 if zero else w[0]
    path = RidgePath(X, y, sample_weight=w, fit_intercept=True)
    assert path.factorisation == route
    for lam in [1e-3, 0.8]:
        assert path.loo_mse(lam, prior=p) == pytest.approx(brute_loo_mse(X, y, lam, p, True, w), rel=1e-8)


@pytest.mark.parametrize("n,d,route", [(14, 3, "gram"), (6, 20, "dual"), (12, 10, "svd")])
@pytest.mark.parametrize("keep_factors", [True, False])
def test_kept_or_recomputed_factors_give_the_same_path(n, d, route, keep_factors, monkeypatch):
    """Eqs. (1.6) and (1.14): a small RidgePath keeps U and Vᵀ; a large one (forced here) recomputes them from X
    block by block. Both must match ridge_fit (Cholesky/SVD on the residual problem) and brute-force LOO."""
    import tlearn.ridge_path as rp

    if not keep_factors:
        monkeypatch.setattr(rp, "KEEP_FACTORS_ELEMENTS", 0)  # nothing kept,
        monkeypatch.setattr(rp, "BLOCK_ELEMENTS", 1)  # and LOO one row at a time
    X, y, p = data(n, d, seed=5)
    if route == "svd":  # a rank-deficient X: two equal columns send the path to the SVD
        X[:, 1] = X[:, 0]
    w = np.random.default_rng(1).uniform(0.2, 3.0, n)
    path = RidgePath(X, y, sample_weight=w, fit_intercept=True)
    assert path.factorisation == route
    assert (path._U is not None and path._Vt is not None) == (keep_factors or route == "svd")
    for lam in (1e-3, 0.8):
        assert path.loo_mse(lam, prior=p) == pytest.approx(brute_loo_mse(X, y, lam, p, True, w), rel=1e-8)
    Xc = X - w @ X / w.sum()
    yc = y - w @ y / w.sum()
    np.testing.assert_allclose(path.coef(0.8, prior=p), ridge_fit(Xc, yc, 0.8, prior=p, sample_weight=w),
                               rtol=1e-9, atol=1e-12)


def test_loo_residuals_match_brute_force():
    X, y, p = data(10, 3, seed=12)
    path = RidgePath(X, y)
    res = path.loo_residuals(0.4, prior=p)
    for i in range(10):
        keep = np.arange(10) != i
        assert res[i] == pytest.approx(y[i] - X[i] @ ridge_fit(X[keep], y[keep], 0.4, prior=p), rel=1e-8)


@pytest.mark.parametrize("n,d", [(40, 6), (12, 60), (40, 60)])  # Gram, dual and SVD paths
def test_loo_matches_sklearn_ridgecv_without_prior(n, d):
    """Eq. (1.14) of notebook 01 against scikit-learn's RidgeCV, for n ≫ d, d ≫ n and d ≈ n."""
    X, y, _ = data(n, d, seed=13)
    alphas = np.logspace(-2, 2, 9)
    cv = RidgeCV(alphas=alphas, store_cv_results=True, fit_intercept=True).fit(X, y)
    path = RidgePath(X, y, fit_intercept=True)
    np.testing.assert_allclose(path.loo_mse(alphas), cv.cv_results_.mean(axis=0), rtol=1e-8)
    np.testing.assert_allclose(path.coef(cv.alpha_), cv.coef_, rtol=1e-8, atol=1e-12)  # Eq. (1.6)
    assert path.intercept(cv.alpha_) == pytest.approx(cv.intercept_, rel=1e-8)


@pytest.mark.parametrize("n,d", [(20, 5), (5, 9), (5, 12)])
def test_gcv_equals_definition(n, d):
    """Eq. (1.15): generalised cross-validation from the path equals its definition."""
    X, y, p = data(n, d, seed=14)
    path = RidgePath(X, y)
    for lam in [0.1, 2.0]:
        H = X @ np.linalg.solve(X.T @ X + lam * np.eye(d), X.T)
        r = y - X @ p
        res = r - H @ r
        expected = n * (res @ res) / (n - np.trace(H)) ** 2
        assert path.gcv(lam, prior=p) == pytest.approx(expected, rel=1e-8)
    # λ → 0⁺ limit is finite even when the fit interpolates (d > n)
    assert np.isfinite(path.gcv(0.0, prior=p))
    assert path.gcv(0.0, prior=p) == pytest.approx(path.gcv(1e-8, prior=p), rel=1e-4)


def test_loo_needs_enough_samples():
    with pytest.raises(ValueError, match="at least 3 samples with positive sample_weight"):
        RidgePath(np.ones((2, 1)), [1.0, 2.0], fit_intercept=True).loo_mse(1.0)


# ---------------------------------------------------------------- estimators
def test_check_estimator_transfer_ridge():
    check_estimator(TransferRidge())


def test_check_estimator_transfer_ridge_cv():
    # Leave-one-out with a weight of 2 is not leave-one-out with a duplicated row
    # (removing one copy keeps the other), as for scikit-learn's RidgeCV.
    check_estimator(
        TransferRidgeCV(),
        expected_failed_checks={
            "check_sample_weight_equivalence_on_dense_data": "LOO differs from duplicating rows",
        },
    )


def test_transfer_ridge_without_prior_matches_sklearn_ridge_with_intercept():
    X, y, _ = data(30, 4, seed=15)
    X = X + 3.0
    w = np.random.default_rng(1).uniform(0.5, 2, 30)
    ours = TransferRidge(lam=2.0).fit(X, y, sample_weight=w)
    ref = Ridge(alpha=2.0).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-9)


def test_intercept_is_not_penalised():
    rng = np.random.default_rng(16)
    X = rng.standard_normal((25, 3))
    y = X @ [1.0, 2.0, -1.0] + 50.0
    est = TransferRidge(lam=np.inf, source_coef=[1.0, 2.0, -1.0]).fit(X, y)
    np.testing.assert_allclose(est.coef_, [1.0, 2.0, -1.0])
    assert est.intercept_ == pytest.approx(50.0)


def test_transfer_ridge_multi_target_uses_sklearn_coef_layout():
    X, y, p = data(20, 4, k=2, seed=17)
    est = TransferRidge(lam=1.0, source_coef=p.T, fit_intercept=False).fit(X, y)
    assert est.coef_.shape == (2, 4)
    np.testing.assert_allclose(est.coef_.T, augmented_lstsq(X, y, 1.0, p), rtol=1e-9)


def test_from_source_takes_coef_from_sklearn_and_tlearn_models():
    X, y, _ = data(30, 3, seed=18)
    src = LinearRegression().fit(X, y)
    est = TransferRidge.from_source(src, lam=5.0)
    np.testing.assert_array_equal(est.source_coef, src.coef_)
    est2 = TransferRidge.from_source(TransferRidge(lam=1.0).fit(X, y), lam=np.inf).fit(X, y + 1)
    np.testing.assert_allclose(est2.coef_, TransferRidge(lam=1.0).fit(X, y).coef_)
    with pytest.raises(NotFittedError):
        TransferRidge.from_source(LinearRegression())


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        TransferRidge().predict(np.ones((2, 2)))


@pytest.mark.parametrize(
    "est, match",
    [
        (TransferRidge(source_coef=[1.0, 2.0]), r"source_coef has shape \(2,\), expected \(3,\)"),
        (TransferRidge(lam=-2.0), "lam must be >= 0"),
        (TransferRidge(lam=float("nan")), "lam is NaN"),
        (TransferRidgeCV(lams=[1.0, -1.0]), "lams must be >= 0"),
    ],
)
def test_estimator_bad_parameters(est, match):
    with pytest.raises(ValueError, match=match):
        est.fit(np.random.default_rng(0).standard_normal((10, 3)), np.arange(10.0))


def test_cv_grid_contains_both_limits_and_minimises_loo():
    X, y, p = data(20, 5, seed=19)
    cv = TransferRidgeCV(lams=[0.1, 1.0], source_coef=p, allow_no_transfer=False).fit(X, y)
    assert cv.lams_[0] == 0.0 and np.isinf(cv.lams_[-1])
    expected = [brute_loo_mse(X, y, lam, p, True) for lam in cv.lams_]  # n refits each, Eq. (1.14)
    np.testing.assert_allclose(cv.cv_mse_, expected, rtol=1e-8)
    assert cv.lam_ == cv.lams_[np.argmin(cv.cv_mse_)]
    np.testing.assert_allclose(cv.coef_, TransferRidge(lam=cv.lam_, source_coef=p).fit(X, y).coef_, rtol=1e-8)


def test_cv_detects_negative_and_positive_transfer():
    from tlearn.datasets import make_transfer_regression

    good = make_transfer_regression(n_target=30, n_features=10, similarity=1.0, noise=0.5, seed=1)
    cv = TransferRidgeCV(source_coef=good.coef_source).fit(good.X_target, good.y_target)
    assert cv.lam_ >= 10.0 and cv.transfer_  # same task: lean hard on the source
    bad = make_transfer_regression(n_target=30, n_features=10, similarity=-1.0, noise=0.5, seed=1)
    cv = TransferRidgeCV(source_coef=bad.coef_source, allow_no_transfer=False).fit(bad.X_target, bad.y_target)
    assert cv.lam_ <= 2.0  # misleading source: weak pull only (s² of XᵀX are ~30 here)
    assert cv.cv_mse_[0] < 1.2 * cv.cv_mse_.min()  # ignoring it is nearly as good as the best
    assert cv.cv_mse_[-1] > 3 * cv.cv_mse_.min()  # copying the source is clearly worse


def test_cv_drops_a_misleading_source_for_plain_ridge():
    from tlearn.datasets import make_transfer_regression

    wins = 0
    for seed in range(10):
        bad = make_transfer_regression(n_target=15, n_features=10, similarity=-1.0, noise=1.0, seed=seed)
        cv = TransferRidgeCV(source_coef=bad.coef_source).fit(bad.X_target, bad.y_target)
        if seed == 0:  # plain ridge's LOO against n refits (Eq. (1.14)), once: it is slow
            expected = [brute_loo_mse(bad.X_target, bad.y_target, lam, None, True) for lam in cv.lams_[::6]]
            np.testing.assert_allclose(cv.cv_mse_plain_[::6], expected, rtol=1e-8)
        if not cv.transfer_:
            wins += 1
            np.testing.assert_allclose(cv.coef_, TransferRidge(lam=cv.lam_).fit(bad.X_target, bad.y_target).coef_)
    assert wins >= 8  # the source is dropped in (almost) every draw


def test_loo_ignores_round_off_left_by_centring_a_constant_column():
    """Eq. (1.14) of notebook 01 against n refits when a constant column centres to round-off (~1e-16)."""
    b = 2.079284831369617
    X = np.array([[2.0, b]] + [[b, b]] * 5)
    y, p = np.zeros(6), np.array([1.0, 0.0])
    path = RidgePath(X, y, fit_intercept=True)
    assert path.rank == 1  # the round-off direction is not a feature
    assert path.loo_mse(1.0, prior=p) == pytest.approx(brute_loo_mse(X, y, 1.0, p, True), rel=1e-9)
