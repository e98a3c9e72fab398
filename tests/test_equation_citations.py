"""Code and notebooks cite the same equations.

* every ``\\tag{C.k}`` in notebook C is numbered for that chapter and unique;
* every "Eq. (C.k)" cited in tlearn/ or in a notebook exists as ``\\tag{C.k}`` in notebook C;
* a docstring citing "Eq. (C.k) of notebook NN" names the right notebook (NN == C), and the
  function or class carries a ``# Eq. (C.k)`` comment on the line that computes it.

Citations of a chapter whose notebook is not written yet are skipped, with the reason.
"""
import ast
import io
import re
import tokenize
from collections import Counter
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "tlearn"
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = {int(p.name[:2]): p for p in sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))}

TAG = re.compile(r"\\tag\*?\{\s*(\d+)\.(\d+)\s*\}")
NUM = r"\(?\s*(?:\d+)\.(?:\d+)\s*\)?"
CITE = re.compile(rf"\bEqs?\.\s*{NUM}(?:\s*(?:,|–|—|-|/|and|or|to)\s*{NUM})*")
ONE = re.compile(r"(\d+)\.(\d+)")
OF_NOTEBOOK = re.compile(r"\bEqs?\.\s*\(?(\d+)\.\d+\)?\s+of\s+notebook\s+(\d+)")


RANGE = re.compile(r"(\d+)\.(\d+)\s*\)?\s*(?:–|—|-|to)\s*\(?\s*(\d+)\.(\d+)")


def cited(text):
    """The equations cited in ``text`` as ``(chapter, k)`` pairs; a range is every equation in it.

    "Eq. (1.4)" -> [(1, 4)]; "Eqs. (3.6)-(3.8)" -> [(3, 6), (3, 7), (3, 8)].
    """
    out = []
    for m in CITE.finditer(text):
        spans = {r.start(): r for r in RANGE.finditer(m[0])}
        pos = 0
        for one in ONE.finditer(m[0]):
            if one.start() < pos:
                continue
            r = spans.get(one.start())
            if r and r[1] == r[3] and int(r[2]) <= int(r[4]):
                out += [(int(r[1]), k) for k in range(int(r[2]), int(r[4]) + 1)]
                pos = r.end()
            else:
                out.append((int(one[1]), int(one[2])))
    return out


def tags_of(path):
    nb = nbformat.read(path, as_version=4)
    return [(int(c), int(k)) for cell in nb.cells if cell.cell_type == "markdown" for c, k in TAG.findall(cell.source)]


def py_files():
    return sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


def library_citations():
    """``{(chapter, k): [file:line, ...]}`` for every citation in tlearn/."""
    out = {}
    for path in py_files():
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            for eq in cited(line):
                out.setdefault(eq, []).append(f"{path.relative_to(ROOT)}:{lineno}")
    return out


def notebook_citations():
    out = {}
    for num, path in NOTEBOOKS.items():
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            text = TAG.sub("", cell.source)
            for eq in cited(text):
                out.setdefault(eq, []).append(f"{path.name} cell {i}")
    return out


def test_citation_parser():
    # the parser the rest relies on (so a silent regex slip cannot make every test vacuous)
    assert cited("solves Eq. (1.4) of notebook 01") == [(1, 4)]
    assert cited("# Eqs. (3.6)-(3.8)") == [(3, 6), (3, 7), (3, 8)]
    assert cited("Eqs. (3.5)–(3.9) and (1.4)") == [(3, 5), (3, 6), (3, 7), (3, 8), (3, 9), (1, 4)]
    assert cited("Eqs. (3.3)/(3.4), Eqs. 2.1 to 2.3") == [(3, 3), (3, 4), (2, 1), (2, 2), (2, 3)]
    assert cited("Eqs. (3.4), (3.5) and (3.9); Eq. 2.6") == [(3, 4), (3, 5), (3, 9), (2, 6)]
    assert cited("version 1.4, np.eye(3)") == []
    assert TAG.findall(r"$$ \hat w = A b \tag{1.4} $$") == [("1", "4")]


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")
@pytest.mark.parametrize("num", sorted(NOTEBOOKS), ids=[NOTEBOOKS[n].stem for n in sorted(NOTEBOOKS)])
def test_tags_belong_to_their_chapter_and_are_unique(num):
    tags = tags_of(NOTEBOOKS[num])
    wrong = [f"{c}.{k}" for c, k in tags if c != num]
    assert not wrong, f"{NOTEBOOKS[num].name} numbers equations {wrong}; chapter {num} uses \\tag{{{num}.k}}"
    dup = [f"{c}.{k}" for (c, k), n in Counter(tags).items() if n > 1]
    assert not dup, f"{NOTEBOOKS[num].name} tags {dup} more than once"


def _citation_cases():
    cases = {}
    for source, table in (("tlearn", library_citations()), ("notebooks", notebook_citations())):
        for (c, k), where in table.items():
            cases.setdefault(c, {}).setdefault((c, k), []).extend(f"{source}: {w}" for w in where)
    return cases


