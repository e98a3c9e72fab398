"""The ridge explorer's setting, recomputed with the library (shared by the ch00/ch01 claim tests).

The explorer of notebook 01 draws the exact risk of Eq. (1.12) for the target
sample of ``make_transfer_regression(n_source=0, n_target=n, n_features=10,
similarity=s, noise=1, seed=0)`` with the *true* source weights as prior.
"""
import numpy as np

from tlearn.datasets import make_transfer_regression
from tlearn.theory import oracle_lam, transfer_risk

LAMS = np.concatenate([[0.0], np.logspace(-4, 4, 161), [np.inf]])  # the explorer's λ axis, 0 and ∞ included


def setting(n, similarity, seed=0, d=10, noise=1.0):
    return make_transfer_regression(n_source=0, n_target=n, n_test=80, n_features=d, similarity=similarity,
                                    noise=noise, seed=seed)


def risk_curve(n, similarity, seed=0, lams=LAMS):
    """Exact expected test risk (Eq. (1.12)) on the λ axis, for the explorer's data."""
    t = setting(n, similarity, seed)
    return transfer_risk(t.X_target, t.coef_target, lams, prior=t.coef_source, noise_var=1.0).risk


def best_lam(n, similarity, seed=0):
    return float(LAMS[np.argmin(risk_curve(n, similarity, seed))])


def lam_star(n, similarity, seed=0):
    t = setting(n, similarity, seed)
    return oracle_lam(10, 1.0, t.coef_target, prior=t.coef_source)  # Eq. (1.13)


def explorer_defaults():
    """The ridge explorer's controls as notebook 00 shows it (names and defaults are the contract)."""
    from tlearn.widgets import ridge_explorer

    c = ridge_explorer().controls
    return {name: c[name].value for name in ("lam", "n", "similarity")}, c
