r"""Learning curves: held-out error against the amount of target data (notebook 02).

:func:`learning_curve` refits a copy of an estimator on random subsets of the
target data and averages its test error -- the empirical counterpart of the
risk curves of Eqs. (2.5) and (2.7) of notebook 02 (:func:`tlearn.theory.ols_risk`).
(The fine-tuning curves of notebook 04 are :func:`tlearn.finetune.fine_tune_curves`.)
"""
from __future__ import annotations

import copy

import numpy as np
from threadpoolctl import threadpool_limits

from ._validation import check_X_y, check_positive_int, check_seed

__all__ = ["learning_curve"]


def _subset(y, n, per_class, rng):
    if not per_class:
        return rng.choice(y.shape[0], size=n, replace=False)
    return np.concatenate([rng.choice(np.flatnonzero(y == c), size=n, replace=False) for c in np.unique(y)])


def learning_curve(estimator, X, y, X_test, y_test, sizes, n_repeats=5, seed=0, scoring="mse", per_class=False):
    """Held-out error of ``estimator`` fitted on ``n`` random target rows, for each ``n`` in ``sizes``.

    For every size, ``n_repeats`` random subsets (without replacement) of
    ``(X, y)`` are drawn with ``seed`` -- ``n`` rows, or ``n`` rows of every
    class with ``per_class=True``; a copy of ``estimator`` (its pre-fitted
    extractor or source model kept as is) is fitted on
    each and scored on ``(X_test, y_test)`` by mean squared error
    (``scoring="mse"``) or misclassification rate (``"error"``). Returns the
    mean over repeats, shape ``(len(sizes),)``.
    """
    X, y = check_X_y(X, y, y_ndim=1)
    if scoring not in ("mse", "error"):
        raise ValueError(f"scoring must be 'mse' or 'error', got {scoring!r}")
    X_test, y_test = check_X_y(X_test, y_test, "X_test", "y_test", y_ndim=1)
    sizes = [check_positive_int(int(n) if isinstance(n, np.integer) else n, "sizes[i]") for n in sizes]
    pool = min(np.bincount(np.unique(y, return_inverse=True)[1])) if per_class else X.shape[0]
    if max(sizes) > pool:
        what = "rows in its smallest class" if per_class else "rows"
        raise ValueError(f"sizes go up to {max(sizes)} but X has only {pool} {what}")
    n_repeats = check_positive_int(n_repeats, "n_repeats")
    rng = check_seed(seed)
    out = np.empty(len(sizes))
    with threadpool_limits(limits=1, user_api="blas"):  # many tiny fits: BLAS threads only add overhead
        for i, n in enumerate(sizes):
            out[i] = _mean_error(estimator, X, y, X_test, y_test, n, n_repeats, rng, scoring, per_class)
    return out


def _mean_error(estimator, X, y, X_test, y_test, n, n_repeats, rng, scoring, per_class):
    errs = []
    for _ in range(n_repeats):
        idx = _subset(y, n, per_class, rng)
        # deepcopy, not clone: clone would re-create a pre-fitted extractor unfitted
        pred = copy.deepcopy(estimator).fit(X[idx], y[idx]).predict(X_test)
        errs.append(np.mean((pred - y_test) ** 2) if scoring == "mse" else np.mean(pred != y_test))
    return float(np.mean(errs))
