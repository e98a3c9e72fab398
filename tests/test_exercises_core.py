"""tlearn.exercises._core: a wrong answer gets a hint, never the expected value."""
import numpy as np
import pytest

from tlearn.exercises import NotYet, check_array_close, passed

EXPECTED = np.array([[1.23456789, -9.87654321], [3.14159265, 2.71828183]])
HINT = "use np.linalg.solve on the normal equations"


def _numbers_in(message):
    """Every expected entry, written the ways numpy or Python would print it."""
    forms = set()
    for v in EXPECTED.ravel():
        forms |= {repr(v), str(v), f"{v:.4f}", f"{v:.3f}", f"{v:.2f}", np.format_float_positional(v, precision=4)}
    return [f for f in forms if f in message]


@pytest.mark.parametrize("answer, fragment", [
    (None, "None"),
    ("not numbers", "not an array of numbers"),
    (np.zeros(3), "shape (3,), expected shape (2, 2)"),
    (np.full((2, 2), np.nan), "NaN or inf"),
    (EXPECTED + 1e-3, "wrong values"),
    (EXPECTED.T, "wrong values"),
])
def test_wrong_answer_raises_notyet_with_hint_only(answer, fragment):
    with pytest.raises(NotYet) as info:
        check_array_close(answer, EXPECTED, hint=HINT, name="w_hat")
    message = str(info.value)
    assert fragment in message
    assert HINT in message
    assert "w_hat" in message or fragment == "None"
    assert _numbers_in(message) == [], f"the message reveals the solution: {message}"
    assert str(EXPECTED) not in message and repr(EXPECTED) not in message


def test_notyet_is_an_assertion_error():
    # so a failing check reads like a failed assert in a notebook, and pytest reports it as such
    assert issubclass(NotYet, AssertionError)


def test_right_answer_passes_within_tolerance():
    assert check_array_close(EXPECTED * (1 + 1e-9), EXPECTED, hint=HINT) is True
    assert check_array_close(EXPECTED.tolist(), EXPECTED, hint=HINT) is True  # lists are fine
    with pytest.raises(NotYet):
        check_array_close(EXPECTED * (1 + 1e-3), EXPECTED, hint=HINT, rtol=1e-6)
    assert check_array_close(EXPECTED * (1 + 1e-3), EXPECTED, hint=HINT, rtol=1e-2) is True


def test_passed_prints_and_returns_true(capsys):
    assert passed() is True
    assert capsys.readouterr().out == "\N{CHECK MARK} Correct!\n"
    assert passed("Well done: Eq. (1.4) recovered.") is True
    assert capsys.readouterr().out == "\N{CHECK MARK} Well done: Eq. (1.4) recovered.\n"
