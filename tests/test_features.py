"""Feature transfer (notebook 02): every head against an independent least-squares reference."""

import numpy as np
import pytest
from scipy.linalg import subspace_angles
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, Ridge, RidgeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from tlearn import FeatureTransfer, FeatureTransferClassifier, StackingTransfer, SubspaceExtractor
from tlearn.datasets import make_subspace_tasks
from tlearn.evaluation import learning_curve
from tlearn.features import extract_features
from tlearn.theory import ols_risk, principal_angles


def _augmented_head(Phi, y, lam):
    """Reference ridge head with an unpenalised intercept: lstsq on [Φc; √λ I] v = [yc; 0]."""
    mu, ybar = Phi.mean(axis=0), y.mean(axis=0)
    Pc, yc = Phi - mu, y - ybar
    k = Phi.shape[1]
    A = np.vstack([Pc, np.sqrt(lam) * np.eye(k)])
    b = np.concatenate([yc, np.zeros((k,) + y.shape[1:])])
    v = np.linalg.lstsq(A, b, rcond=None)[0]
    return v, ybar - mu @ v


def _row_sum(X):
    return X.sum(axis=1)


# ------------------------------------------------------------------ estimator contract
_LOO_CV = FeatureTransfer(np.tanh, lams=[0.1, 1.0, 10.0])


def _expected_failures(est):
    if est is _LOO_CV:
        # Leave-one-out is not invariant to duplicating a row (the duplicate stays
        # in when its twin is left out), so weights != repeats for λ *selection*.
        return {"check_sample_weight_equivalence_on_dense_data": "LOO selection of λ is not repeat-invariant"}
    return {}


