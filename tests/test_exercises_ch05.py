"""Notebook 05's checkers: right answers pass, wrong ones get a hint and never the solution."""
import re

import numpy as np
import pytest
from scipy.linalg import sqrtm

from tlearn.exercises import NotYet, ch05


def _no_solution_in(message):
    assert "[" not in message, message  # no array printout
    assert not re.search(r"-?\d+\.\d{3,}", message), message  # no long decimals


def _ratio(p, n_s, n_t):  # independent right answer: Bayes' rule written out, Eq. (5.6)
    prior_s, prior_t = n_s / (n_s + n_t), n_t / (n_s + n_t)
    return (p / prior_t) / ((1 - p) / prior_s)


def _coral(Xs, Xt, eps):  # independent right answer: scipy's matrix square root, Eq. (5.9)
    d = Xs.shape[1]
    Cs = np.cov(Xs, rowvar=False) + eps * np.eye(d)
    Ct = np.cov(Xt, rowvar=False) + eps * np.eye(d)
    return (Xs - Xs.mean(0)) @ np.linalg.solve(sqrtm(Cs).real, sqrtm(Ct).real) + Xt.mean(0)


def test_classifier_ratio_right_answer_passes(capsys):
    assert ch05.check_classifier_ratio(_ratio) is True
    assert "Eq. (5.6)" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, fragment", [
    (lambda p, n_s, n_t: p / (1 - p), "class-prior correction"),
    (lambda p, n_s, n_t: (1 - p) / p * n_s / n_t, "upside down"),
    (lambda p, n_s, n_t: p / (1 - p) * n_t / n_s, "inverted"),
    (lambda p, n_s, n_t: p * n_s / n_t, "wrong values"),
    (lambda p, n_s, n_t: None, "None"),
    (lambda p: p, "TypeError"),
])
def test_classifier_ratio_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch05.check_classifier_ratio(wrong)
    _no_solution_in(str(info.value))


def test_coral_right_answer_passes(capsys):
    assert ch05.check_coral(_coral) is True
    assert "Eq. (5.9)" in capsys.readouterr().out


def _cholesky_coral(Xs, Xt, eps):
    d = Xs.shape[1]
    Ls = np.linalg.cholesky(np.cov(Xs, rowvar=False) + eps * np.eye(d))
    Lt = np.linalg.cholesky(np.cov(Xt, rowvar=False) + eps * np.eye(d))
    return np.linalg.solve(Ls, (Xs - Xs.mean(0)).T).T @ Lt.T + Xt.mean(0)


@pytest.mark.parametrize("wrong, fragment", [
    (lambda Xs, Xt, eps: _coral(Xs, Xt, eps) - Xt.mean(0), "target mean"),
    (_cholesky_coral, "another one"),
    (lambda Xs, Xt, eps: Xs, "wrong values"),
    (lambda Xs, Xt, eps: Xs[:, :1], "shape"),
])
def test_coral_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch05.check_coral(wrong)
    _no_solution_in(str(info.value))


def test_unwritten_exercise_says_so():
    def coral(Xs, Xt, eps):
        raise NotImplementedError

    with pytest.raises(NotYet, match="not written yet"):
        ch05.check_coral(coral)
