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
import io
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import ipywidgets as W
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.transforms import ScaledTranslation

from .._validation import check_int, check_lam, check_option, check_real

from ._models import LAM_AXIS_ENDS, LAM_GRID, snap_lam

__all__ = ["Explorer", "Blitter", "assemble", "nice_top", "moving_yaxis", "lam_to_x", "lam_axis", "LAM_AXIS_ENDS", "new_figure", "lam_slider",
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

    Blitted explorers put the top in their background key, so a move that
    keeps it (most moves) redraws only the moving artists.
    """
    scale = 10.0 ** np.floor(np.log10(value))
    return float(scale * _LADDER[np.searchsorted(_LADDER, value / scale * (1 - 1e-12))])


def moving_yaxis(ax, widest="\N{MINUS SIGN}0.00"):
    """Let ``ax``'s y-axis (limits, ticks, labels) follow the data as a blitted artist; returns it.

    The background then holds nothing that depends on the y-range, so a move
    that rescales the panel is still a blit. The layout (measured once) must
    not depend on the range either: an invisible tick label ``widest`` (the
    widest one can be) reserves the room and the axis label is pinned just
    past it, so nothing overlaps and a fresh figure at any setting is laid
    out alike.
    """
    size = ax.yaxis.get_ticklabels()[0].get_fontsize()
    width = TextToPath().get_text_width_height_descent(widest, FontProperties(size=size), ismath=False)[0]
    tick = ax.yaxis.get_major_ticks()[0]
    pad = tick.get_tick_padding() + tick.get_pad()  # points from the spine to a tick label, as matplotlib has it
    side = 1.0 if ax.yaxis.get_label_position() == "right" else 0.0  # a twinx axis has its labels on the right
    shift = lambda points: ax.transAxes + ScaledTranslation(  # noqa: E731
        (2 * side - 1) * points / 72, 0, ax.figure.dpi_scale_trans)
    ax.text(side, 0.5, widest, transform=shift(pad), ha="left" if side else "right", va="center", fontsize=size,
            alpha=0.0)
    ax.yaxis.set_label_coords(side, 0.5, transform=shift(pad + width + ax.yaxis.labelpad))
    return ax.yaxis


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


def _encode(fig):
    """PNG bytes of what is on the figure's Agg canvas now (lightly compressed)."""
    canvas = fig.canvas
    width, height = canvas.get_width_height(physical=True)
    image = PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    if to_rgba(fig.get_facecolor())[3] == 1.0:  # an opaque figure: every pixel is opaque
        image = image.convert("RGB")  # same picture, 10% smaller and faster to encode
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _freeze_layout(fig):
    if fig.get_layout_engine() is not None and not getattr(fig, "_tlearn_frozen", False):
        fig.set_layout_engine("none")
        fig._tlearn_frozen = True


def render_png(fig):
    """The figure as PNG bytes (one Agg draw; fast, lightly compressed PNG).

    The first render runs the constrained layout; after it the layout is
    frozen so that slider updates only redraw artists. Draws on the canvas and
    encodes its RGBA buffer directly: ``fig.savefig`` would add a second,
    dry-run draw on every call for a figure that has (or had) a layout engine.
    """
    if isinstance(fig.canvas, FigureCanvasAgg):
        fig.canvas.draw()  # runs the layout engine, if any, before drawing
        png = _encode(fig)
    else:  # a figure on another backend's canvas: let matplotlib pick the renderer
        buf = io.BytesIO()
        fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
        png = buf.getvalue()
    _freeze_layout(fig)
    return png


def relayout(fig, layouts, key):
    """Lay ``fig`` out for ``key``: the constrained layout the first time, its cached result afterwards.

    Limits (hence tick labels) change with the slow controls, so a layout frozen
    after the first draw would let labels overlap or leave the canvas. The
    layout is re-run once per key and the axes positions it found are cached.
    """
    if key in layouts:
        for ax, pos in zip(fig.axes, layouts[key]):
            ax.set_position(pos)
        return False
    fig.set_layout_engine("constrained")
    fig._tlearn_frozen = False
    fig.canvas.draw()  # runs the layout, then draws
    layouts[key] = [ax.get_position() for ax in fig.axes]
    _freeze_layout(fig)
    return True


class Blitter:
    """Redraw only the artists that move, over a cached background.

    ``artists`` are the artists a control changes on every move (a marker, a
    fitted line); everything else (axes, ticks, curves that depend only on the
    "slow" controls) is drawn once per ``key`` and cached as a bitmap. A new
    key -- e.g. a new sample size -- triggers one full draw, laid out anew
    (:func:`relayout`).
    """

    def __init__(self, artists):
        self.artists = list(artists)
        for a in self.artists:
            a.set_animated(True)  # excluded from full draws; drawn on top by draw_artist
        self._bg = None
        self._key = object()
        self.layouts = {}

    def show(self, fig, key):
        """Put ``fig`` in ``key``'s layout without drawing (its frame was cached); the next render redraws."""
        if key != self._key:
            if key in self.layouts:
                relayout(fig, self.layouts, key)
            self._bg = None

    def render(self, fig, key):
        canvas = fig.canvas
        if key != self._key or self._bg is None:
            if not relayout(fig, self.layouts, key):
                canvas.draw()  # everything static (the layout draw above already did)
            self._bg = canvas.copy_from_bbox(fig.bbox)
            self._key = key
        else:
            canvas.restore_region(self._bg)
        for a in self.artists:
            fig.draw_artist(a)
        return _encode(fig)


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
    state: dict = field(default_factory=dict)
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
    they are redrawn over a cached background; a new key redraws everything.
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
        artists, key_fn = fast
        explorer.blitter = Blitter(artists)

    def update(*_):
        values = {name: c.value for name, c in explorer.controls.items()}
        text = compute(values)
        if isinstance(text, str):
            explorer.summary_text = text
            summary.value = f'<div role="status" aria-live="polite">{html.escape(text)}</div>'
        explorer.redraw(None if key_fn is None else key_fn(values), frame=tuple(values.items()))

    explorer.update = update
    explorer.state["status"] = status
    explorer.status = status
    for c in controls.values():
        c.observe(update, names="value")
    update()
    return explorer
