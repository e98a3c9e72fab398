"""scripts/hub_load.py's pieces that need no Hub: frame decoding, the Hub's config, the summary.

(The Hub itself runs in CI as ``make hub-load-small``.)
"""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
pytest.importorskip("tornado")
psutil = pytest.importorskip("psutil")
import hub_load  # noqa: E402
import hub_server  # noqa: E402
import hub_student  # noqa: E402


def test_binary_frame_decodes_like_jupyter_server_encodes():
    from jupyter_server.services.kernels.connection.base import serialize_binary_message  # the server's encoder

    msg = {"header": {"msg_type": "comm_msg", "msg_id": "1"}, "parent_header": {}, "metadata": {},
           "content": {"comm_id": "c", "data": {"method": "update", "state": {}, "buffer_paths": [["value"]]}},
           "buffers": [b"\x89PNG-bytes", b"second"]}
    out = hub_student.parse_frame(serialize_binary_message(dict(msg)))
    assert out["content"] == msg["content"] and out["buffers"] == [b"\x89PNG-bytes", b"second"]
    assert hub_student.parse_frame(json.dumps({"a": 1})) == {"a": 1}


def test_hub_config_stays_on_loopback_and_allows_root_only_for_root(tmp_path):
    chp = ROOT / ".cache" / "npm" / "node_modules" / ".bin" / "configurable-http-proxy"
    if not chp.exists():
        pytest.skip("configurable-http-proxy not installed (make npm)")
    for root_user in (True, False):
        text = hub_server.Hub(tmp_path, ROOT, root_user=root_user)._config()
        ast.parse(text)  # valid Python
        assert 'c.JupyterHub.ip = "127.0.0.1"' in text and 'c.Spawner.ip = "127.0.0.1"' in text
        assert 'c.JupyterHub.hub_ip = "127.0.0.1"' in text and "http://127.0.0.1:" in text
        assert ("--allow-root" in text) == root_user


def test_summary_percentiles_and_failures():
    class S:
        def __init__(self, name, lat, failures=()):
            self.name, self.latencies_ms, self.failures, self.setup_seconds = name, lat, list(failures), 10.0

    lat = list(range(1, 101))
    row = hub_load.summarise(2, [S("a", lat[:50]), S("b", lat[50:], ["b: timeout"])], 0.5, 60.0,
                             {"a": 100 * 2**20, "b": 300 * 2**20})
    assert row["moves"] == 100 and row["failures"] == 1 and row["mb_per_student"] == 200
    assert row["p50"] == pytest.approx(np.median(lat)) and row["p95"] == pytest.approx(95.05)
