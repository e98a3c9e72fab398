"""Property tests (hypothesis, bounded and derandomised) over the public entry points (issue 9).

Two properties:
* bad input -> a ``ValueError``/``TypeError`` whose message names the argument;
* good input -> a finite result equal to an independent reference (augmented least
  squares, brute-force leave-one-out refits, the explicit bias/variance matrices).
"""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tlearn
from tlearn import datasets, theory

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# --------------------------------------------------------------------------------------------
# Bad values by kind. Each argument lists the kinds that must be refused.
# --------------------------------------------------------------------------------------------
BAD = {
    "complex": [1 + 2j, np.complex128(0.5 + 0j)],
    "nan": [math.nan, np.float64("nan")],
    "inf": [math.inf, -math.inf],
    "negative": [-1, -0.5, -1e-9],
    "string": ["1.0", "no", ""],
    "bool_for_number": [True, np.bool_(False)],
    "none": [None],
    "container": [[1.0], (2,), {"a": 1}],
    "fraction": [2.5, 0.5],
    "not_bool": ["no", "yes", 1, 0, None, "False"],
    "bad_option": ["nope", ["head"], 3, None],
    "bad_array": [np.array([[1 + 1j, 2.0]]), np.array([["a", "b"]]), np.array([[np.nan, 1.0]]),
                  np.array([[np.inf, 1.0]]), np.zeros((0, 2)), np.zeros((2, 2, 2))],
}


def _values(*kinds):
    return [v for k in kinds for v in BAD[k]]


X0 = np.random.default_rng(0).normal(size=(8, 3))
Y0 = X0 @ np.array([1.0, -2.0, 0.5]) + 0.1
W0 = np.array([0.5, -1.0, 0.0])

LAM = _values("complex", "nan", "negative", "string", "bool_for_number", "none", "container")
SIZE = _values("complex", "nan", "inf", "negative", "string", "bool_for_number", "fraction")
SEED = _values("complex", "negative", "string", "bool_for_number", "fraction")
LAMS_ARRAY = [v for v in LAM if not isinstance(v, (list, tuple))]  # a list/tuple of λ is a valid grid
REAL_NONNEG = _values("complex", "nan", "inf", "negative", "string", "bool_for_number", "container")

# Symmetric but not positive semi-definite, asymmetric, negative variances, wrong size.
NOT_COVARIANCE = [np.array([[1.0, 2.0, 0], [2.0, 1.0, 0], [0, 0, 1.0]]), np.triu(np.ones((3, 3))),
                  -np.ones(3), np.eye(4)]
ONE_WEIGHT = [np.eye(8)[0], 3.0 * np.eye(8)[5]]  # one positive weight: LOO needs two (three with an intercept)
MLP0 = tlearn.MLP([3, 4, 1], seed=0)  # usable (random features) from construction on
LINEAR0 = tlearn.TransferRidge().fit(X0, Y0)

