"""Rendering an explorer's figure to PNG, and blitting: redraw only what moves over a cached background.

Moving a control updates the figure's artists in place and re-renders; the
artists a control moves are *animated* (left out of full draws) and drawn over
a bitmap of everything else, so a move costs the few artists it changes.
"""
from __future__ import annotations

import io
from collections import OrderedDict

import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.transforms import ScaledTranslation

__all__ = ["Blitter", "render_png", "relayout", "moving_yaxis", "in_drawing_order"]


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


def in_drawing_order(artists):
    """``artists`` sorted as a full draw stacks them: panel by panel, then by zorder, then by age.

    Blitted artists are drawn one after the other over the background; in this
    order their overlaps look exactly as in a full draw.
    """
    axes = artists[0].figure.axes

    def rank(a):
        children = a.axes.get_children()
        return axes.index(a.axes), a.get_zorder(), next(i for i, c in enumerate(children) if c is a)

    return sorted(artists, key=rank)


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

    With ``layer`` (the artists that change only with the key, e.g. the curves
    and rescaling axes of one sample size), the full draw happens once: a new
    key draws the layer over that bitmap and keeps the result (the last
    ``keep`` keys), so a move of a slow control is a blit too, and a λ move
    redraws only ``artists``.
    """

    def __init__(self, artists, layer=(), keep=8):
        self.artists, self.layer, self.keep = list(artists), list(layer), keep
        for a in self.artists + self.layer:
            a.set_animated(True)  # excluded from full draws; drawn on top by draw_artist
        self._bg = None
        self._key = object()
        self._base = None  # with a layer: the one full draw
        self._layers = OrderedDict()
        self.layouts = {}

    @property
    def background(self):
        """The bitmap of the last full draw (a move that reuses it was blitted)."""
        return self._base if self.layer else self._bg

    def show(self, fig, key):
        """Put ``fig`` in ``key``'s layout without drawing (its frame was cached); the next render redraws."""
        if key != self._key:
            if key in self.layouts and not self.layer:
                relayout(fig, self.layouts, key)
            self._bg = None

    def _layered(self, fig, key):
        canvas = fig.canvas
        if self._base is None:
            if not relayout(fig, self.layouts, None):
                canvas.draw()
            self._base = canvas.copy_from_bbox(fig.bbox)
        bg = self._layers.get(key)
        if bg is None:
            canvas.restore_region(self._base)
            for a in self.layer:
                fig.draw_artist(a)
            bg = self._layers[key] = canvas.copy_from_bbox(fig.bbox)
            while len(self._layers) > self.keep:
                self._layers.popitem(last=False)
        self._layers.move_to_end(key)
        self._bg, self._key = bg, key

    def render(self, fig, key):
        canvas = fig.canvas
        if self.layer:
            self._layered(fig, key)
            canvas.restore_region(self._bg)
        elif key != self._key or self._bg is None:
            if not relayout(fig, self.layouts, key):
                canvas.draw()  # everything static (the layout draw above already did)
            self._bg = canvas.copy_from_bbox(fig.bbox)
            self._key = key
        else:
            canvas.restore_region(self._bg)
        for a in self.artists:
            fig.draw_artist(a)
        return _encode(fig)
