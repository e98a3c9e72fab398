r"""Fine-tuning a pre-trained :class:`~tlearn.mlp.MLP` on a target task (notebook 04).

Five strategies, from "ignore the source" to "keep the source":

* ``"scratch"`` -- same architecture, fresh initialisation (the baseline);
* ``"head"``    -- keep every hidden layer, fit a new output layer on the source's
  last hidden features H. This problem is convex and is solved exactly:
  ridge regression on H with λ chosen by exact leave-one-out
  (:class:`tlearn.TransferRidgeCV`, Eq. (1.14) of notebook 01 -- chapter 2's
  "head on features") for regression, and L2-regularised multinomial
  logistic regression on H, minimised by full-batch L-BFGS to a tolerance,
  for classification;
* ``"freeze"``  -- freeze the first ``n_frozen`` layers, train the rest;
* ``"full"``    -- train every layer starting from the source weights;
* ``"l2sp"``    -- train every layer on the target loss plus the L2-SP penalty
  (Eq. (4.1) of notebook 04)

  .. math:: \Omega(\theta) = \frac{\lambda}{2}\sum_{\ell\ \text{transferred}}
            \|\theta_\ell - \theta_\ell^{\,\mathrm{src}}\|^2 ,

  the deep twin of ridge toward the source weights, Eq. (1.4) of notebook 01.

The penalty's step is taken in closed form: after the optimizer's data step
θ½ = θ − η ⊙ m̂ with per-entry step η, the proximal step (Eq. (4.3),
:func:`tlearn.optim.proximal_step`)

.. math:: \theta \leftarrow \frac{\theta_{1/2} + \eta\lambda\,\theta^{\mathrm{src}}}{1 + \eta\lambda}

minimises ½‖θ − θ½‖²/η + Ω(θ) exactly. It is a convex combination of θ½ and
θ_src, so it never diverges (a plain gradient step does once ηλ > 2); λ = 0
leaves θ½ unchanged ("full") and λ = ∞ returns θ_src exactly.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from ._validation import check_array, check_bool, check_int, check_labels, check_lam, check_option, check_seed
from .backprop import dense, loss_and_output_gradient
from .layers import init_dense
from .mlp import MAX_STEPS, MLP
from .optim import proximal_step
from .ridge import TransferRidgeCV

__all__ = ["fine_tune", "fine_tune_curves", "fit_head", "L2SP", "STRATEGIES"]

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
        self.anchors = [None if a is None else check_array(a, f"anchors[{i}]", ndim=(0, 1, 2))
                        for i, a in enumerate(anchors)]

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
        proximal_step(theta, anchor, self.lam, step)  # Eq. (4.3)

    def __repr__(self):
        return f"L2SP(lam={self.lam!r})"


def _target_width(source, y, n_classes):
    """Output width the target needs: y's columns (regression) or its number of classes."""
    if source.task == "classification":
        y = check_labels(y, "y")
        k = int(y.max()) + 1 if n_classes is None else check_int(n_classes, "n_classes", minimum=2)
        if k < 2:
            raise ValueError("y holds a single class (0); a classifier needs labels from at least 2 classes")
        check_labels(y, "y", n_classes=k)
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
        out.W[...], out.b[...] = init_dense(sizes[-2], k, "linear", check_seed(seed), model.dtype)
    else:
        out.W[...], out.b[...] = source.layers[-1].W, source.layers[-1].b
    return model, reset


