"""One simulated student for scripts/hub_load.py: the Hub's login form, then the kernel websocket.

Speaks what JupyterLab speaks: HTTP through the Hub's proxy (tornado's AsyncHTTPClient), the
kernel's ``/channels`` websocket (tornado's websocket client; Jupyter's message protocol 5.3,
binary frames in jupyter_server's legacy layout), and the ipywidgets comm messages a slider
sends (``{"method": "update", "state": {...}}``). A move is answered when the explorer's
Image widget (CSS class ``tlearn-figure``) sends its new PNG back.
"""
from __future__ import annotations

import asyncio
import json
import re
import struct
import time
import urllib.parse
import uuid
from datetime import datetime, timezone

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

AsyncHTTPClient.configure(None, max_clients=200)


class StudentFailed(RuntimeError):
    pass


def _cookies(response, jar):
    for header in response.headers.get_list("Set-Cookie"):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def parse_frame(frame):
    """A kernel message from a websocket frame (text JSON, or jupyter_server's legacy binary layout)."""
    if isinstance(frame, str):
        return json.loads(frame)
    (n,) = struct.unpack("!I", frame[:4])
    offsets = list(struct.unpack(f"!{n}I", frame[4:4 + 4 * n])) + [len(frame)]
    msg = json.loads(frame[offsets[0]:offsets[1]].decode())
    msg["buffers"] = [frame[offsets[i]:offsets[i + 1]] for i in range(1, n)]
    return msg


