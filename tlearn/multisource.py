r"""Many sources: which to trust and how much, by exact leave-one-out. Eqs. (6.1)-(6.6) of notebook 06.

Ridge toward a combination of K source weight vectors :math:`W = [w_1, \dots, w_K]`
(Eq. (6.1)),

.. math:: \hat w(\lambda, \alpha) = \arg\min_w \|y - Xw - b\|^2 + \lambda\|w - W\alpha\|^2 .

The leave-one-out residuals of Eq. (1.14) are affine in the prior, hence in α
(Eq. (6.2)): :math:`e(\lambda, \alpha) = e_0 + A\alpha` with
:math:`e_0 = e(\lambda, 0)` (plain ridge) and :math:`A_{:k} = e(\lambda, w_k) - e_0`.
So the LOO error is a quadratic in α (Eq. (6.3)), minimised by one K×K least-squares
solve (Eq. (6.4)); λ is then chosen by the same exact LOO. Everything goes through
:class:`tlearn.RidgePath`'s public methods: one SVD, K + 1 calls of ``loo_residuals``.

:func:`log_evidence` is the exact log marginal likelihood of Eq. (6.6).
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import check_array, check_bool, check_lam, check_sample_weight, check_X_y
from .ridge import DEFAULT_LAMS, RidgePath

__all__ = ["MultiSourceRidgeCV", "log_evidence", "loo_alpha"]

#: Eigenvalues of the α system (Eq. (6.4)) below this fraction of the largest are treated as
#: zero: α is then the minimum-norm minimiser (duplicated sources share their weight equally).
ALPHA_RCOND = 1e-12


def loo_alpha(e0, A, sample_weight=None, alpha_ridge=0.0):
    r"""The α minimising the LOO error :math:`\sum_i w_i (e_{0,i} + A_i\alpha)^2`, Eqs. (6.3)-(6.4) of notebook 06.

    Solves the K×K normal equations :math:`(A^\top D A + \kappa I)\,\alpha = -A^\top D e_0`
    by a symmetric eigendecomposition (no inverse), with :math:`\kappa` =
    ``alpha_ridge`` × the largest eigenvalue of :math:`A^\top D A` (0: the exact
    minimiser). Eigenvalues below :data:`ALPHA_RCOND` × the largest are dropped,
    so collinear sources get the minimum-norm α (duplicates share their weight);
    so are those below ALPHA_RCOND² × ‖D^{1/2}e_0‖², directions in which the
    sources do not change the LOO residuals at all (e.g. λ = 0 with n > d): α = 0 there.
    ``e0`` (n,) / ``A`` (n, K), or stacked over λ: (m, n) / (m, n, K).

    Returns
    -------
    alpha : (K,) or (m, K); residual : like e0, the LOO residuals e_0 + Aα; rank : int or (m,).
    """
    single = e0.ndim == 1
    e0, A = (e0[None], A[None]) if single else (e0, A)
    v = np.ones(e0.shape[1]) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    G = np.einsum("mnk,n,mnl->mkl", A, v, A)  # AᵀDA
    g = np.einsum("mnk,n,mn->mk", A, v, e0)  # AᵀD e_0
    lam, Q = np.linalg.eigh(G)
    top = lam[:, -1:]
    floor = ALPHA_RCOND**2 * np.einsum("mn,n,mn->m", e0, v, e0)[:, None]  # sources with no effect at this λ
    keep = (lam > np.maximum(top, 0.0) * ALPHA_RCOND) & (lam > floor)
    inv = np.where(keep, 1.0 / np.where(keep, lam + alpha_ridge * top, 1.0), 0.0)
    alpha = -np.einsum("mkj,mj,mlj,ml->mk", Q, inv, Q, g)  # Eq. (6.4)
    resid = e0 + np.einsum("mnk,mk->mn", A, alpha)
    rank = keep.sum(axis=1)
    return (alpha[0], resid[0], int(rank[0])) if single else (alpha, resid, rank)


def _loo_system(path, W, lams):
    """e_0 (m, n) and the columns A (m, n, K) of Eq. (6.2), from K + 1 calls of ``loo_residuals``."""
    e0 = path.loo_residuals(lams, prior=None)
    A = np.stack([path.loo_residuals(lams, prior=wk) for wk in W], axis=-1) - e0[..., None]  # Eq. (6.2)
    return e0, A


def _predict_affine(path, W, lams, alphas, x):
    """Predictions at x of ridge toward W α_j for every λ_j: affine in α, so K + 1 fits per λ."""
    xc = x - path.X_offset  # the intercept is y_offset − X_offset·w

    def pred(prior):
        return path.coef(lams, prior=prior) @ xc + path.y_offset[0]

    p0 = pred(None)
    P = np.stack([pred(wk) for wk in W], axis=-1) - p0[:, None]  # (m, K)
    return p0 + np.einsum("mk,mk->m", P, alphas)


def _nested_residuals(X, y, w, W, lams, fit_intercept, alpha_ridge):
    """Eq. (6.5): leave sample i out of everything (the LOO system and α), predict it; shape (m, n)."""
    n = X.shape[0]
    out = np.empty((lams.size, n))
    for i in range(n):
        keep = np.arange(n) != i
        path = RidgePath(X[keep], y[keep], sample_weight=None if w is None else w[keep], fit_intercept=fit_intercept)
        e0, A = _loo_system(path, W, lams)
        alphas, _, _ = loo_alpha(e0, A, None if w is None else w[keep], alpha_ridge)  # Eq. (6.4)
        out[:, i] = y[i] - _predict_affine(path, W, lams, alphas, X[i])
    return out


def _loo_gain(e_plain, e_multi, w):
    """Mean per-sample LOO gain of Eq. (6.5) and its standard error (weights w, may be None)."""
    g = e_plain**2 - e_multi**2
    v = np.ones_like(g) if w is None else w
    pos = v > 0
    g, v = g[pos], v[pos] / v[pos].sum()
    mean = float(v @ g)
    if not np.isfinite(mean):
        return -np.inf, np.inf
    n = g.size
    se = float(np.sqrt(n / max(n - 1, 1) * np.sum(v**2 * (g - mean) ** 2)))
    return mean, se


class MultiSourceRidgeCV(RegressorMixin, BaseEstimator):
    r"""Ridge toward :math:`W\alpha`, α and λ chosen by exact leave-one-out: Eqs. (6.1)-(6.5) of notebook 06.

    For every λ of the grid, α is the exact minimiser of the LOO error (a
    quadratic, Eq. (6.3)). α is unconstrained: plain ridge (α = 0) and every
    single source (α = e_k) are in the family, so an unrelated source gets
    α ≈ 0 and an opposite one α ≈ −1.

    **Nested LOO.** The minimum of Eq. (6.3) over K weights is optimistic
    (α was fitted to those very residuals). So λ is chosen, and transfer is
    judged, by nested leave-one-out (Eq. (6.5)): for each i the whole α fit
    (its own exact LOO system on the other n − 1 samples) is redone without
    sample i, and sample i is predicted — n extra SVDs of (n−1)×d, no
    iterative search. ``transfer_`` is True only when the mean per-sample gain
    :math:`g_i = e_{\mathrm{plain},i}^2 - e_{\mathrm{nested},i}^2` over plain
    ridge (at its own LOO-best λ) exceeds one standard error; otherwise (with
    ``allow_no_transfer``) the fitted model is plain ridge.

    Parameters
    ----------
    source_coefs : array (K, d) or (d,)
        One source weight vector per row (like stacked ``coef_``).
    lams : array of λ >= 0, optional
        Default :data:`tlearn.ridge.DEFAULT_LAMS` (with 0 and ∞).
    fit_intercept : bool, default True
        An unpenalised intercept, re-estimated in every leave-one-out fit.
    allow_no_transfer : bool, default True
    alpha_ridge : float >= 0, default 0.1
        A ridge on α relative to the largest eigenvalue of the α system
        (Eq. (6.4)): it shrinks α toward 0 (plain ridge) by about 9% along its
        best-determined direction and much more along poorly determined ones
        (nearly collinear sources, few samples). 0 gives the exact minimiser
        of Eq. (6.3).

    Attributes
    ----------
    alpha_ : (K,) source weights at ``lam_``; lam_ : float; lams_ : (m,) grid
    alphas_ : (m, K) the LOO-optimal α for every λ
    cv_mse_ : (m,) LOO MSE at the optimal α for every λ (the minimum of Eq. (6.3): optimistic)
    cv_mse_nested_ : (m,) nested LOO MSE (Eq. (6.5)); ``lam_`` minimises it
    cv_mse_plain_ : (m,) LOO MSE of plain ridge; lam_plain_ : its best λ
    source_cv_mse_ : (K, m) LOO MSE of ridge toward each source alone (α_k = 1)
    source_scores_ : (K,) best LOO MSE of each source alone (lower is better)
    loo_gain_, loo_gain_se_ : the honest gain over plain ridge and its standard error
    transfer_ : bool, ``loo_gain_ > loo_gain_se_``
    rank_ : int, the number of α directions the data determine (K unless sources are collinear)
    prior_ : (d,) W α_ (zeros when ``transfer_`` is False); coef_, intercept_

    Notes
    -----
    Needs K < n − 1 (the nested fits see n − 1 samples; K weights cannot be
    judged by fewer LOO residuals): a larger K raises ``ValueError``. Duplicated or collinear sources are allowed: α is the
    minimum-norm minimiser (duplicates share their weight equally) and the
    prior Wα is unique. y must be 1-D.
    """

    def __init__(self, source_coefs=None, lams=None, fit_intercept=True, allow_no_transfer=True, alpha_ridge=0.1):
        self.source_coefs = source_coefs
        self.alpha_ridge = alpha_ridge
        self.lams = lams
        self.fit_intercept = fit_intercept
        self.allow_no_transfer = allow_no_transfer

    def _sources(self, d, n):
        if self.source_coefs is None:
            raise TypeError("source_coefs is None; expected an array (n_sources, n_features) of source weights")
        W = check_array(self.source_coefs, "source_coefs", ndim=(1, 2))
        W = W[None, :] if W.ndim == 1 else W
        if W.shape[1] != d:
            raise ValueError(f"source_coefs has shape {W.shape}, expected (n_sources, {d}) to match X's {d} features")
        if W.shape[0] >= n - 1:
            raise ValueError(f"source_coefs has {W.shape[0]} sources but there are only {n} samples; "
                             "nested leave-one-out can judge K source weights only when K < n_samples - 1")
        return W

    def fit(self, X, y, sample_weight=None):
        """Exact LOO over α (Eq. (6.4)) for each λ, λ and the transfer test by nested LOO (Eq. (6.5)); returns self."""
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        X, y = check_X_y(X, y, y_ndim=1)
        w = check_sample_weight(sample_weight, X.shape[0])
        W = self._sources(X.shape[1], X.shape[0])
        lams = DEFAULT_LAMS if self.lams is None else check_lam(self.lams, name="lams", allow_inf=True, allow_array=True)
        self.lams_ = lams = np.unique(np.atleast_1d(lams))
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        path = RidgePath(X, y, sample_weight=w, fit_intercept=fit_intercept)
        e0, A = _loo_system(path, W, lams)  # Eq. (6.2)
        v = path.sample_weight / path.sample_weight.sum()
        self.cv_mse_plain_ = (e0**2) @ v
        self.source_cv_mse_ = np.einsum("mnk,n->km", (e0[..., None] + A) ** 2, v)
        self.source_scores_ = self.source_cv_mse_.min(axis=1)
        self.alphas_, resid, ranks = loo_alpha(e0, A, w, self.alpha_ridge)  # Eq. (6.4)
        self.cv_mse_ = (resid**2) @ v  # Eq. (6.3) at its minimum
        nested = _nested_residuals(X, y, w, W, lams, fit_intercept, self.alpha_ridge)  # Eq. (6.5)
        self.cv_mse_nested_ = (nested**2) @ v
        best, j0 = int(np.argmin(self.cv_mse_nested_)), int(np.argmin(self.cv_mse_plain_))
        self.best_index_, self.lam_, self.lam_plain_ = best, float(lams[best]), float(lams[j0])
        self.alpha_, self.rank_ = self.alphas_[best], int(ranks[best])
        self.loo_gain_, self.loo_gain_se_ = _loo_gain(e0[j0], nested[best], w)
        self.transfer_ = bool(self.loo_gain_ > self.loo_gain_se_) or not self.allow_no_transfer
        lam = self.lam_ if self.transfer_ else self.lam_plain_
        self.prior_ = W.T @ self.alpha_ if self.transfer_ else np.zeros(X.shape[1])  # Eq. (6.1)
        self.coef_ = path.coef(lam, prior=self.prior_)
        self.intercept_ = float(path.intercept(lam, prior=self.prior_))
        return self

    def predict(self, X):
        """ŷ = X ŵ + b."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        check_array(X, "X", ndim=2)
        return X @ self.coef_ + self.intercept_


