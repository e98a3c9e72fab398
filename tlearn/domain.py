r"""Transfer without target labels: covariate shift and domain adaptation (notebook 05).

Under covariate shift the label rule p(y | x) is shared and only the inputs move,
p_S(x) → p_T(x). The target risk is a source expectation with the importance
weights w(x) = p_T(x) / p_S(x) (Eq. (5.2) of notebook 05):

.. math:: \mathbb E_T[\ell] = \mathbb E_S[w(x)\,\ell].

This module estimates w from unlabelled target inputs (:class:`DensityRatio`,
a probabilistic classifier, Eq. (5.6), or KLIEP, Eq. (5.7)), flattens it
(w^γ, Eq. (5.5)), reports the effective sample size (Eq. (5.4)), fits ridge with
λ (and γ) chosen by importance-weighted leave-one-out through chapter 1's
:class:`~tlearn.RidgePath` (Eq. (5.8)), and moves the data instead of the
weights (:class:`CORAL`, Eq. (5.9); :class:`SubspaceAlignment`, Eq. (5.10)).
"""
from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import check_array, check_int, check_lam, check_option, check_real, check_seed, check_X
from .ridge import DEFAULT_LAMS, RidgePath

__all__ = ["density_ratio", "effective_sample_size", "DensityRatio", "ImportanceWeightedRidgeCV",
           "CORAL", "SubspaceAlignment", "GAMMA_GRID"]

#: The γ grid searched by ``ImportanceWeightedRidgeCV(gamma="auto")``.
GAMMA_GRID = np.linspace(0.0, 1.0, 11)


def check_domains(X_source, X_target, source_name="X_source", target_name="X_target"):
    """Both domains as finite 2-D arrays with the same features; the target needs >= 2 points."""
    X_source = check_X(X_source, source_name)
    X_target = check_X(X_target, target_name)
    if X_target.shape[1] != X_source.shape[1]:
        raise ValueError(f"{target_name} has {X_target.shape[1]} features but {source_name} has "
                         f"{X_source.shape[1]}; both domains must describe the same features")
    if X_target.shape[0] < 2:
        raise ValueError(f"{target_name} has {X_target.shape[0]} point(s); at least 2 target points are "
                         "needed to say anything about the target distribution")
    if X_source.shape[0] < 2:
        raise ValueError(f"{source_name} has {X_source.shape[0]} point(s); expected at least 2")
    return X_source, X_target


def effective_sample_size(w):
    r"""Kish's effective sample size (Σw)² / Σw² of weights ``w``, Eq. (5.4) of notebook 05.

    n for equal weights, 1 when a single weight carries everything.
    """
    w = check_array(w, "w", ndim=1)
    if np.any(w < 0) or not np.any(w > 0):
        raise ValueError("w must be non-negative with at least one positive entry")
    return float(w.sum() ** 2 / (w @ w))  # Eq. (5.4)


def _flatten(log_w, gamma):
    """w^γ rescaled to mean 1, computed from log w (no overflow), Eq. (5.5)."""
    z = gamma * log_w  # Eq. (5.5)
    z = z - z.max()
    w = np.exp(z)
    return w / w.mean()


def _quadratic(X):
    """[x, x_i x_j (i <= j)]: a Gaussian log-ratio is exactly linear in these."""
    i, j = np.triu_indices(X.shape[1])
    return np.hstack([X, X[:, i] * X[:, j]])


def _sq_dist(A, B):
    return np.clip((A**2).sum(1)[:, None] + (B**2).sum(1)[None, :] - 2 * A @ B.T, 0.0, None)


def _kliep_alpha(K_target, K_source_mean, n_iter=2000, tol=1e-10):
    r"""Maximise Σ_j log (Kα)_j subject to mean_S(w) = 1, α >= 0 (Eq. (5.7)) by EM.

    With β = α ∘ b (b the source means of the kernels) β lies on the simplex and
    the problem is a mixture-weight likelihood, whose EM update
    β ← β ∘ mean_j[Ã_jl / (Ãβ)_j] increases it monotonically.
    """
    A = K_target / K_source_mean[None, :]
    beta = np.full(A.shape[1], 1.0 / A.shape[1])
    for _ in range(n_iter):
        new = beta * (A / (A @ beta)[:, None]).mean(axis=0)  # Eq. (5.7): EM step
        if np.abs(new - beta).max() < tol:
            beta = new
            break
        beta = new
    return beta / K_source_mean


