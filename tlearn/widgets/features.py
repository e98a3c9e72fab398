"""The feature-transfer explorer of notebook 02: n_B, λ, k and the target's distance, live.

A thin view over :func:`tlearn.datasets.make_subspace_tasks`,
:class:`tlearn.SubspaceExtractor` and :class:`tlearn.RidgePath`. The source
side is fitted once (the SVD of the stacked source weights gives every ``k`` at
once); each target subsample is factorised once per (distance, k), and the
errors at every λ on the slider come from one vectorised pass of SVD filter
factors per (n_B, k, distance). A λ move is then a look-up, and redraws only
the curves, the markers and the title over a cached background (blitting): the
view limits are fixed per (n_B, k, distance), over every λ on the slider.

The error shown is the exact expected test MSE of a fitted weight ``w`` on the
target, ``σ² + ‖w − w_B‖²`` (inputs are isotropic Gaussian), averaged over
``n_repeats`` independent target samples of each size.
"""
from __future__ import annotations

import numpy as np
import ipywidgets as W
from threadpoolctl import ThreadpoolController

from ..datasets import make_subspace_tasks
from ..features import SubspaceExtractor
from ..ridge import RidgePath
from ._common import assemble, lam_label, lam_slider, new_figure

__all__ = ["feature_explorer", "FeatureCurves"]

METHODS = ("scratch ridge", "parameter transfer", "subspace features")

#: The loaded BLAS libraries, scanned once (a ``threadpool_limits`` per call would rescan them).
_THREADPOOLS = ThreadpoolController()


class FeatureCurves:
    """Learning curves of the three methods for one synthetic setting, with caches.

    ``errors(n, lam, k, distance)`` returns the mean test MSE of scratch ridge on
    the ``d`` raw features, ridge toward the mean source weight (parameter
    transfer, Eq. (1.4) of notebook 01) and the ridge head on the top-``k``
    source subspace (Eqs. (2.2), (2.4) of notebook 02), for a target of ``n``
    samples. Sample ``r`` of size ``n`` is rows ``r·n_max … r·n_max + n − 1`` of
    the target pool, so the curves are nested in ``n``.
    """

    def __init__(self, n_tasks=30, n_features=50, n_components=3, n_per_task=100, noise=0.5, seed=0,
                 n_max=100, n_repeats=8, k_max=10, source_lam=1.0):
        self.opts = dict(n_tasks=n_tasks, n_features=n_features, n_components=n_components,
                         n_per_task=n_per_task, noise=noise, seed=seed,
                         n_target=n_max * n_repeats, n_test=1)
        self.n_max, self.n_repeats, self.noise = int(n_max), int(n_repeats), float(noise)
        self._tasks, self._paths = {}, {}
        tasks = self.tasks(0.0)
        # The sources do not depend on the target's distance: fit them once.
        self.k_max = int(min(k_max, n_features, n_tasks))
        self.extractor = SubspaceExtractor(self.k_max, lam=source_lam).fit(tasks.sources)
        self.prior = self.extractor.task_coefs_.mean(axis=0)  # parameter transfer: the mean source weight

    def tasks(self, distance):
        """The synthetic setting (cached per distance; sources and inputs never change)."""
        key = round(float(distance), 6)
        if key not in self._tasks:
            self._tasks[key] = make_subspace_tasks(target_distance=key, **self.opts)
        return self._tasks[key]

    def sample(self, n, r, distance):
        """Target sample ``r`` of size ``n``."""
        t = self.tasks(distance)
        rows = slice(r * self.n_max, r * self.n_max + int(n))
        return t.X[rows], t.y[rows]

    def _path_list(self, n, k, distance):
        key = (int(n), k, round(float(distance), 6))
        if key not in self._paths:
            paths = []
            for r in range(self.n_repeats):
                X, y = self.sample(n, r, distance)
                if k is None:
                    paths.append(RidgePath(X, y))
                else:
                    paths.append(RidgePath(X @ self.extractor.components_[:, :k], y))
            self._paths[key] = paths
        return self._paths[key]

    def errors(self, n, lam, k, distance):
        """Mean test MSE ``σ² + ‖ŵ − w_B‖²`` of the three methods.

        Shape (3,) for a scalar ``lam``, (m, 3) for an array of m values.
        """
        w_B = self.tasks(distance).coef
        U = self.extractor.components_[:, :k]
        out = np.zeros(np.shape(lam) + (3,))
        for raw, sub in zip(self._path_list(n, None, distance), self._path_list(n, k, distance)):
            fits = (raw.coef(lam), raw.coef(lam, prior=self.prior), sub.coef(lam) @ U.T)
            out += np.stack([np.sum((w - w_B) ** 2, axis=-1) for w in fits], axis=-1)
        return self.noise**2 + out / self.n_repeats

    def curves(self, sizes, lam, k, distance):
        """``errors`` for every size: shape (len(sizes), 3), or (len(sizes), m, 3) for m values of λ."""
        # Hundreds of tiny SVDs: BLAS threads only add overhead (and contend on a busy machine).
        with _THREADPOOLS.limit(limits=1, user_api="blas"):
            return np.array([self.errors(n, lam, k, distance) for n in sizes])


