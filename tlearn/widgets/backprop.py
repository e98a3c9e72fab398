"""The backprop chapter's live views (notebook 03).

* :func:`backprop_explorer` -- re-trains a tiny tanh network on a noisy 1-D
  curve by full-batch gradient descent (:func:`tlearn.backprop.train_two_layer`)
  whenever weight decay λ, the number of training samples n or the learning
  rate η moves; shows the fit, what each hidden unit computes, and the losses.
* :class:`LossMonitor` -- a progress bar and a loss curve redrawn by
  ``MLP.fit(..., callback=monitor)`` after every epoch.
"""
from __future__ import annotations

import numpy as np
import ipywidgets as W

from ..backprop import _train_two_layer_lams, train_two_layer, two_layer_forward
from ._common import assemble, lam_label, lam_slider, new_figure, render_png

__all__ = ["backprop_explorer", "LossMonitor", "LR_GRID"]

#: learning rates offered by the η slider (the largest one diverges on purpose).
LR_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def _target(x):
    return np.sin(3.0 * x)


def _curve_data(n_max, n_test, noise, seed):
    """A pool of n_max noisy training points (the first n are used) and a noisy test set."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n_max)
    y = _target(x) + noise * rng.standard_normal(n_max)
    x_test = rng.uniform(-1.0, 1.0, n_test)
    y_test = _target(x_test) + noise * rng.standard_normal(n_test)
    return x, y, x_test, y_test


def backprop_explorer(n=10, lam=0.0, lr=0.1, n_hidden=16, steps=2000, noise=0.3, seed=0, n_max=60):
    r"""Train a 1-16-1 tanh network live on y = sin 3x + noise.

    Controls: ``"lam"`` (weight decay λ of Eq. (3.13) of notebook 03, from 0 to ∞),
    ``"n"`` (training samples, nested: more samples add points), ``"lr"`` (the
    step size η of Eq. (3.14)). Each setting trains ``steps`` full-batch gradient
    steps from the same seeded initialisation and is cached: the first visit of
    an (n, η) pair trains the networks for every λ on the slider at once (one
    vectorised loop), so λ moves are cache hits, blitted over a cached picture
    of everything λ does not change (axis limits are set per (n, η)). Panels: the data,
    the truth and the network's fit; each hidden unit's output tanh(w x + b)
    scaled by its outgoing weight (their sum plus b2 is the fit); training
    objective and test loss against the step, with the noise floor σ²/2.
    """
    x_pool, y_pool, x_test, y_test = _curve_data(n_max, 200, noise, seed)
    grid = np.linspace(-1.0, 1.0, 200)
    controls = {
        "lam": lam_slider(lam),
        "n": W.IntSlider(value=n, min=3, max=n_max, step=1, description="n", continuous_update=False),
        "lr": W.SelectionSlider(options=[(f"{v:g}", v) for v in LR_GRID], value=lr, description="\N{GREEK SMALL LETTER ETA}",
                                continuous_update=False),
    }
    controls["lam"].continuous_update = False  # each setting re-trains: update on release
    controls["n"].add_class("tlearn-n")
    controls["lr"].add_class("tlearn-lr")
    fig, axes = new_figure(1, 3, figsize=(11.0, 3.3))
    ax_fit, ax_hid, ax_loss = axes[0]

    ax_fit.plot(grid, _target(grid), color="0.6", lw=1.5, label="truth sin 3x")
    pts = ax_fit.scatter(x_pool[:n], y_pool[:n], s=14, color="C0", zorder=3, label="training data")
    (fit_line,) = ax_fit.plot(grid, np.zeros_like(grid), color="C3", lw=2, label="network")
    ax_fit.set(xlim=(-1.05, 1.05), ylim=(-2.0, 2.0), xlabel="x", ylabel="y")
    fit_title = ax_fit.set_title("", fontsize=9)
    fit_legend = ax_fit.legend(fontsize=7, loc="lower right")
    hid_lines = [ax_hid.plot(grid, np.zeros_like(grid), lw=1, alpha=0.8)[0] for _ in range(n_hidden)]
    ax_hid.axhline(0, color="0.8", lw=0.8, zorder=1.5)  # under the units, in full draws and blits alike
    ax_hid.set(xlim=(-1.05, 1.05), xlabel="x", title="hidden units: tanh(w\u2c7c x + b\u2c7c) \u00d7 outgoing weight")
    ax_hid.title.set_fontsize(9)
    (train_line,) = ax_loss.plot([], [], color="C0", label="training objective (3.13)")
    (test_line,) = ax_loss.plot([], [], color="C3", label="test loss (3.3)")
    ax_loss.axhline(0.5 * noise**2, color="0.5", ls=":", lw=1, zorder=1.5, label="noise floor \u03c3\u00b2/2")
    ax_loss.set(yscale="log", xlim=(0, steps), ylim=(1e-2, 10.0), xlabel="gradient step")
    loss_legend = ax_loss.legend(fontsize=7, loc="upper right")
    lam_grid = [float(g) for _, g in controls["lam"].options]
    cache = {}  # (λ, n, η) -> (params, history)
    curves = {}  # (λ, n, η) -> (fit, hidden contributions) on the grid
    hid_top = {}  # (n, η) -> the hidden panel's scale, over every λ on the slider
    status = {"widget": None, "text": ""}
    fit_kw = dict(n_hidden=n_hidden, steps=steps, seed=seed, X_val=x_test[:, None], y_val=y_test,
                  log_every=max(steps // 100, 1))

    def train(lam_v, n_v, lr_v):
        key = (float(lam_v), int(n_v), float(lr_v))
        if key not in cache:
            kw = dict(fit_kw, lr=float(lr_v))
            if key[0] in lam_grid:  # a new (n, η): every λ on the slider in one vectorised loop
                for g, result in zip(lam_grid, _train_two_layer_lams(x_pool[:n_v, None], y_pool[:n_v], lam_grid, **kw)):
                    cache.setdefault((g, key[1], key[2]), result)
            else:
                cache[key] = train_two_layer(x_pool[:n_v, None], y_pool[:n_v], lam=lam_v, **kw)
        return cache[key]

    def curve(lam_v, n_v, lr_v):
        key = (float(lam_v), int(n_v), float(lr_v))
        if key not in curves:
            params, hist = train(*key)
            if hist["diverged"]:
                curves[key] = np.full(grid.size, np.nan), np.full((grid.size, n_hidden), np.nan)
            else:
                out, c = two_layer_forward(grid[:, None], *params)
                curves[key] = out[:, 0], c["H"] * params[2][:, 0]  # unit j's share of the output
        return curves[key]

    def hidden_scale(n_v, lr_v):
        """One scale for every λ of a setting, so that a λ move leaves the axes alone."""
        key = (int(n_v), float(lr_v))
        if key not in hid_top:
            tops = [np.nanmax(np.abs(c)) for c in (curve(g, *key)[1] for g in lam_grid) if np.isfinite(c).any()]
            hid_top[key] = 1.1 * max(max(tops, default=1.0), 0.1)
        return hid_top[key]

    def compute(v):
        params, hist = train(v["lam"], v["n"], v["lr"])
        fit, contrib = curve(v["lam"], v["n"], v["lr"])
        fit_line.set_ydata(fit)
        pts.set_offsets(np.column_stack([x_pool[: v["n"]], y_pool[: v["n"]]]))
        for j, line in enumerate(hid_lines):
            line.set_ydata(contrib[:, j])
        top = hidden_scale(v["n"], v["lr"])
        ax_hid.set_ylim(-top, top)
        train_line.set_data(hist["step"], hist["loss"])
        test_line.set_data(hist["step"], hist["val_loss"])
        lam_s = lam_label(v["lam"])
        if hist["diverged"]:
            msg = (f"\N{WARNING SIGN} \u03b7 = {v['lr']:g} diverged after {hist['steps_done']} "
                   "steps: the loss blew up. Lower the learning rate.")
        else:
            msg = (f"n = {v['n']}, \u03bb = {lam_s}, \u03b7 = {v['lr']:g}: training objective "
                   f"{hist['loss'][-1]:.4f}, test loss {hist['val_loss'][-1]:.4f} after {steps} steps")
        status["text"] = msg
        if status["widget"] is not None:
            status["widget"].value = msg
        fit_title.set_text(f"n = {v['n']} samples, \u03bb = {lam_s}" if not hist["diverged"]
                           else f"\u03b7 = {v['lr']:g}: gradient descent diverged")

    # A λ move changes only these artists (in drawing order: the points and legends stay on top,
    # as in a full draw); they are blitted over a background cached per (n, η).
    moving = [fit_line, pts, fit_legend, fit_title, *hid_lines, train_line, test_line, loss_legend]
    explorer = assemble(controls, fig, compute, title=f"Backprop: a 1-{n_hidden}-1 tanh network trained live",
                        fast=(moving, lambda v: (v["n"], v["lr"])))
    status["widget"] = explorer.state["status"]  # assemble drew once already: show that status
    status["widget"].value = status["text"]
    explorer.state.update(cache=cache, train=train, data=(x_pool, y_pool, x_test, y_test), grid=grid,
                          fit_line=fit_line, hidden_lines=hid_lines, points=pts,
                          train_line=train_line, test_line=test_line)
    return explorer


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
