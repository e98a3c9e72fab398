"""Notebook 01's checkers: right answers pass, wrong ones get a hint -- never the answer (Eq. (1.4), Eq. (1.14))."""
import re

import numpy as np
import pytest

from tlearn import ridge_fit
from tlearn.exercises import NotYet, ch01


def _right(X, y, lam, w_A):
    return np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y + lam * w_A)


def _loo(X, y, lam, w_A):
    keep = lambda i: np.arange(len(y)) != i
    return np.mean([(y[i] - X[i] @ ridge_fit(X[keep(i)], y[keep(i)], lam, prior=w_A)) ** 2 for i in range(len(y))])


def _no_answer_in(message):
    for leak in ("X.T @ X", "XᵀX + λI", "Xᵀy + λ w_A", "+ lam * w_A", "np.eye"):
        assert leak not in message, f"the hint gives the answer away: {message}"


def test_right_answers_pass(capsys):
    assert ch01.check_transfer_ridge(_right) is True
    assert ch01.check_loo_brute_force(_loo) is True
    assert capsys.readouterr().out.count("\N{CHECK MARK}") == 2


@pytest.mark.parametrize("wrong, fragment", [
    (lambda X, y, lam, w_A: _right(X, y, lam**2, w_A), "λ²"),
    (lambda X, y, lam, w_A: _right(X, y, lam, 0 * w_A), "ignores w_A"),
    (lambda X, y, lam, w_A: ridge_fit(X, y, 0.0, prior=w_A), "least squares"),
    (lambda X, y, lam, w_A: _right(X, y, lam, w_A) + 1e-3, "wrong values"),
    (lambda X, y, lam, w_A: _right(X, y, lam, w_A)[:, None], "shape"),
    (lambda X, y, lam, w_A: _right(X, y, lam, w_A) + 0j, "complex"),
    (lambda X, y, lam, w_A: None, "None"),
    (lambda X, y: None, "TypeError"),
    (3, "should be a function"),
])
def test_transfer_ridge_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch01.check_transfer_ridge(wrong)
    _no_answer_in(str(info.value))


@pytest.mark.parametrize("wrong, fragment", [
    (lambda X, y, lam, w_A: np.mean((y - X @ ridge_fit(X, y, lam, prior=w_A)) ** 2), "in-sample"),
    (lambda X, y, lam, w_A: 1.1 * _loo(X, y, lam, w_A), "wrong values"),
    (lambda X, y, lam, w_A: np.full(len(y), _loo(X, y, lam, w_A)), "shape"),
    (lambda X, y, lam, w_A: complex(_loo(X, y, lam, w_A)), "complex"),
])
def test_loo_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)):
        ch01.check_loo_brute_force(wrong)


def test_hint_of_exercise_1_2_does_not_state_the_answer():
    with pytest.raises(NotYet) as info:
        ch01.check_transfer_ridge(lambda X, y, lam, w_A: np.zeros(X.shape[1]))
    _no_answer_in(str(info.value))
    assert "Hint:" in str(info.value)


def test_unwritten_exercise_is_a_note(capsys):
    def my_transfer_ridge(X, y, lam, w_A):
        raise NotImplementedError

    assert ch01.check_transfer_ridge(my_transfer_ridge) is False
    assert "not written yet" in capsys.readouterr().out
