"""scripts/export_html.py: the exported page carries the explorer's last widget state and image."""
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
    out = export_html.export_notebook(path, tmp_path / "html", execute=True, timeout=120)
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
    assert "html-manager" in html  # the widget renderer that draws the state without a kernel


def test_chapters_are_the_numbered_notebooks(tmp_path):
    for name in ("00_welcome.ipynb", "01_a.ipynb", "notes.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in export_html.chapters(tmp_path)] == ["00_welcome.ipynb", "01_a.ipynb"]
    assert export_html.chapters(tmp_path / "notes.ipynb") == [tmp_path / "notes.ipynb"]
    with pytest.raises(SystemExit, match="no chapter notebooks"):
        export_html.chapters(tmp_path / "html")  # an empty / missing folder
