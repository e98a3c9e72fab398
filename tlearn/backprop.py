r"""The two-layer chain of notebook 03, written as plain functions.

Read it top to bottom, as the chapter does:

* forward  -- a dense layer (Eq. 3.1), an activation (Eq. 3.2), a dense layer,
  and the loss: mean squared error (Eq. 3.3) or softmax cross-entropy (Eq. 3.4);
* backward -- the output gradient (Eq. 3.5), then for each layer, from the top
  down, ``dW = Hᵀ dZ`` (3.6), ``db = Σ dZ`` (3.7), ``dH = dZ Wᵀ`` (3.8) and
  ``dZ = dH ⊙ σ'(Z)`` (3.9), with σ' from Eq. (3.10);
* the check -- central finite differences (3.11) and a relative error (3.12);
* training -- gradient descent on the loss plus weight decay (3.13), the decay
  taken in closed form (3.14) so any λ, even ∞, is stable.

These functions are the single source of the chapter's maths: the layers of
:class:`tlearn.MLP` (:mod:`tlearn.layers`) call :func:`dense`, the table
:data:`ACTIVATIONS` and :func:`loss_and_output_gradient`. Parameters use ``W`` of
shape (fan_in, fan_out) and ``b`` of shape (fan_out,), so a layer is
``X @ W + b``. Only NumPy is imported.
"""
from __future__ import annotations

import numpy as np

from ._validation import (check_array, check_float_array, check_labels, check_lam, check_logits, check_option,
                          check_positive_int, check_real, check_seed, check_target, check_two_layer_params, check_X_y)

__all__ = ["ACTIVATIONS", "TASKS", "dense", "activate", "activation_derivative", "softmax", "one_hot",
           "squared_error", "cross_entropy", "output_gradient", "loss_and_output_gradient", "two_layer_loss",
           "two_layer_forward", "two_layer_backward", "numerical_gradient", "relative_error",
           "init_two_layer", "weight_decay_step", "train_two_layer"]

#: The activations of Eq. (3.2) and their derivatives, Eq. (3.10), in one table:
#: ``ACTIVATIONS[name] = (σ, σ')`` with ``σ(Z)`` and ``σ'(Z, H)``, where H = σ(Z) is
#: passed in so tanh' = 1 − H² needs no second tanh. relu' is 0 at the kink.
ACTIVATIONS = {
    "tanh": (np.tanh, lambda Z, H: 1.0 - H * H),
    "relu": (lambda Z: np.maximum(Z, 0.0), lambda Z, H: (Z > 0).astype(Z.dtype)),
}
TASKS = ("regression", "classification")


# --------------------------------------------------------------------------- forward
def dense(X, W, b):
    """A dense layer, Eq. (3.1) of notebook 03: ``Z = X W + b`` (X (n, d), W (d, h), b (h,))."""
    if np.ndim(X) != 2 or np.ndim(W) != 2 or np.shape(b) != np.shape(W)[1:] or np.shape(X)[1] != np.shape(W)[0]:
        raise ValueError(f"dense needs X (n, d), W (d, h) and b (h,); got shapes {np.shape(X)}, "
                         f"{np.shape(W)} and {np.shape(b)}")
    _real_arrays(X=X, W=W, b=b)
    return X @ W + b  # Eq. (3.1)


def _real_arrays(**arrays):
    """A cheap check for the functions called every step: real numbers only (no complex, no strings)."""
    for name, a in arrays.items():
        if np.asarray(a).dtype.kind not in "fiu":
            raise TypeError(f"{name} must hold real numbers, got dtype {np.asarray(a).dtype}")


def activate(Z, activation="tanh"):
    r"""The activation, Eq. (3.2) of notebook 03: ``H = σ(Z)`` elementwise.

    ``"tanh"``: σ(z) = tanh z;  ``"relu"``: σ(z) = max(z, 0).
    """
    sigma, _ = ACTIVATIONS[check_option(activation, "activation", ACTIVATIONS)]
    return sigma(check_float_array(Z, "Z", (0, 1, 2, 3, 4)))  # Eq. (3.2)


