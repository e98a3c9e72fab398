"""Checks for the exercises of notebook 05 (covariate shift and domain adaptation)."""
from __future__ import annotations

import numpy as np

from ..domain import CORAL
from ._core import NotYet, as_real_array, call_answer, check_array_close, checker, matches, passed

__all__ = ["check_classifier_ratio", "check_coral"]


def _ratio_cases():
    rng = np.random.default_rng(505)
    for n_s, n_t in [(100, 100), (200, 50), (30, 300)]:
        yield rng.uniform(0.05, 0.95, size=n_s), n_s, n_t


@checker
def check_classifier_ratio(fn):
    """Exercise 5.2: ``fn(p_target, n_source, n_target)`` returns Eq. (5.6) of notebook 05 (not renormalised)."""
    hint = ("write p_T(x) and p_S(x) each with Bayes' rule (posterior × p(x) / class prior), divide, and "
            "estimate the class priors from the sample sizes -- Eq. (5.6). One weight per source point.")
    for p, n_s, n_t in _ratio_cases():
        answer = call_answer(fn, p.copy(), n_s, n_t, name="my_classifier_ratio", hint=hint)
        odds = p / (1 - p)
        if n_s != n_t and matches(answer, odds):
            raise NotYet("you return the classifier's odds without the class-prior correction. Hint: " + hint)
        if matches(answer, (1 - p) / p * n_s / n_t) or matches(answer, (1 - p) / p):
            raise NotYet("your odds are upside down: the target is class 1, so the odds are p/(1 - p). Hint: " + hint)
        if n_s != n_t and matches(answer, odds * n_t / n_s):
            raise NotYet("the prior correction is inverted: more source points make each odds count for more. Hint: " + hint)
        check_array_close(answer, odds * n_s / n_t, name=f"your weights for n_S={n_s}, n_T={n_t}", hint=hint)
    return passed("your weights follow Eq. (5.6), class-prior correction included.")


def _coral_cases():
    rng = np.random.default_rng(509)
    for d, eps in [(3, 0.0), (2, 1.0), (4, 0.1)]:
        Xs = rng.standard_normal((60, d)) @ rng.standard_normal((d, d))
        Xt = rng.standard_normal((50, d)) @ rng.standard_normal((d, d)) + rng.standard_normal(d)
        yield Xs, Xt, eps


@checker
def check_coral(fn):
    """Exercise 5.3: ``fn(X_source, X_target, eps)`` returns the CORAL-mapped source, Eq. (5.9) of notebook 05."""
    hint = ("whiten the centred source with its own (eps-regularised) covariance, re-colour it with the "
            "target's, and move it to where the target sits; symmetric matrix roots from np.linalg.eigh "
            "-- Eq. (5.9). The answer has the source's shape.")
    for Xs, Xt, eps in _coral_cases():
        answer = call_answer(fn, Xs.copy(), Xt.copy(), eps, name="my_coral", hint=hint)
        expected = CORAL(eps=eps).fit(Xs, Xt).transform(Xs)
        if matches(answer, expected - Xt.mean(0)):
            raise NotYet("the mapped source is still centred at 0: add the target mean back. Hint: " + hint)
        a = as_real_array(answer, hint)
        if a.shape == expected.shape and not matches(a, expected) and np.allclose(
                np.cov(a, rowvar=False), np.cov(expected, rowvar=False), rtol=1e-6, atol=1e-8):
            raise NotYet("the covariance is right but the map is another one (a Cholesky or eigenvector "
                         "root?). Hint: use the symmetric roots V diag(λ^±1/2) Vᵀ of Eq. (5.9).")
        check_array_close(answer, expected, name=f"your mapped source (d={Xs.shape[1]}, eps={eps})", hint=hint)
    return passed("your CORAL map matches Eq. (5.9): the source now has the target's mean and covariance.")
