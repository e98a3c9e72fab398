"""Real-browser fixtures: a private JupyterLab and Voilà on 127.0.0.1, headless Chromium via Playwright.

Every server gets a free port, its own token and its own config/data/runtime/settings/
workspaces folders, and serves a *copy* of notebooks/ (so nothing in the repository is
autosaved over). Servers are killed (whole process group) when the session ends.

Skips with a clear reason when Chromium or Playwright is missing -- unless the
environment sets ``TLEARN_REQUIRE_BROWSER=1`` (CI), where a missing browser fails.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"
#: Hosts of the servers the tests start; no other host resolves, and a page that asks one fails its test.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
#: The one web request a page may make (it does not resolve either): Voilà's own "lab" template links
#: FontAwesome's stylesheets from a CDN. No dashboard shows an icon, so offline nothing changes (the
#: dashboard tests pass without it).
KNOWN_OFF_HOST = ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@",)
CHROMIUM = os.environ.get("TLEARN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 # as on a hub without internet access: no host but the local servers resolves
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
REQUIRE = os.environ.get("TLEARN_REQUIRE_BROWSER") == "1"
SERVER_START_TIMEOUT = 90  # s

# JupyterLab user settings: no autosave, no news/update checks (no network), every cell in the DOM.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _missing_browser():
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser_available():
    reason = _missing_browser()
    if reason:
        if REQUIRE:
            pytest.fail(f"TLEARN_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}", pytrace=False)
        pytest.skip(f"real-browser tests skipped: {reason}")
    return True


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url, proc, log, timeout=SERVER_START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{Path(log).read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server not ready after {timeout} s:\n{Path(log).read_text()[-3000:]}")


def _stop(proc):
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


class Server:
    def __init__(self, url, token, root, proc, log):
        self.url, self.token, self.root, self.proc, self.log = url, token, root, proc, log

    def api(self, path, method="GET"):
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_sessions(self):
        """Shut down every kernel session (keeps memory flat between sequential tests)."""
        with contextlib.suppress(Exception):
            for s in self.api("/api/sessions"):
                self.api(f"/api/sessions/{s['id']}", method="DELETE")


def _jupyter_env(home: Path):
    """Private Jupyter folders under ``home``; the venv's bin first on PATH (the kernel is this Python)."""
    env = dict(os.environ)
    for key, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")]:
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[key] = str(home / sub)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["MPLBACKEND"] = "Agg"
    env["PYTHONHASHSEED"] = "0"
    env.pop("JUPYTER_PATH", None)
    return env


@contextlib.contextmanager
def _serve(cmd, env, url, ready_path, token, root, log):
    with open(log, "w") as logf:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=logf, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_http(f"{url}{ready_path}", proc, log)
        yield Server(url, token, root, proc, log)
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def served_tree(tmp_path_factory):
    """A copy of notebooks/ for the servers (JupyterLab must not write into the repository)."""
    dst = tmp_path_factory.mktemp("served") / "notebooks"
    shutil.copytree(NOTEBOOKS, dst, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dst


@pytest.fixture(scope="session")
def jupyter_lab(browser_available, served_tree, tmp_path_factory):
    home = tmp_path_factory.mktemp("lab-home")
    env = _jupyter_env(home)
    for name, value in LAB_SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
           "--ServerApp.open_browser=False", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={served_tree}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.news_url=None", "--ServerApp.shutdown_no_activity_timeout=900",
           "--MappingKernelManager.cull_idle_timeout=0"]
    with _serve(cmd, env, url, f"/api/status?token={token}", token, served_tree, home / "lab.log") as server:
        yield server


@pytest.fixture(scope="session")
def voila_server(browser_available, served_tree, tmp_path_factory):
    home = tmp_path_factory.mktemp("voila-home")
    env = _jupyter_env(home)
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "voila", str(served_tree / "dashboards"), "--no-browser",
           "--Voila.ip=127.0.0.1", f"--port={port}", f"--token={token}", "--show_tracebacks=True"]
    with _serve(cmd, env, url, f"/?token={token}", token, served_tree / "dashboards", home / "voila.log") as server:
        yield server


@pytest.fixture(scope="session")
def browser(browser_available):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, request):
    """A fresh page (1400x1000); a full-page screenshot goes to test-artifacts/ if the test fails."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    messages = []
    pg.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    pg.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    pg.console_messages_seen = messages
    # The tests run as on a hub without internet access (CHROMIUM_ARGS: no other host resolves), and
    # every request to another host is recorded; every answer of 400 or more is kept too.
    pg.off_host, pg.bad_responses = [], []
    pg.on("request", lambda r: pg.off_host.append(r.url) if _off_host(r.url) else None)
    pg.on("response", lambda r: pg.bad_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    yield pg
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    unexpected = sorted({u for u in pg.off_host if not u.startswith(KNOWN_OFF_HOST)})
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in request.node.name)
        with contextlib.suppress(Exception):
            pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, timeout=15_000)
        (ARTIFACTS / f"{name}.console.txt").write_text("\n".join(messages[-200:]))
    context.close()
    # nothing is downloaded at run time: a page of ours that asks the web for anything fails its test
    assert failed or not unexpected, f"the page asked for files outside the local servers: {unexpected[:5]}"


def _off_host(url):
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname not in LOCAL_HOSTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
