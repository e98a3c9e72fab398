"""Re-execute notebooks in place so their committed outputs are fresh and deterministic.

    python scripts/run_notebooks.py notebooks/*.ipynb

Runs each notebook top to bottom in a fresh kernel from its own folder,
stores widget state (so JupyterLab and static renderers show the last
explorer image), and prints the wall time of each. ``execute`` is also used
by ``benchmarks/run.py`` to time notebooks without writing them.
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path, timeout=600, on_cell_executed=None, store_widget_state=True):
    """Run ``path`` in a fresh python3 kernel; returns (executed notebook, wall seconds).

    The kernel gets the inline matplotlib backend as a reader's would (MPLBACKEND is
    removed from its environment) and PYTHONHASHSEED=0. ``on_cell_executed(client)``
    is called after every cell, e.g. to read the kernel's memory.
    """
    nb = nbformat.read(path, as_version=4)
    env_backend = os.environ.pop("MPLBACKEND", None)
    os.environ["PYTHONHASHSEED"] = "0"
    try:
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", store_widget_state=store_widget_state,
            resources={"metadata": {"path": str(Path(path).parent)}},
        )
        if on_cell_executed is not None:
            client.on_cell_executed = lambda **_: on_cell_executed(client)
        t0 = time.perf_counter()
        client.execute()
        elapsed = time.perf_counter() - t0
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    return nb, elapsed


def run(path, timeout=600):
    """Execute ``path`` and write it back with its new outputs; returns wall seconds."""
    nb, elapsed = execute(path, timeout)
    nbformat.write(nb, path)
    return elapsed


if __name__ == "__main__":
    paths = sys.argv[1:] or sorted(str(p) for p in Path("notebooks").rglob("*.ipynb"))
    for p in paths:
        if ".ipynb_checkpoints" in p:
            continue
        print(f"{p}: {run(p):.1f} s", flush=True)
