"""Every λ of the backprop explorer trained in one loop, with chapter 3's own functions.

The L networks (one per λ) share the input X and the seeded initialisation, so
they are one *wide* network: their hidden layers side by side (W1 is d × L·h),
their output weights on the block diagonal of W2 (L·h × L·k), one output block
per network. Its loss (3.3) is the sum of the L losses, and the backward pass
(3.5)-(3.9) of :func:`tlearn.backprop.two_layer_backward` gives each network's
own gradient in its blocks (W2's zero off-diagonal blocks carry none between
networks). Each network then takes its own weight-decay step (3.14) with
:func:`tlearn.backprop.weight_decay_step`. Nothing of forward, loss or backward
is written again here: the result equals ``train_two_layer`` run once per λ up
to floating-point rounding (``tests/test_widgets_backprop.py`` checks it).

:func:`train_two_layer_grid` is the explorer's fast path: the networks (any
λ and η each) stacked on a leading axis, stepping together by batched matrix
products -- about twice as fast, and it agrees with ``train_two_layer`` to
the last bits (same operations in the same order per network).

No matplotlib, no ipywidgets: NumPy and :mod:`tlearn.backprop` only.
"""
from __future__ import annotations

import numpy as np

from .._validation import check_X_y, check_lam, check_option, check_positive_int, check_real
from ..backprop import ACTIVATIONS, init_two_layer, two_layer_backward, two_layer_forward, two_layer_loss, \
    weight_decay_step

__all__ = ["train_two_layer_lams", "train_two_layer_grid"]


def _safe_loss(Z, y):
    """The loss (3.3) of an output block, ``inf`` when a diverged network produced inf/NaN."""
    return two_layer_loss(Z, y) if np.all(np.isfinite(Z)) else np.inf


class _Wide:
    """The live networks as one wide network.

    Network j's weights are row j of ``theta`` (W1 then W2, flattened); the
    wide network has W1 (d, m·h) = the W1's side by side, W2 (m·h, m·k) = the
    W2's on the block diagonal, and the biases side by side.
    """

    def __init__(self, params, lams, d, h, k):
        W1, b1, W2, b2 = params
        m = len(lams)
        self.lams, self.d, self.h, self.k, self.ids = np.asarray(lams, dtype=float), d, h, k, np.arange(m)
        self.theta = np.repeat(np.concatenate([W1.ravel(), W2.ravel()])[None], m, axis=0)
        self.theta[np.isinf(self.lams)] = 0.0  # λ = ∞ leaves only W = 0 feasible
        self.b1, self.b2 = np.tile(b1, m), np.tile(b2, m)

    def keep(self, live):
        """Drop the networks not in the boolean mask ``live`` (diverged ones)."""
        self.theta, self.lams, self.ids = self.theta[live], self.lams[live], self.ids[live]
        self.b1, self.b2 = self.b1[np.repeat(live, self.h)], self.b2[np.repeat(live, self.k)]

    def _split(self, theta):
        m, d, h, k = self.ids.size, self.d, self.h, self.k
        return theta[:, :d * h].reshape(m, d, h), theta[:, d * h:].reshape(m, h, k)

    def params(self):
        """``[W1, b1, W2, b2]`` of the wide network, W2 block-diagonal."""
        m, d, h, k = self.ids.size, self.d, self.h, self.k
        W1, W2 = self._split(self.theta)
        blocks = np.zeros((m, h, m, k))
        blocks[np.arange(m), :, np.arange(m), :] = W2
        return [W1.transpose(1, 0, 2).reshape(d, m * h), self.b1, blocks.reshape(m * h, m * k), self.b2]

    def network(self, j):
        """Network j's own ``[W1, b1, W2, b2]`` (copies)."""
        h, k = self.h, self.k
        W1, W2 = self._split(self.theta)
        return [W1[j].copy(), self.b1[j * h:(j + 1) * h].copy(), W2[j].copy(), self.b2[j * k:(j + 1) * k].copy()]

    def losses(self, Z2, y):
        """Each network's objective (3.13): loss (3.3) of its output block + λ/2 (‖W1‖² + ‖W2‖²)."""
        out = []
        for j, lam in enumerate(self.lams):
            loss = _safe_loss(Z2[:, j * self.k:(j + 1) * self.k], y)
            if lam not in (0, np.inf):
                loss += 0.5 * lam * np.sum(self.theta[j] ** 2)  # Eq. (3.13): ‖W1‖² + ‖W2‖²
            out.append(loss)
        return np.array(out)

    def penalties_finite(self):
        pen = np.sum(self.theta**2, axis=1)
        return np.all(np.isfinite(np.where((self.lams > 0) & np.isfinite(self.lams), self.lams * pen, 0.0)))

    def step(self, grads, lr):
        """Eq. (3.14) for each network's weights (its own λ), b ← b − η ∂L/∂b for the biases."""
        dW1, db1, dW2, db2 = grads
        m, d, h, k = self.ids.size, self.d, self.h, self.k
        own = dW2.reshape(m, h, m, k)[np.arange(m), :, np.arange(m), :]  # each network's own block
        dtheta = np.concatenate([dW1.reshape(d, m, h).transpose(1, 0, 2).reshape(m, d * h), own.reshape(m, h * k)],
                                axis=1)
        self.theta = np.array([weight_decay_step(t, g, lr, lam) for t, g, lam in zip(self.theta, dtheta, self.lams)])
        self.b1, self.b2 = self.b1 - lr * db1, self.b2 - lr * db2


