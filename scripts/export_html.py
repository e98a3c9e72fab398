#!/usr/bin/env python3
"""Static HTML of every chapter, with the explorers' last state visible (``make html``).

Each notebook is executed in a fresh kernel with the widget state stored
(nbconvert's ``ExecutePreprocessor(store_widget_state=True)``), then converted by
``HTMLExporter``. An explorer's figure is an ``ipywidgets.Image`` whose PNG is part
of that state, so the exported page shows the plot as the kernel last drew it --
a lecturer can post the pages to students who have no kernel (the sliders show but
do nothing without a kernel).

The pages work offline: the widget renderer (``@jupyter-widgets/html-manager``'s
``embed-amd.js``), RequireJS and MathJax 3 come from the npm packages pinned in
``package.json`` / ``package-lock.json`` (``make html`` installs them with ``npm ci``
into ``.cache/npm``), are copied into ``OUT/assets/`` and every page loads them from
there by a relative address -- nothing is fetched from the network when a page is read.

Usage: ``python scripts/export_html.py [SRC] [OUT] [--no-execute] [--timeout S] [--assets DIR]``
with SRC a notebook or a folder (default ``notebooks``; its ``0*.ipynb`` chapters)
and OUT the output folder (default ``html``).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import re
import shutil

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExecutePreprocessor

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / ".cache" / "npm" / "node_modules"
# what each page needs, as (file or folder in node_modules, its place under OUT/assets/)
ASSETS = [("@jupyter-widgets/html-manager/dist", "html-manager"),
          ("requirejs/require.js", "require.js"),
          ("mathjax/es5/tex-svg-full.js", "mathjax/tex-svg-full.js")]
WIDGETS_JS = "assets/html-manager/embed-amd.js"
REQUIRE_JS = "assets/require.js"
MATHJAX_JS = "assets/mathjax/tex-svg-full.js"
# MathJax 3 (SVG output: one file, fonts inside) with the notebook's delimiters and AMS numbering
MATHJAX_BLOCK = """<!-- MathJax 3, local copy (offline) -->
<script>
window.MathJax = {{
  tex: {{inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
        processEscapes: true, processEnvironments: true, tags: 'ams'}},
  svg: {{fontCache: 'global'}}
}};
</script>
<script src="{url}" id="MathJax-script"></script>
<script>
// the widget renderer typesets labels through the MathJax 2 call MathJax.Hub.Queue(["Typeset", Hub, el])
MathJax.Hub = {{Queue: function (job) {{
  var el = job && job[2];
  MathJax.startup.promise.then(function () {{ return MathJax.typesetPromise(el ? [el] : undefined); }});
}}}};
</script>
"""
MATHJAX_V2 = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)


def copy_assets(node_modules: Path, out_dir: Path):
    """Copy the pinned renderer, RequireJS and MathJax into ``out_dir/assets`` (source maps left out)."""
    missing = [src for src, _ in ASSETS if not (node_modules / src).exists()]
    if missing:
        raise SystemExit(f"assets missing under {node_modules}: {missing}; run `make html` "
                         "(it installs package-lock.json with `npm ci` into .cache/npm) or pass --assets")
    for src, dst in ASSETS:
        src, dst = node_modules / src, out_dir / "assets" / dst
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.map"))
        else:
            shutil.copy2(src, dst)


def localize(html: str) -> str:
    """Swap nbconvert's MathJax 2 block (CDN) for the local MathJax 3; fail if any remote script is left."""
    html, n = MATHJAX_V2.subn(lambda _: MATHJAX_BLOCK.format(url=MATHJAX_JS), html)
    if n != 1:
        raise RuntimeError(f"expected one MathJax block in the exported page, found {n}")
    remote = re.findall(r"""<script[^>]+src=["'](https?:[^"']+)""", html)
    remote += re.findall(r"""<link[^>]+href=["'](https?:[^"']+)""", html)
    if remote:
        raise RuntimeError(f"the exported page still loads from the network: {remote}")
    return html


def chapters(src: Path):
    """The notebooks to export: ``src`` itself, or the chapters ``0*.ipynb`` in it."""
    if src.is_file():
        return [src]
    found = sorted(src.glob("0*.ipynb"))
    if not found:
        raise SystemExit(f"no chapter notebooks (0*.ipynb) in {src}")
    return found


def export_notebook(path: Path, out_dir: Path, execute=True, timeout=600, node_modules=NODE_MODULES):
    """Write ``out_dir/<name>.html`` (and ``out_dir/assets/``) for notebook ``path``; returns the page's path."""
    nb = nbformat.read(path, as_version=4)
    if execute:
        ep = ExecutePreprocessor(timeout=timeout, kernel_name="python3", store_widget_state=True)
        ep.preprocess(nb, {"metadata": {"path": str(path.parent)}})
    if WIDGET_STATE not in nb.metadata.get("widgets", {}):
        print(f"   note: {path.name} stores no widget state (no live widgets)")
    exporter = HTMLExporter(template_name="lab", widget_renderer_url=WIDGETS_JS, require_js_url=REQUIRE_JS)
    body, _ = exporter.from_notebook_node(nb)
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_assets(Path(node_modules), out_dir)
    target = out_dir / f"{path.stem}.html"
    target.write_text(localize(body), encoding="utf-8")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", nargs="?", default="notebooks", help="a notebook or a folder of chapters")
    parser.add_argument("out", nargs="?", default="html", help="output folder")
    parser.add_argument("--no-execute", action="store_true",
                        help="export the committed outputs and widget state without re-running")
    parser.add_argument("--timeout", type=float, default=600, help="per-cell time limit (s)")
    parser.add_argument("--assets", default=str(NODE_MODULES),
                        help="node_modules holding the pinned html-manager, requirejs and mathjax")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    for path in chapters(Path(args.src)):
        t0 = time.monotonic()
        target = export_notebook(path, Path(args.out), execute=not args.no_execute,
                                 timeout=args.timeout, node_modules=args.assets)
        print(f"{path.name} -> {target} ({target.stat().st_size / 1e6:.1f} MB, {time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
