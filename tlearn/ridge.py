r"""Parameter transfer: ridge regression pulled toward source weights.

Implements Eqs. (1.1)-(1.15) of notebook 01. The objective (Eq. (1.1))

.. math:: \hat w = \arg\min_w \|y - Xw\|^2 + \lambda \|w - w_A\|^2

has the closed form (Eq. (1.4))
:math:`\hat w = (X^\top X + \lambda I)^{-1}(X^\top y + \lambda w_A)`.
The penalty is λ (not λ²). Writing :math:`w = w_A + \delta` turns it into plain
ridge on the residual target :math:`r = y - X w_A` (Eq. (1.5)), which is how
every solver here works: one code path for plain ridge (``w_A = 0``) and
transfer ridge.
"""
from __future__ import annotations

import numbers

import numpy as np
from scipy.linalg import cho_factor, cho_solve  # scipy ships with scikit-learn; numpy has no Cholesky solve
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import (
    check_array,
    check_lam,
    check_prior,
    check_sample_weight,
    check_X_y,
)

__all__ = ["ridge_fit", "RidgePath", "TransferRidge", "TransferRidgeCV", "DEFAULT_LAMS"]

#: The default λ grid of :class:`TransferRidgeCV`: the limit λ = 0 ("ignore the
#: source"), 41 values from 1e-4 to 1e4, and the limit λ = ∞ ("copy the source").
DEFAULT_LAMS = np.concatenate([[0.0], np.logspace(-4, 4, 41), [np.inf]])


# ---------------------------------------------------------------------------
# Solvers: pure functions on the residual problem  min ||r - X d||^2 + lam ||d||^2
# ---------------------------------------------------------------------------
def _rank_tol(s, shape):
    return (s[0] if s.size else 0.0) * max(shape) * np.finfo(float).eps


def _solve_svd(X, r, lam):
    """δ = V diag(s / (s² + λ)) Uᵀ r, with λ = 0 giving the pseudo-inverse (Eq. (1.6))."""
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > _rank_tol(s, X.shape)
    U, s, Vt = U[:, keep], s[keep], Vt[keep]
    f = s / (s**2 + lam)  # SVD filter factors, Eq. (1.6)
    c = U.T @ r
    return Vt.T @ (f[:, None] * c if c.ndim == 2 else f * c)


def _solve_spd(A, B):
    """A⁻¹B for symmetric positive-definite A by Cholesky (A is overwritten); LinAlgError if not SPD."""
    return cho_solve(cho_factor(A, overwrite_a=True, check_finite=False), B, check_finite=False)


