"""The two-layer chain of notebook 03 against independent references.

References: central finite differences (for the gradients), a per-sample loop
and scikit-learn (for the losses), hand-computed values, closed-form limits.
"""
import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_squared_error

from tlearn import backprop as bp

ACTS = ["tanh", "relu"]
TASKS = ["regression", "classification"]


def _problem(seed, act, task, n=None, d=None, h=None, k=None):
    """A random two-layer problem; ReLU pre-activations kept away from the kink."""
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(3, 9))
    d = d or int(rng.integers(1, 5))
    h = h or int(rng.integers(1, 7))
    k = k or int(rng.integers(2, 5))
    X = rng.standard_normal((n, d))
    params = [rng.standard_normal((d, h)), rng.standard_normal(h),
              rng.standard_normal((h, k)) / np.sqrt(h), rng.standard_normal(k)]
    if act == "relu":  # push every |Z1| above 1e-3 so ±eps never crosses the kink
        Z1 = X @ params[0] + params[1]
        params[1] = params[1] + np.where(np.abs(Z1) < 1e-3, 1e-2, 0.0).max(axis=0)
        assert np.abs(X @ params[0] + params[1]).min() > 1e-4
    y = rng.standard_normal((n, k)) if task == "regression" else rng.integers(0, k, n)
    return X, params, y


def _loss_fn(X, y, act, task):
    return lambda ps: bp.two_layer_loss(bp.two_layer_forward(X, *ps, activation=act)[0], y, task)


