"""The feature-transfer explorer of notebook 02: n_B, λ, k and the target's distance, live.

A view over :class:`tlearn.widgets.FeatureCurves` (``explorer.model``), which
holds the maths: the source subspace fitted once (:class:`tlearn.SubspaceExtractor`),
and per (n_B, k, distance) the errors at every λ on the slider from cached
:class:`tlearn.RidgePath` factorisations. Every move is then a look-up that
redraws only the curves, the markers, the title, the kept components and the
error axis over one cached background (blitting). The error axis fits the
curves shown (its top on a coarse ladder of round values).

The error shown is the exact expected test MSE of a fitted weight ``w`` on the
target, ``σ² + ‖w − w_B‖²`` (inputs are isotropic Gaussian), averaged over
``n_repeats`` independent target samples of each size.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .._validation import check_int, check_real
from ._common import (LAM_GRID, assemble, float_slider, int_slider, lam_label, lam_slider, moving_yaxis, new_figure,
                      nice_top)
from ._models import FeatureCurves

__all__ = ["feature_explorer", "FeatureCurves"]

METHODS = FeatureCurves.METHODS

def feature_explorer(n=15, lam=1.0, k=3, distance=0.0, n_tasks=30, n_features=50, n_components=3,
                     n_per_task=100, noise=0.5, seed=0, n_max=100, n_repeats=8, k_max=10):
    """Explore feature transfer (Eqs. (2.2), (2.4) of notebook 02) live.

    Controls: ``"n"`` (target samples n_B, 2…``n_max``), ``"lam"`` (λ of every
    ridge fit, snapped to the slider's values), ``"k"`` (dimension of the
    learned subspace, 1…``k_max``) and ``"distance"`` (sine of the angle
    between the target weight and the true ``n_components``-dimensional
    subspace, Eq. (2.6); 0…1, snapped to steps of 0.05). Left: target test
    error against n_B for scratch ridge on all ``n_features`` features,
    parameter transfer toward the mean source weight, and the ridge head on
    the ``k`` subspace features; current n_B marked. Right: singular values of
    the stacked source weights, the ``k`` kept in colour. The summary line
    names the three errors at the current n_B and the winner.
    """
    ints = {name: check_int(value, name, 1, 100_000) for name, value in dict(
        n_tasks=n_tasks, n_features=n_features, n_components=n_components, n_per_task=n_per_task,
        n_repeats=n_repeats, k_max=k_max).items()}
    model = FeatureCurves(noise=check_real(noise, "noise", minimum=0), seed=check_int(seed, "seed", 0),
                          n_max=check_int(n_max, "n_max", 2, 100_000), **ints)
    controls = {
        "n": int_slider(n, 2, model.n_max, "n", "n_B"),
        "lam": lam_slider(lam),
        "k": int_slider(k, 1, model.k_max, "k"),
        "distance": float_slider(distance, 0.0, 1.0, 0.05, "distance"),
    }
    art = _figure(model, n_features, n_tasks, n_components, noise, n)

    def compute(v):
        return _draw(art, model, v, n_features)

    # Every control changes only the moving artists (the error axis and the kept singular values among
    # them): each move is blitted over one background.
    explorer = assemble(controls, art.fig, compute, title="Feature transfer: a ridge head on learned features",
                        fast=(art.moving, lambda v: None))
    explorer.model, explorer.artists = model, art
    return explorer


def _figure(model, n_features, n_tasks, n_components, noise, n):
    fig, axes = new_figure(1, 2, figsize=(10.0, 3.6))
    ax, ax_sv = axes[0]
    sizes = model.sizes
    a = SimpleNamespace(fig=fig, ax=ax, ax_sv=ax_sv, top=None)
    a.lines = dict((m, ax.plot(sizes, np.ones(sizes.size), "-", color=c, lw=1.8, label=m)[0])
                   for m, c in zip(METHODS, ("C0", "C1", "C2")))
    a.marks = dict((m, ax.plot([n], [1.0], "o", color=c, ms=7, mec="k")[0]) for m, c in zip(METHODS, ("C0", "C1", "C2")))
    a.now = ax.axvline(n, color="C3", lw=1, ls="--", label="current n_B")
    floor = ax.axhline(noise**2, color="0.5", lw=1, ls=":", label="noise floor \N{GREEK SMALL LETTER SIGMA}\u00b2")
    a.k_line = ax.axvline(1, color="C2", lw=0.8, alpha=0.5)
    a.k_text = ax.text(1, 0.02, " k", color="C2", fontsize=8, transform=ax.get_xaxis_transform(), clip_on=True)
    d_line = ax.axvline(n_features, color="C0", lw=0.8, alpha=0.5)
    d_text = ax.text(n_features, 0.02, " d", color="C0", fontsize=8, transform=ax.get_xaxis_transform(),
                     clip_on=True)
    ax.set_xscale("log")
    ax.set_xlim(sizes[0] * 0.9, sizes[-1] * 1.1)
    ax.set(xlabel="target samples n_B", ylabel="target test MSE")
    a.title = ax.set_title("", fontsize=9)
    s = model.extractor.singular_values_
    a.bars = ax_sv.bar(np.arange(1, s.size + 1), s, color="0.75")
    ax_sv.set(xlabel="component", ylabel="singular value of W")
    ax_sv.set_title(f"{n_tasks} source tasks, true k = {n_components}", fontsize=9)
    fig.legend(handles=ax.get_legend_handles_labels()[0], loc="outside lower center", ncol=5, fontsize=7,
               frameon=False)
    # In the order a full draw stacks them: lines, the y-axis, texts; the bars, then the spine they stand on.
    a.moving = [*a.lines.values(), *a.marks.values(), a.now, floor, a.k_line, d_line, moving_yaxis(ax),
                a.k_text, d_text, a.title, *a.bars, ax_sv.spines["bottom"]]
    return a


def _draw(a, model, v, n_features):
    n_b, lam, k, dist = int(v["n"]), v["lam"], int(v["k"]), float(v["distance"])
    every, cap = model.setting(n_b, k, dist)
    col = int(np.flatnonzero(LAM_GRID == lam)[0])  # the slider only offers these values
    curve, here = every[:-1, col], every[-1, col]
    for j, m in enumerate(METHODS):
        a.lines[m].set_ydata(curve[:, j])
        a.marks[m].set_data([n_b], [here[j]])
    a.now.set_xdata([n_b, n_b])
    a.k_line.set_xdata([k, k])
    a.k_text.set_x(k)
    a.top = nice_top(min(1.1 * max(curve.max(), here.max()), cap))
    a.ax.set_ylim(0.0, a.top)
    a.title.set_text(f"\N{GREEK SMALL LETTER LAMDA} = {lam_label(lam)}, k = {k}, distance = {dist:.2f}, "
                     f"d = {n_features}")
    for i, b in enumerate(a.bars):
        b.set_color("C2" if i < k else "0.75")
    winner = METHODS[int(np.argmin(here))]
    return (f"n_B = {n_b}, \N{GREEK SMALL LETTER LAMDA} = {lam_label(lam)}, k = {k}, distance = {dist:.2f}: "
            f"test MSE scratch ridge {here[0]:.3f}, parameter transfer {here[1]:.3f}, subspace features "
            f"{here[2]:.3f}; best: {winner}")

