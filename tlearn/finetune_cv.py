r"""Choosing how to transfer with few labels: :class:`FineTuneCV` (notebook 04, section 4.7).

The deep twin of :class:`tlearn.TransferRidgeCV`. Every candidate -- "scratch"
(no transfer), "head", "freeze", "full" and L2-SP at each λ of a grid -- is
scored by cross-validation **on the labelled target sample only**, and the
winner is refitted on all of it. No test set is involved, so this is how one
answers "should I transfer, and how?" with a handful of labels.

The two limits of L2-SP (Eq. (4.1) of notebook 04) are not fitted twice: λ = 0
*is* "full" (bit for bit) and λ = ∞ keeps every transferred layer at the
source and fits a new output layer -- the convex "head", solved exactly.

Folds: stratified K-fold for a classifier (K = ``cv``, lowered to the size of
the smallest class), plain shuffled K-fold for regression, and leave-one-out
when the sample is tiny (fewer than 2 samples per fold, or a single label per
class). A fold's score is its accuracy (classification) or minus its mean
squared error (regression): higher is better. ``cv_scores_`` holds the mean
over folds and its standard error std/√K.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import KFold, LeaveOneOut, StratifiedKFold

from ._validation import check_array, check_int, check_labels, check_lam, check_option, check_seed
from .finetune import STRATEGIES, fine_tune
from .mlp import MLP

__all__ = ["FineTuneCV", "DEFAULT_LAMS"]

#: The default L2-SP grid (mean-loss scale of chapters 3-4): 0 = "full", ∞ = "head".
DEFAULT_LAMS = (0.0, 0.01, 0.1, 1.0, np.inf)


def _label(strategy, lam):
    if strategy != "l2sp":
        return strategy
    return f"l2sp λ={lam:g}" if np.isfinite(lam) else "l2sp λ=inf"


class FineTuneCV(BaseEstimator):
    r"""Pick the fine-tuning strategy (and L2-SP's λ) by cross-validation on the target; refit the winner.

    Parameters
    ----------
    source_model : tlearn.MLP
        The pre-trained source network (never modified).
    strategies : tuple of str
        Candidates from :data:`tlearn.finetune.STRATEGIES`; "scratch" is the
        no-transfer baseline and is always kept.
    lams : tuple of float
        L2-SP λ grid (Eq. (4.1) of notebook 04), 0 and ``np.inf`` allowed: λ = 0 is
        scored as "full" and λ = ∞ as "head" (the limits of Eq. (4.1)).
    cv : int
        Number of folds K (see the module docstring for stratification and LOO).
    n_frozen : int
        Leading layers kept fixed by "freeze".
    seed : int
        Seed of the fold split and of every fine-tuning run.
    fit_options : dict or None
        Extra keyword arguments for :func:`tlearn.fine_tune` (e.g. ``max_steps``, ``lr``).

    Attributes
    ----------
    candidates_ : list of (strategy, lam)
    cv_scores_ : dict  label -> (mean, standard error) of the fold scores
    fold_scores_ : dict  label -> array of the K fold scores
    best_strategy_, best_lam_ : the winner (``best_lam_`` is 0 for "full", ∞ for
        "head", the λ for "l2sp", None otherwise)
    transfer_ : bool, False when "scratch" wins
    best_model_ : the winner refitted on all of (X, y)
    n_splits_ : number of folds used;  cv_kind_ : "stratified", "kfold" or "loo"
    """

    def __init__(self, source_model, strategies=STRATEGIES, lams=DEFAULT_LAMS, cv=5, n_frozen=1, seed=0,
                 fit_options=None):
        self.source_model = source_model
        self.strategies = strategies
        self.lams = lams
        self.cv = cv
        self.n_frozen = n_frozen
        self.seed = seed
        self.fit_options = fit_options

    def _candidates(self):
        strategies = [self.strategies] if isinstance(self.strategies, str) else list(self.strategies)
        strategies = [check_option(s, "strategies", STRATEGIES) for s in strategies]
        if "scratch" not in strategies:
            strategies.insert(0, "scratch")  # the no-transfer baseline is always a candidate
        out = []
        for s in dict.fromkeys(strategies):
            if s != "l2sp":
                out.append((s, None))
                continue
            for lam in self.lams:
                lam = check_lam(lam, allow_inf=True)
                s_lam = "full" if lam == 0 else "head" if np.isinf(lam) else "l2sp"  # the limits of Eq. (4.1)
                cand = (s_lam, None) if s_lam != "l2sp" else ("l2sp", float(lam))
                if cand not in out:
                    out.append(cand)
        return out

    def _splits(self, X, y):
        n, k = X.shape[0], check_int(self.cv, "cv", minimum=2)
        rng_state = int(check_seed(self.seed).integers(2**31 - 1))
        if self.source_model.task == "classification":
            smallest = int(np.min(np.bincount(y)[np.unique(y)]))
            if smallest >= 2:
                k = min(k, smallest)
                return "stratified", list(StratifiedKFold(k, shuffle=True, random_state=rng_state).split(X, y))
        elif n >= 2 * k:
            return "kfold", list(KFold(k, shuffle=True, random_state=rng_state).split(X))
        return "loo", list(LeaveOneOut().split(X))

    def _fit_one(self, strategy, lam, X, y, n_classes):
        options = dict(self.fit_options or {})
        if n_classes is not None:
            options["n_classes"] = n_classes
        return fine_tune(self.source_model, X, y, strategy=strategy, lam=1.0 if lam is None else lam,
                         n_frozen=self.n_frozen, seed=self.seed, **options)

    def _fold_score(self, model, X, y):
        if model.task == "classification":
            return float(np.mean(model.predict(X) == y))
        pred = model.predict(X).reshape(len(X), -1)
        return -float(np.mean((pred - y.reshape(len(X), -1)) ** 2))

    def fit(self, X, y):
        """Score every candidate by cross-validation on (X, y), then refit the best on all of it; returns self."""
        if not isinstance(self.source_model, MLP):
            raise TypeError(f"source_model must be a tlearn.MLP, got {type(self.source_model).__name__}")
        X = check_array(X, "X", ndim=2)
        if self.source_model.task == "classification":
            y = check_labels(y, "y", n=X.shape[0])
            n_classes = int(y.max()) + 1
        else:
            y = check_array(y, "y", ndim=(1, 2))
            n_classes = None
        if X.shape[0] < 2:
            raise ValueError(f"FineTuneCV needs at least 2 labelled samples to cross-validate, got {X.shape[0]}")
        self.candidates_ = self._candidates()
        self.cv_kind_, splits = self._splits(X, y)
        self.n_splits_ = len(splits)
        self.fold_scores_, self.cv_scores_ = {}, {}
        for strategy, lam in self.candidates_:
            scores = np.array([self._fold_score(self._fit_one(strategy, lam, X[tr], y[tr], n_classes), X[te], y[te])
                               for tr, te in splits])
            name = _label(strategy, lam)
            self.fold_scores_[name] = scores
            self.cv_scores_[name] = (float(scores.mean()), float(scores.std(ddof=1) / np.sqrt(len(scores))))
        best = max(range(len(self.candidates_)), key=lambda i: self.cv_scores_[_label(*self.candidates_[i])][0])
        self.best_strategy_, lam = self.candidates_[best]
        self.best_lam_ = {"full": 0.0, "head": np.inf, "l2sp": lam}.get(self.best_strategy_)
        self.transfer_ = self.best_strategy_ != "scratch"
        self.best_model_ = self._fit_one(self.best_strategy_, lam, X, y, n_classes)
        return self

    def _check_fitted(self):
        if not hasattr(self, "best_model_"):
            raise ValueError("this FineTuneCV is not fitted yet: call fit(X, y) first")

    def predict(self, X):
        """Predictions of the refitted winner (class labels or outputs)."""
        self._check_fitted()
        return self.best_model_.predict(X)

    def predict_proba(self, X):
        """Class probabilities of the refitted winner (classification only)."""
        self._check_fitted()
        return self.best_model_.predict_proba(X)

    def score(self, X, y):
        """Accuracy (classification) or R² (regression) of the refitted winner."""
        self._check_fitted()
        return self.best_model_.score(X, y)

    def summary(self):
        """One line: the winner, its CV score ± SE, and scratch's."""
        self._check_fitted()
        best = _label(self.best_strategy_, self.best_lam_ if self.best_strategy_ == "l2sp" else None)
        (m, se), (m0, se0) = self.cv_scores_[best], self.cv_scores_["scratch"]
        return (f"FineTuneCV picks {best} (CV score {m:.3f} ± {se:.3f}; scratch {m0:.3f} ± {se0:.3f}; "
                f"{self.n_splits_} {self.cv_kind_} folds)")
