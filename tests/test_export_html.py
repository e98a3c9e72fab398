"""scripts/export_html.py: the exported page carries the explorer's last widget state and image,
and loads its renderer, RequireJS and MathJax from local copies beside it (offline handouts).

(tests/browser/test_offline_html.py opens the real chapters' pages with the network blocked.)
"""
import base64
import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("export_html", ROOT / "scripts" / "export_html.py")
export_html = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export_html)

# The kernel builds an Image widget from known bytes, then moves a slider: the page must show the last state.
WIDGET_CELL = """import ipywidgets as W
png = bytes(range(256)) * 3
img = W.Image(value=b"first", format="png")
img.add_class("tlearn-figure")
s = W.IntSlider(value=1, min=0, max=9)
s.add_class("tlearn-n")
def on(change):
    img.value = png
s.observe(on, names="value")
box = W.VBox([s, img])
box.add_class("tlearn-explorer")
box"""


def _fake_assets(tmp_path):
    """A node_modules with placeholder files where the pinned packages put theirs."""
    nm = tmp_path / "node_modules"
    for rel in ["@jupyter-widgets/html-manager/dist/embed-amd.js", "@jupyter-widgets/html-manager/dist/embed.js.map",
                "requirejs/require.js", "mathjax/es5/tex-svg-full.js"]:
        (nm / rel).parent.mkdir(parents=True, exist_ok=True)
        (nm / rel).write_text(f"/* {rel} */")
    return nm


def _notebook(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("# Tiny chapter"), new_code_cell(WIDGET_CELL),
                             new_code_cell("s.value = 7\nprint(s.value)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "01_tiny.ipynb"
    nbformat.write(nb, path)
    return path


def _state(html):
    m = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S)
    assert m, "no widget state embedded in the page"
    return json.loads(m[1])["state"]


def test_export_keeps_last_widget_state_and_image(tmp_path):
    path = _notebook(tmp_path)
    out = export_html.export_notebook(path, tmp_path / "html", execute=True, timeout=120,
                                      node_modules=_fake_assets(tmp_path))
    html = out.read_text()
    assert out.name == "01_tiny.html"
    assert "application/vnd.jupyter.widget-view+json" in html  # the output cell shows the widget
    state = _state(html)
    by_name = {}
    for model in state.values():
        by_name.setdefault(model["model_name"], []).append(model)
    (image,) = by_name["ImageModel"]
    (slider,) = by_name["IntSliderModel"]
    assert slider["state"]["value"] == 7, "the slider's last value (set after display) must be kept"
    assert "tlearn-figure" in image["state"]["_dom_classes"]
    # the image bytes travel base64-encoded in the model's buffers: they are the *updated* PNG
    buffers = image.get("buffers", [])
    assert buffers and base64.b64decode(buffers[0]["data"]) == bytes(range(256)) * 3
    assert "tlearn-explorer" in json.dumps(by_name["VBoxModel"][0]["state"])
    # the widget renderer that draws the state without a kernel: the local copy beside the page
    assert "'assets/html-manager/embed-amd.js'" in html and "cdn.jsdelivr" not in html


def test_page_loads_renderer_and_mathjax_from_local_copies(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell(r"$$ a = b \tag{1.1} $$"), new_code_cell("1")])
    nbformat.write(nb, tmp_path / "02_eq.ipynb")
    out = export_html.export_notebook(tmp_path / "02_eq.ipynb", tmp_path / "html", execute=False,
                                      node_modules=_fake_assets(tmp_path))
    html = out.read_text()
    srcs = re.findall(r"""<script[^>]+src=["']([^"']+)""", html)
    assert "assets/require.js" in srcs and "assets/mathjax/tex-svg-full.js" in srcs
    assert not [s for s in srcs if "//" in s], f"a script still comes from the network: {srcs}"
    assert "mathjax/2.7" not in html and "require.js/2.1" not in html
    assets = tmp_path / "html" / "assets"
    assert (assets / "html-manager" / "embed-amd.js").is_file() and (assets / "require.js").is_file()
    assert not (assets / "html-manager" / "embed.js.map").exists(), "source maps are not shipped"


def test_localize_refuses_a_page_that_still_needs_the_network():
    page = '<!-- Load mathjax -->x<!-- End of mathjax configuration --><script src="https://cdn.example/x.js">'
    with pytest.raises(RuntimeError, match="still loads from the network"):
        export_html.localize(page)
    with pytest.raises(RuntimeError, match="expected one MathJax block"):
        export_html.localize("<html></html>")


def test_missing_assets_say_how_to_get_them(tmp_path):
    with pytest.raises(SystemExit, match="npm ci"):
        export_html.copy_assets(tmp_path / "nowhere", tmp_path / "html")


def test_chapters_are_the_numbered_notebooks(tmp_path):
    for name in ("00_welcome.ipynb", "01_a.ipynb", "notes.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in export_html.chapters(tmp_path)] == ["00_welcome.ipynb", "01_a.ipynb"]
    assert export_html.chapters(tmp_path / "notes.ipynb") == [tmp_path / "notes.ipynb"]
    with pytest.raises(SystemExit, match="no chapter notebooks"):
        export_html.chapters(tmp_path / "html")  # an empty / missing folder
