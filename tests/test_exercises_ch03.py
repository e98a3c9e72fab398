"""Notebook 03's checkers: right answers pass, wrong ones get a hint and never the solution."""
import re

import numpy as np
import pytest

from tlearn.exercises import NotYet, ch03


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _no_solution_in(message):
    # no array printout and no long decimal numbers (the expected values would look like that)
    assert "[" not in message, message
    assert not re.search(r"-?\d+\.\d{3,}", message), message


# ------------------------------------------------------------------ relu backward
def test_relu_backward_right_answer_passes(capsys):
    assert ch03.check_relu_backward(lambda dH, Z: dH * (Z > 0)) is True
    assert "right" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, fragment", [
    (lambda dH, Z: (Z > 0).astype(float), "upstream gradient"),
    (lambda dH, Z: dH * Z, "derivative"),
    (lambda dH, Z: np.maximum(dH, 0), "pre-activation"),
    (lambda dH, Z: dH * (Z < 0), "z > 0"),
    (lambda dH, Z: dH * (Z > 0) * 2, "wrong values"),
    (lambda dH, Z: (dH * (Z > 0))[:, :2], "shape"),
    (lambda dH, Z: None, "None"),
    (lambda dH: dH, "TypeError"),
])
def test_relu_backward_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch03.check_relu_backward(wrong)
    _no_solution_in(str(info.value))


def test_unwritten_exercise_says_so(capsys):
    def relu_backward(dH, Z):
        raise NotImplementedError

    assert ch03.check_relu_backward(relu_backward) is False    # a note, not an error: "Run all" goes on
    assert "not written yet" in capsys.readouterr().out
    with pytest.raises(NotYet, match="should be a function"):
        ch03.check_relu_backward(3.0)


# ------------------------------------------------------------------ softmax cross-entropy gradient
def test_softmax_gradient_right_answer_passes():
    def grad(Z, y):
        G = _softmax(Z)
        G[np.arange(len(y)), y] -= 1
        return G / len(y)

    assert ch03.check_softmax_cross_entropy_gradient(grad) is True


def _onehot(y, k):
    return np.eye(k)[y]


@pytest.mark.parametrize("wrong, fragment", [
    (lambda Z, y: _softmax(Z) - _onehot(y, Z.shape[1]), "mean"),
    (lambda Z, y: (_onehot(y, Z.shape[1]) - _softmax(Z)) / len(y), "sign"),
    (lambda Z, y: (Z - _onehot(y, Z.shape[1])) / len(y), "probabilities"),
    (lambda Z, y: _softmax(Z) / len(y), "one-hot"),
    (lambda Z, y: (np.exp(Z) / np.exp(Z).sum(axis=0) - _onehot(y, Z.shape[1])) / len(y), "axis=1"),
    (lambda Z, y: 2 * (_softmax(Z) - _onehot(y, Z.shape[1])) / len(y), "wrong values"),
])
def test_softmax_gradient_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch03.check_softmax_cross_entropy_gradient(wrong)
    _no_solution_in(str(info.value))


def test_softmax_gradient_unstable_answer_is_caught():
    def naive(Z, y):  # right maths, no max-shift: overflows for big logits
        with np.errstate(over="ignore", invalid="ignore"):
            P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
        return (P - _onehot(y, Z.shape[1])) / len(y)

    with pytest.raises(NotYet, match="maximum"):
        ch03.check_softmax_cross_entropy_gradient(naive)


# ------------------------------------------------------------------ dense backward
def test_dense_backward_right_answer_passes():
    assert ch03.check_dense_backward(lambda X, W, dZ: (X.T @ dZ, dZ.sum(axis=0), dZ @ W.T)) is True


@pytest.mark.parametrize("wrong, fragment", [
    (lambda X, W, dZ: (X.T @ dZ, dZ.mean(axis=0), dZ @ W.T), "sum"),
    (lambda X, W, dZ: (X.T @ dZ, dZ.sum(axis=0)), "three arrays"),
    (lambda X, W, dZ: (dZ.T @ X, dZ.sum(axis=0), dZ @ W.T), "dW has shape"),
    (lambda X, W, dZ: (X.T @ dZ, dZ.sum(axis=0), dZ @ W.T * 0), "dX has the right shape"),
])
def test_dense_backward_wrong_answers_get_hints(wrong, fragment):
    with pytest.raises(NotYet, match=re.escape(fragment)) as info:
        ch03.check_dense_backward(wrong)
    _no_solution_in(str(info.value))
