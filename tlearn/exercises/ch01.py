"""Checks for the exercises of notebook 01 (parameter transfer).

Each check calls the reader's function on fresh random inputs (``d > n`` included),
compares it with the library's answer and, when they differ, raises
:class:`~tlearn.exercises.NotYet` with a hint aimed at the most likely mistake --
never the expected numbers, never the formula itself.
"""
from __future__ import annotations

import numpy as np

from ..ridge import RidgePath, ridge_fit
from ._core import NotYet, call_answer, check_array_close, checker, matches, passed

__all__ = ["check_transfer_ridge", "check_loo_brute_force"]


def _cases():
    rng = np.random.default_rng(2024)
    for n, d, lam in [(12, 3, 0.5), (6, 9, 2.0), (30, 5, 100.0)]:
        X = rng.standard_normal((n, d))
        y = rng.standard_normal(n)
        w_a = rng.standard_normal(d)
        yield X, y, lam, w_a


@checker
def check_transfer_ridge(fn):
    """Exercise 1.2: ``fn(X, y, lam, w_A)`` must return Eq. (1.4) of notebook 01."""
    for X, y, lam, w_a in _cases():
        answer = call_answer(fn, X.copy(), y.copy(), lam, w_a.copy(), name="my_transfer_ridge",
                             hint="print the shape of every term you combine: matrices (d, d), vectors (d,).")
        mistakes = {
            "you penalise λ² instead of λ. Hint: look again at the penalty in Eq. (1.1)":
                ridge_fit(X, y, lam**2, prior=w_a),
            "your answer ignores w_A (that is plain ridge). Hint: where does w_A enter the gradient (1.2)?":
                ridge_fit(X, y, lam),
            "your answer is least squares: λ is missing. Hint: differentiate the penalty of Eq. (1.1) too":
                ridge_fit(X, y, 0.0, prior=w_a),
        }
        for message, wrong in mistakes.items():
            if matches(answer, wrong):
                raise NotYet(f"Not yet: {message}.")
        check_array_close(
            answer, ridge_fit(X, y, lam, prior=w_a), name=f"your ŵ for n={X.shape[0]}, d={X.shape[1]}",
            hint="set the gradient of Eq. (1.1) to zero and solve the d×d system you get with np.linalg.solve "
                 "(never invert); when d > n, XᵀX alone is singular, so keep the λ term.",
        )
    return passed("your transfer ridge matches Eq. (1.4), including d > n.")


@checker
def check_loo_brute_force(fn):
    """Exercise 1.3: ``fn(X, y, lam, w_A)`` returns the brute-force leave-one-out MSE (no intercept)."""
    for X, y, lam, w_a in _cases():
        answer = call_answer(fn, X.copy(), y.copy(), lam, w_a.copy(), name="my_loo_mse",
                             hint="print the shape of each refit's X and w; they must be (n - 1, d) and (d,).")
        in_sample = np.mean((y - X @ ridge_fit(X, y, lam, prior=w_a)) ** 2)
        if matches(answer, in_sample):
            raise NotYet("Not yet: that is the in-sample error. Hint: sample i must be left out of the fit "
                         "that predicts it.")
        check_array_close(
            answer, RidgePath(X, y).loo_mse(lam, prior=w_a), name="your LOO MSE",
            hint="refit without row i (a boolean mask or np.delete), predict only row i, and return the mean "
                 "of the n squared errors -- one number.",
        )
    return passed("your brute-force LOO agrees with the closed form of Eq. (1.14).")
