"""The backprop explorer's training: every slider (λ, η) of chapter 3's network in one loop.

:func:`train_two_layer_grid` stacks the m networks (each its own λ of
Eq. (3.13) and step size η of Eq. (3.14)) on a leading axis, so they step
together by batched matrix products -- about twice as fast as m calls of
:func:`tlearn.backprop.train_two_layer`. It performs the same operations in
the same order per network, so it agrees with that trainer to the last bits;
``tests/test_widgets_backprop.py`` checks it, diverging step sizes included.

No matplotlib, no ipywidgets: NumPy and :mod:`tlearn.backprop` only.
"""
from __future__ import annotations

import numpy as np

from .._validation import check_X_y, check_lam, check_option, check_positive_int, check_real
from ..backprop import ACTIVATIONS, init_two_layer

__all__ = ["train_two_layer_grid"]


def _checked(X, y, lams, activation, steps, log_every, X_val, y_val):
    check_option(activation, "activation", ACTIVATIONS)
    X, y = check_X_y(X, y)
    y = y.reshape(len(y), -1)
    lams = check_lam(np.atleast_1d(np.asarray(lams, dtype=float)), "lams", allow_inf=True, allow_array=True)
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val (or neither)")
    if X_val is not None:
        X_val, y_val = check_X_y(X_val, y_val, "X_val", "y_val")
        if X_val.shape[1] != X.shape[1] or y_val.reshape(len(y_val), -1).shape[1] != y.shape[1]:
            raise ValueError(f"X_val, y_val have {X_val.shape[1]} features and {y_val.reshape(len(y_val), -1).shape[1]}"
                             f" outputs but X, y have {X.shape[1]} and {y.shape[1]}; they must match")
        y_val = y_val.reshape(len(y_val), -1)
    return X, y, lams, check_positive_int(steps, "steps"), check_positive_int(log_every, "log_every"), X_val, y_val


def _grid_forward(P, X, y, lams, sigma):
    """Forward (3.1)-(3.2) of m stacked networks, each one's objective (3.13) and the cache for the backward.

    ``P = [W1 (m, d, h), b1 (m, h), W2 (m, h, k), b2 (m, k)]``; the objective is inf/NaN where a network blew up.
    """
    W1, b1, W2, b2 = P
    Z1 = X @ W1 + b1[:, None, :]  # Eq. (3.1), (m, n, h)
    H = sigma(Z1)  # Eq. (3.2)
    R = H @ W2 + b2[:, None, :] - y  # Eq. (3.1): ŷ − y, (m, n, k)
    obj = 0.5 * np.sum(R * R, axis=(1, 2)) / X.shape[0]  # Eq. (3.3)
    decayed = (lams > 0) & np.isfinite(lams)
    if decayed.any():
        pen = np.sum(W1**2, axis=(1, 2)) + np.sum(W2**2, axis=(1, 2))
        obj = obj + 0.5 * np.where(decayed, lams, 0.0) * np.where(decayed, pen, 0.0)  # Eq. (3.13)
    return obj, (Z1, H, R)


def _grid_step(P, cache, X, lams, lrs, dsigma):
    """Backward (3.5)-(3.9), then each network's step (3.14) with its own λ and η (λ = ∞ gives W = 0)."""
    W1, b1, W2, b2 = P
    Z1, H, R = cache
    dZ2 = R / X.shape[0]  # Eq. (3.5)
    dZ1 = (dZ2 @ W2.transpose(0, 2, 1)) * dsigma(Z1, H)  # Eqs. (3.8)-(3.9)
    lr, decay = lrs[:, None, None], (1.0 + lrs * lams)[:, None, None]  # Eq. (3.14); λ = ∞ gives W = 0
    return [(W1 - lr * (X.T @ dZ1)) / decay, b1 - lr[:, 0] * dZ1.sum(axis=1),  # Eqs. (3.6)-(3.7)
            (W2 - lr * (H.transpose(0, 2, 1) @ dZ2)) / decay, b2 - lr[:, 0] * dZ2.sum(axis=1)]


def _stop(bad, step, P, ids, hists, out):
    """Record the networks in mask ``bad`` as diverged at ``step``, with their parameters of that step."""
    for j in np.flatnonzero(bad):
        hists[ids[j]].update(diverged=True, steps_done=step)
        out[ids[j]] = ([p[j].copy() for p in P], hists[ids[j]])


def train_two_layer_grid(X, y, lams, lrs, n_hidden=16, activation="tanh", steps=500, seed=0,
                         X_val=None, y_val=None, log_every=1):
    r"""``[train_two_layer(X, y, lam=l, lr=e, ...) for l, e in zip(lams, lrs)]`` in one loop (regression).

    A fast path for the explorer: the m networks (each its own λ of Eq. (3.13)
    and step size η of Eq. (3.14)) are stacked along a leading axis and step
    together with batched matrix products -- the forward (3.1)-(3.2), backward
    (3.5)-(3.9) and step (3.14) of :func:`tlearn.backprop.train_two_layer`,
    written once more for stacks. A network whose objective becomes inf/NaN
    stops there, flagged ``diverged`` (its parameters are those of that step),
    as ``train_two_layer`` does. ``tests/test_widgets_backprop.py`` checks the
    results against ``train_two_layer`` run once per (λ, η).
    """
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    lrs = np.broadcast_to(np.asarray(lrs, dtype=float), lams.shape)
    X, y, lams, steps, log_every, X_val, y_val = _checked(X, y, lams, activation, steps, log_every, X_val, y_val)
    lrs = np.array([check_real(e, "lrs", minimum=0, strict=(True, False)) for e in lrs])
    sigma, dsigma = ACTIVATIONS[activation]
    P = [np.repeat(p[None], lams.size, axis=0)
         for p in init_two_layer(X.shape[1], check_positive_int(n_hidden, "n_hidden"), y.shape[1], seed)]
    P[0][np.isinf(lams)], P[2][np.isinf(lams)] = 0.0, 0.0  # λ = ∞ leaves only W = 0 feasible
    hists = [{"step": [], "loss": [], "diverged": False, "steps_done": 0, **({} if X_val is None else {"val_loss": []})}
             for _ in lams]
    out, ids = [None] * lams.size, np.arange(lams.size)
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected below
        for step in range(steps + 1):
            obj, cache = _grid_forward(P, X, y, lams, sigma)
            bad = ~np.isfinite(obj)
            if bad.any():  # those networks stop here, as in train_two_layer
                _stop(bad, step, P, ids, hists, out)
                keep = ~bad
                P, ids, lams, lrs = [p[keep] for p in P], ids[keep], lams[keep], lrs[keep]
                if ids.size == 0:
                    break
                obj, cache = obj[keep], tuple(c[keep] for c in cache)
            if step % log_every == 0 or step == steps:
                val = None if X_val is None else _grid_forward(P, X_val, y_val, np.zeros(ids.size), sigma)[0]
                for j, i in enumerate(ids):
                    hists[i]["step"].append(step)
                    hists[i]["loss"].append(float(obj[j]))
                    if val is not None:
                        hists[i]["val_loss"].append(float(val[j]))
            if step == steps:
                break
            P = _grid_step(P, cache, X, lams, lrs, dsigma)
    for j, i in enumerate(ids):
        hists[i]["steps_done"] = steps
        out[i] = ([p[j].copy() for p in P], hists[i])
    return out
