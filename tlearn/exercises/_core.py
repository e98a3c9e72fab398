"""The small machinery every chapter's exercise checker is built from.

A wrong answer raises :class:`NotYet`, whose message is a hint. In IPython and
Jupyter it renders as that hint alone -- no traceback into the checker, whose
source would show the answer. An exercise not written yet (a stub that raises
``NotImplementedError``) is not an error: a checker decorated with
:func:`checker` prints that the exercise is still open and returns ``False``, so
"Run all" carries on.
"""
from __future__ import annotations

import functools

import numpy as np

CHECK_MARK = "\N{CHECK MARK}"
CROSS_MARK = "\N{BALLOT X}"
PENCIL = "\N{PENCIL}"


class NotYet(AssertionError):
    """A wrong exercise answer. The message is a hint only; it never contains the expected values."""

    def _render_traceback_(self):
        # IPython shows these lines instead of a traceback (which would show the checker's source).
        lines = str(self).splitlines() or ["Not yet."]
        return [f"{CROSS_MARK} {lines[0]}", *lines[1:]]


class NotWritten(NotYet):
    """The exercise is still a stub: its function raises ``NotImplementedError``."""


def passed(message="Correct!"):
    """Report success; returns True so a check can be used in an ``assert``."""
    print(f"{CHECK_MARK} {message}")
    return True


def checker(check):
    """Decorate a chapter's ``check_*``: an unwritten stub prints a note and returns False.

    Wrong answers still raise :class:`NotYet` (shown as its hint alone).
    """
    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except NotWritten as exc:
            print(f"{PENCIL} {exc}")
            return False

    return wrapper


def as_real_array(answer, hint, name="your answer"):
    """``answer`` as a float array, or :class:`NotYet`: None, non-numbers and complex numbers are refused."""
    if answer is None:
        raise NotYet(f"{name} is None -- did you forget to return a value? Hint: {hint}")
    try:
        raw = np.asarray(answer)
    except (TypeError, ValueError):
        raise NotYet(f"{name} is not an array of numbers. Hint: {hint}") from None
    if np.iscomplexobj(raw):
        raise NotYet(f"{name} has complex entries; the answer is real. Hint: {hint}")
    if raw.dtype == object or raw.dtype.kind not in "biuf":
        raise NotYet(f"{name} is not an array of numbers (got dtype {raw.dtype}). Hint: {hint}")
    return raw.astype(float)


def check_array_close(answer, expected, hint, name="your answer", rtol=1e-6, atol=1e-8):
    """Raise :class:`NotYet` with ``hint`` unless ``answer`` matches ``expected``.

    The message says what is wrong with the *shape* or that the numbers differ,
    and adds the hint -- it never contains ``expected`` itself.
    """
    a = as_real_array(answer, hint, name)
    e = np.asarray(expected, dtype=float)
    if a.shape != e.shape:
        raise NotYet(f"{name} has shape {a.shape}, expected shape {e.shape}. Hint: {hint}")
    if not np.all(np.isfinite(a)):
        raise NotYet(f"{name} contains NaN or inf. Hint: {hint}")
    if not np.allclose(a, e, rtol=rtol, atol=atol):
        raise NotYet(f"{name} has the right shape but the wrong values. Hint: {hint}")
    return True


def call_answer(fn, *args, name, hint="print the shape of every term."):
    """Call the reader's ``fn(*args)``; a stub becomes :class:`NotWritten`, a crash :class:`NotYet`."""
    if not callable(fn):
        raise NotYet(f"{name} should be a function, got {type(fn).__name__}. Hint: pass the function itself.")
    try:
        return fn(*args)
    except NotImplementedError:
        raise NotWritten(f"{name} is not written yet: replace the `raise NotImplementedError` line with your "
                         "code and run this cell again. (A worked solution is in the collapsed cell below.)") from None
    except Exception as exc:  # the reader's bug, reported as a hint
        raise NotYet(f"{name} raised {type(exc).__name__}: {exc}. Hint: {hint}") from None


def matches(answer, candidate, rtol=1e-6, atol=1e-10):
    """True when ``answer`` has ``candidate``'s shape and real values (used to spot known mistakes)."""
    try:
        a = np.asarray(answer)
    except (TypeError, ValueError):
        return False
    if np.iscomplexobj(a) or a.dtype == object or a.dtype.kind not in "biuf":
        return False
    return a.shape == np.shape(candidate) and np.allclose(a.astype(float), candidate, rtol=rtol, atol=atol)


def spot_mistakes(answer, mistakes, rtol=1e-6, atol=1e-10):
    """Raise :class:`NotYet` with the hint of the first known mistake ``answer`` matches.

    ``mistakes`` maps a hint to the value that mistake produces (``{hint: wrong_value}``).
    """
    for hint, wrong in mistakes.items():
        if matches(answer, wrong, rtol=rtol, atol=atol):
            raise NotYet(f"Not yet: {hint}.")
