r"""Feature transfer: a representation learned on the source, a ridge head on the target.

Notebook 02. Instead of the source *parameters*, transfer a feature map
:math:`\varphi` learned where data are plentiful, and fit only a small ridge
head :math:`v` on the few target samples (Eqs. (2.1)-(2.2)):

.. math:: \Phi = \varphi(X) \in \mathbb{R}^{n\times k}, \qquad
          \hat v = (\Phi^\top\Phi + \lambda I)^{-1}\Phi^\top y .

Three ways to get :math:`\varphi` are provided: any fitted transformer
(scikit-learn's ``PCA`` as is), the subspace shared by many source tasks
(:class:`SubspaceExtractor`, Eq. (2.4)), or the hidden layer of a trained
:class:`tlearn.MLP`. :class:`StackingTransfer` is the simplest feature
transfer of all: the source model's prediction as one extra feature (Eq. (2.8)).

Every head is solved by :mod:`tlearn.ridge` -- there is no second ridge
implementation here.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import check_array, check_bool, check_X, check_X_y, check_y_given
from .ridge import TransferRidge, TransferRidgeCV
from .subspace import SubspaceExtractor  # re-exported: it lives in its own module

__all__ = ["FeatureTransfer", "FeatureTransferClassifier", "StackingTransfer", "SubspaceExtractor",
           "extract_features"]


# --------------------------------------------------------------------------- extractors
def _name(obj):
    """How an extractor is named in messages: a function by its name, an object by its class."""
    if callable(obj) and not hasattr(obj, "fit") and hasattr(obj, "__name__"):
        return obj.__name__
    return type(obj).__name__


def _check_extractor_fitted(extractor, name):
    """NotFittedError naming the argument when a fit-able extractor is not fitted."""
    if not isinstance(extractor, BaseEstimator):  # e.g. a tlearn.MLP: usable from construction on
        return
    try:
        check_is_fitted(extractor)
    except NotFittedError:
        raise NotFittedError(
            f"{name} {_name(extractor)} is not fitted; fit it on the source data before "
            f"passing it as {name} (scikit-learn's clone(), used by cross_val_score and "
            "GridSearchCV, re-creates it unfitted: wrap it in sklearn.frozen.FrozenEstimator)"
        ) from None


def extract_features(extractor, X, layer=-1, name="extractor", X_name="X"):
    r"""The representation :math:`\Phi = \varphi(X)`, Eq. (2.1) of notebook 02.

    ``extractor`` is ``None`` (identity), a trained :class:`tlearn.MLP` (read
    the activations after hidden layer ``layer`` via ``MLP.hidden``), any
    fitted object with ``transform(X)`` (e.g. ``sklearn.decomposition.PCA``),
    or a callable ``X -> Phi``. Returns a finite ``(n, k)`` float array and
    raises a clear error when the extractor is not fitted, expects a different
    number of features, returns the wrong number of rows, or returns NaN.
    """
    X = check_X(X, X_name)
    if extractor is None:
        return X
    expected = getattr(extractor, "n_features_in_", None)
    if hasattr(extractor, "hidden") and callable(extractor.hidden):
        # An MLP has weights from construction on (random features are features too).
        expected = expected if expected is not None else _mlp_inputs(extractor)
        _check_n_features(X, expected, name, X_name, extractor)
        Phi = extractor.hidden(X, layer=layer)  # Eq. (2.1)
    elif hasattr(extractor, "transform"):
        _check_extractor_fitted(extractor, name)
        _check_n_features(X, expected, name, X_name, extractor)
        Phi = extractor.transform(X)  # Eq. (2.1)
    elif callable(extractor):
        Phi = extractor(X)  # Eq. (2.1)
    else:
        raise TypeError(
            f"{name} must be None, a fitted object with transform(X), a trained tlearn.MLP "
            f"or a callable; got {type(extractor).__name__}"
        )
    Phi = check_array(Phi, f"the features {name}({X_name})", ndim=(1, 2), allow_empty=True)
    if Phi.ndim == 1:
        Phi = Phi[:, None]
    if Phi.shape[0] != X.shape[0]:
        raise ValueError(
            f"{name} returned {Phi.shape[0]} rows for {X_name} with {X.shape[0]} rows; "
            "a feature map must return one row per sample"
        )
    if Phi.shape[1] == 0:
        raise ValueError(f"{name} returned 0 features (shape {Phi.shape}); expected at least one column")
    return Phi


def _mlp_inputs(mlp):
    sizes = getattr(mlp, "sizes", None)
    try:
        return int(sizes[0])
    except (TypeError, IndexError, ValueError):
        return None


def _check_n_features(X, expected, name, X_name, extractor):
    if expected is not None and X.shape[1] != int(expected):
        raise ValueError(
            f"{X_name} has {X.shape[1]} features but {name} {_name(extractor)} expects "
            f"{int(expected)}; pass data with the columns the extractor was fitted on"
        )


# --------------------------------------------------------------------------- heads
class _RidgeHead(BaseEstimator):
    """Shared fit/predict: ridge head (Eq. (2.2)) on features from ``_features``."""

    def __init__(self, extractor=None, lam=1.0, fit_intercept=True, layer=-1, lams=None, source_coef=None):
        self.extractor = extractor
        self.lam = lam
        self.fit_intercept = fit_intercept
        self.layer = layer
        self.lams = lams
        self.source_coef = source_coef

    def _features(self, X, X_name="X"):
        return extract_features(self.extractor, X, layer=self.layer, X_name=X_name)

    def _head(self):
        prior = getattr(self, "source_coef", None)
        if self.lams is not None:
            return TransferRidgeCV(lams=self.lams, source_coef=prior, fit_intercept=self.fit_intercept)
        return TransferRidge(lam=self.lam, source_coef=prior, fit_intercept=self.fit_intercept)

    def _fit_head(self, X, Y, sample_weight):
        Phi = self._features(X)
        head = self._head()
        head.fit(Phi, Y, sample_weight=sample_weight)  # Eq. (2.2)
        self.head_ = head
        self.coef_ = head.coef_
        self.intercept_ = head.intercept_
        self.lam_ = head.lam_ if self.lams is not None else head.lam
        self.n_components_ = Phi.shape[1]
        return self

    def _check_predict_X(self, X):
        check_is_fitted(self, "head_")
        check_X(X, "X")
        return validate_data(self, X, reset=False, dtype=np.float64)  # feature-count check

    def features(self, X):
        r"""The features :math:`\Phi = \varphi(X)` the head sees, Eq. (2.1) of notebook 02."""
        return self._features(self._check_predict_X(X))

    def _decision(self, X):
        Phi = self.features(X)  # checks fitted first
        return self.head_.predict(Phi)


class FeatureTransfer(RegressorMixin, _RidgeHead):
    r"""A ridge head on transferred features, Eqs. (2.1)-(2.2) of notebook 02.

    .. math:: \Phi = \varphi(X), \qquad
              \hat v = (\Phi^\top\Phi + \lambda I)^{-1}\Phi^\top y,
              \qquad \hat y = \varphi(x)^\top \hat v + b

    (with ``fit_intercept`` the intercept :math:`b` is not penalised: the head
    is fitted to centred features and targets by :class:`tlearn.TransferRidge`).

    Parameters
    ----------
    extractor : None, fitted transformer, trained tlearn.MLP or callable
        The feature map :math:`\varphi`, used as is (never refitted): see
        :func:`extract_features`. ``None`` is the identity (plain ridge).
    lam : float >= 0
        Ridge strength of the head (``inf`` allowed).
    fit_intercept : bool
    layer : int
        Which hidden layer of an MLP extractor to read (1-based, -1 = last).
    lams : None or array of float
        If given, λ is chosen among ``lams`` by exact leave-one-out
        (:class:`tlearn.TransferRidgeCV`) and ``lam`` is ignored.
    source_coef : None or array (n_components,) / (n_targets, n_components)
        Pull the head toward these weights instead of 0 -- parameter transfer
        on the features, Eq. (1.4) of notebook 01. With ``extractor=None``
        this is exactly :class:`tlearn.TransferRidge` (with ``lams``,
        :class:`tlearn.TransferRidgeCV`, which by default also lets leave-one-out
        fall back to plain ridge when the prior does not help).

    Attributes
    ----------
    coef_ : (n_components_,) or (n_targets, n_components_) head weights :math:`\hat v`.
    intercept_, lam_, n_features_in_, n_components_, head_
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # a 2-D y fits one head per column
        return tags

    def fit(self, X, y, sample_weight=None):
        """Map X through the extractor and fit the ridge head (Eq. (2.2) of notebook 02)."""
        check_X_y(X, y)  # our messages first, then scikit-learn's bookkeeping
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=np.float64)
        return self._fit_head(X, y, sample_weight)

    def predict(self, X):
        r""":math:`\varphi(X)\hat v + b`."""
        return self._decision(X)


