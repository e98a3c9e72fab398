"""Test set-up: a non-interactive matplotlib backend for unit tests.

Notebook kernels started by nbval are separate processes and keep their own
(inline) backend, so their committed outputs stay as a reader sees them.
"""
import matplotlib

matplotlib.use("Agg")


import io

import numpy as np
import pytest


def _pixels(png):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


@pytest.fixture
def blit_vs_full():
    """``f(explorer) -> (blitted, full)``: the explorer's current (blitted) picture and a full
    render of the same state, as RGB int arrays; the explorer is restored afterwards."""
    from tlearn.widgets import render_png

    def compare(explorer, fresh=None):
        """``fresh`` (optional): a newly built explorer at the same values, whose full render is the reference."""
        blit = _pixels(explorer.image.value)
        reference = explorer if fresh is None else fresh
        animated = reference.blitter.artists + reference.blitter.layer
        try:
            for a in animated:
                a.set_animated(False)
            full = _pixels(render_png(reference.fig))
        finally:
            for a in animated:
                a.set_animated(True)
            reference.update()
        assert blit.shape == full.shape
        return blit, full

    return compare


@pytest.fixture
def blit_vs_fresh(blit_vs_full):
    """``f(explorer, factory, **moves) -> (blitted, full)``: set the controls ``moves`` one by one, assert that each
    move reused the cached background (a blit, not a silent full draw) and that the frame cache did not answer,
    then return the blitted picture and the full render of ``factory(**values)``, a freshly built explorer at the
    same control values (``factory`` maps the controls' values to its arguments)."""

    def compare(explorer, factory, **moves):
        frames, explorer.frames = explorer.frames, None  # every move is drawn, none re-sent
        try:
            for name, value in moves.items():
                background = explorer.blitter.background
                explorer.controls[name].value = value
                assert explorer.controls[name].value == value
                assert explorer.blitter.background is background, f"moving {name!r} redrew the background"
        finally:
            explorer.frames = frames
        values = {name: c.value for name, c in explorer.controls.items()}
        return blit_vs_full(explorer, fresh=factory(values))

    return compare


@pytest.fixture
def yaxis_fits():
    """``f(fig)``: assert that in every panel each y tick label lies between the axis label and the panel, and the
    axis label inside the figure -- a layout measured once still fits the current ranges."""

    def extent(artist):
        return artist.get_window_extent(artist.figure.canvas.get_renderer())

    def check(fig):
        for ax in fig.axes:
            if not ax.yaxis.label.get_text():
                continue
            label, panel = extent(ax.yaxis.label), extent(ax.patch)
            assert 0 <= label.x0 and label.x1 <= fig.bbox.width
            lo, hi = sorted(ax.get_ylim())
            for t in ax.yaxis.get_ticklabels():
                if t.get_visible() and t.get_text() and lo <= t.get_position()[1] <= hi:
                    box = extent(t)
                    if ax.yaxis.get_label_position() == "right":  # a twin axis: panel, tick labels, axis label
                        assert panel.x1 <= box.x0 and box.x1 <= label.x0, (ax.get_ylabel(), t.get_text())
                    else:
                        assert label.x1 <= box.x0 and box.x1 <= panel.x0, (ax.get_ylabel(), t.get_text())

    return check
