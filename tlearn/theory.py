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

from importlib import import_module

from ._validation import (
    check_array, check_covariance, check_lam, check_nonnegative_array, check_positive_int, check_prior, check_real,
    check_X,
)

#: Notebook 06's random-design risks live in :mod:`tlearn.random_design`; ``theory.dar_curves`` etc. still work.
_RANDOM_DESIGN = ("DarCurves", "random_design_risk", "minnorm_risk", "tuned_risk", "dar_curves", "dar_monte_carlo")
__all__ = ["RiskCurves", "transfer_risk", "oracle_lam", "principal_angles", "ols_risk", *_RANDOM_DESIGN]


def __getattr__(name):
    if name in _RANDOM_DESIGN:
        return getattr(import_module(".random_design", __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    n = check_nonnegative_array(n, "n")
    p = float(check_positive_int(n_params, "n_params"))
    noise_var = check_real(noise_var, "noise_var", minimum=0.0)
    ok = n >= p + 2
    excess = np.divide(p, n - p - 1, out=np.full(n.shape, np.inf), where=ok)
    return noise_var * (1.0 + excess)  # Eq. (2.5)
