r"""The layers of :class:`tlearn.MLP`: each backward pass beside its forward pass (notebook 03).

A layer's ``forward`` caches what its ``backward`` needs; ``backward`` takes the
gradient of the loss with respect to the layer's output and returns the
gradient with respect to its input, filling the parameters' gradients on the
way (keyed like the parameters: ``W`` ↔ ``dW``, ``b`` ↔ ``db``). The maths is
the plain functions of :mod:`tlearn.backprop`: :func:`~tlearn.backprop.dense`
and the activation table :data:`~tlearn.backprop.ACTIVATIONS`.
"""
from __future__ import annotations

import numpy as np

from ._validation import check_option
from .backprop import ACTIVATIONS, dense

__all__ = ["Dense", "Activation", "ReLU", "Tanh", "init_dense"]


class Dense:
    r"""Affine layer ``Z = X W + b``, Eq. (3.1) of notebook 03; W is (fan_in, fan_out), b is (fan_out,).

    ``backward(dZ)`` applies the local rules and returns dX:

    * dW = Xᵀ dZ   -- Eq. (3.6)
    * db = Σᵢ dZᵢ  -- Eq. (3.7)
    * dX = dZ Wᵀ   -- Eq. (3.8)

    The gradients are written into ``dW`` and ``db`` (given arrays -- views into a
    model's flat gradient vector -- or new ones). ``frozen=True`` tells the
    optimiser to leave ``W`` and ``b`` bit-for-bit unchanged (the gradients are
    still computed: they are the maths, the optimiser decides what moves).
    """

    def __init__(self, W, b, frozen=False, dW=None, db=None):
        self.W, self.b, self.frozen = W, b, bool(frozen)
        self.dW = np.zeros_like(W) if dW is None else dW
        self.db = np.zeros_like(b) if db is None else db
        self.X = None

    def forward(self, X, check=True):
        """Z = X W + b; ``check=False`` skips :func:`~tlearn.backprop.dense`'s shape check (the training loop)."""
        self.X = X
        return dense(X, self.W, self.b) if check else X @ self.W + self.b  # Eq. (3.1)

    def backward(self, dZ, need_dX=True):
        self.dW[...] = self.X.T @ dZ  # Eq. (3.6)
        self.db[...] = dZ.sum(axis=0)  # Eq. (3.7)
        return dZ @ self.W.T if need_dX else None  # Eq. (3.8)


class Activation:
    r"""H = σ(Z), Eq. (3.2) of notebook 03; backward dZ = dH ⊙ σ'(Z), Eq. (3.9) with σ' from Eq. (3.10).

    ``name`` is a key of :data:`tlearn.backprop.ACTIVATIONS` (``"relu"`` or ``"tanh"``).
    """

    def __init__(self, name):
        self.name = check_option(name, "activation", ACTIVATIONS)
        self.sigma, self.dsigma = ACTIVATIONS[name]
        self.Z = self.H = None

    def forward(self, Z):
        self.Z, self.H = Z, self.sigma(Z)  # Eq. (3.2)
        return self.H

    def backward(self, dH):
        return dH * self.dsigma(self.Z, self.H)  # Eq. (3.9)


class ReLU(Activation):
    """σ(z) = max(z, 0): ``Activation("relu")``."""

    def __init__(self):
        super().__init__("relu")


class Tanh(Activation):
    """σ(z) = tanh z: ``Activation("tanh")``."""

    def __init__(self):
        super().__init__("tanh")


def init_dense(fan_in, fan_out, activation, rng, dtype=np.float64):
    """``(W, b)`` for a Dense layer: W ~ N(0, s²) with s = √(2/fan_in) before a ReLU (He),
    √(1/fan_in) otherwise (Glorot-style, also for the linear output layer); b = 0.

    ``rng`` is a ``np.random.Generator``; ``activation`` is the σ that follows the
    layer (``"relu"``, ``"tanh"`` or ``"linear"``).
    """
    scale = np.sqrt((2.0 if activation == "relu" else 1.0) / fan_in)
    W = (rng.standard_normal((fan_in, fan_out)) * scale).astype(dtype)
    return W, np.zeros(fan_out, dtype=dtype)
