"""The benchmark suite's bookkeeping on fake timings: ratios, PASS/MISS, tables (no timing asserted)."""
import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name):
    """Import benchmarks/<name>.py (benchmarks/ is not a package; run.py imports its sibling harness)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    key = name if name == "harness" else f"_bench_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, BENCH / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[key] = mod  # dataclasses look their module up here
        spec.loader.exec_module(mod)
    return sys.modules[key]


h = _load("harness")
run = _load("run")


@pytest.mark.parametrize("kind, bound, value, expected", [
    ("max_ratio", 1.0, 0.8, "PASS"), ("max_ratio", 1.0, 1.0, "PASS"), ("max_ratio", 1.0, 1.01, "MISS"),
    ("min_speedup", 30, 31.0, "PASS"), ("min_speedup", 30, 29.9, "MISS"),
    ("max_value", 400, 399.0, "PASS"), ("max_value", 400, 401.0, "MISS"),
    ("info", float("nan"), 2.0, "—"), ("max_ratio", 1.0, None, "—"), ("max_ratio", 1.0, float("nan"), "—"),
])
def test_target_judge(kind, bound, value, expected):
    assert h.Target(kind, bound).judge(value) == expected


def test_target_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        h.Target("fastest")


def test_compare_uses_ratio_or_speedup_by_target():
    slower = h.Row.compare("1", "fit", ours=0.003, theirs=0.002, target=h.Target("max_ratio", 1.0))
    assert slower.value == pytest.approx(1.5) and slower.status == "MISS"
    faster = h.Row.compare("2", "path", ours=0.01, theirs=0.5, target=h.Target("min_speedup", 30))
    assert faster.value == pytest.approx(50.0) and faster.status == "PASS"
    missing = h.Row.compare("2", "path", ours=None, theirs=0.5, target=h.Target("min_speedup", 30))
    assert missing.value is None and missing.status == "—"


def test_formatting_units():
    assert h.fmt_time(812e-6) == "812 µs"
    assert h.fmt_time(3.414e-3) == "3.41 ms"
    assert h.fmt_time(1.27) == "1.27 s"
    assert h.fmt_time(None) == "—"
    assert h.fmt_ratio(0.4567) == "0.457×"
    assert h.fmt_value(312.3, "MB") == "312.3 MB"


def test_tables_have_one_line_per_row():
    rows = [h.Row.compare("1", "a | b", 1e-3, 2e-3, h.Target("max_ratio", 1.0), ref_name="Ridge.fit"),
            h.Row("5", "nb: wall time", 12.0, None, 12.0, h.Target("max_value", 30, "s"))]
    md = h.markdown_table(rows).splitlines()
    assert len(md) == 2 + len(rows)
    assert "a \\| b" in md[2] and "0.5×" in md[2] and "PASS" in md[2] and "(Ridge.fit)" in md[2]
    assert "12 s" in md[3] and "≤ 30 s" in md[3]
    con = h.console_table(rows).splitlines()
    assert len(con) == 2 + len(rows) and con[1].startswith("----")


def test_interleave_rotates_and_counts():
    calls = []
    fns = {name: (lambda n=name: calls.append(n)) for name in ("a", "b", "c")}
    t = h.interleave(fns, reps=4, warmup=1)
    assert {k: len(v) for k, v in t.items()} == {"a": 4, "b": 4, "c": 4}
    assert calls[:3] == ["a", "b", "c"]  # warm-up
    assert calls[3:6] == ["a", "b", "c"] and calls[6:9] == ["b", "c", "a"]  # the order rotates


def test_machine_facts_name_blas_env_knobs():
    facts = dict(h.machine_facts())
    assert "CPU count" in facts and "numpy" in facts
    assert "OPENBLAS_CORETYPE" in facts and "OPENBLAS_L2_SIZE" in facts


def test_cli_parsing_and_results_text():
    cfg = run.parse_args(["--quick", "--only", "1,6"])
    assert cfg.cases == ["1", "6"] and cfg.reps == 5
    with pytest.raises(SystemExit):
        run.parse_args(["--only", "9"])
    rows = [h.Row.compare("1", "fit", 1e-3, 2e-3, h.Target("max_ratio", 1.0))]
    text = run.render_results(rows, [("CPU count", "2")], "python benchmarks/run.py --write", "1.00", "2.00", 12.0)
    assert "python benchmarks/run.py --write" in text and "| CPU count | 2 |" in text
    assert "1 PASS, 0 MISS" in text and "1.00 → 2.00" in text


def test_smoke_flag_sets_minimal_repetitions():
    cfg = run.parse_args(["--smoke"])
    assert cfg.smoke and cfg.quick and cfg.reps == 1 and not cfg.make_test and cfg.cases == list(run.RUNNERS)


def test_a_case_that_raises_is_reported_and_fails_the_run(monkeypatch, capsys):
    def broken(cfg):
        raise KeyError("noise_line")

    monkeypatch.setitem(run.RUNNERS, "6", broken)
    rows, errors = run.main(["--smoke", "--only", "6"])
    assert rows == [] and [c for c, _ in errors] == ["6"] and isinstance(errors[0][1], KeyError)
    assert "case 6 FAILED: KeyError" in capsys.readouterr().out


def test_smoke_run_of_every_explorer_case(capsys):
    """Case 3 end to end, once per control: a renamed explorer attribute fails here, not in `make bench`."""
    rows, errors = run.main(["--smoke", "--only", "3"])
    assert errors == []
    names = {r.what.split(":")[0] for r in rows}
    assert {"ridge_explorer", "feature_explorer", "backprop_explorer", "deep_explorer"} <= names
    assert all(r.ours is not None and r.ours > 0 for r in rows)


class _Slider:
    def __init__(self, value, lo, hi, step):
        self.value, self.min, self.max, self.step = value, lo, hi, step


class _Selection:
    def __init__(self, value, values):
        self.value, self.options = value, [(str(v), v) for v in values]


def test_control_tour_spans_the_range_and_ends_at_the_start():
    tour = h.control_tour(_Slider(10, 2, 60, 1), k=4)
    assert tour[0] == 2 and 60 in tour and tour[-1] == 10 and all(isinstance(v, int) for v in tour)
    assert all(a != b for a, b in zip(tour, tour[1:]))
    ftour = h.control_tour(_Slider(0.8, -1.0, 1.0, 0.1), k=3)
    assert ftour == [-1.0, 0.0, 1.0, 0.8]
    stour = h.control_tour(_Selection(0.1, [0.01, 0.1, 3.0]), k=3)
    assert stour == [0.01, 0.1, 3.0, 0.1]


def test_smoke_run_of_every_control_case():
    """Case 7 end to end: every control of every explorer is moved and timed."""
    rows, errors = run.main(["--smoke", "--only", "7"])
    assert errors == []
    whats = {r.what.split(" move")[0] for r in rows}
    assert {"ridge_explorer: n", "ridge_explorer: similarity", "feature_explorer: k", "feature_explorer: distance",
            "backprop_explorer: lr"} <= whats
    assert all(r.ours is not None and r.ours > 0 for r in rows)


def test_results_quote_the_browser_and_scaling_files(tmp_path):
    (tmp_path / "RESULTS-browser.md").write_text("# Browser latency\n\nwritten at noon\n\n## Detail\n| a |\n")
    text = "\n".join(run.companion_sections(tmp_path))
    assert "## Browser latency (quoted from [RESULTS-browser.md](RESULTS-browser.md)" in text
    assert "written at noon" in text and "### Detail" in text  # headings one level down
    assert "## RESULTS-scaling.md: not written yet (run `make scaling`)" in text
    real = run.render_results([], [], "python benchmarks/run.py --write", "1", "1", 1.0)
    assert "Browser latency" in real and "How the cost of ridge grows" in real  # the committed files are quoted
    other = run.render_results([], [], "python benchmarks/run.py --only 4 --write --output x.md", "1", "1", 1.0,
                               companions=False)
    assert "Browser latency" not in other