# (case id, function of keyword arguments, good keyword arguments, {argument: bad values})
CASES = [
    ("ridge_fit", tlearn.ridge_fit, dict(X=X0, y=Y0, lam=1.0, prior=W0),
     {"lam": LAM, "X": BAD["bad_array"], "prior": BAD["bad_array"] + [np.ones(4)]}),
    ("TransferRidge.fit", lambda **k: tlearn.TransferRidge(**k).fit(X0, Y0),
     dict(lam=1.0, source_coef=W0, fit_intercept=True),
     {"lam": LAM, "fit_intercept": BAD["not_bool"], "source_coef": BAD["bad_array"]}),
    ("TransferRidgeCV.fit", lambda **k: tlearn.TransferRidgeCV(**k).fit(X0, Y0),
     dict(source_coef=W0, fit_intercept=True, allow_no_transfer=True),
     {"fit_intercept": BAD["not_bool"], "allow_no_transfer": BAD["not_bool"]}),
    ("RidgePath", lambda **k: tlearn.RidgePath(X0, Y0, **k).loo_mse(1.0),
     dict(fit_intercept=False), {"fit_intercept": BAD["not_bool"]}),
    ("RidgePath.coef", lambda **k: tlearn.RidgePath(X0, Y0).coef(**k), dict(lam=1.0), {"lam": LAMS_ARRAY}),
    ("transfer_risk", theory.transfer_risk, dict(X=X0, coef_target=W0, lam=1.0, noise_var=0.25, test_cov=None),
     {"lam": LAMS_ARRAY, "noise_var": REAL_NONNEG, "coef_target": BAD["bad_array"] + [np.ones(5)],
      "test_cov": BAD["bad_array"] + NOT_COVARIANCE}),
    ("oracle_lam", theory.oracle_lam, dict(n_features=3, noise_var=0.25, coef_target=W0),
     {"n_features": SIZE + [2, 4], "noise_var": REAL_NONNEG, "coef_target": BAD["bad_array"]}),
    ("ols_risk", theory.ols_risk, dict(n=10, n_params=3, noise_var=0.25),
     {"n_params": SIZE, "noise_var": REAL_NONNEG, "n": BAD["bad_array"][:4]}),
    ("make_subspace_tasks", datasets.make_subspace_tasks, dict(n_tasks=3, n_features=4, n_components=2, seed=0),
     {"n_tasks": SIZE, "seed": SEED, "noise": REAL_NONNEG,
      "target_distance": _values("complex", "nan", "inf", "string", "bool_for_number") + [1.5, -0.1]}),
    ("TransferRidgeCV.fit(sample_weight)", lambda **k: tlearn.TransferRidgeCV(source_coef=W0).fit(X0, Y0, **k),
     dict(sample_weight=np.ones(8)), {"sample_weight": ONE_WEIGHT + BAD["bad_array"][:4]}),
    ("TransferRidge.fit(X)", lambda **k: tlearn.TransferRidge().fit(y=Y0[:1], **k), dict(X=X0[:1]),
     {"X": BAD["bad_array"] + [np.array([["a", "b", "c"]], dtype=object)]}),
    ("FeatureTransfer.fit", lambda **k: tlearn.FeatureTransfer(**k).fit(X0, Y0),
     dict(extractor=MLP0, lam=1.0, fit_intercept=True), {"lam": LAM, "fit_intercept": BAD["not_bool"]}),
    ("StackingTransfer.fit", lambda **k: tlearn.StackingTransfer(**k).fit(X0, Y0),
     dict(source=MLP0, lam=1.0), {"lam": LAM, "source": [None, 3, "model"]}),
    ("TransferRidge.from_source", tlearn.TransferRidge.from_source, dict(model=LINEAR0),
     {"model": [MLP0, tlearn.MLP([3, 2, 1]), None, "model"]}),
    ("make_transfer_regression", datasets.make_transfer_regression,
     dict(n_source=20, n_target=5, n_test=5, n_features=3, similarity=0.5, noise=0.5, seed=0),
     {"n_source": SIZE, "n_target": SIZE, "n_features": SIZE, "seed": SEED,
      "noise": REAL_NONNEG, "similarity": _values("complex", "nan", "inf", "string", "bool_for_number") + [1.5, -2]}),
    ("StackingTransfer(passthrough)", lambda **k: tlearn.StackingTransfer(source=LINEAR0, **k).fit(X0, Y0),
     dict(passthrough=False), {"passthrough": BAD["not_bool"]}),
    ("load_diabetes_transfer", datasets.load_diabetes_transfer, dict(n_target=10, seed=0, source_group=1),
     {"source_group": [1.0, 0.5, True, 2, -1, "0", None], "seed": SEED, "n_target": SIZE}),
    # notebook 06's asymptotic risks: an impossible distance or noise is refused, never a risk below σ²
    ("random_design_risk", theory.random_design_risk, dict(n_over_d=2.0, lam_over_n=0.1, dist2=1.0, noise_var=0.25),
     {"dist2": REAL_NONNEG, "noise_var": REAL_NONNEG, "n_over_d": [0.0, -1.0, 1j, "2"],
      "lam_over_n": [0.0, -1.0, 1j, "2"]}),
    ("minnorm_risk", theory.minnorm_risk, dict(n=10, n_features=5, dist2=1.0, noise_var=0.25),
     {"dist2": REAL_NONNEG, "noise_var": REAL_NONNEG, "n_features": SIZE, "n": [-1.0, 1j, "10"]}),
    ("tuned_risk", theory.tuned_risk, dict(n_over_d=2.0, dist2=1.0, noise_var=0.25),
     {"dist2": REAL_NONNEG, "noise_var": REAL_NONNEG, "n_over_d": [0.0, -1.0, 1j]}),
    ("dar_curves", theory.dar_curves, dict(n_over_d=[0.5, 2.0], similarity=0.5, n_features=20),
     {"similarity": [1.5, 1j, "0.5"], "noise_var": REAL_NONNEG, "signal2": REAL_NONNEG, "n_features": SIZE,
      "n_over_d": [[0.0, 1.0], [-1.0], 1j]}),
    ("dar_monte_carlo", theory.dar_monte_carlo, dict(n_over_d=[2.0], similarity=0.5, n_features=4, n_repeats=2),
     {"seed": SEED, "n_repeats": SIZE + [0], "noise_var": REAL_NONNEG, "signal2": REAL_NONNEG}),
    # chapter 3, the functions a student calls every step
    ("weight_decay_step", tlearn.backprop.weight_decay_step, dict(W=np.ones((2, 2)), dW=np.ones((2, 2)), lr=0.1, lam=1.0),
     {"lam": LAM, "lr": REAL_NONNEG + [0.0], "dW": [np.ones(2), np.ones((2, 2)) + 1j, np.array([["a", "b"]] * 2)],
      "W": [np.ones((2, 2)) + 1j]}),
    ("dense", tlearn.backprop.dense, dict(X=np.ones((2, 3)), W=np.ones((3, 2)), b=np.zeros(2)),
     {"X": [np.ones((2, 3)) + 1j, np.full((2, 3), "a")], "W": [np.ones((3, 2)) + 1j], "b": [np.zeros(2) + 1j]}),
]


