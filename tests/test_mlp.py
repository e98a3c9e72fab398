"""tlearn.mlp against independent references: finite differences, direct formulas, scikit-learn."""
import numpy as np
import pytest
from sklearn.metrics import r2_score

from tlearn import MLP
from tlearn.finetune import L2SP
from tlearn.backprop import loss_and_output_gradient


def _data(sizes, task, n, rng):
    X = rng.standard_normal((n, sizes[0]))
    if task == "classification":
        y = rng.integers(0, sizes[-1], n)
    else:
        y = rng.standard_normal((n, sizes[-1]))
    return X, y


def _penalty(kind, model, rng):
    params = model.parameters()
    if kind is None:
        return None
    if kind == "l2sp":  # random anchors, output layer unpenalised
        return L2SP(0.7, [rng.standard_normal(p.shape) if i < len(params) - 2 else None for i, p in enumerate(params)])
    return L2SP(0.3, [np.zeros(p.shape) for p in params])  # plain weight decay


def _numeric_grads(model, X, y, h=1e-6):
    grads = []
    for p in model.parameters():
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            lp, _ = model.loss_and_gradients(X, y)
            p[idx] = old - h
            lm, _ = model.loss_and_gradients(X, y)
            p[idx] = old
            g[idx] = (lp - lm) / (2 * h)
        grads.append(g)
    return grads


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("task", ["regression", "classification"])
@pytest.mark.parametrize("penalty", [None, "l2sp", "decay"])
@pytest.mark.parametrize("seed", [0, 1])
def test_gradients_match_finite_differences(activation, task, penalty, seed):
    rng = np.random.default_rng(100 + seed)
    depth = int(rng.integers(1, 4))  # 0..2 hidden layers
    sizes = [int(rng.integers(2, 6))] + [int(rng.integers(2, 7)) for _ in range(depth - 1)] + [int(rng.integers(2, 4))]
    model = MLP(sizes, activation, task, seed=seed)
    for p in model.parameters():  # non-zero biases so every rule is exercised
        p += 0.1 * rng.standard_normal(p.shape)
    model.penalty = _penalty(penalty, model, rng)
    X, y = _data(sizes, task, 7, rng)
    _, grads = model.loss_and_gradients(X, y)
    num = _numeric_grads(model, X, y)
    a, b = np.concatenate([g.ravel() for g in grads]), np.concatenate([g.ravel() for g in num])
    rel = np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)
    assert rel < 1e-6, (sizes, rel)


def test_losses_match_direct_formulas():
    """The MLP's loss layer is backprop's: Eqs. (3.3)-(3.5) against direct formulas."""
    rng = np.random.default_rng(0)
    Z, Y = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    loss, dZ = loss_and_output_gradient(Z.copy(), Y, "regression")
    assert loss == pytest.approx(np.mean(0.5 * np.sum((Z - Y) ** 2, axis=1)))
    np.testing.assert_allclose(dZ, (Z - Y) / 6)
    y = rng.integers(0, 3, 6)
    loss, dZ = loss_and_output_gradient(Z, y, "classification")
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(P[np.arange(6), y])))
    np.testing.assert_allclose(dZ, (P - np.eye(3)[y]) / 6)
    # huge logits: log-sum-exp keeps it finite and exact (shift invariance)
    big, _ = loss_and_output_gradient(Z + 1e4, y, "classification")
    assert big == pytest.approx(loss)
    huge, _ = loss_and_output_gradient(np.array([[1000.0, 0.0]]), np.array([1]), "classification")
    assert huge == pytest.approx(1000.0)