def log_evidence(path, lam, prior=None):
    r"""Exact log marginal likelihood of y with the noise variance profiled out, Eq. (6.6) of notebook 06.

    Model: :math:`y = Xw + b + \varepsilon`, :math:`\varepsilon_i \sim N(0, \sigma^2/v_i)`
    (``sample_weight`` v), prior :math:`w \sim N(w_A, (\sigma^2/\lambda) I)`. With
    :math:`r = D^{1/2}(y - X w_A)` (projected off the intercept direction when
    ``path.fit_intercept``), :math:`c = U^\top r` and :math:`n' = n - [\text{intercept}]`,

    .. math::
        Q(\lambda) = \sum_j \frac{c_j^2}{1 + s_j^2/\lambda} + \|r - Uc\|^2,\qquad
        \log p(y\mid\lambda) = -\frac{n'}{2}\Big(\log\frac{2\pi Q}{n'} + 1\Big)
            - \frac12\sum_j \log\Big(1+\frac{s_j^2}{\lambda}\Big) + \frac12\sum_i\log v_i

    at :math:`\hat\sigma^2 = Q/n'`. With an intercept (flat prior) it is the density
    of the n' contrasts orthogonal to it (restricted likelihood). λ = 0 gives −∞
    (an infinitely wide prior), λ = ∞ the likelihood of w = w_A.

    Parameters
    ----------
    path : RidgePath (1-D y); lam : float or array of λ >= 0; prior : (d,) w_A or None (0).

    Returns a float for a scalar λ, else an array.
    """
    if not isinstance(path, RidgePath):
        raise TypeError(f"path must be a tlearn.RidgePath, got {type(path).__name__}; use RidgePath(X, y) first")
    lams = check_lam(lam, allow_inf=True, allow_array=True)
    scalar = np.ndim(lams) == 0
    lams = np.atleast_1d(lams)
    v = path.sample_weight
    sw = np.sqrt(v)
    lev0 = v / v.sum() if path.fit_intercept else np.zeros_like(v)
    e_inf = path.loo_residuals(np.inf, prior=prior)
    if np.ndim(e_inf) != 1:
        raise ValueError("log_evidence needs a 1-D target y; build one RidgePath per target")
    r = np.where(v > 0, sw * e_inf * (1 - lev0), 0.0)  # the weighted residual off the intercept
    c = path.U.T @ r
    perp2 = float(np.sum((r - path.U @ c) ** 2))
    n_eff = int(np.count_nonzero(v)) - int(path.fit_intercept)
    s2 = path.s**2
    out = np.full(lams.size, -np.inf)
    for j, lam_j in enumerate(lams):
        if lam_j == 0:
            continue
        ratio = np.zeros_like(s2) if np.isinf(lam_j) else s2 / lam_j
        Q = float(np.sum(c**2 / (1 + ratio))) + perp2
        out[j] = (-0.5 * n_eff * (np.log(2 * np.pi * Q / n_eff) + 1) - 0.5 * np.sum(np.log1p(ratio))
                  + 0.5 * np.sum(np.log(v[v > 0])))  # Eq. (6.6)
    return float(out[0]) if scalar else out
