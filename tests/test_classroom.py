"""Student copies: solutions gone, outputs cleared, exercise cells marked, chapters still run."""
import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tlearn.classroom import (
    EXERCISE_TAGS, STUB_MESSAGE, list_exercises, main, stub_source, student_notebook, write_student_copies,
)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("0*.ipynb"))

SECRET = "SECRET_SOLUTION_TOKEN"
SOLUTION = f'''def my_ridge(X, y,
             lam):
    """Return the ridge solution of Eq. (1.2)."""
    A = X.T @ X + lam  # {SECRET}
    return A * y
'''
CHECK = ("from tlearn.exercises import check_array_close, passed\n"
         "check_array_close(my_ridge(2.0, 3.0, 1.0), 15.0, hint='expand the product')\n_ = passed()")


def _stream(text):
    return new_output("stream", name="stdout", text=text)


def _toy_notebook():
    cells = [
        new_markdown_cell("# Toy chapter"),
        new_code_cell("x = 1\nprint(x)", execution_count=1, outputs=[_stream("1\n")]),
        new_markdown_cell("## Exercises\n### Exercise 1: implement ridge"),
        new_code_cell(SOLUTION, execution_count=2, outputs=[_stream(f"{SECRET}\n")],
                      metadata={"tags": ["solution"], "slideshow": {"slide_type": "fragment"}}),
        new_code_cell(CHECK, execution_count=3, outputs=[_stream("\N{CHECK MARK} Correct!\n")]),
        new_markdown_cell("### Exercise 2: derive"),
        new_markdown_cell(f"The derivation: {SECRET}", metadata={"tags": ["solution"]}),
        new_code_cell("answer = 6 * 7  # " + SECRET, execution_count=4, outputs=[],
                      metadata={"tags": ["solution"]}),
        new_code_cell("print(answer)", execution_count=5, outputs=[_stream("42\n")]),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_solution_text_replaced_and_outputs_cleared():
    nb = _toy_notebook()
    student, n = student_notebook(nb)
    assert n == 3
    assert SECRET not in nbformat.writes(student)
    assert SECRET in nbformat.writes(nb)  # the original is left alone
    sol, check = student.cells[3], student.cells[4]
    assert sol.outputs == [] and sol.execution_count is None
    assert check.outputs == [] and check.execution_count is None
    assert "def my_ridge(X, y,\n             lam):" in sol.source
    assert '"""Return the ridge solution of Eq. (1.2)."""' in sol.source
    assert "return" not in sol.source
    assert check.source == CHECK  # the check itself is unchanged
    for cell in (sol, check, student.cells[7], student.cells[8]):
        assert set(EXERCISE_TAGS) <= set(cell.metadata["tags"]), cell.source
        assert "solution" not in cell.metadata["tags"]
    assert sol.metadata["slideshow"] == {"slide_type": "fragment"}  # slide metadata kept
    # untouched cells keep their outputs and tags
    assert student.cells[1].outputs == nb.cells[1].outputs
    assert "tags" not in student.cells[1].metadata
    # a markdown solution becomes a prompt
    assert "Exercise" in student.cells[6].source and student.cells[6].cell_type == "markdown"


def test_stub_defines_the_function_and_raises_not_implemented():
    namespace = {}
    exec(stub_source(SOLUTION), namespace)  # the stub is valid Python keeping the signature
    with pytest.raises(NotImplementedError, match=STUB_MESSAGE):
        namespace["my_ridge"](1.0, 2.0, lam=3.0)
    with pytest.raises(NotImplementedError, match=STUB_MESSAGE):
        exec(stub_source("answer = 6 * 7"), {})


def test_stub_of_decorated_and_one_line_functions():
    src = "import functools\n@functools.lru_cache\ndef f(a): return a + 1\n\ndef g(b):\n    c = b\n    return c\n"
    stub = stub_source(src)
    assert "return" not in stub and "import functools" not in stub
    namespace = {"functools": __import__("functools")}
    exec(stub, namespace)
    for name in ("f", "g"):
        with pytest.raises(NotImplementedError):
            namespace[name](1)


def test_cli_writes_tree_and_lists_exercises(tmp_path, capsys):
    src = tmp_path / "nbs"
    (src / "dashboards").mkdir(parents=True)
    (src / ".ipynb_checkpoints").mkdir()
    nbformat.write(_toy_notebook(), src / "01_toy.ipynb")
    (src / "dashboards" / "note.txt").write_text("kept")
    (src / ".ipynb_checkpoints" / "junk.ipynb").write_text("{}")
    dst = tmp_path / "out"
    assert main(["student", str(src), str(dst)]) == 0
    assert "01_toy.ipynb: 3 exercise cell(s)" in capsys.readouterr().out
    assert (dst / "dashboards" / "note.txt").read_text() == "kept"
    assert not (dst / ".ipynb_checkpoints").exists()
    assert SECRET not in (dst / "01_toy.ipynb").read_text()
    rows = list_exercises(src)
    assert [r[2] for r in rows] == [3, 6, 7]
    assert rows[0][1] == "Exercise 1: implement ridge"
    assert rows[0][3].startswith("check_array_close(my_ridge(") and rows[1][3] == "(written answer)"
    assert main(["check", str(src)]) == 0
    assert "3 exercise solution cell(s)" in capsys.readouterr().out
    with pytest.raises(ValueError, match="dst must differ from src"):
        write_student_copies(src, src)


def test_cli_refuses_bad_paths_without_traceback(tmp_path, capsys):
    src = tmp_path / "nbs"
    src.mkdir()
    nbformat.write(_toy_notebook(), src / "01_toy.ipynb")
    # an output folder inside the input folder would copy the copies on every run
    assert main(["student", str(src), str(src / "out")]) == 2
    err = capsys.readouterr().err
    assert "lies inside src" in err and "Traceback" not in err
    assert not (src / "out").exists()
    # a missing path exits non-zero, for both commands
    assert main(["student", str(tmp_path / "missing"), str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    # a corrupt notebook is named
    (src / "02_broken.ipynb").write_text("{ not json")
    assert main(["student", str(src), str(tmp_path / "o2")]) == 2
    err = capsys.readouterr().err
    assert "02_broken.ipynb is not a readable notebook" in err and "Traceback" not in err
    assert main(["check", str(src / "02_broken.ipynb")]) == 2


def test_cli_as_a_process_exits_nonzero_on_a_missing_path(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tlearn.classroom", "check", str(tmp_path / "nope")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def _new_layout_notebook():
    """Question -> stub (tagged exercise) -> check -> collapsed solution -> check, then a derive exercise."""
    stub = 'def my_ridge(X, y,\n             lam):\n    raise NotImplementedError("Exercise: write your solution here")'
    note = _stream("\N{PENCIL} my_ridge is not written yet\n")
    cells = [
        new_markdown_cell("# Toy chapter"),
        new_markdown_cell("## Exercises\n### Exercise 1: implement ridge"),
        new_code_cell(stub, execution_count=1, outputs=[], metadata={"tags": ["exercise"]}),
        new_code_cell(CHECK, execution_count=2, outputs=[note]),
        new_code_cell(SOLUTION, execution_count=3, outputs=[],
                      metadata={"tags": ["solution"], "jupyter": {"source_hidden": True}}),
        new_code_cell(CHECK, execution_count=4, outputs=[_stream("\N{CHECK MARK} Correct!\n")]),
        new_markdown_cell("### Exercise 2: derive"),
        new_markdown_cell(f"**Solution.** {SECRET}", metadata={"tags": ["solution"]}),
        new_code_cell("print(2)", execution_count=5, outputs=[_stream("2\n")]),
    ]
    return new_notebook(cells=cells), stub


def test_new_layout_drops_the_solution_and_its_recheck():
    nb, stub = _new_layout_notebook()
    student, n = student_notebook(nb)
    assert n == 2
    text = nbformat.writes(student)
    assert SECRET not in text and "Correct!" not in text
    sources = [c.source for c in student.cells]
    assert sources.count(stub) == 1 and sources.count(CHECK) == 1  # the stub once, its check once
    assert sources.index(CHECK) == sources.index(stub) + 1
    assert student.cells[sources.index(CHECK)].outputs == nb.cells[3].outputs  # the "not written yet" note
    assert len(student.cells) == len(nb.cells) - 2
    assert sources[-1] == "print(2)" and "Exercise" in sources[-2]  # a markdown solution becomes a prompt
    # an older-layout solution (no stub above it) is still stubbed in place, not dropped
    old, m = student_notebook(_toy_notebook())
    assert m == 3 and len(old.cells) == len(_toy_notebook().cells)


def _functions(source):
    try:
        return [n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
    except SyntaxError:
        return []


def test_student_copy_of_chapter_01_has_each_stub_once_and_no_solution():
    path = ROOT / "notebooks" / "01_parameter_transfer.ipynb"
    nb = nbformat.read(path, as_version=4)
    student, n = student_notebook(nb)
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    stubs = [c for c in nb.cells if "exercise" in c.metadata.get("tags", []) and c.cell_type == "code"]
    assert n == len(solutions) and stubs, "chapter 01 should have stubbed exercises"
    defined = [name for c in student.cells if c.cell_type == "code" for name in _functions(c.source)]
    for stub in stubs:
        for name in _functions(stub.source):
            assert defined.count(name) == 1, f"{name} is defined {defined.count(name)} times in the student copy"
    others = "\n".join(c.source for c in nb.cells if "solution" not in c.metadata.get("tags", []))
    student_text = "\n".join(c.source for c in student.cells)
    for sol in solutions:
        secret = [ln.strip() for ln in sol.source.splitlines()
                  if ln.strip() and not ln.lstrip().startswith("def ") and ln.strip() not in others]
        assert secret, sol.source
        leaked = [ln for ln in secret if ln in student_text]
        assert not leaked, f"solution lines in the student copy: {leaked}"
    assert not any(c.metadata.get("jupyter", {}).get("source_hidden") for c in student.cells)


@pytest.mark.slow
@pytest.mark.skipif(not CHAPTERS, reason="no chapter notebooks (notebooks/0*.ipynb) written yet")
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_student_copy_of_chapter_passes_nbval_lax(chapter, tmp_path):
    student, n = student_notebook(nbformat.read(chapter, as_version=4))
    assert SECRET not in nbformat.writes(student)
    target = tmp_path / chapter.name
    nbformat.write(student, target)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env",
           "--nbval-cell-timeout=60", str(target)]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=240,
                          env={**__import__("os").environ, "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, f"student copy of {chapter.name} ({n} exercises) fails:\n{proc.stdout[-4000:]}"
