"""Claims of notebook 02, recomputed with the library (SubspaceExtractor, learning_curve, theory.ols_risk).

The learning-curve and digit claims re-run the figure's own averages (same seeds); the explorer
claims recompute its exact errors (``_feature_setting``). Eqs. (2.5), (2.7) give the references.
"""
from functools import lru_cache

import numpy as np
import pytest

from tlearn import FeatureTransfer, FeatureTransferClassifier, StackingTransfer, SubspaceExtractor, TransferRidge
from tlearn.datasets import load_digits_inverted, load_digits_split, make_subspace_tasks
from tlearn.evaluation import learning_curve
from tlearn.mlp import MLP
from tlearn.theory import ols_risk, principal_angles

from _feature_setting import NOISE_VAR, errors, tasks as explorer_tasks

SIZES = [5, 8, 12, 20, 35, 60, 100, 200]


def _tasks(distance):
    return make_subspace_tasks(n_tasks=30, n_features=50, n_components=3, n_per_task=100, noise=0.5, seed=0,
                               target_distance=distance, n_target=200, n_test=2000)


def test_ch02_gap_after_k_and_angle_shrinks_with_tasks():
    sv = SubspaceExtractor(n_components=3, lam=1.0).fit(_tasks(0.0).sources).singular_values_
    assert sv[2] > 2 * sv[3] and np.max(sv[3:-1] / sv[4:]) < sv[2] / sv[3]     # the one big gap: after k = 3

    def largest(T, seed):
        t = make_subspace_tasks(n_tasks=T, seed=seed, n_target=1, n_test=1)
        return np.degrees(principal_angles(SubspaceExtractor(3).fit(t.sources).components_, t.basis).max())

    worst = [np.mean([largest(T, s) for s in range(3)]) for T in (3, 5, 10, 20, 40, 80)]
    assert all(a > b for a, b in zip(worst, worst[1:])), worst


@lru_cache(maxsize=None)
def _curves(distance):
    tasks = _tasks(0.0)
    t = _tasks(distance)
    sub = SubspaceExtractor(n_components=3, lam=1.0).fit(tasks.sources)
    X_pool = np.vstack([Xs for Xs, _ in tasks.sources])
    f_A = TransferRidge(lam=1.0, fit_intercept=False).fit(X_pool, np.concatenate([ys for _, ys in tasks.sources]))
    lams = np.logspace(-2, 3, 11)
    methods = {"scratch": FeatureTransfer(None, lams=lams, fit_intercept=False),
               "parameter": FeatureTransfer(None, lams=lams, fit_intercept=False,
                                            source_coef=sub.task_coefs_.mean(axis=0)),
               "stacking": StackingTransfer(f_A, lams=lams, fit_intercept=False),
               "subspace": FeatureTransfer(sub, lams=lams, fit_intercept=False)}
    return {name: learning_curve(m, t.X, t.y, t.X_test, t.y_test, SIZES, n_repeats=4, seed=1)
            for name, m in methods.items()}


def test_ch02_subspace_head_wins_early_in_subspace():
    c = _curves(0.0)
    i = SIZES.index(12)
    assert c["subspace"][i] < c["scratch"][i] / 3                             # a fraction of scratch's
    assert all(c["subspace"][i] < c[m][i] for m in ("scratch", "parameter", "stacking"))
    t, U = _tasks(0.0), SubspaceExtractor(n_components=3, lam=1.0).fit(_tasks(0.0).sources).components_
    left = np.sum((t.coef - U @ (U.T @ t.coef)) ** 2)
    assert abs(c["subspace"][i] - ols_risk(12, 3, NOISE_VAR + left)) < 0.1      # on the dashed Eq. (2.7) already


def test_ch02_tilted_subspace_head_levels_off_and_is_overtaken():
    c = _curves(0.5)
    sub, scratch = c["subspace"], c["scratch"]
    late = [SIZES.index(n) for n in (35, 60, 100, 200)]
    assert np.ptp(sub[late]) < 0.06                                             # flat: the floor of Eq. (2.7)
    assert scratch[SIZES.index(20)] > sub[SIZES.index(20)]                      # scarce data: features win
    assert scratch[SIZES.index(100)] < sub[SIZES.index(100)] and scratch[-1] < sub[-1]   # past d = 50: not


