"""Timing, judging and formatting for the tlearn benchmarks (no torch, no tlearn imports).

Everything here is pure Python + NumPy so that ``tests/test_benchmarks_smoke.py``
can check the PASS/MISS logic and the table formatting on fake timings.
"""
from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["Target", "Row", "interleave", "summary", "control_tour", "fmt_time", "fmt_ratio", "fmt_value",
           "markdown_table", "console_table", "machine_facts"]


@dataclass(frozen=True)
class Target:
    """A bar to clear.

    kind:
      ``"max_ratio"``   tlearn / reference <= bound  (e.g. "no slower than Ridge": bound 1.0)
      ``"min_speedup"`` reference / tlearn >= bound  (e.g. "30x faster": bound 30)
      ``"max_value"``   a measured value <= bound, in ``unit`` (seconds, MB)
      ``"info"``        no bar: reported only
    """

    kind: str
    bound: float = float("nan")
    unit: str = ""

    def __post_init__(self):
        if self.kind not in ("max_ratio", "min_speedup", "max_value", "info"):
            raise ValueError(f"Target.kind must be max_ratio, min_speedup, max_value or info, got {self.kind!r}")

    def text(self):
        if self.kind == "max_ratio":
            return f"≤ {self.bound:g}×"
        if self.kind == "min_speedup":
            return f"≥ {self.bound:g}× faster"
        if self.kind == "max_value":
            return f"≤ {self.bound:g} {self.unit}".rstrip()
        return "—"

    def judge(self, value):
        """'PASS', 'MISS', or '—' (info, or nothing measured)."""
        if self.kind == "info" or value is None or not np.isfinite(value):
            return "—"
        if self.kind == "min_speedup":
            return "PASS" if value >= self.bound else "MISS"
        return "PASS" if value <= self.bound else "MISS"


@dataclass
class Row:
    """One line of the results table.

    ``ours``/``theirs`` are times in seconds (medians) or None; ``value`` is
    what the target judges (ratio, speedup, seconds or MB); ``extra`` is an
    optional short note (p95, accuracy, ...).
    """

    case: str
    what: str
    ours: float | None
    theirs: float | None
    value: float | None
    target: Target
    extra: str = ""
    ref_name: str = ""
    status: str = field(init=False)

    def __post_init__(self):
        self.status = self.target.judge(self.value)

    @classmethod
    def compare(cls, case, what, ours, theirs, target, extra="", ref_name=""):
        """A row from two medians: ratio ours/theirs or speedup theirs/ours per the target kind."""
        if ours is None or theirs is None or ours <= 0 or theirs <= 0:
            value = None
        elif target.kind == "min_speedup":
            value = theirs / ours
        else:
            value = ours / theirs
        return cls(case, what, ours, theirs, value, target, extra, ref_name)

    def value_text(self):
        if self.value is None:
            return "—"
        if self.target.kind in ("max_ratio", "min_speedup") or (self.target.kind == "info" and self.theirs):
            return fmt_ratio(self.value)
        return fmt_value(self.value, self.target.unit)


def interleave(fns: dict, reps: int, warmup: int = 1, budget: float | None = None) -> dict:
    """Time each callable ``reps`` times, round-robin (the order rotates every round).

    Side-by-side repetitions mean background load hits every contender alike,
    so the ratios of the medians hold even when absolute times are noisy.
    ``budget`` (seconds) stops early once it is spent (at least 3 rounds).
    Returns ``{name: np.array of seconds}``.
    """
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    times = {name: [] for name in names}
    t_start = time.perf_counter()
    for r in range(reps):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            t0 = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - t0)
        if budget is not None and r >= 2 and time.perf_counter() - t_start > budget:
            break
    return {name: np.asarray(ts) for name, ts in times.items()}