def activation_derivative(Z, activation="tanh"):
    r"""σ'(Z) elementwise, Eq. (3.10) of notebook 03.

    tanh'(z) = 1 − tanh² z;  relu'(z) = 1 if z > 0 else 0 (we take 0 at the kink).
    """
    sigma, dsigma = ACTIVATIONS[check_option(activation, "activation", ACTIVATIONS)]
    Z = check_float_array(Z, "Z", (0, 1, 2, 3, 4))
    return dsigma(Z, sigma(Z))  # Eq. (3.10)


def softmax(Z):
    """Row-wise softmax of logits Z (n, k), shifted by the row maximum so ``exp`` never overflows."""
    Z = check_logits(Z)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def one_hot(y, k):
    """Integer labels (n,) in 0..k-1 -> an (n, k) matrix with a single 1 per row."""
    k = check_positive_int(k, "k")
    y = check_labels(y, "y", n_classes=k)
    Y = np.zeros((len(y), k))
    Y[np.arange(len(y)), y] = 1.0
    return Y


def squared_error(Y_hat, Y):
    r"""Regression loss, Eq. (3.3) of notebook 03: mean over samples of ½‖ŷᵢ − yᵢ‖².

    ``Y_hat`` and ``Y`` have shape (n, k); a 1-D array of length n is read as
    one column, so (n,) against (n, 1) is the same problem (never an n × n table).
    """
    Y_hat = check_float_array(Y_hat, "Y_hat", (1, 2))
    Y_hat = Y_hat.reshape(-1, 1) if Y_hat.ndim == 1 else Y_hat
    Y = check_target(Y, *Y_hat.shape, "regression", name="Y")
    return 0.5 * np.sum((Y_hat - Y) ** 2) / Y.shape[0]  # Eq. (3.3)


def cross_entropy(Z, y):
    r"""Softmax cross-entropy, Eq. (3.4) of notebook 03: mean of −log softmax(zᵢ)[yᵢ].

    Computed as ``logsumexp(zᵢ) − zᵢ[yᵢ]`` with the row maximum factored out,
    so huge logits neither overflow nor give ``log 0``. ``Z`` is (n, k), ``y``
    holds n integer labels in 0..k-1.
    """
    Z = check_logits(Z)
    y = check_target(y, *Z.shape, "classification")
    m = Z.max(axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + np.log(np.exp(Z - m).sum(axis=1))
    return np.mean(log_sum_exp - Z[np.arange(len(y)), y])  # Eq. (3.4)


def output_gradient(Z, y, task="regression"):
    r"""∂loss/∂Z, Eq. (3.5) of notebook 03: ``(ŷ − y) / n``.

    Regression: ŷ = Z. Classification: ŷ = softmax(Z) and y is one-hot --
    the same formula for both losses.
    """
    return loss_and_output_gradient(Z, y, task)[1]


def loss_and_output_gradient(Z, y, task="regression", check=True):
    r"""``(loss, dZ)``: Eq. (3.3) or (3.4) of notebook 03 and its gradient (3.5), from one softmax.

    ``Z`` is the network output (n, k) -- the prediction for regression, the
    logits for classification; ``y`` is (n,) or (n, k) targets, or n labels.
    ``check=False`` skips the input checks: only for callers that checked
    ``y`` once already (:meth:`tlearn.MLP.fit` calls this for every batch).
    """
    if check:
        task = check_option(task, "task", TASKS)
        Z = check_logits(Z)
        y = check_target(y, Z.shape[0], Z.shape[1], task)
    n = Z.shape[0]
    if task == "regression":
        R = Z - y
        return 0.5 * float(np.sum(R * R)) / n, R / n  # Eqs. (3.3), (3.5)
    m = Z.max(axis=1, keepdims=True)
    E = np.exp(Z - m)
    sums = E.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.mean(np.log(sums[:, 0]) + m[:, 0] - Z[rows, y]))  # Eq. (3.4), log-sum-exp
    P = E / sums  # softmax(Z)
    P[rows, y] -= 1.0  # softmax(Z) − onehot(y)
    return loss, P / n  # Eq. (3.5)


