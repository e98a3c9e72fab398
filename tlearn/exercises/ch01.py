"""Checks for the exercises of notebook 01 (parameter transfer)."""
from __future__ import annotations

import numpy as np

from ..ridge import RidgePath, ridge_fit
from ._core import NotYet, check_array_close, passed

__all__ = ["check_transfer_ridge", "check_loo_brute_force"]


def _cases():
    rng = np.random.default_rng(2024)
    for n, d, lam in [(12, 3, 0.5), (6, 9, 2.0), (30, 5, 100.0)]:
        X = rng.standard_normal((n, d))
        y = rng.standard_normal(n)
        w_a = rng.standard_normal(d)
        yield X, y, lam, w_a


def check_transfer_ridge(fn):
    """Exercise 1.2: ``fn(X, y, lam, w_A)`` must return Eq. (1.4) of notebook 01."""
    if not callable(fn):
        raise NotYet(f"pass your function itself, not {type(fn).__name__}. Hint: check_transfer_ridge(my_transfer_ridge)")
    for X, y, lam, w_a in _cases():
        try:
            answer = fn(X.copy(), y.copy(), lam, w_a.copy())
        except NotImplementedError:
            raise NotYet("the function is still a stub: replace the `raise NotImplementedError` line.") from None
        ours = np.asarray(answer, dtype=float) if answer is not None else None
        if ours is not None and ours.shape == w_a.shape and np.allclose(ours, ridge_fit(X, y, lam**2, prior=w_a)):
            raise NotYet("you penalise λ² instead of λ. Hint: the penalty in Eq. (1.1) is λ‖w − w_A‖², no square on λ.")
        if ours is not None and ours.shape == w_a.shape and np.allclose(ours, ridge_fit(X, y, lam)):
            raise NotYet("your answer ignores w_A (that is plain ridge). Hint: the right-hand side of Eq. (1.3) has a λ w_A term.")
        check_array_close(
            answer, ridge_fit(X, y, lam, prior=w_a), name=f"your ŵ for n={X.shape[0]}, d={X.shape[1]}",
            hint="solve (XᵀX + λI) w = Xᵀy + λ w_A with np.linalg.solve -- Eq. (1.3); d > n must work too.",
        )
    return passed("your transfer ridge matches Eq. (1.4), including d > n.")


def check_loo_brute_force(fn):
    """Exercise 1.3: ``fn(X, y, lam, w_A)`` returns the brute-force leave-one-out MSE (no intercept)."""
    if not callable(fn):
        raise NotYet("pass your function itself. Hint: check_loo_brute_force(my_loo_mse)")
    for X, y, lam, w_a in _cases():
        try:
            answer = fn(X.copy(), y.copy(), lam, w_a.copy())
        except NotImplementedError:
            raise NotYet("the function is still a stub: replace the `raise NotImplementedError` line.") from None
        expected = RidgePath(X, y).loo_mse(lam, prior=w_a)
        check_array_close(
            answer, expected, name="your LOO MSE",
            hint="for each i, fit on all rows but i (ridge_fit with prior=w_A), predict row i, "
            "square the error; return the mean over i.",
        )
    return passed("your brute-force LOO agrees with the closed form of Eq. (1.14).")
