"""Slides: chapter 1 presented with jupyterlab-rise, the explorer live on its slide.

Chapter 1 is run in JupyterLab and saved (so the outputs reference the live widgets), then
opened as a Reveal slideshow at ``/rise/<notebook>`` (what *View -> Render as Reveal
Slideshow* / Alt+R shows). The presenter steps forward with the arrow key until the slide
holding the explorer is shown, drags its λ slider with the mouse, and the figure the kernel
sends back changes on the slide.

The slideshow opens the notebook's existing kernel session, and its widget manager restores the
live widgets from that kernel, so the explorer is live on its slide without running anything
there. This needs the widget manager pinned in binder/requirements.txt (jupyterlab_widgets
3.0.10): from 3.0.11 on it needs ``@jupyterlab/console``, which the RISE 0.43.1 app lacks, so it
fails to load ("Exception opening new comm") and the explorer is text (``VBox(...)``) --
tests/test_rise_widgets.py checks that without a browser. The test fails with the widget
manager's load error from the console in that case.
"""
from __future__ import annotations

import time

import pytest
from test_keyboard import CHAPTER, _run_chapter
from test_lab_and_voila import figure_digest, menu, readout, wait_figure_change

pytestmark = pytest.mark.browser

MAX_SLIDES = 150
DRAG_PX = 60  # a few grid steps of the 420 px λ slider
EXPLORER_SHOWN = """() => [...document.querySelectorAll('.reveal .slides section.present .tlearn-explorer')]
    .some(e => e.getBoundingClientRect().height > 0 && e.querySelector('.tlearn-lam'))"""
# the explorer's cell is on the current slide
EXPLORER_CELL = """() => [...document.querySelectorAll('.reveal .slides section.present .jp-CodeCell')]
    .some(c => /ridge_explorer/.test(c.innerText))"""


#: Stylesheets RISE looks for beside the notebook, for a lecturer's own slide style; absent by default.
OPTIONAL_CSS = ("/rise.css", f"/{CHAPTER.rsplit('.', 1)[0]}.css")
MATH_TYPESET = "() => document.querySelectorAll('.reveal .slides mjx-container').length"


def _assert_offline_with_typeset_math(page):
    """The slideshow's requests all succeed and its equations are typeset.

    jupyterlab-rise's page config names a MathJax 2 URL on a CDN (``fullMathjaxUrl``), but the
    slideshow typesets with the MathJax 3 in its own static files, so the equations render on a
    hub without internet access. Its default Reveal theme ("simple") imports Google Fonts; the
    chapters choose "white" (notebook metadata ``rise.theme``), whose fonts are bundled. The
    ``page`` fixture fails the test if any request leaves the local server.
    """
    bad = [r for r in page.bad_responses if not (r.startswith("404 ") and r.split("?")[0].endswith(OPTIONAL_CSS))]
    assert not bad, f"failed requests on the slideshow: {bad[:5]}"
    assert page.evaluate(MATH_TYPESET) > 0, "no equation on the slides was typeset by MathJax"


def test_chapter_as_slideshow_explorer_slide_redraws(jupyter_lab, page):
    try:
        _run_chapter(page, jupyter_lab)
        before = jupyter_lab.api(f"/api/contents/{CHAPTER}?content=0")["last_modified"]
        menu(page, "File", "Save Notebook")
        deadline = time.monotonic() + 30
        while jupyter_lab.api(f"/api/contents/{CHAPTER}?content=0")["last_modified"] == before:
            assert time.monotonic() < deadline, "the notebook was not saved"
            time.sleep(0.3)
        page.goto(f"{jupyter_lab.url}/rise/{CHAPTER}?token={jupyter_lab.token}", timeout=60_000)
        page.locator(".reveal .slides section").first.wait_for(timeout=90_000)
        page.wait_for_timeout(2000)
        steps = 0
        while not page.evaluate(EXPLORER_CELL):
            assert steps < MAX_SLIDES, f"no slide with the explorer after {MAX_SLIDES} steps"
            page.keyboard.press("Space")
            page.wait_for_timeout(150)
            steps += 1
        # no re-run on the slide: the slideshow restores the live widgets from the notebook's kernel
        try:
            page.wait_for_function(EXPLORER_SHOWN, timeout=60_000)
        except Exception:
            widget_errors = [m for m in page.console_messages_seen
                             if "jupyter-widgets" in m or "comm" in m or "shared scope" in m]
            pytest.fail(f"slide {steps}: the explorer is not live on its slide (text instead of widgets); "
                        f"console: {widget_errors[-8:]}", pytrace=False)
        explorer = page.locator(".reveal .slides section.present .tlearn-explorer:has(.tlearn-lam)").first
        img = explorer.locator("img.tlearn-figure")
        img.wait_for(state="visible", timeout=90_000)
        lam = explorer.locator(".tlearn-lam")
        value0, digest0 = readout(lam), figure_digest(img)
        assert digest0, "the explorer's slide shows no figure"
        # with the mouse: in the slideshow the arrow keys also turn the slide (Reveal.js listens on the page)
        box = lam.locator(".noUi-handle").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + (-DRAG_PX if value0 == "\N{INFINITY}" else DRAG_PX), y, steps=6)
        page.mouse.up()
        page.wait_for_function("([el, v]) => el.textContent.trim() !== v",
                               arg=[lam.locator(".widget-readout").element_handle(), value0], timeout=10_000)
        wait_figure_change(page, img, digest0, f"slide {steps}: λ {value0} -> {readout(lam)}")
        assert page.evaluate(EXPLORER_SHOWN), "moving the slider left the explorer's slide"
        _assert_offline_with_typeset_math(page)
    finally:
        jupyter_lab.shutdown_sessions()
