"""Source/target pairs for deep transfer (notebook 04): one synthetic, two from the 8×8 digits.

* :func:`make_shared_representation` -- two regression tasks that read out the
  same random tanh features: transfer wins by a wide margin (the clean case).
* :func:`load_digits_inverted` -- a 10-class source on one half of the digits,
  a contrast-inverted target on the other half with a few labels per class
  (a helpful real shift).
* :func:`load_digits_split` -- digits 0–4 as source, 5–9 (relabelled 0–4) as
  target: scratch is strong and transfer hurts (negative transfer).

``source_seed`` fixes everything on the source side (so a source network is
pre-trained once), ``seed`` only draws the labelled target sample. The digits
ship with scikit-learn; nothing is downloaded.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .._validation import check_positive_int, check_seed
from ._regression import TransferSplit

__all__ = ["DeepTransferData", "make_shared_representation", "load_digits_inverted", "load_digits_split"]


@dataclass(repr=False)
class DeepTransferData(TransferSplit):
    """A source task, a small labelled target sample and a large target test set.

    ``task`` is ``"regression"`` or ``"classification"`` (integer labels from 0).
    """

    task: str
    name: str
    description: str

    def __repr__(self):
        return (f"DeepTransferData({self.name!r}, task={self.task!r}, source {self.X_source.shape}, "
                f"target {self.X_target.shape}, test {self.X_test.shape})")


def make_shared_representation(n_target=20, n_source=1000, n_test=1000, n_features=10, n_hidden=8,
                               n_source_outputs=16, noise=0.1, seed=0, source_seed=0):
    """Two regression tasks that are different readouts of the same tanh features.

    φ(x) = tanh(x A + c) with A (n_features × n_hidden) drawn from ``source_seed``;
    source targets Y = φ(X) B (``n_source_outputs`` columns), the target
    y = φ(x) β with its own readout β; both with Gaussian noise of standard
    deviation ``noise`` times the clean signal's. X ~ N(0, I). A network
    pre-trained on the source learns span φ, which is all the target needs.
    """
    for v, name in [(n_target, "n_target"), (n_source, "n_source"), (n_test, "n_test"),
                    (n_features, "n_features"), (n_hidden, "n_hidden"), (n_source_outputs, "n_source_outputs")]:
        check_positive_int(v, name)
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    g = check_seed(source_seed, "source_seed")
    A = g.standard_normal((n_features, n_hidden)) * (2.0 / np.sqrt(n_features))
    c = g.standard_normal(n_hidden) * 0.5
    B = g.standard_normal((n_hidden, n_source_outputs))
    beta = g.standard_normal(n_hidden)

    def phi(X):
        return np.tanh(X @ A + c)

    Xs = g.standard_normal((n_source, n_features))
    Ys = phi(Xs) @ B
    Ys += noise * Ys.std() * g.standard_normal(Ys.shape)
    Xtest = g.standard_normal((n_test, n_features))
    ftest = phi(Xtest) @ beta
    sd = ftest.std()
    ytest = ftest + noise * sd * g.standard_normal(n_test)
    r = check_seed(seed)
    Xt = r.standard_normal((n_target, n_features))
    yt = phi(Xt) @ beta + noise * sd * r.standard_normal(n_target)
    return DeepTransferData(Xs, Ys, Xt, yt, Xtest, ytest, "regression", "shared representation",
                            f"{n_source_outputs}-output source and 1-output target reading the same "
                            f"{n_hidden} tanh features of {n_features} inputs")


@functools.lru_cache(maxsize=1)
def _digits():
    """The 1797 scikit-learn digits scaled to [0, 1] (read once; read-only, callers index copies)."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X / 16.0, y.astype(np.intp)
    X.flags.writeable = y.flags.writeable = False
    return X, y


def _per_class_sample(y, n_per_class, rng):
    """Indices of ``n_per_class`` random samples of every class in y (sorted), and the rest."""
    chosen = []
    for k in np.unique(y):
        idx = np.flatnonzero(y == k)
        if n_per_class > idx.size:
            raise ValueError(f"n_per_class={n_per_class} but class {k} has only {idx.size} samples")
        chosen.append(rng.choice(idx, n_per_class, replace=False))
    chosen = np.sort(np.concatenate(chosen))
    rest = np.setdiff1d(np.arange(y.size), chosen)
    return chosen, rest


def load_digits_inverted(n_per_class=3, seed=0, source_seed=0):
    """10-class digits source on one half; contrast-inverted other half as target.

    Pixels are scaled to [0, 1]; the target images are 1 − x (white digits on
    black become black on white). ``n_per_class`` labelled target images per
    class are drawn with ``seed``; the rest of the target half is the test set.
    """
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    X, y = _digits()
    perm = check_seed(source_seed, "source_seed").permutation(y.size)
    src, tgt = np.sort(perm[: y.size // 2]), np.sort(perm[y.size // 2:])
    Xt, yt = 1.0 - X[tgt], y[tgt]
    train, test = _per_class_sample(yt, n_per_class, check_seed(seed))
    return DeepTransferData(X[src], y[src], Xt[train], yt[train], Xt[test], yt[test], "classification",
                            "digits → inverted digits",
                            "source: 10 classes on one half of the digits; target: the other half, "
                            f"contrast-inverted, {n_per_class} labels per class")


def load_digits_split(n_per_class=5, seed=0):
    """Digits 0–4 as source, digits 5–9 (relabelled 0–4) as target: a harmful transfer.

    ``n_per_class`` labelled target images per class are drawn with ``seed``;
    the other 5–9 images are the test set. Pixels scaled to [0, 1].
    """
    n_per_class = check_positive_int(n_per_class, "n_per_class")
    X, y = _digits()
    s = y < 5
    Xt, yt = X[~s], y[~s] - 5
    train, test = _per_class_sample(yt, n_per_class, check_seed(seed))
    return DeepTransferData(X[s], y[s], Xt[train], yt[train], Xt[test], yt[test], "classification",
                            "digits 0–4 → 5–9",
                            f"source: digits 0–4; target: digits 5–9 relabelled 0–4, {n_per_class} labels per class")
