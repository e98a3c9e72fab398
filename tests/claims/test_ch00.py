"""Claims of notebook 00 (the ridge explorer tried once), recomputed with tlearn.theory (Eq. (1.12), (1.13))."""
import numpy as np

from tlearn import RidgePath

from _ridge_setting import best_lam, explorer_defaults, lam_star, risk_curve, setting


def test_ch00_lam_ends_move_coefficients():
    values, controls = explorer_defaults()
    assert (values["n"], values["similarity"]) == (10, 0.8)
    options = [v for _, v in controls["lam"].options]
    assert options[0] == 0.0 and np.isinf(options[-1])          # the slider reaches both limits
    t = setting(10, 0.8)
    path = RidgePath(t.X_target, t.y_target)
    assert np.allclose(path.coef(np.inf, prior=t.coef_source), t.coef_source)      # Eq. (1.8): on w_A
    w0 = path.coef(0.0, prior=t.coef_source)
    assert np.allclose(t.X_target @ w0, t.y_target)                                # λ = 0 fits the points


def test_ch00_lam_zero_off_scale():
    r = risk_curve(10, 0.8)
    assert r[0] > 1e3                              # about 2 × 10³ at n_B = d = 10
    assert r[0] > 100 * r.min()


def test_ch00_best_lam_moves_left_with_similarity():
    sims = [0.8, 0.5, 0.0, -0.5, -1.0]
    best = [best_lam(10, s) for s in sims]
    assert all(a > b for a, b in zip(best, best[1:])), best
    for s, b in zip(sims, best):
        assert lam_star(10, s) / 2 <= b <= 2 * lam_star(10, s)   # near Eq. (1.13)
    assert np.isclose(lam_star(10, 0.8), 25.0)


def test_ch00_best_lam_barely_moves_with_n():
    star = lam_star(10, 0.8)
    for n in (5, 10, 15, 30, 60):
        assert star / 2 <= best_lam(n, 0.8) <= 1.05 * star, n
