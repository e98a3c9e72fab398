"""The deep-transfer explorer of notebook 04: labelled target size, L2-SP λ, frozen layers.

A thin view over :func:`tlearn.fine_tune`. The source network is pre-trained once
per scenario (and kept for the session); every fine-tuned score is cached per
setting, so moving a slider back is instant and moving it forward trains only
what is new (a few small networks, progress shown in the status line).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import ipywidgets as W

from ..datasets import load_digits_inverted, load_digits_split, make_shared_representation
from ..finetune import fine_tune_curves as learning_curves
from ..mlp import MLP
from ._common import assemble, lam_axis, lam_label, lam_slider, lam_to_x, new_figure

__all__ = ["deep_explorer", "Scenario", "SCENARIOS", "pretrained_source", "target_score"]


@dataclass(frozen=True)
class Scenario:
    """A source/target pair and the small network used for it in notebook 04.

    ``load(n, seed)`` returns a :class:`~tlearn.datasets.DeepTransferData` with
    ``n`` labelled target samples (per class for the digits).
    """

    name: str
    load: Callable
    sizes: tuple
    activation: str
    source_epochs: int
    n_label: str
    n_range: tuple
    n_default: int


SCENARIOS = {
    "shared": Scenario("shared representation (synthetic)",
                       lambda n, seed: make_shared_representation(n_target=n, seed=seed),
                       (10, 32, 32, 16), "tanh", 100, "n", (4, 100), 10),
    "inverted": Scenario("digits → contrast-inverted digits", lambda n, seed: load_digits_inverted(n, seed=seed),
                         (64, 32, 10), "relu", 30, "n / class", (1, 20), 3),
    "split": Scenario("digits 0–4 → 5–9", lambda n, seed: load_digits_split(n, seed=seed),
                      (64, 32, 5), "relu", 30, "n / class", (1, 20), 3),
}

_SOURCES = {}
STRATS = ("scratch", "head", "freeze", "full", "l2sp")
LAM_CURVE = (0.0, 0.01, 0.1, 1.0, 10.0, 100.0, np.inf)


def pretrained_source(scenario):
    """The source network of ``scenario`` (pre-trained once per session with Adam, lr = 0.01)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {sorted(SCENARIOS)}, got {scenario!r}")
    if scenario not in _SOURCES:
        sc = SCENARIOS[scenario]
        d = sc.load(sc.n_range[0], 0)
        _SOURCES[scenario] = MLP(list(sc.sizes), sc.activation, d.task, seed=0).fit(
            d.X_source, d.y_source, epochs=sc.source_epochs, lr=1e-2)
    return _SOURCES[scenario]


def target_score(scenario, n, strategy, lam=1.0, n_frozen=1, seeds=(0, 1), epochs=60):
    """Mean held-out target score of ``fine_tune`` over ``seeds`` (output layer re-initialised)."""
    curves = learning_curves(pretrained_source(scenario), SCENARIOS[scenario].load, [n], [strategy], seeds,
                             lam=lam, n_frozen=n_frozen, epochs=epochs, lr=1e-2, reset_output=True)
    return float(curves[strategy].mean())


