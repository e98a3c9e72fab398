"""Classroom tools: student copies of the notebooks and a list of their exercises.

Usage::

    python -m tlearn.classroom student notebooks/ out/student/   # write student copies
    python -m tlearn.classroom check notebooks/                  # list every exercise

Chapters lay an implement exercise out as stub (tagged ``exercise``) -> check
-> collapsed solution (tagged ``solution``) -> the same check again. In a student
copy such a solution is *dropped*, with its re-check, so the student sees the
stub once. A solution cell with no stub above it (the older layout) is replaced
by a stub instead: a ``def`` keeps its signature (and docstring) with a body that
raises ``NotImplementedError``; any other code becomes a single ``raise``; a
markdown solution becomes a prompt. Outputs of those cells are cleared. Such a
stub and the check cell right after it are tagged ``exercise`` and
``raises-exception`` / ``nbval-raises-exception``, so "Run all" in JupyterLab and
``pytest --nbval-lax`` run past them while the rest of the notebook still runs.
Everything that is not a notebook (data, dashboards/ ...) is copied unchanged.

This module imports only the standard library and :mod:`nbformat` (which comes
with Jupyter), never the maths.
"""
from __future__ import annotations

import argparse
import ast
import copy
import re
import shutil
import sys
from pathlib import Path

SOLUTION_TAG = "solution"
EXERCISE_TAGS = ("exercise", "raises-exception", "nbval-raises-exception")
STUB_MESSAGE = "Exercise: write your solution here"
STUB_RAISE = f'raise NotImplementedError("{STUB_MESSAGE}")'
STUB_HEADER = "# \N{PENCIL} EXERCISE -- replace the `raise NotImplementedError(...)` with your solution."
MARKDOWN_STUB = "**\N{PENCIL} Exercise -- write your answer here.**"
SKIP_DIRS = {".ipynb_checkpoints", "__pycache__"}

__all__ = ["ClassroomError", "stub_source", "student_notebook", "write_student_copies", "list_exercises", "main"]


def _nbformat():
    try:
        import nbformat
    except ImportError as exc:  # pragma: no cover - nbformat ships with Jupyter
        raise ImportError("tlearn.classroom needs nbformat (installed with jupyterlab / nbconvert)") from exc
    return nbformat


def _tags(cell):
    return list(cell.get("metadata", {}).get("tags", []))


def is_solution(cell):
    """True when ``cell`` carries the ``solution`` tag."""
    return SOLUTION_TAG in _tags(cell)


def stub_source(source):
    """The student version of a solution cell's code.

    Each top-level function keeps its decorators, signature and docstring; its
    body becomes ``raise NotImplementedError(...)``. Code that defines no
    function becomes one ``raise NotImplementedError(...)`` line. Nothing else of
    the solution survives.
    """
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    defs = [n for n in (tree.body if tree else []) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    out = [STUB_HEADER]
    if not defs:
        out.append(STUB_RAISE)
        return "\n".join(out)
    for node in defs:
        start = min([node.lineno] + [d.lineno for d in node.decorator_list])
        first = node.body[0]
        keep_to = first.lineno - 1  # the signature ends on the line before the body starts
        if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)):
            keep_to = first.end_lineno  # keep the docstring: it states the task
        head = lines[start - 1:keep_to]
        if first.lineno == node.lineno:  # one-liner "def f(x): return x"
            head = [lines[node.lineno - 1][: first.col_offset].rstrip()]
        indent = " " * (first.col_offset if first.lineno != node.lineno else node.col_offset + 4)
        if len(out) > 1:
            out.append("")
        out += head
        out.append(indent + STUB_RAISE)
    return "\n".join(out)


def _mark_exercise(cell):
    meta = cell.setdefault("metadata", {})
    tags = [t for t in meta.get("tags", []) if t != SOLUTION_TAG]
    meta["tags"] = tags + [t for t in EXERCISE_TAGS if t not in tags]
    meta.get("jupyter", {}).pop("source_hidden", None)  # a collapsed solution becomes a visible prompt
    if meta.get("jupyter") == {}:
        del meta["jupyter"]


def _clear(cell):
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None


