"""`make lab` for everyone (scripts/lab.py): root or not, headless or not, no news pop-up.

Unit tests check the command line scripts/lab.py builds for each case; two real starts
(as the current user and, when the tests run as root, as the unprivileged ``nobody``)
check that JupyterLab comes up on 127.0.0.1, serves the welcome notebook, and has the
announcements (news) plugin disabled in its page config -- the Makefile runs exactly
this script (checked with ``make -n lab``).
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
import os
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


def _start_and_check(tmp_path, user=None):
    # a normal user cannot enter pytest's private tmp_path: its home is a fresh folder in /tmp
    home = Path(tempfile.mkdtemp(prefix="tlearn-lab-home-")) if user else tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}
    port = _free_port()
    cmd = [sys.executable, str(ROOT / "scripts" / "lab.py"), f"--port={port}"]
    if user:
        shutil.chown(home, user)
        cmd = ["runuser", "-u", user, "--"] + cmd
    log = tmp_path / "lab.log"
    with open(log, "w") as logf:
        proc = subprocess.Popen(cmd, cwd=home, env=env, stdout=logf, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and status is None:
            assert proc.poll() is None, f"make lab exited {proc.returncode}:\n{log.read_text()[-3000:]}"
            m = re.search(r"Open JupyterLab at:\s+(\S+)", log.read_text())
            if m:
                url = m[1]
                token = url.split("token=")[1]
                with contextlib.suppress(OSError):
                    status = json.loads(_get(f"http://127.0.0.1:{port}/api/status?token={token}")[1])
            time.sleep(0.5)
        assert status is not None, f"JupyterLab not up after 90 s:\n{log.read_text()[-3000:]}"
        code, page = _get(url)  # the printed address: the welcome notebook in JupyterLab
        assert code == 200 and "/lab/tree/00_welcome.ipynb" in url
        config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)[1])
        assert NEWS_PLUGIN in config["disabledExtensions"], "the news pop-up is not disabled"
        code, body = _get(f"http://127.0.0.1:{port}/api/contents/00_welcome.ipynb?token={token}&content=0")
        assert code == 200 and json.loads(body)["type"] == "notebook"
        return log.read_text()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if user:
            shutil.rmtree(home, ignore_errors=True)


def test_lab_really_starts_at_the_welcome_notebook(tmp_path):
    text = _start_and_check(tmp_path)
    assert ("--allow-root" in text) == (os.geteuid() == 0)


def _nobody_can_run_python():
    if os.geteuid() != 0 or not shutil.which("runuser"):
        return False
    probe = subprocess.run(["runuser", "-u", "nobody", "--", sys.executable, "-c", "import jupyterlab"],
                           capture_output=True, cwd="/")
    return probe.returncode == 0


def test_lab_starts_as_a_normal_user(tmp_path):
    if not _nobody_can_run_python():
        pytest.skip("needs root, runuser, and a Python the user 'nobody' may run (this venv's is private)")
    text = _start_and_check(tmp_path, user="nobody")
    assert "--allow-root" not in text.split("Open JupyterLab")[0]
