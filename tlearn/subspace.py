r"""The subspace shared by many source tasks: Eq. (2.4) of notebook 02.

:class:`SubspaceExtractor` fits ridge on each source task, stacks the weights
and keeps their top singular directions as a feature map for the target.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ._validation import check_positive_int, check_X, check_X_y
from .ridge import ridge_fit

__all__ = ["SubspaceExtractor"]


def _check_tasks(tasks):
    if isinstance(tasks, tuple) and len(tasks) == 2 and np.ndim(tasks[0]) == 2 and np.ndim(tasks[1]) == 1:
        raise TypeError("tasks must be a list of (X, y) pairs, one per source task; got a single (X, y) pair")
    try:
        tasks = list(tasks)
    except TypeError:
        raise TypeError(f"tasks must be a list of (X, y) pairs, got {type(tasks).__name__}") from None
    if not tasks:
        raise ValueError("tasks is empty; expected at least one (X, y) pair")
    out, d = [], None
    for t, pair in enumerate(tasks):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"tasks[{t}] must be an (X, y) pair, got {type(pair).__name__}")
        X, y = check_X_y(pair[0], pair[1], X_name=f"tasks[{t}][0]", y_name=f"tasks[{t}][1]", y_ndim=1)
        if d is None:
            d = X.shape[1]
        elif X.shape[1] != d:
            raise ValueError(
                f"tasks[{t}][0] has {X.shape[1]} features but tasks[0][0] has {d}; "
                "every source task must use the same features"
            )
        out.append((X, y))
    return out


class SubspaceExtractor(BaseEstimator):
    r"""The subspace shared by many source tasks' weights, Eq. (2.4) of notebook 02.

    Fits each source task's ridge solution :math:`\hat w_t` (Eq. (2.2) with
    :math:`\varphi` = identity), stacks them as columns of
    :math:`W = [\hat w_1, \dots, \hat w_T] \in \mathbb{R}^{d\times T}`, and keeps
    the top ``n_components`` left singular vectors:

    .. math:: W = \tilde U S V^\top, \qquad \hat U = \tilde U_{:, 1:k},
              \qquad \varphi(x) = \hat U^\top x .

    Parameters
    ----------
    n_components : int
        ``k``, the dimension of the representation (at most ``min(d, T)``).
    lam : float >= 0
        Ridge strength of the per-task fits (0 = least squares / min-norm).
    fit_intercept : bool
        Centre each task's ``X`` and ``y`` before its fit (the intercepts are
        not part of the subspace).

    Attributes
    ----------
    components_ : (n_features, n_components) orthonormal :math:`\hat U`.
    singular_values_ : all singular values of :math:`W` (a scree plot picks ``k``).
    task_coefs_ : (n_tasks, n_features) the per-task ridge weights :math:`\hat w_t^\top`.
    n_features_in_, n_tasks_
    """

    def __init__(self, n_components=2, lam=1.0, fit_intercept=True):
        self.n_components = n_components
        self.lam = lam
        self.fit_intercept = fit_intercept

    def fit(self, tasks, y=None):
        """Fit on ``tasks``, a list of ``(X, y)`` pairs (one per source task)."""
        if y is not None:
            raise TypeError(
                "SubspaceExtractor.fit takes one argument, tasks (a list of (X, y) pairs); got a second one"
            )
        tasks = _check_tasks(tasks)
        k = check_positive_int(self.n_components, "n_components")
        d, T = tasks[0][0].shape[1], len(tasks)
        if k > min(d, T):
            raise ValueError(
                f"n_components must be <= min(n_features, n_tasks) = min({d}, {T}), got {k}"
            )
        coefs = []
        for X, y in tasks:
            if self.fit_intercept:
                X, y = X - X.mean(axis=0), y - y.mean()
            coefs.append(ridge_fit(X, y, self.lam))
        W = np.column_stack(coefs)  # d x T
        U, s, _ = np.linalg.svd(W, full_matrices=False)  # Eq. (2.4)
        self.components_ = U[:, :k]
        self.singular_values_ = s
        self.task_coefs_ = W.T
        self.n_features_in_ = d
        self.n_tasks_ = T
        return self

    def transform(self, X):
        r""":math:`\Phi = X\hat U`, Eq. (2.4) of notebook 02."""
        check_is_fitted(self, "components_")
        X = check_X(X, "X")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features but SubspaceExtractor was fitted on tasks with "
                f"{self.n_features_in_}"
            )
        return X @ self.components_  # Eq. (2.4)
