"""Accuracy of the ridge solvers against exact rational arithmetic (issue 9), and the Gram and dual paths.

The reference solves Eq. (1.4) of notebook 01, (XᵀX + λI) w = Xᵀy + λ w_A, with
:class:`fractions.Fraction`: every float64 is an exact binary fraction, so the
reference is the exact answer for the very X, y, λ the solver sees.
"""
from fractions import Fraction

import numpy as np
import pytest

from tlearn import RidgePath, ridge_fit
from tlearn._solvers import (MAX_COND_GRAM, dual_gram_svd, factorise, gram_svd, solve_cholesky, solve_dual,
                             thin_svd)


def exact_ridge(X, y, lam, prior):
    """Eq. (1.4) in exact rational arithmetic (Gaussian elimination on Fractions)."""
    n, d = X.shape
    Xf = [[Fraction(float(v)) for v in row] for row in X]
    yf, pf, lf = [Fraction(float(v)) for v in y], [Fraction(float(v)) for v in prior], Fraction(lam)
    A = [[sum(Xf[k][i] * Xf[k][j] for k in range(n)) + (lf if i == j else 0) for j in range(d)] for i in range(d)]
    b = [sum(Xf[k][i] * yf[k] for k in range(n)) + lf * pf[i] for i in range(d)]
    for c in range(d):  # SPD: no pivoting needed
        for r in range(c + 1, d):
            f = A[r][c] / A[c][c]
            A[r] = [a - f * ac for a, ac in zip(A[r], A[c])]
            b[r] -= f * b[c]
    x = [Fraction(0)] * d
    for i in reversed(range(d)):
        x[i] = (b[i] - sum(A[i][j] * x[j] for j in range(i + 1, d))) / A[i][i]
    return np.array([float(v) for v in x])


def conditioned(n, d, cond, seed):
    """X = U diag(s) Vᵀ with singular values log-spaced from 1 down to 1/cond."""
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((n, min(n, d))))
    V, _ = np.linalg.qr(rng.standard_normal((d, min(n, d))))
    return (U * np.logspace(0, -np.log10(cond), min(n, d))) @ V.T


def rel_err(a, ref):
    return np.linalg.norm(a - ref) / np.linalg.norm(ref)


CASES = [(n, d, cond, lam) for n, d in [(12, 5), (5, 12)] for cond in [1.0, 1e4, 1e8, 1e10]
         for lam in [1e-11, 1e-8, 1e-4, 1.0]]


def problem(n, d, cond):
    """X with cond(X) = ``cond``, a noisy linear y and a small prior (the same draw for every solver)."""
    X = conditioned(n, d, cond, seed=n + d)
    rng = np.random.default_rng(1)
    prior = 0.1 * rng.standard_normal(d)
    y = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n)
    return X, y, prior


@pytest.mark.parametrize("n,d,cond,lam", CASES)
def test_ridge_fit_is_accurate_to_1e_9_against_exact_arithmetic(n, d, cond, lam):
    """Eq. (1.4) of notebook 01 (solved on the residual problem, Eq. (1.5)) for cond(X) ≤ 1e10, λ ≥ 1e-11."""
    X, y, prior = problem(n, d, cond)
    ref = exact_ridge(X, y, lam, prior)
    assert rel_err(ridge_fit(X, y, lam, prior=prior), ref) <= 1e-9
    assert rel_err(ridge_fit(X, y, lam), exact_ridge(X, y, lam, np.zeros(d))) <= 1e-9


def test_the_accuracy_test_can_fail():
    """Solving the normal equations of Eq. (1.4) directly misses 1e-9 where ridge_fit meets it."""
    X = conditioned(5, 12, 1e10, seed=17)
    y = np.random.default_rng(1).standard_normal(5)
    lam = 1e-11
    direct = np.linalg.solve(X.T @ X + lam * np.eye(12), X.T @ y)
    ref = exact_ridge(X, y, lam, np.zeros(12))
    assert rel_err(direct, ref) > 1e-9 >= rel_err(ridge_fit(X, y, lam), ref)


