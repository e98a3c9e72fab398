"""Every claim in a notebook has a test, and every claim test has a claim.

A sentence in a notebook's markdown that predicts what a figure or an explorer
shows carries ``<!-- claim: chNN-some-id -->`` in the same cell. Its test is
``def test_chNN_some_id`` in ``tests/claims/test_chNN.py`` (dashes become
underscores). This module checks the two sides match both ways, that ids are
unique, and that an id's chapter prefix is its notebook's number -- and it
unit-tests the matcher itself on small synthetic inputs, so that it can fail.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NB_DIR = ROOT / "notebooks"
CLAIM_DIR = Path(__file__).resolve().parent

CLAIM = re.compile(r"<!--\s*claim:\s*([^\s>]+)\s*-->")
VALID_ID = re.compile(r"ch(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*")
TEST_NAME = re.compile(r"test_(ch\d\d)_([a-z0-9_]+)")
TEST_FILE = re.compile(r"test_ch(\d\d)\.py")


# ---------------------------------------------------------------- the matcher

def claims_in_notebook(nb, notebook_number):
    """``[(claim id, cell index)]`` of the markdown cells of ``nb``, and a list of problems."""
    found, problems = [], []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for m in CLAIM.finditer(cell.source):
            cid = m[1]
            if not VALID_ID.fullmatch(cid):
                problems.append(f"cell {i}: claim id {cid!r} is not of the form chNN-words-with-dashes")
            elif cid[2:4] != notebook_number:
                problems.append(f"cell {i}: claim {cid!r} sits in notebook {notebook_number}, "
                                f"its id says chapter {cid[2:4]}")
            found.append((cid, i))
    return found, problems


def claim_tests_in_source(source, file_number):
    """``[test id]`` (``chNN-some-id``) of the ``def test_chNN_...`` functions in ``source``, and problems."""
    found, problems = [], []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.name.startswith("test_"):
            continue
        m = TEST_NAME.fullmatch(node.name)
        if m is None:
            continue  # a helper test (e.g. of a fixture) that asserts no claim
        if m[1][2:] != file_number:
            problems.append(f"{node.name} lives in test_ch{file_number}.py but names chapter {m[1][2:]}")
        found.append(f"{m[1]}-{m[2].replace('_', '-')}")
    return found, problems


def match(claims, tests):
    """Problems of a set of notebook claims ``{id: [where, ...]}`` against claim tests ``{id: [where, ...]}``."""
    problems = []
    for cid, where in sorted(claims.items()):
        if len(where) > 1:
            problems.append(f"claim {cid!r} is used more than once: {where}")
        if cid not in tests:
            problems.append(f"claim {cid!r} ({where[0]}) has no test test_{cid.replace('-', '_')}")
    for tid, where in sorted(tests.items()):
        if len(where) > 1:
            problems.append(f"claim test {tid!r} is defined more than once: {where}")
        if tid not in claims:
            problems.append(f"test_{tid.replace('-', '_')} ({where[0]}) tests no claim: no "
                            f"<!-- claim: {tid} --> in notebook {tid[2:4]}")
    return problems


def collect(notebooks, test_files):
    """``(claims, tests, problems)`` over notebook paths and claim-test file paths."""
    claims, tests, problems = {}, {}, []
    for path in notebooks:
        number = path.name[:2]
        found, bad = claims_in_notebook(nbformat.read(path, as_version=4), number)
        problems += [f"{path.name} {p}" for p in bad]
        for cid, i in found:
            claims.setdefault(cid, []).append(f"{path.name} cell {i}")
    for path in test_files:
        m = TEST_FILE.fullmatch(path.name)
        found, bad = claim_tests_in_source(path.read_text(encoding="utf-8"), m[1])
        problems += bad
        for tid in found:
            tests.setdefault(tid, []).append(path.name)
    return claims, tests, problems


# ---------------------------------------------------------------- the real course

def test_every_claim_has_a_test_and_every_test_a_claim():
    notebooks = sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))
    test_files = sorted(p for p in CLAIM_DIR.glob("test_ch*.py") if TEST_FILE.fullmatch(p.name))
    claims, tests, problems = collect(notebooks, test_files)
    problems += match(claims, tests)
    assert not problems, "\n".join(problems)
    assert claims, "no <!-- claim: ... --> found in notebooks/: the scan is broken"


# ---------------------------------------------------------------- the matcher on synthetic inputs

def _nb(*markdown):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(s) for s in markdown]
    nb.cells.append(nbformat.v4.new_code_cell("# <!-- claim: ch01-in-code -->"))  # code cells are not scanned
    return nb


def test_claims_are_found_in_markdown_only():
    nb = _nb("Text. <!-- claim: ch01-best-lam-finite -->", "two <!--claim:ch01-a--> and <!-- claim: ch01-b-2 -->")
    found, problems = claims_in_notebook(nb, "01")
    assert [c for c, _ in found] == ["ch01-best-lam-finite", "ch01-a", "ch01-b-2"]
    assert [i for _, i in found] == [0, 1, 1]
    assert problems == []


@pytest.mark.parametrize("text, fragment", [
    ("<!-- claim: ch02-wrong-chapter -->", "its id says chapter 02"),
    ("<!-- claim: ch1-short -->", "not of the form"),
    ("<!-- claim: ch01_underscores -->", "not of the form"),
    ("<!-- claim: ch01-Upper -->", "not of the form"),
])
def test_bad_claim_ids_are_reported(text, fragment):
    _, problems = claims_in_notebook(_nb(text), "01")
    assert len(problems) == 1 and fragment in problems[0]


def test_claim_tests_are_found_by_name():
    src = ("def test_ch03_eps_best_near_crossing():\n    pass\n"
           "def test_helper_not_a_claim():\n    pass\n"
           "def helper_ch03_x():\n    pass\n"
           "class TestGroup:\n    def test_ch03_in_class(self):\n        pass\n")
    found, problems = claim_tests_in_source(src, "03")
    assert sorted(found) == ["ch03-eps-best-near-crossing", "ch03-in-class"]
    assert problems == []
    _, problems = claim_tests_in_source("def test_ch01_x():\n    pass\n", "03")
    assert problems and "names chapter 01" in problems[0]


def test_match_reports_both_directions_and_duplicates():
    assert match({"ch01-a": ["nb cell 3"]}, {"ch01-a": ["test_ch01.py"]}) == []
    missing_test = match({"ch01-a": ["nb cell 3"]}, {})
    assert len(missing_test) == 1 and "has no test test_ch01_a" in missing_test[0]
    orphan_test = match({}, {"ch01-b-c": ["test_ch01.py"]})
    assert len(orphan_test) == 1 and "tests no claim" in orphan_test[0] and "ch01-b-c" in orphan_test[0]
    dup_claim = match({"ch01-a": ["nb cell 3", "nb cell 9"]}, {"ch01-a": ["test_ch01.py"]})
    assert len(dup_claim) == 1 and "more than once" in dup_claim[0]
    dup_test = match({"ch01-a": ["nb cell 3"]}, {"ch01-a": ["test_ch01.py", "test_ch01.py"]})
    assert len(dup_test) == 1 and "defined more than once" in dup_test[0]


def test_collect_on_files(tmp_path):
    nb = _nb("<!-- claim: ch05-x-y -->", "<!-- claim: ch05-orphan -->")
    nbformat.write(nb, tmp_path / "05_demo.ipynb")
    (tmp_path / "test_ch05.py").write_text("def test_ch05_x_y():\n    pass\ndef test_ch05_no_claim():\n    pass\n")
    claims, tests, problems = collect([tmp_path / "05_demo.ipynb"], [tmp_path / "test_ch05.py"])
    assert problems == []
    assert set(claims) == {"ch05-x-y", "ch05-orphan"} and set(tests) == {"ch05-x-y", "ch05-no-claim"}
    report = match(claims, tests)
    assert len(report) == 2
    assert any("ch05-orphan" in p and "has no test" in p for p in report)
    assert any("ch05-no-claim" in p and "tests no claim" in p for p in report)
