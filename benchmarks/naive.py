"""The "naive" slider callbacks of benchmark case 3: refit with scikit-learn and rebuild the figure.

What a user would write with ``ipywidgets.interact``: on every slider move,
fit the λ-dependent models again with scikit-learn, draw a brand-new figure
(constrained layout) and show it as ``plt.show()`` does in a notebook (the
inline backend saves it with ``bbox_inches="tight"``). To keep the comparison conservative, everything that does *not*
depend on λ (the data, the Monte-Carlo points, the theory curve, the source
subspace) is taken precomputed from the explorer's own cache: only the
λ-dependent refits and the figure rebuild are timed.
"""
from __future__ import annotations

import io
import warnings

import numpy as np
from sklearn.linear_model import LinearRegression, Ridge

from tlearn.theory import transfer_risk
from tlearn.widgets._common import LAM_GRID, new_figure

__all__ = ["sk_ridge_coef", "naive_ridge_update", "naive_feature_update", "naive_rebuild"]


def sk_ridge_coef(X, y, lam, prior=None):
    """Transfer ridge with scikit-learn: Ridge on the residual y − X w_A, plus w_A (λ = 0: least squares)."""
    p = np.zeros(X.shape[1]) if prior is None else prior
    if np.isinf(lam):
        return p.copy()
    r = y - X @ p
    if lam == 0:
        return p + LinearRegression(fit_intercept=False).fit(X, r).coef_
    return p + Ridge(alpha=lam, fit_intercept=False).fit(X, r).coef_


