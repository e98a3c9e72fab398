"""Checks for the implement-type exercises of notebook 06 (many sources).

Each check calls the reader's function on fresh random inputs and compares with
an independent computation (least squares by ``np.linalg.lstsq``; a Gaussian
log-density by ``scipy.stats``); a wrong answer raises :class:`NotYet` with a
hint aimed at the most likely mistake -- never with the expected numbers.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import multivariate_normal

from ._core import NotYet, as_real_array, call_answer, check_array_close, checker, matches, passed

__all__ = ["check_loo_alpha", "check_log_evidence"]


@checker
def check_loo_alpha(fn):
    """``fn(e0, A)`` must return the α minimising ‖e0 + Aα‖², Eq. (6.4) of notebook 06."""
    rng = np.random.default_rng(601)
    for n, K in [(12, 2), (30, 4), (8, 1)]:
        e0, A = rng.standard_normal(n), rng.standard_normal((n, K))
        answer = call_answer(fn, e0.copy(), A.copy(), name="my_loo_alpha",
                             hint="A is (n, K), e0 is (n,); the answer is (K,).")
        expected = np.linalg.lstsq(A, -e0, rcond=None)[0]
        if matches(answer, -expected):
            raise NotYet("Not yet: the sign is flipped. Hint: differentiate ‖e0 + Aα‖² carefully and keep "
                         "track of which side e0 ends up on.")
        if matches(answer, A.T @ -e0):
            raise NotYet("Not yet: you returned −Aᵀe0, the right-hand side. Hint: solve the K×K system with it.")
        check_array_close(answer, expected, name=f"α for n={n}, K={K}",
                          hint="set the gradient of ‖e0 + Aα‖² to zero and solve the K×K system you get "
                               "with np.linalg.solve -- Eq. (6.4).")
    return passed("your α solves the LOO normal equations of Eq. (6.4).")


def _reference_evidence(X, r, lam):
    n = X.shape[0]
    C = np.eye(n) + X @ X.T / lam
    sigma2 = r @ np.linalg.solve(C, r) / n  # the profiled σ²
    return multivariate_normal(np.zeros(n), sigma2 * C).logpdf(r)


@checker
def check_log_evidence(fn):
    """``fn(X, r, lam)``: the profiled log evidence of r = y − X w_A (no intercept), Eq. (6.6) of notebook 06."""
    rng = np.random.default_rng(602)
    for n, d, lam in [(15, 4, 2.0), (6, 10, 0.5), (25, 3, 40.0)]:
        X = rng.standard_normal((n, d))
        r = X @ (0.5 * rng.standard_normal(d)) + rng.standard_normal(n)
        answer = call_answer(fn, X.copy(), r.copy(), lam, name="my_log_evidence",
                             hint="use s = np.linalg.svd(X, compute_uv=False) and c = Uᵀ r.")
        value = as_real_array(answer, "it is one number, a sum of terms of Eq. (6.6).", name="your log evidence")
        if value.shape != ():
            raise NotYet(f"my_log_evidence should return one number, got shape {value.shape}. "
                         "Hint: sum over the singular values.")
        value = float(value)
        expected = _reference_evidence(X, r, lam)
        if np.isclose(value, expected - 0.5 * n, rtol=0, atol=1e-8):
            raise NotYet("Not yet: a term −n/2 is missing. Hint: at σ̂² = Q/n the quadratic term is Q/(2σ̂²) = n/2.")
        if np.isclose(value, expected + 0.5 * np.sum(np.log1p(np.linalg.svd(X, compute_uv=False) ** 2 / lam)) * 2,
                      rtol=0, atol=1e-8):
            raise NotYet("Not yet: the log-determinant has the wrong sign. Hint: it enters as −½ Σ log(1 + s²/λ).")
        check_array_close(value, expected, name=f"log evidence for n={n}, d={d}",
                          hint="split r into its part in the column space of U and the rest, shrink the first "
                               "by the factors of Eq. (6.6), profile σ² out, and add the log-determinant term; "
                               "when d > n there are only n singular values.")
    return passed("your log evidence matches a direct Gaussian log-density at the profiled σ² (Eq. (6.6)).")
