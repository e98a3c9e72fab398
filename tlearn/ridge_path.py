r"""Factorise once, then (transfer) ridge and its exact leave-one-out error for any λ.

Eqs. (1.6), (1.14) and (1.15) of notebook 01, on the residual problem of
Eq. (1.5): with the thin SVD :math:`X = U S V^\top` (rank r),

.. math:: \hat w(\lambda) = w_A + V\,\mathrm{diag}\Big(\frac{s_j}{s_j^2+\lambda}\Big) U^\top (y - X w_A).
"""
from __future__ import annotations

import numpy as np

from ._solvers import factorise
from ._validation import check_bool, check_lam, check_prior, check_sample_weight, check_X_y

__all__ = ["RidgePath"]

#: Leave-one-out works on blocks of rows holding at most this many numbers at once.
BLOCK_ELEMENTS = 2**22
#: A path this small (r·(n + d) numbers) keeps both U and Vᵀ, so a slider's λ costs least; a larger one
#: recomputes the missing factor from X rather than hold a second array the size of X.
KEEP_FACTORS_ELEMENTS = 2**18


class RidgePath:
    r"""Factorise once, then (transfer) ridge for any λ: Eqs. (1.6) and (1.14) of notebook 01.

    .. math:: \hat w(\lambda) = w_A + V \,\mathrm{diag}\!\Big(\frac{s_j}{s_j^2+\lambda}\Big) U^\top (y - X w_A)

    costs O(d·r) per λ after the factorisation -- independent of n. For a tall,
    well-conditioned X the factors come from the d×d Gram matrix XᵀX, for a wide
    one from the n×n matrix XXᵀ (both cheaper than the n×d SVD), otherwise from
    the SVD (see :func:`tlearn._solvers.factorise`; :attr:`factorisation` says which).
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
        self.fit_intercept = check_bool(fit_intercept, "fit_intercept")
        self.n_samples, self.n_features = X.shape
        self._y1d = y.ndim == 1
        Y = y[:, None] if self._y1d else y
        self.sample_weight = np.ones(X.shape[0]) if w is None else w
        self.X_offset, self.y_offset = np.zeros(X.shape[1]), np.zeros(Y.shape[1])
        scale = np.sqrt(np.einsum("i,ij,ij->", self.sample_weight, X, X))  # ‖X_w‖ before centring
        if self.fit_intercept:
            self.X_offset = self.sample_weight @ X / self.sample_weight.sum()
            self.y_offset = self.sample_weight @ Y / self.sample_weight.sum()
            X, Y = X - self.X_offset, Y - self.y_offset
        self._sw = np.sqrt(self.sample_weight)
        self._Xc, self._Yc = X, Y
        self._Xw, self._Yw = (X, Y) if w is None else (X * self._sw[:, None], Y * self._sw[:, None])
        # The unpenalised direction (the intercept) as a unit column, for its leverage: X_w is orthogonal to it.
        self._u0 = (self._sw / np.linalg.norm(self._sw))[:, None] if self.fit_intercept else np.zeros((X.shape[0], 0))
        # _U is None on the Gram path (U = X_w V S⁻¹), _Vt on the dual path (Vᵀ = S⁻¹ Uᵀ X_w)
        self._U, self.s, self._Vt = factorise(self._Xw, scale, n_null=self._u0.shape[1])
        self._kind = "gram" if self._U is None else "dual" if self._Vt is None else "svd"
        self._VS = self._Vt.T / self.s if self._U is None else None  # V S⁻¹, so that U = X_w V S⁻¹
        self._US = self._U / self.s if self._Vt is None else None  # U S⁻¹, so that V = X_wᵀ U S⁻¹
        if self.s.size * sum(X.shape) <= KEEP_FACTORS_ELEMENTS:  # small: keep both, neither is recomputed
            self._U, self._Vt = self.U, self.Vt
            self._VS = self._US = None
        self._UtY = self._U_T(self._Yw)  # (r, k)
        self._row_cache = None  # U, U² and the λ-free part of 1 − H_ii, kept when they are small
        self._n_positive = int(np.count_nonzero(self.sample_weight > 0))  # leave-one-out needs two or three

    @property
    def U(self):
        """The left singular vectors (n, r), computed as X V S⁻¹ on demand when the Gram path was used."""
        return self._U_rows(slice(None))

    def _U_rows(self, rows):
        return self._Xw[rows] @ self._VS if self._U is None else self._U[rows]

    def _row_terms(self, rows):
        """U, U², 1 − (leverage at λ = 0) and the rows of leverage 1, for a block: what Eq. (1.14) needs."""
        if self._row_cache is not None and rows == slice(None):
            return self._row_cache
        if self._row_cache is not None:
            Ub, U2, deficit, _ = self._row_cache
            Ub, U2, deficit = Ub[rows], U2[rows], deficit[rows]
        else:
            Ub = self._U_rows(rows)
            U2 = Ub**2
            deficit = np.clip(1.0 - U2.sum(axis=1) - (self._u0[rows] ** 2).sum(axis=1), 0.0, None)
        return Ub, U2, deficit, np.flatnonzero(deficit <= 1e-10)

    def _U_T(self, A):
        """Uᵀ A without forming U: S⁻¹ Vᵀ (X_wᵀ A) on the Gram path."""
        return self._VS.T @ (self._Xw.T @ A) if self._U is None else self._U.T @ A

    def _U_times(self, C):
        return self._Xw @ (self._VS @ C) if self._U is None else self._U @ C

    @property
    def Vt(self):
        """The right singular vectors (r, d), computed as S⁻¹ Uᵀ X on demand when the dual path was used."""
        return self._Vt if self._Vt is not None else self._US.T @ self._Xw

    def _Vt_times(self, P):
        """Vᵀ P without forming Vᵀ: S⁻¹ Uᵀ (X_w P) on the dual path."""
        return self._Vt @ P if self._Vt is not None else self._US.T @ (self._Xw @ P)

    def _V_times(self, B):
        """V B (B may be a stack (m, r, k)) without forming V: X_wᵀ (U S⁻¹ B) on the dual path."""
        return self._Vt.T @ B if self._Vt is not None else self._Xw.T @ (self._US @ B)

    @property
    def factorisation(self):
        """Where the SVD came from: "gram" (XᵀX, tall X), "dual" (XXᵀ, wide X) or "svd" (the fallback)."""
        return self._kind

    @property
    def rank(self):
        """The number of singular values kept (numerically non-zero)."""
        return self.s.size

    # -- helpers ----------------------------------------------------------
    def _lams(self, lam):
        lam = check_lam(lam, allow_inf=True, allow_array=True)
        return (np.array([lam]), True) if isinstance(lam, float) else (lam, False)

    def _prior(self, prior):
        p = check_prior(prior, self.n_features, None if self._y1d else self._Yw.shape[1])
        if p is None:
            return np.zeros((self.n_features, self._Yw.shape[1]))
        return p[:, None] if p.ndim == 1 else p

    def _out(self, arr, scalar):
        if self._y1d:
            arr = arr[..., 0]
        return arr[0] if scalar else arr

    def _residual_coords(self, P):
        """c = Uᵀ r_w and the part of r_w outside span(U, intercept), for r = y − X P (Eq. (1.5))."""
        C = self._UtY - self.s[:, None] * self._Vt_times(P)  # Uᵀ (Y_w − X_w P)
        R = self._Yw - self._Xw @ P
        return C, R - self._U_times(C) - self._u0 @ (self._u0.T @ R)

    # -- coefficients -----------------------------------------------------
    def coef(self, lam, prior=None):
        """Coefficients for λ (scalar → (d,) or (d,k); array of m → (m, d) or (m, d, k)).

        Eq. (1.6) of notebook 01. ``lam`` may include 0 and ``np.inf``.
        """
        lams, scalar = self._lams(lam)
        P = self._prior(prior)
        C = self._UtY - self.s[:, None] * self._Vt_times(P)  # Uᵀ(y − X w_A)
        # s > 0 after the rank cut, so λ = 0 gives 1/s and λ = ∞ gives exactly 0: no special cases
        F = self.s[None, :] / (self.s[None, :] ** 2 + lams[:, None])  # Eq. (1.6)
        W = self._V_times(F[:, :, None] * C) + P  # (m, d, k)
        return self._out(W, scalar)

    def intercept(self, lam, prior=None):
        """The unpenalised intercept(s) for λ (zeros when ``fit_intercept=False``)."""
        W = self.coef(lam, prior)
        W = W[..., None] if self._y1d else W
        b = self.y_offset - np.einsum("d,...dk->...k", self.X_offset, W)
        return b[..., 0] if self._y1d else b

    # -- leave-one-out ----------------------------------------------------
    def _loo_blocks(self, lams, priors):
        """Yield (rows, E): the weight-scaled LOO residuals √w_i e_i of Eq. (1.14), E of shape (b, K, m).

        e = ((I − H) r) / (1 − diag H) for every prior (stacked: K = k per prior)
        and every λ; the denominators do not depend on the prior, so the priors
        share them. Rows with leverage 1 at λ = 0 use numerator and denominator
        divided by λ, which stay finite as λ → 0⁺.
        """
        coords = [self._residual_coords(self._prior(p)) for p in priors]
        C = np.hstack([c for c, _ in coords])  # (r, K)
        R_perp = np.hstack([r for _, r in coords])  # (n, K)
        s2, finite = self.s**2, np.isfinite(lams)
        G = np.ones((s2.size, lams.size))  # 1 − s²/(s²+λ) = λ/(s²+λ): the residual filter
        G[:, finite] = lams[finite] / (s2[:, None] + lams[finite])
        K, m = C.shape[1], lams.size
        CG = (C[:, :, None] * G[:, None, :]).reshape(s2.size, K * m)  # (r, K·m)
        if self._row_cache is None and self.n_samples * self.rank <= BLOCK_ELEMENTS:
            self._row_cache = self._row_terms(slice(None))  # small: keep them for the next call
        budget = min(BLOCK_ELEMENTS, max(self.n_samples * self.rank, 2**16))  # temporaries ≲ the size of U
        step = max(1, budget // (K * m + self.rank))
        for lo in range(0, self.n_samples, step):
            rows = slice(lo, lo + step) if step < self.n_samples else slice(None)
            Ub, U2, deficit, ones = self._row_terms(rows)
            num = (Ub @ CG).reshape(-1, K, m) + R_perp[rows, :, None]  # (I − H) r
            den = U2 @ G + deficit[:, None]  # 1 − H_ii
            if ones.size:  # leverage-1 rows: the λ → 0⁺ limit at every finite λ
                num[ones], den[ones] = self._leverage_one_limit(Ub[ones], U2[ones], C, lams, num[ones], den[ones])
            yield rows, num / den[:, None, :]  # Eq. (1.14)

    def _leverage_one_limit(self, Ub, U2, C, lams, num, den):
        """Numerator and denominator of Eq. (1.14) divided by λ, for rows with leverage 1 at λ = 0.

        With h = 1/(s² + λ) = G/λ both stay finite as λ → 0⁺; at λ = ∞ the
        plain values are kept.
        """
        finite = np.isfinite(lams)
        Hm = 1.0 / (self.s[:, None] ** 2 + np.where(finite, lams, 0.0))  # (r, m)
        num_h = (Ub @ (C[:, :, None] * Hm[:, None, :]).reshape(Hm.shape[0], -1)).reshape(num.shape)
        return np.where(finite, num_h, num), np.where(finite, U2 @ Hm, den)

    def _check_loo(self):
        need = 2 + self.fit_intercept
        got = self._n_positive
        if got < need:
            raise ValueError(
                f"leave-one-out needs at least {need} samples with positive sample_weight "
                f"(with fit_intercept={self.fit_intercept}), got {got} sample(s) with positive weight"
            )

    def loo_residuals(self, lam, prior=None):
        """Exact leave-one-out residuals y_i − ŷ_{−i}, Eq. (1.14) of notebook 01.

        Shape (n,) / (n, k) for a scalar λ, (m, n) / (m, n, k) for m values.
        Uses the λ → 0⁺ limit where a point has leverage 1 at λ = 0. A point of
        weight 0 is not in the fit: its LOO residual is its ordinary residual.
        """
        lams, scalar = self._lams(lam)
        self._check_loo()
        E = np.empty((self.n_samples, self._Yw.shape[1], lams.size))
        for rows, Eb in self._loo_blocks(lams, [prior]):
            E[rows] = Eb
        E = E.transpose(2, 0, 1)  # (m, n, k)
        zero = self._sw == 0
        E[:, ~zero] /= self._sw[None, ~zero, None]
        if zero.any():
            W = self.coef(lams, prior)
            W = W[..., None] if self._y1d else W  # (m, d, k)
            E[:, zero] = self._Yc[zero][None] - np.einsum("nd,mdk->mnk", self._Xc[zero], W)
        return self._out(E, scalar)

    def loo_mse_priors(self, lam, priors):
        """Weighted mean squared LOO error (Eq. (1.14)) for several priors at once, shape (len(priors), m).

        ``priors`` is a list of priors (each None, (d,) or (d, k)); they share
        one pass over the data. Averaged over targets when y is 2-D.
        """
        lams, _ = self._lams(lam)
        self._check_loo()
        priors = list(priors)
        k = self._Yw.shape[1]
        total = np.zeros((len(priors) * k, lams.size))
        for _, Eb in self._loo_blocks(lams, priors):
            total += np.einsum("bkm,bkm->km", Eb, Eb)
        return total.reshape(len(priors), k, lams.size).sum(axis=1) / (k * self.sample_weight.sum())

    def loo_mse(self, lam, prior=None):
        """Mean squared leave-one-out error (weighted by sample_weight), Eq. (1.14).

        A float for a scalar λ, an array (m,) for m values. Averaged over
        targets when y is 2-D.
        """
        mse = self.loo_mse_priors(lam, [prior])[0]
        return float(mse[0]) if np.ndim(lam) == 0 else mse

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

    def log_evidence(self, lam, prior=None):
        """Exact log marginal likelihood of y under w ~ N(prior, (σ²/λ) I), σ² profiled out.

        Eq. (6.6) of notebook 06; see :func:`tlearn.multisource.log_evidence`.
        """
        from .multisource import log_evidence  # chapter 6 builds on this class, not the other way

        return log_evidence(self, lam, prior)
