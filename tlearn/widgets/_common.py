"""What every explorer shares: the Explorer record, the λ slider, figure rendering.

An explorer is a thin view over the pure functions in :mod:`tlearn`. Its figure
is a plain :class:`matplotlib.figure.Figure` (no pyplot state, no GUI backend),
rendered to PNG into an :class:`ipywidgets.Image`. Because the picture lives in
the widget state, it works the same in JupyterLab, Voilà, and a static HTML
export (which keeps the last image visible without a kernel).

Moving a control updates the figure's artists in place (``set_data``,
``set_ydata`` ...) and re-renders; the figure is never rebuilt.
"""
from __future__ import annotations

import html
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

import numpy as np
import ipywidgets as W
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._validation import check_int, check_lam, check_option, check_real

from ._blit import Blitter, in_drawing_order, moving_yaxis, relayout, render_png
from ._models import LAM_AXIS_ENDS, LAM_GRID, snap_lam

__all__ = ["Explorer", "Blitter", "assemble", "nice_top", "moving_yaxis", "in_drawing_order", "relayout",
           "lam_to_x", "lam_axis", "LAM_AXIS_ENDS", "new_figure", "lam_slider",
           "lam_label", "render_png", "LAM_GRID", "int_slider", "float_slider", "check_choice"]


def lam_to_x(lam):
    """Plot position of λ on a log axis: 0 and ∞ are pinned to the ends of :data:`LAM_AXIS_ENDS`."""
    lo, hi = LAM_AXIS_ENDS
    lam = np.asarray(lam, dtype=float)
    return np.where(lam == 0, lo, np.where(np.isinf(lam), hi, lam))


def lam_axis(ax):
    """Make ``ax``'s x axis a log λ axis whose end ticks read 0 and ∞."""
    lo, hi = LAM_AXIS_ENDS
    ax.set_xscale("log")
    ax.set_xlim(lo / 2, hi * 2)
    ax.set_xticks([lo, 1e-2, 1, 1e2, hi], ["0", "0.01", "1", "100", "\N{INFINITY}"])
    ax.set_xlabel("\N{GREEK SMALL LETTER LAMDA}")


#: Tops an axis may take (× a power of ten): what it shows always fills more than 60 % of it.
_LADDER = np.array([1.0, 1.25, 1.6, 2.0, 2.5, 3.2, 4.0, 5.0, 6.3, 8.0, 10.0])


def nice_top(value):
    """The smallest ladder value ≥ ``value`` (> 0): an axis top that many nearby values share.

    Round tops give round ticks, and many nearby values share one axis.
    """
    scale = 10.0 ** np.floor(np.log10(value))
    return float(scale * _LADDER[np.searchsorted(_LADDER, value / scale * (1 - 1e-12))])


def lam_label(lam):
    """How λ is written on a slider: ``0``, ``∞`` or three significant digits."""
    if lam == 0:
        return "0"
    if np.isinf(lam):
        return "\N{INFINITY}"
    return f"{lam:.3g}"


def lam_slider(value=1.0, grid=LAM_GRID, description="\N{GREEK SMALL LETTER LAMDA}", css="tlearn-lam"):
    """A log-scale selection slider over ``grid`` whose ``.value`` is λ itself.

    Its options include the two limits λ = 0 and λ = ∞; ``value`` (any λ ≥ 0,
    ``np.inf`` allowed; checked) is snapped to the nearest grid point in log10 λ.
    """
    value = check_lam(value, "lam", allow_inf=True)
    grid = [float(g) for g in grid]
    value = snap_lam(value, grid)
    slider = W.SelectionSlider(
        options=[(lam_label(g), g) for g in grid],
        value=value,
        description=description,
        continuous_update=True,
        layout=W.Layout(width="420px"),
    )
    slider.add_class(css)
    return slider


def int_slider(value, minimum, maximum, name, description=None, continuous_update=True):
    """An integer slider ``name`` on [minimum, maximum] (CSS class ``tlearn-<name>``); ``value`` is checked."""
    value = check_int(value, name, minimum, maximum)
    slider = W.IntSlider(value=value, min=minimum, max=maximum, step=1, description=description or name,
                         continuous_update=continuous_update)
    slider.add_class(f"tlearn-{name}")
    return slider


def float_slider(value, minimum, maximum, step, name, description=None):
    """A float slider ``name`` on [minimum, maximum] in steps of ``step`` (CSS class ``tlearn-<name>``).

    ``value`` is checked (a real number in range) and snapped to the nearest step.
    """
    value = check_real(value, name, minimum, maximum)
    value = round(minimum + round((value - minimum) / step) * step, 10)
    slider = W.FloatSlider(value=value, min=minimum, max=maximum, step=step, description=description or name,
                           continuous_update=True)
    slider.add_class(f"tlearn-{name}")
    return slider


