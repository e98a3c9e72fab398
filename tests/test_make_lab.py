"""`make lab` for everyone (scripts/lab.py): root or not, headless or not, no news pop-up.

Unit tests check the command line scripts/lab.py builds for each case. Two real ``make lab``
runs, each in a fresh clone, check that JupyterLab comes up on 127.0.0.1 at the welcome
notebook with the announcements (news) plugin disabled, read the server's own command line
from /proc (``--allow-root`` exactly when root) and kill every process make started:

* as the user running the tests (root in CI), reusing this environment (``make lab VENV=...
  -o VENV/.installed-lab``: no install) -- in the normal run, under 60 s;
* as root only: as a throwaway unprivileged user (``tlearn-student``, created if absent) who owns
  the clone and whose ``make lab`` builds the student venv for real -- slow (pip install),
  so marked for the browser/slow group that ``make test`` and CI run.
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("lab", ROOT / "scripts" / "lab.py")
lab = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lab)
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"


def test_root_gets_allow_root_and_only_root():
    as_root, notes = lab.lab_command("py", 8888, "t", root=True, display=True)
    as_user, user_notes = lab.lab_command("py", 8888, "t", root=False, display=True)
    assert as_root.count("--allow-root") == 1 and "--allow-root" not in as_user
    assert any("root" in n for n in notes) and user_notes == []  # the reason is printed
    assert as_root[:5] == ["py", "-m", "jupyter", "lab", "notebooks/00_welcome.ipynb"]


def test_headless_does_not_open_a_browser():
    headless, notes = lab.lab_command("py", 8888, "t", root=False, display=False)
    desktop, _ = lab.lab_command("py", 8888, "t", root=False, display=True)
    assert "--no-browser" in headless and "--no-browser" not in desktop
    assert any("headless" in n for n in notes)
    assert lab.has_display({"DISPLAY": ":0"}, "linux") and lab.has_display({"WAYLAND_DISPLAY": "w"}, "linux")
    assert not lab.has_display({}, "linux")
    assert lab.has_display({}, "darwin") and lab.has_display({}, "win32")


def test_loopback_port_and_token_are_in_the_command_and_the_printed_url():
    cmd, _ = lab.lab_command("py", 9123, "abc", root=False, display=False)
    assert "--ServerApp.ip=127.0.0.1" in cmd and "--ServerApp.port=9123" in cmd
    assert "--IdentityProvider.token=abc" in cmd and "--ServerApp.port_retries=0" in cmd
    assert lab.welcome_url(9123, "abc") == "http://127.0.0.1:9123/lab/tree/00_welcome.ipynb?token=abc"


def test_course_config_is_on_the_config_path_and_disables_news():
    env = lab.lab_env({"JUPYTER_CONFIG_PATH": "/elsewhere"})
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(ROOT / "jupyter"), "/elsewhere"]
    page = json.loads((ROOT / "jupyter" / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"][NEWS_PLUGIN] is True


def test_makefile_lab_runs_the_script_with_the_student_venv_only():
    out = subprocess.run(["make", "-n", "-B", "lab", "VENV=/tmp/tlearn-make-n-venv"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert "scripts/lab.py" in out and "binder/requirements.txt" in out
    assert "requirements-dev.txt" not in out, "the student's environment must not get the test tools"
    test = subprocess.run(["make", "-n", "-B", "test", "VENV=/tmp/tlearn-make-n-venv"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout
    assert "requirements-dev.txt" in test


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.read().decode()


USER = "tlearn-student"  # a throwaway unprivileged account (created when the tests run as root)
USER_PYTHON = "/usr/bin/python3"  # a Python every user may run (this venv's may live in /root)


def _fresh_clone(owner=None):
    """A fresh clone of this repository's HEAD in a temp folder (owned by ``owner`` if given)."""
    top = Path(tempfile.mkdtemp(prefix="tlearn-make-lab-"))
    subprocess.run(["git", "clone", "-q", str(ROOT), str(top / "tlearn")], check=True, capture_output=True)
    (top / "home").mkdir()
    if owner:
        subprocess.run(["chown", "-R", f"{owner}:", str(top)], check=True)
    return top


def _session_pids(sid):
    """Every live process of session ``sid`` (all that ``make lab`` started)."""
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == sid and fields[0] != "Z":  # state, ppid, pgrp, session
                    pids.append(int(d.name))
    return pids


def _cmdline(pid):
    with contextlib.suppress(OSError):
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().decode(errors="replace").split("\0")
    return []


def _is_lab_server(argv):
    """``python -m jupyter lab`` re-executes itself as ``python .../bin/jupyter-lab``."""
    return any(Path(a).name == "jupyter-lab" for a in argv) or {"jupyter", "lab"} <= set(argv)


