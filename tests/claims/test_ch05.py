"""Claims of notebook 05: every sentence tagged ``<!-- claim: ch05-... -->`` is asserted here.

Each test recomputes the figure's or table's data (or sets the explorer's controls), with the
notebook's settings for a statement about that figure and over fresh seeds for one "on average".
"""
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from tlearn import CORAL, DensityRatio, ImportanceWeightedRidgeCV, RidgePath, SubspaceAlignment, effective_sample_size
from tlearn.datasets import load_diabetes_shift, make_covariate_shift
from tlearn.ridge import TransferRidgeCV

NB = Path(__file__).resolve().parents[2] / "notebooks" / "05_domain_adaptation.ipynb"


def test_every_claim_in_the_notebook_has_a_test():
    text = " ".join(c.source for c in nbformat.read(NB, as_version=4).cells if c.cell_type == "markdown")
    claims = set(re.findall(r"<!--\s*claim:\s*(ch05-[\w-]+)\s*-->", text))
    assert claims
    here = sys.modules[__name__]
    missing = [c for c in sorted(claims) if not hasattr(here, "test_" + c.replace("-", "_"))]
    assert not missing, f"claims without a test: {missing}"


def test_ch05_identity_holds():
    """Eq. (5.2) for the fixed predictor y_hat = x, on fresh seeds of the notebook's large sample."""
    for seed in (11, 12):
        big = make_covariate_shift(n_source=200_000, n_target=200_000, shift=1.0, misspecification=1.0, seed=seed)
        loss_s = (big.y_source - big.X_source[:, 0]) ** 2
        direct = np.mean((big.y_target - big.X_target[:, 0]) ** 2)
        assert abs(np.mean(big.weights_source * loss_s) - direct) < 0.05 < 0.2 < abs(np.mean(loss_s) - direct)


def _excess(m, gammas, seeds):
    out = np.zeros((len(seeds), len(gammas)))
    for r, seed in enumerate(seeds):
        d = make_covariate_shift(n_source=100, n_target=2000, misspecification=m, seed=seed)
        for k, g in enumerate(gammas):
            wg = d.weights_source**g / np.mean(d.weights_source**g)
            p = RidgePath(d.X_source, d.y_source, sample_weight=wg, fit_intercept=True)
            pred = d.X_target @ p.coef(0.0) + p.intercept(0.0)
            out[r, k] = np.mean((pred - d.label_function(d.X_target)) ** 2)
    return out.mean(0)


def test_ch05_weighting_only_variance_well_specified():
    """m = 0: exact fixed-design excess target risk (Eq. (5.3)) grows with γ, on the notebook's design and others."""
    for seed in (0, 1, 2, 3):
        d = make_covariate_shift(n_source=100, n_target=10, misspecification=0.0, seed=seed)
        X1 = np.column_stack([np.ones(100), d.X_source[:, 0]])
        S = np.array([[1.0, 1.0], [1.0, 1.25]])
        risks = []
        for g in (0.0, 0.5, 1.0):
            wg = d.weights_source**g
            A = X1.T @ (wg[:, None] * X1)
            risks.append(np.trace(S @ np.linalg.solve(A, np.linalg.solve(A, X1.T @ (wg[:, None] ** 2 * X1)).T)))
        assert risks[0] < risks[1] < risks[2]
    mc = _excess(0.0, (0.0, 1.0), range(200, 260))  # and over fresh data sets
    assert mc[0] < mc[1]
    d = make_covariate_shift(n_source=100, n_target=10, misspecification=0.0, seed=0)  # the notebook's design:
    X1 = np.column_stack([np.ones(100), d.X_source[:, 0]])  # Monte Carlo within 2 s.e. of the exact value
    w = d.weights_source / d.weights_source.mean()
    A = X1.T @ (w[:, None] * X1)
    exact = 0.09 * np.trace(S @ np.linalg.solve(A, np.linalg.solve(A, X1.T @ (w[:, None] ** 2 * X1)).T))
    Y = d.X_source[:, 0][:, None] + 0.3 * np.random.default_rng(1).standard_normal((100, 2000))
    B = np.linalg.solve(A, X1.T @ (w[:, None] * Y)) - np.array([[0.0], [1.0]])
    mc_ex = np.einsum("ir,ij,jr->r", B, S, B)
    assert abs(mc_ex.mean() - exact) < 2 * mc_ex.std() / np.sqrt(mc_ex.size)