CASES = _citation_cases()


@pytest.mark.parametrize("chapter", sorted(CASES) or [None])
def test_every_cited_equation_exists(chapter):
    if chapter is None:
        pytest.skip("nothing cites an equation yet")
    if chapter not in NOTEBOOKS:
        pytest.skip(f"equations of chapter {chapter} are cited but notebook {chapter:02d}_*.ipynb is not written yet")
    tags = set(tags_of(NOTEBOOKS[chapter]))
    missing = {f"{c}.{k}": where[:3] for (c, k), where in CASES[chapter].items() if (c, k) not in tags}
    assert not missing, f"cited but not tagged in {NOTEBOOKS[chapter].name}: {missing}"


def _comments(source):
    return [tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline) if tok.type == tokenize.COMMENT]


@pytest.mark.parametrize("path", py_files(), ids=[str(p.relative_to(PKG)) for p in py_files()])
def test_docstring_citations_name_the_notebook_and_mark_the_line(path):
    source = path.read_text()
    for wrong in [(c, n) for c, n in OF_NOTEBOOK.findall(source) if int(c) != int(n)]:
        pytest.fail(f"{path.name}: 'Eq. ({wrong[0]}.k) of notebook {wrong[1]}' -- chapter and notebook differ")
    tree = ast.parse(source)
    lines = source.splitlines()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        doc = ast.get_docstring(node, clean=False) or ""
        primary = [cited(m[0]) for m in re.finditer(r"\bEqs?\.[^.]*?of notebook \d+", doc)]
        wanted = {eq for group in primary for eq in group}
        if not wanted:
            continue
        body = "\n".join(lines[node.lineno - 1:node.end_lineno])
        marked = {eq for comment in _comments(body) for eq in cited(comment)}
        # a thin wrapper that only delegates may carry none; one that computes must mark its lines
        if marked or isinstance(node, ast.ClassDef):
            continue
        calls = sum(isinstance(n, ast.Call) for n in ast.walk(node))
        assert calls <= 2, (f"{path.name}:{node.lineno} {node.name} cites "
                            f"{sorted(f'{c}.{k}' for c, k in wanted)} in its docstring but no line carries "
                            "'# Eq. (C.k)'")


# ----------------------------------------------------------------- the other direction
#: Numbered equations that state an assumption or a step of a derivation, with no code to cite them.
DERIVATION_ONLY = {
    (5, 1): "the covariate-shift assumption p_S(y|x) = p_T(y|x), p_S(x) != p_T(x)",
}
#: Equations the library implements that no test names yet (issue 9: the list may only shrink).
#: Each is checked, but by a test in a file that does not cite it; the owner adds the citation.
NOT_YET_CITED_BY_A_TEST = {(1, 1), (1, 3), (1, 9), (4, 2), (4, 3), (5, 10), (6, 1)}


def _test_citations():
    """``{(chapter, k): {test file, ...}}`` for every citation in tests/."""
    out = {}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name == Path(__file__).name:  # this file's own examples check nothing
            continue
        for eq in cited(path.read_text()):
            out.setdefault(eq, set()).add(path.name)
    return out


TEST_CITATIONS = _test_citations()


def test_every_numbered_equation_is_cited_by_the_library():
    tagged = {eq for path in NOTEBOOKS.values() for eq in tags_of(path)}
    library = set(library_citations())
    uncited = sorted(f"{c}.{k}" for c, k in tagged - library - set(DERIVATION_ONLY))
    assert not uncited, f"numbered in a notebook but cited by no code in tlearn/: {uncited} (or list in DERIVATION_ONLY)"
    stale = sorted(f"{c}.{k}" for c, k in set(DERIVATION_ONLY) & library)
    assert not stale, f"DERIVATION_ONLY lists {stale}, which tlearn/ now cites; remove them from the list"


def test_every_implemented_equation_is_cited_by_a_test():
    tagged = {eq for path in NOTEBOOKS.values() for eq in tags_of(path)}
    implemented = set(library_citations()) & tagged
    missing = sorted(f"{c}.{k}" for c, k in implemented - set(TEST_CITATIONS) - NOT_YET_CITED_BY_A_TEST)
    assert not missing, f"tlearn/ implements {missing} but no test in tests/ cites them"
    now_cited = sorted(f"{c}.{k}" for c, k in NOT_YET_CITED_BY_A_TEST & set(TEST_CITATIONS))
    assert not now_cited, f"tests now cite {now_cited}; remove them from NOT_YET_CITED_BY_A_TEST"


def test_every_equation_a_test_cites_exists():
    tagged = {eq for path in NOTEBOOKS.values() for eq in tags_of(path)}
    written = [eq for eq in TEST_CITATIONS if eq[0] in NOTEBOOKS]
    missing = {f"{c}.{k}": sorted(TEST_CITATIONS[(c, k)]) for c, k in written if (c, k) not in tagged}
    assert not missing, f"tests cite equations no notebook numbers: {missing}"