def fit_head(model, X, y, max_iter=2000, tol=1e-6):
    """Fit ``model``'s output layer exactly on its last hidden features H (all other layers kept); returns model.

    Regression: ridge on H, ``min ‖y − H W − b‖² + λ‖W‖²``, in closed form, λ
    chosen by exact leave-one-out over :data:`tlearn.ridge.DEFAULT_LAMS` (0 and
    ∞ included) by :class:`tlearn.TransferRidgeCV`; the chosen λ is
    ``model.head_lam_``. Classification: the mean cross-entropy (Eq. (3.4) of
    notebook 03) of softmax(H W + b) plus λ/2‖W‖² with λ = 1/n -- the
    regularisation of scikit-learn's ``LogisticRegression(C=1)`` -- minimised by
    full-batch L-BFGS until the gradient is below ``tol`` (convex, so the
    answer does not depend on the start). Sets ``n_steps_`` (L-BFGS
    iterations; 0 for the closed form), ``converged_`` and ``head_lam_``.
    """
    H = np.asarray(X, dtype=np.float64) if model.n_layers == 1 else model.hidden(X).astype(np.float64)
    out = model.layers[-1]
    if model.task == "regression":
        y2 = check_array(y, "y", ndim=(1, 2))
        cv = TransferRidgeCV(fit_intercept=True).fit(H, y2)  # Eq. (1.14) of notebook 01 picks λ
        out.W[...] = np.reshape(cv.coef_, (out.W.shape[1], -1)).T
        out.b[...] = np.reshape(cv.intercept_, -1)
        model.head_lam_, model.n_steps_, model.converged_ = float(cv.lam_), 0, True
        return model
    labels = check_labels(y, "y", n_classes=model.sizes[-1], n=H.shape[0])
    (d, k), lam = out.W.shape, 1.0 / H.shape[0]

    def objective(theta):
        W, b = theta[:d * k].reshape(d, k), theta[d * k:]
        loss, dZ = loss_and_output_gradient(dense(H, W, b), labels, "classification", check=False)  # (3.4)-(3.5)
        grad = np.concatenate([(H.T @ dZ + lam * W).ravel(), dZ.sum(axis=0)])  # Eqs. (3.6)-(3.7) + λW
        return loss + 0.5 * lam * float(np.sum(W * W)), grad

    with threadpool_limits(limits=1, user_api="blas"):  # a tiny problem: BLAS threads only add overhead
        res = minimize(objective, np.zeros(d * k + k), jac=True, method="L-BFGS-B",
                       options={"maxiter": max_iter, "gtol": tol, "ftol": 1e-15})
    out.W[...], out.b[...] = res.x[:d * k].reshape(d, k), res.x[d * k:]
    model.head_lam_, model.n_steps_ = lam, int(res.nit)
    model.converged_ = bool(np.max(np.abs(res.jac)) <= 10 * tol or res.success)
    if not model.converged_:
        warnings.warn(f"the head's L-BFGS stopped after {res.nit} iterations without converging: {res.message}",
                      ConvergenceWarning, stacklevel=3)
    return model


def _check_strategy_options(source_model, X, strategy, lam, n_frozen, reset_output):
    if not isinstance(source_model, MLP):
        raise TypeError(f"source_model must be a tlearn.MLP, got {type(source_model).__name__}")
    strategy = check_option(strategy, "strategy", STRATEGIES)
    X = check_array(X, "X", ndim=2)
    if X.shape[1] != source_model.sizes[0]:
        raise ValueError(f"X has {X.shape[1]} features but source_model expects {source_model.sizes[0]} "
                         "inputs; the target must live in the source's input space")
    lam = check_lam(lam, allow_inf=True)
    if strategy == "freeze":
        n_frozen = check_int(n_frozen, "n_frozen", minimum=0, maximum=source_model.n_layers - 1)
    reset_output = check_bool(reset_output, "reset_output")
    return strategy, X, lam, n_frozen, reset_output