class Student:
    def __init__(self, hub, name, rng, pace, timeout):
        self.hub, self.name, self.rng, self.pace, self.timeout = hub, name, rng, pace, timeout
        self.http = AsyncHTTPClient()
        self.session = uuid.uuid4().hex
        self.latencies_ms, self.failures = [], []
        self.ready, self.setup_seconds = False, None
        self.widgets = {}          # comm_id -> (model_name, dom classes, state)
        self.waiters = {}          # msg_id -> Future (execute_reply + idle) ; "frame" -> Future
        self.ws = self.reader = None

    def fail(self, why):
        self.failures.append(f"{self.name}: {why}")

    # ------------------------------------------------------------------ HTTP
    async def _fetch(self, path, method="GET", body=None, token=None, headers=None, **kw):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"token {token}"
        req = HTTPRequest(f"{self.hub.url}{path}", method=method, headers=h, body=body,
                          request_timeout=self.timeout * 2, follow_redirects=False, **kw)
        return await self.http.fetch(req, raise_error=False)

    async def login(self):
        """The Hub's login form, as a browser fills it in (XSRF cookie + hidden field)."""
        page = await self._fetch("/hub/login")
        jar = _cookies(page, {})
        m = re.search(r'name="_xsrf"[^>]*value="([^"]+)"', page.body.decode())
        if page.code != 200 or not m:
            raise StudentFailed(f"login page: HTTP {page.code}")
        body = urllib.parse.urlencode({"username": self.name, "password": "any", "_xsrf": m[1]})
        r = await self._fetch("/hub/login", "POST", body, headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Content-Type": "application/x-www-form-urlencoded"})
        if r.code != 302 or "jupyterhub-hub-login" not in _cookies(r, {}):
            raise StudentFailed(f"login: HTTP {r.code}, no Hub login cookie")

    async def start_server(self):
        """The user's API token and a running server, reached through the proxy."""
        admin = self.hub.token
        r = await self._fetch(f"/hub/api/users/{self.name}/tokens", "POST",
                              json.dumps({"note": "hub_load", "expires_in": 7200}), token=admin)
        if r.code != 201:
            raise StudentFailed(f"token: HTTP {r.code} {r.body[:200]!r}")
        self.token = json.loads(r.body)["token"]
        self.hub.home(self.name)
        r = await self._fetch(f"/hub/api/users/{self.name}/server", "POST", "{}", token=admin)
        if r.code not in (201, 202):
            raise StudentFailed(f"spawn: HTTP {r.code} {r.body[:200]!r}")
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            r = await self._fetch(f"/user/{self.name}/api/status", token=self.token)
            if r.code == 200:
                return
            await asyncio.sleep(0.5)
        raise StudentFailed("server not reachable through the proxy after 300 s")

    # ------------------------------------------------------------------ kernel
    async def open_chapter(self, chapter):
        r = await self._fetch(f"/user/{self.name}/api/contents/{chapter}", token=self.token)
        if r.code != 200:
            raise StudentFailed(f"open {chapter}: HTTP {r.code}")
        cells = [c["source"] for c in json.loads(r.body)["content"]["cells"] if c["cell_type"] == "code"]
        body = json.dumps({"path": chapter, "type": "notebook", "name": chapter, "kernel": {"name": "python3"}})
        r = await self._fetch(f"/user/{self.name}/api/sessions", "POST", body, token=self.token)
        if r.code != 201:
            raise StudentFailed(f"session: HTTP {r.code} {r.body[:200]!r}")
        kernel = json.loads(r.body)["kernel"]["id"]
        url = (f"{self.hub.url.replace('http', 'ws', 1)}/user/{self.name}/api/kernels/{kernel}/channels"
               f"?session_id={self.session}")
        self.ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.token}"}),
                                          max_message_size=256 * 2**20)
        self.reader = asyncio.create_task(self._read())
        return cells

    def _msg(self, msg_type, content, channel="shell"):
        msg_id = uuid.uuid4().hex
        return msg_id, json.dumps({
            "header": {"msg_id": msg_id, "username": self.name, "session": self.session, "msg_type": msg_type,
                       "version": "5.3", "date": datetime.now(timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []})

    async def _read(self):
        pending = {}  # msg_id -> {"reply": content, "idle": bool}
        while True:
            frame = await self.ws.read_message()
            if frame is None:
                for fut in self.waiters.values():
                    if not fut.done():
                        fut.set_exception(StudentFailed("websocket closed"))
                return
            msg = parse_frame(frame)
            kind, parent = msg["header"]["msg_type"], msg["parent_header"].get("msg_id")
            content = msg["content"]
            if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                state = content["data"]["state"]
                self.widgets[content["comm_id"]] = (state.get("_model_name"), state.get("_dom_classes", []), state)
            elif kind == "comm_msg" and content["data"].get("method") == "update":
                known = self.widgets.get(content["comm_id"])
                if known is not None:  # e.g. add_class after creation arrives as an update
                    known[2].update(content["data"].get("state", {}))
                    self.widgets[content["comm_id"]] = (known[0], known[2].get("_dom_classes", []), known[2])
                if content["comm_id"] == getattr(self, "image", None) and msg.get("buffers"):
                    fut = self.waiters.get("frame")
                    if fut is not None and not fut.done():
                        fut.set_result(time.monotonic())
            if parent in self.waiters and kind in ("execute_reply", "status"):
                seen = pending.setdefault(parent, {})
                if kind == "execute_reply":
                    seen["reply"] = content
                elif content.get("execution_state") == "idle":
                    seen["idle"] = True
                if "reply" in seen and seen.get("idle") and not self.waiters[parent].done():
                    self.waiters.pop(parent).set_result(pending.pop(parent)["reply"])

    async def execute(self, code):
        msg_id, text = self._msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                                     "user_expressions": {}, "allow_stdin": False,
                                                     "stop_on_error": True})
        self.waiters[msg_id] = asyncio.get_running_loop().create_future()
        await self.ws.write_message(text)
        reply = await asyncio.wait_for(self.waiters[msg_id], 600)
        if reply.get("status") != "ok":
            raise StudentFailed(f"cell failed: {reply.get('ename')}: {reply.get('evalue')}")

    def _find(self, css):
        ids = [cid for cid, (_, classes, _) in self.widgets.items() if css in classes]
        if not ids:
            raise StudentFailed(f"chapter 1 displayed no widget with class {css}")
        return ids[0]

    async def setup(self, chapter):
        t0 = time.monotonic()
        await self.login()
        await self.start_server()
        for code in await self.open_chapter(chapter):
            await self.execute(code)
        self.image, self.lam, self.sim = (self._find(c) for c in ("tlearn-figure", "tlearn-lam", "tlearn-similarity"))
        lam_state = self.widgets[self.lam][2]
        self.lam_index, self.lam_count = lam_state["index"], len(lam_state["_options_labels"])
        sim = self.widgets[self.sim][2]
        self.sim_value, self.sim_range = sim["value"], (sim["min"], sim["max"], sim.get("step") or 0.1)
        self.setup_seconds, self.ready = time.monotonic() - t0, True

    # ------------------------------------------------------------------ sliders
    def _next_move(self):
        """A student's move: mostly λ by one to three steps (as arrow keys or a short drag), sometimes the similarity."""
        if self.rng.random() < 0.75:
            step = int(self.rng.integers(1, 4)) * (1 if self.rng.random() < 0.5 else -1)
            new = self.lam_index + step
            if not 0 <= new < self.lam_count:
                new = self.lam_index - step
            self.lam_index = new
            return self.lam, {"index": new}
        lo, hi, step = self.sim_range
        choices = [v for v in (self.sim_value - 2 * step, self.sim_value + 2 * step) if lo <= v <= hi]
        self.sim_value = round(float(self.rng.choice(choices)), 6)
        return self.sim, {"value": self.sim_value}

    async def move_sliders(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.failures:
            comm, state = self._next_move()
            _, text = self._msg("comm_msg", {"comm_id": comm, "data": {"method": "update", "state": state,
                                                                        "buffer_paths": []}})
            fut = self.waiters["frame"] = asyncio.get_running_loop().create_future()
            t0 = time.monotonic()
            await self.ws.write_message(text)
            try:
                t1 = await asyncio.wait_for(fut, self.timeout)
            except asyncio.TimeoutError:
                self.fail(f"no new frame {self.timeout:g} s after moving to {state}")
                break
            except StudentFailed as exc:
                self.fail(str(exc))
                break
            self.latencies_ms.append((t1 - t0) * 1000)
            await asyncio.sleep(self.pace * float(self.rng.uniform(0.5, 1.5)))

    async def close(self):
        if self.ws is not None:
            self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
