"""The feature explorer's setting (notebook 02, §2.9), recomputed with the library.

The explorer averages the exact test error σ² + ‖ŵ − w_B‖² over 8 nested target
samples (rows r·100 … r·100 + n − 1 of a pool) for scratch ridge, ridge toward the
mean source weight (Eq. (1.4)) and the ridge head on the top-k source subspace
(Eqs. (2.2), (2.4)); the sources are 30 tasks of ``make_subspace_tasks(seed=0)``.
"""
from functools import lru_cache

import numpy as np

from tlearn import SubspaceExtractor, ridge_fit
from tlearn.datasets import make_subspace_tasks

NOISE_VAR = 0.25


@lru_cache(maxsize=None)
def tasks(distance):
    return make_subspace_tasks(n_tasks=30, n_features=50, n_components=3, n_per_task=100, noise=0.5, seed=0,
                               n_target=800, n_test=1, target_distance=distance)


@lru_cache(maxsize=None)
def extractor():
    return SubspaceExtractor(10, lam=1.0).fit(tasks(0.0).sources)


def errors(n, lam, k, distance, n_repeats=8):
    """(scratch, parameter transfer, subspace head) mean of σ² + ‖ŵ − w_B‖²."""
    t, ex = tasks(distance), extractor()
    U, prior = ex.components_[:, :k], ex.task_coefs_.mean(axis=0)
    out = np.zeros(3)
    for r in range(n_repeats):
        X, y = t.X[r * 100:r * 100 + n], t.y[r * 100:r * 100 + n]
        fits = (ridge_fit(X, y, lam), ridge_fit(X, y, lam, prior=prior), U @ ridge_fit(X @ U, y, lam))
        out += [np.sum((w - t.coef) ** 2) for w in fits]
    return NOISE_VAR + out / n_repeats