def test_ch05_weights_help_misspecified():
    """m = 1: full weighting cuts the excess target risk several-fold, on average over fresh seeds."""
    mean = _excess(1.0, (0.0, 1.0), range(300, 340))
    assert mean[1] < 0.3 * mean[0]


def test_ch05_ess_falls_with_shift():
    shifts = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0]
    ess = [effective_sample_size(make_covariate_shift(n_source=100, n_target=100, shift=s, seed=0).weights_source)
           for s in shifts]
    assert np.all(np.diff(ess) < 0) and ess[-1] < 0.05 * 100


def _ratio_fits():
    est = make_covariate_shift(n_source=500, n_target=500, shift=1.0, seed=2)
    fits = {m: DensityRatio(method=m).fit(est.X_source, est.X_target) for m in ("logistic", "kliep")}
    return est, fits


def test_ch05_estimates_track_true_ratio():
    est, fits = _ratio_fits()
    w = est.weights_source / est.weights_source.mean()
    err = {m: np.sum(w * np.abs(f.log_ratio(est.X_source) - np.log(w))) / w.sum() for m, f in fits.items()}
    assert err["logistic"] < err["kliep"] < 0.5 and err["logistic"] < 0.15
    for f in fits.values():
        assert np.corrcoef(f.log_ratio(est.X_source), np.log(w))[0, 1] > 0.95


def test_ch05_estimates_above_truth_in_left_tail():
    est, fits = _ratio_fits()
    x = np.linspace(-2.5, -1.2, 20)[:, None]
    true = est.log_ratio(x) - np.log(np.mean(est.weights_source))
    gaps = {m: f.log_ratio(x) - true for m, f in fits.items()}
    assert all(np.all(g > 0) for g in gaps.values()) and gaps["kliep"].mean() > gaps["logistic"].mean()


def test_ch05_iwcv_gamma_helps_on_average():
    rows = []
    for seed in range(100, 115):
        d = make_covariate_shift(n_source=100, n_target=1000, misspecification=1.0, seed=seed)
        w = DensityRatio().fit(d.X_source, d.X_target).weights_
        fits = [ImportanceWeightedRidgeCV(gamma=g, ratio=w).fit(d.X_source, d.y_source, d.X_target) for g in (0.0, 1.0, "auto")]
        rows.append([np.mean((f.predict(d.X_target) - d.y_target) ** 2) for f in fits])
    mean = np.mean(rows, axis=0)
    assert mean[1] < mean[0] and mean[2] <= 1.02 * mean[1]


@pytest.fixture(scope="module")
def ex():
    from tlearn.widgets import shift_explorer

    return shift_explorer(shift=1.0, misspecification=1.0, gamma=1.0)


def _state(ex):
    v = {k: c.value for k, c in ex.controls.items()}
    return ex.model.state(v["n"], v["shift"], v["misspecification"], v["gamma"], v["lam"])


def test_ch05_explorer_iwcv_picks_full_weights(ex):
    st = _state(ex)
    assert st["risk_vs_gamma"][-1] < st["risk_vs_gamma"][0] and np.all(np.diff(st["risk_vs_gamma"]) < 0)
    assert st["best_gamma"] == 1.0 and "picks \N{GREEK SMALL LETTER GAMMA} = 1.0" in ex.summary.value


def test_ch05_explorer_well_specified_flat(ex):
    ex.controls["misspecification"].value = 0.0
    try:
        r = _state(ex)["risk_vs_gamma"]
        assert r[-1] >= r[0] and r.max() - r.min() < 0.1 * r.min()  # flat or rising: nothing to correct
    finally:
        ex.controls["misspecification"].value = 1.0


