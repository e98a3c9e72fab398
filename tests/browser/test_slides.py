"""Slides: chapter 1 presented with jupyterlab-rise, the explorer live on its slide.

Chapter 1 is run in JupyterLab and saved (so the outputs reference the live widgets), then
opened as a Reveal slideshow at ``/rise/<notebook>`` (what *View -> Render as Reveal
Slideshow* / Alt+R shows). The presenter steps forward with the arrow key until the slide
holding the explorer is shown, moves its λ slider by keyboard, and the figure the kernel
sends back changes on the slide.

If the saved output is not live, the explorer's cell is re-run on its slide (Ctrl+Enter, the
same kernel), as a presenter would. Known bug (xfail, strict): in this environment the
slideshow's widget manager fails ("Exception opening new comm") and the explorer stays text
(``VBox(...)``), so the explorer's slide has no live widget to move.
"""
from __future__ import annotations

import time

import pytest
from test_keyboard import CHAPTER, _run_chapter
from test_lab_and_voila import figure_digest, menu, readout, wait_figure_change

pytestmark = pytest.mark.browser

MAX_SLIDES = 150
EXPLORER_SHOWN = """() => [...document.querySelectorAll('.reveal .slides section.present .tlearn-explorer')]
    .some(e => e.getBoundingClientRect().height > 0 && e.querySelector('.tlearn-lam'))"""
# the explorer's cell on the current slide, still showing its saved (text) output
EXPLORER_CELL = """() => [...document.querySelectorAll('.reveal .slides section.present .jp-CodeCell')]
    .some(c => /ridge_explorer/.test(c.innerText))"""


@pytest.mark.xfail(strict=True, reason=(
    "known bug: in the /rise/ slideshow (jupyterlab-rise 0.43.1, ipywidgets 8.1.9) the widget manager "
    "logs 'Exception opening new comm' and the explorer shows as text ('VBox(...)'), even after "
    "re-running its cell on the slide; strict, so a fix is noticed"))
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
        if not page.evaluate(EXPLORER_SHOWN):
            # as the presenter does: run the explorer's cell on its slide (Ctrl+Enter: run, stay), same kernel
            cell = page.locator(".reveal .slides section.present .jp-CodeCell",
                                has_text="ridge_explorer").first
            cell.locator(".jp-InputArea-prompt, .jp-InputPrompt").first.click()
            page.keyboard.press("Control+Enter")
            page.wait_for_function(EXPLORER_SHOWN, timeout=90_000)
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
