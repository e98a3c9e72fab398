r"""A small multilayer perceptron in NumPy with hand-written backpropagation (notebook 03).

The model wires :mod:`tlearn.layers` together (forward beside backward, the
maths from :mod:`tlearn.backprop`) and trains them with :mod:`tlearn.optim`:

.. math::
    Z = XW + b \quad (3.1) \qquad H = \sigma(Z) \quad (3.2)

    dW = H^\top dZ \quad (3.6) \qquad db = \textstyle\sum_i dZ_i \quad (3.7)
    \qquad dH = dZ\,W^\top \quad (3.8) \qquad dZ = dH \odot \sigma'(Z) \quad (3.9)

The losses are means over the samples -- ½‖ŷ − y‖² for regression (3.3),
−log softmax(z)[y] for classification (3.4) -- and both give the same output
gradient dZ_L = (ŷ − y)/n (3.5). A penalty (for example the L2-SP penalty of
:mod:`tlearn.finetune`) may be attached as ``model.penalty``; it is added to the
loss and its step is taken in closed form (Eq. (4.3) of notebook 04).
Saving and loading live in :mod:`tlearn.model_io`.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from . import model_io
from ._validation import (check_array, check_int, check_labels, check_option, check_positive_int, check_real,
                          check_seed)
from .backprop import ACTIVATIONS, TASKS, loss_and_output_gradient, softmax
from .layers import Activation, Dense, ReLU, Tanh, init_dense  # noqa: F401  (Dense, ReLU, Tanh re-exported)
from .optim import SGD, Adam, ParameterStore, Plateau, loss_scale, penalised_step

__all__ = ["MLP", "Dense", "ReLU", "Tanh", "MAX_STEPS", "CHECK_EVERY"]

#: Default budget of optimiser steps of :meth:`MLP.fit`, the same for every n (digits at lr 1e-3: ~11,000).
MAX_STEPS = 20_000
#: The plateau test of :meth:`MLP.fit` runs after at least this many steps (whole epochs).
CHECK_EVERY = 50


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
        self.activation = check_option(activation, "activation", ACTIVATIONS)
        self.task = check_option(task, "task", TASKS)
        if task == "classification" and self.sizes[-1] < 2:
            raise ValueError(f"a classifier needs at least 2 outputs (classes), got sizes[-1]={self.sizes[-1]}")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float64, np.float32):
            raise ValueError(f"dtype must be float64 or float32, got {self.dtype}")
        model_io.check_budget(self.sizes)
        self.seed = seed
        rng = check_seed(seed)
        shapes = [shape for a, b in zip(self.sizes[:-1], self.sizes[1:]) for shape in ((a, b), (b,))]
        self.store = ParameterStore(shapes, self.dtype)  # every W, b (and dW, db) is a view into one vector
        W, b, dW, db = (self.store.arrays[0::2], self.store.arrays[1::2], self.store.grads[0::2],
                        self.store.grads[1::2])
        self.layers = []
        for l, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            act = activation if l < len(self.sizes) - 2 else "linear"
            W[l][...], b[l][...] = init_dense(fan_in, fan_out, act, rng, self.dtype)
            self.layers.append(Dense(W[l], b[l], dW=dW[l], db=db[l]))
        self.acts = [Activation(activation) for _ in self.layers[:-1]]
        self.penalty = None
        self.history_ = {}

    # -- parameters ---------------------------------------------------------
    @property
    def n_layers(self):
        """Number of Dense layers (hidden layers + output layer)."""
        return len(self.layers)

    def parameters(self):
        """The live arrays ``[W1, b1, ..., WL, bL]`` (modifying them modifies the model)."""
        return list(self.store.arrays)

    def set_parameters(self, params):
        """Copy ``params`` (a list shaped like :meth:`parameters`) into the model; returns self."""
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
        n = check_int(n_layers, "n_layers", minimum=0, maximum=self.n_layers)
        for l, layer in enumerate(self.layers):
            layer.frozen = l < n
        return self

    def copy(self):
        """An independent deep copy (parameters, frozen flags, penalty reference, history)."""
        new = MLP(self.sizes, self.activation, self.task, seed=0, dtype=self.dtype)
        new.set_parameters(self.parameters())
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
            return check_labels(y, name, n_classes=k, n=n)
        y = check_array(y, name, ndim=(1, 2), dtype=self.dtype)
        if y.ndim == 1:
            y = y[:, None]
        if y.shape[1] != k:
            raise ValueError(f"{name} has {y.shape[1]} target column(s) but the network has {k} outputs")
        if y.shape[0] != n:
            raise ValueError(f"{name} has {y.shape[0]} rows but X has {n}; they must have one target per sample")
        return y

    # -- forward / backward ------------------------------------------------
    def _forward(self, X, start=0, check=True):
        """Network output (logits for a classifier), caching what backward needs (layers ``start``..L)."""
        H = X
        for l in range(start, self.n_layers - 1):
            H = self.acts[l].forward(self.layers[l].forward(H, check))  # Eqs. (3.1)-(3.2)
        return self.layers[-1].forward(H, check)  # Eq. (3.1), linear output

    def _backward(self, dZ, stop=0):
        """Backpropagate dZ_L down to layer ``stop``, filling each layer's dW, db."""
        for l in range(self.n_layers - 1, stop - 1, -1):
            dH = self.layers[l].backward(dZ, need_dX=l > stop)  # Eqs. (3.6)-(3.8)
            if l > stop:
                dZ = self.acts[l - 1].backward(dH)  # Eq. (3.9)

    def loss_and_gradients(self, X, y):
        """``(loss, grads)`` with ``grads`` shaped like :meth:`parameters` -- one backprop pass.

        The loss is Eq. (3.3) or (3.4) of notebook 03 plus ``penalty.value`` if a
        penalty is attached; gradients follow Eqs. (3.5)-(3.9) (frozen layers too:
        these are the mathematical gradients, the optimizer decides what moves).
        """
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        loss, dZ = loss_and_output_gradient(self._forward(X), y, self.task)  # Eqs. (3.3)-(3.5)
        self._backward(dZ)
        grads = [g.copy() for g in self.store.grads]
        if self.penalty is not None:
            params = self.parameters()
            loss += self.penalty.value(params)
            for g, gp in zip(grads, self.penalty.gradients(params)):
                if gp is not None:
                    g += gp
        return loss, grads

    # -- training -----------------------------------------------------------
    def fit(self, X, y, epochs=None, batch_size=32, lr=None, optimizer="adam", seed=0, X_val=None, y_val=None,
            callback=None, max_steps=MAX_STEPS, tol=1e-4, n_iter_no_change=10):
        """Mini-batch training from the current parameters until the training loss levels off; returns self.

        Each epoch shuffles the samples with ``np.random.default_rng(seed)`` and
        takes one optimiser step per batch of ``batch_size`` (Adam, or SGD with
        momentum 0.9; ``lr`` defaults to 1e-3 for Adam and 1e-2 for SGD), each
        followed by ``penalty.prox``, the penalty's closed-form step. Frozen
        layers never move; a frozen prefix of layers is evaluated once.

        **Budget and stopping, the same for every n.** Every ``CHECK_EVERY`` = 50
        optimiser steps (rounded up to whole epochs) the training objective
        (the mean loss over those epochs plus the penalty) is compared with the best so
        far; after ``n_iter_no_change`` checks in a row without an improvement
        larger than ``tol`` (times :func:`~tlearn.optim.loss_scale`, so the units
        of y do not matter) the fit has converged and stops. At most
        ``max_steps`` optimiser steps are taken; running out first issues a
        ``sklearn.exceptions.ConvergenceWarning``. ``n_steps_`` and
        ``converged_`` report what happened.

        ``epochs`` (an int) trains exactly that many epochs, with no plateau stop
        and no warning; ``converged_`` still says whether the plateau was met.

        ``history_`` gets, per epoch, ``"loss"`` (mean training loss over the
        epoch's batches, without penalty) and, when ``X_val, y_val`` are given,
        ``"val_loss"`` (and ``"val_accuracy"`` for classification).
        ``callback(epoch, history)`` is called after every epoch.
        """
        X, y, X_val, y_val = self._check_fit_data(X, y, X_val, y_val)
        opt_name = check_option(optimizer, "optimizer", ("adam", "sgd"))
        lr = (1e-3 if opt_name == "adam" else 1e-2) if lr is None else check_real(lr, "lr", minimum=0,
                                                                                    strict=(True, False))
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be callable as callback(epoch, history), got {callback!r}")
        plan = {
            "batch_size": check_positive_int(batch_size, "batch_size"),
            "epochs": None if epochs is None else check_positive_int(epochs, "epochs"),
            "max_steps": check_positive_int(max_steps, "max_steps"),
            "plateau": Plateau(check_real(tol, "tol", minimum=0) * loss_scale(y, self.task),
                               check_positive_int(n_iter_no_change, "n_iter_no_change")),
            "rng": check_seed(seed), "callback": callback, "X_val": X_val, "y_val": y_val,
        }
        opt = (Adam if opt_name == "adam" else SGD)(self.store.theta, lr=lr)
        with threadpool_limits(limits=1, user_api="blas"):  # small batches: BLAS threads only add overhead
            self._train(X, y, opt, plan)
        if plan["epochs"] is None and not self.converged_:
            warnings.warn(f"MLP.fit used its budget of max_steps={plan['max_steps']} optimiser steps before the "
                          f"training loss levelled off (tol={tol}); raise max_steps or lr, or scale the data",
                          ConvergenceWarning, stacklevel=2)
        return self

    def _check_fit_data(self, X, y, X_val, y_val):
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        if X_val is not None or y_val is not None:
            if X_val is None or y_val is None:
                raise ValueError("give both X_val and y_val (or neither)")
            X_val = self._check_X(X_val, "X_val")
            y_val = self._check_y(y_val, X_val.shape[0], "y_val")
        return X, y, X_val, y_val

    def _train(self, X, y, opt, plan):
        """The epoch loop of :meth:`fit`: steps, history, plateau test, budget."""
        start = next((l for l, layer in enumerate(self.layers) if not layer.frozen), self.n_layers - 1)
        Xs = self._hidden_upto(X, start)  # layers below the first trainable one never change
        masks = self._masks()
        n = X.shape[0]
        steps_per_epoch = math.ceil(n / plan["batch_size"])
        every = math.ceil(CHECK_EVERY / steps_per_epoch)  # epochs between two plateau checks
        self.history_ = {"loss": []}
        if plan["X_val"] is not None:
            self.history_["val_loss"] = []
            if self.task == "classification":
                self.history_["val_accuracy"] = []
        self.n_steps_, self.converged_, epoch = 0, False, 0
        while True:
            loss = self._epoch(Xs, y, plan["rng"].permutation(n), plan["batch_size"], start, opt, masks)
            self._record(loss, epoch, plan)
            epoch += 1
            if not masks["any"]:  # everything frozen: nothing can change
                self.converged_ = True
            elif epoch % every == 0 and not self.converged_:
                window = float(np.mean(self.history_["loss"][-every:]))  # the mean since the last check
                self.converged_ = plan["plateau"].update(self._objective(window))
            if plan["epochs"] is not None:
                if epoch >= plan["epochs"]:
                    break
            elif self.converged_ or self.n_steps_ >= plan["max_steps"]:
                break

    def _epoch(self, Xs, y, perm, batch_size, start, opt, masks):
        """One pass over the shuffled data; returns the mean training loss (Eq. (3.3) or (3.4)).

        With a single batch the batch is the whole (unshuffled) data set: the same gradient, no copy.
        """
        total, n, grad = 0.0, len(perm), masks["grad"]
        for s in range(0, n, batch_size):
            rows = perm[s:s + batch_size]
            Xb, yb = (Xs, y) if n <= batch_size else (Xs[rows], y[rows])
            loss, dZ = loss_and_output_gradient(self._forward(Xb, start, check=False), yb, self.task, check=False)
            total += loss * len(rows)
            if masks["any"]:
                self._backward(dZ, stop=start)  # Eqs. (3.5)-(3.9)
                if grad is not self.store.grad:
                    np.multiply(self.store.grad, masks["trainable"], out=grad)  # the frozen mask
                penalised_step(opt, grad, self.penalty, masks["anchor"], masks["penalised"])  # then Eq. (4.3)
                self.n_steps_ += 1
        return total / n

    def _masks(self):
        """The frozen mask (1 = trainable) and, with a penalty, its anchors and penalised entries, laid out flat."""
        flags = [not layer.frozen for layer in self.layers for _ in ("W", "b")]
        masks = {"trainable": self.store.flat(flags), "anchor": None, "penalised": None, "any": any(flags)}
        masks["grad"] = self.store.grad if all(flags) else np.empty_like(self.store.grad)  # masked gradient buffer
        if self.penalty is not None:
            anchors = list(self.penalty.anchors)
            if len(anchors) != 2 * self.n_layers:
                raise ValueError(f"penalty.anchors has {len(anchors)} entries, expected {2 * self.n_layers} "
                                 "(one per parameter, None for unpenalised)")
            masks["anchor"] = self.store.flat(anchors)
            masks["penalised"] = self.store.flat([f and a is not None for f, a in zip(flags, anchors)])
        return masks

    def _objective(self, loss):
        return loss if self.penalty is None else loss + self.penalty.value(self.parameters())

    def _record(self, loss, epoch, plan):
        self.history_["loss"].append(loss)
        if plan["X_val"] is not None:
            Z = self._forward(plan["X_val"])
            self.history_["val_loss"].append(loss_and_output_gradient(Z, plan["y_val"], self.task)[0])
            if self.task == "classification":
                self.history_["val_accuracy"].append(float(np.mean(Z.argmax(axis=1) == plan["y_val"])))
        if plan["callback"] is not None:
            plan["callback"](epoch, self.history_)

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
        lay = check_int(layer, "layer")
        lay = n_hidden if lay == -1 else lay
        if not 1 <= lay <= n_hidden:
            raise ValueError(f"layer must be in 1..{n_hidden} or -1 for the last hidden layer, got {layer}")
        return self._hidden_upto(self._check_X(X), lay).copy()

    # -- persistence ------------------------------------------------------------
    def save(self, path):
        """Write the model to ``path`` (``.npz`` added if missing); see :func:`tlearn.model_io.save_model`."""
        return model_io.save_model(self, path)

    @classmethod
    def load(cls, path):
        """Read a file written by :meth:`save`; see :func:`tlearn.model_io.load_model`."""
        return model_io.load_model(path, cls)

    def __repr__(self):
        return f"MLP(sizes={self.sizes}, activation={self.activation!r}, task={self.task!r})"
