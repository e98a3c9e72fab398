#!/usr/bin/env python3
"""Start JupyterLab at the welcome notebook for anyone (``make lab``).

The command line depends on who and where you are, and each choice is printed with its reason:

* as **root** (the default in containers and cloud shells) Jupyter refuses to start unless
  given ``--allow-root``; it is added then, and only then;
* **headless** (Linux without ``DISPLAY``/``WAYLAND_DISPLAY``) there is no browser to open:
  ``--no-browser`` is added and the address to open is printed plainly;
* always: the course's JupyterLab configuration in ``jupyter/`` is put on
  ``JUPYTER_CONFIG_PATH`` (no news pop-up, no update check), the server listens on
  127.0.0.1 at the first free port from 8888, with a fresh token.

Usage: ``python scripts/lab.py [--dry-run] [--port N] [extra jupyter lab arguments...]``.
``--dry-run`` prints the command and the address and exits (what tests/test_make_lab.py checks).
"""
from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WELCOME = "notebooks/00_welcome.ipynb"
CONFIG = ROOT / "jupyter"


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def has_display(env=None, platform=None) -> bool:
    """True where a browser can be opened: macOS/Windows, or Linux with an X11/Wayland display."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform == "darwin" or platform.startswith("win"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def free_port(start=8888, tries=50) -> int:
    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {start}..{start + tries - 1} on 127.0.0.1; pass --port")


def lab_command(python, port, token, root, display, extra=()):
    """``(argv, notes)``: the ``jupyter lab`` command line and one reason per added option."""
    argv = [python, "-m", "jupyter", "lab", WELCOME, "--ServerApp.root_dir=notebooks", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    notes = []
    if root:
        argv.append("--allow-root")
        notes.append("running as root (usual in containers): adding --allow-root, which Jupyter requires then")
    if not display:
        argv.append("--no-browser")
        notes.append("no display found (headless): not opening a browser -- open the address below yourself")
    return argv + list(extra), notes


def lab_env(env=None):
    """The environment for JupyterLab: ``jupyter/`` first on JUPYTER_CONFIG_PATH."""
    env = dict(os.environ if env is None else env)
    paths = [str(CONFIG)] + [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
    return env


def welcome_url(port, token):
    return f"http://127.0.0.1:{port}/lab/tree/{WELCOME.split('/', 1)[1]}?token={token}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print the command and address, start nothing")
    parser.add_argument("--port", type=int, default=None, help="port (default: first free from 8888)")
    args, extra = parser.parse_known_args(argv)
    port = args.port or free_port()
    token = os.environ.get("TLEARN_LAB_TOKEN") or secrets.token_hex(24)
    cmd, notes = lab_command(sys.executable, port, token, is_root(), has_display(), extra)
    for note in notes:
        print(f"make lab: {note}")
    print(f"make lab: command: {' '.join(cmd)}")
    print(f"\n    Open JupyterLab at:  {welcome_url(port, token)}\n", flush=True)
    if args.dry_run:
        return 0
    os.chdir(ROOT)
    os.execve(sys.executable, cmd, lab_env())


if __name__ == "__main__":
    sys.exit(main())
