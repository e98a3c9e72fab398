"""The deep-transfer explorer of notebook 04: labelled target size, L2-SP λ, frozen layers.

The maths lives in :class:`DeepTransferModel` (no matplotlib, no ipywidgets): it
pre-trains the source once per scenario, fine-tunes with :func:`tlearn.fine_tune`
over ``n_seeds`` target draws and caches every mean score and its standard
error, so moving a slider back is instant. :func:`deep_explorer` only draws it,
blitting every move over one full draw of the figure.
"""
from __future__ import annotations

import time
from types import SimpleNamespace
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..datasets import load_digits_inverted, load_digits_split, make_shared_representation
from ..finetune import fine_tune_curves
from ..mlp import MLP
from .._validation import check_int
from ._common import (assemble, in_drawing_order, int_slider, lam_axis, lam_label, lam_slider, lam_to_x, moving_yaxis,
                      new_figure)

__all__ = ["deep_explorer", "Scenario", "SCENARIOS", "pretrained_source", "target_score", "DeepTransferModel",
           "STRATS", "LAM_CURVE"]


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
    n_label: str
    n_range: tuple
    n_default: int


SCENARIOS = {
    "shared": Scenario("shared representation (synthetic)",
                       lambda n, seed: make_shared_representation(n_target=n, seed=seed),
                       (10, 32, 32, 16), "tanh", "n", (4, 100), 10),
    "inverted": Scenario("digits → contrast-inverted digits", lambda n, seed: load_digits_inverted(n, seed=seed),
                         (64, 32, 10), "relu", "n / class", (1, 20), 3),
    "split": Scenario("digits 0–4 → 5–9", lambda n, seed: load_digits_split(n, seed=seed),
                      (64, 32, 5), "relu", "n / class", (1, 20), 3),
}

_SOURCES = {}
STRATS = ("scratch", "head", "freeze", "full", "l2sp")
#: The λ values of the right panel: 0 is "full", ∞ is "head" (the limits of Eq. (4.1)).
LAM_CURVE = (0.0, 0.01, 0.1, 1.0, 10.0, np.inf)
#: Adam's learning rate for pre-training the sources (fine-tuning uses :func:`tlearn.fine_tune`'s default, also 0.01).
LR = 1e-2


def _check_scenario(scenario):
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {sorted(SCENARIOS)}, got {scenario!r}")
    return SCENARIOS[scenario]


def pretrained_source(scenario):
    """The source network of ``scenario``: Adam at lr = 0.01 until the loss levels off (once per session)."""
    sc = _check_scenario(scenario)
    if scenario not in _SOURCES:
        d = sc.load(sc.n_range[0], 0)
        _SOURCES[scenario] = MLP(list(sc.sizes), sc.activation, d.task, seed=0).fit(d.X_source, d.y_source, lr=LR)
    return _SOURCES[scenario]


def target_score(scenario, n, strategy, lam=1.0, n_frozen=1, seeds=(0, 1, 2, 3, 4), epochs=None):
    """``(mean, standard error)`` of the held-out target score of ``fine_tune`` over ``seeds``."""
    curves = fine_tune_curves(pretrained_source(scenario), SCENARIOS[scenario].load, [n], [strategy], seeds,
                              lam=lam, n_frozen=n_frozen, epochs=epochs)
    s = curves[strategy][0]
    return float(s.mean()), float(s.std(ddof=1) / np.sqrt(s.size)) if s.size > 1 else 0.0