def test_ch05_explorer_ess_collapses(ex):
    ex.controls["shift"].value = 3.0
    ex.controls["gamma"].value = 1.0
    try:
        st = _state(ex)
        assert st["ess"] < 10 and f"ESS {st['ess']:.0f} of 100" in ex.summary.value
    finally:
        ex.controls["shift"].value = 1.0


def _sensor_task(seed):
    rng = np.random.default_rng(seed)
    beta = rng.standard_normal(5)
    Q = np.linalg.qr(rng.standard_normal((5, 5)))[0]
    A = Q @ np.diag([2.5, 1.5, 1.0, 0.6, 0.4]) @ Q.T
    Z_s, Z_t = rng.standard_normal((300, 5)), rng.standard_normal((300, 5))
    y_s, y_t = Z_s @ beta + 0.3 * rng.standard_normal(300), Z_t @ beta + 0.3 * rng.standard_normal(300)
    return Z_s, Z_t @ A + 1.0, y_s, y_t


def _mse(Xtr, ytr, Xte, yte):
    return np.mean((TransferRidgeCV().fit(Xtr, ytr).predict(Xte) - yte) ** 2)


def test_ch05_coral_undoes_distortion():
    for seed in range(6):
        Xs, Xt, ys, yt = _sensor_task(seed)
        raw = _mse(Xs, ys, Xt, yt)
        coral = _mse(CORAL(eps=0.0).fit(Xs, Xt).transform(Xs), ys, Xt, yt)
        oracle = _mse(Xt[:150], yt[:150], Xt[150:], yt[150:])
        assert coral < 0.3 * raw and coral > oracle


def test_ch05_subspace_alignment_no_help():
    Xs, Xt, ys, yt = _sensor_task(0)
    raw = _mse(Xs, ys, Xt, yt)
    for k in (2, 5):
        sa = SubspaceAlignment(k=k).fit(Xs, Xt)
        assert _mse(sa.transform(Xs), ys, sa.transform(Xt, domain="target"), yt) > 0.9 * raw
    full = SubspaceAlignment(k=5).fit(Xs, Xt)  # k = d: P_S M = P_T, a rotation of the target's coordinates
    np.testing.assert_allclose(full.basis_source_ @ full.alignment_, full.basis_target_, atol=1e-10)


def test_ch05_estimated_ess_overstates_at_large_shift():
    for s in (3.0, 4.0):
        pairs = [(effective_sample_size(d.weights_source), DensityRatio().fit(d.X_source, d.X_target).ess_)
                 for d in (make_covariate_shift(n_source=100, n_target=100, shift=s, seed=k) for k in range(10, 25))]
        t, e = np.mean(pairs, axis=0)
        assert e > t


def test_ch05_label_shift_defeats_covariate_weights():
    for seed in (3, 4, 5):
        rng = np.random.default_rng(seed)
        ys, yt = rng.random(2000) < 0.5, rng.random(2000) < 0.1
        xs, xt = (rng.standard_normal(2000) + 2.0 * ys)[:, None], (rng.standard_normal(2000) + 2.0 * yt)[:, None]
        share = {}
        for name, sw in [("none", None), ("x", DensityRatio().fit(xs, xt).weights_), ("y", np.where(ys, 0.2, 1.8))]:
            share[name] = LogisticRegression().fit(xs, ys, sample_weight=sw).predict_proba(xt)[:, 1].mean()
        assert share["none"] > yt.mean() + 0.1 and share["x"] > yt.mean() + 0.1
        assert abs(share["x"] - share["none"]) < 0.02 and abs(share["y"] - yt.mean()) < 0.04


def test_ch05_diabetes_weighting_does_not_pay():
    res = []
    for seed in range(20):
        d = load_diabetes_shift(seed=seed)
        w = DensityRatio().fit(d.X_source, d.X_target).weights_
        ms = [ImportanceWeightedRidgeCV(gamma=g, ratio=w).fit(d.X_source, d.y_source, d.X_target) for g in (0.0, 1.0, "auto")]
        res.append([np.mean((m.predict(d.X_target) - d.y_target) ** 2) for m in ms])
    r = np.mean(res, axis=0)
    assert r[0] < r[2] < r[1]
