r"""The solvers behind :mod:`tlearn.ridge`: one small pure function each.

Every solver works on the residual problem of Eq. (1.5) of notebook 01,

.. math:: \hat\delta = \arg\min_\delta \|r - X\delta\|^2 + \lambda\|\delta\|^2,
   \qquad r = y - X w_A, \quad \hat w = w_A + \hat\delta,

so plain ridge (``w_A = 0``) and transfer ridge share one code path.

* :func:`solve_cholesky` -- the d×d normal equations (XᵀX + λI)δ = Xᵀr (n ≥ d);
* :func:`solve_dual` -- the n×n system δ = Xᵀ(XXᵀ + λI)⁻¹r (d > n);
* :func:`solve_svd` -- the SVD filter factors s/(s² + λ) of Eq. (1.6), which
  stay accurate however ill-conditioned X is and give the λ → 0⁺ limit.

:func:`solve_residual` routes between them. Forming XᵀX squares the condition
number, so a Cholesky answer carries a relative error of about
ε·cond(XᵀX + λI). The factor L tells us cheaply how large that is: the ratio
of its largest to smallest diagonal entry, squared, is a lower estimate of the
condition number. When it exceeds :data:`MAX_COND_CHOLESKY` the router falls
back to the SVD.

:func:`factorise` gives :class:`tlearn.RidgePath` its thin SVD X = U S Vᵀ, from
the eigendecomposition of the small d×d Gram matrix XᵀX when X is tall and well
conditioned (much cheaper than the n×d SVD, and U = X V S⁻¹ need not be
stored), of the small n×n Gram matrix XXᵀ when X is wide and well conditioned
(the dual: Vᵀ = S⁻¹UᵀX need not be stored), else from the SVD itself.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, cho_solve  # NumPy has no Cholesky *solve*

__all__ = ["MAX_COND_CHOLESKY", "MAX_COND_GRAM", "rank_tol", "solve_cholesky", "solve_dual",
           "solve_svd", "solve_residual", "thin_svd", "gram_svd", "dual_gram_svd", "factorise"]

#: Largest estimated cond(XᵀX + λI) for which the Cholesky answer is trusted
#: (ε · 1e5 ≈ 2e-11, with room for the estimate being low).
MAX_COND_CHOLESKY = 1e5
#: Largest cond(XᵀX) = (s_max/s_min)² for which RidgePath uses a Gram matrix (XᵀX or XXᵀ).
MAX_COND_GRAM = 1e4


def rank_tol(s, shape, scale=0.0):
    """Singular values at or below this are treated as zero (NumPy's ``matrix_rank`` rule).

    ``scale`` is the size of X before centring: centring a constant column
    leaves round-off of order ε·scale, which must not count as a direction.
    """
    return max(s[0] if s.size else 0.0, scale) * max(shape) * np.finfo(float).eps


def _cholesky_or_none(A):
    """Cholesky factor of the SPD matrix A (overwritten), or None if A is too ill-conditioned."""
    try:
        factor = cho_factor(A, overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    diag = factor[0].diagonal().tolist()  # positive: the factor of an SPD matrix (a list: min/max cost ~nothing)
    lo, hi = min(diag), max(diag)
    if not lo > 0 or (hi / lo) ** 2 > MAX_COND_CHOLESKY:
        return None
    return factor


def solve_cholesky(X, r, lam):
    """δ = (XᵀX + λI)⁻¹ Xᵀr by Cholesky (Eq. (1.4) on the residual); None if ill-conditioned."""
    G = X.T @ X
    G.flat[:: G.shape[0] + 1] += lam
    factor = _cholesky_or_none(G)
    return None if factor is None else cho_solve(factor, X.T @ r, check_finite=False)


def solve_dual(X, r, lam):
    """δ = Xᵀ (XXᵀ + λI)⁻¹ r, the same solution through the n×n system; None if ill-conditioned."""
    K = X @ X.T
    K.flat[:: K.shape[0] + 1] += lam
    factor = _cholesky_or_none(K)
    return None if factor is None else X.T @ cho_solve(factor, r, check_finite=False)


def solve_svd(X, r, lam):
    """δ = V diag(s / (s² + λ)) Uᵀ r (Eq. (1.6)); λ = 0 gives the pseudo-inverse (Eq. (1.7))."""
    U, s, Vt = thin_svd(X)
    f = s / (s**2 + lam)  # SVD filter factors, Eq. (1.6)
    c = U.T @ r
    return Vt.T @ (f[:, None] * c if c.ndim == 2 else f * c)


def solve_residual(X, r, lam):
    """The ridge solution δ of the residual problem for a finite λ ≥ 0, by the cheapest accurate solver."""
    n, d = X.shape
    delta = None
    if lam > 0:
        delta = solve_cholesky(X, r, lam) if n >= d else solve_dual(X, r, lam)
    return solve_svd(X, r, lam) if delta is None else delta


def thin_svd(X, scale=0.0):
    """U, s, Vt of the thin SVD of X with the numerically zero singular values dropped (see :func:`rank_tol`)."""
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > rank_tol(s, X.shape, scale)
    return (U, s, Vt) if keep.all() else (U[:, keep], s[keep], Vt[keep])


def gram_svd(X):
    """s and Vt of the thin SVD of a tall X from the eigendecomposition XᵀX = V S² Vᵀ.

    U = X V S⁻¹ is not formed (callers compute the rows they need). Returns
    None when cond(XᵀX) exceeds :data:`MAX_COND_GRAM`: squaring the condition
    number would then cost digits, and the SVD is used instead.
    """
    e, V = np.linalg.eigh(X.T @ X)  # ascending eigenvalues s²
    if not e[0] > 0 or e[-1] > MAX_COND_GRAM * e[0]:
        return None
    return np.sqrt(e[::-1]), np.ascontiguousarray(V[:, ::-1].T)


def dual_gram_svd(X, n_null=0):
    """U and s of the thin SVD of a wide X from the eigendecomposition XXᵀ = U S² Uᵀ (the dual).

    Vᵀ = S⁻¹ Uᵀ X is not formed (callers multiply by X instead). ``n_null``
    directions are known to be null (centring for an intercept makes
    √wᵀ X = 0): exactly that many eigenvalues must be at round-off level and
    are dropped. Returns None when any other eigenvalue is below
    ``e_max / MAX_COND_GRAM``: squaring the condition number would then cost
    digits (or a genuine tiny singular value could not be told from a zero),
    and the SVD is used instead.
    """
    e, U = np.linalg.eigh(X @ X.T)  # ascending eigenvalues s²
    e, U = e[::-1], U[:, ::-1]
    r = X.shape[0] - n_null  # the directions kept
    if r < 1 or not e[r - 1] > 0 or e[0] > MAX_COND_GRAM * e[r - 1]:
        return None
    if n_null and e[r] > X.shape[1] * np.finfo(float).eps * e[0]:  # a "null" direction that is not
        return None
    return np.ascontiguousarray(U[:, :r]), np.sqrt(e[:r])


def factorise(X, scale=0.0, n_null=0):
    """(U, s, Vt) of the thin SVD of X, from the cheapest accurate factorisation.

    U is None when it came from XᵀX (n ≥ 2d, well conditioned), Vt is None when
    it came from XXᵀ (d ≥ 2n, well conditioned, ``n_null`` known null
    directions dropped); otherwise both come from the SVD.
    """
    n, d = X.shape
    if n >= 2 * d:
        sv = gram_svd(X)
        if sv is not None:
            return (None, *sv)
    if d >= 2 * n:
        us = dual_gram_svd(X, n_null)
        if us is not None:
            return (*us, None)
    return thin_svd(X, scale)
