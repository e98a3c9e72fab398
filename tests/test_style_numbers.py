"""The style numbers of issue 9, measured on the source with ``ast``.

* every module in tlearn/ has at most 400 lines;
* every function (or method) has at most 50 lines;
* no private name (``_x``) crosses a module boundary: neither ``from .x import _y``
  nor ``module._y`` on another tlearn module (dunders such as ``__version__`` are public);
* the maths core (everything outside tlearn/widgets/) never imports matplotlib or ipywidgets.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "tlearn"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50
GUI = ("matplotlib", "ipywidgets")
FILES = sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)
IDS = [str(p.relative_to(PKG)) for p in FILES]


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _tree(path):
    return ast.parse(path.read_text(), filename=str(path))


def _module_names(path):
    """Names bound in ``path`` to another tlearn module (``from . import ridge``, ``import tlearn.mlp as m``)."""
    names = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("tlearn")):
            for alias in node.names:
                if _is_module(path, node, alias.name):
                    names.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            names |= {a.asname or a.name for a in node.names if a.name.startswith("tlearn")}
    return names


def _is_module(path, node, name):
    base = path.parent
    for _ in range(max(node.level - 1, 0)):
        base = base.parent
    if node.level == 0:
        base = ROOT
        parts = (node.module or "").split(".")
    else:
        parts = (node.module or "").split(".") if node.module else []
    target = base.joinpath(*parts, name)
    return target.with_suffix(".py").exists() or (target / "__init__.py").exists()


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_module_has_at_most_400_lines(path):
    n = len(path.read_text().splitlines())
    assert n <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {n} lines (at most {MAX_MODULE_LINES}); split it by job"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_functions_have_at_most_50_lines(path):
    long = [f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
            for node in ast.walk(_tree(path)) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{path.relative_to(ROOT)}: functions over {MAX_FUNCTION_LINES} lines: {long}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_private_name_crosses_a_module(path):
    tree = _tree(path)
    imported = [f"from {'.' * node.level}{node.module or ''} import {alias.name} (line {node.lineno})"
                for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and (node.level or (node.module or "").startswith("tlearn"))
                for alias in node.names if _private(alias.name)]
    modules = _module_names(path)
    accessed = [f"{node.value.id}.{node.attr} (line {node.lineno})" for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in modules and _private(node.attr)]
    assert not imported + accessed, f"{path.relative_to(ROOT)} uses private names of other modules: {imported + accessed}"


@pytest.mark.parametrize("path", [p for p in FILES if "widgets" not in p.relative_to(PKG).parts],
                         ids=[i for i in IDS if not i.startswith("widgets")])
def test_core_never_imports_matplotlib_or_ipywidgets(path):
    found = []
    for node in ast.walk(_tree(path)):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        found += [f"{n} (line {node.lineno})" for n in names if n.split(".")[0] in GUI]
    assert not found, f"{path.relative_to(ROOT)} is maths core but imports {found}"


def test_the_checks_can_fail(tmp_path):
    # the detectors on a small bad module, so a slip cannot make every test above vacuous
    bad = tmp_path / "bad.py"
    bad.write_text("from .ridge import _ridge_fit\nimport matplotlib.pyplot as plt\n"
                   "def f():\n" + "    x = 1\n" * 60)
    tree = _tree(bad)
    assert any(isinstance(n, ast.ImportFrom) and _private(n.names[0].name) for n in ast.walk(tree))
    assert any(isinstance(n, ast.FunctionDef) and n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES
               for n in ast.walk(tree))
    assert not _private("__version__") and _private("_x")