def test_forward_predict_hidden_score_by_hand():
    rng = np.random.default_rng(1)
    model = MLP([4, 5, 3, 2], "tanh", "regression", seed=3)
    W1, b1, W2, b2, W3, b3 = model.parameters()
    X = rng.standard_normal((9, 4))
    H1 = np.tanh(X @ W1 + b1)
    H2 = np.tanh(H1 @ W2 + b2)
    np.testing.assert_allclose(model.hidden(X, 1), H1)
    np.testing.assert_allclose(model.hidden(X, -1), H2)
    np.testing.assert_allclose(model.predict(X), H2 @ W3 + b3)
    Y = rng.standard_normal((9, 2))
    assert model.score(X, Y) == pytest.approx(r2_score(Y, H2 @ W3 + b3))
    clf = MLP([4, 6, 3], "relu", "classification", seed=0)
    V1, c1, V2, c2 = clf.parameters()
    Z = np.maximum(X @ V1 + c1, 0) @ V2 + c2
    P = clf.predict_proba(X)
    np.testing.assert_allclose(P, np.exp(Z) / np.exp(Z).sum(1, keepdims=True))
    np.testing.assert_array_equal(clf.predict(X), Z.argmax(1))
    y = rng.integers(0, 3, 9)
    assert clf.score(X, y) == pytest.approx(np.mean(Z.argmax(1) == y))


def test_parameters_are_live_and_set_parameters_copies():
    model = MLP([3, 4, 2], seed=0)
    params = model.parameters()
    assert [p.shape for p in params] == [(3, 4), (4,), (4, 2), (2,)]
    params[0][0, 0] = 42.0
    assert model.layers[0].W[0, 0] == 42.0
    new = [np.full(p.shape, float(i)) for i, p in enumerate(params)]
    model.set_parameters(new)
    new[0][...] = -1
    assert np.all(model.parameters()[0] == 0.0) and np.all(model.parameters()[3] == 3.0)
    with pytest.raises(ValueError, match=r"params\[1\] has shape \(5,\), expected \(4,\)"):
        model.set_parameters([np.zeros((3, 4)), np.zeros(5), np.zeros((4, 2)), np.zeros(2)])
    with pytest.raises(ValueError, match="list of 4 arrays"):
        model.set_parameters(new[:2])


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_fit_learns_and_records_history(optimizer):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # XOR-like: needs the hidden layer
    seen = []
    model = MLP([2, 16, 2], "tanh", "classification", seed=0).fit(
        X, y, epochs=60, lr=0.02 if optimizer == "adam" else 0.05, optimizer=optimizer,
        X_val=X[:50], y_val=y[:50], callback=lambda e, h: seen.append((e, len(h["loss"]))))
    h = model.history_
    assert set(h) == {"loss", "val_loss", "val_accuracy"} and len(h["loss"]) == 60
    assert seen == [(e, e + 1) for e in range(60)]
    assert h["loss"][-1] < 0.5 * h["loss"][0]
    assert model.score(X, y) > 0.9
    assert h["val_accuracy"][-1] == pytest.approx(model.score(X[:50], y[:50]))


def test_fit_is_seeded_and_frozen_layers_unchanged_bit_for_bit():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((50, 3)), rng.standard_normal(50)
    a = MLP([3, 5, 4, 1], seed=1)
    a.layers[1].frozen = True  # a frozen layer in the middle
    before = [p.copy() for p in a.parameters()]
    b = a.copy()
    a.fit(X, y, epochs=5, seed=7)
    b.fit(X, y, epochs=5, seed=7)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(a.parameters()[2], before[2])
    np.testing.assert_array_equal(a.parameters()[3], before[3])
    assert not np.array_equal(a.parameters()[0], before[0])
    a.freeze(3).fit(X, y, epochs=2)  # everything frozen: nothing moves
    np.testing.assert_array_equal(a.parameters()[4], b.parameters()[4])


def test_float32_and_copy_independent():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((40, 3)), rng.integers(0, 2, 40)
    m = MLP([3, 8, 2], task="classification", dtype=np.float32).fit(X, y, epochs=3)
    assert all(p.dtype == np.float32 for p in m.parameters())
    c = m.copy()
    c.parameters()[0][...] = 0
    assert np.any(m.parameters()[0] != 0)


