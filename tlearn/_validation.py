"""Input checks shared by every tlearn module: one place for error messages.

Every public function validates its arguments here, so a user sees a
``ValueError``/``TypeError`` that names the argument, says what was expected and
what was received -- never a raw NumPy traceback or a silently wrong number.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["check_array", "check_X", "check_X_y", "check_y_given", "check_lam", "check_prior",
           "check_sample_weight", "check_positive_int", "check_int", "check_real", "check_bool",
           "check_option", "check_seed", "check_labels", "check_covariance", "check_nonnegative_array",
           "check_float_array", "check_two_layer_params", "check_target", "check_logits"]


def _describe(value):
    shape = getattr(value, "shape", None)
    if shape is not None:
        return f"{type(value).__name__} of shape {tuple(shape)}"
    return repr(value) if not isinstance(value, (list, tuple)) else f"{type(value).__name__} of length {len(value)}"


def _all_finite(a):
    """True if every entry of the numeric array ``a`` is finite, with no boolean copy of a large ``a``."""
    if a.size <= 4096:
        return bool(np.isfinite(a).all())
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(a.sum()):  # a finite sum: every entry is finite
            return True
    return bool(np.isfinite(a).all())  # NaN/inf, or finite entries whose sum overflows: look at them


def check_array(a, name, ndim=(1, 2), allow_empty=False, dtype=np.float64):
    """Convert ``a`` to a finite float array of the allowed dimensions.

    Raises ``TypeError`` for non-numeric data and ``ValueError`` for complex
    data, a wrong number of dimensions, an empty array or NaN/inf entries.
    """
    ndims = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if type(a) is np.ndarray and a.dtype == np.float64 and dtype in (np.float64, None) and a.size and a.ndim in ndims \
            and _all_finite(a):
        return a  # the common case, first: already a finite float array
    if a is None:
        raise TypeError(f"{name} is None; expected an array of numbers")
    if hasattr(a, "toarray") and hasattr(a, "nnz"):  # scipy.sparse
        raise TypeError(f"{name} is a sparse matrix; sparse input is not supported: convert it with .toarray() first")
    if hasattr(a, "dtype") and hasattr(a, "to_numpy") and not isinstance(a, np.ndarray):
        a = a.to_numpy()  # pandas objects
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be converted to an array: {exc}") from None
    if arr.dtype == object:  # e.g. numbers in a pandas object column: convert, or say why not
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must contain numbers, got an object array that does not convert ({exc})") from None
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(
            f"{name} must contain numbers, got an array of dtype {arr.dtype!s}; "
            "convert strings/categories to numbers first"
        )
    if np.iscomplexobj(arr):  # a ValueError with scikit-learn's wording, as its estimator checks expect
        raise ValueError(f"{name} must be real-valued: Complex data not supported (got dtype {arr.dtype!s})")
    if arr.ndim not in ndims:
        want = " or ".join(f"{k}-D" for k in ndims)
        hint = ("; Reshape your data with .reshape(-1, 1) (one feature) or .reshape(1, -1) (one sample)"
                if arr.ndim == 1 and ndims == (2,) else "")
        raise ValueError(f"{name} must be {want}, got a {arr.ndim}-D array of shape {arr.shape}{hint}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); expected at least one value")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    if not _all_finite(arr):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); remove or impute them first")
    return arr


def check_X(X, name="X"):
    """A 2-D finite float array with at least one row and one column."""
    X = check_array(X, name, ndim=2, allow_empty=True)
    for axis, what in ((0, "sample(s)"), (1, "feature(s)")):
        if X.shape[axis] == 0:  # scikit-learn's wording, which its estimator checks expect
            raise ValueError(f"{name} has 0 {what} (shape={X.shape}) while a minimum of 1 is required.")
    return X


def check_X_y(X, y, X_name="X", y_name="y", y_ndim=(1, 2)):
    """Check X (n, d) and y (n,) or (n, k) and that their lengths agree."""
    X = check_X(X, X_name)
    check_y_given(y, y_name)
    y = check_array(y, y_name, ndim=y_ndim)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"{y_name} has {y.shape[0]} rows but {X_name} has {X.shape[0]}; "
            "they must have one target per sample"
        )
    return X, y


def check_y_given(y, name="y"):
    """A ValueError (in scikit-learn's wording, which its estimator checks expect) when y is None."""
    if y is None:
        raise ValueError(f"fitting requires y to be passed, but the target {name} is None")


def check_lam(lam, name="lam", allow_inf=False, allow_array=False):
    """A non-negative regularisation strength (float, or 1-D array if allowed)."""
    if type(lam) is float and lam >= 0 and (allow_inf or lam != np.inf):  # the common case, first
        return lam
    if isinstance(lam, numbers.Real) and not isinstance(lam, (bool, np.bool_)):  # one plain number
        value = float(lam)
        if value >= 0 and (allow_inf or value != np.inf):
            return value  # anything else (NaN, < 0, inf) gets its message below
    if allow_array and type(lam) is np.ndarray and lam.dtype == np.float64 and lam.ndim == 1 and lam.size:
        if lam.min() >= 0 and (allow_inf or lam.max() < np.inf):  # False for NaN: its message below
            return lam.copy()
    if isinstance(lam, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number, got a bool ({lam!r})")
    try:
        arr = np.asarray(lam)
    except Exception:
        raise TypeError(f"{name} must be a non-negative number, got {_describe(lam)}") from None
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be a non-negative number, got {_describe(lam)}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be a non-negative real number, got complex {_describe(lam)}")
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


def check_int(value, name, minimum=None, maximum=None):
    """An integer in [minimum, maximum] (either bound may be None). Bools and floats are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer{_range_text(minimum, maximum)}, got {_describe(value)}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be{_range_text(minimum, maximum)}, got {value}")
    return value


def check_positive_int(value, name, minimum=1):
    """An integer >= minimum (bools rejected)."""
    return check_int(value, name, minimum=minimum)


def _range_text(minimum, maximum, strict=(False, False)):
    lo = None if minimum is None else f"{'>' if strict[0] else '>='} {minimum}"
    hi = None if maximum is None else f"{'<' if strict[1] else '<='} {maximum}"
    parts = [p for p in (lo, hi) if p]
    return "" if not parts else " " + " and ".join(parts)


def check_real(value, name, minimum=None, maximum=None, strict=(False, False), allow_inf=False):
    """A real number (not bool, not complex, not NaN) in the given range, returned as float.

    ``strict = (lower_strict, upper_strict)`` makes a bound exclusive; ``allow_inf``
    admits ±inf when the bounds allow it. Use ``minimum=0, maximum=1`` for a
    probability.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, got a bool ({value!r})")
    if not isinstance(value, numbers.Real):
        if isinstance(value, numbers.Complex):
            raise TypeError(f"{name} must be a real number, got the complex number {value!r}")
        if isinstance(value, np.ndarray) and value.ndim == 0 and np.isrealobj(value) and value.dtype.kind in "iuf":
            value = value.item()
        else:
            raise TypeError(f"{name} must be a real number{_range_text(minimum, maximum, strict)}, got {_describe(value)}")
    v = float(value)
    where = _range_text(minimum, maximum, strict)
    if np.isnan(v):
        raise ValueError(f"{name} is NaN; expected a real number{where}")
    if np.isinf(v) and not allow_inf:
        raise ValueError(f"{name} must be finite{where}, got {v!r}")
    if minimum is not None and (v < minimum or (strict[0] and v == minimum)):
        raise ValueError(f"{name} must be{where}, got {value!r}")
    if maximum is not None and (v > maximum or (strict[1] and v == maximum)):
        raise ValueError(f"{name} must be{where}, got {value!r}")
    return v


def check_bool(value, name):
    """A real boolean: ``True``/``False`` (or NumPy's). Strings such as ``'no'`` are refused."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {_describe(value)}")


def check_option(value, name, options):
    """``value`` if it is one of ``options`` (compared by equality, type-safe), else a clear error."""
    options = tuple(options)
    try:
        ok = any(type(value) is type(o) and value == o for o in options) or (
            isinstance(value, str) and value in [o for o in options if isinstance(o, str)]
        )
    except Exception:  # arrays and other values whose == is not a bool
        ok = False
    if not ok:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {listed}; got {_describe(value)}")
    return value


def check_seed(seed, name="seed"):
    """A ``np.random.Generator`` from a non-negative int seed, None, or an existing Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)):
        if seed < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {seed}")
        return np.random.default_rng(int(seed))
    raise TypeError(f"{name} must be a non-negative int, None or numpy.random.Generator, got {_describe(seed)}")


