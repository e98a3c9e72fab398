"""The backprop chapter's live views (notebook 03).

* :func:`backprop_explorer` -- re-trains a tiny tanh network on a noisy 1-D
  curve by full-batch gradient descent (:func:`tlearn.backprop.train_two_layer`,
  every slider λ at once by :func:`tlearn.widgets.train_two_layer_grid`)
  whenever weight decay λ, the number of training samples n or the learning
  rate η moves; shows the fit, what each hidden unit computes, and the losses.
* :class:`LossMonitor` -- a progress bar and a loss curve redrawn by
  ``MLP.fit(..., callback=monitor)`` after every epoch.
"""
from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
import ipywidgets as W

from .._validation import check_int, check_real
from ._common import assemble, check_choice, int_slider, lam_label, lam_slider, moving_yaxis, new_figure, render_png
from ._models import LAM_GRID, BackpropExplorerModel

__all__ = ["backprop_explorer", "LossMonitor", "LR_GRID"]

#: learning rates offered by the η slider (the largest one diverges on purpose).
LR_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)

ETA, LAMBDA = "\N{GREEK SMALL LETTER ETA}", "\N{GREEK SMALL LETTER LAMDA}"


def backprop_explorer(n=10, lam=0.0, lr=0.1, n_hidden=16, steps=2000, noise=0.3, seed=0, n_max=60):
    r"""Train a 1-16-1 tanh network live on y = sin 3x + noise.

    Controls: ``"lam"`` (weight decay λ of Eq. (3.13) of notebook 03, from 0 to
    ∞, snapped to the slider's values), ``"n"`` (training samples, 3…``n_max``,
    nested: more samples add points), ``"lr"`` (the step size η of Eq. (3.14),
    one of :data:`LR_GRID`). Each setting trains ``steps`` full-batch gradient
    steps from the same seeded initialisation and is cached by the model
    (``explorer.model``, a :class:`BackpropExplorerModel`): the first visit of
    an (n, η) pair trains the networks for every λ on the slider at once
    (:func:`tlearn.widgets.train_two_layer_grid`, all 27 stacked in one loop:
    about 0.5–1 s on a quiet 2-core machine, announced in the status line
    above the figure while it runs), so λ moves are cache hits, blitted over
    a cached picture of everything λ does not change; moving back to an
    (n, η, λ) already shown re-sends its picture. Panels: the data, the truth
    and the network's fit; each hidden unit's output tanh(w x + b) scaled by its outgoing weight (their
    sum plus b2 is the fit); training objective and test loss against the
    step, with the noise floor σ²/2. The summary line gives the losses and
    the slider λ with the lowest test loss.
    """
    model = BackpropExplorerModel(n_hidden=check_int(n_hidden, "n_hidden", 1, 1000),
                                  steps=check_int(steps, "steps", 1, 1_000_000),
                                  noise=check_real(noise, "noise", minimum=0), seed=check_int(seed, "seed", 0),
                                  n_max=check_int(n_max, "n_max", 3, 100_000))
    controls = {
        "lam": lam_slider(lam),
        "n": int_slider(n, 3, n_max, "n", continuous_update=False),
        "lr": W.SelectionSlider(options=[(f"{v:g}", v) for v in LR_GRID], value=check_choice(lr, "lr", LR_GRID),
                                description=ETA, continuous_update=False),
    }
    controls["lam"].continuous_update = False  # each setting re-trains: update on release
    controls["lr"].add_class("tlearn-lr")
    art = _figure(model, n)

    holder = {}

    def compute(v):
        return _announced(holder.get("status"), model, v, lambda: _draw(art, model, v))

    # Every control changes only the moving artists (in drawing order: the points stay on top, as in a
    # full draw); they are blitted over one background (axes, legend, truth), drawn once.
    explorer = assemble(controls, art.fig, compute, title=f"Backprop: a 1-{n_hidden}-1 tanh network trained live",
                        fast=(art.moving, lambda v: None))
    explorer.model, explorer.artists = model, art
    holder["status"] = explorer.status
    return explorer


def _announced(status, model, v, draw):
    """``draw()``, with the status line saying so while a first visit of (n, η) trains (synchronously)."""
    fresh, t0 = not model.trained(v["lam"], v["n"], v["lr"]), time.perf_counter()
    if fresh and status is not None:
        status.value = (f"training {len(LAM_GRID)} networks (every slider {LAMBDA}) for n = {v['n']}, "
                        f"{ETA} = {v['lr']:g} \N{HORIZONTAL ELLIPSIS}")
    text = draw()
    if fresh and status is not None:
        status.value = f"trained in {time.perf_counter() - t0:.1f} s; cached from now on"
    return text


