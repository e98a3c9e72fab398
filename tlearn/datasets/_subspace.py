r"""Source tasks whose weights share a low-dimensional subspace (notebook 02).

Every task is linear regression in ``d`` features, :math:`y = Xw + \varepsilon`,
and every source weight lies in one ``k``-dimensional subspace with
orthonormal basis :math:`U \in \mathbb{R}^{d\times k}`: :math:`w_t = U a_t`.
The target weight leaves that subspace by a controlled amount ``target_distance``
(:math:`\delta`), Eq. (2.6) of notebook 02:

.. math:: w_B = \sqrt{1-\delta^2}\, U a_B + \delta\, r,
          \qquad r \perp \operatorname{span}(U),\ \lVert r\rVert = \lVert U a_B\rVert,

so :math:`\delta` is exactly the sine of the angle between :math:`w_B` and the
subspace, and :math:`\lVert w_B\rVert = \lVert U a_B\rVert` for every
:math:`\delta`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_positive_int, check_real, check_seed
from ._regression import draw_linear

__all__ = ["SubspaceTasks", "make_subspace_tasks"]


@dataclass
class SubspaceTasks:
    """Source tasks, a target task and the truth behind them.

    Attributes
    ----------
    sources : list of (X, y) pairs, one per source task.
    X, y : target training data (take the first ``n`` rows for a smaller ``n_B``).
    X_test, y_test : held-out target data from the same distribution.
    basis : (n_features, n_components) orthonormal basis of the shared subspace.
    source_coefs : (n_tasks, n_features) true source weights, each in the subspace.
    coef : (n_features,) true target weight.
    target_distance, noise : the generator's settings.
    """

    sources: list
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    basis: np.ndarray
    source_coefs: np.ndarray
    coef: np.ndarray
    target_distance: float
    noise: float

    def __repr__(self):
        d, k = self.basis.shape
        return (
            f"SubspaceTasks(n_tasks={len(self.sources)}, n_features={d}, n_components={k}, "
            f"target={self.X.shape}, test={self.X_test.shape}, "
            f"target_distance={self.target_distance}, noise={self.noise})"
        )


def _target_weight(basis, a, delta, rng):
    """Eq. (2.6): rotate the in-subspace weight ``U a`` out of the subspace by angle asin(δ)."""
    w_in = basis @ a
    g = rng.standard_normal(basis.shape[0])
    r = g - basis @ (basis.T @ g)  # the part of g orthogonal to span(U)
    norm_r = np.linalg.norm(r)
    if norm_r == 0.0:  # k == d: nowhere to go
        return w_in
    r *= np.linalg.norm(w_in) / norm_r
    return np.sqrt(1.0 - delta**2) * w_in + delta * r  # Eq. (2.6)


def make_subspace_tasks(n_tasks=20, n_features=50, n_components=3, n_per_task=100, noise=0.5, seed=0,
                        target_distance=0.0, n_target=200, n_test=1000, shared=0.5):
    r"""Source tasks and a target task whose weights lie in a common subspace (notebook 02).

    ``U`` is a random orthonormal (``n_features``, ``n_components``) basis. Task
    coordinates are :math:`a_t = \sqrt{s}\,a_0 + \sqrt{1-s}\,z_t` with
    :math:`a_0, z_t \sim N(0, I_k/k)`, ``s = shared`` in [0, 1] being the fraction of a
    weight's variance common to every task (the *average* source weight helps only
    when ``s > 0``; the subspace helps for any ``s``). Source weights are
    :math:`w_t = U a_t` (Eq. 2.3); the target weight is Eq. (2.6) with δ =
    ``target_distance`` in [0, 1]. Inputs are x ~ N(0, I_d), so E‖w‖² = 1 and
    ``noise`` (≥ 0) is the label-noise standard deviation relative to a unit signal.
    ``n_per_task`` rows per source task, ``n_target`` target training rows (the pool
    a learning curve draws n_B from) and ``n_test`` held-out rows. Returns
    :class:`SubspaceTasks`. The same ``seed`` gives the same weights whatever the
    sample sizes, and the same inputs whatever ``target_distance``.
    """
    n_tasks, d, k = _check_sizes(n_tasks, n_features, n_components)
    n_per_task, n_target, n_test = (check_positive_int(v, name) for v, name in
                                    ((n_per_task, "n_per_task"), (n_target, "n_target"), (n_test, "n_test")))
    noise = check_real(noise, "noise", minimum=0.0)
    delta = check_real(target_distance, "target_distance", minimum=0.0, maximum=1.0)
    s = check_real(shared, "shared", minimum=0.0, maximum=1.0)
    # Independent streams: the weights do not depend on the sample sizes or on
    # target_distance, and the data do not depend on target_distance's draws.
    rng_w, rng_s, rng_t, rng_test = check_seed(seed).spawn(4)
    basis, source_coefs, coef = _task_weights(rng_w, d, k, n_tasks, s, delta)
    sources = [draw_linear(rng_s, w, n_per_task, noise) for w in source_coefs]
    X, y = draw_linear(rng_t, coef, n_target, noise)
    X_test, y_test = draw_linear(rng_test, coef, n_test, noise)
    return SubspaceTasks(
        sources=sources, X=X, y=y, X_test=X_test, y_test=y_test, basis=basis,
        source_coefs=source_coefs, coef=coef, target_distance=delta, noise=float(noise),
    )


def _check_sizes(n_tasks, n_features, n_components):
    n_tasks = check_positive_int(n_tasks, "n_tasks")
    d = check_positive_int(n_features, "n_features")
    k = check_positive_int(n_components, "n_components")
    if k > d:
        raise ValueError(f"n_components must be <= n_features ({d}), got {k}")
    return n_tasks, d, k


def _task_weights(rng, d, k, n_tasks, s, delta):
    """The basis U, the source weights w_t = U a_t (Eq. 2.3) and the target weight (Eq. 2.6)."""
    basis, _ = np.linalg.qr(rng.standard_normal((d, k)))
    a0 = rng.standard_normal(k) / np.sqrt(k)
    z = rng.standard_normal((n_tasks + 1, k)) / np.sqrt(k)
    coords = np.sqrt(s) * a0 + np.sqrt(1 - s) * z  # a_t; the last row is the target's a_B
    source_coefs = coords[:n_tasks] @ basis.T  # Eq. (2.3): w_t = U a_t
    return basis, source_coefs, _target_weight(basis, coords[n_tasks], delta, rng)
