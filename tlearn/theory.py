r"""Exact bias, variance and risk of transfer ridge: Eqs. (1.10)-(1.13) of notebook 01.

Fixed design: X (n, d) is given, the target is :math:`y = X w_B + \varepsilon`
with :math:`\varepsilon \sim \mathcal N(0, \sigma^2 I)`, and
:math:`\hat w(\lambda) = (X^\top X + \lambda I)^{-1}(X^\top y + \lambda w_A)`.
With the thin SVD :math:`X = U S V^\top` and :math:`P_\perp = I - VV^\top`,

.. math::

    \mathbb E\,\hat w - w_B &= -\big[V\,\mathrm{diag}\big(\tfrac{\lambda}{s^2+\lambda}\big)V^\top + P_\perp\big](w_B - w_A)
    \quad (1.10)\\
    \mathrm{Cov}\,\hat w &= \sigma^2\, V\,\mathrm{diag}\big(\tfrac{s^2}{(s^2+\lambda)^2}\big)V^\top \quad (1.11)

and the expected squared error of a prediction at a fresh point
:math:`x \sim (0, \Sigma)` is bias² + variance + σ² (Eq. (1.12)), with
bias² :math:`= b^\top \Sigma b` and variance :math:`= \mathrm{tr}(\Sigma\,\mathrm{Cov}\,\hat w)`.
NumPy only: curves for all λ cost one SVD.

Notebook 02's theory lives here too: :func:`ols_risk` (Eqs. (2.5), (2.7)) and
:func:`principal_angles` between a learned and the true subspace.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import (
    check_array, check_covariance, check_lam, check_positive_int, check_prior, check_real, check_seed, check_X,
)

__all__ = ["RiskCurves", "transfer_risk", "oracle_lam", "principal_angles", "ols_risk"]


@dataclass
class RiskCurves:
    """Exact curves over λ. ``risk = bias2 + variance + noise_var``."""

    lams: np.ndarray
    bias2: np.ndarray
    variance: np.ndarray
    risk: np.ndarray
    noise_var: float


def transfer_risk(X, coef_target, lam, prior=None, noise_var=1.0, test_cov=None):
    r"""Exact bias², variance and test risk of transfer ridge, Eqs. (1.10)-(1.12) of notebook 01.

    Parameters
    ----------
    X : array (n, d), the fixed target design.
    coef_target : array (d,), the true target weights w_B.
    lam : float or array of λ >= 0 (``np.inf`` allowed).
    prior : array (d,), the source weights w_A (None = 0: plain ridge).
    noise_var : float >= 0, σ².
    test_cov : None, array (d,) or (d, d)
        Covariance Σ of a test point; None means the identity (isotropic
        features, as in :func:`tlearn.datasets.make_transfer_regression`).

    Returns
    -------
    RiskCurves with arrays shaped like ``np.atleast_1d(lam)``.
    """
    X = check_X(X)
    d = X.shape[1]
    w_true = check_array(coef_target, "coef_target", ndim=1)
    if w_true.shape != (d,):
        raise ValueError(f"coef_target has shape {w_true.shape}, expected ({d},) to match X's {d} features")
    p = check_prior(prior, d)
    p = np.zeros(d) if p is None else p
    lams = np.atleast_1d(check_lam(lam, allow_inf=True, allow_array=True))
    sigma2 = check_real(noise_var, "noise_var", minimum=0.0)
    S = None if test_cov is None else check_covariance(test_cov, "test_cov", d)

    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > s[0] * max(X.shape) * np.finfo(float).eps
    s, Vt = s[keep], Vt[keep]
    s2 = s**2
    delta = w_true - p
    a = Vt @ delta  # coordinates of w_B - w_A in the row space
    perp = delta - Vt.T @ a  # the part X never sees

    bias2 = np.empty(lams.size)
    var = np.empty(lams.size)
    for j, lam_j in enumerate(lams):
        shrink = np.ones_like(s2) if np.isinf(lam_j) else lam_j / (s2 + lam_j)
        b = -(Vt.T @ (shrink * a) + perp)  # Eq. (1.10)
        cdiag = np.zeros_like(s2) if np.isinf(lam_j) else s2 / (s2 + lam_j) ** 2
        if S is None:
            bias2[j] = b @ b
            var[j] = sigma2 * cdiag.sum()  # tr(Cov), Eq. (1.11)
        else:
            bias2[j] = b @ S @ b
            var[j] = sigma2 * np.einsum("rd,de,re,r->", Vt, S, Vt, cdiag)
    return RiskCurves(lams=lams, bias2=bias2, variance=var, risk=bias2 + var + sigma2, noise_var=sigma2)  # Eq. (1.12)


def oracle_lam(n_features, noise_var, coef_target, prior=None):
    r"""The Bayes-optimal λ = σ² d / ‖w_B − w_A‖², Eq. (1.13) of notebook 01.

    It is the posterior mean's λ when :math:`w_B \sim \mathcal N(w_A, \tau^2 I)`
    with :math:`\tau^2 = \|w_B - w_A\|^2 / d`: the closer the source, the larger λ.
    Returns ``np.inf`` when w_B = w_A.
    """
    w_true = check_array(coef_target, "coef_target", ndim=1)
    n_features = check_positive_int(n_features, "n_features")
    if n_features != w_true.shape[0]:
        raise ValueError(f"n_features is {n_features} but coef_target has {w_true.shape[0]} entries; they must agree")
    p = check_prior(prior, w_true.shape[0])
    p = np.zeros_like(w_true) if p is None else p
    dist2 = float(np.sum((w_true - p) ** 2))
    sigma2 = check_real(noise_var, "noise_var", minimum=0.0)
    return np.inf if dist2 == 0 else sigma2 * n_features / dist2  # Eq. (1.13)


def principal_angles(A, B):
    r"""Principal angles (radians, ascending) between the column spaces of A and B.

    :math:`\cos\theta_i = \sigma_i(Q_A^\top Q_B)` with :math:`Q_A, Q_B`
    orthonormal bases from QR. Zero angles mean a shared direction; for two
    ``k``-dimensional subspaces, all angles zero means they coincide.
    """
    A = check_array(A, "A", ndim=2)
    B = check_array(B, "B", ndim=2)
    if A.shape[0] != B.shape[0]:
        raise ValueError(f"A has {A.shape[0]} rows but B has {B.shape[0]}; both must live in the same space")
    Qa, _ = np.linalg.qr(A)
    Qb, _ = np.linalg.qr(B)
    s = np.linalg.svd(Qa.T @ Qb, compute_uv=False)
    return np.arccos(np.clip(s, -1.0, 1.0))


def ols_risk(n, n_params, noise_var):
    r"""Expected test MSE of least squares on ``n_params`` isotropic Gaussian features.

    Eq. (2.5) of notebook 02: for :math:`z\sim N(0, I_p)`, :math:`n \ge p+2`
    samples and noise variance :math:`\sigma^2`,

    .. math:: E\,R = \sigma^2\Bigl(1 + \frac{p}{n-p-1}\Bigr),

    and ``inf`` for :math:`n < p + 2`. With subspace features the part of the
    target weight outside the subspace acts as extra noise, Eq. (2.7): pass
    ``noise_var = σ² + ‖(I - ÛÛᵀ) w_B‖²``. ``n`` may be an array.
    """
    n = _nonnegative(n, "n")
    p = float(check_positive_int(n_params, "n_params"))
    noise_var = check_real(noise_var, "noise_var", minimum=0.0)
    ok = n >= p + 2
    excess = np.divide(p, n - p - 1, out=np.full(n.shape, np.inf), where=ok)
    return noise_var * (1.0 + excess)  # Eq. (2.5)


# ===========================================================================
# Notebook 06: random-design risk of min-norm least squares, tuned ridge and
# tuned transfer ridge (Dar, LeJeune & Baraniuk 2021). Eqs. (6.7)-(6.9).
# ===========================================================================
__all__ += ["DarCurves", "random_design_risk", "minnorm_risk", "tuned_risk", "dar_curves", "dar_monte_carlo"]


@dataclass
class DarCurves:
    """Test risk (MSE incl. σ²) against n/d: min-norm LS, tuned ridge, tuned transfer ridge (α = 1 and α*)."""

    n_over_d: np.ndarray
    minnorm: np.ndarray
    ridge: np.ndarray
    transfer: np.ndarray
    transfer_alpha: np.ndarray
    similarity: float
    noise_var: float


def _nonnegative(a, name, strict=False):
    """A real scalar or 1-D array with every entry >= 0 (> 0 when ``strict``), as floats."""
    a = check_array(a, name, ndim=(0, 1))
    if np.any(a <= 0) if strict else np.any(a < 0):
        raise ValueError(f"{name} must be {'> 0' if strict else '>= 0'} everywhere, got {a.min().item()!r}")
    return a


def _mp_stieltjes(gamma, mu):
    r"""m(−μ) and m'(−μ) of the Marchenko–Pastur law with ratio γ = d/n (unit variance).

    m solves :math:`\gamma z m^2 + (z - 1 + \gamma) m + 1 = 0` (the root with m > 0 at z < 0).
    """
    z = -mu
    b = 1.0 - gamma + mu
    m = (-b + np.sqrt(b**2 + 4.0 * gamma * mu)) / (2.0 * gamma * mu)
    dm = -(gamma * m**2 + m) / (2.0 * gamma * z * m + z - 1.0 + gamma)  # implicit derivative
    return m, dm


def random_design_risk(n_over_d, lam_over_n, dist2, noise_var):
    r"""Test risk of (transfer) ridge on isotropic Gaussian features as d, n → ∞, Eq. (6.7) of notebook 06.

    With γ = d/n, μ = λ/n, :math:`D^2 = \|w_B - w_A\|^2` (w_A = 0: plain ridge) and m the
    Marchenko–Pastur Stieltjes transform,

    .. math:: R(\mu) = \sigma^2 + D^2\mu^2 m'(-\mu) + \sigma^2\gamma\,\big(m(-\mu) - \mu\, m'(-\mu)\big).

    Exact in the proportional limit (a finite d differs by O(1/d); see the tests).
    ``n_over_d`` and ``lam_over_n`` (> 0) broadcast.
    """
    gamma = 1.0 / _nonnegative(n_over_d, "n_over_d", strict=True)
    mu = _nonnegative(lam_over_n, "lam_over_n (use minnorm_risk for λ = 0)", strict=True)
    dist2 = check_real(dist2, "dist2", minimum=0.0)
    noise_var = check_real(noise_var, "noise_var", minimum=0.0)
    m, dm = _mp_stieltjes(gamma, mu)
    return noise_var + dist2 * mu**2 * dm + noise_var * gamma * (m - mu * dm)  # Eq. (6.7)


def minnorm_risk(n, n_features, dist2, noise_var):
    r"""Exact finite-sample test risk of minimum-norm least squares (λ → 0⁺), Eq. (6.8) of notebook 06.

    For x ~ N(0, I_d) (toward a prior w_A: D² = ‖w_B − w_A‖²; plain: D² = ‖w_B‖²),

    .. math:: R = \sigma^2\Big(1 + \frac{d}{n-d-1}\Big)\ (n \ge d+2),\qquad
              R = \sigma^2\Big(1 + \frac{n}{d-n-1}\Big) + D^2\Big(1 - \frac nd\Big)\ (n \le d-2),

    and ∞ for |n − d| ≤ 1 (the interpolation peak). ``n`` may be an array.
    """
    n = _nonnegative(n, "n")
    d = float(check_positive_int(n_features, "n_features"))
    dist2 = check_real(dist2, "dist2", minimum=0.0)
    noise_var = check_real(noise_var, "noise_var", minimum=0.0)
    out = np.full(n.shape, np.inf)
    over, under = n >= d + 2, n <= d - 2
    out[over] = noise_var * (1 + d / (n[over] - d - 1))  # Eq. (6.8)
    out[under] = noise_var * (1 + n[under] / (d - n[under] - 1)) + dist2 * (1 - n[under] / d)  # Eq. (6.8)
    return out


def tuned_risk(n_over_d, dist2, noise_var):
    r"""Risk of (transfer) ridge at its optimal λ* = σ² d / D² (Eq. (1.13)), Eq. (6.9) of notebook 06.

    At :math:`\mu^\star = \gamma\sigma^2/D^2` Eq. (6.7) collapses to
    :math:`R^\star = \sigma^2\,(1 + \gamma\, m(-\mu^\star))`; D² = 0 gives σ².
    """
    gamma = 1.0 / _nonnegative(n_over_d, "n_over_d", strict=True)
    dist2 = check_real(dist2, "dist2", minimum=0.0)
    noise_var = check_real(noise_var, "noise_var", minimum=0.0)
    if dist2 == 0:
        return np.full(gamma.shape, float(noise_var))
    m, _ = _mp_stieltjes(gamma, gamma * noise_var / dist2)
    return noise_var * (1.0 + gamma * m)  # Eq. (6.9)


def dar_curves(n_over_d, similarity, n_features=100, noise_var=0.25, signal2=1.0):
    r"""The curves of Dar, LeJeune & Baraniuk (2021) against n/d, Eqs. (6.7)-(6.9) of notebook 06.

    Source and target weights have the same squared norm ``signal2`` and cosine
    ``similarity`` ρ. Plain ridge has D² = ‖w_B‖²; transfer ridge toward w_A has
    D² = 2‖w_B‖²(1 − ρ) (better than ridge iff ρ > ½); toward the best multiple
    α* w_A (α* = ρ) it has D² = ‖w_B‖²(1 − ρ²), never worse than ridge.
    """
    rho = check_real(similarity, "similarity", minimum=-1.0, maximum=1.0)
    r = _nonnegative(n_over_d, "n_over_d", strict=True)
    n_features = check_positive_int(n_features, "n_features")
    signal2 = check_real(signal2, "signal2", minimum=0.0)
    return DarCurves(
        n_over_d=r,
        minnorm=minnorm_risk(np.round(r * n_features), n_features, signal2, noise_var),  # Eq. (6.8)
        ridge=tuned_risk(r, signal2, noise_var),  # Eq. (6.9)
        transfer=tuned_risk(r, 2 * signal2 * (1 - rho), noise_var),
        transfer_alpha=tuned_risk(r, signal2 * (1 - rho**2), noise_var),
        similarity=rho, noise_var=float(noise_var),
    )


def dar_monte_carlo(n_over_d, similarity, n_features=40, noise_var=0.25, signal2=1.0, n_repeats=20, seed=0):
    """Monte-Carlo check of :func:`dar_curves`: Gaussian designs drawn at finite d, risks averaged.

    For each n/d, ``n_repeats`` designs X (n × d, i.i.d. N(0, 1)); for each, the
    exact fixed-design risk (Eq. (1.12)) of min-norm least squares (λ = 0⁺), of
    ridge and of transfer ridge toward w_A and toward ρ w_A, all at λ* = σ² d / D²
    (Eq. (1.13)). Returns a :class:`DarCurves` of means (``n_over_d`` rounded to n/d).
    """
    rho = check_real(similarity, "similarity", minimum=-1.0, maximum=1.0)
    d = check_positive_int(n_features, "n_features", minimum=2)
    n_over_d = _nonnegative(n_over_d, "n_over_d", strict=True)
    noise_var = check_real(noise_var, "noise_var", minimum=0.0)
    signal2 = check_real(signal2, "signal2", minimum=0.0)
    n_repeats = check_positive_int(n_repeats, "n_repeats")
    rng = check_seed(seed)
    u, v = rng.standard_normal((2, d))
    u /= np.linalg.norm(u)
    v -= (v @ u) * u
    v /= np.linalg.norm(v)
    w_b = np.sqrt(signal2) * u
    w_a = np.sqrt(signal2) * (rho * u + np.sqrt(1 - rho**2) * v)
    ns = np.maximum(np.round(n_over_d * d).astype(int), 1)
    priors = [None, None, w_a, rho * w_a]
    out = np.zeros((4, ns.size))
    for j, n in enumerate(ns):
        for _ in range(n_repeats):
            X = rng.standard_normal((n, d))
            for i, p in enumerate(priors):
                dist2 = float(np.sum((w_b - (0 if p is None else p)) ** 2))
                lam = 0.0 if i == 0 else noise_var * d / max(dist2, 1e-300)
                out[i, j] += transfer_risk(X, w_b, lam, prior=p, noise_var=noise_var).risk[0] / n_repeats
    return DarCurves(n_over_d=ns / d, minnorm=out[0], ridge=out[1], transfer=out[2], transfer_alpha=out[3],
                     similarity=rho, noise_var=float(noise_var))
