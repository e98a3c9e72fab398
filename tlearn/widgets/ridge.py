"""The parameter-transfer explorer of notebook 01: λ, n_B and task similarity, live.

A view over :class:`tlearn.widgets.RidgeExplorerModel` (``explorer.model``),
which holds the maths: per (n_B, similarity) the data, the cached
:class:`tlearn.RidgePath`, the exact risk curve of Eq. (1.12) and its
Monte-Carlo estimate. Moving λ costs one filter-factor product on the cached
SVD and redraws only the moving artists (blitting); moving n_B or the
similarity computes the new setting once (cached) and draws its curves and
axes over the one full draw (a blit as well).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .._validation import check_int, check_real
from ._common import (LAM_GRID, assemble, float_slider, int_slider, in_drawing_order, lam_axis, lam_label, lam_slider,
                      lam_to_x, moving_yaxis, new_figure)
from ._models import RidgeExplorerModel

__all__ = ["ridge_explorer"]

LAMBDA, SIGMA, W_HAT = "\N{GREEK SMALL LETTER LAMDA}", "\N{GREEK SMALL LETTER SIGMA}", "\u0175"


def ridge_explorer(n_features=10, noise=1.0, n=10, similarity=0.8, lam=1.0, n_repeats=400, seed=0):
    """Explore ridge toward the source weights (Eq. (1.4) of notebook 01) live.

    Controls: ``"lam"`` (λ, log scale with the limits 0 and ∞; any λ ≥ 0 is
    snapped to the nearest slider value), ``"n"`` (target samples n_B, 2–60)
    and ``"similarity"`` (cosine between w_A and w_B, −1…1, snapped to steps of
    0.1). Panels: predictions vs truth on held-out target points; expected test
    error against λ -- the exact curve of Eq. (1.12) and Monte-Carlo means
    (±1 standard error) over ``n_repeats`` ≥ 2 noise draws, current λ marked;
    the coefficients w_A, w_B and ŵ. The summary line under the figure gives
    the current risk, the best slider λ and its risk.
    """
    n_features = check_int(n_features, "n_features", 1, 500)
    noise = check_real(noise, "noise", minimum=0, strict=(True, False))
    n_repeats = check_int(n_repeats, "n_repeats", 2, 100_000)  # a standard error needs two draws
    seed = check_int(seed, "seed", 0)
    controls = {
        "lam": lam_slider(lam),
        "n": int_slider(n, 2, 60, "n", "n_B"),
        "similarity": float_slider(similarity, -1.0, 1.0, 0.1, "similarity"),
    }
    model = RidgeExplorerModel(n_features=n_features, noise=noise, n_repeats=n_repeats, seed=seed)
    art = _figure(n_features, noise)

    def compute(v):
        return _draw(art, model.setting(v["n"], v["similarity"]), v)

    # Every move is a blit over one full draw: a λ move redraws art.moving over the background of its
    # (n_B, similarity), which is that full draw plus art.layer (kept for the last few settings).
    explorer = assemble(controls, art.fig, compute, title="Parameter transfer: ridge toward the source weights",
                        fast=(art.moving, lambda v: (v["n"], v["similarity"]), art.layer))
    explorer.model, explorer.artists = model, art
    return explorer


def _figure(n_features, noise):
    """The figure and its artists, created once and updated in place."""
    fig, axes = new_figure(1, 3, figsize=(11.0, 3.6))
    ax_fit, ax_risk, ax_coef = axes[0]
    a = SimpleNamespace(fig=fig, ax_fit=ax_fit, ax_risk=ax_risk, ax_coef=ax_coef)
    (ideal,) = ax_fit.plot([-50, 50], [-50, 50], color="0.6", lw=1)  # the ideal y = x
    a.pts = ax_fit.scatter(np.zeros(1), np.zeros(1), s=12, color="C0")
    ax_fit.set(xlabel="true y (held-out target)", ylabel=f"prediction x\u1d40{W_HAT}")
    a.fit_title = ax_fit.set_title("", fontsize=9)
    (a.theory,) = ax_risk.plot([], [], color="C1", lw=2, label="theory, Eq. (1.12)")
    a.mc = ax_risk.errorbar(lam_to_x(LAM_GRID), np.ones(LAM_GRID.size), yerr=np.zeros(LAM_GRID.size),
                            fmt="o", ms=3, color="C0", label="Monte Carlo \u00b11 s.e.")
    (a.cur_pt,) = ax_risk.plot([], [], "D", color="C3", ms=7, label=f"current {LAMBDA}")
    a.cur_line = ax_risk.axvline(1.0, color="C3", lw=1, ls="--")
    floor = ax_risk.axhline(noise**2, color="0.5", lw=1, ls=":", label=f"noise floor {SIGMA}\u00b2")
    a.off_scale = ax_risk.text(0.03, 0.97, "", transform=ax_risk.transAxes, fontsize=7, va="top", color="C1")
    lam_axis(ax_risk)
    ax_risk.set_ylabel("expected test MSE")
    a.risk_title = ax_risk.set_title("", fontsize=9)
    idx = np.arange(n_features)
    (a.wa,) = ax_coef.plot(idx, np.zeros(n_features), "o", color="0.55", label="w_A (source)")
    (a.wb,) = ax_coef.plot(idx, np.zeros(n_features), "x", color="k", ms=8, label="w_B (true target)")
    (a.w,) = ax_coef.plot(idx, np.zeros(n_features), "s-", color="C3", ms=5, lw=1, label=f"{W_HAT} (fit)")
    ax_coef.axhline(0, color="0.8", lw=0.8)
    ax_coef.set_xlabel("feature j")
    a.coef_title = ax_coef.set_title("coefficients", fontsize=9)
    # One legend under the panels: it can never cover a curve, whatever the sliders do.
    handles = [h for ax in (ax_risk, ax_coef) for h in ax.get_legend_handles_labels()[0]]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=7, frameon=False)
    # A λ move changes only `moving`; n_B and the similarity change `layer` too (the rescaling axes among them:
    # the zero line of the coefficients stays put, their range being -1.15 to 1.6 times a top).
    a.moving = in_drawing_order([a.pts, a.fit_title, a.cur_pt, a.cur_line, a.w, a.coef_title])
    a.layer = in_drawing_order([ideal, ax_fit.xaxis, moving_yaxis(ax_fit, "\N{MINUS SIGN}0.0"), a.theory, a.mc[0],
                                *a.mc[2], floor, a.off_scale, moving_yaxis(ax_risk, "0.00"), a.risk_title, a.wa,
                                a.wb, moving_yaxis(ax_coef, "\N{MINUS SIGN}0.00")])
    return a


def _draw(a, s, v):
    """Put setting ``s`` (a :class:`RidgeSetting`) at λ = ``v["lam"]`` on the artists; return the summary."""
    lam, d = v["lam"], s.data
    w_hat = s.coef(lam)  # Eq. (1.6) on the cached SVD
    pred = d.X_test @ w_hat
    a.pts.set_offsets(np.column_stack([d.y_test, pred]))
    a.ax_fit.set(xlim=(-s.fit_lim, s.fit_lim), ylim=(-s.fit_lim, s.fit_lim))
    test_mse = float(np.mean((d.y_test - pred) ** 2))
    n_off = int(np.sum(np.abs(pred) > s.fit_lim))
    a.fit_title.set_text(f"{LAMBDA} = {lam_label(lam)}: held-out MSE {test_mse:.3g}"
                         + (f" ({n_off} off scale)" if n_off else ""))
    a.theory.set_data(lam_to_x(s.theory_lams), s.theory_risk)
    _set_errorbar(a.mc, lam_to_x(LAM_GRID), s.mc_mean, s.mc_se)
    risk = s.risk(lam)
    a.cur_pt.set_data([lam_to_x(lam)], [risk])
    a.cur_line.set_xdata([lam_to_x(lam)] * 2)
    # Keep the interesting range in view: least squares near n_B = d can be huge.
    curve = s.theory_risk
    top = 1.25 * min(max(curve.max(), (s.mc_mean + s.mc_se).max()), max(curve[-1], 3.0 * curve.min()))
    a.ax_risk.set_ylim(0.0, top)
    a.off_scale.set_text(f"\N{UPWARDS ARROW} off scale at {LAMBDA} = 0: {curve[0]:.3g}" if curve[0] > top else "")
    a.risk_title.set_text(f"n_B = {d.X_target.shape[0]}, d = {d.X_target.shape[1]}, "
                          f"similarity = {v['similarity']:.1f}")
    a.wa.set_ydata(d.coef_source)
    a.wb.set_ydata(d.coef_target)
    a.w.set_ydata(w_hat)
    big = np.abs(w_hat).max()
    a.coef_title.set_text("coefficients" + (f" ({W_HAT} off scale: max |{W_HAT}\u2c7c| = {big:.3g})"
                                            if big > 1.6 * s.coef_top else ""))
    a.ax_coef.set_ylim(-1.15 * s.coef_top, 1.6 * s.coef_top)
    i = int(np.flatnonzero(LAM_GRID == lam)[0])
    best = s.best_lam
    return (f"{LAMBDA} = {lam_label(lam)}: expected test MSE {risk:.3g} exact, {s.mc_mean[i]:.3g} \u00b1 "
            f"{s.mc_se[i]:.2g} by Monte Carlo; best {LAMBDA} on the slider {lam_label(best)} with {s.risk(best):.3g} "
            f"(n_B = {d.X_target.shape[0]}, similarity {v['similarity']:.1f})")


def _set_errorbar(container, x, y, err):
    """Update an errorbar container in place (marker line + vertical bars)."""
    line, _caps, (bars,) = container
    line.set_data(x, y)
    bars.set_segments([[(xi, yi - ei), (xi, yi + ei)] for xi, yi, ei in zip(x, y, err)])
