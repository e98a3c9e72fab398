r"""A small multilayer perceptron in NumPy with hand-written backpropagation.

Every layer's backward pass sits right beside its forward pass, with the local
rule in the docstring; the numbers refer to notebook 03 (backprop):

.. math::
    Z = XW + b \quad (3.1) \qquad H = \sigma(Z) \quad (3.2)

    dW = H^\top dZ \quad (3.6) \qquad db = \textstyle\sum_i dZ_i \quad (3.7)
    \qquad dH = dZ\,W^\top \quad (3.8) \qquad dZ = dH \odot \sigma'(Z) \quad (3.9)

The losses are means over the samples -- ½‖ŷ − y‖² for regression (3.3),
−log softmax(z)[y] for classification (3.4) -- and both give the same output
gradient dZ_L = (ŷ − y)/n (3.5). A penalty (for example the L2-SP penalty of
:mod:`tlearn.finetune`) may be attached as ``model.penalty``; it is added to the
loss and its step is taken in closed form by the optimizer.
"""
from __future__ import annotations

import numbers
import zipfile

import numpy as np

from ._validation import check_array, check_positive_int, check_seed

__all__ = [
    "Dense", "ReLU", "Tanh", "ACTIVATIONS", "squared_loss", "softmax", "softmax_cross_entropy", "MLP",
]

_FORMAT = "tlearn.MLP/1"


# ----------------------------------------------------------------------------- layers
class Dense:
    r"""Affine layer ``Z = X @ W + b`` (Eq. (3.1) of notebook 03), W of shape (fan_in, fan_out).

    ``backward(dZ)`` applies the local rules of notebook 03 and returns dX:

    * dW = Xᵀ dZ   -- Eq. (3.6)
    * db = Σᵢ dZᵢ  -- Eq. (3.7)
    * dX = dZ Wᵀ   -- Eq. (3.8)

    Gradients are written into the preallocated ``dW``/``db``. ``frozen=True``
    tells the optimizer to leave ``W`` and ``b`` bit-for-bit unchanged.
    """

    def __init__(self, W, b, frozen=False, dW=None, db=None):
        self.W, self.b, self.frozen = W, b, bool(frozen)
        self.dW = np.zeros_like(W) if dW is None else dW
        self.db = np.zeros_like(b) if db is None else db
        self.X = None

    def forward(self, X):
        self.X = X
        Z = X @ self.W  # Eq. (3.1)
        Z += self.b
        return Z

    def backward(self, dZ, need_dX=True):
        np.matmul(self.X.T, dZ, out=self.dW)  # Eq. (3.6)
        np.sum(dZ, axis=0, out=self.db)  # Eq. (3.7)
        return dZ @ self.W.T if need_dX else None  # Eq. (3.8)


class ReLU:
    r"""σ(z) = max(z, 0) (Eq. (3.2) of notebook 03); backward dZ = dH ⊙ 1[z > 0] (Eq. (3.9))."""

    name = "relu"

    def forward(self, Z):
        self.mask = Z > 0
        return np.multiply(Z, self.mask, out=Z)  # Eq. (3.2), in place: Z is not needed again

    def backward(self, dH):
        return np.multiply(dH, self.mask, out=dH)  # Eq. (3.9)


class Tanh:
    r"""σ(z) = tanh z (Eq. (3.2) of notebook 03); backward dZ = dH ⊙ (1 − H²) (Eq. (3.9))."""

    name = "tanh"

    def forward(self, Z):
        self.H = np.tanh(Z, out=Z)  # Eq. (3.2)
        return self.H

    def backward(self, dH):
        return dH * (1.0 - self.H * self.H)  # Eq. (3.9)


ACTIVATIONS = {"relu": ReLU, "tanh": Tanh}


# ----------------------------------------------------------------------------- losses
def squared_loss(Yhat, Y):
    r"""Mean over samples of ½‖ŷᵢ − yᵢ‖² and its gradient w.r.t. ŷ.

    Eq. (3.3) of notebook 03 for the loss, Eq. (3.5) for the gradient
    dZ_L = (ŷ − y)/n. ``Yhat`` and ``Y`` have shape (n, k).
    """
    R = Yhat - Y
    n = Yhat.shape[0]
    loss = 0.5 * float(np.vdot(R, R)) / n  # Eq. (3.3)
    R /= n  # Eq. (3.5)
    return loss, R


