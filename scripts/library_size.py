"""Print the size of tlearn/: in total and the library for chapters 1-4 (issue 9 asks <= 3,300 lines).

Two counts per row: raw lines (``wc -l``) and code lines (no blank lines, comments or
docstrings). Run: ``python scripts/library_size.py [--files]``.
"""
import argparse
import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "tlearn"
#: Modules that serve chapters 5 (covariate shift) and 6 (several sources) only.
CHAPTERS_5_6 = (
    "domain.py", "multisource.py", "random_design.py", "datasets/_shift.py", "datasets/_multisource.py",
    "widgets/shift.py", "widgets/sources.py", "exercises/ch05.py", "exercises/ch06.py",
)
TARGET = 3300


def code_lines(source):
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    doc = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                doc.update(range(first.lineno, first.end_lineno + 1))
    lines = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                            tokenize.ENDMARKER):
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(lines - doc)


def sizes():
    """``{relative path: (raw lines, code lines)}`` for every module in tlearn/."""
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        if "__pycache__" not in path.parts:
            text = path.read_text()
            out[path.relative_to(PKG).as_posix()] = (len(text.splitlines()), code_lines(text))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", action="store_true", help="also list every module")
    args = parser.parse_args()
    table = sizes()
    missing = [name for name in CHAPTERS_5_6 if name not in table]
    if missing:
        raise SystemExit(f"library_size.py: chapter-5/6 modules not found: {missing}; update CHAPTERS_5_6")
    core = {name: n for name, n in table.items() if name not in CHAPTERS_5_6}
    if args.files:
        for name, (raw, code) in sorted(table.items(), key=lambda item: -item[1][0]):
            print(f"{raw:6d} {code:6d}  {name}{'' if name in core else '  (ch. 5-6)'}")
    rows = (("tlearn/ in total", table), ("library for chapters 1-4", core))
    print(f"{'':28s}{'modules':>8s}{'lines':>8s}{'code':>8s}")
    for label, part in rows:
        print(f"{label:28s}{len(part):8d}{sum(r for r, _ in part.values()):8d}{sum(c for _, c in part.values()):8d}")
    raw = sum(r for r, _ in core.values())
    print(f"issue 9 target for chapters 1-4: <= {TARGET} lines -> {'met' if raw <= TARGET else f'{raw - TARGET} over'}")


if __name__ == "__main__":
    main()
