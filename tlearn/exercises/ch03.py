"""Checks for the implement-type exercises of notebook 03 (backprop).

Each check calls the reader's function on fresh random inputs, compares with
the library's answer and, when they differ, raises :class:`NotYet` with a hint
aimed at the most likely mistake -- never with the expected numbers.
"""
from __future__ import annotations

import numpy as np

from .. import backprop as _bp
from ._core import NotYet, as_real_array, call_answer, check_array_close, checker, matches, passed, spot_mistakes

__all__ = ["check_relu_backward", "check_softmax_cross_entropy_gradient", "check_dense_backward"]


@checker
def check_relu_backward(relu_backward):
    """``relu_backward(dH, Z)`` must return dZ = dH ⊙ ψ'(Z) for ψ = ReLU (Eqs. (3.9), (3.10))."""
    rng = np.random.default_rng(301)
    Z = rng.standard_normal((6, 4))
    dH = rng.standard_normal((6, 4))

    answer = call_answer(relu_backward, dH.copy(), Z.copy(), name="relu_backward",
        hint='check the shapes of every term (print them).')
    mistakes = {
        "you returned ψ'(Z) alone: multiply it by the upstream gradient dH (chain rule, Eq. (3.9))":
            (Z > 0).astype(float),
        "you multiplied dH by Z itself; the factor is the *derivative* of max(z, 0), which is 0 or 1":
            dH * Z,
        "you applied ReLU to dH; the gate is decided by the sign of the pre-activation Z, not of dH":
            np.maximum(dH, 0.0),
        "the gate is open where z > 0 (the unit was active), closed where z < 0":
            dH * (Z < 0),
    }
    spot_mistakes(answer, mistakes)
    check_array_close(answer, dH * _bp.activation_derivative(Z, "relu"), name="relu_backward(dH, Z)",
                      hint="dZ has the shape of Z; apply the chain rule of Eq. (3.9) entry by entry, "
                           "with ψ' from Eq. (3.10).")
    return passed("relu_backward is right: dZ = dH ⊙ 1[Z > 0].")


@checker
def check_softmax_cross_entropy_gradient(grad_fn):
    """``grad_fn(Z, y)`` must return ∂/∂Z of the mean cross-entropy (Eqs. (3.4), (3.5))."""
    rng = np.random.default_rng(302)
    n, k = 5, 3
    Z = rng.standard_normal((n, k)) * 2
    y = np.array([0, 2, 1, 2, 0])

    answer = call_answer(grad_fn, Z.copy(), y.copy(), name="your gradient function",
        hint='check the shapes of every term (print them).')
    P, Y = _bp.softmax(Z), _bp.one_hot(y, k)
    mistakes = {
        "the loss is a *mean* over the n samples (Eq. (3.4)), so every row carries a factor 1/n": P - Y,
        "check the sign: increasing the correct logit must *decrease* the loss": (Y - P) / n,
        "use the softmax probabilities, not the raw logits Z": (Z - Y) / n,
        "subtract the one-hot target, i.e. 1 only in the column of the true class of each row": P / n,
        "softmax normalises each row (axis=1), not each column": (np.exp(Z) / np.exp(Z).sum(axis=0) - Y) / n,
    }
    spot_mistakes(answer, mistakes)
    check_array_close(answer, _bp.output_gradient(Z, y, task="classification"), name="the gradient",
                      hint="it has the shape of Z; write the loss of one sample as log Σⱼ exp zⱼ − z_y "
                           "and differentiate each term.")
    # a stability check: huge logits must not produce NaN

    big = call_answer(grad_fn, np.array([[800.0, 0.0, -800.0]]), np.array([0]), name="your gradient function",
        hint='check the shapes of every term (print them).')
    if not np.all(np.isfinite(as_real_array(big, 'subtract each row\'s maximum first.', name='the gradient'))):
        raise NotYet("Not yet: the values are right, but logits like 800 give NaN/inf. Hint: subtract "
                     "each row's maximum before exponentiating -- softmax does not change.")
    return passed("the softmax cross-entropy gradient is right: (softmax(Z) − onehot(y)) / n.")


@checker
def check_dense_backward(dense_backward):
    """``dense_backward(X, W, dZ)`` must return ``(dW, db, dX)`` (Eqs. (3.6)-(3.8))."""
    rng = np.random.default_rng(303)
    X, W, dZ = rng.standard_normal((7, 4)), rng.standard_normal((4, 3)), rng.standard_normal((7, 3))

    answer = call_answer(dense_backward, X.copy(), W.copy(), dZ.copy(), name="dense_backward",
        hint='check the shapes of every term (print them).')
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise NotYet("Not yet: return three arrays, `return dW, db, dX`.")
    dW, db, dX = answer
    if matches(db, dZ.mean(axis=0)):
        raise NotYet("Not yet: db is a *sum* over samples (Eq. (3.7)); the 1/n is already inside dZ.")
    check_array_close(dW, X.T @ dZ, name="dW", hint="dW has W's shape (fan_in, fan_out); which product of "
                      "X and dZ gives that shape? (Eq. (3.6))")
    check_array_close(db, dZ.sum(axis=0), name="db", hint="b is added to every row, so its gradient "
                      "collects every row of dZ (Eq. (3.7)).")
    check_array_close(dX, dZ @ W.T, name="dX", hint="dX has X's shape (n, fan_in); which product of dZ "
                      "and W gives that shape? (Eq. (3.8))")
    return passed("dense_backward is right: dW = Xᵀ dZ, db = Σ dZ, dX = dZ Wᵀ.")