class FeatureTransferClassifier(ClassifierMixin, _RidgeHead):
    r"""One-vs-rest ridge classification on transferred features, Eq. (2.2) of notebook 02.

    Each class :math:`c` gets the ridge head of Eq. (2.2) fitted to the code
    :math:`+1` (sample in class :math:`c`) / :math:`-1` (otherwise); the
    prediction is the class with the largest score. With two classes a single
    head on :math:`\pm 1` is fitted, as in scikit-learn's ``RidgeClassifier``.
    Parameters are those of :class:`FeatureTransfer`; ``source_coef`` is then
    one row of head weights per class, shaped like ``coef_``.
    """

    def fit(self, X, y, sample_weight=None):
        """Fit one ridge head per class on the ±1 codes of ``y``."""
        check_X(X, "X")  # our messages first, then scikit-learn's bookkeeping
        check_y_given(y)
        X, y = validate_data(self, X, y, dtype=np.float64)  # 1-D labels, one per row
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        Y = np.where(codes[:, None] == np.arange(len(self.classes_)), 1.0, -1.0)
        if len(self.classes_) <= 2:
            Y = Y[:, -1]  # one head: +1 for the last class, -1 for the first
        return self._fit_head(X, Y, sample_weight)

    def decision_function(self, X):
        """Class scores: (n,) for two classes (positive = ``classes_[1]``), else (n, n_classes)."""
        return self._decision(X)

    def predict(self, X):
        """The class with the largest one-vs-rest score."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            if len(self.classes_) == 1:
                return np.repeat(self.classes_[0], scores.shape[0])
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]


class StackingTransfer(RegressorMixin, _RidgeHead):
    r"""The source model's prediction as an extra feature, Eq. (2.8) of notebook 02.

    .. math:: \varphi(x) = \bigl[\,x,\ f_A(x)\,\bigr] \in \mathbb{R}^{d+1}

    followed by the ridge head of Eq. (2.2). The head can use :math:`f_A` as
    much or as little as the target data say -- one coefficient decides how far
    to trust the source. With ``passthrough=False`` only :math:`f_A(x)` is
    used (a rescaled source model).

    Parameters
    ----------
    source : fitted estimator with ``predict`` or callable ``X -> (n,)``
        The source model :math:`f_A` (never refitted).
    lam, fit_intercept, lams : as in :class:`FeatureTransfer`.
    passthrough : bool
        Keep the raw features next to the source prediction.
    """

    def __init__(self, source=None, lam=1.0, fit_intercept=True, lams=None, passthrough=True):
        self.source = source
        self.lam = lam
        self.fit_intercept = fit_intercept
        self.lams = lams
        self.passthrough = passthrough

    def _features(self, X, X_name="X"):
        src = self.source
        if src is None:
            raise TypeError("source is None; pass a fitted source model (with predict) or a callable X -> (n,)")
        if hasattr(src, "predict"):
            _check_extractor_fitted(src, "source")
            _check_n_features(X, getattr(src, "n_features_in_", None), "source", X_name, src)
            f = src.predict(X)
        elif callable(src):
            f = src(X)
        else:
            raise TypeError(f"source must be a fitted model with predict(X) or a callable, got {type(src).__name__}")
        f = check_array(f, f"the source prediction source({X_name})", ndim=(1, 2))
        if f.ndim == 2:
            if f.shape[1] != 1:
                raise ValueError(f"source must predict one value per sample, got shape {f.shape}")
            f = f[:, 0]
        if f.shape[0] != X.shape[0]:
            raise ValueError(
                f"source returned {f.shape[0]} predictions for {X_name} with {X.shape[0]} rows"
            )
        passthrough = check_bool(self.passthrough, "passthrough")
        return np.column_stack([X, f]) if passthrough else f[:, None]  # Eq. (2.8)

    def fit(self, X, y, sample_weight=None):
        """Fit the ridge head on ``[X, f_A(X)]``."""
        check_X_y(X, y)  # our messages first, then scikit-learn's bookkeeping
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        return self._fit_head(X, y, sample_weight)

    def predict(self, X):
        r""":math:`[X, f_A(X)]\hat v + b`."""
        return self._decision(X)
