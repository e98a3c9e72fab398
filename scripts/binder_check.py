#!/usr/bin/env python3
"""Do what Binder does, without Docker: a fresh venv from binder/requirements.txt alone, then nbval.

1. Build a fresh virtual environment (default ``.binder-venv``) with the Python
   running this script and install ``binder/requirements.txt`` -- nothing else.
2. Check that its Python major.minor equals ``binder/runtime.txt``'s pin and that
   ``tlearn`` is imported from the venv (not from the source tree).
3. Run nbval (strict, sanitised) on every notebook, each in its own pytest
   process, timing it and measuring the peak resident memory (RSS) of the
   processes it starts -- above all the kernel. Binder gives about 2 GB and
   1 CPU; a notebook peaking above ``--limit-mb`` (1024 MB) fails.

Prints a table notebook -> seconds, peak MB and exits non-zero on any failure.
Standard library only (the table's memory numbers come from ``getrusage`` of a
wrapper process and from polling ``/proc/<pid>/status`` VmHWM of its
descendants, whichever is larger).

Usage: ``python3 scripts/binder_check.py [--venv DIR] [--reuse] [notebooks ...]``
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "binder" / "requirements.txt"
RUNTIME = ROOT / "binder" / "runtime.txt"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"

# Runs one command and records the largest max-RSS among the processes it waited for (KiB on Linux).
WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(rc)\n"
)


def runtime_version():
    """``(major, minor)`` pinned in binder/runtime.txt (``python-3.11``)."""
    text = RUNTIME.read_text().strip()
    m = re.fullmatch(r"python-(\d+)\.(\d+)(?:\.\d+)?", text)
    if not m:
        raise SystemExit(f"binder/runtime.txt must read like 'python-3.11', got {text!r}")
    return int(m[1]), int(m[2])


def build_venv(venv: Path, reuse: bool):
    py = venv / "bin" / "python"
    if reuse and py.exists():
        print(f"== reusing {venv}")
        return py
    if venv.exists():
        shutil.rmtree(venv)
    print(f"== fresh venv {venv} with {sys.executable} ({sys.version.split()[0]})")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # Binder runs `pip install -r binder/requirements.txt` from the repository root ('.' is the repo).
    t0 = time.monotonic()
    pip = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-cache-dir", "-r", str(REQUIREMENTS)],
                         cwd=ROOT, capture_output=True, text=True)
    if pip.returncode != 0:
        print(pip.stdout[-3000:], pip.stderr[-6000:], sep="\n")
        raise SystemExit(f"pip install -r binder/requirements.txt failed (exit {pip.returncode})")
    print(f"== installed binder/requirements.txt in {time.monotonic() - t0:.0f} s")
    return py


def check_venv(py: Path):
    want = runtime_version()
    out = subprocess.run([str(py), "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
                         check=True, capture_output=True, text=True).stdout.split()
    got = (int(out[0]), int(out[1]))
    if got != want:
        raise SystemExit(f"venv Python is {got[0]}.{got[1]} but binder/runtime.txt pins {want[0]}.{want[1]}: "
                         "run this check with the pinned Python or update runtime.txt")
    where = subprocess.run([str(py), "-c", "import tlearn; print(tlearn.__file__)"], check=True,
                           capture_output=True, text=True, cwd=tempfile.gettempdir()).stdout.strip()
    if not Path(where).resolve().is_relative_to(py.parent.parent.resolve()):
        raise SystemExit(f"tlearn is imported from {where}, not from the Binder venv: '.' must be installed non-editable")
    print(f"== Python {got[0]}.{got[1]} matches binder/runtime.txt; tlearn from {where}")


def _descendants(pid):
    """PIDs of all live descendants of ``pid`` (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


def peak_rss_kib(pid):
    """Peak resident memory (VmHWM) of a live process in KiB; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_notebook(py: Path, nb: Path, timeout: float):
    """Run nbval on ``nb`` in a fresh process tree; return (ok, seconds, peak MB, log tail)."""
    cmd = [str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
           "--nbval-sanitize-with", str(SANITIZE), "--nbval-cell-timeout=300", str(nb)]
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    env.pop("PYTHONPATH", None)
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "maxrss"
        log = Path(tmp) / "log"
        t0 = time.monotonic()
        with open(log, "w") as logf:
            proc = subprocess.Popen([sys.executable, "-c", WRAPPER, str(rss_file), *cmd], cwd=ROOT, env=env,
                                    stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
            peak_kib = 0
            try:
                while proc.poll() is None:
                    for pid in _descendants(proc.pid):
                        peak_kib = max(peak_kib, peak_rss_kib(pid))
                    if time.monotonic() - t0 > timeout:
                        raise subprocess.TimeoutExpired(cmd, timeout)
                    time.sleep(0.1)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
                return False, time.monotonic() - t0, peak_kib / 1024, f"timed out after {timeout:.0f} s"
        seconds = time.monotonic() - t0
        if rss_file.exists():
            peak_kib = max(peak_kib, int(rss_file.read_text() or 0))
        tail = "\n".join(log.read_text().splitlines()[-40:])
        return proc.returncode == 0, seconds, peak_kib / 1024, tail


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to check (default: every notebook under notebooks/)")
    parser.add_argument("--venv", default=str(ROOT / ".binder-venv"), help="where to build the venv")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing venv instead of rebuilding it")
    parser.add_argument("--limit-mb", type=float, default=1024.0, help="peak-memory limit per notebook (MB)")
    parser.add_argument("--timeout", type=float, default=900.0, help="time limit per notebook (s)")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens under make / CI

    notebooks = [Path(p).resolve() for p in args.notebooks] or sorted(
        p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if not notebooks:
        raise SystemExit("no notebooks found under notebooks/")
    py = build_venv(Path(args.venv).resolve(), args.reuse)
    check_venv(py)

    rows, failures = [], []
    for nb in notebooks:
        name = str(nb.relative_to(ROOT)) if nb.is_relative_to(ROOT) else str(nb)
        print(f"-- {name} ...", flush=True)
        ok, seconds, peak, tail = run_notebook(py, nb, args.timeout)
        verdict = "ok"
        if not ok:
            verdict = "nbval FAILED"
            failures.append(f"{name}: nbval failed\n{tail}")
        elif peak > args.limit_mb:
            verdict = f"over {args.limit_mb:.0f} MB"
            failures.append(f"{name}: peak memory {peak:.0f} MB exceeds {args.limit_mb:.0f} MB (Binder has ~2 GB)")
        rows.append((name, seconds, peak, verdict))

    width = max(len(r[0]) for r in rows + [("notebook", 0, 0, "")])
    print(f"\n{'notebook':<{width}}  {'seconds':>8}  {'peak MB':>8}  result")
    for name, seconds, peak, verdict in rows:
        print(f"{name:<{width}}  {seconds:>8.1f}  {peak:>8.0f}  {verdict}")
    for f in failures:
        print(f"\nFAIL {f}")
    print(f"\n== binder check: {len(rows) - len(failures)}/{len(rows)} notebooks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