@dataclass
class DeepTransferModel:
    """What the deep explorer shows, computed and cached (no drawing).

    ``score(n, strategy, lam, n_frozen)`` is the mean held-out score over
    ``seeds`` and its standard error; L2-SP at λ = 0 and λ = ∞ are "full" and
    "head" (the two limits of Eq. (4.1) of notebook 04), so they are not
    retrained. ``view(n, lam, n_frozen)`` gives everything the figure needs.
    """

    scenario: str
    seeds: tuple = (0, 1, 2, 3, 4)
    epochs: int | None = None
    cache: dict = field(default_factory=dict)
    on_train: Callable | None = None

    def __post_init__(self):
        self.spec = _check_scenario(self.scenario)
        self.source = pretrained_source(self.scenario)
        self.metric = "accuracy" if self.source.task == "classification" else "R\u00b2"

    @staticmethod
    def _key(n, strategy, lam, n_frozen):
        if strategy == "l2sp" and lam in (0.0, np.inf):
            strategy = "full" if lam == 0 else "head"
        return (int(n), strategy, float(lam) if strategy == "l2sp" else None,
                int(n_frozen) if strategy == "freeze" else None)

    def missing(self, n, lam, n_frozen):
        """How many settings ``view(n, lam, n_frozen)`` still has to fine-tune (each over every seed)."""
        keys = {self._key(n, s, lam, n_frozen) for s in STRATS}
        keys |= {self._key(n, "l2sp", g, 0) for g in LAM_CURVE}
        return len(keys - set(self.cache))

    def score(self, n, strategy, lam=0.0, n_frozen=0):
        key = self._key(n, strategy, lam, n_frozen)
        strategy = key[1]
        if key not in self.cache:
            if self.on_train is not None:
                self.on_train(strategy, n)
            self.cache[key] = target_score(self.scenario, n, strategy, lam, max(int(n_frozen), 0), self.seeds,
                                           self.epochs)
        return self.cache[key]

    def view(self, n, lam, n_frozen):
        """``{"bars": [(mean, se)] for STRATS, "curve": [(mean, se)] for LAM_CURVE}``."""
        bars = [self.score(n, "scratch"), self.score(n, "head"), self.score(n, "freeze", n_frozen=n_frozen),
                self.score(n, "full"), self.score(n, "l2sp", lam)]
        return {"bars": bars, "curve": [self.score(n, "l2sp", g) for g in LAM_CURVE]}

    def summary(self, n, lam, n_frozen):
        """The live one-line summary: the winner at this n, its score, scratch's, the best λ on the path."""
        v = self.view(n, lam, n_frozen)
        names = ["scratch", "head", f"freeze {n_frozen}", "full", f"L2-SP λ={lam_label(lam)}"]
        best = int(np.argmax([m for m, _ in v["bars"]]))
        lam_best = LAM_CURVE[int(np.argmax([m for m, _ in v["curve"]]))]
        return (f"{self.spec.n_label} = {n}: best {names[best]} ({self.metric} {v['bars'][best][0]:.2f} ± "
                f"{v['bars'][best][1]:.2f}), scratch {v['bars'][0][0]:.2f}; best λ on the L2-SP path "
                f"{lam_label(lam_best)}; mean of {len(self.seeds)} draws ± SE")


def _draw_figure(model):
    """The figure and its artists (bars with SE, λ path with SE band, scratch line): drawing only.

    Every move is a blit over one full draw: ``a.layer`` holds what depends
    on n alone (the λ path, its band and y-axis, the scratch line, the title),
    drawn once per n; ``a.moving`` what λ and n_frozen change as well (the
    bars, their labels and rescaling y-axis, the current λ).
    """
    fig, axes = new_figure(1, 2, figsize=(10.5, 3.5))
    ax_bar, ax_lam = axes[0]
    a = SimpleNamespace(fig=fig, ax_bar=ax_bar, ax_lam=ax_lam)
    x5, x_lam = np.arange(5), lam_to_x(np.array(LAM_CURVE))
    a.bars = ax_bar.bar(x5, np.zeros(5), color=["0.55", "C0", "C2", "C1", "C3"])
    a.errbar = ax_bar.errorbar(x5, np.zeros(5), yerr=np.zeros(5), fmt="none", ecolor="k", capsize=3, lw=1)
    ax_bar.set_ylabel(f"held-out target {model.metric}")
    ax_bar.set_xticks(x5, [""] * 5)
    ax_bar.set_xlim(-0.6, 4.6)
    a.texts = [ax_bar.text(i, 0, "", ha="center", va="bottom", fontsize=8) for i in range(5)]
    a.title = ax_bar.set_title("", fontsize=9)
    a.band = ax_lam.fill_between(x_lam, np.zeros(x_lam.size), np.zeros(x_lam.size), color="C3", alpha=0.2)
    (a.curve,) = ax_lam.plot(x_lam, np.zeros(len(LAM_CURVE)), "o-", color="C3", label="L2-SP (mean)")
    a.scratch_line = ax_lam.axhline(0.0, color="0.55", ls="--", label="scratch")
    (a.cur_pt,) = ax_lam.plot([1.0], [0.0], "D", color="k", ms=7, label="current \N{GREEK SMALL LETTER LAMDA}")
    lam_axis(ax_lam)
    ax_lam.set_ylabel(f"held-out target {model.metric}")
    ax_lam.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)  # off the data
    ax_lam.set_title("L2-SP: 0 = full fine-tuning, \N{INFINITY} = head only", fontsize=9)
    caps, (segments,) = a.errbar[1], a.errbar[2]
    a.moving = in_drawing_order([*a.bars, segments, *caps, *a.texts, ax_bar.xaxis, moving_yaxis(ax_bar), a.cur_pt])
    a.layer = in_drawing_order([a.title, a.band, a.curve, a.scratch_line, moving_yaxis(ax_lam)])
    return a


def _limits(lo, hi):
    pad = 0.08 * max(hi - lo, 0.05)
    return lo - pad, hi + pad


