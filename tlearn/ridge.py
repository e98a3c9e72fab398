r"""Parameter transfer: ridge regression pulled toward source weights.

Implements Eqs. (1.1)-(1.15) of notebook 01. The objective (Eq. (1.1))

.. math:: \hat w = \arg\min_w \|y - Xw\|^2 + \lambda \|w - w_A\|^2

has the closed form (Eq. (1.4))
:math:`\hat w = (X^\top X + \lambda I)^{-1}(X^\top y + \lambda w_A)`.
The penalty is λ (not λ²). Writing :math:`w = w_A + \delta` turns it into plain
ridge on the residual target :math:`r = y - X w_A` (Eq. (1.5)), which is how
every solver here works: one code path for plain ridge (``w_A = 0``) and
transfer ridge. The solvers (Cholesky, dual, SVD, and the router that picks the
SVD when the Cholesky factor shows the system is too ill-conditioned) are small
pure functions in :mod:`tlearn._solvers`; :class:`RidgePath` (one factorisation,
then any λ and its exact leave-one-out error) lives in :mod:`tlearn.ridge_path`.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._solvers import solve_residual
from .ridge_path import RidgePath
from ._validation import (
    check_array,
    check_bool,
    check_lam,
    check_prior,
    check_sample_weight,
    check_X_y,
)

__all__ = ["ridge_fit", "RidgePath", "TransferRidge", "TransferRidgeCV", "DEFAULT_LAMS"]

#: The default λ grid of :class:`TransferRidgeCV`: the limit λ = 0 ("ignore the
#: source"), 41 values from 1e-4 to 1e4, and the limit λ = ∞ ("copy the source").
DEFAULT_LAMS = np.concatenate([[0.0], np.logspace(-4, 4, 41), [np.inf]])


def ridge_fit(X, y, lam, prior=None, sample_weight=None):
    r"""Closed-form (transfer) ridge coefficients, Eq. (1.4) of notebook 01.

    .. math:: \hat w = (X^\top X + \lambda I)^{-1}(X^\top y + \lambda w_A)

    Parameters
    ----------
    X : array (n, d)
    y : array (n,) or (n, k)
    lam : float >= 0, or ``np.inf``
        ``lam = 0`` gives the λ→0⁺ limit, the least-squares solution closest to
        the prior, ``prior + pinv(X) (y - X prior)`` (Eq. (1.7)); ``lam = inf``
        returns the prior itself (Eq. (1.8)).
    prior : array (d,) or (d, k), optional
        The source weights w_A; None means 0 (plain ridge).
    sample_weight : array (n,), optional
        Non-negative weights; a weight of 2 is the same as duplicating the row.

    Returns
    -------
    coef : array (d,) or (d, k), like ``y``.

    Notes
    -----
    ŵ is also the posterior mean (and MAP estimate) of w under the Gaussian
    prior w ~ N(w_A, (σ²/λ) I) and noise N(0, σ²) (Eq. (1.9)).
    No intercept is fitted: centre X and y first (as :class:`TransferRidge`
    does) if you want an unpenalised intercept. Never inverts a matrix: it
    solves the residual problem of Eq. (1.5) with
    :func:`tlearn._solvers.solve_residual` -- Cholesky on the d×d (n ≥ d) or
    n×n (d > n) system, and the SVD when λ = 0 or the Cholesky factor shows the
    system is too ill-conditioned for full precision.
    """
    X, y = check_X_y(X, y)
    lam = check_lam(lam, allow_inf=True)
    k = y.shape[1] if y.ndim == 2 else None
    p = check_prior(prior, X.shape[1], k)
    w = check_sample_weight(sample_weight, X.shape[0])
    return _ridge_fit(X, y, lam, p, w)


def _ridge_fit(X, y, lam, p, w):
    """:func:`ridge_fit` on already checked inputs (``p``, ``w`` may be None)."""
    if p is None:
        p = np.zeros((X.shape[1],) + y.shape[1:])
    if lam == np.inf:  # Eq. (1.8): λ → ∞ copies the source
        return p.copy()
    if w is not None:
        sw = np.sqrt(w)
        X = X * sw[:, None]
        y = y * (sw[:, None] if y.ndim == 2 else sw)
    r = y - X @ p  # Eq. (1.5): the residual target
    return p + solve_residual(X, r, lam)  # ŵ = w_A + δ, Eq. (1.4)


# ---------------------------------------------------------------------------
# Estimators
# ---------------------------------------------------------------------------
def _source_coef_as_prior(source_coef, d, y_ndim, k):
    """Estimator convention (like scikit-learn's coef_): (d,) or (k, d) -> prior (d,) / (d, k)."""
    if source_coef is None:
        return None
    sc = check_array(source_coef, "source_coef", ndim=(1, 2))
    if sc.ndim == 2:
        if sc.shape[0] == 1 and y_ndim == 1:
            sc = sc[0]
        elif sc.shape[1] == d:
            sc = sc.T
        else:
            raise ValueError(
                f"source_coef has shape {sc.shape}, expected ({d},) or (n_targets, {d}) "
                f"to match X's {d} features"
            )
    return check_prior(sc, d, k if y_ndim == 2 else None, name="source_coef")


class TransferRidge(RegressorMixin, BaseEstimator):
    r"""Ridge regression pulled toward source weights, Eq. (1.4) of notebook 01.

    .. math:: \hat w = \arg\min_w \|y - Xw - b\|^2 + \lambda\|w - w_A\|^2

    With ``fit_intercept=True`` the intercept b is not penalised: X and y are
    centred (with the sample weights) and ``source_coef`` is the prior on the
    coefficients only.

    Parameters
    ----------
    lam : float >= 0 or ``np.inf``, default 1.0
        0 ignores the source (least squares / min-norm), ∞ copies it.
    source_coef : array (d,) or (k, d), optional
        w_A, shaped like a fitted ``coef_``; None means plain ridge.
    fit_intercept : bool, default True

    Attributes
    ----------
    coef_ : array (d,) or (k, d)
    intercept_ : float or array (k,)
    n_features_in_ : int
    """

    def __init__(self, lam=1.0, source_coef=None, fit_intercept=True):
        self.lam = lam
        self.source_coef = source_coef
        self.fit_intercept = fit_intercept

    @classmethod
    def from_source(cls, model, lam=1.0, fit_intercept=True):
        """A TransferRidge whose prior is ``model.coef_`` (ours or scikit-learn's).

        ``model`` must be a fitted linear model; for a network such as
        :class:`tlearn.MLP` use :class:`tlearn.FeatureTransfer` instead.
        """
        if isinstance(model, BaseEstimator):
            check_is_fitted(model)  # scikit-learn's NotFittedError for an unfitted estimator
        coef = getattr(model, "coef_", None)
        if coef is None:
            raise TypeError(
                f"model must be a fitted linear model with a coef_ attribute, got {type(model).__name__}"
                " (unfitted, or not linear: for a network use FeatureTransfer)"
            )
        return cls(lam=lam, source_coef=np.array(coef, dtype=float), fit_intercept=fit_intercept)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _validate(self, X, y, sample_weight):
        """Checked X, y, sample weights and the prior from ``source_coef`` (shared with the CV variant)."""
        check_bool(self.fit_intercept, "fit_intercept")
        check_X_y(X, y)  # our messages first (strings, complex, NaN), then scikit-learn's bookkeeping
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=np.float64,
                             ensure_all_finite=False)  # checked just above
        w = check_sample_weight(sample_weight, X.shape[0])
        k = y.shape[1] if y.ndim == 2 else None
        prior = _source_coef_as_prior(self.source_coef, X.shape[1], y.ndim, k)
        return X, y, w, prior

    def _centre(self, X, y, w):
        if not self.fit_intercept:
            return X, y, np.zeros(X.shape[1]), np.zeros(y.shape[1:])
        if w is None:
            X_off, y_off = X.mean(axis=0), y.mean(axis=0)
        else:
            X_off, y_off = w @ X / w.sum(), w @ y / w.sum()
        return X - X_off, y - y_off, X_off, y_off

    def _set_fitted(self, coef, X_off, y_off):
        self.coef_ = coef.T if coef.ndim == 2 else coef  # scikit-learn's (k, d)
        self.intercept_ = y_off - X_off @ coef if self.fit_intercept else (
            np.zeros(coef.shape[1]) if coef.ndim == 2 else 0.0
        )
        if np.ndim(self.intercept_) == 0:
            self.intercept_ = float(self.intercept_)

    def fit(self, X, y, sample_weight=None):
        """Fit Eq. (1.4) on (X, y); returns self."""
        X, y, w, prior = self._validate(X, y, sample_weight)
        lam = check_lam(self.lam, allow_inf=True)
        Xc, yc, X_off, y_off = self._centre(X, y, w)
        coef = _ridge_fit(Xc, yc, lam, prior, w)  # Eq. (1.4), inputs checked in _validate
        self._set_fitted(coef, X_off, y_off)
        return self

    def predict(self, X):
        """ŷ = X ŵ + b."""
        check_is_fitted(self)
        check_array(X, "X", ndim=2)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_.T + self.intercept_


