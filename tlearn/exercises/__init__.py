"""Checked exercises for the chapters.

Each chapter's implement-type exercise ends with a call such as
``tlearn.exercises.ch01.check_transfer_ridge(my_function)``. A check prints a short
confirmation when the answer is right; when it is wrong it raises
:class:`NotYet` whose message is a *hint* -- shown alone in Jupyter, without a
traceback, and never the solution. A stub not written yet only prints a note.
"""
from ._core import NotWritten, NotYet, check_array_close, checker, passed

__all__ = ["NotWritten", "NotYet", "check_array_close", "checker", "passed"]
