"""The widget manager can load inside jupyterlab-rise's slideshow app (no browser needed).

The RISE view (``/rise/<notebook>``, *Render as Reveal Slideshow*) is a separate web app with its
own build of JupyterLab's packages. Federated extensions such as the ipywidgets manager
(``@jupyter-widgets/jupyterlab-manager``) load into it and take the packages they *consume* from
its shared scope. A package consumed with no fallback that the RISE app does not provide makes
the whole extension fail ("Shared module @jupyterlab/console doesn't exist in shared scope
default"), no widget manager starts, the kernel's widget comms fail ("Exception opening new
comm") and every explorer on a slide shows as text (``VBox(...)``).

This reads both installed bundles -- the RISE app's ``bundle.js`` (what it provides) and the
widget manager's ``remoteEntry.*.js`` (what it consumes) -- and checks the consumed set is
covered. It failed with jupyterlab_widgets 3.0.17 (consumes ``@jupyterlab/console``) and passes
with the pinned 3.0.10; tests/browser/test_slides.py checks the same in Chromium.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

SHARE = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
MANAGER = SHARE / "@jupyter-widgets" / "jupyterlab-manager" / "static"
NAME = r'(@[\w.-]+/[\w.-]+|[\w.-]+)'
# the ways webpack writes a consumed shared package; group 2 tells whether it has a fallback:
# loader("default","<pkg>",[flag,][range]) -- ")" none, "," a fallback factory follows (minified and
# development builds) -- and {shareKey:"<pkg>",import:null} (newer builds; import:"<pkg>" = fallback)
CONSUMED = [re.compile(r'\("default",\s*"' + NAME + r'",\s*(?:(?:!?[01]|true|false),\s*)?\[[\d,\s]+\]\s*(\)|,)'),
            re.compile(r'shareKey:"' + NAME + r'",import:(null|false|")')]
NO_FALLBACK = {")", "null", "false"}
PROVIDED = re.compile(r'\w\("(@[\w.-]+/[\w.-]+|[\w.-]+)","\d[^"]*",\(?\(\)=>')


def _rise_bundle():
    rise = pytest.importorskip("jupyterlab_rise", reason="jupyterlab-rise is not installed")
    return Path(rise.__file__).parent / "static" / "bundle.js"


def consumed_without_fallback(js: str) -> set[str]:
    """Packages a webpack remote entry takes from the shared scope and cannot supply itself."""
    return {m[1] for pattern in CONSUMED for m in pattern.finditer(js) if m[2] in NO_FALLBACK}


def provided(js: str) -> set[str]:
    """Packages a webpack app bundle registers in its shared scope."""
    return set(PROVIDED.findall(js))


def test_parsers_on_known_snippets():
    # the two shapes webpack writes (minified): with a fallback factory, and without one
    entry = ('9:()=>w("default","@jupyterlab/console",!1,[1,4,4,1]),'
             '5:()=>j("default","@jupyter-widgets/controls",!1,[1,5,0,12],(()=>x.e(727))),'
             '7:()=>y("default","@jupyterlab/services",[1,7,4,0]),'
             '"x": () => (loadSingletonVersion("default", "@jupyterlab/outputarea", false, [1,4,4,6])),'
             '"y": () => (loadStrictVersion("default", "semver", false, [1,7,3,5], () => (x.e(1)))),'
             '9:{shareScope:"default",shareKey:"@jupyterlab/logconsole",import:null,requiredVersion:"^4.6.2"},'
             '8:{shareScope:"default",shareKey:"jquery",import:"jquery",requiredVersion:"^3.1.1"}')
    assert consumed_without_fallback(entry) == {"@jupyterlab/console", "@jupyterlab/services",
                                                "@jupyterlab/outputarea", "@jupyterlab/logconsole"}
    bundle = 'i("@jupyterlab/notebook","4.3.4",(()=>Promise.all([T.e(1)])),i("@lumino/widgets","2.5.0",()=>T(2))'
    assert provided(bundle) == {"@jupyterlab/notebook", "@lumino/widgets"}


def test_widget_manager_loads_in_the_rise_app():
    bundle = _rise_bundle()
    entries = sorted(MANAGER.glob("remoteEntry.*.js"))
    assert bundle.is_file(), f"no RISE app bundle at {bundle}"
    assert entries, f"no ipywidgets manager (jupyterlab_widgets) under {MANAGER}"
    have = provided(bundle.read_text(errors="replace"))
    assert {"@jupyterlab/notebook", "@jupyterlab/services", "@lumino/widgets"} <= have, "parser found no providers"
    need = consumed_without_fallback(entries[0].read_text(errors="replace"))
    assert "@jupyterlab/services" in need, "parser found no consumed packages"
    missing = sorted(need - have)
    assert not missing, (
        f"the ipywidgets manager needs {missing} from the shared scope, which the jupyterlab-rise app does "
        "not provide: explorers would be text on the slides. Keep jupyterlab_widgets at the binder/requirements.txt pin")


THEME_MAP = re.compile(r'"\./(\w+)\.css":\[\d+,(\d+)\]')
WEB_FONT = re.compile(r'@import\s+url\((?:"|\')?(?:https?:)?//')
OFFLINE_THEME = "white"


def _theme_chunks():
    """``{theme: its CSS chunk's text}`` from the RISE app's webpack map ``"./<theme>.css": [module, chunk]``."""
    static = _rise_bundle().parent
    for path in static.glob("*.js"):
        text = path.read_text(errors="replace")
        if f'"./{OFFLINE_THEME}.css":[' in text:
            return {name: (static / f"{chunk}.bundle.js").read_text(errors="replace")
                    for name, chunk in THEME_MAP.findall(text)}
    pytest.fail(f"no chunk of {static} maps the Reveal themes (./{OFFLINE_THEME}.css)")


def test_every_chapter_presents_with_a_theme_that_needs_no_web_fonts():
    """The slides download nothing: RISE's default theme "simple" imports Google Fonts, "white" bundles its own.

    Every chapter sets ``metadata.rise.theme``; tests/browser/test_slides.py shows chapter 1 as slides
    and fails on any request that leaves the server.
    """
    chunks = _theme_chunks()
    assert WEB_FONT.search(chunks["simple"]), "the default theme no longer imports web fonts: revisit this test"
    assert not WEB_FONT.search(chunks[OFFLINE_THEME]), f"the {OFFLINE_THEME!r} theme imports web fonts"
    chapters = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(chapters) >= 7
    for path in chapters:
        theme = json.loads(path.read_text())["metadata"].get("rise", {}).get("theme")
        assert theme == OFFLINE_THEME, f"{path.name}: metadata.rise.theme is {theme!r}, expected {OFFLINE_THEME!r}"