def check_labels(y, name="y", n_classes=None, n=None):
    """Integer class labels 0..n_classes-1 as an int array (n,).

    Floats are accepted only when every value is a whole number; negative or
    out-of-range labels are refused (they would wrap around when used as an
    index). ``n`` checks the length against the number of samples.
    """
    arr = check_array(y, name, ndim=1, dtype=None)
    if arr.dtype.kind == "f":
        if not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold whole-number class labels, got non-integer values such as {arr[arr != np.round(arr)][0].item()!r}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must hold labels >= 0, got {arr.min().item()!r}")
    if n_classes is not None and arr.size and arr.max() >= n_classes:
        raise ValueError(f"{name} must hold labels in 0..{n_classes - 1} for {n_classes} classes, got {arr.max().item()!r}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} labels but X has {n} rows")
    return arr.astype(np.int64)


def check_nonnegative_array(a, name, strict=False):
    """A real scalar or 1-D array with every entry >= 0 (> 0 when ``strict``), as floats."""
    a = check_array(a, name, ndim=(0, 1))
    if np.any(a <= 0) if strict else np.any(a < 0):
        raise ValueError(f"{name} must be {'> 0' if strict else '>= 0'} everywhere, got {a.min().item()!r}")
    return a


def check_covariance(cov, name, d):
    """A covariance: variances (d,) >= 0, or a symmetric positive semi-definite (d, d) matrix."""
    S = check_array(cov, name, ndim=(1, 2))
    if S.shape not in ((d,), (d, d)):
        raise ValueError(f"{name} has shape {S.shape}, expected ({d},) or ({d}, {d}) to match {d} features")
    if S.ndim == 1:
        S = np.diag(S)
    scale = max(float(np.abs(S).max()), np.finfo(float).tiny)
    if not np.allclose(S, S.T, rtol=0, atol=1e-12 * scale):
        raise ValueError(f"{name} must be symmetric, got an asymmetric matrix")
    low = float(np.linalg.eigvalsh((S + S.T) / 2)[0])
    if low < -1e-12 * scale * d:
        raise ValueError(f"{name} must be positive semi-definite, got an eigenvalue of {low:.3g}")
    return S