def test_cholesky_guard_refuses_ill_conditioned_systems():
    """The factor's diagonal flags cond(XᵀX + λI) ≈ 1e16; a well-conditioned system is solved."""
    rng = np.random.default_rng(0)
    X_bad, X_good = conditioned(30, 6, 1e8, seed=1), rng.standard_normal((30, 6))
    r = rng.standard_normal(30)
    assert solve_cholesky(X_bad, r, 1e-12) is None
    assert solve_dual(X_bad.T, r[:6], 1e-12) is None
    ref = np.linalg.lstsq(np.vstack([X_good, np.eye(6)]), np.concatenate([r, np.zeros(6)]), rcond=None)[0]
    np.testing.assert_allclose(solve_cholesky(X_good, r, 1.0), ref, rtol=1e-12)


def test_gram_path_equals_the_svd_on_well_conditioned_data():
    """For tall, well-conditioned X the Gram eigendecomposition gives the SVD's s, VVᵀ and UUᵀ (U = XVS⁻¹)."""
    X = np.random.default_rng(2).standard_normal((400, 8))
    s, Vt = gram_svd(X)
    U2, s2, Vt2 = thin_svd(X)
    np.testing.assert_allclose(s, s2, rtol=1e-12)
    U = X @ (Vt.T / s)
    np.testing.assert_allclose(U @ U.T, U2 @ U2.T, atol=1e-12)
    np.testing.assert_allclose(Vt.T @ Vt, Vt2.T @ Vt2, atol=1e-12)
    U3, s3, _ = factorise(X)
    assert U3 is None and np.allclose(s3, s, rtol=1e-13)  # the Gram path was taken
    path = RidgePath(X, X @ np.arange(8.0))
    np.testing.assert_allclose(path.U @ path.U.T, U2 @ U2.T, atol=1e-12)


def test_gram_path_falls_back_to_the_svd_when_ill_conditioned():
    X = conditioned(400, 8, 1e3, seed=3)  # cond(XᵀX) = 1e6 > MAX_COND_GRAM
    assert 1e6 > MAX_COND_GRAM and gram_svd(X) is None
    U, s, _ = factorise(X)
    assert U is not None  # the SVD path was taken
    np.testing.assert_array_equal(s, thin_svd(X)[1])


@pytest.mark.parametrize("cond", [1.0, 1e6])
def test_ridge_path_leave_one_out_is_exact_on_both_paths(cond):
    """Eq. (1.14) of notebook 01 against n refits, Gram path (cond 1) and SVD fallback (cond 1e6)."""
    X = conditioned(60, 4, cond, seed=4)
    rng = np.random.default_rng(5)
    y, prior = X @ rng.standard_normal(4) + 0.1 * rng.standard_normal(60), rng.standard_normal(4)
    path = RidgePath(X, y)
    for lam in [1e-3, 1.0]:
        brute = [y[i] - X[i] @ exact_ridge(np.delete(X, i, 0), np.delete(y, i), lam, prior) for i in range(0, 60, 7)]
        np.testing.assert_allclose(path.loo_residuals(lam, prior=prior)[::7], brute, rtol=1e-9, atol=1e-12)


def test_dual_path_equals_the_svd_on_well_conditioned_wide_data():
    """For wide, well-conditioned X the eigendecomposition of XXᵀ gives the SVD's s, UUᵀ and VVᵀ (V = XᵀUS⁻¹)."""
    X = np.random.default_rng(6).standard_normal((8, 400))
    U, s = dual_gram_svd(X)
    U2, s2, Vt2 = thin_svd(X)
    np.testing.assert_allclose(s, s2, rtol=1e-12)
    np.testing.assert_allclose(U @ U.T, U2 @ U2.T, atol=1e-12)
    Vt = (U / s).T @ X
    np.testing.assert_allclose(Vt.T @ Vt, Vt2.T @ Vt2, atol=1e-12)
    _, _, Vt3 = factorise(X)
    assert Vt3 is None  # the dual path was taken
    path = RidgePath(X, X @ np.arange(400.0))
    assert path.factorisation == "dual"
    np.testing.assert_allclose(path.Vt.T @ path.Vt, Vt2.T @ Vt2, atol=1e-12)


