"""Notebook 04's checkers: right answers pass, wrong ones get a hint and never the solution."""
import re

import numpy as np
import pytest

from tlearn.exercises import NotYet, ch04


def _no_solution_in(message):
    assert "[" not in message, message
    assert not re.search(r"-?\d+\.\d{3,}", message), message


def test_prox_right_answer_passes(capsys):
    assert ch04.check_l2sp_prox(lambda h, s, lam, eta: (h + eta * lam * s) / (1 + eta * lam)) is True
    assert "right" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, fragment", [
    (lambda h, s, lam, eta: h - eta * lam * (h - s), "explicit gradient step"),
    (lambda h, s, lam, eta: (h + s) / (1 + eta * lam), "same factor"),
    (lambda h, s, lam, eta: h + eta * lam * s, "divide by 1"),
    (lambda h, s, lam, eta: h, "wrong values"),
    (lambda h, s, lam, eta: None, "None"),
    (lambda h, s, lam, eta: (h + eta * lam * s) / (1 + eta * lam) + 0j, "complex"),
    (lambda h, s, lam, eta: ((h + eta * lam * s) / (1 + eta * lam))[:, None], "shape"),
    (lambda h, s: h, "TypeError"),
])
def test_prox_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch04.check_l2sp_prox(wrong)
    _no_solution_in(str(info.value))


def _penalty(params, anchors, lam):
    return 0.5 * lam * sum(np.sum((p - a) ** 2) for p, a in zip(params, anchors) if a is not None)


def test_penalty_right_and_wrong():
    assert ch04.check_l2sp_penalty(_penalty) is True
    with pytest.raises(NotYet, match="factor ½") as info:
        ch04.check_l2sp_penalty(lambda p, a, lam: 2 * _penalty(p, a, lam))
    _no_solution_in(str(info.value))
    with pytest.raises(NotYet, match="squared") as info:
        ch04.check_l2sp_penalty(lambda p, a, lam: 0.5 * lam * sum(np.linalg.norm(x - y) for x, y in zip(p, a)
                                                                  if y is not None))
    _no_solution_in(str(info.value))


@pytest.mark.parametrize("wrong, fragment", [
    (lambda p, a, lam: _penalty(p, a, lam) + 0j, "complex"),
    (lambda p, a, lam: np.array([_penalty(p, a, lam)] * 2), "shape"),
    (lambda p, a, lam: 1.01 * _penalty(p, a, lam), "wrong values"),
    (lambda p, a, lam: None, "None"),
])
def test_penalty_refuses_complex_and_misshaped(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch04.check_l2sp_penalty(wrong)
    _no_solution_in(str(info.value))
    assert "1 + ηλ" not in str(info.value) and "θ_src‖²" not in str(info.value)


def test_unwritten_exercises_are_a_note(capsys):
    def prox(theta_half, theta_src, lam, eta):
        raise NotImplementedError

    def penalty(params, anchors, lam):
        raise NotImplementedError

    assert ch04.check_l2sp_prox(prox) is False
    assert ch04.check_l2sp_penalty(penalty) is False
    assert capsys.readouterr().out.count("not written yet") == 2
