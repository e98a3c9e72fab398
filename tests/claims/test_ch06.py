"""Claims of notebook 06: every sentence that predicts a figure, recomputed and asserted.

Each test recomputes the figure's (or table's) data exactly as the notebook cell does.
"""
import numpy as np
import pytest

from tlearn import MultiSourceRidgeCV, RidgePath, TransferRidgeCV, theory
from tlearn.datasets import load_diabetes_sources, make_multisource
from tlearn.multisource import log_evidence


@pytest.fixture(scope="module")
def example():
    data = make_multisource((0.9, 0.5, 0.0, -0.9), n_target=20, n_test=2000, noise=1.0, seed=0)
    return data, MultiSourceRidgeCV(data.source_coefs).fit(data.X_target, data.y_target)


def test_ch06_nested_above_insample(example):
    data, ms = example
    pos = ms.lams_ > 0  # at λ = 0 (n > d) the prior, hence α, has no effect and the two coincide
    assert np.all(ms.cv_mse_[pos] < ms.cv_mse_nested_[pos])  # Eq. (6.3) minimum below Eq. (6.5)
    assert np.allclose(ms.cv_mse_[~pos], ms.cv_mse_nested_[~pos])
    assert ms.alpha_[0] == ms.alpha_.max() and ms.alpha_[3] < 0 and ms.transfer_
    plain = TransferRidgeCV().fit(data.X_target, data.y_target)  # "yet the test error is higher"
    assert _test_mse(data, ms) > _test_mse(data, plain)


def _test_mse(t, model):
    return np.mean((t.y_test - model.fit(t.X_target, t.y_target).predict(t.X_test)) ** 2)


def test_ch06_single_best_source_wins_on_average():
    for n in (20, 40):
        err = np.zeros(3)
        for seed in range(5):
            t = make_multisource((0.9, 0.5, 0.0, -0.9), n_target=n, n_test=2000, noise=1.0, seed=seed)
            multi = MultiSourceRidgeCV(t.source_coefs).fit(t.X_target, t.y_target)
            best = t.source_coefs[np.argmin(multi.source_scores_)]
            err += [_test_mse(t, m) for m in (TransferRidgeCV(), TransferRidgeCV(source_coef=best), multi)]
        plain, single, multi_err = err / 5
        assert single < min(plain, multi_err)  # the best single source beats both
        assert abs(multi_err - plain) < 0.05 * plain  # "about as good as plain ridge"


def test_ch06_evidence_and_loo_agree_on_best(example):
    data, ms = example
    path = RidgePath(data.X_target, data.y_target, fit_intercept=True)
    ev = np.array([log_evidence(path, ms.lams_, prior=w).max() for w in data.source_coefs])  # Eq. (6.6)
    assert np.argmax(ev) == 0 and np.argmin(ms.source_scores_) == 0  # the cos 0.9 source


RATIOS = np.linspace(0.1, 3.0, 300)


def test_ch06_minnorm_peaks_at_n_equals_d():
    th = theory.dar_curves(RATIOS, 0.9, n_features=40)
    finite = np.isfinite(th.minnorm)
    assert np.all(~finite[np.abs(RATIOS * 40 - 40) <= 1])  # infinite at n = d ± 1
    peak = RATIOS[finite][np.argmax(th.minnorm[finite])]
    assert abs(peak - 1.0) < 0.06


def test_ch06_tuned_ridge_has_no_peak():
    th = theory.dar_curves(RATIOS, 0.9, n_features=40)
    assert np.all(np.diff(th.ridge) < 0)  # falls steadily with n
    finite = np.isfinite(th.minnorm)
    assert np.all(th.ridge[finite] <= th.minnorm[finite])


def test_ch06_similar_transfer_below_both():
    th = theory.dar_curves(RATIOS, 0.9, n_features=40)
    assert np.all(th.transfer < th.ridge) and np.all(th.transfer < th.minnorm)


def test_ch06_dissimilar_transfer_no_better():
    th = theory.dar_curves(RATIOS, 0.3, n_features=40)
    assert np.all(th.transfer > th.ridge)  # toward w_A: worse than ignoring it
    assert np.all(th.transfer_alpha <= th.ridge)
    assert np.all(th.ridge - th.transfer_alpha < 0.1 * th.ridge)  # "no better by more than a hair"


@pytest.mark.parametrize("rho", [0.9, 0.3])
def test_ch06_monte_carlo_on_the_curves(rho):
    ratios = np.array([0.25, 0.5, 0.75, 0.9, 1.1, 1.25, 1.5, 2.0, 2.5, 3.0])
    mc = theory.dar_monte_carlo(ratios, rho, n_features=40, n_repeats=20, seed=1)
    th = theory.dar_curves(mc.n_over_d, rho, n_features=40)
    for key in ("ridge", "transfer", "transfer_alpha"):
        np.testing.assert_allclose(getattr(mc, key), getattr(th, key), rtol=0.08)
    far = np.abs(mc.n_over_d - 1) > 0.3  # min-norm is heavy-tailed next to its peak
    np.testing.assert_allclose(mc.minnorm[far], th.minnorm[far], rtol=0.08)


def test_ch06_diabetes_best_source_wins():
    rows = []
    for group in range(4):
        err = np.zeros(3)
        for seed in range(6):
            t = load_diabetes_sources(target_group=group, n_target=20, seed=seed)
            multi = MultiSourceRidgeCV(t.source_coefs).fit(t.X_target, t.y_target)
            best = t.source_coefs[np.argmin(multi.source_scores_)]
            err += [_test_mse(t, m) for m in (TransferRidgeCV(), TransferRidgeCV(source_coef=best), multi)]
        rows.append(err / 6)
    plain, single, multi_err = np.mean(rows, axis=0)
    assert multi_err <= plain and single < multi_err


def test_every_claim_of_notebook_06_has_a_test():
    import re
    from pathlib import Path

    import nbformat

    nb = nbformat.read(Path(__file__).resolve().parents[2] / "notebooks" / "06_many_sources.ipynb", as_version=4)
    ids = {m for c in nb.cells if c.cell_type == "markdown" for m in re.findall(r"<!-- claim: (ch06-[\w-]+) -->", c.source)}
    tests = {name for name in globals() if name.startswith("test_ch06_")}
    assert ids and {"test_" + i.replace("-", "_") for i in ids} == tests