def deep_explorer(scenario="shared", n=None, lam=1.0, n_frozen=1, n_seeds=5, epochs=None):
    """Explore fine-tuning strategies live (Eqs. (4.1)-(4.3) of notebook 04).

    Controls: ``"n"`` (labelled target samples, per class for the digits),
    ``"lam"`` (λ of L2-SP: the values of the path on the right,
    :data:`LAM_CURVE`, with the limits 0 = full and ∞ = head; any λ ≥ 0 is
    snapped to the nearest one in log λ) and ``"n_frozen"``; ``n`` and
    ``n_frozen`` must lie on their sliders (checked), ``n_seeds`` ≥ 2 (a
    standard error needs two draws). Left: held-out target score of the five
    strategies, mean of ``n_seeds`` target draws ± standard error. Right: the
    L2-SP path against λ with its SE band, and the scratch baseline.
    ``explorer.model`` is the :class:`DeepTransferModel`; the summary line
    names the winner.

    Every score is cached, and a state already shown re-sends its picture, so
    moving back is instant. A first visit is not: a new n fine-tunes up to
    eight settings (the five strategies and the L2-SP path) × ``n_seeds``
    draws with :func:`tlearn.fine_tune`'s default stopping rule -- seconds,
    tens of seconds on a loaded 2-core machine; a new n_frozen one setting.
    A λ move never trains: the path already holds every λ on the slider.
    The status line above the figure counts the fine-tunings as they run.
    """
    sc = _check_scenario(scenario)
    n_seeds = check_int(n_seeds, "n_seeds", 2, 1000)
    epochs = None if epochs is None else check_int(epochs, "epochs", 1)
    lo, hi = sc.n_range
    controls = {
        "n": int_slider(sc.n_default if n is None else n, lo, hi, "n", sc.n_label, continuous_update=False),
        "lam": lam_slider(lam, grid=LAM_CURVE),
        "n_frozen": int_slider(n_frozen, 0, len(sc.sizes) - 2, "n_frozen", continuous_update=False),
    }
    progress = _Progress(sc.n_label, n_seeds)
    model = DeepTransferModel(scenario, tuple(range(n_seeds)), epochs, on_train=progress.count)
    art = _draw_figure(model)

    def compute(v):
        t0 = time.perf_counter()
        progress.start(model.missing(v["n"], v["lam"], v["n_frozen"]))
        _update_figure(art, model.view(v["n"], v["lam"], v["n_frozen"]), v, sc, len(model.seeds))
        progress.show(f"done in {time.perf_counter() - t0:.1f} s ({len(model.cache)} settings cached)")
        return model.summary(v["n"], v["lam"], v["n_frozen"])

    explorer = assemble(controls, fig=art.fig, compute=compute, title=f"Deep transfer: {sc.name}",
                        fast=(art.moving, lambda v: v["n"], art.layer))
    progress.status, explorer.model, explorer.artists = explorer.status, model, art
    return explorer


class _Progress:
    """The status line above the figure: it counts the fine-tunings of a first visit as they run.

    ``count`` is the model's ``on_train`` callback, called synchronously before each fine-tuning;
    ``status`` (the explorer's status widget) is set once the explorer exists.
    """

    def __init__(self, n_label, n_seeds):
        self.n_label, self.n_seeds, self.done, self.todo, self.status = n_label, n_seeds, 0, 0, None

    def start(self, todo):
        self.done, self.todo = 0, todo

    def show(self, text):
        if self.status is not None:
            self.status.value = text

    def count(self, strategy, n):
        self.done += 1
        self.show(f"fine-tuning {self.done}/{self.todo}: {strategy} ({self.n_label} = {n}, {self.n_seeds} draws) "
                  f"\N{HORIZONTAL ELLIPSIS}")


def _update_figure(a, view, v, sc, n_draws):
    """Set the artists from ``view``, in place (the limits follow the data: the y-axes are blitted too)."""
    means = np.array([m for m, _ in view["bars"]])
    ses = np.array([s for _, s in view["bars"]])
    for b, m in zip(a.bars, means):
        b.set_height(m)
    _, (low, high), (segments,) = a.errbar
    low.set_ydata(means - ses)
    high.set_ydata(means + ses)
    segments.set_segments([[(i, m - e), (i, m + e)] for i, (m, e) in enumerate(zip(means, ses))])
    for i, (t, m) in enumerate(zip(a.texts, means)):
        t.set_position((i, max(m + ses[i], 0.0)))
        t.set_text(f"{m:.2f}")
    a.ax_bar.set_xticks(np.arange(5), ["scratch", "head", f"freeze {v['n_frozen']}", "full",
                                       f"L2-SP {lam_label(v['lam'])}"])
    a.title.set_text(f"{sc.name}: {sc.n_label} = {v['n']}, mean of {n_draws} draws ± SE")
    cm = np.array([m for m, _ in view["curve"]])
    cs = np.array([s for _, s in view["curve"]])
    a.curve.set_ydata(cm)
    a.band.set_data(lam_to_x(np.array(LAM_CURVE)), cm - cs, cm + cs)
    a.cur_pt.set_data([lam_to_x(v["lam"])], [means[4]])
    a.scratch_line.set_ydata([means[0]] * 2)
    a.ax_bar.set_ylim(*_limits(min(0.0, (means - ses).min()), max(1.0, (means + ses).max() + 0.06)))
    a.ax_lam.set_ylim(*_limits(min((cm - cs).min(), means[0]), max((cm + cs).max(), means[0])))
