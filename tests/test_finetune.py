"""fine_tune: invariants, the closed-form L2-SP step against ridge toward the source, end-to-end transfer."""
import numpy as np
import pytest

from tlearn import MLP, fine_tune
from tlearn.datasets import load_digits_inverted, load_digits_split, make_shared_representation
from tlearn.finetune import L2SP, STRATEGIES


@pytest.fixture(scope="module")
def source():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 5))
    Y = np.tanh(X @ rng.standard_normal((5, 3)))
    return MLP([5, 8, 6, 3], "tanh", "regression", seed=0).fit(X, Y, epochs=20, lr=1e-2)


def _target(n=40, k=1, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5))
    y = np.sin(X[:, 0]) if k == 1 else rng.standard_normal((n, k))
    return X, y


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_source_untouched_and_new_model_returned(source, strategy):
    before = [p.copy() for p in source.parameters()]
    X, y = _target(k=3)
    model = fine_tune(source, X, y, strategy=strategy, lam=1.0, n_frozen=1, epochs=5, seed=0)
    assert model is not source and model.strategy_ == strategy
    for p, q in zip(source.parameters(), before):
        np.testing.assert_array_equal(p, q)
    assert all(not l.frozen for l in source.layers) and source.penalty is None


def test_head_and_freeze_keep_frozen_layers_bit_for_bit(source):
    X, y = _target(k=3)
    head = fine_tune(source, X, y, strategy="head", epochs=5)
    for l in range(2):
        np.testing.assert_array_equal(head.layers[l].W, source.layers[l].W)
        np.testing.assert_array_equal(head.layers[l].b, source.layers[l].b)
    assert head.output_reset_ and not np.array_equal(head.layers[2].W, source.layers[2].W)
    frz = fine_tune(source, X, y, strategy="freeze", n_frozen=1, epochs=5)
    np.testing.assert_array_equal(frz.layers[0].W, source.layers[0].W)
    assert not np.array_equal(frz.layers[1].W, source.layers[1].W)
    assert frz.output_reset_  # the default: a fresh output layer
    kept = fine_tune(source, X, y, strategy="freeze", n_frozen=1, epochs=5, reset_output=False)
    assert not kept.output_reset_  # same width and asked to keep it


def test_output_layer_reinitialised_when_width_differs(source):
    X, y = _target(k=1)
    model = fine_tune(source, X, y, strategy="full", epochs=3)
    assert model.sizes == [5, 8, 6, 1] and model.output_reset_
    rng = np.random.default_rng(0)
    clf = MLP([4, 6, 10], task="classification", seed=0)
    Xc, yc = rng.standard_normal((30, 4)), rng.integers(0, 5, 30)
    yc[:5] = np.arange(5)
    small = fine_tune(clf, Xc, yc, strategy="l2sp", lam=1.0, epochs=3)
    assert small.sizes == [4, 6, 5] and small.predict_proba(Xc).shape == (30, 5)


def test_l2sp_infinite_and_huge_lambda_stay_at_source(source):
    X, y = _target(k=3)
    inf = fine_tune(source, X, y, strategy="l2sp", lam=np.inf, epochs=5, lr=0.1, reset_output=False)
    for p, q in zip(inf.parameters(), source.parameters()):
        np.testing.assert_array_equal(p, q)
    huge = fine_tune(source, X, y, strategy="l2sp", lam=1e12, epochs=5, lr=0.1, optimizer="sgd", reset_output=False)
    for p, q in zip(huge.parameters(), source.parameters()):
        np.testing.assert_allclose(p, q, atol=1e-9)
    # lr·λ = 1e4 ≫ 2: a plain gradient step would diverge, the closed-form step does not
    stiff = fine_tune(source, X, y, strategy="l2sp", lam=1e4, epochs=20, lr=1.0, optimizer="sgd",
                      reset_output=False)
    assert all(np.all(np.isfinite(p)) for p in stiff.parameters())
    assert max(np.max(np.abs(p - q)) for p, q in zip(stiff.parameters(), source.parameters())) < 1e-2


def test_l2sp_lambda_zero_equals_full_bit_for_bit(source):
    X, y = _target(k=1)
    a = fine_tune(source, X, y, strategy="l2sp", lam=0.0, epochs=7, seed=3)
    b = fine_tune(source, X, y, strategy="full", epochs=7, seed=3)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p, q)


def test_lambda_infinity_with_new_output_trains_only_the_head(source):
    X, y = _target(k=1)
    a = fine_tune(source, X, y, strategy="l2sp", lam=np.inf, epochs=6, seed=2)
    for p, q in zip(a.parameters()[:4], source.parameters()[:4]):
        np.testing.assert_array_equal(p, q)
    init = fine_tune(source, X, y, strategy="l2sp", lam=np.inf, epochs=1, max_steps=1, seed=2)
    assert not np.array_equal(a.layers[-1].W, init.layers[-1].W)


