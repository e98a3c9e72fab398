"""The parameter-transfer explorer of notebook 01: λ, n_B and task similarity, live.

A thin view over :class:`tlearn.RidgePath` and :func:`tlearn.theory.transfer_risk`.
Moving λ costs O(d·r) (one filter-factor product on a cached SVD); moving n_B or
the similarity redraws the data (cached per setting) and one SVD.
"""
from __future__ import annotations

import numpy as np
import ipywidgets as W

from ..datasets import make_transfer_regression
from ..ridge import RidgePath
from ..theory import transfer_risk
from ._common import LAM_AXIS_ENDS, LAM_GRID, assemble, lam_axis, lam_label, lam_slider, lam_to_x, new_figure

__all__ = ["ridge_explorer"]

_LO, _HI = LAM_AXIS_ENDS


class _Model:
    """Everything the figure needs for one (n_B, similarity) setting."""

    def __init__(self, n, similarity, n_features, noise, n_repeats, seed, n_show=80):
        data = make_transfer_regression(
            n_source=0, n_target=n, n_test=n_show, n_features=n_features,
            similarity=similarity, noise=noise, seed=seed,
        )
        self.data = data
        self.noise = noise
        rng = np.random.default_rng(seed + 1)
        # Monte Carlo: the same design X, fresh noise in every column (fixed-design theory).
        Y = (data.X_target @ data.coef_target)[:, None] + noise * rng.standard_normal((n, n_repeats))
        Y[:, 0] = data.y_target
        self.Y = Y
        self.path = RidgePath(data.X_target, Y)
        self.prior = np.repeat(data.coef_source[:, None], n_repeats, axis=1)
        W_all = self.path.coef(LAM_GRID, prior=self.prior)  # (m, d, R)
        err = ((W_all - data.coef_target[None, :, None]) ** 2).sum(axis=1) + noise**2
        self.mc_mean = err.mean(axis=1)
        self.mc_err = err.std(axis=1, ddof=1) / np.sqrt(n_repeats)
        self.theory_lams = np.concatenate([[0.0], np.logspace(np.log10(_LO), np.log10(_HI), 200)[1:-1], [np.inf]])
        self.curves = transfer_risk(
            data.X_target, data.coef_target, self.theory_lams, prior=data.coef_source, noise_var=noise**2
        )
        # Everything a λ move needs, for every λ on the slider: the view limits stay put.
        self.grid_risk = dict(zip(LAM_GRID, transfer_risk(
            data.X_target, data.coef_target, LAM_GRID, prior=data.coef_source, noise_var=noise**2).risk))
        # Scales set by the truth, so a wild least-squares fit (n_B ≈ d, λ = 0) shows as off scale.
        self.fit_lim = 1.3 * max(np.abs(data.y_test).max(), 1e-3)
        self.coef_top = 1.5 * max(np.abs(data.coef_source).max(), np.abs(data.coef_target).max())

    def risk(self, lam):
        """Exact expected test risk (Eq. (1.12)) at λ; slider values are precomputed."""
        if lam in self.grid_risk:
            return self.grid_risk[lam]
        d = self.data
        return transfer_risk(d.X_target, d.coef_target, lam, prior=d.coef_source, noise_var=self.noise**2).risk[0]

    def coef(self, lam):
        return self.path.coef(lam, prior=self.prior)[:, 0]  # the first draw is "the" data set