class TransferRidgeCV(TransferRidge):
    """Transfer ridge with λ chosen by exact leave-one-out, Eq. (1.14) of notebook 01.

    The grid always contains the two limits: λ = 0 ("ignore the source") and
    λ = ∞ ("copy the source"). If λ = ∞ wins, the target data add nothing to
    the source.

    "Should I transfer at all?" With ``allow_no_transfer=True`` (default) the
    same grid is also searched for plain ridge (prior 0), on the same SVD; if
    plain ridge has the lower leave-one-out error the source is dropped
    (``transfer_ = False``). This is what protects against negative transfer:
    with few samples, least squares (λ = 0) is a poor "no transfer" baseline.

    Parameters
    ----------
    lams : array of λ >= 0, optional
        Default :data:`DEFAULT_LAMS`; 0 and ∞ are added if missing.
    source_coef, fit_intercept : as in :class:`TransferRidge`.
    allow_no_transfer : bool, default True

    Attributes
    ----------
    lam_ : float, the chosen λ
    lams_ : array (m,), the sorted grid searched
    cv_mse_ : array (m,), leave-one-out mean squared error of transfer ridge for each λ
    cv_mse_plain_ : array (m,) or None, the same for plain ridge (when compared)
    transfer_ : bool, whether the fitted model uses the source
    best_index_ : int, index of ``lam_`` in ``lams_``
    coef_, intercept_ : the fit at ``lam_`` on all the data
    """

    def __init__(self, lams=None, source_coef=None, fit_intercept=True, allow_no_transfer=True):
        self.lams = lams
        self.source_coef = source_coef
        self.fit_intercept = fit_intercept
        self.allow_no_transfer = allow_no_transfer

    def fit(self, X, y, sample_weight=None):
        """Search the grid by exact LOO, then refit at the best λ; returns self."""
        X, y, w, prior = self._validate(X, y, sample_weight)
        allow_no_transfer = check_bool(self.allow_no_transfer, "allow_no_transfer")
        lams = DEFAULT_LAMS if self.lams is None else check_lam(
            self.lams, name="lams", allow_inf=True, allow_array=True
        )
        lams = np.unique(np.concatenate([[0.0, np.inf], np.atleast_1d(lams)]))
        path = RidgePath(X, y, sample_weight=w, fit_intercept=self.fit_intercept)
        self.lams_ = lams
        self.transfer_ = prior is not None
        self.cv_mse_plain_ = None
        if prior is not None and allow_no_transfer:  # both searches share one LOO pass
            self.cv_mse_, self.cv_mse_plain_ = path.loo_mse_priors(lams, [prior, None])  # Eq. (1.14)
        else:
            self.cv_mse_ = path.loo_mse(lams, prior=prior)  # Eq. (1.14)
        scores = self.cv_mse_
        if self.cv_mse_plain_ is not None and self.cv_mse_plain_.min() < self.cv_mse_.min():
            self.transfer_ = False
            scores = self.cv_mse_plain_
        self.best_index_ = int(np.argmin(scores))
        self.lam_ = float(lams[self.best_index_])
        used = prior if self.transfer_ else None
        coef, intercept = path.coef(self.lam_, prior=used), path.intercept(self.lam_, prior=used)
        self.coef_ = coef.T if coef.ndim == 2 else coef  # scikit-learn's (k, d)
        self.intercept_ = float(intercept) if np.ndim(intercept) == 0 else intercept
        return self
