"""tlearn: transfer learning you can read, derive and trust.

Parameter transfer (notebook 01), feature transfer (02), backprop and deep
transfer (03, 04). The maths modules import NumPy and scikit-learn only;
:mod:`tlearn.widgets` adds the interactive explorers.
"""
from . import datasets, theory
from .ridge import RidgePath, TransferRidge, TransferRidgeCV, ridge_fit
from .features import FeatureTransfer, FeatureTransferClassifier, StackingTransfer, SubspaceExtractor

from .mlp import MLP
from .finetune import fine_tune
from . import backprop

__version__ = "0.1.0"
__all__ = ["ridge_fit", "RidgePath", "TransferRidge", "TransferRidgeCV", "theory", "datasets"]
__all__ += ["FeatureTransfer", "FeatureTransferClassifier", "StackingTransfer", "SubspaceExtractor"]
__all__ += ["MLP", "fine_tune"]
__all__ += ["backprop"]
from . import evaluation
__all__ += ["evaluation"]
