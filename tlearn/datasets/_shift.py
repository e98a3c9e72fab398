"""Covariate-shift tasks for notebook 05: a seeded Gaussian shift with its true ratio, and diabetes by BMI."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_int, check_option, check_real, check_seed

__all__ = ["CovariateShiftData", "make_covariate_shift", "load_diabetes_shift"]


@dataclass(repr=False)
class CovariateShiftData:
    """Labelled source data, target inputs, and target labels kept for evaluation only.

    For synthetic data ``mean_source``/``scale_source`` (and the target's)
    describe the Gaussian input laws, so :meth:`log_ratio` is exact;
    ``misspecification`` is the weight of the non-linear term of the label rule.
    """

    X_source: np.ndarray
    y_source: np.ndarray
    X_target: np.ndarray
    y_target: np.ndarray
    mean_source: np.ndarray | None = None
    scale_source: float | None = None
    mean_target: np.ndarray | None = None
    scale_target: float | None = None
    misspecification: float | None = None
    noise: float | None = None
    feature_names: tuple = ()

    def __repr__(self):
        return f"CovariateShiftData(source={self.X_source.shape}, target={self.X_target.shape})"

    def _need_truth(self):
        if self.mean_source is None:
            raise ValueError("the true density ratio is known only for synthetic data (make_covariate_shift)")

    def log_ratio(self, X):
        """The exact log p_T(x)/p_S(x) of the two Gaussian input laws."""
        self._need_truth()
        X = np.atleast_2d(np.asarray(X, dtype=float))
        d = X.shape[1]
        zs = ((X - self.mean_source) / self.scale_source) ** 2
        zt = ((X - self.mean_target) / self.scale_target) ** 2
        return 0.5 * (zs - zt).sum(1) + d * np.log(self.scale_source / self.scale_target)

    def ratio(self, X):
        """The exact density ratio p_T(x)/p_S(x)."""
        return np.exp(self.log_ratio(X))

    def label_function(self, X):
        """The shared noise-free label rule f(x) = Σ_j x_j + m Σ_j x_j² (m = misspecification)."""
        self._need_truth()
        X = np.atleast_2d(np.asarray(X, dtype=float))
        return X.sum(1) + self.misspecification * (X**2).sum(1)

    @property
    def weights_source(self):
        """The true importance weights on the source points (not renormalised)."""
        return self.ratio(self.X_source)


def make_covariate_shift(n_source=100, n_target=1000, n_features=1, shift=1.0, scale_target=0.5,
                         misspecification=1.0, noise=0.3, seed=0):
    """Source x ~ N(0, I), target x ~ N(shift·1, scale_target² I); y = f(x) + noise·N(0,1) in both.

    The label rule f(x) = Σ_j x_j + m Σ_j x_j² is shared (covariate shift);
    ``misspecification = m = 0`` makes a linear model exact, larger m makes it
    wrong by a quadratic term. The true density ratio is
    :meth:`CovariateShiftData.log_ratio`. ``scale_target`` < 1 keeps the weights
    bounded; > 1 makes them unbounded (heavy-tailed, small ESS).
    """
    n_s = check_int(n_source, "n_source", minimum=1)
    n_t = check_int(n_target, "n_target", minimum=1)
    d = check_int(n_features, "n_features", minimum=1)
    shift = check_real(shift, "shift")
    s_t = check_real(scale_target, "scale_target", minimum=0.0, strict=(True, False))
    m = check_real(misspecification, "misspecification")
    noise = check_real(noise, "noise", minimum=0.0)
    rng_s, rng_t = check_seed(seed).spawn(2)
    X_s = rng_s.standard_normal((n_s, d))
    X_t = shift + s_t * rng_t.standard_normal((n_t, d))
    data = CovariateShiftData(X_s, None, X_t, None, np.zeros(d), 1.0, np.full(d, shift), s_t, m, noise,
                              tuple(f"x{j}" for j in range(d)))
    data.y_source = data.label_function(X_s) + noise * rng_s.standard_normal(n_s)
    data.y_target = data.label_function(X_t) + noise * rng_t.standard_normal(n_t)
    return data


def load_diabetes_shift(by="bmi", quantile=0.5, p_low=0.85, seed=0):
    """scikit-learn's diabetes data (442 patients) with a real covariate shift along ``by``.

    Each patient goes to the source with probability ``p_low`` if their ``by``
    value is below the ``quantile`` of that column and ``1 - p_low`` otherwise:
    the source over-represents low values, the target high ones, and the label
    rule (disease progression given the 10 features) is the same in both. The
    column stays a feature. Bundled with scikit-learn; nothing is downloaded.
    """
    from sklearn.datasets import load_diabetes

    raw = load_diabetes()
    names = tuple(raw.feature_names)
    by = check_option(by, "by", names)
    q = check_real(quantile, "quantile", minimum=0.0, maximum=1.0, strict=(True, True))
    p = check_real(p_low, "p_low", minimum=0.0, maximum=1.0)
    X, y = raw.data, raw.target.astype(float)
    col = X[:, names.index(by)]
    low = col < np.quantile(col, q)
    to_source = check_seed(seed).random(X.shape[0]) < np.where(low, p, 1.0 - p)
    X = (X - X.mean(0)) / X.std(0)
    return CovariateShiftData(X[to_source], y[to_source], X[~to_source], y[~to_source], feature_names=names)
