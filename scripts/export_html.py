#!/usr/bin/env python3
"""Static HTML of every chapter, with the explorers' last state visible (``make html``).

Each notebook is executed in a fresh kernel with the widget state stored
(nbconvert's ``ExecutePreprocessor(store_widget_state=True)``), then converted by
``HTMLExporter``. An explorer's figure is an ``ipywidgets.Image`` whose PNG is part
of that state, so the exported page shows the plot as the kernel last drew it --
a lecturer can post the pages to students who have no kernel. (The page loads the
standard ``@jupyter-widgets/html-manager`` script to draw the widgets; the sliders
show but do nothing without a kernel.)

Usage: ``python scripts/export_html.py [SRC] [OUT] [--no-execute] [--timeout S]``
with SRC a notebook or a folder (default ``notebooks``; its ``0*.ipynb`` chapters)
and OUT the output folder (default ``html``).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExecutePreprocessor

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def chapters(src: Path):
    """The notebooks to export: ``src`` itself, or the chapters ``0*.ipynb`` in it."""
    if src.is_file():
        return [src]
    found = sorted(src.glob("0*.ipynb"))
    if not found:
        raise SystemExit(f"no chapter notebooks (0*.ipynb) in {src}")
    return found


def export_notebook(path: Path, out_dir: Path, execute=True, timeout=600):
    """Write ``out_dir/<name>.html`` for notebook ``path``; returns the HTML file's path."""
    nb = nbformat.read(path, as_version=4)
    if execute:
        ep = ExecutePreprocessor(timeout=timeout, kernel_name="python3", store_widget_state=True)
        ep.preprocess(nb, {"metadata": {"path": str(path.parent)}})
    if WIDGET_STATE not in nb.metadata.get("widgets", {}):
        print(f"   note: {path.name} stores no widget state (no live widgets)")
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{path.stem}.html"
    target.write_text(body, encoding="utf-8")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", nargs="?", default="notebooks", help="a notebook or a folder of chapters")
    parser.add_argument("out", nargs="?", default="html", help="output folder")
    parser.add_argument("--no-execute", action="store_true",
                        help="export the committed outputs and widget state without re-running")
    parser.add_argument("--timeout", type=float, default=600, help="per-cell time limit (s)")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    for path in chapters(Path(args.src)):
        t0 = time.monotonic()
        target = export_notebook(path, Path(args.out), execute=not args.no_execute, timeout=args.timeout)
        print(f"{path.name} -> {target} ({target.stat().st_size / 1e6:.1f} MB, {time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
