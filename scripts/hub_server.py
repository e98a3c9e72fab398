"""A throw-away JupyterHub on 127.0.0.1 for scripts/hub_load.py: start, watch, and kill it all.

DummyAuthenticator (any password), SimpleLocalProcessSpawner (each student's home is a
folder under the work dir holding a copy of ``notebooks/``), configurable-http-proxy from
``.cache/npm`` (``make npm``), a service token with admin rights for the load driver.
Every process the Hub starts is found by walking its process tree (the spawner puts
single-user servers in their own sessions) and killed in :meth:`Hub.stop`.
"""
from __future__ import annotations

import asyncio
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
import urllib.request
from pathlib import Path

import psutil

CONFIG = """
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.db_url = "sqlite:///{work}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{work}/cookie_secret"
c.JupyterHub.pid_file = "{work}/hub.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.concurrent_spawn_limit = 200
c.JupyterHub.active_server_limit = 0
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{work}/home/{{username}}"
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.Spawner.environment = {env!r}
c.JupyterHub.services = [{{"name": "load-driver", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "load-driver", "services": ["load-driver"],
                            "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"]}}]
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    def __init__(self, work: Path, root: Path, root_user: bool):
        self.work, self.root, self.root_user = Path(work), Path(root), root_user
        self.port, self.token = free_port(), secrets.token_hex(32)
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.seen = {}          # pid -> psutil.Process, every process ever seen under the Hub
        self.peak_rss = {}      # student name -> peak RSS of server + kernel (bytes)

    # ------------------------------------------------------------------ start
    def _config(self):
        bindir = Path(sys.executable).parent
        chp = self.root / ".cache" / "npm" / "node_modules" / ".bin" / "configurable-http-proxy"
        if not chp.exists():
            raise SystemExit(f"{chp} missing: run `make npm` (npm ci from package-lock.json)")
        env = {"PYTHONPATH": str(self.root), "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
               "JUPYTER_CONFIG_PATH": str(self.root / "jupyter"), "PATH": f"{bindir}:{os.environ['PATH']}",
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        # root may run Jupyter only when it says so; a normal user needs nothing extra
        args = ["--allow-root"] if self.root_user else []
        args += ["--ServerApp.shutdown_no_activity_timeout=0", "--MappingKernelManager.cull_idle_timeout=0"]
        return CONFIG.format(port=self.port, hub_port=free_port(), proxy_api_port=free_port(), chp=str(chp),
                             work=self.work, singleuser=str(bindir / "jupyterhub-singleuser"), args=args,
                             env=env, token=self.token)

    def start(self, timeout=120):
        (self.work / "home").mkdir(parents=True, exist_ok=True)
        (self.work / "jupyterhub_config.py").write_text(self._config())
        self.log = self.work / "hub.log"
        env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
        with open(self.log, "w") as logf:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(self.work / "jupyterhub_config.py")],
                cwd=self.work, env=env, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterHub exited {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.url}/hub/api/", timeout=5) as r:
                    if r.status == 200:
                        self._track()
                        return
            time.sleep(0.5)
        raise RuntimeError(f"JupyterHub not up after {timeout} s:\n{self.log.read_text()[-3000:]}")

    def home(self, user):
        """Create the student's home with a fresh copy of the chapters (as a course hand-out would)."""
        home = self.work / "home" / user
        shutil.copytree(self.root / "notebooks", home, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        return home

    # ------------------------------------------------------------------ watch
    def _track(self):
        """Every live process under the Hub, remembered for the clean-up."""
        with contextlib.suppress(psutil.Error):
            hub = psutil.Process(self.proc.pid)
            self.seen.setdefault(hub.pid, hub)
            for p in hub.children(recursive=True):
                self.seen.setdefault(p.pid, p)
        return [p for p in self.seen.values() if p.is_running()]

    def cpu_seconds(self):
        total = 0.0
        for p in self._track():
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                total += t.user + t.system
        return total

    def _servers(self):
        """``{student: [server process, kernel processes...]}`` from the process tree."""
        out = {}
        for p in self._track():
            with contextlib.suppress(psutil.Error):
                if any("jupyterhub-singleuser" in a for a in p.cmdline()):
                    user = p.environ().get("JUPYTERHUB_USER")
                    if user:
                        out[user] = [p] + p.children(recursive=True)
        return out

    async def sample_memory(self, students, every=1.0):
        names = {s.name for s in students}
        while True:
            for user, procs in self._servers().items():
                if user in names:
                    rss = 0
                    for p in procs:
                        with contextlib.suppress(psutil.Error):
                            rss += p.memory_info().rss
                    self.peak_rss[user] = max(self.peak_rss.get(user, 0), rss)
            await asyncio.sleep(every)

    def hub_rss(self):
        """RSS of the Hub and the proxy (what the class shares, not per student)."""
        servers = {p.pid for procs in self._servers().values() for p in procs}
        rss = 0
        for p in self._track():
            if p.pid not in servers:
                with contextlib.suppress(psutil.Error):
                    rss += p.memory_info().rss
        return rss

    def api(self, method, path, body=None):
        req = urllib.request.Request(f"{self.url}/hub/api{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            data = r.read()
        return json.loads(data) if data else None

    # ------------------------------------------------------------------ stop
    def stop(self):
        """Stop the Hub, then kill every process it ever had; returns the pids still alive (should be [])."""
        self._track()
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)  # the Hub stops its servers and proxy itself
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        survivors = [p for p in self.seen.values() if _alive(p)]
        for p in survivors:  # each server runs in its own session: kill its group, then itself
            with contextlib.suppress(ProcessLookupError, PermissionError, psutil.Error):
                os.killpg(os.getpgid(p.pid), signal.SIGKILL)
            with contextlib.suppress(psutil.Error):
                p.kill()
        psutil.wait_procs(survivors, timeout=10)
        return [p.pid for p in self.seen.values() if _alive(p)]


def _alive(p):
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