def test_save_load_round_trip_exact(tmp_path):
    model = MLP([4, 6, 3], "tanh", "classification", seed=5)
    model.layers[0].frozen = True
    path = tmp_path / "m.npz"
    model.save(path)
    back = MLP.load(path)
    assert (back.sizes, back.activation, back.task) == ([4, 6, 3], "tanh", "classification")
    assert [l.frozen for l in back.layers] == [True, False]
    for p, q in zip(model.parameters(), back.parameters()):
        np.testing.assert_array_equal(p, q)


def test_load_rejects_malformed_and_foreign_files(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="not a readable tlearn MLP"):
        MLP.load(junk)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, a=np.zeros(3))
    with pytest.raises(ValueError, match="malformed tlearn MLP file: missing or malformed 'format'"):
        MLP.load(foreign)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, format=np.array("tlearn.MLP/1"), sizes=np.array([1, 1]), W1=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="tlearn MLP"):
        MLP.load(pickled)
    good = tmp_path / "good.npz"
    MLP([3, 4, 2]).save(good)
    data = dict(np.load(good))
    data["W2"] = np.zeros((5, 2))
    bad = tmp_path / "bad.npz"
    np.savez(bad, **data)
    with pytest.raises(ValueError, match=r"malformed.*W2 has shape \(5, 2\), expected \(4, 2\)"):
        MLP.load(bad)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="at least the input and output"):
        MLP([3])
    with pytest.raises(ValueError, match="activation must be one of"):
        MLP([3, 2], activation="sigmoidal")
    with pytest.raises(ValueError, match="task must be"):
        MLP([3, 2], task="ranking")
    with pytest.raises(ValueError, match=r"sizes\[1\] must be >= 1"):
        MLP([3, 0, 2])
    reg, clf = MLP([3, 4, 2]), MLP([3, 4, 3], task="classification")
    X = np.zeros((5, 3))
    with pytest.raises(ValueError, match="X has 4 features but the network expects 3"):
        reg.predict(np.zeros((5, 4)))
    with pytest.raises(ValueError, match="y has 1 target column"):
        reg.fit(X, np.zeros(5))
    with pytest.raises(ValueError, match="y has 4 rows but X has 5"):
        reg.fit(X, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"y must hold labels in 0\.\.2 for 3 classes, got 3"):
        clf.fit(X, np.array([0, 1, 2, 3, 0]))
    with pytest.raises(ValueError, match="whole-number class labels"):
        clf.fit(X, np.array([0, 1, 0.5, 1, 0]))
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        reg.fit(np.vstack([[np.nan, 0, 0], np.zeros((4, 3))]), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="optimizer must be"):
        reg.fit(X, np.zeros((5, 2)), optimizer="lbfgs")
    with pytest.raises(ValueError, match="lr must be > 0"):
        reg.fit(X, np.zeros((5, 2)), lr=-1.0)
    with pytest.raises(ValueError, match="both X_val and y_val"):
        reg.fit(X, np.zeros((5, 2)), X_val=X)
    with pytest.raises(ValueError, match=r"layer must be in 1\.\.1"):
        reg.hidden(X, layer=2)
    with pytest.raises(ValueError, match="predict_proba is only defined"):
        reg.predict_proba(X)


