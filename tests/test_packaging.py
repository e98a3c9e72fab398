"""binder/, pyproject.toml and the import rules agree."""
import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins():
    pins = {}
    for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line or line == ".":
            continue
        name, _, version = line.partition("==")
        assert version, f"binder/requirements.txt: {line!r} is not an exact pin (name==version)"
        pins[_norm(name)] = version
    return pins


def _version_tuple(v):
    return tuple(int(x) for x in re.findall(r"\d+", v)[:3])


def test_binder_installs_tlearn_itself():
    lines = [ln.strip() for ln in (ROOT / "binder" / "requirements.txt").read_text().splitlines()]
    assert "." in lines


def test_binder_pins_satisfy_pyproject_bounds():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in ("lab", "test"):
        reqs += meta["optional-dependencies"][extra]
    pins = _pins()
    declared = set()
    for req in reqs:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*>=\s*([0-9.]+)", req)
        assert m, f"pyproject requirement {req!r} should be 'name>=lower_bound'"
        name, lower = _norm(m.group(1)), m.group(2)
        declared.add(name)
        assert name in pins, f"{name} is in pyproject.toml but not pinned in binder/requirements.txt"
        assert _version_tuple(pins[name]) >= _version_tuple(lower), f"{name}=={pins[name]} < {lower}"
    assert set(pins) == declared, f"pinned but not declared in pyproject: {set(pins) - declared}"


def test_runtime_matches_this_python():
    import os

    import pytest

    if os.environ.get("CI") != "true":
        pytest.skip("binder/runtime.txt must equal the Python CI uses; checked when CI=true")
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert runtime == f"python-{sys.version_info.major}.{sys.version_info.minor}"


def test_core_modules_never_import_plotting_or_widgets():
    forbidden = {"matplotlib", "ipywidgets", "IPython"}
    for path in (ROOT / "tlearn").rglob("*.py"):
        rel = path.relative_to(ROOT / "tlearn")
        if rel.parts[0] == "widgets":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"tlearn/{rel} imports {name}"


def test_no_matrix_inverse_in_library():
    for path in (ROOT / "tlearn").rglob("*.py"):
        assert "linalg.inv(" not in path.read_text(), f"{path.name} inverts a matrix: solve instead"


def test_import_tlearn_is_lazy_and_every_public_name_resolves():
    """``import tlearn`` loads no scikit-learn/matplotlib (issue 12); each name in __all__ still resolves."""
    code = ("import sys, tlearn; heavy = [m for m in ('sklearn', 'matplotlib', 'scipy', 'ipywidgets') "
            "if m in sys.modules]; print(heavy); [getattr(tlearn, n) for n in tlearn.__all__]")
    import subprocess
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout
