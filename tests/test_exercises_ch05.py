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
    (lambda p, n_s, n_t: _ratio(p, n_s, n_t) + 0j, "complex"),
    (lambda p, n_s, n_t: _ratio(p, n_s, n_t)[:, None], "shape"),
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
    (lambda Xs, Xt, eps: _coral(Xs, Xt, eps) + 0j, "complex"),
    (lambda Xs, Xt, eps: _coral(Xs, Xt, eps).T, "shape"),
])
def test_coral_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch05.check_coral(wrong)
    _no_solution_in(str(info.value))


def test_hints_do_not_state_the_answer():
    for check, wrong in [(ch05.check_classifier_ratio, lambda p, n_s, n_t: p),
                         (ch05.check_coral, lambda Xs, Xt, eps: Xs)]:
        with pytest.raises(NotYet) as info:
            check(wrong)
        message = str(info.value)
        assert "Hint:" in message
        for leak in ("n_S/n_T", "C_S^(-1/2)", "P(S)/P(T) =", "p/(1 - p) ·"):
            assert leak not in message, message


def test_unwritten_exercise_is_a_note(capsys):
    def coral(Xs, Xt, eps):
        raise NotImplementedError

    def ratio(p, n_s, n_t):
        raise NotImplementedError

    assert ch05.check_coral(coral) is False
    assert ch05.check_classifier_ratio(ratio) is False
    assert capsys.readouterr().out.count("not written yet") == 2