def _kill_all(proc):
    """SIGTERM the session, then SIGKILL what is left; True when no process of it survives."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        for pid in _session_pids(proc.pid) or [proc.pid]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and (_session_pids(proc.pid) or proc.poll() is None):
            time.sleep(0.2)
        if not _session_pids(proc.pid) and proc.poll() is not None:
            return True
    return False


def _make_lab_and_check(clone, make_args, user=None, timeout=90):
    """Run ``make lab`` in ``clone`` (as ``user``), check the welcome notebook is served, kill it all.

    Returns (log text, the JupyterLab server's argv and uid read from /proc)."""
    home = clone / "home"
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(home), "LANG": "C.UTF-8"}
    port = _free_port()
    cmd = ["make", "--no-print-directory", "lab", f"LAB_ARGS=--port={port}", *make_args]
    if user:
        # runuser resets HOME to the account's (absent for a system user): set it again
        cmd = [shutil.which("runuser"), "-u", user, "--", "env", f"HOME={home}"] + cmd
    log = clone / "make-lab.log"
    with open(log, "w") as logf:
        proc = subprocess.Popen(cmd, cwd=clone / "tlearn", env=env, stdout=logf, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, status = time.monotonic() + timeout, None
        while time.monotonic() < deadline and status is None:
            assert proc.poll() is None, f"make lab exited {proc.returncode}:\n{log.read_text()[-3000:]}"
            m = re.search(r"Open JupyterLab at:\s+(\S+)", log.read_text())
            if m:
                url = m[1]
                token = url.split("token=")[1]
                with contextlib.suppress(OSError):
                    status = json.loads(_get(f"http://127.0.0.1:{port}/api/status?token={token}")[1])
            time.sleep(0.5)
        assert status is not None, f"JupyterLab not up after {timeout} s:\n{log.read_text()[-3000:]}"
        assert url.startswith(f"http://127.0.0.1:{port}/lab/tree/00_welcome.ipynb?token=")
        code, page = _get(url)  # the printed address: the welcome notebook in JupyterLab
        assert code == 200
        config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)[1])
        assert NEWS_PLUGIN in config["disabledExtensions"], "the news pop-up is not disabled"
        code, body = _get(f"http://127.0.0.1:{port}/api/contents/00_welcome.ipynb?token={token}&content=0")
        assert code == 200 and json.loads(body)["type"] == "notebook"
        servers = [pid for pid in _session_pids(proc.pid) if _is_lab_server(_cmdline(pid))]
        assert len(servers) == 1, f"expected one JupyterLab process in make's session, found {servers}"
        uid = (Path("/proc") / str(servers[0])).stat().st_uid
        return log.read_text(), _cmdline(servers[0]), uid
    finally:
        assert _kill_all(proc), f"processes left after make lab: {[_cmdline(p) for p in _session_pids(proc.pid)]}"


def test_make_lab_on_a_fresh_clone_as_this_user():
    """The real ``make lab`` in a fresh clone, reusing this test run's environment (``-o`` the stamp:
    no install), as whoever runs the tests -- root in CI and containers."""
    venv = Path(sys.prefix)
    clone = _fresh_clone()
    try:
        t0 = time.monotonic()
        text, argv, uid = _make_lab_and_check(clone, [f"VENV={venv}", "-o", str(venv / ".installed-lab")])
        assert uid == os.geteuid()
        assert "pip install" not in text, "make lab reinstalled the reused environment"
        assert Path(argv[0]).parent == venv / "bin" and "notebooks/00_welcome.ipynb" in argv
        if os.geteuid() == 0:
            assert argv.count("--allow-root") == 1 and "make lab: running as root" in text
        else:
            assert "--allow-root" not in argv
        assert time.monotonic() - t0 < 60
    finally:
        shutil.rmtree(clone, ignore_errors=True)


def _throwaway_user():
    """The unprivileged account to run ``make lab`` as, or a skip reason."""
    if os.geteuid() != 0:
        return None, "needs root to run make lab as another user (runuser)"
    if not shutil.which("runuser"):
        return None, "runuser not found"
    if subprocess.run(["id", "-u", USER], capture_output=True).returncode != 0:
        if not shutil.which("useradd"):
            return None, f"no user {USER} and no useradd to create one"
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER], check=True)
    if not os.access(USER_PYTHON, os.X_OK):
        return None, f"{USER_PYTHON} not found: no Python the user {USER} may run"
    return USER, None


@pytest.mark.slow
@pytest.mark.browser  # slow group (~2-4 min: a real pip install); `make test` and CI run it, `-m "not browser"` skips it
def test_make_lab_on_a_fresh_clone_as_a_normal_user():
    """As a student on a shared machine: a fresh clone owned by an unprivileged user, who runs the
    real ``make lab`` (it builds the student venv with Debian's Python, then starts JupyterLab)."""
    user, reason = _throwaway_user()
    if not user:
        pytest.skip(reason)
    clone = _fresh_clone(owner=user)
    try:
        text, argv, uid = _make_lab_and_check(clone, [f"PYTHON={USER_PYTHON}"], user=user, timeout=900)
        assert uid == pwd.getpwnam(user).pw_uid != 0, "JupyterLab did not run as the unprivileged user"
        assert "--allow-root" not in argv and "running as root" not in text
        assert Path(argv[0]).parent == clone / "tlearn" / ".venv" / "bin"
        assert "pip install" in text, "make lab did not build the student environment"
    finally:
        shutil.rmtree(clone, ignore_errors=True)