def _figure(model, n):
    fig, axes = new_figure(1, 3, figsize=(11.0, 3.5))
    ax_fit, ax_hid, ax_loss = axes[0]
    grid = model.grid
    a = SimpleNamespace(fig=fig, ax_fit=ax_fit, ax_hid=ax_hid, ax_loss=ax_loss)
    ax_fit.plot(grid, model.target(grid), color="0.6", lw=1.5, label="truth sin 3x")
    a.points = ax_fit.scatter(model.x[:n], model.y[:n], s=14, color="C0", zorder=3, label="training data")
    (a.fit_line,) = ax_fit.plot(grid, np.zeros_like(grid), color="C3", lw=2, label="network")
    ax_fit.set(xlim=(-1.05, 1.05), ylim=(-2.0, 2.0), xlabel="x", ylabel="y")
    a.fit_title = ax_fit.set_title("", fontsize=9)
    a.hidden_lines = [ax_hid.plot(grid, np.zeros_like(grid), lw=1, alpha=0.8)[0] for _ in range(model.n_hidden)]
    ax_hid.axhline(0, color="0.8", lw=0.8, zorder=1.5)  # under the units, in full draws and blits alike
    ax_hid.set(xlim=(-1.05, 1.05), xlabel="x")
    ax_hid.set_title("hidden units: tanh(w\u2c7c x + b\u2c7c) \u00d7 outgoing weight", fontsize=9)
    (a.train_line,) = ax_loss.plot([], [], color="C0", label="training objective (3.13)")
    (a.test_line,) = ax_loss.plot([], [], color="C3", label="test loss (3.3)")
    ax_loss.axhline(0.5 * model.noise**2, color="0.5", ls=":", lw=1, zorder=1.5, label="noise floor \u03c3\u00b2/2")
    ax_loss.set(yscale="log", xlim=(0, model.steps), ylim=(1e-2, 10.0), xlabel="gradient step")
    handles = [h for ax in (ax_fit, ax_loss) for h in ax.get_legend_handles_labels()[0]]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=7, frameon=False)
    # Every control only moves these (the hidden panel's y-axis rescales per (n, η)): all moves are blitted.
    a.moving = [a.fit_line, a.points, a.fit_title, *a.hidden_lines, moving_yaxis(ax_hid, "\N{MINUS SIGN}0.000"),
                a.train_line, a.test_line]
    return a


def _draw(a, model, v):
    lam, n, lr = v["lam"], v["n"], v["lr"]
    params, hist = model.train(lam, n, lr)
    fit, contrib = model.curve(lam, n, lr)
    a.fit_line.set_ydata(fit)
    a.points.set_offsets(np.column_stack([model.x[:n], model.y[:n]]))
    for j, line in enumerate(a.hidden_lines):
        line.set_ydata(contrib[:, j])
    top = model.hidden_scale(n, lr)
    a.ax_hid.set_ylim(-top, top)
    a.train_line.set_data(hist["step"], hist["loss"])
    a.test_line.set_data(hist["step"], hist["val_loss"])
    if hist["diverged"]:
        a.fit_title.set_text(f"{ETA} = {lr:g}: gradient descent diverged")
        return (f"\N{WARNING SIGN} {ETA} = {lr:g} diverged after {hist['steps_done']} steps (n = {n}, "
                f"{LAMBDA} = {lam_label(lam)}): the loss blew up. Lower the learning rate.")
    a.fit_title.set_text(f"n = {n} samples, {LAMBDA} = {lam_label(lam)}")
    best = model.best_lam(n, lr)
    return (f"n = {n}, {LAMBDA} = {lam_label(lam)}, {ETA} = {lr:g}: training objective {hist['loss'][-1]:.4f}, "
            f"test loss {hist['val_loss'][-1]:.4f} after {model.steps} steps; lowest test loss on the slider at "
            f"{LAMBDA} = {lam_label(best[0])} ({best[1]:.4f})")


class LossMonitor:
    """Progress bar + live loss curve for ``MLP.fit(..., callback=monitor)``.

    ``monitor(epoch, history)`` advances the bar, writes the latest losses and
    redraws the curve of ``history["loss"]`` (and ``"val_loss"`` if present)
    every ``redraw_every`` epochs and at the last one. Display ``monitor`` (or
    ``monitor.widget``) before calling ``fit``.
    """

    def __init__(self, epochs, redraw_every=1, title="training"):
        self.epochs = int(epochs)
        self.redraw_every = max(int(redraw_every), 1)
        self.progress = W.IntProgress(value=0, min=0, max=self.epochs, description="epoch")
        self.progress.add_class("tlearn-progress")
        self.label = W.HTML(value="")
        self.label.add_class("tlearn-status")
        self.fig, axes = new_figure(1, 1, figsize=(5.0, 2.6))
        self.ax = axes[0, 0]
        (self.train_line,) = self.ax.plot([], [], color="C0", label="training loss")
        (self.val_line,) = self.ax.plot([], [], color="C3", label="validation loss")
        self.ax.set(xlim=(1, max(self.epochs, 2)), ylim=(1e-2, 1.0), yscale="log", xlabel="epoch", title=title)
        self.ax.legend(fontsize=7, loc="upper right")
        self.image = W.Image(format="png", value=render_png(self.fig))
        self.image.add_class("tlearn-figure")
        self.widget = W.VBox([W.HBox([self.progress, self.label]), self.image])
        self.widget.add_class("tlearn-monitor")

    def __call__(self, epoch, history):
        e = epoch + 1
        self.progress.value = min(e, self.epochs)
        parts = [f"epoch {e}/{self.epochs}", f"loss {history['loss'][-1]:.4f}"]
        if history.get("val_loss"):
            parts.append(f"val loss {history['val_loss'][-1]:.4f}")
        if history.get("val_accuracy"):
            parts.append(f"val accuracy {history['val_accuracy'][-1]:.3f}")
        self.label.value = " \u00b7 ".join(parts)
        if e % self.redraw_every == 0 or e >= self.epochs:
            self.redraw(history)

    def redraw(self, history):
        """Put the whole history on the curve and re-render the image."""
        curves = [(self.train_line, history.get("loss", []))]
        if history.get("val_loss"):
            curves.append((self.val_line, history["val_loss"]))
        values = []
        for line, ys in curves:
            line.set_data(np.arange(1, len(ys) + 1), ys)
            values += [y for y in ys if np.isfinite(y) and y > 0]
        if values:
            self.ax.set_ylim(0.8 * min(values), 1.25 * max(values))
        self.image.value = render_png(self.fig)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