def check_choice(value, name, options):
    """A value from a fixed set of slider options (e.g. learning rates), refused otherwise."""
    for o in options:
        if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool) and value == o:
            return o
    return check_option(value, name, options)  # raises, listing the options


def new_figure(nrows=1, ncols=1, figsize=(9.0, 3.2), **subplot_kw):
    """A Figure on the Agg canvas with a grid of axes (no pyplot involved)."""
    fig = Figure(figsize=figsize, dpi=90, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, subplot_kw=subplot_kw or None)
    return fig, axes


class FrameCache:
    """The last ``size`` rendered frames (PNG bytes), keyed by every control's value.

    A frame is a pure function of the controls (the models are seeded and cache
    their draws), so moving back to a state already shown re-sends its PNG
    instead of drawing it again. ``compute`` still runs, so the artists, the
    summary and the model stay in step with the controls.
    """

    def __init__(self, size=64):
        self.size = size
        self._frames = OrderedDict()

    def get(self, key):
        png = self._frames.get(key)
        if png is not None:
            self._frames.move_to_end(key)
        return png

    def put(self, key, png):
        self._frames[key] = png
        self._frames.move_to_end(key)
        while len(self._frames) > self.size:
            self._frames.popitem(last=False)


@dataclass
class Explorer:
    """An interactive view: ``widget`` to display, ``controls`` by name, ``fig``.

    ``update()`` recomputes and redraws; it is called by every control's
    observer, synchronously, so after ``controls["lam"].value = ...`` the
    figure (and ``image``) already show the new state.
    """

    widget: W.Widget
    controls: dict
    fig: Figure
    image: W.Image
    update: Callable[[], None]
    blitter: Blitter | None = None
    summary: W.HTML | None = None
    model: object = None
    artists: object = None
    status: W.HTML | None = None
    summary_text: str = ""
    frames: FrameCache | None = None

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def redraw(self, key=None, frame=None):
        """Re-render the figure into the image widget (blitting when ``key`` is unchanged).

        ``frame`` (the values of all controls) looks the picture up in
        :attr:`frames` first; a state shown before is not drawn again.
        """
        png = None if frame is None or self.frames is None else self.frames.get(frame)
        if png is None:
            if self.blitter is not None and isinstance(self.fig.canvas, FigureCanvasAgg):
                png = self.blitter.render(self.fig, key)
            else:
                png = render_png(self.fig)
            if frame is not None and self.frames is not None:
                self.frames.put(frame, png)
        elif self.blitter is not None:
            self.blitter.show(self.fig, key)
        self.image.value = png


def assemble(controls, fig, compute, title=None, extra=None, css="tlearn-explorer", fast=None):
    """Wire ``controls`` to ``compute`` and lay out controls above the figure.

    ``compute(values: dict)`` must update the figure's artists in place; if it
    returns a string, that sentence becomes the live summary under the figure
    (``explorer.summary``, CSS class ``tlearn-summary``, announced by screen
    readers). Returns an :class:`Explorer` already drawn once.

    ``fast=(artists, key)`` turns on blitting: ``artists`` are the only ones
    that change while ``key(values)`` stays the same (e.g. a λ move), so only
    they are redrawn over a cached background; a new key redraws everything
    -- or, with ``fast=(artists, key, layer)``, only ``layer`` (:class:`Blitter`).
    """
    image = W.Image(format="png", layout=W.Layout(max_width="100%"))
    image.add_class("tlearn-figure")
    status = W.HTML(value="")
    status.add_class("tlearn-status")
    box_children = []
    if title:
        box_children.append(W.HTML(f"<b>{title}</b>"))
    box_children.append(W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")))
    if extra is not None:
        box_children.append(extra)
    summary = W.HTML(value="")
    summary.add_class("tlearn-summary")
    box_children += [status, image, summary]
    widget = W.VBox(box_children)
    widget.add_class(css)
    explorer = Explorer(widget=widget, controls=dict(controls), fig=fig, image=image, update=lambda: None,
                        summary=summary, frames=FrameCache())
    key_fn = None
    if fast is not None:
        artists, key_fn, *layer = fast
        explorer.blitter = Blitter(artists, *layer)

    def update(*_):
        values = {name: c.value for name, c in explorer.controls.items()}
        text = compute(values)
        if isinstance(text, str):
            explorer.summary_text = text
            summary.value = f'<div role="status" aria-live="polite">{html.escape(text)}</div>'
        explorer.redraw(None if key_fn is None else key_fn(values), frame=tuple(values.items()))

    explorer.update = update
    explorer.status = status
    for c in controls.values():
        c.observe(update, names="value")
    update()
    return explorer