def _png(fig):
    """What ``plt.show()`` does in a notebook: the inline backend's savefig (``bbox_inches="tight"``)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def _x(lam):
    lam = np.asarray(lam, dtype=float)
    return np.where(lam == 0, 1e-4, np.where(np.isinf(lam), 1e4, lam))


def sk_mc_points(X, Ys, prior, coef_target, noise, lams=LAM_GRID):
    """The Monte-Carlo points of ridge_explorer with scikit-learn: one multi-target Ridge fit per λ (draws Ys[i])."""
    mean, err = np.empty(len(lams)), np.empty(len(lams))
    for i, (lam, Y) in enumerate(zip(lams, Ys)):
        P = np.repeat(prior[:, None], Y.shape[1], axis=1)
        R = Y - X @ P
        if np.isinf(lam):
            W = P
        elif lam == 0:
            W = P + LinearRegression(fit_intercept=False).fit(X, R).coef_.T
        else:
            W = P + Ridge(alpha=lam, fit_intercept=False).fit(X, R).coef_.T
        e = ((W - coef_target[:, None]) ** 2).sum(axis=0) + noise**2
        mean[i], err[i] = e.mean(), e.std(ddof=1) / np.sqrt(e.size)
    return mean, err


def naive_ridge_update(explorer, lam, refit_all=True):
    """ridge_explorer's picture for λ, as an ``interact`` callback would draw it: a new 3-panel figure.

    ``refit_all=True``: every model in the picture is refitted with scikit-learn
    (the Monte-Carlo points: a multi-target Ridge per grid λ; ŵ) -- the callback
    does not know which sliders moved. ``refit_all=False``: only the λ-dependent
    fit (ŵ) is redone and the Monte-Carlo points come from the explorer's cache.
    The data and the exact theory curve (tlearn-only maths) always come from the cache.
    """
    v = {k: c.value for k, c in explorer.controls.items()}
    m = explorer.model.setting(v["n"], v["similarity"])
    d = m.data
    mc_mean, mc_err = m.mc_mean, m.mc_se
    if refit_all:
        clean = (d.X_target @ d.coef_target)[:, None]
        Ys = [np.column_stack([d.y_target, clean + m.noise * E]) for E in explorer.model.draws(v["n"])]
        mc_mean, mc_err = sk_mc_points(d.X_target, Ys, d.coef_source, d.coef_target, m.noise)
    w_hat = sk_ridge_coef(d.X_target, d.y_target, lam, d.coef_source)
    pred = d.X_test @ w_hat
    risk_now = transfer_risk(d.X_target, d.coef_target, lam, prior=d.coef_source).risk[0]
    fig, axes = new_figure(1, 3, figsize=(11.0, 3.4))
    ax_fit, ax_risk, ax_coef = axes[0]
    ax_fit.plot([-5, 5], [-5, 5], color="0.6", lw=1)
    ax_fit.scatter(d.y_test, pred, s=12, color="C0")
    lim = 1.1 * max(np.abs(d.y_test).max(), np.abs(pred).max(), 1e-3)
    ax_fit.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="true y (held-out target)", ylabel="prediction")
    ax_fit.set_title(f"λ = {lam:.3g}", fontsize=9)
    ax_risk.plot(_x(m.theory_lams), m.theory_risk, color="C1", lw=2, label="theory")
    ax_risk.errorbar(_x(LAM_GRID), mc_mean, yerr=mc_err, fmt="o", ms=3, color="C0", label="Monte Carlo")
    ax_risk.plot([_x(lam)], [risk_now], "D", color="C3", ms=7, label="current λ")
    ax_risk.axvline(_x(lam), color="C3", lw=1, ls="--")
    ax_risk.axhline(1.0, color="0.5", lw=1, ls=":", label="noise floor")
    ax_risk.set_xscale("log")
    ax_risk.set_xlim(5e-5, 2e4)
    ax_risk.set_xticks([1e-4, 1e-2, 1, 1e2, 1e4], ["0", "0.01", "1", "100", "∞"])
    ax_risk.legend(fontsize=7, loc="upper center")
    idx = np.arange(w_hat.size)
    ax_coef.plot(idx, d.coef_source, "o", color="0.55", label="w_A")
    ax_coef.plot(idx, d.coef_target, "x", color="k", ms=8, label="w_B")
    ax_coef.plot(idx, w_hat, "s-", color="C3", ms=5, lw=1, label="ŵ")
    ax_coef.axhline(0, color="0.8", lw=0.8)
    ax_coef.legend(fontsize=7, loc="lower right")
    return _png(fig)


def naive_feature_update(explorer, lam):
    """feature_explorer's picture for λ: every ridge fit of the three curves redone with Ridge + a new figure."""
    v = {k: c.value for k, c in explorer.controls.items()}
    model = explorer.model  # λ-independent: tasks and the fitted source subspace
    sizes = model.sizes
    n_b, k, dist = int(v["n"]), int(v["k"]), float(v["distance"])
    w_B = model.tasks(dist).coef
    U = model.extractor.components_[:, :k]
    curve = np.zeros((sizes.size + 1, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LinearRegression on n < d
        for i, n in enumerate(list(sizes) + [n_b]):
            for r in range(model.n_repeats):
                X, y = model.sample(n, r, dist)
                fits = (sk_ridge_coef(X, y, lam), sk_ridge_coef(X, y, lam, model.prior),
                        U @ sk_ridge_coef(X @ U, y, lam))
                curve[i] += [np.sum((w - w_B) ** 2) for w in fits]
    curve = model.noise**2 + curve / model.n_repeats
    fig, axes = new_figure(1, 2, figsize=(10.0, 3.4))
    ax, ax_sv = axes[0]
    for j, c in enumerate(("C0", "C1", "C2")):
        ax.plot(sizes, curve[:-1, j], "-", color=c, lw=1.8, label=f"method {j}")
        ax.plot([n_b], [curve[-1, j]], "o", color=c, ms=7, mec="k")
    ax.axvline(n_b, color="C3", lw=1, ls="--", label="current n_B")
    ax.axvline(k, color="C2", lw=0.8, alpha=0.5)
    ax.set_xscale("log")
    ax.set_ylim(0.0, curve.max() * 1.08)
    ax.legend(fontsize=7, loc="upper right")
    ax.set_title(f"λ = {lam:.3g}, k = {k}", fontsize=9)
    s = model.extractor.singular_values_
    ax_sv.bar(np.arange(1, s.size + 1), s, color=["C2" if i < k else "0.75" for i in range(s.size)])
    return _png(fig)


def naive_rebuild(factory, lam, **options):
    """Build the whole explorer again for λ (new figure, every model retrained: no cache kept)."""
    explorer = factory(lam=lam, **options)
    return explorer.image.value