def _defined_functions(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _has_stub_above(cells, i):
    """True when a code cell tagged ``exercise`` above solution ``cells[i]`` (and below the previous
    solution) defines one of the functions the solution defines."""
    names = _defined_functions(cells[i].source)
    for cell in reversed(cells[:i]):
        if is_solution(cell):
            return False
        if (cell.cell_type == "code" and "exercise" in _tags(cell)
                and names & _defined_functions(cell.source)):
            return True
    return False


def _is_check(cell):
    return cell is not None and cell.cell_type == "code" and not is_solution(cell) and "check_" in cell.source


def student_notebook(nb):
    """A student copy of notebook ``nb`` (an ``nbformat.NotebookNode``; not modified).

    Returns ``(copy, n_exercises)``: the number of solution cells dropped or stubbed.
    """
    nb = copy.deepcopy(nb)
    cells = nb.cells
    count = 0
    drop = set()
    for i, cell in enumerate(cells):
        if not is_solution(cell):
            continue
        count += 1
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        if cell.cell_type == "code" and _has_stub_above(cells, i):
            drop.add(i)  # the student already has the stub and its check above
            if _is_check(nxt):
                drop.add(i + 1)
            continue
        if cell.cell_type == "code":
            cell.source = stub_source(cell.source)
            _clear(cell)
            _mark_exercise(cell)
            if nxt is not None and nxt.cell_type == "code" and not is_solution(nxt):
                _clear(nxt)  # its stored output would show the check passing
                _mark_exercise(nxt)
        else:
            cell.source = MARKDOWN_STUB
            _mark_exercise(cell)
            cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t == "exercise"]
    nb.cells = [c for j, c in enumerate(cells) if j not in drop]
    return nb, count


def _iter_tree(src):
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part in SKIP_DIRS for part in rel.parts):
            continue
        yield path, rel


class ClassroomError(ValueError):
    """A problem with the paths or notebooks given to the classroom CLI (printed without a traceback)."""


def _read_notebook(path):
    """Read ``path`` as a notebook, naming the file if it is not one."""
    nbformat = _nbformat()
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # JSON errors, schema errors, unreadable files
        raise ClassroomError(f"{path} is not a readable notebook: {type(exc).__name__}: {exc}") from None


def _check_paths(src, dst):
    src, dst = Path(src), Path(dst)
    if not src.exists():
        raise ClassroomError(f"src {str(src)!r} does not exist; expected a directory of notebooks")
    if not src.is_dir():
        raise ClassroomError(f"src must be a directory of notebooks, got {str(src)!r} which is not a directory")
    s, d = src.resolve(), dst.resolve()
    if d == s:
        raise ClassroomError(f"dst must differ from src, got {str(dst)!r} for both")
    if s in d.parents:
        raise ClassroomError(
            f"dst {str(dst)!r} lies inside src {str(src)!r}: each run would copy the previous copies again; "
            "choose an output folder outside the notebooks folder"
        )
    if dst.exists() and not dst.is_dir():
        raise ClassroomError(f"dst {str(dst)!r} exists and is not a directory")
    return src, dst


def write_student_copies(src, dst):
    """Write student copies of every notebook under ``src`` into ``dst``.

    Non-notebook files are copied as they are. Returns ``{relative path: number
    of exercises stubbed}`` for the notebooks. ``dst`` may not be ``src`` nor lie
    inside it; a file that is not a readable notebook is named in the error.
    """
    nbformat = _nbformat()
    src, dst = _check_paths(src, dst)
    report = {}
    for path, rel in _iter_tree(src):
        target = dst / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".ipynb":
            student, n = student_notebook(_read_notebook(path))
            nbformat.write(student, target)
            report[str(rel)] = n
        else:
            shutil.copy2(path, target)
    return report


def list_exercises(src):
    """``[(notebook, exercise heading, solution cell index, check call)]`` under ``src``."""
    src = Path(src)
    if not src.exists():
        raise ClassroomError(f"src {str(src)!r} does not exist; expected a notebook or a directory of notebooks")
    paths = [src] if src.is_file() else [p for p, _ in _iter_tree(src) if p.suffix == ".ipynb"]
    rows = []
    for path in paths:
        nb = _read_notebook(path)
        heading = ""
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                for line in cell.source.splitlines():
                    if line.lstrip().startswith("#"):
                        heading = line.lstrip("# ").strip()
            if not is_solution(cell):
                continue
            check = ""
            nxt = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
            if cell.cell_type == "markdown":
                check = "(written answer)"
            elif nxt is not None and nxt.cell_type == "code":
                calls = [ln.strip() for ln in nxt.source.splitlines() if re.search(r"check_\w*\(", ln)]
                check = calls[0] if calls else ""
            rows.append((str(path), heading, i, check))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tlearn.classroom", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_student = sub.add_parser("student", help="write student copies (solutions replaced by stubs)")
    p_student.add_argument("src", help="directory of notebooks, e.g. notebooks/")
    p_student.add_argument("dst", help="output directory, e.g. out/student/")
    p_check = sub.add_parser("check", help="list the exercises (solution cells and their checks)")
    p_check.add_argument("src", help="a notebook or a directory of notebooks")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except ClassroomError as exc:  # a user error: the message, no traceback, exit 2
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args):
    if args.command == "student":
        report = write_student_copies(args.src, args.dst)
        for rel, n in report.items():
            print(f"{rel}: {n} exercise cell(s) stubbed")
        print(f"student copies written to {args.dst}")
        return 0
    rows = list_exercises(args.src)
    for nb, heading, idx, check in rows:
        print(f"{nb} cell {idx}: {heading or '(no heading)'}  -> {check or '(no check cell)'}")
    print(f"{len(rows)} exercise solution cell(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
