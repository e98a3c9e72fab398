"""Keypress → new image latency in headless Chromium, for every control of every dashboard explorer.

Each dashboard (notebooks/dashboards/*.ipynb) is opened in Voilà. For each slider
of each explorer (found by its ``tlearn-<name>`` CSS class), the handle is focused
and an arrow key pressed; the page records the keydown's time and the time the
explorer's ``<img class="tlearn-figure">`` has loaded the new PNG the kernel sent
(a ``load`` event after its ``src`` changed). The first press of a pair visits a
new value (it may compute or train); then the handle goes back and forth between
two values whose settings are cached, which is what dragging a slider feels like
once warm. p50/p95 of the cached presses and the first visit are reported.

``TLEARN_WRITE_RESULTS=1`` writes the table to benchmarks/RESULTS-browser.md;
otherwise the test only asserts generous bounds (the machine may be shared).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((ROOT / "notebooks" / "dashboards").glob("*.ipynb"))
RESULTS = ROOT / "benchmarks" / "RESULTS-browser.md"
PRESSES = int(os.environ.get("TLEARN_LATENCY_PRESSES", "8"))  # cached presses per control
WRITE = os.environ.get("TLEARN_WRITE_RESULTS") == "1"
TIMEOUT_MS = 120_000  # one press may train networks on a loaded machine

# Arm a one-shot recorder: the next keydown's time, then the time the figure loaded a new src.
ARM_JS = """(img) => new Promise((resolve) => {
    const old = img.src;
    let t0 = null;
    const onKey = (e) => { if (t0 === null) t0 = performance.now(); };
    document.addEventListener('keydown', onKey, {capture: true});
    const onLoad = () => {
        if (img.src === old || t0 === null) return;
        img.removeEventListener('load', onLoad);
        document.removeEventListener('keydown', onKey, {capture: true});
        resolve(performance.now() - t0);
    };
    img.addEventListener('load', onLoad);
})"""

_rows = []


def _press(page, img, handle, key):
    """Press ``key`` on ``handle``; the latency in ms from keydown to the new image's load (None: none came)."""
    img.evaluate(f"(img) => {{ window.__tlearnLatency = ({ARM_JS})(img); }}")
    handle.focus()
    page.keyboard.press(key)
    return page.evaluate(f"() => Promise.race([window.__tlearnLatency, "
                         f"new Promise(r => setTimeout(() => r(null), {TIMEOUT_MS}))])")


def _controls(explorer):
    sliders = explorer.locator(".widget-slider[class*='tlearn-']")
    out = []
    for i in range(sliders.count()):
        s = sliders.nth(i)
        name = s.evaluate("(el) => [...el.classList].find(c => c.startsWith('tlearn-')).slice(7)")
        out.append((name, s))
    return out


def _measure(page, explorer, label):
    img = explorer.locator("img.tlearn-figure")
    rows = []
    for name, slider in _controls(explorer):
        handle = slider.locator(".noUi-handle")
        handle.scroll_into_view_if_needed()
        readout = slider.locator(".widget-readout").inner_text().strip()
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        there, back = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
        first = _press(page, img, handle, there)  # a new value: may compute / train
        _press(page, img, handle, back)  # back to the start (cached)
        cached = [_press(page, img, handle, there if k % 2 == 0 else back) for k in range(PRESSES)]
        if PRESSES % 2:
            _press(page, img, handle, back)  # leave the control where it started
        assert first is not None and None not in cached, f"{label} {name}: a press produced no new image"
        rows.append((label, name, readout, first, float(np.median(cached)), float(np.percentile(cached, 95)),
                     len(cached)))
    return rows


@pytest.mark.skipif(not DASHBOARDS, reason="no notebooks/dashboards/*.ipynb yet")
@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def test_keypress_to_new_image_latency(dashboard, voila_server, page):
    page.goto(f"{voila_server.url}/voila/render/{dashboard.name}?token={voila_server.token}", timeout=120_000)
    page.locator(".tlearn-explorer img.tlearn-figure").first.wait_for(state="visible", timeout=120_000)
    page.wait_for_timeout(1000)  # let the first image settle
    explorers = page.locator(".tlearn-explorer")
    rows = []
    for i in range(explorers.count()):
        rows += _measure(page, explorers.nth(i), dashboard.stem if explorers.count() == 1 else f"{dashboard.stem}[{i}]")
    assert rows, f"{dashboard.name}: no explorer control found"
    _rows.extend(rows)
    for label, name, _, first, p50, p95, _n in rows:
        assert p50 <= 2000 and p95 <= 5000, f"{label} {name}: cached p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    if WRITE and dashboard == DASHBOARDS[-1]:
        _write(_rows)


def _write(rows):
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = ["# Browser latency: keypress → new image", "",
             f"Written by `TLEARN_WRITE_RESULTS=1 python -m pytest -m browser tests/browser/test_latency.py` on "
             f"{time.strftime('%Y-%m-%d %H:%M %Z')}: Voilà + headless Chromium on this machine "
             f"({os.cpu_count()} cores), 1-min load average {load} when the last dashboard finished.", "",
             ("**The machine was shared with other jobs** (1-min load above its core count), so these are upper "
              "bounds of what a student's laptop sees" if os.getloadavg()[0] > (os.cpu_count() or 1) else
              "Nothing else heavy ran on the machine (1-min load at most its core count, this test included)")
             + "; the target is p50 ≤ 80 ms, p95 ≤ 150 ms.", "",
             "One press = an arrow key on the focused slider handle; latency = from the keydown event to the "
             "`load` event of the explorer's new PNG. *First visit*: the first press moves to a value never "
             "shown (the kernel computes / trains it); *cached*: presses back and forth between two shown values.",
             "", "| dashboard | control | start value | first visit | cached p50 | cached p95 | presses | target |",
             "|---|---|---|---|---|---|---|---|"]
    for label, name, readout, first, p50, p95, n in rows:
        ok = "PASS" if p50 <= 80 and p95 <= 150 else "MISS"
        lines.append(f"| {label} | {name} | {readout} | {first:.0f} ms | {p50:.0f} ms | {p95:.0f} ms | {n} | {ok} |")
    RESULTS.write_text("\n".join(lines) + "\n")