def deep_explorer(scenario="shared", n=None, lam=1.0, n_frozen=1, n_seeds=2, epochs=60):
    """Explore fine-tuning strategies live (Eqs. (4.1)-(4.3) of notebook 04).

    Controls: ``"n"`` (labelled target samples, per class for the digits),
    ``"lam"`` (λ of L2-SP, with the limits 0 = full and ∞ = head, which are
    reused rather than retrained -- they coincide, see notebook 04) and
    ``"n_frozen"`` (layers kept fixed by the "freeze" strategy). Left panel:
    held-out target score of the five strategies, averaged over ``n_seeds``
    target draws. Right panel: the L2-SP score against λ at this n, with the
    scratch baseline. ``scenario`` is one of :data:`SCENARIOS`.
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {sorted(SCENARIOS)}, got {scenario!r}")
    sc = SCENARIOS[scenario]
    seeds = tuple(range(int(n_seeds)))
    L = len(sc.sizes) - 1
    lo, hi = sc.n_range
    n = sc.n_default if n is None else n
    controls = {
        "n": W.IntSlider(value=int(np.clip(n, lo, hi)), min=lo, max=hi, description=sc.n_label,
                         continuous_update=False),
        "lam": lam_slider(lam),
        "n_frozen": W.IntSlider(value=n_frozen, min=0, max=L - 1, description="n_frozen", continuous_update=False),
    }
    controls["n"].add_class("tlearn-n")
    controls["n_frozen"].add_class("tlearn-n_frozen")
    cache, holder = {}, {}
    src = pretrained_source(scenario)
    task = "accuracy" if src.task == "classification" else "R\u00b2"

    def score(n_, strategy, lam_=0.0, k=0):
        if strategy == "l2sp" and lam_ in (0.0, np.inf):  # the two limits of Eq. (4.1): full and head
            strategy = "full" if lam_ == 0 else "head"
        key = (int(n_), strategy, float(lam_) if strategy == "l2sp" else None, int(k) if strategy == "freeze" else None)
        if key not in cache:
            status = holder.get("status")
            if status is not None:
                status.value = f"training {strategy} (n = {n_}) \N{HORIZONTAL ELLIPSIS}"
            cache[key] = target_score(scenario, n_, strategy, lam_, max(int(k), 0), seeds, epochs)
        return cache[key]

    fig, axes = new_figure(1, 2, figsize=(10.0, 3.4))
    ax_bar, ax_lam = axes[0]
    colors = ["0.55", "C0", "C2", "C1", "C3"]
    bars = ax_bar.bar(np.arange(5), np.zeros(5), color=colors)
    ax_bar.set_ylabel(f"held-out target {task}")
    texts = [ax_bar.text(i, 0, "", ha="center", va="bottom", fontsize=8) for i in range(5)]
    # The L2-SP tick label names λ, so it is a text of its own (drawn where the tick label goes):
    # a λ move then changes only the artists in `moving` below, which are blitted.
    ax_bar.set_xticks(np.arange(5), ["scratch", "head", "freeze", "full", ""])
    tick = ax_bar.xaxis.get_major_ticks()[4].label1
    l2sp_label = ax_bar.text(4, 0, "", transform=tick.get_transform(), ha=tick.get_ha(), va=tick.get_va(),
                             fontproperties=tick.get_fontproperties(), color=tick.get_color())
    bar_title = ax_bar.set_title("", fontsize=9)
    (curve,) = ax_lam.plot(lam_to_x(np.array(LAM_CURVE)), np.zeros(len(LAM_CURVE)), "o-", color="C3", label="L2-SP")
    (cur_pt,) = ax_lam.plot([1.0], [0.0], "D", color="k", ms=7, label="current \N{GREEK SMALL LETTER LAMDA}")
    scratch_line = ax_lam.axhline(0.0, color="0.55", ls="--", label="scratch")
    lam_axis(ax_lam)
    ax_lam.set_ylabel(f"held-out target {task}")
    legend = ax_lam.legend(fontsize=7, loc="lower right")
    ax_lam.set_title("L2-SP: 0 = full fine-tuning, \N{INFINITY} = head only", fontsize=9)

    def compute(v):
        t0 = time.perf_counter()
        n_, lam_, k = v["n"], v["lam"], v["n_frozen"]
        vals = [score(n_, "scratch"), score(n_, "head"), score(n_, "freeze", k=k), score(n_, "full"),
                score(n_, "l2sp", lam_)]
        for b, t, val in zip(bars, texts, vals):
            b.set_height(val)
            t.set_position((b.get_x() + b.get_width() / 2, max(val, 0.0)))
            t.set_text(f"{val:.2f}")
        ax_bar.set_xticks(np.arange(5), ["scratch", "head", f"freeze {k}", "full", ""])
        l2sp_label.set_text(f"L2-SP {lam_label(lam_)}")
        bar_title.set_text(f"{sc.name}: {sc.n_label} = {n_}, mean of {len(seeds)} draw(s)")
        ys = [score(n_, "l2sp", g) for g in LAM_CURVE]
        # Limits from the slow settings only (every bar but L2-SP, and the L2-SP curve), so a λ move
        # leaves them alone; an L2-SP score below them at an off-curve λ still prints its value.
        ax_bar.set_ylim(min(0.0, min(vals[:4]), min(ys)), 1.08)
        curve.set_ydata(ys)
        cur_pt.set_data([lam_to_x(lam_)], [vals[4]])
        scratch_line.set_ydata([vals[0]] * 2)
        low = min(min(ys), vals[0])
        ax_lam.set_ylim(min(0.0, low) if low < 0 else max(0.0, low - 0.1), 1.02)
        status = holder.get("status")
        if status is not None:
            status.value = f"done in {time.perf_counter() - t0:.1f} s ({len(cache)} networks cached)"

    # A λ move changes only these artists: they are blitted over a cached background (the legend
    # does not move, but is redrawn last so that the λ marker passes under it, as in a full draw).
    moving = [bars[4], texts[4], l2sp_label, cur_pt, legend]
    explorer = assemble(controls, fig, compute, title=f"Deep transfer: {sc.name}",
                        fast=(moving, lambda v: (v["n"], v["n_frozen"])))
    holder["status"] = explorer.state["status"]
    holder["status"].value = f"source pre-trained once; {len(cache)} fine-tuned networks cached"
    explorer.state.update(cache=cache, bars=bars, curve=curve, scratch_line=scratch_line, cur_pt=cur_pt,
                          scenario=scenario, seeds=seeds, epochs=epochs, source=src, l2sp_label=l2sp_label)
    return explorer
