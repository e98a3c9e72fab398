"""tlearn: transfer learning you can read, derive and trust.

Parameter transfer (notebook 01), feature transfer (02), backprop and deep
transfer (03, 04). The maths modules import NumPy, SciPy and scikit-learn only;
:mod:`tlearn.widgets` adds the interactive explorers.

The public names below are loaded on first use (PEP 562), so ``import tlearn``
stays quick; ``from tlearn import TransferRidge`` imports what that needs.
"""
from importlib import import_module

__version__ = "0.1.0"

#: public name -> the module that defines it
_WHERE = {
    "ridge_fit": "ridge", "RidgePath": "ridge", "TransferRidge": "ridge", "TransferRidgeCV": "ridge",
    "FeatureTransfer": "features", "FeatureTransferClassifier": "features",
    "StackingTransfer": "features", "SubspaceExtractor": "features",
    "MLP": "mlp", "fine_tune": "finetune", "FineTuneCV": "finetune_cv",
    "density_ratio": "domain", "DensityRatio": "domain", "effective_sample_size": "domain",
    "ImportanceWeightedRidgeCV": "domain", "CORAL": "domain", "SubspaceAlignment": "domain",
    "MultiSourceRidgeCV": "multisource",
}
_SUBMODULES = ("theory", "datasets", "backprop", "evaluation", "domain", "multisource")

__all__ = sorted(_WHERE) + list(_SUBMODULES)


def __getattr__(name):
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'tlearn' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
