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


# ---------------------------------------------------------------- rendering, stubs, refused answers

def test_hint_renders_without_traceback_in_ipython():
    # IPython calls _render_traceback_ instead of printing the traceback (which shows the checker's source)
    exc = NotYet("dW has the wrong values. Hint: which product of X and dZ has W's shape?")
    lines = exc._render_traceback_()
    assert lines == ["\N{BALLOT X} dW has the wrong values. Hint: which product of X and dZ has W's shape?"]
    assert not any("File" in ln or "line" in ln.split()[:1] for ln in lines)


def test_hint_renders_in_a_real_ipython_shell():
    IPython = pytest.importorskip("IPython")
    from IPython.testing.globalipapp import get_ipython
    from IPython.utils.capture import capture_output

    ip = get_ipython()
    ip.user_ns["NotYet"] = NotYet
    with capture_output() as cap:
        ip.run_cell("def secret_checker():\n    expected = 'X.T @ dZ'\n    raise NotYet('Hint: look at the shapes.')\n"
                    "secret_checker()")
    shown = cap.stdout + cap.stderr
    assert "Hint: look at the shapes." in shown
    assert "X.T @ dZ" not in shown and "Traceback" not in shown and "secret_checker" not in shown


def test_checker_turns_a_stub_into_a_note(capsys):
    from tlearn.exercises import checker
    from tlearn.exercises._core import call_answer

    @checker
    def check_something(fn):
        call_answer(fn, 1.0, name="f")
        return passed()

    def stub(x):
        raise NotImplementedError("Exercise: write your solution here")

    assert check_something(stub) is False
    out = capsys.readouterr().out
    assert "not written yet" in out and "collapsed cell" in out
    with pytest.raises(NotYet, match="raised ZeroDivisionError"):       # a bug is a hint, not a traceback
        check_something(lambda x: 1 / 0)
    assert check_something(lambda x: x) is True


@pytest.mark.parametrize("answer, fragment", [
    (EXPECTED.astype(complex), "complex"),
    (EXPECTED + 0j, "complex"),
    (np.array([[1, 2], [3, None]], dtype=object), "not an array of numbers"),
    ([[1.0, 2.0], [3.0]], "not an array of numbers"),
    (EXPECTED.ravel(), "shape (4,), expected shape (2, 2)"),
    (EXPECTED[None], "shape (1, 2, 2), expected shape (2, 2)"),
])
def test_complex_ragged_and_misshaped_answers_are_refused(answer, fragment):
    with pytest.raises(NotYet, match=__import__("re").escape(fragment)):
        check_array_close(answer, EXPECTED, hint=HINT)


def test_matches_ignores_complex_and_misshaped():
    from tlearn.exercises._core import matches

    assert matches(EXPECTED.tolist(), EXPECTED)
    assert not matches(EXPECTED + 0j, EXPECTED) and not matches(EXPECTED.ravel(), EXPECTED)
    assert not matches("abc", EXPECTED)