class DensityRatio(BaseEstimator):
    r"""Importance weights w(x) ≈ p_T(x)/p_S(x) from unlabelled samples of both domains.

    ``method="logistic"`` (Eq. (5.6) of notebook 05): a logistic regression
    telling target (label 1) from source (label 0), on the features x and
    x_i x_j (so a Gaussian log-ratio is representable), then Bayes' rule with
    the class-prior correction, w(x) = (n_S/n_T) · p(T|x)/p(S|x) = (n_S/n_T) e^{η(x)}.
    ``method="kliep"`` (Eq. (5.7)): w(x) = Σ_l α_l k(x, c_l) with Gaussian kernels
    centred on (up to ``n_centers``) target points, α >= 0 maximising the target
    log-likelihood Σ_j log w(x_j) under mean_S(w) = 1; the bandwidth ``sigma`` is
    the median pairwise distance (None), a number, or chosen by 5-fold
    likelihood cross-validation over the target points (``"cv"``).

    Weights are flattened to w^γ (γ = 0 ignores the shift, γ = 1 corrects it fully,
    Eq. (5.5)) and always rescaled to mean 1 over the source.

    Attributes: ``weights_`` (n_S,), ``ess_`` (Eq. (5.4)), ``sigma_`` (kliep).
    """

    def __init__(self, method="logistic", gamma=1.0, C=1.0, sigma=None, n_centers=100, seed=0):
        self.method = method
        self.gamma = gamma
        self.C = C
        self.sigma = sigma
        self.n_centers = n_centers
        self.seed = seed

    def fit(self, X_source, X_target):
        """Estimate the ratio from the two input samples; returns self."""
        X_source, X_target = check_domains(X_source, X_target)
        check_option(self.method, "method", ("logistic", "kliep"))
        self._gamma = check_real(self.gamma, "gamma", minimum=0.0)
        self.n_source_, self.n_target_ = X_source.shape[0], X_target.shape[0]
        self.n_features_in_ = X_source.shape[1]
        if self.method == "logistic":
            self._fit_logistic(X_source, X_target)
        else:
            self._fit_kliep(X_source, X_target)
        raw = self._raw_log_ratio(X_source)
        self._log_norm = np.log(np.mean(np.exp(raw - raw.max()))) + raw.max()  # mean_S(ŵ) = 1
        self.weights_ = _flatten(raw, self._gamma)
        self.ess_ = effective_sample_size(self.weights_)
        return self

    def _fit_logistic(self, X_source, X_target):
        C = check_real(self.C, "C", minimum=0.0, strict=(True, False))
        F = _quadratic(np.vstack([X_source, X_target]))
        self._mu, self._sd = F.mean(axis=0), F.std(axis=0)
        self._sd[self._sd == 0] = 1.0
        labels = np.r_[np.zeros(X_source.shape[0]), np.ones(X_target.shape[0])]
        self._clf = LogisticRegression(C=C, max_iter=5000).fit((F - self._mu) / self._sd, labels)

    def _fit_kliep(self, X_source, X_target):
        n_c = check_int(self.n_centers, "n_centers", minimum=1)
        rng = check_seed(self.seed)
        idx = rng.permutation(X_target.shape[0])[:n_c]
        self._centers = X_target[idx]
        if isinstance(self.sigma, str):
            check_option(self.sigma, "sigma", ("cv",))
            self.sigma_ = self._kliep_cv(X_source, X_target, rng)
        elif self.sigma is None:
            both = np.vstack([X_source, X_target])[rng.permutation(X_source.shape[0] + X_target.shape[0])[:500]]
            self.sigma_ = float(np.sqrt(np.median(_sq_dist(both, both)[np.triu_indices(len(both), 1)])))
        else:
            self.sigma_ = check_real(self.sigma, "sigma", minimum=0.0, strict=(True, False))
        self._alpha = self._kliep_fit_alpha(X_source, X_target, self._centers, self.sigma_)

    @staticmethod
    def _kernel(X, centers, sigma):
        return np.exp(-_sq_dist(X, centers) / (2 * sigma**2))

    def _kliep_fit_alpha(self, X_source, X_target, centers, sigma):
        return _kliep_alpha(self._kernel(X_target, centers, sigma), self._kernel(X_source, centers, sigma).mean(0))

    def _kliep_cv(self, X_source, X_target, rng, n_folds=5):
        """Bandwidth by held-out target log-likelihood, over multiples of the median distance."""
        med = np.sqrt(np.median(_sq_dist(X_target, X_target)))
        folds = np.array_split(rng.permutation(X_target.shape[0]), min(n_folds, X_target.shape[0]))
        scores = []
        grid = med * np.array([0.1, 0.2, 0.4, 0.7, 1.0, 1.5, 2.0])
        for sigma in grid:
            score = 0.0
            for f in folds:
                train = np.setdiff1d(np.arange(X_target.shape[0]), f)
                c = X_target[train][: self.n_centers]
                a = self._kliep_fit_alpha(X_source, X_target[train], c, sigma)
                score += np.log(self._kernel(X_target[f], c, sigma) @ a + 1e-300).sum()
            scores.append(score)
        return float(grid[int(np.argmax(scores))])

    def _raw_log_ratio(self, X):
        if self.method == "logistic":
            eta = self._clf.decision_function((_quadratic(X) - self._mu) / self._sd)  # the logit η(x)
            return eta + np.log(self.n_source_ / self.n_target_)  # Eq. (5.6): prior correction
        return np.log(self._kernel(X, self._centers, self.sigma_) @ self._alpha + 1e-300)  # Eq. (5.7)

    def log_ratio(self, X):
        """Estimated log p_T(x)/p_S(x) at any inputs (normalised so mean_S w = 1, no flattening)."""
        check_is_fitted(self, "weights_")
        X = check_X(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, expected {self.n_features_in_}")
        return self._raw_log_ratio(X) - self._log_norm


def density_ratio(X_source, X_target, method="logistic", gamma=1.0, **options):
    r"""Importance weights on the source points, mean 1: ``DensityRatio(...).fit(...).weights_``.

    Eqs. (5.5)-(5.7) of notebook 05; ``options`` go to :class:`DensityRatio`
    (``C``, ``sigma``, ``n_centers``, ``seed``). The ESS is
    :func:`effective_sample_size` of the result (Eq. (5.4)).
    """
    return DensityRatio(method=method, gamma=gamma, **options).fit(X_source, X_target).weights_


class ImportanceWeightedRidgeCV(RegressorMixin, BaseEstimator):
    r"""Ridge on the source with importance weights; λ (and γ) by importance-weighted LOO.

    Fits :math:`\min_\beta \sum_i w_i^\gamma (y_i - x_i^\top\beta - b)^2 + \lambda\|\beta\|^2`
    and scores each (λ, γ) by the IWCV estimate of the target risk
    (Eq. (5.8) of notebook 05), :math:`\sum_i w_i e_{-i}^2 / \sum_i w_i`, with the
    exact leave-one-out residuals e_{-i} of chapter 1's :class:`~tlearn.RidgePath`
    (Eq. (1.14)) -- one SVD per γ, no refits. At γ = 1 this is ``RidgePath.loo_mse``.

    Parameters
    ----------
    lams : array of λ >= 0, optional (default :data:`tlearn.ridge.DEFAULT_LAMS`)
    gamma : float in [0, 1], array of them, or ``"auto"`` (:data:`GAMMA_GRID`)
    ratio : ``"logistic"``, ``"kliep"``, or an array of n_S precomputed weights
    fit_intercept : bool

    ``fit(X_source, y_source, X_target)``; without ``X_target`` (as in
    scikit-learn's generic checks) all weights are 1 and this is ridge with LOO.

    Attributes: ``weights_`` (training weights w^γ, mean 1), ``ratio_weights_`` (w),
    ``gamma_``, ``lam_``, ``ess_``, ``lams_``, ``gammas_``, ``cv_mse_`` (over λ at
    ``gamma_``), ``cv_mse_grid_`` (γ × λ), ``coef_``, ``intercept_``.
    """

    def __init__(self, lams=None, gamma=1.0, ratio="logistic", fit_intercept=True):
        self.lams = lams
        self.gamma = gamma
        self.ratio = ratio
        self.fit_intercept = fit_intercept

    def _ratio_log_weights(self, X, X_target):
        if X_target is None:
            return np.zeros(X.shape[0])
        if isinstance(self.ratio, str):
            check_option(self.ratio, "ratio", ("logistic", "kliep"))
            return DensityRatio(method=self.ratio).fit(X, X_target).log_ratio(X)
        w = check_array(self.ratio, "ratio", ndim=1)
        if w.shape[0] != X.shape[0] or np.any(w <= 0):
            raise ValueError(f"ratio as an array must hold {X.shape[0]} positive weights (one per source "
                             f"row), got {w.shape[0]} values with minimum {w.min():.3g}")
        return np.log(w)

    def _gammas(self):
        if isinstance(self.gamma, str):
            check_option(self.gamma, "gamma", ("auto",))
            return GAMMA_GRID
        if isinstance(self.gamma, numbers.Number):
            return np.array([check_real(self.gamma, "gamma", minimum=0.0, maximum=1.0)])
        g = check_array(self.gamma, "gamma", ndim=1)
        if np.any((g < 0) | (g > 1)):
            raise ValueError(f"gamma values must lie in [0, 1], got {g.min():.3g} .. {g.max():.3g}")
        return g

    def fit(self, X_source, y_source, X_target=None):
        """Weights from the two domains, then the (γ, λ) grid by IWCV; returns self."""
        try:  # scikit-learn's conventions (dtype, n_features_in_); our checks below name the arguments
            X_source, y_source = validate_data(self, X_source, y_source, y_numeric=True, dtype=np.float64,
                                               ensure_all_finite=False)
        except ValueError as exc:
            if "inconsistent numbers of samples" not in str(exc):
                raise
            raise ValueError(f"y_source and X_source have different lengths ({exc}); "
                             "they must have one target per sample") from None
        X = check_X(X_source, "X_source")
        y = check_array(y_source, "y_source", ndim=1)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"y_source has {y.shape[0]} values but X_source has {X.shape[0]} rows")
        if X_target is not None:
            X, _ = check_domains(X, X_target)
        lams = DEFAULT_LAMS if self.lams is None else np.atleast_1d(
            check_lam(self.lams, name="lams", allow_inf=True, allow_array=True))
        gammas = self._gammas()
        log_w = self._ratio_log_weights(X, X_target)
        w_full = _flatten(log_w, 1.0)
        grid, paths = np.empty((gammas.size, lams.size)), []
        for g_i, g in enumerate(gammas):
            path = RidgePath(X, y, sample_weight=_flatten(log_w, g), fit_intercept=self.fit_intercept)
            E = path.loo_residuals(lams)  # (m, n): exact LOO residuals, Eq. (1.14)
            grid[g_i] = (E**2) @ w_full / w_full.sum()  # Eq. (5.8): IWCV
            paths.append(path)
        g_best, l_best = np.unravel_index(np.argmin(grid), grid.shape)
        self.lams_, self.gammas_, self.cv_mse_grid_ = lams, gammas, grid
        self.gamma_, self.lam_ = float(gammas[g_best]), float(lams[l_best])
        self.cv_mse_ = grid[g_best]
        self.ratio_weights_ = w_full
        self.weights_ = _flatten(log_w, self.gamma_)
        self.ess_ = effective_sample_size(self.weights_)
        path = paths[g_best]
        self.coef_ = path.coef(self.lam_)
        self.intercept_ = float(path.intercept(self.lam_))
        return self

    def predict(self, X):
        """ŷ = X β̂ + b."""
        check_is_fitted(self)
        X = check_X(validate_data(self, X, reset=False, dtype=np.float64, ensure_all_finite=False))
        return X @ self.coef_ + self.intercept_


