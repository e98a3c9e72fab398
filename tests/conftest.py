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

    def compare(explorer):
        blit = _pixels(explorer.image.value)
        try:
            for a in explorer.blitter.artists:
                a.set_animated(False)
            full = _pixels(render_png(explorer.fig))
        finally:
            for a in explorer.blitter.artists:
                a.set_animated(True)
            explorer.update()
        assert blit.shape == full.shape
        return blit, full

    return compare