def test_dual_path_drops_exactly_the_intercept_direction():
    """Centred X has √wᵀX = 0: that one zero eigenvalue of XXᵀ is dropped, the rank is n − 1 as the SVD says."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((10, 300)) + 5.0
    path = RidgePath(X, rng.standard_normal(10), fit_intercept=True)
    assert path.factorisation == "dual" and path.rank == 9
    Xc = X - X.mean(axis=0)
    np.testing.assert_allclose(path.s, np.linalg.svd(Xc, compute_uv=False)[:9], rtol=1e-12)
    assert dual_gram_svd(Xc, n_null=0) is None  # not claiming the null direction: refused, not silently dropped
    assert dual_gram_svd(rng.standard_normal((10, 300)), n_null=1) is None  # no null direction to drop


def test_dual_path_falls_back_to_the_svd_when_ill_conditioned():
    X = conditioned(8, 400, 1e3, seed=8)  # cond(XXᵀ) = 1e6 > MAX_COND_GRAM
    assert dual_gram_svd(X) is None
    U, s, Vt = factorise(X)
    assert Vt is not None  # the SVD path was taken
    np.testing.assert_array_equal(s, thin_svd(X)[1])


@pytest.mark.parametrize("n,d,cond,lam", CASES)
def test_ridge_path_coef_is_accurate_to_1e_9_on_every_path(n, d, cond, lam):
    """Eq. (1.6) of notebook 01 through RidgePath: Gram (12×5), dual (5×12) or SVD fallback, vs exact arithmetic."""
    X, y, prior = problem(n, d, cond)
    path = RidgePath(X, y)
    assert path.factorisation == ("svd" if cond > 1 else "gram" if n >= 2 * d else "dual")
    assert rel_err(path.coef(lam, prior=prior), exact_ridge(X, y, lam, prior)) <= 1e-9


@pytest.mark.parametrize("cond,fit_intercept", [(1.0, False), (1.0, True), (1e6, True)])
def test_ridge_path_leave_one_out_is_exact_on_the_dual_path(cond, fit_intercept):
    """Eq. (1.14) of notebook 01 for d ≫ n against n refits (augmented least squares, Eq. (1.5)): dual path
    (cond 1) and SVD fallback (cond 1e6)."""
    n, d = 10, 40
    X = conditioned(n, d, cond, seed=9) + (0.3 if fit_intercept else 0.0)
    rng = np.random.default_rng(10)
    y, prior = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n), rng.standard_normal(d)
    path = RidgePath(X, y, fit_intercept=fit_intercept)
    assert path.factorisation == ("dual" if cond == 1.0 else "svd")
    for lam in [1e-3, 1.0]:
        brute = []
        for i in range(n):
            Xi, yi = np.delete(X, i, 0), np.delete(y, i)
            off_x, off_y = (Xi.mean(axis=0), yi.mean()) if fit_intercept else (np.zeros(d), 0.0)
            A = np.vstack([Xi - off_x, np.sqrt(lam) * np.eye(d)])  # augmented least squares on the residual
            b = np.concatenate([yi - off_y - (Xi - off_x) @ prior, np.zeros(d)])
            w = prior + np.linalg.lstsq(A, b, rcond=None)[0]
            brute.append(y[i] - (X[i] - off_x) @ w - off_y)
        np.testing.assert_allclose(path.loo_residuals(lam, prior=prior), brute, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n,d", [(12, 5), (5, 12)])
def test_gram_and_dual_paths_are_accurate_up_to_their_guard(n, d):
    """Eq. (1.6) of notebook 01 just inside the guard (cond(X)² = 0.8 · MAX_COND_GRAM) still meets 1e-9 against
    exact arithmetic at λ → 0; just outside it (1.25 ·) the SVD is used."""
    rng = np.random.default_rng(2)
    prior = 0.1 * rng.standard_normal(d)
    for factor, route in [(0.8, "gram" if n > d else "dual"), (1.25, "svd")]:
        X = conditioned(n, d, np.sqrt(factor * MAX_COND_GRAM), seed=3)
        y = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n)
        path = RidgePath(X, y)
        assert path.factorisation == route
        for lam in [1e-11, 1e-4]:
            assert rel_err(path.coef(lam, prior=prior), exact_ridge(X, y, lam, prior)) <= 1e-9
