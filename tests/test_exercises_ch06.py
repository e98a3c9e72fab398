"""Notebook 06's checkers: right answers pass, wrong ones get a hint and never the solution."""
import re

import numpy as np
import pytest

from tlearn.exercises import NotYet, ch06


def _no_solution_in(message):
    assert "[" not in message, message
    assert not re.search(r"-?\d+\.\d{3,}", message), message


def _alpha(e0, A):
    return np.linalg.solve(A.T @ A, -A.T @ e0)


def _evidence(X, r, lam):
    n = len(r)
    U, s, _ = np.linalg.svd(X, full_matrices=False)
    c = U.T @ r
    Q = np.sum(c**2 / (1 + s**2 / lam)) + np.sum((r - U @ c) ** 2)
    return -n / 2 * (np.log(2 * np.pi * Q / n) + 1) - 0.5 * np.sum(np.log1p(s**2 / lam))


def test_right_answers_pass(capsys):
    assert ch06.check_loo_alpha(_alpha) is True
    assert ch06.check_log_evidence(_evidence) is True
    assert "Eq. (6.6)" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, fragment", [
    (lambda e0, A: -_alpha(e0, A), "sign"),
    (lambda e0, A: -A.T @ e0, "right-hand side"),
    (lambda e0, A: np.zeros(A.shape[1]), "wrong values"),
    (lambda e0, A: None, "None"),
    (lambda e0, A: _alpha(e0, A) + 0j, "complex"),
    (lambda e0, A: _alpha(e0, A)[:, None], "shape"),
    (lambda e0: e0, "TypeError"),
])
def test_alpha_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch06.check_loo_alpha(wrong)
    _no_solution_in(str(info.value))


@pytest.mark.parametrize("wrong, fragment", [
    (lambda X, r, lam: _evidence(X, r, lam) - len(r) / 2, "−n/2"),
    (lambda X, r, lam: _evidence(X, r, lam) + np.sum(np.log1p(np.linalg.svd(X, compute_uv=False) ** 2 / lam)),
     "wrong sign"),
    (lambda X, r, lam: 0.0, "wrong values"),
    (lambda X, r, lam: "x", "one number"),
    (lambda X, r, lam: complex(_evidence(X, r, lam)), "complex"),
    (lambda X, r, lam: np.full(2, _evidence(X, r, lam)), "one number"),
    (lambda X, r, lam: None, "None"),
])
def test_evidence_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch06.check_log_evidence(wrong)
    _no_solution_in(str(info.value))


def test_hints_do_not_state_the_answer():
    for check, wrong in [(ch06.check_loo_alpha, lambda e0, A: -_alpha(e0, A)),
                         (ch06.check_loo_alpha, lambda e0, A: np.zeros(A.shape[1])),
                         (ch06.check_log_evidence, lambda X, r, lam: 0.0)]:
        with pytest.raises(NotYet) as info:
            check(wrong)
        message = str(info.value)
        assert "Hint:" in message
        for leak in ("−Aᵀe0", "−Aᵀ e0", "log(2πQ/n)", "Σ c_j²/(1 + s_j²/λ)"):
            assert leak not in message, message


def test_unwritten_exercises_are_a_note(capsys):
    def my_loo_alpha(e0, A):
        raise NotImplementedError

    def my_log_evidence(X, r, lam):
        raise NotImplementedError

    assert ch06.check_loo_alpha(my_loo_alpha) is False
    assert ch06.check_log_evidence(my_log_evidence) is False
    assert capsys.readouterr().out.count("not written yet") == 2