def _pick(data, case):
    name, fn, good, bad = case
    arg = data.draw(st.sampled_from(sorted(bad)), label="argument")
    value = data.draw(st.sampled_from(range(len(bad[arg]))), label="bad value index")
    return fn, {**good, arg: bad[arg][value]}, arg


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@SETTINGS
@given(data=st.data())
def test_bad_input_raises_an_error_naming_the_argument(case, data):
    fn, kwargs, arg = _pick(data, case)
    with pytest.raises((ValueError, TypeError)) as info:
        fn(**kwargs)
    assert arg in str(info.value), f"{case[0]}({arg}={kwargs[arg]!r}) raised {info.value!r} without naming {arg!r}"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_good_defaults_of_every_case_run(case):
    _, fn, good, _ = case
    fn(**good)  # the good arguments are good: the bad-input test changes only one


# --------------------------------------------------------------------------------------------
# Good input -> equals an independent reference
# --------------------------------------------------------------------------------------------
def _designs():
    shapes = st.tuples(st.integers(2, 9), st.integers(1, 6))
    floats = st.floats(-3, 3, allow_nan=False, allow_infinity=False, width=64)
    return shapes.flatmap(lambda s: st.tuples(
        hnp.arrays(np.float64, s, elements=floats),
        hnp.arrays(np.float64, (s[0],), elements=floats),
        hnp.arrays(np.float64, (s[1],), elements=floats),
    ))


LAMS = st.floats(1e-3, 1e3, allow_nan=False)


@SETTINGS
@given(design=_designs(), lam=LAMS)
def test_ridge_fit_equals_augmented_least_squares(design, lam):
    """Eq. (1.4) of notebook 01 against min ||[X; √λ I] w − [y; √λ w_A]||² by lstsq."""
    X, y, w_A = design
    d = X.shape[1]
    A = np.vstack([X, math.sqrt(lam) * np.eye(d)])
    b = np.concatenate([y, math.sqrt(lam) * w_A])
    ref = np.linalg.lstsq(A, b, rcond=None)[0]
    got = tlearn.ridge_fit(X, y, lam, prior=w_A)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, ref, rtol=1e-7, atol=1e-8 * (1 + np.abs(ref).max()))


@SETTINGS
@given(design=_designs(), lam=LAMS, fit_intercept=st.booleans())
def test_loo_mse_equals_brute_force_refits(design, lam, fit_intercept):
    """Eq. (1.14) of notebook 01 against n refits without the left-out row."""
    X, y, w_A = design
    n = X.shape[0]
    if n < 3:
        return
    path = tlearn.RidgePath(X, y, fit_intercept=fit_intercept)
    errs = []
    for i in range(n):
        keep = np.arange(n) != i
        model = tlearn.TransferRidge(lam=lam, source_coef=w_A, fit_intercept=fit_intercept).fit(X[keep], y[keep])
        errs.append(y[i] - model.predict(X[i:i + 1])[0])
    ref = float(np.mean(np.square(errs)))
    got = path.loo_mse(lam, prior=w_A)
    assert np.isfinite(got)
    assert got == pytest.approx(ref, rel=1e-6, abs=1e-9)


@SETTINGS
@given(design=_designs(), lam=LAMS, noise=st.floats(0, 4))
def test_transfer_risk_equals_explicit_matrices(design, lam, noise):
    """Eqs. (1.10)-(1.12) of notebook 01 from A = XᵀX + λI written out (solve, no inverse)."""
    X, w_B, _ = design[0], design[2], None
    w_A = np.roll(w_B, 1) * 0.5
    d = X.shape[1]
    A = X.T @ X + lam * np.eye(d)
    bias = np.linalg.solve(A, lam * (w_A - w_B))
    M = np.linalg.solve(A, X.T)  # the linear map y -> ŵ
    ref = noise + bias @ bias + noise * np.sum(M * M)
    got = theory.transfer_risk(X, w_B, lam, prior=w_A, noise_var=noise).risk[0]
    assert got >= noise - 1e-12  # never below the noise floor
    assert got == pytest.approx(ref, rel=1e-7, abs=1e-10)
