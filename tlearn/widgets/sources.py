"""The many-sources explorer of notebook 06: which source, how much, live.

A thin view over :class:`tlearn.MultiSourceRidgeCV` (α by the exact LOO quadratic,
Eq. (6.4); λ by nested LOO, Eq. (6.5)) and :func:`tlearn.theory.transfer_risk`
(Eq. (1.12)). The maths lives in :class:`SourcesModel`; the view only draws.
"""
from __future__ import annotations

import numpy as np
import ipywidgets as W

from ..datasets import make_multisource
from ..multisource import MultiSourceRidgeCV
from ..theory import transfer_risk
from ._common import (LAM_GRID, assemble, in_drawing_order, lam_axis, lam_label, lam_slider, lam_to_x, moving_yaxis,
                      new_figure, nice_top)

__all__ = ["sources_explorer", "SourcesModel"]

MAX_SOURCES = 4


class _Setting:
    """Everything the figure needs for one (n, similarities) setting."""

    def __init__(self, n, sims, n_features, noise, seed):
        self.data = data = make_multisource(sims, n_target=n, n_test=0, n_features=n_features, noise=noise, seed=seed)
        self.fit = fit = MultiSourceRidgeCV(data.source_coefs, lams=LAM_GRID).fit(data.X_target, data.y_target)
        Wm, wb = data.source_coefs, data.coef_target
        self.alpha_star = np.linalg.lstsq(Wm.T, wb, rcond=None)[0]  # the best combination of the true sources
        X, s2 = data.X_target, noise**2
        self.risk_multi = np.array([transfer_risk(X, wb, lam, prior=Wm.T @ a, noise_var=s2).risk[0]  # Eq. (1.12)
                                    for lam, a in zip(LAM_GRID, fit.alphas_)])
        self.risk_plain = transfer_risk(X, wb, LAM_GRID, noise_var=s2).risk

    def index(self, lam):
        return int(np.argmin(np.abs(lam_to_x(LAM_GRID) - lam_to_x(lam))))


class SourcesModel:
    """The explorer's maths, cached per setting: no matplotlib, no widgets."""

    def __init__(self, n_features=10, noise=1.0, seed=0):
        self.n_features, self.noise, self.seed = n_features, noise, seed
        self.cache = {}

    def setting(self, n, similarities):
        key = (int(n), tuple(round(float(s), 6) for s in similarities))
        if key not in self.cache:
            self.cache[key] = _Setting(key[0], key[1], self.n_features, self.noise, self.seed)
        return self.cache[key]

    def summary(self, n, similarities, lam):
        """The live one-line summary for these control values."""
        st = self.setting(n, similarities)
        f, j = st.fit, st.index(lam)
        alpha = ", ".join(f"{a:+.2f}" for a in f.alphas_[j])
        verdict = "transfer" if f.transfer_ else "plain ridge (gain not > 1 s.e.)"
        return (f"\N{GREEK SMALL LETTER LAMDA} = {lam_label(lam)}: \N{GREEK SMALL LETTER ALPHA} = [{alpha}], "
                f"nested LOO {f.cv_mse_nested_[j]:.3g} vs plain {f.cv_mse_plain_[j]:.3g}. "
                f"Chosen: \N{GREEK SMALL LETTER LAMDA} = {lam_label(f.lam_)}, {verdict}; "
                f"gain {f.loo_gain_:.3g} \u00b1 {f.loo_gain_se_:.2g}.")


def _controls(n, similarities, lam):
    sims = list(similarities) + [0.0] * (MAX_SOURCES - len(similarities))
    controls = {"lam": lam_slider(lam),
                "n": W.IntSlider(value=n, min=8, max=60, step=1, description="n", continuous_update=False),
                "n_sources": W.IntSlider(value=len(similarities), min=1, max=MAX_SOURCES, description="sources",
                                         continuous_update=False)}
    controls["n"].add_class("tlearn-n")
    controls["n_sources"].add_class("tlearn-n-sources")
    for k in range(MAX_SOURCES):
        c = W.FloatSlider(value=sims[k], min=-1.0, max=1.0, step=0.1, description=f"cos {k + 1}",
                          continuous_update=False)
        c.add_class(f"tlearn-similarity-{k + 1}")
        controls[f"sim{k + 1}"] = c
    return controls


