r"""What moves the parameters of :class:`tlearn.MLP`: the parameter store with its frozen mask,
SGD with momentum, Adam, the proximal penalty step (Eq. (4.3) of notebook 04) and the
plateau test that ends training.

All parameters of a model live in one flat vector ``theta`` (each ``W`` and
``b`` is a view into it), so an optimiser step is a handful of vector
operations whatever the depth. Freezing is a 0/1 mask over that vector: the
gradient is multiplied by it, so a frozen entry's step is exactly zero and
the entry stays bit-for-bit unchanged. An optimiser's ``step`` returns the
step size η it used (a number for SGD, a vector of per-entry steps for Adam),
because a penalty's closed-form step must use the same η to keep its fixed
points exact.
"""
from __future__ import annotations

import numpy as np

__all__ = ["ParameterStore", "SGD", "Adam", "proximal_step", "penalised_step", "Plateau", "loss_scale"]


class ParameterStore:
    """Parameters of the given ``shapes`` in one flat vector ``theta``, gradients in ``grad``.

    ``arrays[i]`` and ``grads[i]`` are views (reshaped slices) into ``theta`` and
    ``grad``, in order: writing to a view writes to the vector and back.
    ``flat(values)`` lays one value per parameter (an array of its shape, a
    number, True/False, or None for 0) out like ``theta`` -- the frozen mask is
    ``flat([not frozen_i, ...])``, the penalty's anchors ``flat(anchors)``.
    """

    def __init__(self, shapes, dtype=np.float64):
        sizes = [int(np.prod(shape)) for shape in shapes]
        self.theta = np.zeros(sum(sizes), dtype=dtype)
        self.grad = np.zeros_like(self.theta)
        self.arrays, self.grads = [], []
        start = 0
        for shape, size in zip(shapes, sizes):
            self.arrays.append(self.theta[start:start + size].reshape(shape))
            self.grads.append(self.grad[start:start + size].reshape(shape))
            start += size

    def flat(self, values):
        parts = [np.broadcast_to(0.0 if v is None else np.asarray(v, dtype=float), a.shape).ravel()
                 for v, a in zip(values, self.arrays)]
        return np.concatenate(parts).astype(self.theta.dtype)


class SGD:
    """Heavy-ball momentum on ``params`` (updated in place): v ← μ v + g, θ ← θ − lr v.

    ``step(g)`` returns the effective step lr / (1 − μ).
    """

    def __init__(self, params, lr=1e-2, momentum=0.9):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.velocity = np.zeros_like(params)

    def step(self, g):
        self.velocity = self.momentum * self.velocity + g
        self.params -= self.lr * self.velocity
        return self.lr / (1.0 - self.momentum)


class Adam:
    r"""Adam on ``params`` (updated in place): m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
    θ ← θ − η ⊙ m̂ with η = lr / (√v̂ + ε).

    m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ) remove the bias of the zero start.
    ``step(g)`` returns the per-entry steps η. An entry whose gradient is always
    0 (a frozen one) keeps m = 0, so its step η ⊙ m̂ is exactly 0.
    """

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.params, self.lr, self.beta1, self.beta2, self.eps = params, lr, beta1, beta2, eps
        self.m, self.v, self.t = np.zeros_like(params), np.zeros_like(params), 0
        self._eta, self._buf = np.empty_like(params), np.empty_like(params)  # reused every step: no allocations

    def step(self, g):
        """One step with gradient ``g``; returns η (a buffer overwritten by the next step)."""
        self.t += 1
        m, v, eta, buf = self.m, self.v, self._eta, self._buf
        m *= self.beta1
        m += np.multiply(g, 1.0 - self.beta1, out=buf)  # m ← β₁m + (1 − β₁)g
        v *= self.beta2
        np.multiply(g, g, out=buf)
        v += np.multiply(buf, 1.0 - self.beta2, out=buf)  # v ← β₂v + (1 − β₂)g²
        np.multiply(v, 1.0 / (1.0 - self.beta2**self.t), out=eta)
        np.sqrt(eta, out=eta)
        eta += self.eps
        np.divide(self.lr, eta, out=eta)  # η = lr / (√v̂ + ε)
        np.multiply(eta, m, out=buf)
        buf *= 1.0 / (1.0 - self.beta1**self.t)
        self.params -= buf  # θ ← θ − η ⊙ m̂
        return eta


def proximal_step(theta, anchor, lam, eta):
    r"""In place: θ ← (θ + ηλ θ_src) / (1 + ηλ), the closed-form penalty step of Eq. (4.3) of notebook 04.

    It minimises ½‖θ' − θ‖²/η + λ/2‖θ' − θ_src‖² exactly: a convex combination
    of θ and the anchor θ_src, stable for every step η ≥ 0 (a number or an
    array shaped like θ; an entry with η = 0 is left unchanged). λ = 0 leaves θ
    unchanged; λ = ∞ returns the anchor wherever η > 0.
    """
    if lam == 0:
        return theta
    if np.isinf(lam):
        np.copyto(theta, anchor, where=np.broadcast_to(np.asarray(eta) > 0, np.shape(theta)))
        return theta
    c = np.multiply(eta, lam)
    theta += c * anchor  # Eq. (4.3)
    theta /= 1.0 + c
    return theta


def penalised_step(optimizer, grad, penalty=None, anchor=None, penalised=None):
    """One optimiser step on the data loss, then the penalty's closed-form step (Eq. (4.3)).

    ``anchor`` is laid out like ``optimizer.params`` and ``penalised`` is the
    0/1 mask of the entries the penalty acts on: they get the step η, the
    others η = 0, i.e. no change. ``penalty.prox(theta, anchor, eta)`` is e.g.
    :func:`proximal_step` with the penalty's λ.
    """
    eta = optimizer.step(grad)
    if penalty is not None:
        penalty.prox(optimizer.params, anchor, eta * penalised)  # Eq. (4.3)


def loss_scale(y, task):
    """What the plateau's ``tol`` is relative to. Cross-entropy is in nats, unitless: 1. A squared loss has
    the units of y²: the loss of the best constant prediction, mean ½‖y − ȳ‖² (Eq. (3.3) at ŷ = ȳ)."""
    if task == "classification":
        return 1.0
    y = np.asarray(y, dtype=float).reshape(len(y), -1)
    null = 0.5 * float(np.mean(np.sum((y - y.mean(axis=0)) ** 2, axis=1)))  # Eq. (3.3) at ŷ = ȳ
    return null if null > 0 else 1.0


class Plateau:
    """The stopping rule: the objective has not improved by more than ``tol`` for ``patience`` checks in a row.

    ``update(loss)`` records one check and returns True once the plateau is
    reached (as scikit-learn's MLP does with ``tol`` and ``n_iter_no_change``).
    """

    def __init__(self, tol=1e-4, patience=10):
        self.tol, self.patience = tol, patience
        self.best, self.count = np.inf, 0

    def update(self, loss):
        if loss < self.best - self.tol:
            self.count = 0
        else:
            self.count += 1
        self.best = min(self.best, loss)
        return self.count >= self.patience
