"""Re-execute notebooks in place so their committed outputs are fresh and deterministic.

    python scripts/run_notebooks.py notebooks/*.ipynb

Runs each notebook top to bottom in a fresh kernel from its own folder,
stores widget state (so JupyterLab and static renderers show the last
explorer image), and prints the wall time of each.
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(path, timeout=600):
    nb = nbformat.read(path, as_version=4)
    env_backend = os.environ.pop("MPLBACKEND", None)  # the kernel picks the inline backend
    os.environ["PYTHONHASHSEED"] = "0"
    try:
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
            resources={"metadata": {"path": str(Path(path).parent)}},
        )
        t0 = time.perf_counter()
        client.execute()
        elapsed = time.perf_counter() - t0
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    nbformat.write(nb, path)
    return elapsed


if __name__ == "__main__":
    paths = sys.argv[1:] or sorted(str(p) for p in Path("notebooks").rglob("*.ipynb"))
    for p in paths:
        if ".ipynb_checkpoints" in p:
            continue
        print(f"{p}: {run(p):.1f} s", flush=True)
