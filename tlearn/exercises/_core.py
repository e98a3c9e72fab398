"""The small machinery every chapter's exercise checker is built from."""
from __future__ import annotations

import numpy as np


class NotYet(AssertionError):
    """A wrong (or not yet written) exercise answer. The message is a hint only."""


def passed(message="Correct!"):
    """Report success; returns True so a check can be used in an ``assert``."""
    print(f"\N{CHECK MARK} {message}")
    return True


def check_array_close(answer, expected, hint, name="your answer", rtol=1e-6, atol=1e-8):
    """Raise :class:`NotYet` with ``hint`` unless ``answer`` matches ``expected``.

    The message says what is wrong with the *shape* or that the numbers differ,
    and adds the hint -- it never contains ``expected`` itself.
    """
    if answer is None:
        raise NotYet(f"{name} is None -- did you forget to return a value? Hint: {hint}")
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise NotYet(f"{name} is not an array of numbers. Hint: {hint}") from None
    e = np.asarray(expected, dtype=float)
    if a.shape != e.shape:
        raise NotYet(f"{name} has shape {a.shape}, expected shape {e.shape}. Hint: {hint}")
    if not np.all(np.isfinite(a)):
        raise NotYet(f"{name} contains NaN or inf. Hint: {hint}")
    if not np.allclose(a, e, rtol=rtol, atol=atol):
        raise NotYet(f"{name} has the right shape but the wrong values. Hint: {hint}")
    return True


def call_answer(fn, *args, name, hint="print the shape of every term."):
    """Call the reader's ``fn(*args)``; a stub or a crash becomes :class:`NotYet` with a hint."""
    if not callable(fn):
        raise NotYet(f"{name} should be a function, got {type(fn).__name__}. Hint: pass the function itself.")
    try:
        return fn(*args)
    except NotImplementedError:
        raise NotYet(f"{name} is not written yet: replace the `raise NotImplementedError` line.") from None
    except Exception as exc:  # the reader's bug, reported as a hint
        raise NotYet(f"{name} raised {type(exc).__name__}: {exc}. Hint: {hint}") from None


def matches(answer, candidate, rtol=1e-6, atol=1e-10):
    """True when ``answer`` has ``candidate``'s shape and values (used to spot known mistakes)."""
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == np.shape(candidate) and np.allclose(a, candidate, rtol=rtol, atol=atol)