# ----------------------------------------------------------------- the gradient check itself
def test_numerical_gradient_matches_a_known_gradient():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 4))
    p = [rng.standard_normal((3, 4)), rng.standard_normal(5)]

    def f(ps):  # f = Σ A ⊙ P² + Σ sin(q) ⇒ ∇_P = 2 A ⊙ P, ∇_q = cos(q)
        return np.sum(A * ps[0] ** 2) + np.sum(np.sin(ps[1]))

    g = bp.numerical_gradient(f, p)
    np.testing.assert_allclose(g[0], 2 * A * p[0], rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(g[1], np.cos(p[1]), rtol=1e-8, atol=1e-9)


def test_numerical_gradient_does_not_touch_the_callers_arrays():
    p = [np.arange(6.0).reshape(2, 3)]
    before = p[0].copy()
    bp.numerical_gradient(lambda ps: float(np.sum(ps[0] ** 3)), p)
    assert np.array_equal(p[0], before)


def test_numerical_gradient_is_second_order():
    # f(x) = x³ at x = 1: the central difference is 3 + eps² exactly.
    g = bp.numerical_gradient(lambda ps: float(ps[0][0] ** 3), [np.array([1.0])], eps=1e-3)
    assert g[0][0] == pytest.approx(3 + 1e-6, abs=1e-9)


def test_relative_error_hand_computed():
    a, b = np.array([3.0, 0.0]), np.array([0.0, 4.0])
    assert bp.relative_error(a, b) == pytest.approx(5.0 / 7.0)
    assert bp.relative_error([a, b], [a, b]) == 0.0
    assert bp.relative_error(np.zeros(3), np.zeros(3)) == 0.0


# ----------------------------------------------------------------- backward vs finite differences
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("act", ACTS)
def test_backward_matches_finite_differences(act, task, seed):
    """Eqs. (3.5)-(3.9): the backward pass against central differences (3.11) of the loss."""
    X, params, y = _problem(seed, act, task)
    _, cache = bp.two_layer_forward(X, *params, activation=act)
    grads = bp.two_layer_backward(cache, y, task=task)
    numeric = bp.numerical_gradient(_loss_fn(X, y, act, task), params)
    assert [g.shape for g in grads] == [p.shape for p in params]
    assert bp.relative_error(grads, numeric) < 1e-6
    for g, ng in zip(grads, numeric):  # every block, not only the total
        assert bp.relative_error(g, ng) < 1e-6 or np.abs(g - ng).max() < 1e-9


@pytest.mark.parametrize("act", ACTS)
def test_regression_with_1d_target(act):
    X, params, _ = _problem(7, act, "regression", k=1)
    y = np.random.default_rng(1).standard_normal(X.shape[0])
    _, cache = bp.two_layer_forward(X, *params, activation=act)
    grads = bp.two_layer_backward(cache, y)
    assert bp.relative_error(grads, bp.numerical_gradient(_loss_fn(X, y, act, "regression"), params)) < 1e-6


# ----------------------------------------------------------------- forward and losses
@pytest.mark.parametrize("act", ACTS)
def test_forward_matches_a_per_sample_loop(act):
    """Eqs. (3.1)-(3.2): the vectorised forward pass equals a loop over samples and units."""
    X, (W1, b1, W2, b2), _ = _problem(3, act, "regression")
    out, cache = bp.two_layer_forward(X, W1, b1, W2, b2, activation=act)
    sigma = np.tanh if act == "tanh" else (lambda z: np.where(z > 0, z, 0.0))
    for i, x in enumerate(X):
        h = sigma(np.array([x @ W1[:, j] + b1[j] for j in range(W1.shape[1])]))
        np.testing.assert_allclose(out[i], [h @ W2[:, c] + b2[c] for c in range(W2.shape[1])], rtol=1e-12)
    np.testing.assert_allclose(cache["H"], sigma(cache["Z1"]))


def test_losses_match_scikit_learn():
    rng = np.random.default_rng(0)
    Z, Y = rng.standard_normal((20, 3)), rng.standard_normal((20, 3))
    # ½ mean over samples of the squared norm = (k/2) × sklearn's mean over all entries
    assert bp.two_layer_loss(Z, Y) == pytest.approx(1.5 * mean_squared_error(Y, Z), rel=1e-12)
    labels = rng.integers(0, 3, 20)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    ce = bp.two_layer_loss(Z, labels, task="classification")
    assert ce == pytest.approx(log_loss(labels, P, labels=[0, 1, 2]), rel=1e-10)
    np.testing.assert_allclose(bp.softmax(Z), P, rtol=1e-12)


def test_cross_entropy_is_stable_for_huge_logits():
    Z = np.array([[1000.0, 0.0], [0.0, -1000.0]])
    # −log softmax: row 1 label 1 → 1000 exactly; row 2 label 0 → log(1 + e^-1000) ≈ 0
    assert bp.cross_entropy(Z, np.array([1, 0])) == pytest.approx(500.0, rel=1e-12)
    g = bp.output_gradient(Z, np.array([1, 0]), task="classification")
    np.testing.assert_allclose(g, [[0.5, -0.5], [0.0, 0.0]], atol=1e-300)


def test_output_gradient_is_the_same_formula_for_both_losses():
    rng = np.random.default_rng(2)
    Z, labels = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    np.testing.assert_allclose(
        bp.output_gradient(Z, labels, "classification"),
        (bp.softmax(Z) - np.eye(4)[labels]) / 5,
    )
    np.testing.assert_allclose(bp.output_gradient(Z, Z + 1, "regression"), -np.ones((5, 4)) / 5)


def test_activation_derivative_matches_finite_differences():
    """Eq. (3.10): σ' of both activations against central differences of σ."""
    Z = np.array([-2.0, -0.3, 0.4, 1.7])
    for act in ACTS:
        fd = (bp.activate(Z + 1e-6, act) - bp.activate(Z - 1e-6, act)) / 2e-6
        np.testing.assert_allclose(bp.activation_derivative(Z, act), fd, rtol=1e-8)


# ----------------------------------------------------------------- training with weight decay
def test_weight_decay_step_is_the_proximal_minimiser():
    rng = np.random.default_rng(4)
    W, dW, lr, lam = rng.standard_normal(5), rng.standard_normal(5), 0.3, 7.0
    V = bp.weight_decay_step(W, dW, lr, lam)
    # V minimises λ/2‖V‖² + ‖V − (W − η dW)‖²/2η, so its gradient vanishes there
    np.testing.assert_allclose(lam * V + (V - (W - lr * dW)) / lr, 0.0, atol=1e-12)
    assert np.all(bp.weight_decay_step(W, dW, lr, np.inf) == 0)


def test_infinite_weight_decay_predicts_the_mean():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((12, 2)), rng.standard_normal(12)
    params, hist = bp.train_two_layer(X, y, n_hidden=4, lam=np.inf, lr=0.5, steps=200)
    assert np.all(params[0] == 0) and np.all(params[2] == 0)
    assert params[3][0] == pytest.approx(y.mean(), abs=1e-12)
    assert hist["loss"][-1] == pytest.approx(0.5 * np.var(y), rel=1e-10)


def test_huge_weight_decay_is_stable_and_shrinks_weights():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((12, 2)), rng.standard_normal(12)
    params, hist = bp.train_two_layer(X, y, n_hidden=4, lam=1e6, lr=0.5, steps=50)
    assert not hist["diverged"] and np.abs(params[0]).max() < 1e-5


def test_training_decreases_the_loss_and_logs_validation():
    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 1, (30, 1))
    y = np.sin(3 * X[:, 0])
    _, hist = bp.train_two_layer(X, y, n_hidden=16, lr=0.3, steps=300, X_val=X, y_val=y, log_every=50)
    assert hist["step"] == [0, 50, 100, 150, 200, 250, 300]
    assert hist["loss"][-1] < 0.2 * hist["loss"][0]
    # with no penalty, the validation loss on the training set is the training loss
    np.testing.assert_allclose(hist["val_loss"], hist["loss"], rtol=1e-12)


def test_training_classification_learns_separable_blobs():
    rng = np.random.default_rng(8)
    y = np.repeat([0, 1, 2], 10)
    X = rng.standard_normal((30, 2)) * 0.3 + np.array([[0, 3], [3, 0], [-3, 0]])[y]
    params, hist = bp.train_two_layer(X, y, n_hidden=8, activation="relu", task="classification",
                                      lr=0.5, steps=200)
    out, _ = bp.two_layer_forward(X, *params, activation="relu")
    assert np.mean(out.argmax(axis=1) == y) == 1.0 and hist["loss"][-1] < 0.1


