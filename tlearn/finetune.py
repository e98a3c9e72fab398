r"""Fine-tuning a pre-trained :class:`~tlearn.mlp.MLP` on a target task (notebook 04).

Five strategies, from "ignore the source" to "keep the source":

* ``"scratch"`` -- same architecture, fresh initialisation (the baseline);
* ``"head"``    -- freeze every layer, train a re-initialised output layer;
* ``"freeze"``  -- freeze the first ``n_frozen`` layers, train the rest;
* ``"full"``    -- train every layer starting from the source weights;
* ``"l2sp"``    -- train every layer on the target loss plus the L2-SP penalty
  (Eq. (4.1) of notebook 04)

  .. math:: \Omega(\theta) = \frac{\lambda}{2}\sum_{\ell\ \text{transferred}}
            \|\theta_\ell - \theta_\ell^{\,\mathrm{src}}\|^2 ,

  the deep twin of ridge toward the source weights, Eq. (1.4) of notebook 01.

The penalty's step is taken in closed form: after the optimizer's data step
θ½ = θ − η ⊙ m̂ with per-entry step η, the proximal step (Eq. (4.3))

.. math:: \theta \leftarrow \frac{\theta_{1/2} + \eta\lambda\,\theta^{\mathrm{src}}}{1 + \eta\lambda}

minimises ½‖θ − θ½‖²/η + Ω(θ) exactly. It is a convex combination of θ½ and
θ_src, so it never diverges (a plain gradient step does once ηλ > 2); λ = 0
leaves θ½ unchanged ("full") and λ = ∞ returns θ_src exactly.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._validation import check_array, check_lam, check_positive_int, check_seed
from .mlp import MLP, _init_layer

__all__ = ["fine_tune", "learning_curves", "L2SP", "STRATEGIES"]

STRATEGIES = ("scratch", "head", "freeze", "full", "l2sp")


class L2SP:
    r"""The L2-SP penalty Ω(θ) = λ/2 Σ ‖θ_ℓ − θ_ℓ^src‖² (Eq. (4.1) of notebook 04).

    ``anchors`` has one entry per model parameter (``[W1, b1, ..., WL, bL]``):
    the source array to pull toward, or None for a parameter that is not
    penalised (a re-initialised output layer). Weights *and* biases of the
    transferred layers are penalised, so λ = ∞ keeps those layers at the source.
    With all anchors zero this is ordinary weight decay.
    """

    def __init__(self, lam, anchors):
        self.lam = check_lam(lam, allow_inf=True)
        self.anchors = [None if a is None else np.array(a, dtype=np.float64) for a in anchors]

    def value(self, params):
        """Ω(θ), Eq. (4.1)."""
        if self.lam == 0:
            return 0.0
        sq = sum(float(np.sum((p - a) ** 2)) for p, a in zip(params, self.anchors) if a is not None)
        if np.isinf(self.lam):
            return 0.0 if sq == 0 else np.inf
        return 0.5 * self.lam * sq  # Eq. (4.1)

    def gradients(self, params):
        """∇Ω = λ (θ − θ_src) per parameter (None where unpenalised), Eq. (4.2)."""
        return [None if a is None else self.lam * (p - a) for p, a in zip(params, self.anchors)]  # Eq. (4.2)

    def prox(self, theta, anchor, step):
        """In place: θ ← (θ + ηλ θ_src)/(1 + ηλ), the closed-form penalty step of Eq. (4.3).

        ``step`` is η, a number or an array shaped like ``theta``; λ = ∞ gives θ_src.
        """
        if self.lam == 0:
            return
        if np.isinf(self.lam):
            theta[...] = anchor
            return
        c = np.multiply(step, self.lam)
        theta += c * anchor  # Eq. (4.3)
        theta /= 1.0 + c

    def __repr__(self):
        return f"L2SP(lam={self.lam!r})"


def _target_width(source, y, n_classes):
    """Output width the target needs: y's columns (regression) or its number of classes."""
    if source.task == "classification":
        y = check_array(y, "y", ndim=1)
        if not np.all(y == np.round(y)) or y.min() < 0:
            raise ValueError("y must hold integer class labels 0, 1, ... for a classification source model")
        k = int(y.max()) + 1 if n_classes is None else check_positive_int(n_classes, "n_classes", minimum=2)
        if k < 2:
            raise ValueError("y holds a single class (0); a classifier needs labels from at least 2 classes")
        if int(y.max()) >= k:
            raise ValueError(f"y has labels up to {int(y.max())} but n_classes={k}; labels must lie in 0..{k - 1}")
        return k
    y = check_array(y, "y", ndim=(1, 2))
    return 1 if y.ndim == 1 else y.shape[1]


