"""Checked exercises for the chapters.

Each chapter's implement-type exercise ends with a call such as
``tlearn.exercises.ch01.check_closed_form(my_function)``. A check prints a short
confirmation when the answer is right; when it is wrong it raises
:class:`NotYet` whose message is a *hint* -- it never prints the solution.
"""
from ._core import NotYet, check_array_close, passed

__all__ = ["NotYet", "check_array_close", "passed"]