@pytest.mark.parametrize("optimizer,tol", [("sgd", 1e-8), ("adam", 1e-4)])
def test_closed_form_step_converges_to_ridge_toward_source(optimizer, tol):
    """A linear 'network' [d, 1] fine-tuned with L2-SP solves ridge toward the source (Eq. (1.4)).

    Reference: the augmented least-squares problem
    min ½‖(y − Xw − b)/√n‖² + λ/2 ‖(w, b) − (w_src, b_src)‖², solved by lstsq.
    """
    rng = np.random.default_rng(4)
    n, d, lam = 30, 4, 0.5
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    src = MLP([d, 1], seed=1)
    src.set_parameters([rng.standard_normal((d, 1)), rng.standard_normal(1)])
    model = fine_tune(src, X, y, strategy="l2sp", lam=lam, epochs=3000, batch_size=n,
                      lr=0.05 if optimizer == "sgd" else 0.01, optimizer=optimizer, reset_output=False)
    A = np.vstack([np.hstack([X, np.ones((n, 1))]) / np.sqrt(n), np.sqrt(lam) * np.eye(d + 1)])
    theta_src = np.concatenate([src.parameters()[0][:, 0], src.parameters()[1]])
    rhs = np.concatenate([y / np.sqrt(n), np.sqrt(lam) * theta_src])
    ref = np.linalg.lstsq(A, rhs, rcond=None)[0]
    got = np.concatenate([model.parameters()[0][:, 0], model.parameters()[1]])
    np.testing.assert_allclose(got, ref, atol=tol)


def test_penalty_value_and_prox_by_hand():
    rng = np.random.default_rng(5)
    p, a = rng.standard_normal(4), rng.standard_normal(4)
    pen = L2SP(2.0, [a, None])
    assert pen.value([p, np.ones(3)]) == pytest.approx(np.sum((p - a) ** 2))
    # prox minimises ½‖θ − θ½‖²/η + λ/2‖θ − a‖²: its gradient vanishes there
    theta, eta = p.copy(), 0.3
    pen.prox(theta, a, eta)
    np.testing.assert_allclose((theta - p) / eta + 2.0 * (theta - a), 0, atol=1e-12)


def test_callback_and_validation_are_forwarded(source):
    X, y = _target(k=3)
    seen = []
    model = fine_tune(source, X, y, strategy="full", epochs=4, X_val=X, y_val=y,
                      callback=lambda e, h: seen.append(e))
    assert seen == [0, 1, 2, 3] and len(model.history_["val_loss"]) == 4


def test_bad_inputs(source):
    X, y = _target(k=3)
    with pytest.raises(ValueError, match="X has 4 features but source_model expects 5"):
        fine_tune(source, X[:, :4], y)
    with pytest.raises(ValueError, match="strategy must be one of"):
        fine_tune(source, X, y, strategy="distill")
    with pytest.raises(ValueError, match=r"n_frozen must be >= 0 and <= 2, got 3"):
        fine_tune(source, X, y, strategy="freeze", n_frozen=3)
    with pytest.raises(ValueError, match="lam must be >= 0"):
        fine_tune(source, X, y, strategy="l2sp", lam=-1.0)
    with pytest.raises(TypeError, match="source_model must be a tlearn.MLP"):
        fine_tune("model.npz", X, y)
    with pytest.raises(ValueError, match="y has 39 rows but X has 40"):
        fine_tune(source, X, y[:-1], epochs=1)
    with pytest.raises(ValueError, match="y contains 3 NaN"):
        fine_tune(source, X, np.where(np.arange(40)[:, None] == 0, np.nan, y))
    clf = MLP([5, 4, 3], task="classification")
    with pytest.raises(ValueError, match="labels >= 0"):
        fine_tune(clf, X, -np.ones(40))
    with pytest.raises(ValueError, match=r"labels in 0\.\.2 for 3 classes"):
        fine_tune(clf, X, np.arange(40) % 5, n_classes=3)


# ------------------------------------------------------------------ end to end (averaged over seeds)
def _mean_scores(data_fn, sizes, activation, n, strategies, seeds=(0, 1, 2), src_epochs=30, **kw):
    d0 = data_fn(n, 0)
    src = MLP(sizes, activation, d0.task, seed=0).fit(d0.X_source, d0.y_source, epochs=src_epochs, lr=1e-2)
    out = {s: [] for s in strategies}
    for seed in seeds:
        d = data_fn(n, seed)
        for s in strategies:
            m = fine_tune(src, d.X_target, d.y_target, strategy=s, seed=seed, lr=1e-2, reset_output=True, **kw)
            out[s].append(m.score(d.X_test, d.y_test))
    return {s: float(np.mean(v)) for s, v in out.items()}


def test_transfer_wins_widely_on_shared_representation():
    res = _mean_scores(lambda n, s: make_shared_representation(n_target=n, seed=s), [10, 32, 16], "tanh", 10,
                       ["scratch", "head", "l2sp"], src_epochs=100, epochs=100, lam=10.0)
    assert res["head"] > res["scratch"] + 0.2 and res["l2sp"] > res["scratch"] + 0.2, res


def test_transfer_helps_on_inverted_digits_with_few_labels():
    res = _mean_scores(lambda n, s: load_digits_inverted(n, seed=s), [64, 32, 10], "relu", 3,
                       ["scratch", "head"], epochs=100)
    assert res["head"] > res["scratch"] + 0.03, res


def test_digits_0to4_to_5to9_is_negative_transfer():
    res = _mean_scores(lambda n, s: load_digits_split(n, seed=s), [64, 32, 5], "relu", 5,
                       ["scratch", "head"], epochs=100)
    assert res["scratch"] > res["head"] + 0.1, res


def test_fine_tune_curves_match_direct_calls(source):
    from tlearn.finetune import fine_tune_curves

    def load(n, seed):
        d = make_shared_representation(n_target=n, n_source=10, n_test=50, n_features=5, seed=seed)
        return d

    curves = fine_tune_curves(source, load, [6, 9], ["scratch", "head"], seeds=(0, 1), epochs=3)
    assert curves["head"].shape == (2, 2)
    d = load(9, 1)
    m = fine_tune(source, d.X_target, d.y_target, strategy="head", seed=1, epochs=3)
    assert curves["head"][1, 1] == m.score(d.X_test, d.y_test)
