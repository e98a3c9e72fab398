"""Slides: chapter 1 presented with jupyterlab-rise, the explorer live on its slide.

Chapter 1 is run in JupyterLab and saved (so the outputs reference the live widgets), then
opened as a Reveal slideshow at ``/rise/<notebook>`` (what *View -> Render as Reveal
Slideshow* / Alt+R shows). The presenter steps forward with the arrow key until the slide
holding the explorer is shown, moves its λ slider by keyboard, and the figure the kernel
sends back changes on the slide.

Known gap (xfail below): in this environment the slideshow shows the explorer's output as
text (``VBox(...)``), so the explorer's slide has no live widget to move.
"""
from __future__ import annotations

import pytest
from test_keyboard import CHAPTER, _run_chapter
from test_lab_and_voila import figure_digest, readout, wait_figure_change

pytestmark = pytest.mark.browser

MAX_SLIDES = 150
EXPLORER_SHOWN = """() => [...document.querySelectorAll('.reveal .slides section.present .tlearn-explorer')]
    .some(e => e.getBoundingClientRect().height > 0 && e.querySelector('.tlearn-lam'))"""


@pytest.mark.xfail(strict=True, reason=(
    "the /rise/ view renders the saved explorer output as its text/plain fallback ('VBox(...)'), "
    "not as a live widget (jupyterlab-rise 0.43.1 + ipywidgets 8.1.9 here); strict, so a fix is noticed"))
def test_chapter_as_slideshow_explorer_slide_redraws(jupyter_lab, page):
    try:
        _run_chapter(page, jupyter_lab)
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        page.wait_for_function(
            "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-mod-dirty')",
            timeout=30_000)
        page.goto(f"{jupyter_lab.url}/rise/{CHAPTER}?token={jupyter_lab.token}", timeout=60_000)
        page.locator(".reveal .slides section").first.wait_for(timeout=90_000)
        page.wait_for_timeout(2000)
        steps = 0
        while not page.evaluate(EXPLORER_SHOWN):
            assert steps < MAX_SLIDES, f"no slide with the explorer after {MAX_SLIDES} steps"
            page.keyboard.press("Space")
            page.wait_for_timeout(150)
            steps += 1
        explorer = page.locator(".reveal .slides section.present .tlearn-explorer:has(.tlearn-lam)").first
        img = explorer.locator("img.tlearn-figure")
        img.wait_for(state="visible", timeout=90_000)
        lam = explorer.locator(".tlearn-lam")
        value0, digest0 = readout(lam), figure_digest(img)
        assert digest0, "the explorer's slide shows no figure"
        lam.locator(".noUi-handle").focus()
        page.keyboard.press("ArrowLeft" if value0 == "\N{INFINITY}" else "ArrowRight")
        page.wait_for_function("([el, v]) => el.textContent.trim() !== v",
                               arg=[lam.locator(".widget-readout").element_handle(), value0], timeout=10_000)
        wait_figure_change(page, img, digest0, f"slide {steps}: λ {value0} -> {readout(lam)}")
        assert page.evaluate(EXPLORER_SHOWN), "moving the slider left the explorer's slide"
    finally:
        jupyter_lab.shutdown_sessions()
