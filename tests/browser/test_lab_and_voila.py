"""End to end in headless Chromium: every notebook in JupyterLab, every dashboard in Voilà.

For each chapter notebook (notebooks/0*.ipynb, so new chapters are covered as they
appear): open it in JupyterLab, clear outputs, Run All, wait until the kernel has
really run every cell, then move each explorer's λ slider by keyboard and by drag and
check that the figure the kernel sends back actually changed. The same for every
Voilà dashboard in notebooks/dashboards/. Widgets are found by their stable CSS
classes (tlearn-explorer, tlearn-lam, tlearn-figure), never by layout.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest


pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

CHAPTERS = sorted(NOTEBOOKS.glob("0*.ipynb"))
DASHBOARDS = sorted((NOTEBOOKS / "dashboards").glob("*.ipynb"))
KERNEL_READY = 90_000      # ms: kernel started and idle after opening a notebook
RUN_ALL = 300_000          # ms: a whole chapter (each runs in well under a minute)
FIGURE_CHANGE = 90_000     # ms: one slider step re-computes and re-renders the figure
DRAG_PX = 90               # a drag this long crosses several of the ~27 λ positions

# SHA-256 of the PNG currently shown by an <img> (its src is a blob: URL made from the widget's bytes).
DIGEST_JS = """async (img) => {
    if (!img.src) return null;
    const buf = await (await fetch(img.src)).arrayBuffer();
    const h = await crypto.subtle.digest('SHA-256', buf);
    return Array.from(new Uint8Array(h)).map(b => b.toString(16).padStart(2, '0')).join('');
}"""


def _ids(paths):
    return [p.stem for p in paths]


def figure_digest(img):
    return img.evaluate(DIGEST_JS)


def wait_figure_change(page, img, before, what):
    deadline = time.monotonic() + FIGURE_CHANGE / 1000
    while time.monotonic() < deadline:
        now = figure_digest(img)
        if now and now != before:
            return now
        page.wait_for_timeout(200)
    pytest.fail(f"{what}: the figure did not change within {FIGURE_CHANGE / 1000:.0f} s")


def readout(slider):
    return slider.locator(".widget-readout").inner_text().strip()


def move_by_keyboard(page, explorer, label):
    """Focus the λ handle and press an arrow key: λ moves one grid step, the figure must change."""
    lam = explorer.locator(".tlearn-lam")
    img = explorer.locator("img.tlearn-figure")
    handle = lam.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    value0, digest0, shot0 = readout(lam), figure_digest(img), img.screenshot()
    assert digest0, f"{label}: the explorer shows no figure"
    handle.focus()
    key = "ArrowLeft" if value0 == "\N{INFINITY}" else "ArrowRight"
    page.keyboard.press(key)
    page.wait_for_function("([el, v]) => el.textContent.trim() !== v",
                           arg=[lam.locator(".widget-readout").element_handle(), value0], timeout=10_000)
    value1 = readout(lam)
    wait_figure_change(page, img, digest0, f"{label}: λ {value0} -> {value1} by {key}")
    page.wait_for_timeout(300)  # let the <img> repaint before the screenshot
    assert img.screenshot() != shot0, f"{label}: the rendered image did not change on screen"
    return value1


def move_by_drag(page, explorer, label):
    """Drag the λ handle sideways with the mouse: λ changes, the figure must change."""
    lam = explorer.locator(".tlearn-lam")
    img = explorer.locator("img.tlearn-figure")
    handle = lam.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    value0, digest0 = readout(lam), figure_digest(img)
    box = handle.bounding_box()
    track = lam.locator(".noUi-target").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    dx = -DRAG_PX if x - track["x"] > track["width"] / 2 else DRAG_PX
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=12)
    page.mouse.up()
    page.wait_for_function("([el, v]) => el.textContent.trim() !== v",
                           arg=[lam.locator(".widget-readout").element_handle(), value0], timeout=10_000)
    value1 = readout(lam)
    wait_figure_change(page, img, digest0, f"{label}: λ {value0} -> {value1} by drag")
    return value1


def exercise_explorers(page, scope, label):
    explorers = scope.locator(".tlearn-explorer:has(.tlearn-lam)")
    n = explorers.count()
    assert n >= 1, f"{label}: no explorer (.tlearn-explorer with a .tlearn-lam slider) rendered"
    for i in range(n):
        explorer = explorers.nth(i)
        explorer.locator("img.tlearn-figure").wait_for(state="visible", timeout=FIGURE_CHANGE)
        move_by_keyboard(page, explorer, f"{label} explorer {i}")
        move_by_drag(page, explorer, f"{label} explorer {i}")
    return n


# ------------------------------------------------------------------ JupyterLab

def menu(page, top, item):
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{top}$")).click()
    page.locator(".lm-Menu-item:visible", has_text=item).first.click()


def prompts(page):
    return page.locator(".jp-NotebookPanel:visible .jp-CodeCell .jp-InputPrompt:not(.jp-Placeholder-prompt)").all_inner_texts()


def wait_kernel_idle(page, server, path, timeout_ms):
    """The status bar names the kernel and says Idle, *and* the server's session has a live idle kernel.

    (JupyterLab can show "Idle" before a kernel exists, so the REST API is asked too.)
    """
    page.wait_for_function(
        "() => /Python 3[^|]*\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText || '')",
        timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        sessions = [s for s in server.api("/api/sessions") if s["path"].endswith(path)]
        if sessions and sessions[0]["kernel"]["execution_state"] == "idle":
            return sessions[0]["kernel"]["id"]
        time.sleep(0.3)
    pytest.fail(f"no idle kernel for {path} after {timeout_ms / 1000:.0f} s: {server.api('/api/sessions')}")


@pytest.mark.skipif(not CHAPTERS, reason="no notebooks/0*.ipynb yet")
@pytest.mark.parametrize("notebook", CHAPTERS, ids=_ids(CHAPTERS))
def test_notebook_runs_in_jupyterlab_and_sliders_redraw(notebook: Path, jupyter_lab, page):
    try:
        _run_in_lab(notebook.name, jupyter_lab, page)
    finally:
        jupyter_lab.shutdown_sessions()


def _shown_execution_counts(path):
    """The execution counts Run All gives the code cells whose source is not collapsed."""
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    return [i + 1 for i, c in enumerate(cells) if not c["metadata"].get("jupyter", {}).get("source_hidden")]


def _run_in_lab(name, jupyter_lab, page):
    page.goto(f"{jupyter_lab.url}/lab/tree/{name}?token={jupyter_lab.token}", timeout=60_000)
    page.locator(".jp-NotebookPanel:visible").wait_for(timeout=60_000)
    kernel = wait_kernel_idle(page, jupyter_lab, name, KERNEL_READY)

    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt:not(.jp-Placeholder-prompt)')]"
        ".every(p => !/\\d/.test(p.textContent))", timeout=10_000)
    expected = _shown_execution_counts(NOTEBOOKS / name)
    # a long notebook renders its cells progressively: wait until every shown code cell has its prompt
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt:not(.jp-Placeholder-prompt)').length >= n",
        arg=len(expected), timeout=30_000)
    n_code = len(prompts(page))
    assert n_code >= 1, f"{name}: no code cells rendered"
    assert page.locator(".jp-NotebookPanel:visible .tlearn-explorer").count() == 0, "old outputs not cleared"

    menu(page, "Run", "Run All Cells")
    # the run really started: a prompt turns into [*] or a number
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt:not(.jp-Placeholder-prompt)')]"
        ".some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))", timeout=30_000)
    # ... and finished: every code cell has its execution count, none is pending
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt:not(.jp-Placeholder-prompt)')]"
        ".every(p => /\\[\\d+\\]/.test(p.textContent))", timeout=RUN_ALL, polling=500)
    counts = [int(re.search(r"\d+", p)[0]) for p in prompts(page)]
    # a collapsed cell (solution) shows a placeholder prompt, so only the others' counts can be read
    assert n_code == len(expected), f"{name}: {n_code} prompts rendered, the file has {len(expected)} shown code cells"
    assert counts == expected, f"{name}: cells ran out of order or not all: {counts}"
    assert wait_kernel_idle(page, jupyter_lab, name, KERNEL_READY) == kernel, "the kernel was restarted mid-run"
    errors = page.locator(".jp-NotebookPanel:visible .jp-OutputArea-output", has_text="Traceback").count()
    assert errors == 0, f"{name}: a cell raised an exception"

    exercise_explorers(page, page.locator(".jp-NotebookPanel:visible"), name)


# ------------------------------------------------------------------ Voilà

@pytest.mark.skipif(not DASHBOARDS, reason="no notebooks/dashboards/*.ipynb yet")
@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=_ids(DASHBOARDS))
def test_dashboard_in_voila_and_sliders_redraw(dashboard: Path, voila_server, page):
    page.goto(f"{voila_server.url}/voila/render/{dashboard.name}?token={voila_server.token}", timeout=120_000)
    page.locator(".tlearn-explorer img.tlearn-figure").first.wait_for(state="visible", timeout=120_000)
    assert page.locator("text=Traceback").count() == 0, f"{dashboard.name}: Voilà shows an error"
    exercise_explorers(page, page, f"voila {dashboard.name}")
