"""Notebook 02's checkers: right answers pass, wrong ones get a hint and never the solution."""
import re

import numpy as np
import pytest

from tlearn.exercises import NotYet, ch02


def _no_solution_in(message):
    assert "[" not in message, message  # no array printout
    for formula in ("ΦᵀΦ + λI", "Φᵀy", "first k left singular vectors", "np.eye"):
        assert formula not in message, f"the hint states the answer: {message}"
    assert not re.search(r"-?\d+\.\d{3,}", message), message  # no long decimals


def _head(Phi, y, lam):  # an independent right answer: lstsq on the augmented system
    k = Phi.shape[1]
    return np.linalg.lstsq(np.vstack([Phi, np.sqrt(lam) * np.eye(k)]), np.concatenate([y, np.zeros(k)]),
                           rcond=None)[0]


def _subspace(tasks, k, lam):
    W = np.column_stack([_head(X, y, lam) for X, y in tasks])
    return np.linalg.svd(W, full_matrices=False)[0][:, :k]


def test_ridge_head_right_answer_passes(capsys):
    assert ch02.check_ridge_head(_head) is True
    assert "Eq. (2.2)" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, fragment", [
    (lambda P, y, lam: _head(P, y, lam**2), "λ²"),
    (lambda P, y, lam: np.linalg.lstsq(P, y, rcond=None)[0], "least squares"),
    (lambda P, y, lam: 2 * _head(P, y, lam), "wrong values"),
    (lambda P, y, lam: _head(P, y, lam)[:-1], "shape"),
    (lambda P, y, lam: None, "None"),
    (lambda P, y: P, "TypeError"),
])
def test_ridge_head_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch02.check_ridge_head(wrong)
    _no_solution_in(str(info.value))


def test_learn_subspace_right_answers_pass_whatever_the_rotation():
    assert ch02.check_learn_subspace(_subspace) is True
    rot = np.array([[0.0, -1.0], [1.0, 0.0]])
    flipped = lambda tasks, k, lam: -_subspace(tasks, k, lam)  # noqa: E731
    assert ch02.check_learn_subspace(flipped) is True
    rotated = lambda tasks, k, lam: _subspace(tasks, k, lam) @ (rot if k == 2 else np.eye(k))  # noqa: E731
    assert ch02.check_learn_subspace(rotated) is True


@pytest.mark.parametrize("wrong, fragment", [
    (lambda tasks, k, lam: _subspace(tasks, k, lam).T, "one *column* per direction"),
    (lambda tasks, k, lam: np.linalg.svd(np.column_stack([_head(X, y, lam) for X, y in tasks]),
                                         full_matrices=False)[2][:k].T, "wrong side"),
    (lambda tasks, k, lam: np.column_stack([_head(X, y, lam) for X, y in tasks])[:, :k], "orthonormal"),
    (lambda tasks, k, lam: np.linalg.svd(np.column_stack([_head(X, y, lam) for X, y in tasks]),
                                         full_matrices=False)[0][:, -k:], "*last*"),
    (lambda tasks, k, lam: _subspace(tasks, k, 100.0 * lam + 50.0) if k == 2 else np.eye(10)[:, :3], "wrong values"),
    (lambda tasks, k, lam: np.eye(3), "shape"),
    (lambda tasks: None, "TypeError"),
    (3, "should be a function"),
])
def test_learn_subspace_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch02.check_learn_subspace(wrong)
    _no_solution_in(str(info.value))


def test_unwritten_exercise_says_so(capsys):
    def ridge_head(Phi, y, lam):
        raise NotImplementedError

    assert ch02.check_ridge_head(ridge_head) is False          # a note, not an error: "Run all" goes on
    assert "not written yet" in capsys.readouterr().out
