"""The covariate-shift explorer of notebook 05: shift, misspecification, γ and λ, live.

A thin view over :class:`ShiftModel`, which holds the maths (no matplotlib, no
ipywidgets): for one (n, shift, misspecification) setting it draws the data of
:func:`tlearn.datasets.make_covariate_shift`, factorises one weighted
:class:`tlearn.RidgePath` per γ on the slider, and tabulates the target risk and
the IWCV estimate (Eq. (5.8) of notebook 05) for every (γ, λ) on the sliders.
"""
from __future__ import annotations

import numpy as np
import ipywidgets as W

from ..datasets import make_covariate_shift
from ..domain import effective_sample_size
from ..ridge import RidgePath
from ._common import LAM_GRID, assemble, in_drawing_order, lam_label, lam_slider, moving_yaxis, new_figure, nice_top

__all__ = ["shift_explorer", "ShiftModel", "GAMMAS"]

#: γ values offered by the slider.
GAMMAS = np.round(np.linspace(0.0, 1.0, 11), 2)


class ShiftModel:
    """Fits, target risks and IWCV scores for every (γ, λ) of the sliders, cached per data setting."""

    def __init__(self, n_target=2000, noise=0.3, scale_target=0.5, seed=0):
        self.n_target, self.noise, self.scale_target, self.seed = n_target, noise, scale_target, seed
        self.x = np.linspace(-3.0, 4.5, 200)
        self._cache = {}

    def setting(self, n, shift, misspecification):
        """The tables for one data set (cached): ``data``, ``log_w``, ``paths``, ``risk``, ``iwcv``, ``ess``."""
        key = (int(n), round(float(shift), 6), round(float(misspecification), 6))
        if key not in self._cache:
            self._cache[key] = self._build(*key)
        return self._cache[key]

    def weights(self, log_w, gamma):
        """w^γ rescaled to mean 1 over the source, Eq. (5.5) of notebook 05."""
        z = gamma * log_w  # Eq. (5.5)
        w = np.exp(z - z.max())
        return w / w.mean()

    def _build(self, n, shift, m):
        data = make_covariate_shift(n_source=n, n_target=self.n_target, shift=shift, scale_target=self.scale_target,
                                    misspecification=m, noise=self.noise, seed=self.seed)
        log_w = data.log_ratio(data.X_source)
        w_full = self.weights(log_w, 1.0)
        risk, iwcv, ess, paths = [], [], [], []
        for g in GAMMAS:
            wg = self.weights(log_w, g)
            path = RidgePath(data.X_source, data.y_source, sample_weight=wg, fit_intercept=True)
            pred = data.X_target @ path.coef(LAM_GRID).T + path.intercept(LAM_GRID)  # (n_T, m)
            risk.append(((pred - data.y_target[:, None]) ** 2).mean(0))
            iwcv.append((path.loo_residuals(LAM_GRID) ** 2) @ w_full / w_full.sum())  # Eq. (5.8)
            ess.append(effective_sample_size(wg))  # Eq. (5.4)
            paths.append(path)
        return {"data": data, "log_w": log_w, "paths": paths, "risk": np.array(risk), "iwcv": np.array(iwcv),
                "ess": np.array(ess), "lam_index": {float(v): i for i, v in enumerate(LAM_GRID)}}

    def state(self, n, shift, misspecification, gamma, lam):
        """Everything the figure shows for the current controls (a dict of arrays and numbers)."""
        s = self.setting(n, shift, misspecification)
        gi = int(np.argmin(np.abs(GAMMAS - gamma)))
        li = s["lam_index"][float(lam)]
        path, data = s["paths"][gi], s["data"]
        b, c = float(path.intercept(lam)), float(path.coef(lam)[0])
        log_r = data.log_ratio(self.x[:, None])
        if "w_top" not in s:  # the largest weight on show over every γ of the slider (one axis for all γ)
            view = (self.x > -2.5) & (self.x < 4.0)
            s["w_top"] = max(float(self._weight_curve(s["log_w"], log_r, g)[view].max()) for g in GAMMAS)
        best = np.unravel_index(np.argmin(s["iwcv"]), s["iwcv"].shape)
        return {"data": data, "fit": b + c * self.x, "truth": data.label_function(self.x[:, None]),
                "p_source": np.exp(-0.5 * self.x**2) / np.sqrt(2 * np.pi),
                "p_target": np.exp(-0.5 * ((self.x - shift) / self.scale_target) ** 2) / (self.scale_target * np.sqrt(2 * np.pi)),
                "w_curve": self._weight_curve(s["log_w"], log_r, gamma), "w_top": s["w_top"],
                "risk_vs_gamma": s["risk"][:, li], "iwcv_vs_gamma": s["iwcv"][:, li], "risk": float(s["risk"][gi, li]),
                "risk_unweighted": float(s["risk"][0, li]), "ess": float(s["ess"][gi]), "n": data.X_source.shape[0],
                "best_gamma": float(GAMMAS[best[0]]), "best_lam": float(LAM_GRID[best[1]]),
                "risk_at_best": float(s["risk"][best])}

    @staticmethod
    def _weight_curve(log_w_source, log_r, gamma):
        """w^γ(x) on the grid, scaled like the source weights (mean 1 over the source)."""
        z = gamma * log_w_source
        shift = z.max()
        return np.exp(gamma * log_r - shift) / np.mean(np.exp(z - shift))


