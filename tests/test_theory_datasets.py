"""tlearn.theory against Monte Carlo and brute-force matrices; the regression data sets."""
import numpy as np
import pytest

from tlearn import ridge_fit, theory
from tlearn.datasets import load_diabetes_transfer, make_transfer_regression


@pytest.mark.parametrize("n,d", [(20, 5), (6, 10)])
def test_bias_variance_against_explicit_matrices(n, d):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    w_b, w_a = rng.standard_normal(d), rng.standard_normal(d)
    S = np.diag(rng.uniform(0.5, 2.0, d))
    for lam in [0.3, 4.0]:
        A = np.linalg.solve(X.T @ X + lam * np.eye(d), np.eye(d))  # explicit reference only
        mean = A @ (X.T @ X @ w_b + lam * w_a)
        cov = 0.25 * A @ X.T @ X @ A
        b = mean - w_b
        c = theory.transfer_risk(X, w_b, lam, prior=w_a, noise_var=0.25, test_cov=S)
        assert c.bias2[0] == pytest.approx(b @ S @ b, rel=1e-9)
        assert c.variance[0] == pytest.approx(np.trace(S @ cov), rel=1e-9)
        assert c.risk[0] == pytest.approx(b @ S @ b + np.trace(S @ cov) + 0.25, rel=1e-9)


def test_risk_matches_monte_carlo():
    rng = np.random.default_rng(1)
    n, d, sigma = 12, 8, 0.7
    X = rng.standard_normal((n, d))
    w_b, w_a = rng.standard_normal(d), rng.standard_normal(d)
    R = 4000
    Y = (X @ w_b)[:, None] + sigma * rng.standard_normal((n, R))
    for lam in [0.0, 1.0, np.inf]:
        W = ridge_fit(X, Y, lam, prior=np.repeat(w_a[:, None], R, axis=1))
        mc = np.mean(np.sum((W - w_b[:, None]) ** 2, axis=0)) + sigma**2
        th = theory.transfer_risk(X, w_b, lam, prior=w_a, noise_var=sigma**2).risk[0]
        assert mc == pytest.approx(th, rel=0.03)


def test_limits_of_risk_curve():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((30, 4))
    w_b, w_a = rng.standard_normal(4), rng.standard_normal(4)
    c = theory.transfer_risk(X, w_b, [0.0, np.inf], prior=w_a, noise_var=1.0)
    assert c.bias2[0] == pytest.approx(0.0, abs=1e-20)  # least squares is unbiased (n > d)
    assert c.variance[1] == 0.0
    assert c.bias2[1] == pytest.approx(np.sum((w_b - w_a) ** 2))


def test_oracle_lam_minimises_average_risk():
    # Averaged over w_B ~ N(w_A, τ² I), the risk is minimised at λ = σ²/τ².
    rng = np.random.default_rng(3)
    d, sigma2, tau2 = 6, 0.5, 0.2
    X = rng.standard_normal((10, d))
    w_a = rng.standard_normal(d)
    lams = np.logspace(-2, 2, 81)
    avg = np.zeros(lams.size)
    for _ in range(300):
        w_b = w_a + np.sqrt(tau2) * rng.standard_normal(d)
        avg += theory.transfer_risk(X, w_b, lams, prior=w_a, noise_var=sigma2).risk
    best = lams[np.argmin(avg)]
    assert best == pytest.approx(sigma2 / tau2, rel=0.35)
    w_b = w_a + 0.5
    assert theory.oracle_lam(d, sigma2, w_b, w_a) == pytest.approx(sigma2 * d / np.sum((w_b - w_a) ** 2))
    assert theory.oracle_lam(d, sigma2, w_a, w_a) == np.inf


def test_theory_bad_input():
    with pytest.raises(ValueError, match=r"coef_target has shape \(3,\), expected \(2,\)"):
        theory.transfer_risk(np.ones((4, 2)), np.ones(3), 1.0)
    with pytest.raises(ValueError, match="noise_var must be >= 0"):
        theory.transfer_risk(np.ones((4, 2)), np.ones(2), 1.0, noise_var=-1)


@pytest.mark.parametrize("sim", [-1.0, -0.3, 0.0, 0.5, 1.0])
def test_make_transfer_regression_similarity_is_cosine(sim):
    data = make_transfer_regression(n_source=50, n_target=7, n_test=9, n_features=6, similarity=sim, seed=4)
    a, b = data.coef_source, data.coef_target
    assert a @ b / np.linalg.norm(a) / np.linalg.norm(b) == pytest.approx(sim, abs=1e-12)
    assert data.X_source.shape == (50, 6) and data.X_target.shape == (7, 6) and data.X_test.shape == (9, 6)
    resid = data.y_test - data.X_test @ b
    assert np.std(resid) == pytest.approx(0.5, rel=0.6)


def test_make_transfer_regression_is_seeded_and_validates():
    d1 = make_transfer_regression(seed=5)
    d2 = make_transfer_regression(seed=5)
    np.testing.assert_array_equal(d1.X_target, d2.X_target)
    assert not np.array_equal(d1.X_target, make_transfer_regression(seed=6).X_target)
    np.testing.assert_array_equal(d1.coef_target, make_transfer_regression(seed=5, n_target=40).coef_target)
    with pytest.raises(ValueError, match=r"similarity must be >= -1.0 and <= 1.0"):
        make_transfer_regression(similarity=1.5)
    with pytest.raises(ValueError, match="noise must be finite"):
        make_transfer_regression(noise=np.inf)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        make_transfer_regression(seed=-1)
    with pytest.raises(TypeError, match="n_features must be an integer"):
        make_transfer_regression(n_features=2.5)


def test_diabetes_transfer_split():
    data = load_diabetes_transfer(n_target=15, seed=0)
    assert data.X_target.shape == (15, 9)
    assert "sex" not in data.feature_names and len(data.feature_names) == 9
    assert data.X_source.shape[0] + 15 + data.X_test.shape[0] == 442
    with pytest.raises(ValueError, match="n_target must be <"):
        load_diabetes_transfer(n_target=10_000)


def test_theory_refuses_impossible_inputs():
    """Eqs. (1.12)-(1.13) of notebook 01 need a PSD covariance, σ² >= 0 and d matching the weights."""
    X, w = np.ones((4, 2)), np.ones(2)
    with pytest.raises(ValueError, match="test_cov must be positive semi-definite"):
        theory.transfer_risk(X, w, 1.0, test_cov=np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="test_cov must be symmetric"):
        theory.transfer_risk(X, w, 1.0, test_cov=np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="test_cov must be positive semi-definite"):
        theory.transfer_risk(X, w, 1.0, test_cov=np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="noise_var must be >= 0"):
        theory.oracle_lam(2, -1.0, w)
    with pytest.raises(ValueError, match="n_features is 3 but coef_target has 2 entries"):
        theory.oracle_lam(3, 1.0, w)
    with pytest.raises(ValueError, match="noise_var must be >= 0"):
        theory.ols_risk(10, 2, -0.5)