def _sym_power(C, p):
    """C^p for a symmetric positive-definite C via eigh (p = ±1/2; never an inverse)."""
    vals, vecs = np.linalg.eigh(C)
    if vals.min() <= 0:
        raise ValueError("a covariance (plus eps I) is not positive definite; use eps > 0")
    return (vecs * vals**p) @ vecs.T


class _TwoDomainTransformer(TransformerMixin, BaseEstimator):
    def _check_X(self, X):
        check_is_fitted(self)
        X = check_X(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but this was fitted with {self.n_features_in_}")
        return X

    def fit_transform(self, X_source, X_target=None, **_):
        return self.fit(X_source, X_target).transform(X_source)


class CORAL(_TwoDomainTransformer):
    r"""CORrelation ALignment (Sun et al., 2016), Eq. (5.9) of notebook 05.

    .. math:: x \mapsto (x - \mu_S)\, C_S^{-1/2} C_T^{1/2} + \mu_T,
       \quad C_D = \mathrm{Cov}_D + \varepsilon I

    whitens the source covariance and re-colours it with the target's, so the
    transformed source has the target's mean and (for ε = 0) covariance. The
    matrix roots come from ``eigh``; nothing is inverted.
    """

    def __init__(self, eps=1.0):
        self.eps = eps

    def fit(self, X_source, X_target=None):
        """Learn the map from the two input samples; returns self."""
        if X_target is None:
            X_target = X_source  # scikit-learn's generic checks: the identity-like map
        X_source, X_target = check_domains(X_source, X_target)
        eps = check_real(self.eps, "eps", minimum=0.0)
        d = X_source.shape[1]
        self.mean_source_, self.mean_target_ = X_source.mean(0), X_target.mean(0)
        C_s = np.cov(X_source, rowvar=False).reshape(d, d) + eps * np.eye(d)
        C_t = np.cov(X_target, rowvar=False).reshape(d, d) + eps * np.eye(d)
        self.matrix_ = _sym_power(C_s, -0.5) @ _sym_power(C_t, 0.5)  # Eq. (5.9)
        self.n_features_in_ = d
        return self

    def transform(self, X):
        """Map source-domain inputs into the target's coordinates, Eq. (5.9)."""
        X = self._check_X(X)
        return (X - self.mean_source_) @ self.matrix_ + self.mean_target_  # Eq. (5.9)


class SubspaceAlignment(_TwoDomainTransformer):
    r"""Subspace alignment (Fernando et al., 2013), Eq. (5.10) of notebook 05.

    With P_S, P_T the top-k principal directions (d × k) of each domain,
    M = P_Sᵀ P_T = argmin_M ‖P_S M − P_T‖_F, source inputs map to
    (x − μ_S) P_S M and target inputs to (x − μ_T) P_T: both in the target's
    k-dimensional coordinates.
    """

    def __init__(self, k=2):
        self.k = k

    @staticmethod
    def _basis(X, k):
        return np.linalg.svd(X - X.mean(0), full_matrices=False)[2][:k].T

    def fit(self, X_source, X_target=None):
        """Learn the two bases and the alignment M; returns self."""
        if X_target is None:
            X_target = X_source
        X_source, X_target = check_domains(X_source, X_target)
        k = check_int(self.k, "k", minimum=1, maximum=min(X_source.shape[1], X_source.shape[0], X_target.shape[0]))
        self.mean_source_, self.mean_target_ = X_source.mean(0), X_target.mean(0)
        self.basis_source_, self.basis_target_ = self._basis(X_source, k), self._basis(X_target, k)
        self.alignment_ = self.basis_source_.T @ self.basis_target_  # Eq. (5.10)
        self.n_features_in_ = X_source.shape[1]
        return self

    def transform(self, X, domain="source"):
        """k aligned coordinates of ``X`` from the given ``domain`` ("source" or "target"), Eq. (5.10)."""
        X = self._check_X(X)
        check_option(domain, "domain", ("source", "target"))
        if domain == "target":
            return (X - self.mean_target_) @ self.basis_target_
        return (X - self.mean_source_) @ self.basis_source_ @ self.alignment_  # Eq. (5.10)
