#!/usr/bin/env python3
"""A class on one JupyterHub, measured (``make hub-load``, ``make hub-load-small``).

For each class size N this script starts a real JupyterHub (``requirements-hub.txt``) with
its configurable-http-proxy (npm, ``package-lock.json``), a DummyAuthenticator and the
SimpleLocalProcessSpawner, everything bound to 127.0.0.1, and drives N simulated students
at once. Each student

1. logs in through the Hub's login form (``/hub/login``, XSRF token and cookie as a browser),
2. gets a server started (Hub REST API) and waits until it answers through the proxy,
3. opens chapter 1 (``01_parameter_transfer.ipynb``) and runs every code cell through the
   real kernel websocket (``/user/<name>/api/kernels/<id>/channels``, via the proxy),
4. moves the ridge explorer's sliders at a human pace (one move every ``--pace`` s,
   jittered, seeded) for ``--seconds`` s, by the comm message a browser sends, and times
   slider -> new frame: from sending the update to the Image widget's update arriving.

A move with no new frame within ``--timeout`` s, or any error, is a failure. Reported per N:
latency p50/p95, failures, memory per student (peak RSS of each single-user server plus its
kernel), and server CPU (CPU seconds of the Hub, proxy, servers and kernels per wall second
of the slider phase, in cores). The Hub and everything under it are killed at the end
(process groups, then any survivor found by walking the process tree), and the script checks
that none is left. The last line reads
``hub-load: N students, p50 X ms, p95 Y ms, failures F, Z MB per student`` (largest N).

Usage: ``python scripts/hub_load.py --students 5,10,20 --seconds 60 [--write benchmarks/RESULTS-hub.md]``
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hub_server import Hub  # noqa: E402
from hub_student import Student, StudentFailed  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "01_parameter_transfer.ipynb"
SETUP_LIMIT = 900  # s: every student logged in, server up, chapter run


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")  # so the finally blocks kill the Hub and its servers


async def run_class(hub, n, seconds, pace, timeout, seed):
    """Drive ``n`` students at once; returns their Student objects (latencies, failures)."""
    students = [Student(hub, f"student{i:03d}", rng=np.random.default_rng([seed, i]), pace=pace,
                        timeout=timeout) for i in range(n)]

    async def one(s, i):
        await asyncio.sleep(0.2 * i)  # students arrive over a few seconds, not in one instant
        try:
            await s.setup(CHAPTER)
        except StudentFailed as exc:
            s.fail(f"setup: {exc}")
            return
        except Exception as exc:  # noqa: BLE001 -- a failed student is a result, not a crash
            s.fail(f"setup: {type(exc).__name__}: {exc}")
            return

    await asyncio.gather(*(one(s, i) for i, s in enumerate(students)))
    ready = [s for s in students if s.ready]
    cpu0, t0 = hub.cpu_seconds(), time.monotonic()
    sampler = asyncio.create_task(hub.sample_memory(ready))
    await asyncio.gather(*(s.move_sliders(seconds) for s in ready))
    sampler.cancel()
    wall = time.monotonic() - t0
    cpu_cores = (hub.cpu_seconds() - cpu0) / wall
    for s in ready:
        await s.close()
    return students, cpu_cores, wall


def summarise(n, students, cpu_cores, wall, memory):
    lat = np.array([x for s in students for x in s.latencies_ms]) if students else np.array([])
    failures = sum(len(s.failures) for s in students)
    mb = [memory[s.name] / 2**20 for s in students if s.name in memory]
    return {"n": n, "moves": int(lat.size), "p50": float(np.percentile(lat, 50)) if lat.size else float("nan"),
            "p95": float(np.percentile(lat, 95)) if lat.size else float("nan"),
            "max": float(lat.max()) if lat.size else float("nan"), "failures": failures,
            "mb_per_student": float(np.mean(mb)) if mb else float("nan"),
            "mb_max": float(np.max(mb)) if mb else float("nan"), "cpu_cores": cpu_cores, "wall": wall,
            "setup_s": float(np.median([s.setup_seconds for s in students if s.setup_seconds])) if any(
                s.setup_seconds for s in students) else float("nan"),
            "errors": [f for s in students for f in s.failures][:10]}


def measure(n, args, work):
    hub = Hub(work / f"hub-{n}", ROOT, root_user=os.geteuid() == 0)
    try:
        hub.start()
        # the whole class has a hard time limit: the run stops by itself even if a server hangs
        limit = SETUP_LIMIT + args.seconds + 2 * args.timeout
        students, cpu_cores, wall = asyncio.run(asyncio.wait_for(
            run_class(hub, n, args.seconds, args.pace, args.timeout, args.seed), limit))
        row = summarise(n, students, cpu_cores, wall, hub.peak_rss)
        row["hub_mb"] = hub.hub_rss() / 2**20
    finally:
        left = hub.stop()
    row["left_over"] = left
    if left:
        row["failures"] += len(left)
        row["errors"].append(f"{len(left)} processes survived the clean-up: {left}")
    return row


TABLE_HEAD = ("| students | slider moves | p50 (ms) | p95 (ms) | max (ms) | failures | MB per student "
              "| max MB | Hub+proxy MB | server CPU (cores) | median log-in→chapter run (s) |\n"
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def table(rows):
    lines = [TABLE_HEAD]
    for r in rows:
        lines.append(f"| {r['n']} | {r['moves']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['max']:.0f} | "
                     f"{r['failures']} | {r['mb_per_student']:.0f} | {r['mb_max']:.0f} | {r['hub_mb']:.0f} | "
                     f"{r['cpu_cores']:.2f} | {r['setup_s']:.0f} |")
    return "\n".join(lines)


def write_results(path, rows, args):
    text = f"""# A class on one JupyterHub: measured

