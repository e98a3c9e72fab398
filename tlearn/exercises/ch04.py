"""Checks for the implement-type exercises of notebook 04 (deep transfer).

Each check calls the reader's function on fresh random inputs and compares with
the closed form; a wrong answer raises :class:`NotYet` with a hint aimed at the
most likely mistake -- never with the expected numbers.
"""
from __future__ import annotations

import numpy as np

from ..finetune import L2SP
from ._core import NotYet, call_answer, check_array_close, checker, matches, passed

__all__ = ["check_l2sp_prox", "check_l2sp_penalty"]


@checker
def check_l2sp_prox(prox):
    """``prox(theta_half, theta_src, lam, eta)`` must return the closed-form step of Eq. (4.3)."""
    rng = np.random.default_rng(401)
    for lam, eta in [(0.5, 0.1), (3.0, 2.0), (1e6, 0.01), (0.0, 0.3)]:
        half, src = rng.standard_normal(7), rng.standard_normal(7)

        answer = call_answer(prox, half.copy(), src.copy(), lam, eta, name="prox",
            hint='every term is an array shaped like theta_half, or a number.')
        mistakes = {
            "that is an explicit gradient step θ½ − ηλ(θ½ − θ_src); it overshoots once ηλ > 2. "
            "Evaluate the penalty's gradient at the *new* θ and solve for it":
                half - eta * lam * (half - src),
            "the source term needs the same factor ηλ as in the denominator":
                (half + src) / (1 + eta * lam),
            "divide by 1 + ηλ: the new θ appears on both sides of the optimality condition":
                half + eta * lam * src,
        }
        if lam > 0:
            for hint, wrong in mistakes.items():
                if matches(answer, wrong, rtol=1e-8, atol=1e-12):
                    raise NotYet(f"Not yet: {hint}.")
        theta = half.copy()
        L2SP(lam, [src]).prox(theta, src, eta)
        check_array_close(answer, theta, name=f"prox(..., lam={lam}, eta={eta})",
                          hint="minimise ½‖θ − θ½‖²/η + λ/2‖θ − θ_src‖²: set its gradient to zero "
                               "and solve for θ (Eq. (4.3)).")
    return passed("prox is right: a convex combination of θ½ and θ_src, stable for any λ.")


@checker
def check_l2sp_penalty(penalty):
    """``penalty(params, anchors, lam)`` must return Ω of Eq. (4.1) (None anchors are skipped)."""
    rng = np.random.default_rng(402)
    params = [rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 2)), rng.standard_normal(2)]
    anchors = [rng.standard_normal((3, 4)), rng.standard_normal(4), None, None]
    lam = 0.7

    answer = call_answer(penalty, [p.copy() for p in params], anchors, lam, name="penalty",
        hint="params and anchors are lists of arrays (anchors may hold None); the answer is one number.")
    sq = sum(float(np.sum((p - a) ** 2)) for p, a in zip(params, anchors) if a is not None)
    mistakes = {
        "don't forget the factor ½ in λ/2 · Σ‖θ − θ_src‖²": lam * sq,
        "the norms are squared: sum the squared differences": 0.5 * lam * sum(
            float(np.linalg.norm(p - a)) for p, a in zip(params, anchors) if a is not None),
    }
    for hint, wrong in mistakes.items():
        if matches(answer, np.asarray(wrong), rtol=1e-8, atol=1e-12):
            raise NotYet(f"Not yet: {hint}.")
    check_array_close(answer, L2SP(lam, anchors).value(params), name="penalty(params, anchors, lam)",
                      hint="Ω is a single number: which parameters have an anchor, and what does Eq. (4.1) "
                           "add up over them? Check the factor in front too.")
    return passed("penalty is right: Ω(θ) = λ/2 Σ ‖θ − θ_src‖² over the transferred layers.")