def shift_explorer(shift=1.0, misspecification=1.0, gamma=1.0, lam=0.001, n=100, seed=0):
    """Explore importance-weighted ridge under covariate shift (Eqs. (5.2)-(5.8) of notebook 05).

    Controls ``"shift"`` (target mean), ``"misspecification"`` (quadratic term of the
    label rule), ``"gamma"`` (flattening, Eq. (5.5)), ``"lam"`` (λ) and ``"n"``
    (source size). Panels: the two input densities and the weights w^γ(x); the
    source data, the target data (labels hidden from the fit) and the fit; the
    target risk and its IWCV estimate against γ at the current λ.
    """
    model = ShiftModel(seed=seed)
    sl = lambda v, lo, hi, st, desc: W.FloatSlider(value=v, min=lo, max=hi, step=st, description=desc,  # noqa: E731
                                                   continuous_update=True)
    controls = {"shift": sl(shift, 0.0, 3.0, 0.25, "shift"), "misspecification": sl(misspecification, 0.0, 2.0, 0.25, "misspec."),
                "gamma": sl(gamma, 0.0, 1.0, 0.1, "\N{GREEK SMALL LETTER GAMMA}"), "lam": lam_slider(lam),
                "n": W.IntSlider(value=n, min=20, max=400, step=20, description="n_S", continuous_update=True)}
    for name in ("shift", "misspecification", "gamma", "n"):
        controls[name].add_class(f"tlearn-{name}")
    fig, axes = new_figure(1, 3, figsize=(11.0, 3.9))
    ax_d, ax_f, ax_g = axes[0]
    ax_w = ax_d.twinx()
    art = _draw_static(model, ax_d, ax_w, ax_f, ax_g)

    def compute(v):
        st = model.state(v["n"], v["shift"], v["misspecification"], v["gamma"], v["lam"])
        _update(art, st, model, v, ax_w, ax_f, ax_g)
        return (f"\N{GREEK SMALL LETTER GAMMA} = {v['gamma']:.1f}, \N{GREEK SMALL LETTER LAMDA} = {lam_label(v['lam'])}: "
                f"target MSE {st['risk']:.3g} (unweighted {st['risk_unweighted']:.3g}); ESS {st['ess']:.0f} of {st['n']}; "
                f"IWCV picks \N{GREEK SMALL LETTER GAMMA} = {st['best_gamma']:.1f}, "
                f"\N{GREEK SMALL LETTER LAMDA} = {lam_label(st['best_lam'])} (target MSE {st['risk_at_best']:.3g})")

    # Every move is a blit over one full draw: γ and λ redraw art["moving"] over the background of their data
    # setting, which is that full draw plus art["layer"] (kept for the last few settings).
    explorer = assemble(controls, fig, compute, title="Covariate shift: importance-weighted ridge",
                        fast=(art["moving"], lambda v: (v["n"], v["shift"], v["misspecification"]), art["layer"]))
    explorer.model, explorer.artists = model, art
    return explorer