def test_too_large_a_step_is_reported_as_divergence():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (10, 1))
    _, hist = bp.train_two_layer(X, np.sin(3 * X[:, 0]), n_hidden=32, lr=5.0, steps=500)
    assert hist["diverged"] and len(hist["loss"]) < 500


# ----------------------------------------------------------------- bad input
def test_bad_input_raises_clear_errors():
    X, params, y = _problem(0, "tanh", "regression", n=4, d=3, h=2, k=2)
    W1, b1, W2, b2 = params
    with pytest.raises(ValueError, match=r"W1 has shape \(2, 2\), expected \(3, 2\)"):
        bp.two_layer_forward(X, W1[:2], b1, W2, b2)
    with pytest.raises(ValueError, match=r"b2 has shape \(3,\), expected \(2,\)"):
        bp.two_layer_forward(X, W1, b1, W2, np.zeros(3))
    with pytest.raises(ValueError, match="activation must be one of 'tanh', 'relu'; got 'sigmoid'"):
        bp.two_layer_forward(X, *params, activation="sigmoid")
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        bp.two_layer_forward(np.where(X == X[0, 0], np.nan, X), *params)
    out, cache = bp.two_layer_forward(X, *params)
    with pytest.raises(ValueError, match="task must be one of"):
        bp.two_layer_backward(cache, y, task="ranking")
    with pytest.raises(ValueError, match=r"y has shape \(4, 3\), expected \(4, 2\)"):
        bp.two_layer_backward(cache, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"y must hold labels in 0\.\.1 for 2 classes, got 2"):
        bp.two_layer_backward(cache, np.array([0, 1, 2, 0]), task="classification")
    with pytest.raises(ValueError, match=r"whole-number class labels"):
        bp.two_layer_loss(out, np.array([0, 1, 0.5, 0]), task="classification")
    with pytest.raises(TypeError, match="cache must be the dict"):
        bp.two_layer_backward((out,), y)
    with pytest.raises(TypeError, match="params must be a list"):
        bp.numerical_gradient(lambda ps: 0.0, np.zeros(3))
    with pytest.raises(ValueError, match="eps must be > 0, got 0"):
        bp.numerical_gradient(lambda ps: 0.0, [np.zeros(3)], eps=0)
    with pytest.raises(ValueError, match=r"a\[0\] has shape \(2,\) but b\[0\] has shape \(3,\)"):
        bp.relative_error([np.zeros(2)], [np.zeros(3)])
    with pytest.raises(ValueError, match="lam must be >= 0"):
        bp.train_two_layer(X, y, lam=-1)
    with pytest.raises(ValueError, match="X_val has 1 features but X has 3"):
        bp.train_two_layer(X, y, X_val=np.zeros((2, 1)), y_val=np.zeros((2, 2)))


# ----------------------------------------------------------------- the library's MLP does the same
@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("act", ACTS)
def test_two_layer_functions_agree_with_mlp(act, task):
    from tlearn import MLP

    X, params, y = _problem(11, act, task, n=6, d=3, h=5, k=3)
    model = MLP([3, 5, 3], activation=act, task=task, seed=0)
    model.set_parameters([p.copy() for p in params])
    loss, grads = model.loss_and_gradients(X, y)
    out, cache = bp.two_layer_forward(X, *params, activation=act)
    assert loss == pytest.approx(bp.two_layer_loss(out, y, task), rel=1e-12)
    assert bp.relative_error(grads, bp.two_layer_backward(cache, y, task)) < 1e-12


def test_chapter3_functions_refuse_wrapping_labels_1d_logits_and_never_broadcast():
    """Eq. (3.3)/(3.4) on bad input: a clear error, or the right number -- never an n x n table."""
    Z = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 0.0]])
    with pytest.raises(ValueError, match="labels >= 0"):
        bp.cross_entropy(Z, np.array([0, -1]))
    with pytest.raises(ValueError, match=r"labels in 0\.\.2 for 3 classes, got 3"):
        bp.cross_entropy(Z, np.array([0, 3]))
    with pytest.raises(ValueError, match="whole-number class labels"):
        bp.cross_entropy(Z, np.array([0, 1.5]))
    with pytest.raises(ValueError, match="must be 2-D"):
        bp.cross_entropy(Z[0], np.array([0]))
    with pytest.raises(ValueError, match="must be 2-D"):
        bp.softmax(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"labels in 0\.\.2 for 3 classes"):
        bp.one_hot(np.array([0, 5]), 3)
    y_hat, y = np.array([[1.0], [2.0], [4.0]]), np.array([1.5, 2.0, 3.0])
    expected = 0.5 * (0.25 + 0.0 + 1.0) / 3  # by hand, Eq. (3.3)
    assert bp.squared_error(y_hat, y) == pytest.approx(expected)
    assert bp.squared_error(y_hat[:, 0], y[:, None]) == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"Y has shape \(2, 1\), expected \(3, 1\)"):
        bp.squared_error(y_hat, y[:2])
