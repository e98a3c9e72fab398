"""Offline handouts: every page from scripts/export_html.py works with the network cut off.

The chapters are exported (committed outputs and widget state, ``--no-execute``) into a
temporary folder, served from 127.0.0.1, and opened in headless Chromium with every
request that does not go to that server aborted (``page.route``). Each page must show
its explorers' figures (the PNG inside the stored widget state, drawn by the local
html-manager) and typeset its equations (MathJax 3 ``mjx-container`` elements), and no
request may have needed the network (an image the author linked in markdown -- the
Binder badge -- is content and merely shows as missing).
"""
from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
spec = importlib.util.spec_from_file_location("export_html", ROOT / "scripts" / "export_html.py")
export_html = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export_html)


def _has_math(notebook: Path) -> bool:
    cells = json.loads(notebook.read_text())["cells"]
    return any(c["cell_type"] == "markdown" and "$" in "".join(c["source"]) for c in cells)


def _has_explorer(notebook: Path) -> bool:
    return "tlearn-figure" in json.dumps(json.loads(notebook.read_text())["metadata"].get("widgets", {}))


@pytest.fixture(scope="module")
def handouts(browser_available, tmp_path_factory):
    """The exported pages, served by a quiet http.server thread on 127.0.0.1."""
    if not (export_html.NODE_MODULES / "mathjax").is_dir():
        pytest.fail("pinned JS assets missing: run `make npm` (npm ci into .cache/npm) first", pytrace=False)
    out = tmp_path_factory.mktemp("html")
    for nb in CHAPTERS:
        export_html.export_notebook(nb, out, execute=False)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("notebook", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_handout_works_offline(notebook, handouts, page):
    blocked = []

    def guard(route):
        if route.request.url.startswith(handouts + "/") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(f"{handouts}/{notebook.stem}.html", wait_until="load", timeout=60_000)
    if _has_explorer(notebook):
        img = page.locator(".tlearn-explorer img.tlearn-figure").first
        img.wait_for(state="visible", timeout=60_000)
        page.wait_for_function("(el) => el.complete && el.naturalWidth > 100", arg=img.element_handle(),
                               timeout=30_000)
    if _has_math(notebook):
        page.wait_for_function("() => document.querySelectorAll('mjx-container svg').length > 0", timeout=60_000)
        raw = page.locator(".jp-MarkdownOutput", has_text="\\tag{").count()
        assert raw == 0, f"{notebook.name}: {raw} markdown cells still show raw LaTeX"
    # a picture the author linked in markdown (e.g. the Binder badge) is content, not the renderer
    text = notebook.read_text()
    needed = [u for u in blocked if u not in text]
    assert not needed, f"{notebook.name}: the page needed the network: {needed[:5]}"
    errors = [m for m in page.console_messages_seen if m.startswith("pageerror")]
    assert not errors, f"{notebook.name}: script errors: {errors[:5]}"
