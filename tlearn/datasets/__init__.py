"""Seeded synthetic transfer tasks and real data that ship with scikit-learn.

Nothing here downloads anything.
"""
from ._regression import TransferData, load_diabetes_transfer, make_transfer_regression
from ._subspace import SubspaceTasks, make_subspace_tasks
from ._multisource import MultiSourceData, load_diabetes_sources, make_multisource
from ._shift import CovariateShiftData, load_diabetes_shift, make_covariate_shift
from ._deep import DeepTransferData, load_digits_inverted, load_digits_split, make_shared_representation

__all__ = ["TransferData", "make_transfer_regression", "load_diabetes_transfer"]
__all__ += ["SubspaceTasks", "make_subspace_tasks"]
__all__ += ["DeepTransferData", "make_shared_representation", "load_digits_inverted", "load_digits_split"]
__all__ += ["CovariateShiftData", "make_covariate_shift", "load_diabetes_shift"]
__all__ += ["MultiSourceData", "make_multisource", "load_diabetes_sources"]
