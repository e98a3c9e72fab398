"""Regression transfer tasks for notebook 01: a seeded synthetic pair and the diabetes split."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import check_int, check_positive_int, check_real, check_seed

__all__ = ["TransferData", "make_transfer_regression", "load_diabetes_transfer"]


@dataclass
class TransferSplit:
    """The arrays every transfer data set has: source, few target samples, held-out target test."""

    X_source: np.ndarray
    y_source: np.ndarray
    X_target: np.ndarray
    y_target: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


@dataclass(repr=False)
class TransferData(TransferSplit):
    """A source task A, a few target samples B, and a held-out target test set.

    ``coef_source``/``coef_target`` are the true weights for synthetic data and
    None for real data.
    """

    coef_source: np.ndarray | None = None
    coef_target: np.ndarray | None = None
    noise: float | None = None
    feature_names: list = field(default_factory=list)

    def __repr__(self):
        return (
            f"TransferData(source={self.X_source.shape}, target={self.X_target.shape}, "
            f"test={self.X_test.shape})"
        )


def draw_linear(rng, w, n, noise):
    """n rows of x ~ N(0, I_d) and y = x·w + noise·ε, ε ~ N(0, 1): every synthetic task's sampler."""
    X = rng.standard_normal((n, w.shape[0]))
    return X, X @ w + noise * rng.standard_normal(n)


def make_transfer_regression(n_source=200, n_target=20, n_test=1000, n_features=10, similarity=0.9, noise=0.5,
                             seed=0, coef_norm=1.0):
    """A source and a target linear task whose weights have cosine ``similarity``.

    Features are i.i.d. N(0, 1); ``y = X w + noise * N(0, 1)``. Both weight
    vectors have norm ``coef_norm``; ``coef_target = s u + sqrt(1 - s²) v`` with
    ``coef_source = u`` and ``v ⟂ u`` (unit vectors scaled by ``coef_norm``), so
    similarity 1 is the same task, 0 an unrelated one and < 0 a misleading one.
    The same seed gives the same weights whatever the sample sizes.
    """
    n_source = check_positive_int(n_source, "n_source", minimum=0)
    n_target = check_positive_int(n_target, "n_target", minimum=0)
    n_test = check_positive_int(n_test, "n_test", minimum=0)
    d = check_positive_int(n_features, "n_features", minimum=2)
    s = check_real(similarity, "similarity", minimum=-1.0, maximum=1.0)
    noise = check_real(noise, "noise", minimum=0.0)
    coef_norm = check_real(coef_norm, "coef_norm", minimum=0.0)
    rng = check_seed(seed)
    rng_w, rng_a, rng_b, rng_t = rng.spawn(4)
    u = rng_w.standard_normal(d)
    u /= np.linalg.norm(u)
    v = rng_w.standard_normal(d)
    v -= (v @ u) * u
    v /= np.linalg.norm(v)
    w_a = coef_norm * u
    w_b = coef_norm * (s * u + np.sqrt(max(0.0, 1.0 - s * s)) * v)
    Xa, ya = draw_linear(rng_a, w_a, n_source, noise)
    Xb, yb = draw_linear(rng_b, w_b, n_target, noise)
    Xt, yt = draw_linear(rng_t, w_b, n_test, noise)
    return TransferData(Xa, ya, Xb, yb, Xt, yt, w_a, w_b, noise, [f"x{j}" for j in range(d)])


def load_diabetes_transfer(n_target=20, seed=0, source_group=0):
    """The diabetes data (bundled with scikit-learn) split into two related groups by sex.

    Source: every patient of one sex (``source_group`` 0 or 1, in the order of
    the sorted codes of the ``sex`` column); target: ``n_target`` random
    patients of the other sex; test: the rest of the other sex. The ``sex``
    column is dropped (it is constant within a group); the other nine
    features keep scikit-learn's scaling. The response is disease progression
    after one year.
    """
    from sklearn.datasets import load_diabetes

    source_group = check_int(source_group, "source_group", minimum=0, maximum=1)
    n_target = check_positive_int(n_target, "n_target", minimum=1)
    rng = check_seed(seed)
    data = load_diabetes()
    X, y, names = data.data, data.target, list(data.feature_names)
    j = names.index("sex")
    codes = np.unique(X[:, j])
    src = X[:, j] == codes[source_group]
    keep = [i for i in range(X.shape[1]) if i != j]
    Xs, ys = X[src][:, keep], y[src]
    Xo, yo = X[~src][:, keep], y[~src]
    if n_target >= len(yo) - 1:
        raise ValueError(f"n_target must be < {len(yo) - 1} (the other group has {len(yo)} patients), got {n_target}")
    order = rng.permutation(len(yo))
    tr, te = order[:n_target], order[n_target:]
    return TransferData(Xs, ys, Xo[tr], yo[tr], Xo[te], yo[te], None, None, None, [names[i] for i in keep])