def _log(histories, wide, step, Z2, y, X_val, y_val, activation):
    losses = wide.losses(Z2, y)
    if X_val is not None:
        Zv = two_layer_forward(X_val, *wide.params(), activation)[0] if wide.ids.size else None
        val = [_safe_loss(Zv[:, j * wide.k:(j + 1) * wide.k], y_val) for j in range(wide.ids.size)]
    for j, i in enumerate(wide.ids):
        histories[i]["step"].append(step)
        histories[i]["loss"].append(float(losses[j]))
        if X_val is not None:
            histories[i]["val_loss"].append(float(val[j]))


def _checked(X, y, lams, activation, lr, steps, log_every, X_val, y_val):
    check_option(activation, "activation", ACTIVATIONS)
    X, y = check_X_y(X, y)
    y = y.reshape(len(y), -1)
    lams = check_lam(np.atleast_1d(np.asarray(lams, dtype=float)), "lams", allow_inf=True, allow_array=True)
    lr = check_real(lr, "lr", minimum=0, strict=(True, False))
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val (or neither)")
    if X_val is not None:
        X_val, y_val = check_X_y(X_val, y_val, "X_val", "y_val")
        if X_val.shape[1] != X.shape[1] or y_val.reshape(len(y_val), -1).shape[1] != y.shape[1]:
            raise ValueError(f"X_val, y_val have {X_val.shape[1]} features and {y_val.reshape(len(y_val), -1).shape[1]}"
                             f" outputs but X, y have {X.shape[1]} and {y.shape[1]}; they must match")
        y_val = y_val.reshape(len(y_val), -1)
    return X, y, lams, lr, check_positive_int(steps, "steps"), check_positive_int(log_every, "log_every"), X_val, y_val


def train_two_layer_lams(X, y, lams, n_hidden=16, activation="tanh", lr=0.1, steps=500, seed=0,
                         X_val=None, y_val=None, log_every=1):
    r"""``[train_two_layer(X, y, lam=l, ...) for l in lams]`` in one loop (regression), Eq. (3.13).

    Every network starts from the same seeded initialisation; each step is one
    forward (3.1)-(3.2) and one backward (3.5)-(3.9) of the wide network (see
    the module docstring), then each network's step (3.14). A network whose
    objective becomes inf/NaN stops there, flagged ``diverged``, exactly as
    :func:`tlearn.backprop.train_two_layer` does. Returns a list of
    ``(params, history)``, one per λ, as ``train_two_layer`` would.
    """
    X, y, lams, lr, steps, log_every, X_val, y_val = _checked(X, y, lams, activation, lr, steps, log_every,
                                                              X_val, y_val)
    n_hidden = check_positive_int(n_hidden, "n_hidden")
    k = y.shape[1]
    wide = _Wide(init_two_layer(X.shape[1], n_hidden, k, seed), lams, X.shape[1], n_hidden, k)
    histories = [{"step": [], "loss": [], "diverged": False, "steps_done": 0} for _ in lams]
    for hist in histories if X_val is not None else ():
        hist["val_loss"] = []
    results = [None] * lams.size
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected below
        for step in range(steps + 1):
            Z2, cache = two_layer_forward(X, *wide.params(), activation)  # Eqs. (3.1)-(3.2), every λ
            Y = np.tile(y, (1, wide.ids.size))
            if not (np.isfinite(_safe_loss(Z2, Y)) and wide.penalties_finite()):  # some network blew up
                bad = ~np.isfinite(wide.losses(Z2, y))
                for j in np.flatnonzero(bad):
                    histories[wide.ids[j]].update(diverged=True, steps_done=step)
                    results[wide.ids[j]] = (wide.network(j), histories[wide.ids[j]])
                if bad.any():
                    wide.keep(~bad)
                    if wide.ids.size == 0:
                        break
                    Z2, cache = two_layer_forward(X, *wide.params(), activation)
                    Y = np.tile(y, (1, wide.ids.size))
            for i in wide.ids:
                histories[i]["steps_done"] = step
            if step % log_every == 0 or step == steps:
                _log(histories, wide, step, Z2, y, X_val, y_val, activation)
            if step == steps:
                break
            wide.step(two_layer_backward(cache, Y), lr)  # Eqs. (3.5)-(3.9), then (3.14)
    for j, i in enumerate(wide.ids):
        results[i] = (wide.network(j), histories[i])
    return results


# --------------------------------------------------------------------------- fast path over (λ, η)
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
    X, y, lams, _, steps, log_every, X_val, y_val = _checked(X, y, lams, activation, 1.0, steps, log_every,
                                                             X_val, y_val)
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