@pytest.mark.parametrize("hidden", [[32], [64]])
def test_default_fit_converges_on_the_full_digits_within_the_step_budget(hidden):
    """The budget counts optimiser steps (not epochs), the plateau test stops the fit, n_steps_ reports it."""
    import warnings

    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from tlearn.mlp import MAX_STEPS

    X, y = load_digits(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # converging means: no warning
        m = MLP([64, *hidden, 10], "relu", "classification", seed=0).fit(X / 16.0, y)
    assert m.converged_ and 0 < m.n_steps_ < MAX_STEPS
    assert m.n_steps_ % 57 == 0  # whole epochs of ceil(1797 / 32) = 57 steps
    assert m.score(X / 16.0, y) > 0.99


def test_save_without_suffix_round_trips_and_directories_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = MLP([3, 4, 2], seed=1)
    written = model.save("model")
    assert written.name == "model.npz"
    back = MLP.load("model")  # the same name loads what save wrote
    for p, q in zip(model.parameters(), back.parameters()):
        np.testing.assert_array_equal(p, q)
    (tmp_path / "adir").mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        model.save(tmp_path / "adir")
    with pytest.raises(ValueError, match="not a readable tlearn MLP"):
        MLP.load(tmp_path / "adir")


def test_save_refuses_nan_and_load_refuses_complex_or_nan_weights(tmp_path):
    model = MLP([3, 4, 2], seed=1)
    model.layers[0].W[0, 0] = np.nan
    with pytest.raises(ValueError, match="W1 holds NaN"):
        model.save(tmp_path / "nan.npz")
    good = tmp_path / "good.npz"
    MLP([3, 4, 2]).save(good)
    for name, value in [("complex", np.zeros((3, 4), dtype=complex)), ("nan", np.full((3, 4), np.nan))]:
        data = dict(np.load(good))
        data["W1"] = value
        np.savez(tmp_path / f"{name}.npz", **data)
        with pytest.raises(ValueError, match="malformed tlearn MLP file"):
            MLP.load(tmp_path / f"{name}.npz")


def test_declared_sizes_are_checked_before_anything_is_allocated(tmp_path):
    """A tiny file declaring a gigantic network: refused from the headers, never a MemoryError."""
    good = tmp_path / "good.npz"
    MLP([3, 4, 2]).save(good)
    data = dict(np.load(good))
    data["sizes"] = np.array([100_000, 100_000, 2])
    np.savez(tmp_path / "huge.npz", **data)
    with pytest.raises(ValueError, match=r"W1 has shape \(3, 4\), expected \(100000, 100000\)|budget"):
        MLP.load(tmp_path / "huge.npz")
    import zipfile

    # the .npy header of W1 claims a 10^6 x 10^6 array while the file holds a few bytes
    with zipfile.ZipFile(tmp_path / "lying.npz", "w") as zf:
        for key, arr in data.items():
            if key == "W1":
                header = np.lib.format.header_data_from_array_1_0(np.zeros((1, 1)))
                header["shape"] = (1_000_000, 1_000_000)
                with zf.open("W1.npy", "w") as f:
                    np.lib.format.write_array_header_1_0(f, header)
            else:
                with zf.open(f"{key}.npy", "w") as f:
                    np.lib.format.write_array(f, np.asarray(arr))
    with pytest.raises(ValueError, match="malformed tlearn MLP file"):
        MLP.load(tmp_path / "lying.npz")


@pytest.mark.parametrize("c", [1e-3, 1e3])
def test_regression_plateau_ignores_the_units_of_y(c):
    """tol is relative to the loss of predicting the mean (Eq. (3.3) at ŷ = ȳ): a linear network trained by SGD
    on c·y from c·θ₀ follows exactly c·θ(t), so it must stop at the same step as on y."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.standard_normal(40)
    W0, b0 = rng.standard_normal((3, 1)), rng.standard_normal(1)
    runs = []
    for scale in (1.0, c):
        net = MLP([3, 1], seed=0)
        net.set_parameters([scale * W0, scale * b0])
        runs.append(net.fit(X, scale * y, optimizer="sgd", lr=0.01, batch_size=40))
    assert runs[0].converged_ and runs[1].converged_
    assert runs[1].n_steps_ == runs[0].n_steps_
    np.testing.assert_allclose(runs[1].parameters()[0], c * runs[0].parameters()[0], rtol=1e-8)
    from tlearn.optim import loss_scale
    assert loss_scale(c * y, "regression") == pytest.approx(0.5 * c**2 * np.var(y))