def _start_model(source, k, reset_output, seed):
    """A copy of ``source`` whose output layer has width k, re-initialised if k differs or asked.

    Returns the model and whether the output layer was re-initialised.
    """
    sizes = source.sizes[:-1] + [k]
    model = MLP(sizes, source.activation, source.task, seed=0, dtype=source.dtype)
    for mine, src in zip(model.layers[:-1], source.layers[:-1]):
        mine.W[...], mine.b[...] = src.W, src.b
    reset = reset_output or k != source.sizes[-1]
    out = model.layers[-1]
    if reset:
        act = "linear"
        out.W[...], out.b[...] = _init_layer(sizes[-2], k, act, check_seed(seed), model.dtype)
    else:
        out.W[...], out.b[...] = source.layers[-1].W, source.layers[-1].b
    return model, reset


def fine_tune(source_model, X, y, strategy="full", lam=1.0, n_frozen=1, epochs=100, batch_size=32, lr=None,
              optimizer="adam", seed=0, X_val=None, y_val=None, callback=None, n_classes=None,
              reset_output=None):
    """Fine-tune ``source_model`` on (X, y) with one of :data:`STRATEGIES`; returns a NEW model.

    The source model is never modified. The target's output width comes from
    ``y`` (its columns, or ``n_classes`` / max label + 1); when it differs from
    the source's -- or for ``"head"``, or when ``reset_output=True`` -- the output
    layer is re-initialised from ``seed``. ``lam`` is λ of the L2-SP penalty
    (Eq. (4.1) of notebook 04; λ = 0 is ``"full"``, λ = ∞ keeps the transferred
    layers at the source) and ``n_frozen`` the number of leading layers kept
    fixed by ``"freeze"``. The remaining options are passed to :meth:`MLP.fit`.
    The returned model has ``strategy_`` and ``output_reset_`` attributes.
    """
    if not isinstance(source_model, MLP):
        raise TypeError(f"source_model must be a tlearn.MLP, got {type(source_model).__name__}")
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {list(STRATEGIES)}, got {strategy!r}")
    X = check_array(X, "X", ndim=2)
    if X.shape[1] != source_model.sizes[0]:
        raise ValueError(f"X has {X.shape[1]} features but source_model expects {source_model.sizes[0]} "
                         "inputs; the target must live in the source's input space")
    lam = check_lam(lam, allow_inf=True)
    L = source_model.n_layers
    if strategy == "freeze" and (isinstance(n_frozen, bool) or not isinstance(n_frozen, numbers.Integral)
                                 or not 0 <= n_frozen <= L - 1):
        raise ValueError(f"n_frozen must be an integer in 0..{L - 1} (the network has {L} layers and "
                         f"the output layer always trains), got {n_frozen!r}")
    if reset_output not in (None, True, False):
        raise TypeError(f"reset_output must be None, True or False, got {reset_output!r}")
    k = _target_width(source_model, y, n_classes)

    if strategy == "scratch":
        model = MLP(source_model.sizes[:-1] + [k], source_model.activation, source_model.task,
                    seed=seed, dtype=source_model.dtype)
        reset = True
    else:
        model, reset = _start_model(source_model, k, bool(reset_output) or strategy == "head", seed)
        if strategy == "head":
            model.freeze(L - 1)
        elif strategy == "freeze":
            model.freeze(int(n_frozen))
        elif strategy == "l2sp" and lam > 0:
            transferred = L - 1 if reset else L
            anchors = [p.copy() if i < 2 * transferred else None for i, p in enumerate(model.parameters())]
            model.penalty = L2SP(lam, anchors)  # Eq. (4.1)
    model.fit(X, y, epochs=epochs, batch_size=batch_size, lr=lr, optimizer=optimizer, seed=seed,
              X_val=X_val, y_val=y_val, callback=callback)
    model.strategy_, model.output_reset_ = strategy, reset
    return model


def learning_curves(source_model, load, sizes, strategies=STRATEGIES, seeds=(0, 1, 2), **options):
    """Held-out target scores of each strategy as the labelled target set grows.

    ``load(n, seed)`` returns a data set with ``X_target, y_target, X_test,
    y_test`` (e.g. a :mod:`tlearn.datasets` loader); ``options`` go to
    :func:`fine_tune` (each run uses ``seed`` for both the target draw and
    training). Returns ``{strategy: array (len(sizes), len(seeds))}`` of
    ``model.score`` values (accuracy or R²).
    """
    strategies = [strategies] if isinstance(strategies, str) else list(strategies)
    out = {s: np.zeros((len(sizes), len(seeds))) for s in strategies}
    for i, n in enumerate(sizes):
        for j, seed in enumerate(seeds):
            d = load(n, seed)
            for s in strategies:
                model = fine_tune(source_model, d.X_target, d.y_target, strategy=s, seed=seed, **options)
                out[s][i, j] = model.score(d.X_test, d.y_test)
    return out