@lru_cache(maxsize=None)
def _digit_curves(loader_name):
    loader = {"inverted": load_digits_inverted, "split": load_digits_split}[loader_name]
    d = loader(n_per_class=20, seed=0)
    K = int(d.y_source.max()) + 1
    mlp = MLP([64, 64, K], activation="relu", task="classification", seed=0).fit(d.X_source, d.y_source, epochs=40)
    codes = np.where(d.y_source[:, None] == np.arange(K), 1.0, -1.0)
    digit_sub = SubspaceExtractor(K, lam=1.0).fit([(d.X_source, codes[:, c]) for c in range(K)])
    source_ovr = FeatureTransferClassifier(None, lam=1.0).fit(d.X_source, d.y_source)
    models = {"scratch": FeatureTransferClassifier(None, lam=1.0),
              "parameter": FeatureTransferClassifier(None, lam=1.0, source_coef=source_ovr.coef_),
              "subspace": FeatureTransferClassifier(digit_sub, lam=1.0),
              "mlp": FeatureTransferClassifier(mlp, lam=1.0)}
    return {name: learning_curve(m, d.X_target, d.y_target, d.X_test, d.y_test, [1, 2, 3, 5, 10, 20],
                                 n_repeats=3, seed=2, scoring="error", per_class=True)
            for name, m in models.items()}


def test_ch02_inverted_subspace_wins_mlp_helps_parameter_hurts():
    c = _digit_curves("inverted")
    assert np.all(c["subspace"] < np.minimum.reduce([c["scratch"], c["parameter"], c["mlp"]]))
    assert np.all(c["mlp"] < c["scratch"])
    assert np.all(c["parameter"][:5] > c["scratch"][:5])                   # up to 10 labels per class


def test_ch02_inversion_is_a_sign_flip_and_a_shift():
    # 1 − x = −x + 1: a linear score w·x + b of the inverted image is −w·x + (w·1 + b), so a head on the
    # subspace features refits the sign in its weights and the shift in its intercept
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (20, 64))
    U = np.linalg.qr(rng.standard_normal((64, 5)))[0]
    v, b = rng.standard_normal(5), 0.3
    scores = (1 - X) @ U @ v + b
    assert np.allclose(scores, X @ U @ (-v) + (np.ones(64) @ U @ v + b))


def test_ch02_split_subspace_plateaus_mlp_near_scratch():
    c = _digit_curves("split")
    assert np.all(c["subspace"] > c["scratch"] + 0.2)                      # far above scratch, at every size
    assert np.all(c["mlp"] >= c["scratch"] - 0.01)                          # no better than scratch ...
    assert np.all(c["mlp"][1:] - c["scratch"][1:] < 0.04)                   # ... but close from 2 labels on
    assert np.all(c["parameter"][:4] > c["scratch"][:4])                    # parameter transfer hurts, few labels


def test_ch02_k_too_few_or_too_many():
    e = {k: errors(15, 1.0, k, 0.0)[2] for k in (1, 3, 10)}
    assert e[1] > e[3] < e[10]


def test_ch02_distance_flattens_at_floor():
    t = explorer_tasks(0.6)
    floor = NOISE_VAR + 0.36 * np.sum(t.coef ** 2)                          # Eq. (2.7) with Û = U, δ = 0.6
    for n in (60, 100):
        sub = errors(n, 1.0, 3, 0.6)[2]
        assert abs(sub - ols_risk(n, 3, floor)) < 0.08 * floor
    assert errors(100, 1.0, 3, 0.0)[2] < 0.4 < floor


def test_ch02_lam_zero_interpolation_peaks():
    scratch = [errors(n, 0.0, 3, 0.0)[0] for n in (30, 50, 70)]
    assert scratch[1] > 50 * max(scratch[0], scratch[2])                   # n_B = d = 50
    sub = {n: errors(n, 0.0, 3, 0.0)[2] for n in (2, 3, 4, 6)}
    assert sub[3] == max(sub.values()) and sub[3] > 2 * sub[4]             # n_B = k = 3


def test_ch02_lam_inf_collapse_to_prior():
    t = explorer_tasks(0.0)
    w2 = np.sum(t.coef ** 2)
    for n in (5, 50):
        scratch, param, sub = errors(n, np.inf, 3, 0.0)
        assert np.isclose(scratch, NOISE_VAR + w2) and np.isclose(sub, NOISE_VAR + w2)
        assert param < scratch                                              # the mean source weight is a better prior


def test_ch02_exercise_crossing():
    # prediction from Eqs. (2.5) and (2.7) at λ = 0, δ = 0.6, Û ≈ U
    w2 = np.sum(explorer_tasks(0.6).coef ** 2)
    n = np.arange(55, 200)
    ahead = ols_risk(n, 50, NOISE_VAR) < ols_risk(n, 3, NOISE_VAR + 0.36 * w2)
    predicted = n[np.argmax(ahead)]
    assert 65 <= predicted <= 80
    seen = next(m for m in range(55, 101) if errors(m, 0.0, 3, 0.6)[0] < errors(m, 0.0, 3, 0.6)[2])
    assert 60 <= seen <= 80 and abs(seen - predicted) <= 12