@parametrize_with_checks(
    [
        FeatureTransfer(),
        FeatureTransfer(np.tanh, lam=0.5),
        _LOO_CV,
        FeatureTransferClassifier(),
        FeatureTransferClassifier(np.tanh, lam=0.1),
        StackingTransfer(_row_sum),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_contract(estimator, check):
    check(estimator)


# ------------------------------------------------------------------ equivalence with a hand-computed head
@pytest.fixture(scope="module")
def tasks():
    return make_subspace_tasks(n_tasks=30, n_features=20, n_components=3, n_per_task=60, seed=3, n_target=40)


@pytest.mark.parametrize("lam", [0.0, 0.3, 5.0])
def test_pca_head_matches_augmented_least_squares(tasks, lam):
    """Eqs. (2.1)-(2.2): a ridge head on the PCA features Φ = φ(X), against augmented least squares."""
    Xs = np.vstack([X for X, _ in tasks.sources])
    pca = PCA(n_components=4).fit(Xs)
    est = FeatureTransfer(pca, lam=lam).fit(tasks.X, tasks.y)
    v, b = _augmented_head(pca.transform(tasks.X), tasks.y, lam)
    np.testing.assert_allclose(est.coef_, v, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(est.intercept_, b, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(est.predict(tasks.X_test), pca.transform(tasks.X_test) @ v + b, rtol=1e-8)


def test_source_coef_pulls_the_head_toward_it(tasks):
    """min ‖y − Φv − b‖² + λ‖v − v₀‖²: lstsq on [Φc; √λ I] v = [yc; √λ v₀]."""
    sub = SubspaceExtractor(3).fit(tasks.sources)
    v0 = np.array([0.5, -1.0, 2.0])
    est = FeatureTransfer(sub, lam=3.0, source_coef=v0).fit(tasks.X[:10], tasks.y[:10])
    Phi, y = sub.transform(tasks.X[:10]), tasks.y[:10]
    Pc, yc = Phi - Phi.mean(axis=0), y - y.mean()
    A = np.vstack([Pc, np.sqrt(3.0) * np.eye(3)])
    v = np.linalg.lstsq(A, np.concatenate([yc, np.sqrt(3.0) * v0]), rcond=None)[0]
    np.testing.assert_allclose(est.coef_, v, rtol=1e-8)
    np.testing.assert_allclose(FeatureTransfer(sub, lam=np.inf, source_coef=v0).fit(tasks.X[:10], y).coef_, v0)


def test_callable_extractor_without_intercept_matches_sklearn_ridge():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 5)), rng.standard_normal(30)
    est = FeatureTransfer(np.tanh, lam=2.0, fit_intercept=False).fit(X, y)
    ref = Ridge(alpha=2.0, fit_intercept=False).fit(np.tanh(X), y)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-10)
    assert est.intercept_ == 0.0


def test_lams_choose_the_brute_force_leave_one_out_minimiser(tasks):
    sub = SubspaceExtractor(3).fit(tasks.sources)
    X, y = tasks.X[:15], tasks.y[:15]
    grid = [0.01, 0.3, 3.0, 30.0]
    est = FeatureTransfer(sub, lams=grid).fit(X, y)
    Phi = X @ sub.components_
    refs = {0.0: LinearRegression(), np.inf: None}
    for lam in est.head_.lams_:
        errs = []
        for i in range(len(y)):
            keep = np.arange(len(y)) != i
            if np.isinf(lam):
                pred = y[keep].mean()
            else:
                m = refs.get(lam) or Ridge(alpha=lam)
                pred = m.fit(Phi[keep], y[keep]).predict(Phi[i : i + 1])[0]
            errs.append((y[i] - pred) ** 2)
        np.testing.assert_allclose(est.head_.cv_mse_[list(est.head_.lams_).index(lam)], np.mean(errs), rtol=1e-7)
    assert est.lam_ == est.head_.lams_[np.argmin(est.head_.cv_mse_)]


@pytest.mark.parametrize("n_classes", [2, 4])
def test_classifier_matches_sklearn_ridge_classifier(n_classes):
    rng = np.random.default_rng(n_classes)
    X = rng.standard_normal((60, 6))
    y = np.arange(60) % n_classes + 3  # labels 3, 4, ...
    est = FeatureTransferClassifier(np.tanh, lam=0.7).fit(X, y)
    ref = RidgeClassifier(alpha=0.7).fit(np.tanh(X), y)
    Xt = rng.standard_normal((25, 6))
    np.testing.assert_allclose(est.decision_function(Xt), ref.decision_function(np.tanh(Xt)), rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(est.predict(Xt), ref.predict(np.tanh(Xt)))
    np.testing.assert_array_equal(est.classes_, np.arange(n_classes) + 3)


def test_stacking_adds_the_source_prediction_as_one_feature(tasks):
    """Eq. (2.8): the head on [x, f_A(x)] equals augmented least squares on those features."""
    src = Ridge(alpha=1.0).fit(*tasks.sources[0])
    for passthrough in (True, False):
        est = StackingTransfer(src, lam=0.5, passthrough=passthrough).fit(tasks.X, tasks.y)
        f = src.predict(tasks.X)
        Phi = np.column_stack([tasks.X, f]) if passthrough else f[:, None]
        v, b = _augmented_head(Phi, tasks.y, 0.5)
        np.testing.assert_allclose(est.coef_, v, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(est.intercept_, b, rtol=1e-8)
    # a perfect source: the head puts (almost) all weight on f_A
    perfect = StackingTransfer(lambda X: X @ tasks.coef, lam=1e-6, passthrough=False).fit(tasks.X, tasks.y)
    assert abs(perfect.coef_[0] - 1.0) < 0.1


def test_mlp_hidden_layer_extractor_matches_hand_computed_features():
    from tlearn.mlp import MLP

    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((80, 5)), rng.standard_normal((80, 2))
    mlp = MLP([5, 8, 6, 2], activation="tanh", task="regression", seed=0).fit(X, Y, epochs=3)
    before = [p.copy() for p in (mlp.layers[0].W, mlp.layers[1].W)]
    Xt, yt = rng.standard_normal((30, 5)), rng.standard_normal(30)
    for layer, depth in [(1, 1), (-1, 2)]:
        H = Xt
        for lay in mlp.layers[:depth]:  # the hidden activations, by hand
            H = np.tanh(H @ lay.W + lay.b)
        est = FeatureTransfer(mlp, lam=0.2, layer=layer).fit(Xt, yt)
        v, b = _augmented_head(H, yt, 0.2)
        np.testing.assert_allclose(est.coef_, v, rtol=1e-7, atol=1e-10)
        np.testing.assert_allclose(est.intercept_, b, rtol=1e-7, atol=1e-10)
    for p, q in zip(before, (mlp.layers[0].W, mlp.layers[1].W)):
        np.testing.assert_array_equal(p, q)  # the source network is untouched
    with pytest.raises(ValueError, match="X has 4 features but extractor MLP expects 5"):
        FeatureTransfer(mlp).fit(Xt[:, :4], yt)


# ------------------------------------------------------------------ the subspace
def test_subspace_extractor_is_the_svd_of_stacked_ridge_fits(tasks):
    sub = SubspaceExtractor(3, lam=2.0).fit(tasks.sources)
    W = np.column_stack([Ridge(alpha=2.0).fit(X, y).coef_ for X, y in tasks.sources])
    U = np.linalg.svd(W)[0][:, :3]
    np.testing.assert_allclose(sub.components_ @ sub.components_.T, U @ U.T, atol=1e-8)
    np.testing.assert_allclose(sub.task_coefs_, W.T, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(sub.components_.T @ sub.components_, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(sub.transform(tasks.X_test), tasks.X_test @ sub.components_)


def test_noiseless_tasks_give_the_exact_subspace():
    t = make_subspace_tasks(n_tasks=5, n_features=12, n_components=3, n_per_task=30, noise=0.0, seed=4)
    sub = SubspaceExtractor(3, lam=0.0).fit(t.sources)
    assert np.max(subspace_angles(sub.components_, t.basis)) < 1e-8


def test_principal_angles_match_scipy():
    rng = np.random.default_rng(5)
    A, B = rng.standard_normal((10, 3)), rng.standard_normal((10, 4))
    np.testing.assert_allclose(np.sort(principal_angles(A, B)), np.sort(subspace_angles(A, B)), atol=1e-10)


def test_principal_angles_shrink_as_source_tasks_grow():
    worst = []
    for n_tasks in (4, 16, 64):
        angles = [
            np.max(subspace_angles(
                SubspaceExtractor(3).fit(t.sources).components_, t.basis))
            for t in (make_subspace_tasks(n_tasks=n_tasks, n_features=30, n_components=3, n_per_task=60,
                                          noise=0.5, seed=s) for s in range(4))
        ]
        worst.append(np.mean(angles))
    assert worst[0] > 2 * worst[1] > 4 * worst[2], worst


def test_subspace_features_beat_scratch_when_k_lt_n_lt_d():
    """n_B = 15 between k = 3 and d = 50: a head of 3 parameters vs 50 (Eq. (2.5))."""
    ratios = []
    for seed in range(4):
        t = make_subspace_tasks(n_tasks=40, n_features=50, n_components=3, n_per_task=100, seed=seed)
        X, y = t.X[:15], t.y[:15]
        scratch = FeatureTransfer(None, lams=np.logspace(-3, 3, 13)).fit(X, y)
        feat = FeatureTransfer(SubspaceExtractor(3).fit(t.sources), lams=np.logspace(-3, 3, 13)).fit(X, y)
        mse = lambda m: np.mean((m.predict(t.X_test) - t.y_test) ** 2)  # noqa: E731
        ratios.append(mse(feat) / mse(scratch))
    assert np.mean(ratios) < 0.4, ratios


@pytest.mark.parametrize("delta", [0.0, 0.6])
def test_ols_risk_matches_monte_carlo(delta):
    """Eqs. (2.5), (2.7): the part of w_B outside span(U) acts as extra noise."""
    d, k, n, sigma, reps = 10, 3, 12, 0.5, 4000
    t = make_subspace_tasks(n_tasks=1, n_features=d, n_components=k, n_per_task=1, seed=2, target_distance=delta)
    U, w = t.basis, t.coef
    rng = np.random.default_rng(0)
    X = rng.standard_normal((reps, n, d))
    y = X @ w + sigma * rng.standard_normal((reps, n))
    Z = X @ U
    v = np.linalg.solve(np.swapaxes(Z, 1, 2) @ Z, np.einsum("rnk,rn->rk", Z, y)[..., None])[..., 0]
    risk = sigma**2 + np.sum((v @ U.T - w) ** 2, axis=1)  # exact test MSE for x ~ N(0, I)
    leftover = np.sum((w - U @ (U.T @ w)) ** 2)
    np.testing.assert_allclose(leftover, delta**2 * np.sum(w**2), rtol=1e-10, atol=1e-14)
    expected = ols_risk(n, k, sigma**2 + leftover)
    assert abs(risk.mean() - expected) < 0.04 * expected
    assert ols_risk(np.array([3, 4]), 3, 1.0)[0] == np.inf


# ------------------------------------------------------------------ the generator
def test_make_subspace_tasks_geometry():
    t = make_subspace_tasks(n_tasks=7, n_features=15, n_components=4, n_per_task=9, noise=0.0, seed=1,
                            target_distance=0.3, n_target=11, n_test=13)
    assert len(t.sources) == 7 and t.sources[0][0].shape == (9, 15)
    assert t.X.shape == (11, 15) and t.X_test.shape == (13, 15) and t.basis.shape == (15, 4)
    np.testing.assert_allclose(t.basis.T @ t.basis, np.eye(4), atol=1e-12)
    P = t.basis @ t.basis.T
    np.testing.assert_allclose(t.source_coefs @ P, t.source_coefs, atol=1e-12)  # Eq. (2.3): sources in span(U)
    out = np.linalg.norm(t.coef - P @ t.coef) / np.linalg.norm(t.coef)
    np.testing.assert_allclose(out, 0.3, rtol=1e-10)  # Eq. (2.6): δ is the sine of the angle to span(U)
    np.testing.assert_allclose(t.y, t.X @ t.coef)  # noise = 0
    for (X, y), w in zip(t.sources, t.source_coefs):
        np.testing.assert_allclose(y, X @ w)
    far = make_subspace_tasks(n_tasks=7, n_features=15, n_components=4, n_per_task=9, noise=0.0, seed=1,
                              target_distance=0.9, n_target=11, n_test=13)
    np.testing.assert_array_equal(far.X, t.X)  # only the target weight moves with δ
    np.testing.assert_array_equal(far.sources[3][1], t.sources[3][1])
    np.testing.assert_allclose(np.linalg.norm(far.coef), np.linalg.norm(t.coef), rtol=1e-10)


def test_learning_curve_per_class_draws_every_class():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    y = np.repeat([0, 1, 2], 20)
    seen = []

    def spy(Z):  # records how many rows every fit and predict sees
        seen.append(len(Z))
        return Z

    err = learning_curve(FeatureTransferClassifier(spy), X, y, X, y, [1, 4], n_repeats=2, scoring="error",
                         per_class=True)
    assert [s for s in seen if s != 60] == [3, 3, 12, 12]  # n rows of each of the 3 classes per fit
    assert err.shape == (2,) and np.all((0 <= err) & (err <= 1))
    with pytest.raises(ValueError, match="only 20 rows in its smallest class"):
        learning_curve(FeatureTransferClassifier(), X, y, X, y, [21], per_class=True)


def test_learning_curve_interpolates_noiseless_data():
    t = make_subspace_tasks(n_tasks=2, n_features=5, n_components=2, noise=0.0, seed=0, n_target=30, n_test=50)
    err = learning_curve(FeatureTransfer(lam=0.0), t.X, t.y, t.X_test, t.y_test, [3, 10, 30], n_repeats=2)
    assert err.shape == (3,) and err[0] > 1e-3 and np.all(err[1:] < 1e-20)


# ------------------------------------------------------------------ bad inputs
def test_bad_extractors():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 3)), rng.standard_normal(5)
    with pytest.raises(NotFittedError, match="extractor PCA is not fitted"):
        FeatureTransfer(PCA(2)).fit(X, y)
    with pytest.raises(NotFittedError, match="extractor SubspaceExtractor is not fitted"):
        FeatureTransfer(SubspaceExtractor(2)).fit(X, y)
    with pytest.raises(NotFittedError, match="FrozenEstimator"):  # what clone() does to a fitted extractor
        clone(FeatureTransfer(PCA(2).fit(X))).fit(X, y)
    frozen = FeatureTransfer(FrozenEstimator(PCA(2).fit(X)), lam=0.5)
    np.testing.assert_allclose(clone(frozen).fit(X, y).predict(X), frozen.fit(X, y).predict(X))
    with pytest.raises(ValueError, match="extractor returned 4 rows for X with 5 rows"):
        FeatureTransfer(lambda Z: Z[:-1]).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features but extractor PCA expects 4"):
        FeatureTransfer(PCA(2).fit(rng.standard_normal((9, 4)))).fit(X, y)
    with pytest.raises(ValueError, match=r"extractor\(X\) contains 5 NaN"):
        FeatureTransfer(lambda Z: np.full(len(Z), np.nan)).fit(X, y)
    with pytest.raises(TypeError, match="extractor must be None, a fitted object"):
        FeatureTransfer(3).fit(X, y)
    with pytest.raises(ValueError, match="extractor returned 0 features"):
        extract_features(lambda Z: Z[:, :0], X)


def test_bad_data():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 3)), rng.standard_normal(6)
    Xn = X.copy()
    Xn[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FeatureTransfer().fit(Xn, y)
    est = FeatureTransfer(np.tanh).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but FeatureTransfer is expecting 3"):
        est.predict(X[:, :2])
    with pytest.raises(NotFittedError):
        FeatureTransfer().predict(X)
    with pytest.raises(TypeError, match="source is None"):
        StackingTransfer().fit(X, y)
    with pytest.raises(ValueError, match="source returned 5 predictions for X with 6 rows"):
        StackingTransfer(lambda Z: Z[:-1, 0]).fit(X, y)
    with pytest.raises(ValueError, match="must predict one value per sample"):
        StackingTransfer(lambda Z: Z).fit(X, y)


def test_bad_tasks():
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((8, 4)), rng.standard_normal(8))
    b = (rng.standard_normal((8, 3)), rng.standard_normal(8))
    with pytest.raises(ValueError, match="tasks is empty"):
        SubspaceExtractor(1).fit([])
    with pytest.raises(TypeError, match="got a single \\(X, y\\) pair"):
        SubspaceExtractor(1).fit(a)
    with pytest.raises(ValueError, match=r"tasks\[1\]\[0\] has 3 features but tasks\[0\]\[0\] has 4"):
        SubspaceExtractor(1).fit([a, b])
    with pytest.raises(ValueError, match=r"n_components must be <= min\(n_features, n_tasks\) = min\(4, 2\)"):
        SubspaceExtractor(3).fit([a, a])
    nan_y = a[1].copy()
    nan_y[0] = np.nan
    with pytest.raises(ValueError, match=r"tasks\[0\]\[1\] contains 1 NaN"):
        SubspaceExtractor(1).fit([(a[0], nan_y)])
    with pytest.raises(TypeError, match=r"tasks\[0\] must be an \(X, y\) pair"):
        SubspaceExtractor(1).fit([a[0]])
    with pytest.raises(NotFittedError):
        SubspaceExtractor(1).transform(a[0])
    with pytest.raises(ValueError, match="X has 3 features but SubspaceExtractor was fitted on tasks with 4"):
        SubspaceExtractor(1).fit([a, a]).transform(b[0])


def test_bad_generator_arguments():
    with pytest.raises(ValueError, match=r"target_distance must be >= 0.0 and <= 1.0, got 1.5"):
        make_subspace_tasks(target_distance=1.5)
    with pytest.raises(ValueError, match="n_components must be <= n_features"):
        make_subspace_tasks(n_features=3, n_components=4)
    with pytest.raises(ValueError, match="noise must be >= 0.0"):
        make_subspace_tasks(noise=-1)
    with pytest.raises(TypeError, match="n_tasks must be an integer"):
        make_subspace_tasks(n_tasks=2.5)