def _axes(fig_axes):
    ax_a, ax_loo, ax_risk = fig_axes[0]
    zero = ax_a.axhline(0, color="0.7", lw=0.8)
    ax_a.set_xlabel("source k")
    ax_a.set_ylabel("\N{GREEK SMALL LETTER ALPHA}\u2096")
    for ax, label in [(ax_loo, "leave-one-out MSE"), (ax_risk, "expected test MSE, Eq. (1.12)")]:
        lam_axis(ax)
        ax.set_ylabel(label)
    art = {"bars": ax_a.bar(np.arange(MAX_SOURCES), np.zeros(MAX_SOURCES), color="C0", label="LOO \u03b1 at \u03bb"),
           "star": ax_a.plot([], [], "kx", ms=9, label="best \u03b1 (truth)")[0]}
    x = lam_to_x(LAM_GRID)
    art["loo"] = ax_loo.plot(x, np.ones_like(x), "C0-", label="sources, Eq. (6.3)")[0]
    art["nested"] = ax_loo.plot(x, np.ones_like(x), "C1-", label="sources, nested (6.5)")[0]
    art["plain"] = ax_loo.plot(x, np.ones_like(x), "0.5", ls="--", label="plain ridge")[0]
    art["risk"] = ax_risk.plot(x, np.ones_like(x), "C2-", label="toward W\u03b1(\u03bb)")[0]
    art["risk_plain"] = ax_risk.plot(x, np.ones_like(x), "0.5", ls="--", label="plain ridge")[0]
    art["cur"] = [ax.axvline(1.0, color="C3", lw=1, ls=":") for ax in (ax_loo, ax_risk)]
    art["title"] = ax_loo.set_title("", fontsize=9)
    # One legend under the panels (plain ridge once): it can never cover the data.
    handles = [art[k] for k in ("bars", "star", "loo", "nested", "plain", "risk")]
    ax_a.figure.legend(handles=handles, loc="outside lower center", ncol=6, fontsize=7, frameon=False)
    # λ moves only `moving` (the α axis follows the α at λ); n and the sources also change `layer` (the curves
    # against λ and their y-axes, which follow the data).
    art["moving"] = in_drawing_order([*art["bars"], zero, art["star"], moving_yaxis(ax_a, "\N{MINUS SIGN}0000"),
                                      *art["cur"]])
    art["layer"] = in_drawing_order([art["loo"], art["nested"], art["plain"], moving_yaxis(ax_loo), art["title"],
                                     art["risk"], art["risk_plain"], moving_yaxis(ax_risk)])
    return art


def _draw(art, axes, st, lam, n_sources):
    f, j = st.fit, st.index(lam)
    for k, bar in enumerate(art["bars"]):
        bar.set_height(f.alphas_[j][k] if k < n_sources else 0.0)
    art["star"].set_data(np.arange(n_sources), st.alpha_star)
    top = nice_top(max(1.2, 1.2 * np.abs(f.alphas_[j]).max(), 1.2 * np.abs(st.alpha_star).max()))
    axes[0].set_ylim(-top, top)
    axes[0].set_xlim(-0.6, MAX_SOURCES - 0.4)
    curves = [(art["loo"], f.cv_mse_), (art["nested"], f.cv_mse_nested_), (art["plain"], f.cv_mse_plain_),
              (art["risk"], st.risk_multi), (art["risk_plain"], st.risk_plain)]
    for line, y in curves:
        line.set_ydata(y)
    for ax, ys in [(axes[1], curves[:3]), (axes[2], curves[3:])]:
        vals = np.concatenate([y for _, y in ys])
        ax.set_ylim(0.0, 1.15 * min(vals.max(), 4.0 * vals.min()))
    for line in art["cur"]:
        line.set_xdata([lam_to_x(lam)] * 2)
    art["title"].set_text(f"n = {st.data.X_target.shape[0]}, d = {st.data.X_target.shape[1]}")


def sources_explorer(n=20, similarities=(0.9, 0.5, 0.0, -0.9), lam=10.0, n_features=10, noise=1.0, seed=0):
    """Explore ridge toward a combination of sources (Eqs. (6.1)-(6.5) of notebook 06) live.

    Controls: ``"lam"`` (λ), ``"n"`` (target samples), ``"n_sources"`` and
    ``"sim1"`` … ``"sim4"`` (each source's cosine with the target weights).
    Panels: the LOO-optimal α at the current λ (bars) and the best combination
    of the true sources (crosses); the LOO error against λ -- in-sample minimum
    over α (Eq. (6.3)), nested (Eq. (6.5)) and plain ridge; the exact expected
    test error (Eq. (1.12)) of ridge toward W α(λ) and of plain ridge.
    """
    controls = _controls(n, similarities, lam)
    fig, axes = new_figure(1, 3, figsize=(11.0, 3.7))
    art = _axes(axes)
    model = SourcesModel(n_features=n_features, noise=noise, seed=seed)

    def compute(v):
        k = v["n_sources"]
        sims = [v[f"sim{i + 1}"] for i in range(k)]
        _draw(art, axes[0], model.setting(v["n"], sims), v["lam"], k)
        return model.summary(v["n"], sims, v["lam"])

    # Every move is a blit over one full draw: λ redraws art["moving"] over the background of its setting, which
    # is that full draw plus art["layer"] (kept for the last few settings).
    key = lambda v: (v["n"], *(v[f"sim{i + 1}"] for i in range(v["n_sources"])))  # noqa: E731
    explorer = assemble(controls, fig, compute, title="Many sources: which to trust, how much",
                        fast=(art["moving"], key, art["layer"]))
    explorer.model, explorer.artists = model, art
    return explorer
