"""Input checks shared by every tlearn module: one place for error messages.

Every public function validates its arguments here, so a user sees a
``ValueError``/``TypeError`` that names the argument, says what was expected and
what was received -- never a raw NumPy traceback or a silently wrong number.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "check_array",
    "check_X",
    "check_X_y",
    "check_lam",
    "check_prior",
    "check_sample_weight",
    "check_positive_int",
    "check_seed",
]


def _describe(value):
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"{type(value).__name__} of shape {tuple(shape)}"
    return repr(value) if not isinstance(value, (list, tuple)) else f"{type(value).__name__} of length {len(value)}"


def check_array(a, name, ndim=(1, 2), allow_empty=False, dtype=np.float64):
    """Convert ``a`` to a finite float array of the allowed dimensions.

    Raises ``TypeError`` for non-numeric data and ``ValueError`` for a wrong
    number of dimensions, an empty array or NaN/inf entries.
    """
    if a is None:
        raise TypeError(f"{name} is None; expected an array of numbers")
    if hasattr(a, "dtype") and hasattr(a, "to_numpy") and not isinstance(a, np.ndarray):
        a = a.to_numpy()  # pandas objects
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be converted to an array: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(
            f"{name} must contain numbers, got an array of dtype {arr.dtype!s}; "
            "convert strings/categories to numbers first"
        )
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real-valued, got complex dtype {arr.dtype!s}")
    ndims = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if arr.ndim not in ndims:
        want = " or ".join(f"{k}-D" for k in ndims)
        raise ValueError(f"{name} must be {want}, got a {arr.ndim}-D array of shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); expected at least one value")
    arr = arr.astype(dtype, copy=False)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); remove or impute them first")
    return arr


def check_X(X, name="X"):
    """A 2-D finite float array with at least one row and one column."""
    X = check_array(X, name, ndim=2)
    if X.shape[1] == 0:
        raise ValueError(f"{name} has 0 features (shape {X.shape}); expected at least one column")
    return X


def check_X_y(X, y, X_name="X", y_name="y", y_ndim=(1, 2)):
    """Check X (n, d) and y (n,) or (n, k) and that their lengths agree."""
    X = check_X(X, X_name)
    y = check_array(y, y_name, ndim=y_ndim)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"{y_name} has {y.shape[0]} rows but {X_name} has {X.shape[0]}; "
            "they must have one target per sample"
        )
    return X, y


def check_lam(lam, name="lam", allow_inf=False, allow_array=False):
    """A non-negative regularisation strength (float, or 1-D array if allowed)."""
    if isinstance(lam, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number, got a bool ({lam!r})")
    arr = np.asarray(lam)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be a non-negative number, got {_describe(lam)}")
    if arr.ndim > (1 if allow_array else 0):
        what = "a number or a 1-D array" if allow_array else "a single number"
        raise ValueError(f"{name} must be {what}, got an array of shape {arr.shape}")
    arr = arr.astype(np.float64)
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} is NaN; expected a non-negative number")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {lam!r}")
    if not allow_inf and np.any(np.isinf(arr)):
        raise ValueError(f"{name} must be finite here, got {lam!r}")
    return arr if arr.ndim else float(arr)


def check_prior(prior, d, k=None, name="prior", X_name="X"):
    """Prior coefficients shaped (d,) or (d, k) -- or None for zero.

    ``k`` is the number of targets (None when y is 1-D). A (d,) prior with a
    2-D y is broadcast to every target.
    """
    if prior is None:
        return None
    p = check_array(prior, name, ndim=(1, 2))
    if p.shape[0] != d:
        raise ValueError(
            f"{name} has shape {p.shape}, expected ({d},) to match {X_name}'s {d} features"
        )
    if p.ndim == 2:
        if k is None:
            if p.shape[1] != 1:
                raise ValueError(f"{name} has shape {p.shape}, expected ({d},) for a 1-D target")
            p = p[:, 0]
        elif p.shape[1] != k:
            raise ValueError(f"{name} has shape {p.shape}, expected ({d}, {k}) to match y's {k} targets")
    elif k is not None:
        p = np.repeat(p[:, None], k, axis=1)
    return p


def check_sample_weight(sample_weight, n, name="sample_weight"):
    """Non-negative finite weights of length n (None means all ones), not all zero."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n, float(sample_weight))
    w = check_array(sample_weight, name, ndim=1)
    if w.shape[0] != n:
        raise ValueError(f"{name} has {w.shape[0]} entries but X has {n} rows")
    if np.any(w < 0):
        raise ValueError(f"{name} must be >= 0, got a minimum of {w.min()!r}")
    if not np.any(w > 0):
        raise ValueError(f"{name} is all zero; at least one sample needs a positive weight")
    return w


def check_positive_int(value, name, minimum=1):
    """An integer >= minimum (bools rejected)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_seed(seed, name="seed"):
    """A ``np.random.Generator`` from an int seed, None, or an existing Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(f"{name} must be an int, None or numpy.random.Generator, got {seed!r}")