def two_layer_forward(X, W1, b1, W2, b2, activation="tanh"):
    r"""Forward pass of the two-layer network, Eqs. (3.1)-(3.2) of notebook 03.

    Returns ``(Z2, cache)``: the output ``Z2 = σ(X W1 + b1) W2 + b2`` of shape
    (n, k) -- the prediction ŷ for regression, the logits for classification --
    and a dict holding what the backward pass needs.
    """
    X, W1, b1, W2, b2 = check_two_layer_params(X, W1, b1, W2, b2)
    check_option(activation, "activation", ACTIVATIONS)
    return _forward(X, W1, b1, W2, b2, activation)


def _forward(X, W1, b1, W2, b2, activation):
    Z1 = dense(X, W1, b1)  # Eq. (3.1)
    H = ACTIVATIONS[activation][0](Z1)  # Eq. (3.2)
    Z2 = dense(H, W2, b2)  # Eq. (3.1)
    cache = {"X": X, "Z1": Z1, "H": H, "Z2": Z2, "W2": W2, "activation": activation}
    return Z2, cache


def two_layer_loss(Z2, y, task="regression"):
    """The loss of the network output Z2 (n, k): Eq. (3.3) (regression) or Eq. (3.4) (classification)."""
    return loss_and_output_gradient(Z2, y, task)[0]


# --------------------------------------------------------------------------- backward
def two_layer_backward(cache, y, task="regression"):
    r"""Backward pass, Eqs. (3.5)-(3.9) of notebook 03; returns ``[dW1, db1, dW2, db2]``.

    From the top down: dZ2 = (ŷ − y)/n (3.5); dW2 = Hᵀ dZ2 (3.6); db2 = Σᵢ dZ2 (3.7);
    dH = dZ2 W2ᵀ (3.8); dZ1 = dH ⊙ σ'(Z1) (3.9); dW1 = Xᵀ dZ1 (3.6); db1 = Σᵢ dZ1 (3.7).
    """
    if not isinstance(cache, dict) or not {"X", "Z1", "H", "Z2", "W2", "activation"} <= set(cache):
        raise TypeError("cache must be the dict returned by two_layer_forward")
    dZ2 = output_gradient(cache["Z2"], y, task)  # Eq. (3.5)
    return _backward(cache, dZ2)


def _backward(cache, dZ2):
    X, Z1, H, W2 = cache["X"], cache["Z1"], cache["H"], cache["W2"]
    dW2 = H.T @ dZ2  # Eq. (3.6)
    db2 = dZ2.sum(axis=0)  # Eq. (3.7)
    dH = dZ2 @ W2.T  # Eq. (3.8)
    dZ1 = dH * ACTIVATIONS[cache["activation"]][1](Z1, H)  # Eq. (3.9) with σ' of Eq. (3.10)
    dW1 = X.T @ dZ1  # Eq. (3.6)
    db1 = dZ1.sum(axis=0)  # Eq. (3.7)
    return [dW1, db1, dW2, db2]