Written by `make hub-load` (`scripts/hub_load.py {' '.join(sys.argv[1:])}`); do not edit by hand.

Machine: {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB, Python {platform.python_version()},
JupyterHub {hub_version()}, configurable-http-proxy from `package-lock.json`, DummyAuthenticator,
SimpleLocalProcessSpawner, all on 127.0.0.1. The load driver runs on the same cores.

Each student logs in through `/hub/login`, gets a server, opens `notebooks/{CHAPTER}`, runs every
code cell through the kernel websocket, then moves the ridge explorer's sliders (λ by 1-3 steps three times in four,
otherwise the similarity slider) once every {args.pace:g} s ± 50 % for {args.seconds:g} s. Latency: from sending
the slider's comm update to the Image widget's new frame arriving over the websocket.
A move without a frame within {args.timeout:g} s is a failure. Memory: peak RSS of each student's
single-user server plus its kernel. Server CPU: CPU seconds of the Hub, proxy, servers and
kernels per wall-clock second of the slider phase (1.00 = one core busy).

{table(rows)}
"""
    Path(path).write_text(text)


def hub_version():
    import jupyterhub

    return jupyterhub.__version__


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", default="3", help="comma-separated class sizes, e.g. 5,10,20")
    parser.add_argument("--seconds", type=float, default=60, help="slider phase per class size (s)")
    parser.add_argument("--pace", type=float, default=2.0, help="mean seconds between a student's moves")
    parser.add_argument("--timeout", type=float, default=60, help="a move without a new frame by then fails")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", default=None, help="write the Markdown table here")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.students.split(",")]
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    work = Path(tempfile.mkdtemp(prefix="tlearn-hub-"))
    rows = []
    try:
        for n in sizes:
            print(f"== {n} students", flush=True)
            row = measure(n, args, work)
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "errors"}), flush=True)
            for e in row["errors"]:
                print(f"   failure: {e}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table(rows))
    if args.write:
        write_results(args.write, rows, args)
        print(f"wrote {args.write}")
    last = rows[-1]
    print(f"hub-load: {last['n']} students, p50 {last['p50']:.0f} ms, p95 {last['p95']:.0f} ms, "
          f"failures {last['failures']}, {last['mb_per_student']:.0f} MB per student")
    return 1 if any(r["failures"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