def _draw_static(model, ax_d, ax_w, ax_f, ax_g):
    x = model.x
    art = {"ps": ax_d.plot(x, 0 * x, color="C0", label="p_S (source)")[0],
           "pt": ax_d.plot(x, 0 * x, color="C1", label="p_T (target)")[0],
           "w": ax_w.plot(x, 0 * x, color="C3", ls="--", label="w\N{GREEK SMALL LETTER GAMMA}(x)")[0]}
    ax_d.set_xlabel("x")
    ax_d.set_ylabel("density")
    ax_d.set_ylim(0, 1.1 / (min(model.scale_target, 1.0) * np.sqrt(2 * np.pi)))  # above both peaks, any shift
    ax_w.set_ylabel("weight w\N{GREEK SMALL LETTER GAMMA}(x)", color="C3")
    ax_w.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))  # big weights as "×1e5": short tick labels
    art["tgt"] = ax_f.scatter(np.zeros(1), np.zeros(1), s=4, color="C1", alpha=0.25, label="target (hidden labels)")
    art["src"] = ax_f.scatter(np.zeros(1), np.zeros(1), s=10, color="C0", label="source")
    art["truth"] = ax_f.plot(x, 0 * x, color="k", lw=1, label="f(x)")[0]
    art["fit"] = ax_f.plot(x, 0 * x, color="C3", lw=2, label="weighted fit")[0]
    ax_f.set_xlabel("x")
    ax_f.set_ylabel("y")
    art["risk"] = ax_g.plot(GAMMAS, 0 * GAMMAS, "o-", color="C1", ms=3, label="target risk")[0]
    art["iwcv"] = ax_g.plot(GAMMAS, 0 * GAMMAS, "s--", color="C0", ms=3, label="IWCV estimate, Eq. (5.8)")[0]
    art["cur"] = ax_g.plot([], [], "D", color="C3", ms=7, label="current \N{GREEK SMALL LETTER GAMMA}")[0]
    ax_g.set_xlabel("\N{GREEK SMALL LETTER GAMMA} (0 = unweighted, 1 = full weights)")
    ax_g.set_ylabel("MSE on the target")
    # One legend under the panels: it can never cover the data, whatever the sliders do.
    handles = [art[k] for k in ("ps", "pt", "w", "src", "tgt", "truth", "fit", "risk", "iwcv", "cur")]
    ax_g.figure.legend(handles=handles, loc="outside lower center", ncol=5, fontsize=7, frameon=False)
    for ax in (ax_d, ax_f, ax_g):
        ax.set_title(" ", fontsize=9)
    # γ and λ move only `moving`; shift, misspecification and n also change `layer` (the data, the weight axis
    # and the fit panel's range; the density axis is fixed).
    art["moving"] = in_drawing_order([art["w"], ax_d.title, art["fit"], ax_f.title, art["risk"], art["iwcv"],
                                      art["cur"], moving_yaxis(ax_g, "0.000"), ax_g.title])
    art["layer"] = in_drawing_order([art["ps"], art["pt"], art["tgt"], art["src"], art["truth"],
                                     moving_yaxis(ax_f, "\N{MINUS SIGN}0.0"), moving_yaxis(ax_w, "00.0")])
    return art


def _update(art, st, model, v, ax_w, ax_f, ax_g):
    d = st["data"]
    art["ps"].set_ydata(st["p_source"])
    art["pt"].set_ydata(st["p_target"])
    art["w"].set_ydata(st["w_curve"])
    ax_d = art["ps"].axes
    ax_w.set_ylim(0, nice_top(1.1 * max(st["w_top"], 1.5)))
    ax_d.set_title(f"ESS {st['ess']:.0f} of n_S = {st['n']}", fontsize=9)
    art["src"].set_offsets(np.column_stack([d.X_source[:, 0], d.y_source]))
    art["tgt"].set_offsets(np.column_stack([d.X_target[:300, 0], d.y_target[:300]]))
    art["truth"].set_ydata(st["truth"])
    art["fit"].set_ydata(st["fit"])
    top = max(d.y_source.max(), d.y_target[:300].max())
    ax_f.set_ylim(min(-3.0, st["truth"].min()), max(3.0, 1.1 * top))
    ax_f.set_title(f"target MSE {st['risk']:.3g} (unweighted {st['risk_unweighted']:.3g})", fontsize=9)
    art["risk"].set_ydata(st["risk_vs_gamma"])
    art["iwcv"].set_ydata(st["iwcv_vs_gamma"])
    art["cur"].set_data([v["gamma"]], [st["risk"]])
    both = np.r_[st["risk_vs_gamma"], st["iwcv_vs_gamma"]]
    ax_g.set_ylim(0, nice_top(1.1 * min(both.max(), 5 * st["risk_vs_gamma"].min() + 1e-9)))
    ax_g.set_title(f"\N{GREEK SMALL LETTER LAMDA} = {lam_label(v['lam'])}", fontsize=9)
