"""Several sources for one target (notebook 06): a seeded synthetic family and the diabetes groups."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import check_array, check_positive_int, check_real, check_seed

__all__ = ["MultiSourceData", "make_multisource", "load_diabetes_sources"]


@dataclass(repr=False)
class MultiSourceData:
    """A few target samples, a held-out target test set and K source weight vectors (rows).

    ``coef_target`` and ``similarities`` (cosines with the target weights) are
    known for synthetic data and None for real data.
    """

    X_target: np.ndarray
    y_target: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    source_coefs: np.ndarray
    source_names: list
    coef_target: np.ndarray | None = None
    similarities: np.ndarray | None = None
    noise: float | None = None
    feature_names: list = field(default_factory=list)

    def __repr__(self):
        return (f"MultiSourceData(target={self.X_target.shape}, test={self.X_test.shape}, "
                f"sources={self.source_coefs.shape})")


def make_multisource(similarities=(0.9, 0.5, 0.0, -0.9), n_target=20, n_test=1000, n_features=10,
                     noise=0.5, seed=0, coef_norm=1.0):
    """K source weight vectors with given cosines to the target weights, and target samples.

    ``w_B = coef_norm · u``; source k is ``coef_norm (ρ_k u + sqrt(1 − ρ_k²) v_k)``
    with ``v_k ⟂ u`` drawn independently, so ρ_k = 1 is the target itself, 0 an
    orthogonal decoy and −1 the opposite task. Features are i.i.d. N(0, 1),
    ``y = X w_B + noise · N(0, 1)``. The same seed gives the same weights
    whatever the sample sizes.
    """
    rho = check_array(similarities, "similarities", ndim=1)
    if np.any(np.abs(rho) > 1):
        raise ValueError(f"similarities must lie in [-1, 1], got {rho.tolist()}")
    n_target = check_positive_int(n_target, "n_target", minimum=0)
    n_test = check_positive_int(n_test, "n_test", minimum=0)
    d = check_positive_int(n_features, "n_features", minimum=2)
    noise = check_real(noise, "noise", minimum=0.0)
    coef_norm = check_real(coef_norm, "coef_norm", minimum=0.0)
    rng_w, rng_b, rng_t = check_seed(seed).spawn(3)
    u = rng_w.standard_normal(d)
    u /= np.linalg.norm(u)
    V = rng_w.standard_normal((rho.size, d))
    V -= np.outer(V @ u, u)
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    W = coef_norm * (rho[:, None] * u + np.sqrt(1.0 - rho**2)[:, None] * V)
    w_b = coef_norm * u

    def draw(r, n):
        X = r.standard_normal((n, d))
        return X, X @ w_b + noise * r.standard_normal(n)

    Xb, yb = draw(rng_b, n_target)
    Xt, yt = draw(rng_t, n_test)
    names = [f"source {k} (cos {r:+.2f})" for k, r in enumerate(rho)]
    return MultiSourceData(Xb, yb, Xt, yt, W, names, w_b, rho.copy(), noise, [f"x{j}" for j in range(d)])


def _diabetes_groups():
    """Diabetes (bundled with scikit-learn) in four groups: sex × age below/above the median."""
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    X, y, names = data.data, data.target, list(data.feature_names)
    sex, age = X[:, names.index("sex")], X[:, names.index("age")]
    codes = np.unique(sex)
    older = age > np.median(age)
    keep = [j for j, nm in enumerate(names) if nm != "sex"]
    groups, labels = [], []
    for c, code in enumerate(codes):
        for old in (False, True):
            groups.append((sex == code) & (older == old))
            labels.append(f"sex {c + 1}, {'older' if old else 'younger'}")
    return X[:, keep], y, groups, labels, [names[j] for j in keep]


def load_diabetes_sources(target_group=0, n_target=20, seed=0):
    """One diabetes group as the target, ridge fits on the three other groups as sources.

    Groups: sex (codes 1, 2 in sorted order) × age below/above the median
    (``target_group`` 0-3, in the order of ``source_names`` plus the target).
    Target: ``n_target`` random patients of the target group; test: the rest
    of it. Each source is ridge regression with an intercept and λ chosen by
    exact LOO (:class:`tlearn.TransferRidgeCV` without a prior) on all
    patients of its group. The ``sex`` column is dropped; nothing is downloaded.
    """
    from ..ridge import TransferRidgeCV

    X, y, groups, labels, names = _diabetes_groups()
    if isinstance(target_group, bool) or target_group not in range(4):
        raise ValueError(f"target_group must be 0, 1, 2 or 3 (one of {labels}), got {target_group!r}")
    n_target = check_positive_int(n_target, "n_target", minimum=1)
    tgt = groups[target_group]
    Xo, yo = X[tgt], y[tgt]
    if n_target >= len(yo) - 1:
        raise ValueError(f"n_target must be < {len(yo) - 1} (group {labels[target_group]!r} has {len(yo)} patients), "
                         f"got {n_target}")
    W = np.array([TransferRidgeCV().fit(X[g], y[g]).coef_ for k, g in enumerate(groups) if k != target_group])
    src_names = [lab for k, lab in enumerate(labels) if k != target_group]
    order = check_seed(seed).permutation(len(yo))
    tr, te = order[:n_target], order[n_target:]
    return MultiSourceData(Xo[tr], yo[tr], Xo[te], yo[te], W, src_names, feature_names=names)
