"""Checks for the implement-type exercises of notebook 02 (feature transfer).

Each check calls the reader's function on fresh random inputs, compares it with
the library's answer and, when they differ, raises :class:`NotYet` with a hint
aimed at the most likely mistake -- never with the expected numbers.
"""
from __future__ import annotations

import numpy as np

from ..features import SubspaceExtractor
from ..ridge import ridge_fit
from ._core import NotYet, as_real_array, call_answer, check_array_close, checker, passed, spot_mistakes

__all__ = ["check_ridge_head", "check_learn_subspace"]


@checker
def check_ridge_head(ridge_head):
    """``ridge_head(Phi, y, lam)`` must return the head of Eq. (2.2) of notebook 02 (no intercept)."""
    rng = np.random.default_rng(202)
    for n, k, lam in [(15, 3, 0.5), (40, 6, 4.0), (5, 8, 2.0)]:
        Phi = rng.standard_normal((n, k))
        y = rng.standard_normal(n)

        answer = call_answer(ridge_head, Phi.copy(), y.copy(), lam, name="ridge_head",
            hint='print the shape of every term.')
        mistakes = {
            "you penalise λ² instead of λ: the penalty in the objective is λ‖v‖²": ridge_fit(Phi, y, lam**2),
            "λ is missing -- that is least squares; differentiate the penalty λ‖v‖² too": ridge_fit(Phi, y, 0.0),
        }
        spot_mistakes(answer, mistakes)
        check_array_close(answer, ridge_fit(Phi, y, lam), name=f"your head for n={n}, k={k}",
                          hint="set the gradient of ‖y − Φv‖² + λ‖v‖² to zero and solve the k×k system you get with "
                               "np.linalg.solve (never invert); the head has one entry per column of Φ, and "
                               "n < k must work too, so keep the λ term.")
    return passed("your ridge head matches Eq. (2.2), including n < k.")


def _tasks(rng, n_tasks, d, k, n):
    """Source tasks with centred columns and targets (so centring or not gives the same fit)."""
    U, _ = np.linalg.qr(rng.standard_normal((d, k)))
    tasks = []
    for _ in range(n_tasks):
        X = rng.standard_normal((n, d))
        X -= X.mean(axis=0)
        y = X @ (U @ rng.standard_normal(k)) + 0.3 * rng.standard_normal(n)
        tasks.append((X, y - y.mean()))
    return tasks


@checker
def check_learn_subspace(learn_subspace):
    """``learn_subspace(tasks, k, lam)`` must return the (d, k) basis of Eq. (2.4) of notebook 02."""
    rng = np.random.default_rng(204)
    for n_tasks, d, k, n, lam in [(8, 6, 2, 20, 1.0), (12, 10, 3, 8, 0.5)]:
        tasks = _tasks(rng, n_tasks, d, k, n)

        answer = call_answer(learn_subspace, [(X.copy(), y.copy()) for X, y in tasks], k, lam, name="learn_subspace",
            hint='print the shape of every term.')
        B = as_real_array(answer, "the basis is a (d, k) matrix.", name="learn_subspace's result")
        if B.shape == (k, d):
            raise NotYet(f"Not yet: your basis has shape {B.shape}; return it with one *column* per direction, "
                         f"shape ({d}, {k}).")
        if B.shape == (n_tasks, k):
            raise NotYet("Not yet: you returned singular vectors of the wrong side. Stack one task's weights per "
                         "*column* (a d×T matrix) and keep the *left* singular vectors.")
        if B.shape != (d, k):
            raise NotYet(f"Not yet: your basis has shape {B.shape}, expected ({d}, {k}): one row per feature, "
                         "one column per direction.")
        if not np.allclose(B.T @ B, np.eye(k), atol=1e-6):
            raise NotYet("Not yet: the columns of your basis are not orthonormal. Hint: singular vectors are; "
                         "raw task weights are not.")
        ref = SubspaceExtractor(k, lam=lam, fit_intercept=False).fit(tasks).components_
        W = np.column_stack([ridge_fit(X, y, lam) for X, y in tasks])
        smallest = np.linalg.svd(W, full_matrices=False)[0][:, -k:]
        if np.allclose(B @ B.T, smallest @ smallest.T, atol=1e-6):
            raise NotYet("Not yet: you kept the *last* singular vectors; np.linalg.svd sorts the largest first.")
        check_array_close(B @ B.T, ref @ ref.T, name="the projector B Bᵀ of your basis",
                          hint="follow Eq. (2.4) step by step: one ridge fit per task, the weights as the *columns* of W, "
                               "then the SVD -- which side's singular vectors live in feature space?", atol=1e-6)
    return passed("your subspace spans the same directions as Eq. (2.4) (signs and rotations do not matter).")
