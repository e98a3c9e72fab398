"""FineTuneCV: candidates, folds, scores against a hand-made leave-one-out, and the choice on the three scenarios."""
import numpy as np
import pytest
from sklearn.base import clone

from tlearn import MLP, FineTuneCV, fine_tune
from tlearn.datasets import load_digits_inverted, load_digits_split, make_shared_representation


@pytest.fixture(scope="module")
def small_source():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 4))
    return MLP([4, 6, 2], "tanh", "regression", seed=0).fit(X, np.tanh(X[:, :2]), epochs=20, lr=1e-2)


def _reg_target(n=8, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    return X, np.tanh(X[:, 0]) + 0.1 * rng.standard_normal(n)


def test_candidates_keep_scratch_and_fold_the_l2sp_limits(small_source):
    cv = FineTuneCV(small_source, strategies=("head", "l2sp"), lams=(0.0, 0.5, np.inf), fit_options={"epochs": 2})
    X, y = _reg_target(12)
    cv.fit(X, y)
    # λ = 0 is "full" and λ = ∞ is "head" (the limits of Eq. (4.1)), fitted once each; scratch is always there
    assert cv.candidates_ == [("scratch", None), ("head", None), ("full", None), ("l2sp", 0.5)]
    assert set(cv.cv_scores_) == {"scratch", "head", "full", "l2sp λ=0.5"}
    assert cv.cv_kind_ == "kfold" and cv.n_splits_ == 5


def test_loo_scores_match_a_hand_made_leave_one_out(small_source):
    X, y = _reg_target(6)
    cv = FineTuneCV(small_source, strategies=("head",), cv=5, fit_options={"epochs": 3}).fit(X, y)
    assert cv.cv_kind_ == "loo" and cv.n_splits_ == 6  # n < 2K: leave-one-out
    for name, strategy in [("head", "head"), ("scratch", "scratch")]:
        errs = []
        for i in range(6):
            keep = np.arange(6) != i
            m = fine_tune(small_source, X[keep], y[keep], strategy=strategy, epochs=3, seed=0)
            errs.append((m.predict(X[i:i + 1])[0] - y[i]) ** 2)
        mean, se = cv.cv_scores_[name]
        assert mean == pytest.approx(-np.mean(errs), rel=1e-10)
        assert se == pytest.approx(np.std(errs, ddof=1) / np.sqrt(6), rel=1e-10)
    best = max(cv.cv_scores_, key=lambda k: cv.cv_scores_[k][0])
    assert cv.best_strategy_ == best and cv.transfer_ == (best != "scratch")
    # the winner is refitted on all the data
    ref = fine_tune(small_source, X, y, strategy=cv.best_strategy_, epochs=3, seed=0)
    np.testing.assert_allclose(cv.predict(X), ref.predict(X))


def test_stratified_folds_and_loo_for_one_label_per_class():
    rng = np.random.default_rng(2)
    src = MLP([3, 5, 3], task="classification", seed=0)
    X = rng.standard_normal((9, 3))
    y = np.repeat([0, 1, 2], 3)
    cv = FineTuneCV(src, strategies=("head",), cv=5, fit_options={"epochs": 2}).fit(X, y)
    assert cv.cv_kind_ == "stratified" and cv.n_splits_ == 3  # K lowered to the smallest class
    cv1 = FineTuneCV(src, strategies=("head",), fit_options={"epochs": 2}).fit(X[::3], y[::3])
    assert cv1.cv_kind_ == "loo" and cv1.n_splits_ == 3
    assert cv1.predict_proba(X).shape == (9, 3)


def test_sklearn_contract_and_errors(small_source):
    cv = FineTuneCV(small_source, cv=3, seed=4)
    params = cv.get_params()
    assert params["cv"] == 3 and params["seed"] == 4 and params["source_model"] is small_source
    assert clone(cv).get_params()["cv"] == 3
    with pytest.raises(ValueError, match="not fitted"):
        cv.predict(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="strategies must be one of"):
        FineTuneCV(small_source, strategies=("distill",)).fit(*_reg_target())
    with pytest.raises(TypeError, match="source_model must be a tlearn.MLP"):
        FineTuneCV("model.npz").fit(*_reg_target())
    with pytest.raises(ValueError, match="lam must be >= 0"):
        FineTuneCV(small_source, lams=(-1.0,)).fit(*_reg_target())


# ---------------------------------------------------------------- the choice on the three scenarios
_FAST = dict(strategies=("head", "l2sp"), lams=(0.0, 1.0, np.inf), cv=3)


def _source(load, sizes, activation):
    d = load(3, 0)
    return MLP(sizes, activation, d.task, seed=0).fit(d.X_source, d.y_source, lr=1e-2)


def test_picks_scratch_or_within_one_se_on_the_harmful_split():
    """Digits 0-4 -> 5-9 (negative transfer): chosen without the test set, over seeds."""
    load = lambda n, s: load_digits_split(n, seed=s)  # noqa: E731
    src = _source(load, [64, 32, 5], "relu")
    for seed in (0, 1):
        d = load(3, seed)
        cv = FineTuneCV(src, seed=seed, **_FAST).fit(d.X_target, d.y_target)
        best, scratch = cv.cv_scores_[cv.best_strategy_ if cv.best_strategy_ != "l2sp" else "l2sp λ=1"], \
            cv.cv_scores_["scratch"]
        assert not cv.transfer_ or best[0] - scratch[0] <= scratch[1], cv.cv_scores_


@pytest.mark.parametrize("scenario", ["shared", "inverted"])
def test_picks_a_transfer_strategy_where_transfer_helps(scenario):
    if scenario == "shared":
        load, sizes, act, n = (lambda n, s: make_shared_representation(n_target=n, seed=s)), [10, 32, 32, 16], \
            "tanh", 25
    else:
        load, sizes, act, n = (lambda n, s: load_digits_inverted(n, seed=s)), [64, 32, 10], "relu", 3
    src = _source(load, sizes, act)
    seeds = (0, 1) if scenario == "shared" else (0,)  # the digits runs are slower
    wins = 0
    for seed in seeds:
        d = load(n, seed)
        wins += FineTuneCV(src, seed=seed, **_FAST).fit(d.X_target, d.y_target).transfer_
    assert wins == len(seeds)
