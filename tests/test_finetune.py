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


# ------------------------------------------------------------------ end to end, with the defaults (issue 10)
def _default_runs(load, sizes, activation, n, strategies, seeds=(0, 1, 2, 3, 4)):
    """Test scores (MSE for regression, accuracy otherwise) of fine_tune with its defaults, per seed."""
    d0 = load(n, 0)
    src = MLP(sizes, activation, d0.task, seed=0).fit(d0.X_source, d0.y_source, lr=1e-2)
    out = {s: [] for s in strategies}
    for seed in seeds:
        d = load(n, seed)
        for s in strategies:
            m = fine_tune(src, d.X_target, d.y_target, strategy=s, seed=seed)
            assert m.converged_, (s, seed, m.n_steps_)
            out[s].append(np.mean((m.predict(d.X_test) - d.y_test) ** 2) if d.task == "regression"
                          else m.score(d.X_test, d.y_test))
    return {s: float(np.mean(v)) for s, v in out.items()}


@pytest.mark.parametrize("scenario", ["shared", "inverted", "split"])
def test_every_strategy_converges_with_the_defaults_on_every_scenario(scenario):
    """fine_tune(source, X, y, strategy=s) with nothing else set: converged, no ConvergenceWarning, at the
    smallest and the largest target set of the deep explorer (notebook 04's scenarios)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from tlearn.widgets.deep import SCENARIOS, pretrained_source

    sc, src = SCENARIOS[scenario], pretrained_source(scenario)
    for n in sc.n_range:
        d = sc.load(n, 0)
        for s in STRATEGIES:
            with warnings.catch_warnings():
                warnings.simplefilter("error", ConvergenceWarning)
                m = fine_tune(src, d.X_target, d.y_target, strategy=s)
            assert m.converged_, (scenario, n, s, m.n_steps_)


def test_defaults_beat_scratch_twofold_when_the_target_reads_out_source_features():
    """make_shared_representation: y is a linear readout of the source's hidden features; n = 25."""
    res = _default_runs(lambda n, s: make_shared_representation(n_target=n, seed=s), [10, 32, 32, 16], "tanh", 25,
                        ["scratch", "head"])
    assert res["scratch"] >= 2.0 * res["head"], res


def test_inverted_digits_best_default_strategy_no_worse_than_scratch():
    res = _default_runs(lambda n, s: load_digits_inverted(n, seed=s), [64, 32, 10], "relu", 3,
                        ["scratch", "head"])
    assert res["head"] >= res["scratch"], res


def test_digits_0to4_to_5to9_is_negative_transfer():
    res = _default_runs(lambda n, s: load_digits_split(n, seed=s), [64, 32, 5], "relu", 5, ["scratch", "head"],
                        seeds=(0, 1, 2))
    assert res["scratch"] > res["head"] + 0.05, res


# ------------------------------------------------------------------ the exact head against scikit-learn
def test_regression_head_is_ridge_on_hidden_features_with_brute_force_loo(source):
    """strategy="head" = ridge on H (Eq. (1.4) with prior 0), λ by leave-one-out (Eq. (1.14)): sklearn reference."""
    from sklearn.linear_model import Ridge
    from tlearn.ridge import DEFAULT_LAMS

    X, y = _target(n=25, k=1, seed=7)
    head = fine_tune(source, X, y, strategy="head")
    H = source.hidden(X)

    def loo(lam):
        errs = []
        for i in range(len(y)):
            keep = np.arange(len(y)) != i
            r = Ridge(alpha=lam).fit(H[keep], y[keep])
            errs.append((r.predict(H[i:i + 1])[0] - y[i]) ** 2)
        return np.mean(errs)

    grid = [g for g in DEFAULT_LAMS if 0 < g < np.inf]
    best = min(grid, key=loo)
    assert head.head_lam_ == pytest.approx(best)
    ref = Ridge(alpha=best).fit(H, y)
    np.testing.assert_allclose(head.layers[-1].W[:, 0], ref.coef_, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(head.layers[-1].b, ref.intercept_, rtol=1e-7, atol=1e-10)
    assert head.converged_ and head.n_steps_ == 0


def test_classification_head_matches_sklearn_logistic_regression():
    """Mean cross-entropy (Eq. (3.4)) + λ/2‖W‖², λ = 1/n  ==  LogisticRegression(C=1) on the hidden features."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    Xs, ys = rng.standard_normal((200, 6)), rng.integers(0, 3, 200)
    src = MLP([6, 10, 3], "tanh", "classification", seed=0).fit(Xs, ys, epochs=5)
    X, y = rng.standard_normal((30, 6)), np.arange(30) % 3
    head = fine_tune(src, X, y, strategy="head")
    ref = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(src.hidden(X), y)
    np.testing.assert_allclose(head.predict_proba(X), ref.predict_proba(src.hidden(X)), atol=1e-5)
    assert head.converged_ and head.n_steps_ > 0


# ------------------------------------------------------------------ budget and convergence reports
def test_budget_counts_optimiser_steps_and_warns(source):
    from sklearn.exceptions import ConvergenceWarning

    X, y = _target(n=40, k=3)
    with pytest.warns(ConvergenceWarning, match="max_steps=7"):
        m = fine_tune(source, X, y, strategy="full", max_steps=7, batch_size=10)
    assert m.n_steps_ == 8 and not m.converged_  # whole epochs of 4 steps: stops at the first epoch past 7
    fixed = fine_tune(source, X, y, strategy="full", epochs=3, batch_size=10)
    assert fixed.n_steps_ == 12
    conv = fine_tune(source, X, y, strategy="full", lr=1e-2)
    assert conv.converged_ and conv.n_steps_ < 10_000


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