# --------------------------------------------------------------------------- chapter 3 (backprop, MLP)
def check_float_array(a, name, ndim):
    """``check_array`` that keeps float32 (the MLP's fast dtype) and turns everything else into float64."""
    a = check_array(a, name, ndim=ndim, dtype=None)
    return a if a.dtype in (np.float32, np.float64) else a.astype(np.float64)


def check_two_layer_params(X, W1, b1, W2, b2):
    """Arrays of float64 with shapes (d, h), (h,), (h, k), (k,) matching X's d columns."""
    X = check_X(X)
    W1 = check_array(W1, "W1", ndim=2)
    W2 = check_array(W2, "W2", ndim=2)
    b1 = check_array(b1, "b1", ndim=1)
    b2 = check_array(b2, "b2", ndim=1)
    d, h, k = X.shape[1], W1.shape[1], W2.shape[1]
    expected = {"W1": (d, h), "b1": (h,), "W2": (h, k), "b2": (k,)}
    for name, arr in zip(expected, (W1, b1, W2, b2)):
        if arr.shape != expected[name]:
            raise ValueError(
                f"{name} has shape {arr.shape}, expected {expected[name]} "
                f"(X has {d} features, W1 gives {h} hidden units, W2 gives {k} outputs)"
            )
    return X, W1, b1, W2, b2


def check_target(y, n, k, task, name="y"):
    """Regression: y (n,) or (n, k) -> (n, k) floats. Classification: labels in 0..k-1 (n,)."""
    if task == "regression":
        y = check_float_array(y, name, (1, 2))
        y = y.reshape(-1, 1) if y.ndim == 1 else y
        if y.shape != (n, k):
            raise ValueError(f"{name} has shape {y.shape}, expected ({n}, {k}) to match the network output "
                             f"of shape ({n}, {k})")
        return y
    y = check_array(y, name, ndim=1, dtype=None)
    if y.shape[0] != n:
        raise ValueError(f"{name} has {y.shape[0]} labels but the logits have {n} rows; one label per row")
    return check_labels(y, name, n_classes=k)


def check_logits(Z, name="Z"):
    """Logits or network outputs: a 2-D float array, one row per sample (a 1-D array is refused)."""
    Z = check_float_array(Z, name, (1, 2))
    if Z.ndim == 1:
        raise ValueError(f"{name} must be 2-D, one row of scores per sample, got a 1-D array of shape {Z.shape}; "
                         "use Z.reshape(1, -1) for a single sample or Z.reshape(-1, 1) for one output")
    return Z