# --------------------------------------------------------------------------- the check
def numerical_gradient(f, params, eps=1e-6):
    r"""Central finite differences, Eq. (3.11) of notebook 03.

    ``f(params) -> float`` takes a list of arrays. For every entry θⱼ,
    ∂f/∂θⱼ ≈ (f(θ + ε eⱼ) − f(θ − ε eⱼ)) / 2ε, an error of order ε².
    The caller's arrays are never modified (``f`` sees float64 copies).
    Returns a list of arrays shaped like ``params``.
    """
    if not callable(f):
        raise TypeError(f"f must be a callable taking a list of arrays, got {f!r}")
    if isinstance(params, np.ndarray) or not isinstance(params, (list, tuple)):
        raise TypeError(f"params must be a list of arrays, got {type(params).__name__}")
    eps = check_real(eps, "eps", minimum=0, strict=(True, False))
    theta = [check_array(p, f"params[{i}]", ndim=(0, 1, 2, 3, 4)).copy() for i, p in enumerate(params)]
    grads = []
    for p in theta:
        g = np.zeros_like(p)
        for j in range(p.size):
            old = p.flat[j]
            p.flat[j] = old + eps
            f_plus = float(f(theta))
            p.flat[j] = old - eps
            f_minus = float(f(theta))
            p.flat[j] = old
            g.flat[j] = (f_plus - f_minus) / (2 * eps)  # Eq. (3.11)
        grads.append(g)
    return grads


def relative_error(a, b):
    r"""Eq. (3.12) of notebook 03: ‖a − b‖ / max(‖a‖ + ‖b‖, 10⁻³⁰⁰).

    ``a`` and ``b`` are arrays or equally shaped lists of arrays (all entries
    taken together). Scale-free: 1e-8 means "agree to about eight digits".
    """
    if isinstance(a, (list, tuple)) != isinstance(b, (list, tuple)) or (
        isinstance(a, (list, tuple)) and len(a) != len(b)
    ):
        raise ValueError("a and b must both be arrays or lists of arrays of the same length")
    pairs = zip(a, b) if isinstance(a, (list, tuple)) else [(a, b)]
    num = den_a = den_b = 0.0
    for i, (u, v) in enumerate(pairs):
        u = check_array(u, f"a[{i}]", ndim=(0, 1, 2, 3, 4))
        v = check_array(v, f"b[{i}]", ndim=(0, 1, 2, 3, 4))
        if u.shape != v.shape:
            raise ValueError(f"a[{i}] has shape {u.shape} but b[{i}] has shape {v.shape}; they must match")
        num += np.sum((u - v) ** 2)
        den_a += np.sum(u**2)
        den_b += np.sum(v**2)
    return float(np.sqrt(num) / max(np.sqrt(den_a) + np.sqrt(den_b), 1e-300))  # Eq. (3.12)


# --------------------------------------------------------------------------- training
def init_two_layer(n_features, n_hidden, n_outputs, seed=0):
    """``[W1, b1, W2, b2]`` with W ~ N(0, 1/fan_in) entries and zero biases (seeded)."""
    d = check_positive_int(n_features, "n_features")
    h = check_positive_int(n_hidden, "n_hidden")
    k = check_positive_int(n_outputs, "n_outputs")
    rng = check_seed(seed)
    W1 = rng.standard_normal((d, h)) / np.sqrt(d)
    W2 = rng.standard_normal((h, k)) / np.sqrt(h)
    return [W1, np.zeros(h), W2, np.zeros(k)]


def weight_decay_step(W, dW, lr, lam):
    r"""One step on Eq. (3.13), the decay taken exactly: Eq. (3.14) of notebook 03.

    W ← (W − η ∂L/∂W) / (1 + ηλ): the gradient step on the loss, then the
    minimiser of λ/2‖V‖² + ‖V − W'‖²/2η. Stable for every λ ≥ 0; λ = ∞ gives 0.
    """
    lam = check_lam(lam, allow_inf=True)
    lr = check_real(lr, "lr", minimum=0, strict=(True, False))
    if np.shape(W) != np.shape(dW):
        raise ValueError(f"W has shape {np.shape(W)} but dW has shape {np.shape(dW)}; they must match")
    _real_arrays(W=W, dW=dW)
    if np.isinf(lam):
        return np.zeros_like(W)
    return (W - lr * dW) / (1.0 + lr * lam)  # Eq. (3.14)