def feature_explorer(n=15, lam=1.0, k=3, distance=0.0, n_tasks=30, n_features=50, n_components=3,
                     n_per_task=100, noise=0.5, seed=0, n_max=100, n_repeats=8, k_max=10):
    """Explore feature transfer (Eqs. (2.2), (2.4) of notebook 02) live.

    Controls: ``"n"`` (target samples n_B), ``"lam"`` (λ of every ridge fit),
    ``"k"`` (dimension of the learned subspace) and ``"distance"`` (sine of the
    angle between the target weight and the true ``n_components``-dimensional
    subspace, Eq. (2.6)). Left: target test error against n_B for scratch
    ridge on all ``n_features`` features, parameter transfer toward the mean
    source weight, and the ridge head on the ``k`` subspace features; current
    n_B marked. Right: singular values of the stacked source weights, the
    ``k`` kept in colour.
    """
    model = FeatureCurves(n_tasks=n_tasks, n_features=n_features, n_components=n_components,
                          n_per_task=n_per_task, noise=noise, seed=seed, n_max=n_max,
                          n_repeats=n_repeats, k_max=k_max)
    controls = {
        "n": W.IntSlider(value=n, min=2, max=model.n_max, step=1, description="n_B", continuous_update=True),
        "lam": lam_slider(lam),
        "k": W.IntSlider(value=min(k, model.k_max), min=1, max=model.k_max, step=1, description="k",
                         continuous_update=True),
        "distance": W.FloatSlider(value=distance, min=0.0, max=1.0, step=0.05, description="distance",
                                  continuous_update=True),
    }
    for name in ("n", "k", "distance"):
        controls[name].add_class(f"tlearn-{name}")
    sizes = np.unique(np.round(np.geomspace(2, model.n_max, 14)).astype(int))

    fig, axes = new_figure(1, 2, figsize=(10.0, 3.4))
    ax, ax_sv = axes[0]
    colors = ("C0", "C1", "C2")
    lines = [ax.plot(sizes, np.ones(sizes.size), "-", color=c, lw=1.8, label=m)[0] for m, c in zip(METHODS, colors)]
    marks = [ax.plot([n], [1.0], "o", color=c, ms=7, mec="k")[0] for c in colors]
    now = ax.axvline(n, color="C3", lw=1, ls="--", label="current n_B")
    floor = ax.axhline(noise**2, color="0.5", lw=1, ls=":", label="noise floor \N{GREEK SMALL LETTER SIGMA}\u00b2")
    k_line = ax.axvline(k, color="C2", lw=0.8, alpha=0.5)
    k_text = ax.text(k, 0.02, " k", color="C2", fontsize=8, transform=ax.get_xaxis_transform())
    d_line = ax.axvline(n_features, color="C0", lw=0.8, alpha=0.5)
    d_text = ax.text(n_features, 0.02, " d", color="C0", fontsize=8, transform=ax.get_xaxis_transform())
    ax.set_xscale("log")
    ax.set_xlim(sizes[0] * 0.9, sizes[-1] * 1.1)
    ax.set_xlabel("target samples n_B")
    ax.set_ylabel("target test MSE")
    legend = ax.legend(fontsize=7, loc="upper right")
    title = ax.set_title("", fontsize=9)

    s = model.extractor.singular_values_
    idx = np.arange(1, s.size + 1)
    bars = ax_sv.bar(idx, s, color="0.75")
    ax_sv.set_xlabel("component")
    ax_sv.set_ylabel("singular value of W")
    ax_sv.set_title(f"{n_tasks} source tasks, true k = {n_components}", fontsize=9)

    info = {"model": model, "sizes": sizes, "lines": dict(zip(METHODS, lines)), "marks": dict(zip(METHODS, marks)),
            "status": None}
    lams = np.array([v for _, v in controls["lam"].options])
    settings = {}

    def setting(n_b, k_v, dist):
        """Errors at every λ on the slider for one (n_B, k, distance), and the error axis' top.

        The top is the same for every λ, so a λ move changes no axis limit (it is blitted).
        """
        key = (n_b, k_v, round(dist, 6))
        if key not in settings:
            every = model.curves(np.append(sizes, n_b), lams, k_v, dist)  # (sizes + current n_B, λ, method)
            w2 = float(np.sum(model.tasks(dist).coef ** 2))
            settings[key] = every, min(every.max(), 3.0 * (noise**2 + w2)) * 1.08
        return settings[key]

    def compute(v):
        n_b, lam_v, k_v, dist = int(v["n"]), v["lam"], int(v["k"]), float(v["distance"])
        every, top = setting(n_b, k_v, dist)
        col = int(np.flatnonzero(lams == lam_v)[0])  # the slider only offers these values
        curve, here = every[:-1, col], every[-1, col]
        for j in range(3):
            lines[j].set_ydata(curve[:, j])
            marks[j].set_data([n_b], [here[j]])
        now.set_xdata([n_b, n_b])
        k_line.set_xdata([k_v, k_v])
        k_text.set_x(k_v)
        ax.set_ylim(0.0, top)
        title.set_text(f"\N{GREEK SMALL LETTER LAMDA} = {lam_label(lam_v)}, k = {k_v}, distance = {dist:.2f}, "
                       f"d = {n_features}")
        for i, b in enumerate(bars):
            b.set_color("C2" if i < k_v else "0.75")
        info["current"] = here
        if info["status"] is not None:  # the status line exists once assemble has built it
            info["status"].value = _status(n_b, here)

    # A λ move changes only the curves, markers and title: they are blitted over a cached background,
    # with the artists a full draw puts above the curves redrawn after them (same stacking order).
    above = [now, floor, k_line, d_line, k_text, d_text, legend]
    moving = [*lines, *marks, *above, title]
    explorer = assemble(controls, fig, compute, title="Feature transfer: a ridge head on learned features",
                        fast=(moving, lambda v: (int(v["n"]), int(v["k"]), round(float(v["distance"]), 6))))
    info["status"] = explorer.state["status"]
    info["status"].value = _status(int(controls["n"].value), info["current"])
    info["settings"] = settings
    explorer.state.update(info)
    return explorer


def _status(n_b, errors):
    return (f"n_B = {n_b}: test MSE scratch {errors[0]:.3f}, "
            f"parameter transfer {errors[1]:.3f}, subspace features {errors[2]:.3f}")
