"""A frame served from the explorers' frame cache is the picture a fresh explorer draws for that state."""
import numpy as np
import PIL.Image
import io

from tlearn.widgets import ridge_explorer
from tlearn.widgets._common import FrameCache


def _pixels(png):
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def test_cache_keeps_the_newest_frames_only():
    cache = FrameCache(size=2)
    cache.put("a", b"1"), cache.put("b", b"2")
    assert cache.get("a") == b"1"  # "a" is now the newest
    cache.put("c", b"3")
    assert cache.get("b") is None and cache.get("a") == b"1" and cache.get("c") == b"3"


def test_back_and_forth_shows_what_a_fresh_explorer_draws():
    ex = ridge_explorer(n_repeats=20)
    ex.controls["n"].value = 25
    ex.controls["lam"].value = 10.0
    ex.controls["n"].value = 10          # back to a shown n (cached frame) ...
    ex.controls["lam"].value = 1.0       # ... then a λ move on it, and a cached state again
    ex.controls["n"].value = 25
    fresh = ridge_explorer(n=25, lam=1.0, n_repeats=20)
    assert len(ex.frames._frames) >= 4
    diff = np.abs(_pixels(ex.image.value) - _pixels(fresh.image.value))
    assert diff.max() <= 8 and diff.mean() < 0.05
    ex.controls["n"].value = 10          # served from the cache: the same bytes as its first render
    assert ex.image.value == ex.frames.get(tuple({"lam": 1.0, "n": 10, "similarity": 0.8}.items()))