def softmax(Z):
    """Row-wise softmax, shifted by the row maximum so exp never overflows."""
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    E /= E.sum(axis=1, keepdims=True)
    return E


def softmax_cross_entropy(Z, y):
    r"""Mean over samples of −log softmax(zᵢ)[yᵢ] and its gradient w.r.t. the logits Z.

    Eq. (3.4) of notebook 03, computed with log-sum-exp:
    −log softmax(z)[y] = log Σⱼ exp(zⱼ − m) + m − z_y with m = maxⱼ zⱼ.
    The gradient is (softmax(Z) − onehot(y))/n, Eq. (3.5). ``y`` holds integer labels.
    """
    n = Z.shape[0]
    rows = np.arange(n)
    S = Z - Z.max(axis=1, keepdims=True)
    np.exp(S, out=S)
    sums = S.sum(axis=1)
    S /= sums[:, None]  # softmax probabilities
    # −log p_y computed as log Σ exp(z − m) − (z_y − m): stable for any logits
    loss = float(np.mean(np.log(sums) - (Z[rows, y] - Z.max(axis=1))))  # Eq. (3.4)
    S[rows, y] -= 1.0
    S /= n  # Eq. (3.5)
    return loss, S


# ----------------------------------------------------------------------------- optimizers
class _Adam:
    """Adam on one flat vector of trainable parameters; ``step`` returns the step size η.

    θ ← θ − η ⊙ m̂ with η = lr / (√v̂ + ε): the per-entry step that a penalty's
    closed-form (proximal) step must use to keep the fixed points exact.
    """

    def __init__(self, size, dtype, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t = lr, beta1, beta2, eps, 0
        self.m, self.v, self.eta, self.tmp = (np.zeros(size, dtype) for _ in range(4))

    def step(self, theta, g):
        self.t += 1
        m, v, eta, tmp = self.m, self.v, self.eta, self.tmp
        m *= self.b1
        np.multiply(g, 1.0 - self.b1, out=tmp)
        m += tmp
        v *= self.b2
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - self.b2
        v += tmp
        np.sqrt(v, out=eta)
        eta *= 1.0 / np.sqrt(1.0 - self.b2**self.t)
        eta += self.eps
        np.divide(self.lr, eta, out=eta)  # η = lr / (√v̂ + ε)
        np.multiply(eta, m, out=tmp)
        tmp *= 1.0 / (1.0 - self.b1**self.t)  # η ⊙ m̂
        theta -= tmp
        return eta


class _SGD:
    """SGD with heavy-ball momentum μ = 0.9; ``step`` returns the effective step lr/(1 − μ)."""

    def __init__(self, size, dtype, lr, momentum=0.9):
        self.lr, self.mu = lr, momentum
        self.vel, self.tmp = np.zeros(size, dtype), np.zeros(size, dtype)

    def step(self, theta, g):
        self.vel *= self.mu
        self.vel += g
        np.multiply(self.vel, self.lr, out=self.tmp)
        theta -= self.tmp
        return self.lr / (1.0 - self.mu)


# ----------------------------------------------------------------------------- the model
def _init_layer(fan_in, fan_out, activation, rng, dtype):
    """He init (std √(2/fan_in)) before a ReLU, Glorot-style √(1/fan_in) otherwise; zero bias."""
    scale = np.sqrt((2.0 if activation == "relu" else 1.0) / fan_in)
    W = (rng.standard_normal((fan_in, fan_out)) * scale).astype(dtype)
    return W, np.zeros(fan_out, dtype=dtype)


class MLP:
    r"""A fully connected network trained by backpropagation (notebook 03).

    Parameters
    ----------
    sizes : list of int
        Layer widths *including the input*: ``[64, 64, 10]`` is 64 inputs, one
        hidden layer of 64 units and 10 outputs.
    activation : {"relu", "tanh"}
        Hidden activation σ of Eq. (3.2); the output layer is linear
        (regression) or softmax (classification).
    task : {"regression", "classification"}
        Fixes the loss: mean ½‖ŷ − y‖² (Eq. (3.3)) or mean softmax cross-entropy
        with integer labels 0..k−1 (Eq. (3.4)).
    seed : int
        Seed of the weight initialisation.
    dtype : float64 (default) or float32.

    The parameters exist from construction on: ``parameters()`` returns the
    live list ``[W1, b1, ..., WL, bL]``. ``fit`` trains from the current
    parameters (so a copied, pre-trained model is fine-tuned, not reset).
    ``layers[l].frozen = True`` (or :meth:`freeze`) keeps layer l fixed.
    ``penalty`` (default None) is an optional penalty added to the loss, such as
    :class:`tlearn.finetune.L2SP`: an object with ``anchors`` (one entry per
    parameter, None where unpenalised), ``value(params)``, ``gradients(params)``
    and ``prox(theta, anchor, step)`` (its closed-form step, applied in place).
    """

    def __init__(self, sizes, activation="relu", task="regression", seed=0, dtype=np.float64):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise TypeError(f"sizes must be a list of layer widths like [64, 64, 10], got {sizes!r}")
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least the input and output widths, got {list(sizes)!r}")
        self.sizes = [check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        if task not in ("regression", "classification"):
            raise ValueError(f"task must be 'regression' or 'classification', got {task!r}")
        if task == "classification" and self.sizes[-1] < 2:
            raise ValueError(f"a classifier needs at least 2 outputs (classes), got sizes[-1]={self.sizes[-1]}")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float64, np.float32):
            raise ValueError(f"dtype must be float64 or float32, got {self.dtype}")
        self.activation, self.task, self.seed = activation, task, seed
        rng = check_seed(seed)
        # all parameters (and gradients) live in one flat vector; W_l, b_l are views into it,
        # so the optimizer updates every trainable entry with a handful of vector operations
        shapes = [s for a, b in zip(self.sizes[:-1], self.sizes[1:]) for s in ((a, b), (b,))]
        self._offsets = np.cumsum([0] + [int(np.prod(s)) for s in shapes])
        self._theta = np.zeros(self._offsets[-1], dtype=self.dtype)
        self._grad = np.zeros_like(self._theta)
        views = [(v[o:e].reshape(sh), g[o:e].reshape(sh)) for v, g in [(self._theta, self._grad)]
                 for o, e, sh in zip(self._offsets[:-1], self._offsets[1:], shapes)]
        self.layers = []
        for l in range(len(self.sizes) - 1):
            (W, dW), (b, db) = views[2 * l], views[2 * l + 1]
            act = activation if l < len(self.sizes) - 2 else "linear"
            W[...], b[...] = _init_layer(self.sizes[l], self.sizes[l + 1], act, rng, self.dtype)
            self.layers.append(Dense(W, b, dW=dW, db=db))
        self.acts = [ACTIVATIONS[activation]() for _ in self.layers[:-1]]
        self.penalty = None
        self.history_ = {}

    # -- parameters ---------------------------------------------------------
    @property
    def n_layers(self):
        """Number of Dense layers (hidden layers + output layer)."""
        return len(self.layers)

    def parameters(self):
        """The live arrays ``[W1, b1, ..., WL, bL]`` (modifying them modifies the model)."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    def set_parameters(self, params):
        """Copy ``params`` (a list shaped like :meth:`parameters`) into the model."""
        own = self.parameters()
        if not isinstance(params, (list, tuple)) or len(params) != len(own):
            got = f"{type(params).__name__} of length {len(params)}" if hasattr(params, "__len__") else repr(params)
            raise ValueError(f"params must be a list of {len(own)} arrays [W1, b1, ...], got {got}")
        new = [check_array(p, f"params[{i}]", ndim=(1, 2), dtype=self.dtype) for i, p in enumerate(params)]
        for i, (p, q) in enumerate(zip(own, new)):
            if p.shape != q.shape:
                raise ValueError(f"params[{i}] has shape {q.shape}, expected {p.shape}")
        for p, q in zip(own, new):
            p[...] = q
        return self

    def freeze(self, n_layers):
        """Freeze the first ``n_layers`` Dense layers and unfreeze the rest; returns self."""
        n = check_positive_int(n_layers, "n_layers", minimum=0)
        if n > self.n_layers:
            raise ValueError(f"n_layers must be <= {self.n_layers} (the number of layers), got {n}")
        for l, layer in enumerate(self.layers):
            layer.frozen = l < n
        return self

    def copy(self):
        """An independent deep copy (parameters, frozen flags, penalty reference, history)."""
        new = MLP(self.sizes, self.activation, self.task, seed=0, dtype=self.dtype)
        new._theta[...] = self._theta
        for mine, theirs in zip(self.layers, new.layers):
            theirs.frozen = mine.frozen
        new.seed, new.penalty = self.seed, self.penalty
        new.history_ = {k: list(v) for k, v in self.history_.items()}
        return new

    # -- input checks ----------------------------------------------------------
    def _check_X(self, X, name="X"):
        X = check_array(X, name, ndim=2, dtype=self.dtype)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"{name} has {X.shape[1]} features but the network expects {self.sizes[0]} inputs (sizes[0])"
            )
        return X

    def _check_y(self, y, n, name="y"):
        k = self.sizes[-1]
        if self.task == "classification":
            y = check_array(y, name, ndim=1)
            if not np.all(y == np.round(y)):
                raise ValueError(f"{name} must hold integer class labels 0..{k - 1}, got non-integer values")
            if y.min() < 0 or y.max() > k - 1:
                raise ValueError(
                    f"{name} has labels in [{int(y.min())}, {int(y.max())}] but the network has {k} "
                    f"outputs, so labels must lie in 0..{k - 1}"
                )
            y = y.astype(np.intp)
        else:
            y = check_array(y, name, ndim=(1, 2), dtype=self.dtype)
            if y.ndim == 1:
                y = y[:, None]
            if y.shape[1] != k:
                raise ValueError(f"{name} has {y.shape[1]} target column(s) but the network has {k} outputs")
        if y.shape[0] != n:
            raise ValueError(f"{name} has {y.shape[0]} rows but X has {n}; they must have one target per sample")
        return y

    # -- forward / backward ------------------------------------------------
    def _forward(self, X, start=0):
        """Logits of the output layer, caching what backward needs (layers ``start``..L)."""
        H = X
        for l in range(start, self.n_layers - 1):
            H = self.acts[l].forward(self.layers[l].forward(H))  # Eqs. (3.1)-(3.2)
        return self.layers[-1].forward(H)  # Eq. (3.1), linear output

    def _backward(self, dZ, stop=0):
        """Backpropagate dZ_L down to layer ``stop``, filling each layer's dW, db."""
        for l in range(self.n_layers - 1, stop - 1, -1):
            dH = self.layers[l].backward(dZ, need_dX=l > stop)  # Eqs. (3.6)-(3.8)
            if l > stop:
                dZ = self.acts[l - 1].backward(dH)  # Eq. (3.9)

    def _loss_grad(self, Z, y):
        if self.task == "classification":
            return softmax_cross_entropy(Z, y)  # Eqs. (3.4), (3.5)
        return squared_loss(Z, y)  # Eqs. (3.3), (3.5)

    def loss_and_gradients(self, X, y):
        """``(loss, grads)`` with ``grads`` shaped like :meth:`parameters` -- one backprop pass.

        The loss is Eq. (3.3) or (3.4) of notebook 03 plus ``penalty.value`` if a
        penalty is attached; gradients follow Eqs. (3.5)-(3.9) (frozen layers too:
        these are the mathematical gradients, the optimizer decides what moves).
        """
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        loss, dZ = self._loss_grad(self._forward(X), y)
        self._backward(dZ)
        grads = [g.copy() for layer in self.layers for g in (layer.dW, layer.db)]
        if self.penalty is not None:
            params = self.parameters()
            loss += self.penalty.value(params)
            for g, gp in zip(grads, self.penalty.gradients(params)):
                if gp is not None:
                    g += gp
        return loss, grads

    # -- training -----------------------------------------------------------
    def fit(self, X, y, epochs=50, batch_size=32, lr=None, optimizer="adam", seed=0,
            X_val=None, y_val=None, callback=None):
        """Mini-batch training from the current parameters; returns self.

        Each epoch shuffles the samples with ``np.random.default_rng(seed)``,
        takes one optimizer step per batch of ``batch_size`` (Adam, or SGD with
        momentum 0.9; ``lr`` defaults to 1e-3 for Adam and 1e-2 for SGD), then
        applies ``penalty.prox`` so a penalty's step is taken in closed form. Frozen
        layers are never touched; a frozen prefix of layers is evaluated once.

        ``history_`` gets, per epoch, ``"loss"`` (mean training loss over the
        epoch's batches, without penalty) and, when ``X_val, y_val`` are given,
        ``"val_loss"`` (and ``"val_accuracy"`` for classification).
        ``callback(epoch, history)`` is called after every epoch.
        """
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        if optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
        if lr is None:
            lr = 1e-3 if optimizer == "adam" else 1e-2
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not np.isfinite(lr) or lr <= 0:
            raise ValueError(f"lr must be a positive finite number, got {lr!r}")
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be callable as callback(epoch, history), got {callback!r}")
        has_val = X_val is not None or y_val is not None
        if has_val:
            if X_val is None or y_val is None:
                raise ValueError("give both X_val and y_val (or neither)")
            X_val = self._check_X(X_val, "X_val")
            y_val = self._check_y(y_val, X_val.shape[0], "y_val")
        rng = check_seed(seed)

        # layers below the first trainable one never change: compute their output once
        start = 0
        while start < self.n_layers and self.layers[start].frozen:
            start += 1
        self.history_ = {"loss": []}
        if has_val:
            self.history_["val_loss"] = []
            if self.task == "classification":
                self.history_["val_accuracy"] = []
        if start == self.n_layers:  # everything frozen: only evaluate the output layer
            start = self.n_layers - 1
        segments = self._segments(lambda i: not self.layers[i // 2].frozen)
        Xs = self._hidden_upto(X, start)
        Opt = _Adam if optimizer == "adam" else _SGD
        opts = [Opt(hi - lo, self.dtype, float(lr)) for lo, hi in segments]
        prox = self._prox_plan(segments)
        theta, grad, n = self._theta, self._grad, X.shape[0]
        for epoch in range(epochs):
            perm = rng.permutation(n)
            Xp, yp = Xs[perm], y[perm]
            total = 0.0
            for s in range(0, n, batch_size):
                Xb, yb = Xp[s:s + batch_size], yp[s:s + batch_size]
                loss, dZ = self._loss_grad(self._forward(Xb, start), yb)
                total += loss * Xb.shape[0]
                if not segments:
                    continue
                self._backward(dZ, stop=start)
                for (lo, hi), opt, plan in zip(segments, opts, prox):
                    step = opt.step(theta[lo:hi], grad[lo:hi])
                    for a, b, anchor in plan:  # the penalty's closed-form step
                        self.penalty.prox(theta[a:b], anchor, step if np.ndim(step) == 0 else step[a - lo:b - lo])
            self.history_["loss"].append(total / n)
            if has_val:
                Z = self._forward(X_val)
                self.history_["val_loss"].append(self._loss_grad(Z, y_val)[0])
                if self.task == "classification":
                    self.history_["val_accuracy"].append(float(np.mean(Z.argmax(axis=1) == y_val)))
            if callback is not None:
                callback(epoch, self.history_)
        return self

    def _segments(self, keep):
        """Maximal runs [lo, hi) of the flat vector covered by parameters i with keep(i)."""
        runs = []
        for i, (lo, hi) in enumerate(zip(self._offsets[:-1], self._offsets[1:])):
            if keep(i):
                if runs and runs[-1][1] == lo:
                    runs[-1][1] = hi
                else:
                    runs.append([lo, hi])
        return [(int(a), int(b)) for a, b in runs]

    def _prox_plan(self, segments):
        """For each optimizer segment: the penalised sub-runs [a, b) and their flat anchors."""
        if self.penalty is None:
            return [[] for _ in segments]
        anchors = self.penalty.anchors
        if len(anchors) != 2 * self.n_layers:
            raise ValueError(f"penalty.anchors has {len(anchors)} entries, expected {2 * self.n_layers} "
                             "(one per parameter, None for unpenalised)")
        flat = np.zeros_like(self._theta)
        for i, a in enumerate(anchors):
            if a is not None:
                flat[self._offsets[i]:self._offsets[i + 1]] = np.ravel(a)
        runs = self._segments(lambda i: anchors[i] is not None and not self.layers[i // 2].frozen)
        return [[(max(a, lo), min(b, hi), flat[max(a, lo):min(b, hi)]) for a, b in runs if a < hi and b > lo]
                for lo, hi in segments]

    # -- prediction -----------------------------------------------------------
    def _hidden_upto(self, X, n):
        """Activations after the first ``n`` Dense layers (and their σ); X itself if n = 0."""
        H = X
        for l in range(min(n, self.n_layers - 1)):
            H = self.acts[l].forward(self.layers[l].forward(H))
        if n == self.n_layers:
            H = self.layers[-1].forward(H)
        return H

    def decision_function(self, X):
        """Network outputs before softmax (the logits for a classifier), shape (n, k)."""
        return self._forward(self._check_X(X))

    def predict(self, X):
        """Class labels (classification) or outputs (regression; 1-D when there is one output)."""
        Z = self.decision_function(X)
        if self.task == "classification":
            return Z.argmax(axis=1)
        return Z[:, 0].copy() if Z.shape[1] == 1 else Z

    def predict_proba(self, X):
        """Class probabilities softmax(Z), shape (n, k); classification only."""
        if self.task != "classification":
            raise ValueError("predict_proba is only defined for task='classification'")
        return softmax(self.decision_function(X))

    def score(self, X, y):
        """Accuracy (classification) or R² averaged over outputs (regression)."""
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        Z = self._forward(X)
        if self.task == "classification":
            return float(np.mean(Z.argmax(axis=1) == y))
        ss_res = np.sum((y - Z) ** 2, axis=0)
        ss_tot = np.sum((y - y.mean(axis=0)) ** 2, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), 0.0)
        return float(np.mean(r2))

    def hidden(self, X, layer=-1):
        """The representation H_l = σ(Z_l) after hidden layer ``layer`` (1-based; -1 = last hidden).

        This is what feature transfer re-uses: shape (n, sizes[layer]).
        """
        n_hidden = self.n_layers - 1
        if n_hidden == 0:
            raise ValueError("this network has no hidden layer (sizes has only input and output widths)")
        if isinstance(layer, bool) or not isinstance(layer, numbers.Integral):
            raise TypeError(f"layer must be an int (1..{n_hidden} or -1), got {layer!r}")
        lay = n_hidden if layer == -1 else int(layer)
        if not 1 <= lay <= n_hidden:
            raise ValueError(f"layer must be in 1..{n_hidden} or -1 for the last hidden layer, got {layer}")
        return self._hidden_upto(self._check_X(X), lay).copy()

    # -- persistence ------------------------------------------------------------
    def save(self, path):
        """Write the architecture, parameters and frozen flags to a ``.npz`` file (no pickle)."""
        arrays = {
            "format": np.array(_FORMAT), "sizes": np.array(self.sizes, dtype=np.int64),
            "activation": np.array(self.activation), "task": np.array(self.task),
            "frozen": np.array([layer.frozen for layer in self.layers]),
        }
        for l, layer in enumerate(self.layers, 1):
            arrays[f"W{l}"], arrays[f"b{l}"] = layer.W, layer.b
        np.savez(path, **arrays)

    @classmethod
    def load(cls, path):
        """Read a file written by :meth:`save`; anything else raises ``ValueError``.

        Loading uses ``allow_pickle=False``, so a tampered file can never execute code.
        """
        try:
            with np.load(path, allow_pickle=False) as f:
                data = {k: f[k] for k in f.files}
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
            raise ValueError(f"{path!s} is not a readable tlearn MLP .npz file: {exc}") from None
        if "format" not in data or data["format"].shape != () or str(data["format"]) != _FORMAT:
            raise ValueError(f"{path!s} is not a tlearn MLP file (missing or wrong 'format' entry)")
        try:
            sizes = [int(s) for s in data["sizes"]]
            model = cls(sizes, str(data["activation"]), str(data["task"]), dtype=data["W1"].dtype)
            for l, layer in enumerate(model.layers, 1):
                W, b = data[f"W{l}"], data[f"b{l}"]
                if W.shape != layer.W.shape or b.shape != layer.b.shape:
                    raise ValueError(f"W{l}/b{l} have shapes {W.shape}/{b.shape}, expected "
                                     f"{layer.W.shape}/{layer.b.shape} from sizes {sizes}")
                if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
                    raise ValueError(f"W{l}/b{l} contain NaN or infinite values")
                layer.W[...], layer.b[...] = W, b
            frozen = data["frozen"]
            if frozen.shape != (model.n_layers,):
                raise ValueError(f"'frozen' has shape {frozen.shape}, expected ({model.n_layers},)")
            for layer, fr in zip(model.layers, frozen):
                layer.frozen = bool(fr)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path!s} is a malformed tlearn MLP file: {exc}") from None
        if len([k for k in data if k[0] in "Wb" and k[1:].isdigit()]) != 2 * model.n_layers:
            raise ValueError(f"{path!s} is a malformed tlearn MLP file: extra or missing layer arrays")
        return model

    def __repr__(self):
        return f"MLP(sizes={self.sizes}, activation={self.activation!r}, task={self.task!r})"