def ridge_explorer(n_features=10, noise=1.0, n=10, similarity=0.8, lam=1.0, n_repeats=40, seed=0):
    """Explore ridge toward the source weights (Eq. (1.4) of notebook 01) live.

    Controls: ``"lam"`` (λ, log scale with the limits 0 and ∞), ``"n"`` (target
    samples n_B) and ``"similarity"`` (cosine between w_A and w_B). Panels:
    predictions vs truth on held-out target points; expected test error against
    λ -- Monte-Carlo means (points, ±1 s.e.) over ``n_repeats`` noise draws and the
    exact theory curve of Eq. (1.12), current λ marked; the coefficients w_A,
    w_B and ŵ.
    """
    controls = {
        "lam": lam_slider(lam),
        "n": W.IntSlider(value=n, min=2, max=60, step=1, description="n_B", continuous_update=True),
        "similarity": W.FloatSlider(
            value=similarity, min=-1.0, max=1.0, step=0.1, description="similarity", continuous_update=True
        ),
    }
    controls["n"].add_class("tlearn-n")
    controls["similarity"].add_class("tlearn-similarity")
    fig, axes = new_figure(1, 3, figsize=(11.0, 3.4))
    ax_fit, ax_risk, ax_coef = axes[0]
    cache = {}

    # Artists, created once and updated in place.
    ax_fit.plot([-5, 5], [-5, 5], color="0.6", lw=1)  # the ideal y = x
    pts = ax_fit.scatter(np.zeros(1), np.zeros(1), s=12, color="C0")
    ax_fit.set_xlabel("true y (held-out target)")
    ax_fit.set_ylabel("prediction x\u1d40\u0175")
    fit_title = ax_fit.set_title("", fontsize=9)
    (theory_line,) = ax_risk.plot([], [], color="C1", lw=2, label="theory, Eq. (1.12)")
    mc = ax_risk.errorbar(lam_to_x(LAM_GRID), np.ones(LAM_GRID.size), yerr=np.zeros(LAM_GRID.size),
                          fmt="o", ms=3, color="C0", label="Monte Carlo")
    (cur_pt,) = ax_risk.plot([], [], "D", color="C3", ms=7, label="current \N{GREEK SMALL LETTER LAMDA}")
    cur_line = ax_risk.axvline(1.0, color="C3", lw=1, ls="--")
    ax_risk.axhline(noise**2, color="0.5", lw=1, ls=":", label="noise floor \N{GREEK SMALL LETTER SIGMA}\u00b2")
    off_scale = ax_risk.text(0.03, 0.04, "", transform=ax_risk.transAxes, fontsize=7, va="bottom", color="C1")
    lam_axis(ax_risk)
    ax_risk.set_ylabel("expected test MSE")
    ax_risk.legend(fontsize=7, loc="upper right")
    idx = np.arange(n_features)
    (wa_line,) = ax_coef.plot(idx, np.zeros(n_features), "o", color="0.55", label="w_A (source)")
    (wb_line,) = ax_coef.plot(idx, np.zeros(n_features), "x", color="k", ms=8, label="w_B (true target)")
    (w_line,) = ax_coef.plot(idx, np.zeros(n_features), "s-", color="C3", ms=5, lw=1, label="\u0175 (fit)")
    ax_coef.axhline(0, color="0.8", lw=0.8)
    ax_coef.set_xlabel("feature j")
    coef_title = ax_coef.set_title("coefficients", fontsize=9)
    ax_coef.legend(fontsize=7, loc="upper center", ncol=3, handletextpad=0.2, columnspacing=0.8)
    ax_coef.set_ylim(-1.0, 1.0)

    def model(n_b, sim):
        key = (int(n_b), round(float(sim), 6))
        if key not in cache:
            cache[key] = _Model(key[0], key[1], n_features, noise, n_repeats, seed)
        return cache[key]

    def compute(v):
        m = model(v["n"], v["similarity"])
        lam_v = v["lam"]
        d = m.data
        w_hat = m.coef(lam_v)  # Eq. (1.6) on the cached SVD
        pred = d.X_test @ w_hat
        pts.set_offsets(np.column_stack([d.y_test, pred]))
        ax_fit.set_xlim(-m.fit_lim, m.fit_lim)
        ax_fit.set_ylim(-m.fit_lim, m.fit_lim)
        test_mse = float(np.mean((d.y_test - pred) ** 2))
        n_off = int(np.sum(np.abs(pred) > m.fit_lim))
        fit_title.set_text(f"\N{GREEK SMALL LETTER LAMDA} = {lam_label(lam_v)}: held-out MSE {test_mse:.3g}"
                           + (f" ({n_off} off scale)" if n_off else ""))
        theory_line.set_data(lam_to_x(m.theory_lams), m.curves.risk)
        _set_errorbar(mc, lam_to_x(LAM_GRID), m.mc_mean, m.mc_err)
        cur_pt.set_data([lam_to_x(lam_v)], [m.risk(lam_v)])
        cur_line.set_xdata([lam_to_x(lam_v)] * 2)
        # Keep the interesting range in view: least squares near n_B = d can be huge.
        risk = m.curves.risk
        top = 1.25 * min(max(risk.max(), (m.mc_mean + m.mc_err).max()), max(risk[-1], 3.0 * risk.min()))
        ax_risk.set_ylim(0.0, top)
        off_scale.set_text(f"\N{UPWARDS ARROW} off scale at \N{GREEK SMALL LETTER LAMDA} = 0: {risk[0]:.3g}"
                           if risk[0] > top else "")
        ax_risk.set_title(f"n_B = {d.X_target.shape[0]}, d = {n_features}, similarity = {v['similarity']:.1f}", fontsize=9)
        wa_line.set_ydata(d.coef_source)
        wb_line.set_ydata(d.coef_target)
        w_line.set_ydata(w_hat)
        big = np.abs(w_hat).max()
        coef_title.set_text("coefficients" + (f" (\u0175 off scale: max |\u0175\u2c7c| = {big:.3g})"
                                              if big > 1.6 * m.coef_top else ""))
        ax_coef.set_ylim(-1.15 * m.coef_top, 1.6 * m.coef_top)

    # A λ move changes only these artists: they are blitted over a cached background.
    moving = [pts, fit_title, cur_pt, cur_line, w_line, coef_title]
    explorer = assemble(controls, fig, compute, title="Parameter transfer: ridge toward the source weights",
                        fast=(moving, lambda v: (v["n"], v["similarity"])))
    explorer.state.update(cache=cache, model=model)
    return explorer


def _set_errorbar(container, x, y, err):
    """Update an errorbar container in place (marker line + vertical bars)."""
    line, _caps, (bars,) = container
    line.set_data(x, y)
    bars.set_segments([[(xi, yi - ei), (xi, yi + ei)] for xi, yi, ei in zip(x, y, err)])