def _solve_dual(X, r, lam):
    """δ = Xᵀ (XXᵀ + λI)⁻¹ r, the same solution through the n×n system (d > n)."""
    K = X @ X.T
    K.flat[:: K.shape[0] + 1] += lam
    return X.T @ _solve_spd(K, r)


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
    solves the d×d normal equations when n ≥ d, the n×n dual system when
    d > n, and uses the SVD when λ is zero or tiny relative to XᵀX.
    """
    X, y = check_X_y(X, y)
    lam = check_lam(lam, allow_inf=True)
    k = y.shape[1] if y.ndim == 2 else None
    p = check_prior(prior, X.shape[1], k)
    w = check_sample_weight(sample_weight, X.shape[0])
    return _ridge_fit(X, y, lam, p, w)


def _ridge_fit(X, y, lam, p, w):
    """:func:`ridge_fit` on already checked inputs (``p``, ``w`` may be None)."""
    if np.isinf(lam):  # Eq. (1.8): λ → ∞ copies the source
        return np.zeros((X.shape[1],) + y.shape[1:]) if p is None else p.copy()
    if w is not None:
        sw = np.sqrt(w)
        X = X * sw[:, None]
        y = y * (sw[:, None] if y.ndim == 2 else sw)
    n, d = X.shape
    if n >= d:  # the d×d normal equations, solved as written in Eq. (1.4)
        G = X.T @ X
        if lam > 1e-10 * np.trace(G) / d:  # λ not negligible next to the mean eigenvalue of XᵀX
            B = X.T @ y
            if p is not None:
                B += lam * p
            G.flat[:: d + 1] += lam
            try:
                return _solve_spd(G, B)  # Eq. (1.4)
            except np.linalg.LinAlgError:  # pragma: no cover - λ>0 keeps it SPD
                pass
    r = y if p is None else y - X @ p  # Eq. (1.5): residual target
    delta = None
    if n < d and lam > 1e-10 * np.einsum("ij,ij->", X, X) / d:
        try:
            delta = _solve_dual(X, r, lam)
        except np.linalg.LinAlgError:  # pragma: no cover - λ>0 keeps it SPD
            pass
    if delta is None:
        delta = _solve_svd(X, r, lam)  # λ ~ 0: the pseudo-inverse limit, Eq. (1.7)
    return delta if p is None else p + delta  # Eq. (1.4)


# ---------------------------------------------------------------------------
# The path: one SVD, then any λ
# ---------------------------------------------------------------------------
class RidgePath:
    r"""Factorise once, then (transfer) ridge for any λ: Eqs. (1.6) and (1.14) of notebook 01.

    With the thin SVD :math:`X = U S V^\top` (rank r),

    .. math:: \hat w(\lambda) = w_A + V \,\mathrm{diag}\!\Big(\frac{s_j}{s_j^2+\lambda}\Big) U^\top (y - X w_A)

    costs O(d·r) per λ after the O(n·d·r) factorisation -- independent of n.
    The leave-one-out residuals come in closed form (Eq. (1.14)),
    :math:`e_i = (y_i - \hat y_i) / (1 - H_{ii})` with the hat matrix
    :math:`H = U\,\mathrm{diag}(s^2/(s^2+\lambda))\,U^\top`, so λ can be chosen
    without refitting n times. Generalised cross-validation (Eq. (1.15)) is
    the rotation-invariant cousin of LOO.

    Parameters
    ----------
    X : array (n, d); y : array (n,) or (n, k)
    sample_weight : array (n,), optional
    fit_intercept : bool, default False
        If True, X and y are centred (with the sample weights) and an
        unpenalised intercept is part of the model; the leave-one-out formulas
        then include the intercept's leverage, so they stay exact (the mean is
        re-estimated without the left-out point).
    """

    def __init__(self, X, y, sample_weight=None, fit_intercept=False):
        X, y = check_X_y(X, y)
        w = check_sample_weight(sample_weight, X.shape[0])
        self.n_samples, self.n_features = X.shape
        self.fit_intercept = bool(fit_intercept)
        self._y1d = y.ndim == 1
        Y = y[:, None] if self._y1d else y
        weighted = w is not None
        w = w if weighted else np.ones(X.shape[0])
        self.sample_weight = w
        if self.fit_intercept:
            self.X_offset = w @ X / w.sum() if weighted else X.mean(axis=0)
            self.y_offset = w @ Y / w.sum() if weighted else Y.mean(axis=0)
            X = X - self.X_offset
            Y = Y - self.y_offset
        else:
            self.X_offset = np.zeros(X.shape[1])
            self.y_offset = np.zeros(Y.shape[1])
        sw = np.sqrt(w)
        self._sw = sw
        self._Xc, self._Yc = X, Y
        Xw, Yw = (X * sw[:, None], Y * sw[:, None]) if weighted else (X, Y)
        U, s, Vt = np.linalg.svd(Xw, full_matrices=False)
        keep = s > _rank_tol(s, Xw.shape)
        self.U, self.s, self.Vt = (U, s, Vt) if keep.all() else (U[:, keep], s[keep], Vt[keep])
        self._Xw, self._Yw = Xw, Yw
        self._UtY = self.U.T @ Yw  # (r, k)
        # Columns spanning the unpenalised directions (the intercept), for leverage.
        if self.fit_intercept:
            u0 = sw / np.linalg.norm(sw)
            self._u0 = u0[:, None]
        else:
            self._u0 = np.zeros((X.shape[0], 0))
        self._U2 = self.U**2
        lev_fixed = np.einsum("ij,ij->i", self._u0, self._u0)
        self._deficit = np.clip(1.0 - self._U2.sum(axis=1) - lev_fixed, 0.0, None)
        self._ones_deficit = self._deficit <= 1e-10  # rows with leverage 1 as λ → 0

    @property
    def rank(self):
        return self.s.size

    # -- helpers ----------------------------------------------------------
    def _lams(self, lam):
        if type(lam) is float or type(lam) is np.float64:  # the slider's hot path: a plain λ >= 0 (inf ok)
            if lam >= 0:  # False for NaN and -inf: those go through check_lam and its message
                return np.array([lam]), True
        lam = check_lam(lam, allow_inf=True, allow_array=True)
        return np.atleast_1d(lam), np.ndim(lam) == 0

    def _prior(self, prior):
        k = None if self._y1d else self._Yw.shape[1]
        p = check_prior(prior, self.n_features, k)
        if p is None:
            return np.zeros((self.n_features, self._Yw.shape[1]))
        return p[:, None] if p.ndim == 1 else p

    def _residual_coords(self, P):
        """c = Uᵀ r_w and the part of r_w outside span(U, intercept), for r = y - X P."""
        C = self._UtY - self.s[:, None] * (self.Vt @ P)  # Uᵀ (Y_w - X_w P)
        R = self._Yw - self._Xw @ P
        R_perp = R - self.U @ C - self._u0 @ (self._u0.T @ R)
        return C, R_perp

    def _out(self, arr, scalar):
        if self._y1d:
            arr = arr[..., 0]
        return arr[0] if scalar else arr

    # -- public -----------------------------------------------------------
    def coef(self, lam, prior=None):
        """Coefficients for λ (scalar → (d,) or (d,k); array of m → (m, d) or (m, d, k)).

        Eq. (1.6) of notebook 01. ``lam`` may include 0 and ``np.inf``.
        """
        lams, scalar = self._lams(lam)
        P = None if prior is None else self._prior(prior)
        C = self._UtY if P is None else self._UtY - self.s[:, None] * (self.Vt @ P)  # Uᵀ(y − X w_A)
        # s > 0 after the rank cut, so λ = 0 gives 1/s and λ = ∞ gives exactly 0: no special cases
        F = self.s[None, :] / (self.s[None, :] ** 2 + lams[:, None])  # Eq. (1.6)
        W = self.Vt.T @ (F[:, :, None] * C)  # (m, d, k)
        if P is not None:
            W += P
        return self._out(W, scalar)

    def intercept(self, lam, prior=None):
        """The unpenalised intercept(s) for λ (zeros when ``fit_intercept=False``)."""
        W = self.coef(lam, prior)
        W = W[..., None] if self._y1d else W
        b = self.y_offset - np.einsum("d,...dk->...k", self.X_offset, W)
        return b[..., 0] if self._y1d else b

    def loo_residuals(self, lam, prior=None):
        """Exact leave-one-out residuals y_i − ŷ_{−i}, Eq. (1.14) of notebook 01.

        Shape (n,) / (n, k) for a scalar λ, (m, n) / (m, n, k) for m values.
        Uses the λ → 0⁺ limit where a point has leverage 1 at λ = 0.
        """
        lams, scalar = self._lams(lam)
        E = self._loo_scaled(lams, self._prior(prior)).transpose(2, 1, 0)  # (m, n, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            E = E / self._sw[None, :, None]
        zero_w = self._sw == 0
        if np.any(zero_w):  # not in the fit: the LOO residual is the ordinary residual
            W = self.coef(lams, prior)
            W = W[..., None] if self._y1d else W  # (m, d, k)
            E[:, zero_w, :] = self._Yc[zero_w][None] - np.einsum("nd,mdk->mnk", self._Xc[zero_w], W)
        return self._out(E, scalar)

    def _loo_scaled(self, lams, *priors):
        """LOO residuals of the weight-scaled problem for all λ, shape (K, n, m) (K = k per prior).

        The denominators 1 − H_ii do not depend on the prior, so several
        priors (stacked along the first axis, in order) share them.
        """
        coords = [self._residual_coords(P) for P in priors]
        C = np.hstack([c for c, _ in coords])
        R_perp = np.hstack([r for _, r in coords])
        n, K = R_perp.shape
        step = max(1, 2_000_000 // max(n * K, 1))  # λ per chunk: bounds the (K, n, chunk) temporaries
        if step >= lams.size:
            return self._loo_chunk(lams, C, R_perp)
        out = np.empty((K, n, lams.size))
        for lo in range(0, lams.size, step):
            out[:, :, lo:lo + step] = self._loo_chunk(lams[lo:lo + step], C, R_perp)
        return out

    def _loo_chunk(self, lams, C, R_perp):
        """Eq. (1.14) for a few λ: e = ((I − H) r) / (1 − diag H), a matrix product per target."""
        s2 = self.s**2
        finite = np.isfinite(lams)
        # 1 − s²/(s²+λ) = λ/(s²+λ): the residual filter (all ones at λ = ∞); shape (r, m)
        G = np.ones((s2.size, lams.size))
        G[:, finite] = lams[finite] / (s2[:, None] + lams[finite])
        num = self.U @ (C.T[:, :, None] * G[None]) + R_perp.T[:, :, None]  # (K, n, m): (I − H) r
        den = self._U2 @ G + self._deficit[:, None]  # (n, m): 1 − H_ii
        if np.any(self._ones_deficit) and np.any(finite):
            # Rows with leverage 1 at λ = 0: divide numerator and denominator by λ (finite as λ → 0⁺).
            fi, ri = np.flatnonzero(finite), np.flatnonzero(self._ones_deficit)
            Hm = 1.0 / (s2[:, None] + lams[finite])  # (r, m_f)
            num[:, ri[:, None], fi] = self.U[ri] @ (C.T[:, :, None] * Hm[None])
            den[np.ix_(ri, fi)] = self._U2[ri] @ Hm
        num /= den  # Eq. (1.14)
        return num

    def loo_mse(self, lam, prior=None):
        """Mean squared leave-one-out error (weighted by sample_weight), Eq. (1.14).

        A float for a scalar λ, an array (m,) for m values. Averaged over
        targets when y is 2-D.
        """
        lams, scalar = self._lams(lam)
        self._check_loo()
        mse = self._mse(self._loo_scaled(lams, self._prior(prior)))
        return float(mse[0]) if scalar else mse

    def _check_loo(self):
        if self.n_samples < 2 + self.fit_intercept:
            raise ValueError(
                f"leave-one-out needs at least {2 + self.fit_intercept} samples "
                f"(with fit_intercept={self.fit_intercept}), got n_samples = {self.n_samples}"
            )

    def _mse(self, E):
        """Weighted mean squared LOO error per λ from scaled residuals sqrt(w_i) e_i, shape (k, n, m)."""
        return np.einsum("knm,knm->m", E, E) / (E.shape[0] * self.sample_weight.sum())

    def gcv(self, lam, prior=None):
        """Generalised cross-validation n‖(I−H)r‖² / (n − tr H)², Eq. (1.15) of notebook 01.

        The λ → 0⁺ limit is used when the fit interpolates (rank = n).
        """
        lams, scalar = self._lams(lam)
        C, R_perp = self._residual_coords(self._prior(prior))
        n_eff = self.n_samples - self.rank - self._u0.shape[1]  # directions never fitted
        s2 = self.s**2
        perp2 = (R_perp**2).sum(axis=0)
        out = np.empty(lams.size)
        for j, lam in enumerate(lams):
            if n_eff == 0 and np.isfinite(lam):
                h = 1.0 / (s2 + lam)  # divided by λ: finite limit at λ = 0
                num = ((h[:, None] * C) ** 2).sum(axis=0)
                den = h.sum() ** 2
            else:
                g = np.ones_like(s2) if np.isinf(lam) else lam / (s2 + lam)
                num = ((g[:, None] * C) ** 2).sum(axis=0) + perp2
                den = (g.sum() + n_eff) ** 2
            out[j] = self.n_samples * num.mean() / den  # Eq. (1.15)
        return float(out[0]) if scalar else out


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
        """A TransferRidge whose prior is ``model.coef_`` (ours or scikit-learn's)."""
        check_is_fitted(model)
        coef = getattr(model, "coef_", None)
        if coef is None:
            raise TypeError(
                f"model must be a fitted linear model with a coef_ attribute, got {type(model).__name__}"
            )
        return cls(lam=lam, source_coef=np.array(coef, dtype=float), fit_intercept=fit_intercept)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _validate(self, X, y, sample_weight):
        """Checked X, y, sample weights and the prior from ``source_coef`` (shared with the CV variant)."""
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=np.float64)
        X, y = check_X_y(X, y)
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
        X = validate_data(self, X, reset=False, dtype=np.float64)
        check_array(X, "X", ndim=2)
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
        lams = DEFAULT_LAMS if self.lams is None else check_lam(
            self.lams, name="lams", allow_inf=True, allow_array=True
        )
        lams = np.unique(np.concatenate([[0.0, np.inf], np.atleast_1d(lams)]))
        path = RidgePath(X, y, sample_weight=w, fit_intercept=self.fit_intercept)
        self.lams_ = lams
        self.transfer_ = prior is not None
        self.cv_mse_plain_ = None
        if prior is not None and self.allow_no_transfer:  # both searches share one LOO pass
            path._check_loo()
            E = path._loo_scaled(lams, path._prior(prior), path._prior(None))  # Eq. (1.14)
            k = E.shape[0] // 2
            self.cv_mse_, self.cv_mse_plain_ = path._mse(E[:k]), path._mse(E[k:])
        else:
            self.cv_mse_ = path.loo_mse(lams, prior=prior)  # Eq. (1.14)
        scores = self.cv_mse_
        if self.cv_mse_plain_ is not None:
            if self.cv_mse_plain_.min() < self.cv_mse_.min():
                self.transfer_ = False
                scores = self.cv_mse_plain_
        self.best_index_ = int(np.argmin(scores))
        self.lam_ = float(lams[self.best_index_])
        coef = path.coef(self.lam_, prior=prior if self.transfer_ else None)
        self._set_fitted(coef, path.X_offset, path.y_offset if not path._y1d else path.y_offset[0])
        return self
