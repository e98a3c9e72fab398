r"""Random-design risk of min-norm least squares, tuned ridge and tuned transfer ridge: notebook 06.

Isotropic Gaussian features as d, n → ∞ with n/d fixed (Dar, LeJeune & Baraniuk 2021),
Eqs. (6.7)-(6.9), and a Monte-Carlo check at finite d built on the exact fixed-design
risk of :func:`tlearn.theory.transfer_risk` (Eq. (1.12)). Also reachable as
``tlearn.theory.dar_curves`` etc.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_nonnegative_array, check_positive_int, check_real, check_seed
from .theory import transfer_risk

__all__ = ["DarCurves", "random_design_risk", "minnorm_risk", "tuned_risk", "dar_curves", "dar_monte_carlo"]


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
    gamma = 1.0 / check_nonnegative_array(n_over_d, "n_over_d", strict=True)
    mu = check_nonnegative_array(lam_over_n, "lam_over_n (use minnorm_risk for λ = 0)", strict=True)
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
    n = check_nonnegative_array(n, "n")
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
    gamma = 1.0 / check_nonnegative_array(n_over_d, "n_over_d", strict=True)
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
    r = check_nonnegative_array(n_over_d, "n_over_d", strict=True)
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
    n_over_d = check_nonnegative_array(n_over_d, "n_over_d", strict=True)
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