def control_tour(control, k=6):
    """``k`` values of a slider-like control spread over its whole range (both ends), never the same twice
    in a row, ending on its current value.

    Duck-typed: a ``.options`` sequence of ``(label, value)`` pairs (a selection slider) or
    ``.min``/``.max``/``.step`` (a numeric slider; integer values when all three are ints).
    """
    if hasattr(control, "options"):
        values = [v for _, v in control.options]
        picks = [values[int(round(i))] for i in np.linspace(0, len(values) - 1, k)]
    else:
        lo, hi, step = control.min, control.max, control.step
        grid = np.linspace(lo, hi, k)
        picks = [lo + round((g - lo) / step) * step for g in grid]
        if all(isinstance(x, int) for x in (lo, hi, step)):
            picks = [int(round(x)) for x in picks]
        else:
            picks = [round(float(x), 10) for x in picks]
    tour = []
    for v in picks + [control.value]:
        if not tour or tour[-1] != v:
            tour.append(v)
    return tour


def summary(ts) -> tuple[float, float]:
    """(median, 95th percentile) of a sample of times."""
    ts = np.asarray(ts, dtype=float)
    return float(np.median(ts)), float(np.percentile(ts, 95))


def fmt_time(s):
    """Seconds with a readable unit: 812 µs, 3.41 ms, 1.27 s."""
    if s is None or not np.isfinite(s):
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1.0:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def fmt_ratio(r):
    if r is None or not np.isfinite(r):
        return "—"
    return f"{r:.3g}×"


def fmt_value(v, unit):
    if v is None or not np.isfinite(v):
        return "—"
    if unit == "s":
        return fmt_time(v)
    return f"{v:.4g} {unit}".rstrip()


_HEAD = ["case", "measurement", "tlearn", "reference", "ratio / value", "target", "status", "notes"]


def _cells(row):
    ref = fmt_time(row.theirs)
    if row.ref_name and row.theirs is not None:
        ref = f"{ref} ({row.ref_name})"
    return [row.case, row.what, fmt_time(row.ours), ref, row.value_text(), row.target.text(), row.status, row.extra]


def markdown_table(rows):
    lines = ["| " + " | ".join(_HEAD) + " |", "|" + "---|" * len(_HEAD)]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in _cells(row)) + " |")
    return "\n".join(lines)


def console_table(rows):
    cells = [_HEAD] + [_cells(r) for r in rows]
    widths = [max(len(c[j]) for c in cells) for j in range(len(_HEAD))]
    out = []
    for i, c in enumerate(cells):
        out.append("  ".join(x.ljust(w) for x, w in zip(c, widths)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_facts():
    """Ordered (name, value) facts: CPUs, load, Python, NumPy and its BLAS, env knobs that slow BLAS."""
    from importlib import metadata

    facts = [("CPU", _cpu_model())]
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count()
    facts.append(("CPU count", f"{os.cpu_count()} (usable: {usable})"))
    try:
        facts.append(("load average (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in os.getloadavg())))
    except OSError:  # pragma: no cover
        pass
    facts.append(("Python", sys.version.split()[0] + f" ({platform.python_implementation()}, {platform.system()})"))
    for pkg in ("numpy", "scikit-learn", "matplotlib", "ipywidgets", "torch", "threadpoolctl"):
        try:
            facts.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            facts.append((pkg, "not installed"))
    try:
        from threadpoolctl import threadpool_info

        import numpy  # noqa: F401  (load its BLAS so threadpoolctl sees it)

        for info in threadpool_info():
            lib = os.path.basename(info.get("filepath", ""))
            facts.append((f"{info['user_api']} ({lib})",
                          f"{info.get('internal_api')} {info.get('version')}, {info.get('num_threads')} threads, "
                          f"arch {info.get('architecture', '?')}"))
    except ImportError:
        facts.append(("BLAS", "threadpoolctl not installed"))
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                "MKL_NUM_THREADS"):
        facts.append((var, os.environ.get(var, "(unset)")))
    return facts