def fine_tune(source_model, X, y, strategy="full", lam=1.0, n_frozen=1, epochs=None, batch_size=32, lr=1e-2,
              optimizer="adam", seed=0, X_val=None, y_val=None, callback=None, n_classes=None,
              reset_output=True, max_steps=MAX_STEPS, tol=1e-4, n_iter_no_change=10):
    """Fine-tune ``source_model`` on (X, y) with one of :data:`STRATEGIES`; returns a NEW model.

    The source model is never modified. The target's output width comes from
    ``y`` (its columns, or ``n_classes`` / max label + 1). By default
    (``reset_output=True``) the output layer is re-initialised from ``seed``: it
    encodes the *source's* outputs, and on a shifted target it is confidently
    wrong (notebook 04, section 4.6). ``reset_output=False`` keeps it when the
    widths agree (``"head"`` always re-fits it). ``lam`` is λ of the L2-SP penalty
    (Eq. (4.1) of notebook 04; λ = 0 is ``"full"``, λ = ∞ keeps the transferred
    layers at the source) and ``n_frozen`` the number of leading layers kept
    fixed by ``"freeze"``. ``"head"`` is solved exactly by :func:`fit_head`
    (the training options then do not apply). The other strategies train with
    :meth:`MLP.fit`, which gets the remaining options: by default it stops on a
    training-loss plateau within ``max_steps`` optimiser steps, whatever n.
    ``lr`` = 0.01, ten times :meth:`MLP.fit`'s Adam default (made for many
    samples): on a few target samples the fit levels off in a third of the
    steps (every strategy converges by default on notebook 04's scenarios).
    The returned model has ``strategy_``, ``output_reset_``, ``n_steps_`` and
    ``converged_`` (and ``head_lam_`` for ``"head"``).
    """
    strategy, X, lam, n_frozen, reset_output = _check_strategy_options(source_model, X, strategy, lam, n_frozen,
                                                                       reset_output)
    k = _target_width(source_model, y, n_classes)
    L = source_model.n_layers
    if strategy == "scratch":
        model = MLP(source_model.sizes[:-1] + [k], source_model.activation, source_model.task,
                    seed=seed, dtype=source_model.dtype)
        reset = True
    else:
        model, reset = _start_model(source_model, k, reset_output or strategy == "head", seed)
    if strategy == "head":
        model.freeze(L - 1)
        fit_head(model, X, y)
        _head_history(model, X, y, X_val, y_val, callback)
    else:
        if strategy == "freeze":
            model.freeze(n_frozen)
        elif strategy == "l2sp" and lam > 0:
            transferred = L - 1 if reset else L
            anchors = [p.copy() if i < 2 * transferred else None for i, p in enumerate(model.parameters())]
            model.penalty = L2SP(lam, anchors)  # Eq. (4.1)
        model.fit(X, y, epochs=epochs, batch_size=batch_size, lr=lr, optimizer=optimizer, seed=seed,
                  X_val=X_val, y_val=y_val, callback=callback, max_steps=max_steps, tol=tol,
                  n_iter_no_change=n_iter_no_change)
    model.strategy_, model.output_reset_ = strategy, reset
    return model


def _head_history(model, X, y, X_val, y_val, callback):
    """``history_`` of the exact head: one entry, the training (and validation) loss at the solution."""
    model.history_ = {"loss": [float(model.loss_and_gradients(X, y)[0])]}
    if X_val is not None or y_val is not None:
        if X_val is None or y_val is None:
            raise ValueError("give both X_val and y_val (or neither)")
        model.history_["val_loss"] = [float(model.loss_and_gradients(X_val, y_val)[0])]
        if model.task == "classification":
            model.history_["val_accuracy"] = [model.score(X_val, y_val)]
    if callback is not None:
        if not callable(callback):
            raise TypeError(f"callback must be callable as callback(epoch, history), got {callback!r}")
        callback(0, model.history_)


def fine_tune_curves(source_model, load, sizes, strategies=STRATEGIES, seeds=(0, 1, 2, 3, 4), **options):
    """Held-out target scores of each strategy as the labelled target set grows.

    ``load(n, seed)`` returns a data set with ``X_target, y_target, X_test,
    y_test`` (e.g. a :mod:`tlearn.datasets` loader); ``options`` go to
    :func:`fine_tune` (each run uses ``seed`` for both the target draw and
    training). Returns ``{strategy: array (len(sizes), len(seeds))}`` of
    ``model.score`` values (accuracy or R²); average over axis 1 and take the
    standard error ``std / sqrt(len(seeds))`` for a band.
    """
    strategies = [strategies] if isinstance(strategies, str) else list(strategies)
    for s in strategies:
        check_option(s, "strategies", STRATEGIES)
    out = {s: np.zeros((len(sizes), len(seeds))) for s in strategies}
    for i, n in enumerate(sizes):
        for j, seed in enumerate(seeds):
            d = load(n, seed)
            for s in strategies:
                model = fine_tune(source_model, d.X_target, d.y_target, strategy=s, seed=seed, **options)
                out[s][i, j] = model.score(d.X_test, d.y_test)
    return out