def _check_training(X, y, task, X_val, y_val):
    """Checked (X, y, X_val, y_val, k) for :func:`train_two_layer`; k is the output width."""
    X, y = check_X_y(X, y)
    if task == "regression":
        k = y.shape[1] if y.ndim == 2 else 1
    else:
        k = int(check_labels(y).max()) + 1
    y = check_target(y, X.shape[0], k, task)
    if X_val is not None or y_val is not None:
        if X_val is None or y_val is None:
            raise ValueError("give both X_val and y_val (or neither)")
        X_val, y_val = check_X_y(X_val, y_val, "X_val", "y_val")
        if X_val.shape[1] != X.shape[1]:
            raise ValueError(f"X_val has {X_val.shape[1]} features but X has {X.shape[1]}; they must match")
        y_val = check_target(y_val, X_val.shape[0], k, task, name="y_val")
    return X, y, X_val, y_val, k


def train_two_layer(X, y, n_hidden=16, activation="tanh", task="regression", lam=0.0, lr=0.1,
                    steps=500, seed=0, X_val=None, y_val=None, log_every=1):
    r"""Full-batch gradient descent on Eq. (3.13) of notebook 03.

    Objective: loss (3.3)/(3.4) + λ/2 (‖W1‖² + ‖W2‖²), biases not penalised.
    Each step: forward, backward (3.5)-(3.9), then Eq. (3.14) for the weights
    and b ← b − η ∂L/∂b for the biases. Returns ``(params, history)``:
    ``history["step"]``, ``history["loss"]`` (the objective, every
    ``log_every`` steps and at the end), ``history["val_loss"]`` (the plain
    loss on validation data, if given), ``history["diverged"]`` -- True when
    the step size was too large and the loss blew up (training then stops) --
    and ``history["steps_done"]``, the number of steps taken.
    """
    check_option(task, "task", TASKS)
    check_option(activation, "activation", ACTIVATIONS)
    X, y, X_val, y_val, k = _check_training(X, y, task, X_val, y_val)
    lam = check_lam(lam, allow_inf=True)
    lr = check_real(lr, "lr", minimum=0, strict=(True, False))
    steps = check_positive_int(steps, "steps")
    log_every = check_positive_int(log_every, "log_every")
    history = {"step": [], "loss": [], "diverged": False, "steps_done": 0}
    if X_val is not None:
        history["val_loss"] = []
    params = init_two_layer(X.shape[1], n_hidden, k, seed)
    if np.isinf(lam):  # λ = ∞ leaves only W = 0 feasible
        params[0][:], params[2][:] = 0.0, 0.0
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected below
        for step in range(steps + 1):
            W1, b1, W2, b2 = params
            Z2, cache = _forward(X, W1, b1, W2, b2, activation)
            loss, dZ2 = _loss_and_gradient(Z2, y, task)
            if lam not in (0, np.inf):
                loss += 0.5 * lam * (np.sum(W1**2) + np.sum(W2**2))  # Eq. (3.13)
            history["steps_done"] = step
            if not np.isfinite(loss):
                history["diverged"] = True
                break
            if step % log_every == 0 or step == steps:
                _log(history, step, loss, params, X_val, y_val, activation, task)
            if step == steps:
                break
            dW1, db1, dW2, db2 = _backward(cache, dZ2)
            params = [weight_decay_step(W1, dW1, lr, lam), b1 - lr * db1,
                      weight_decay_step(W2, dW2, lr, lam), b2 - lr * db2]
    return params, history


def _loss_and_gradient(Z, y, task):
    """:func:`loss_and_output_gradient` that lets a diverging run report inf/NaN instead of raising."""
    if not np.all(np.isfinite(Z)):
        return np.inf, None
    return loss_and_output_gradient(Z, y, task)


def _log(history, step, loss, params, X_val, y_val, activation, task):
    history["step"].append(step)
    history["loss"].append(float(loss))
    if X_val is not None:
        history["val_loss"].append(float(_loss_and_gradient(_forward(X_val, *params, activation)[0], y_val, task)[0]))

