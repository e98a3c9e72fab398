"""Claims of notebook 04 (deep transfer), each recomputed from the library as the notebook computes it.

One test per ``<!-- claim: ch04-... -->`` id in notebooks/04_deep_transfer.ipynb. The learning-curve
claims are about means over the notebook's five target draws, and are tested so.
"""
import functools

import numpy as np
import pytest

from tlearn import FineTuneCV, fine_tune
from tlearn.finetune import fine_tune_curves
from tlearn.widgets.deep import LAM_CURVE, SCENARIOS, DeepTransferModel, pretrained_source

SIZES = {"shared": [10, 25, 50], "inverted": [1, 3, 10], "split": [1, 3, 10]}  # as in notebook 04, section 4.6
SEEDS = (0, 1, 2, 3, 4)
STRATEGIES = ["scratch", "head", "full", "l2sp"]


@functools.lru_cache(maxsize=None)
def _curves(key):
    """Mean held-out score per strategy and size over the five draws (the notebook's figure data)."""
    c = fine_tune_curves(pretrained_source(key), SCENARIOS[key].load, SIZES[key], STRATEGIES, seeds=SEEDS,
                         lam=1.0)
    return {s: v.mean(axis=1) for s, v in c.items()}


def test_ch04_shared_transfer_wins():
    c = _curves("shared")
    assert np.all(c["head"] > c["scratch"] + 0.1) and np.all(c["l2sp"] > c["scratch"]), c


def test_ch04_shared_head_wins():
    c = _curves("shared")
    for s in ("scratch", "full", "l2sp"):
        assert np.all(c["head"] > c[s]), (s, c)


def test_ch04_shared_l2sp_beats_full():
    c = _curves("shared")
    assert np.all(c["l2sp"] > c["full"]) and np.all(c["l2sp"] > c["scratch"]), c


def test_ch04_inverted_gap_shrinks():
    c = _curves("inverted")
    gap = c["head"] - c["scratch"]
    assert np.all(gap > 0) and np.all(np.diff(gap) < 0), gap
    assert np.argmax(gap) == 0  # largest at one label per class


def test_ch04_split_negative_transfer():
    c = _curves("split")
    assert np.all(c["head"] < c["scratch"] - 0.1) and np.all(c["l2sp"] < c["scratch"] - 0.1), c
    assert np.all(np.abs(c["full"] - c["scratch"]) < 0.06), c


def test_ch04_reset_output_helps():
    d = SCENARIOS["inverted"].load(10, 0)
    src = pretrained_source("inverted")
    kept = fine_tune(src, d.X_target, d.y_target, strategy="full", reset_output=False)
    fresh = fine_tune(src, d.X_target, d.y_target, strategy="full", reset_output=True)
    assert kept.history_["loss"][0] > 3 * fresh.history_["loss"][0]
    assert (kept.hidden(d.X_test) > 0).mean() < (fresh.hidden(d.X_test) > 0).mean()
    assert fresh.score(d.X_test, d.y_test) > kept.score(d.X_test, d.y_test) + 0.2
    assert fresh.converged_ and kept.n_steps_ > 4 * fresh.n_steps_  # "several times as many optimiser steps"


def test_ch04_finetunecv_detects_harm():
    for key, n in [("shared", 25), ("inverted", 3), ("split", 3)]:
        d = SCENARIOS[key].load(n, 0)
        cv = FineTuneCV(pretrained_source(key), strategies=("head", "l2sp"), lams=(0.0, 0.1, 1.0, np.inf),
                        cv=3).fit(d.X_target, d.y_target)
        if key == "split":
            best = max(cv.cv_scores_.values())
            m0, se0 = cv.cv_scores_["scratch"]
            assert not cv.transfer_ or best[0] - m0 <= se0, cv.cv_scores_
        else:
            assert cv.transfer_, (key, cv.cv_scores_)


@pytest.mark.parametrize("n", [4, 10])
def test_ch04_explorer_lam_limits(n):
    model = DeepTransferModel("shared", seeds=(0,), epochs=3)
    v = model.view(n, 1.0, 1)
    assert v["curve"][0] == v["bars"][3]  # λ = 0: the "full" bar
    assert v["curve"][LAM_CURVE.index(np.inf)] == v["bars"][1]  # λ = ∞: the "head" bar


def test_ch04_finetunecv_se_reading():
    """Inverted digits: the pick beats scratch by less than one SE and is within two points of it on the test set;
    the synthetic task: the head wins by many standard errors."""
    d = SCENARIOS["inverted"].load(3, 0)
    cv = FineTuneCV(pretrained_source("inverted"), strategies=("head", "l2sp"), lams=(0.0, 0.1, 1.0, np.inf),
                    cv=3).fit(d.X_target, d.y_target)
    best, scratch = max(cv.cv_scores_.values()), cv.cv_scores_["scratch"]
    assert cv.transfer_ and best[0] - scratch[0] < min(best[1], scratch[1])
    plain = fine_tune(pretrained_source("inverted"), d.X_target, d.y_target, strategy="scratch")
    assert abs(cv.score(d.X_test, d.y_test) - plain.score(d.X_test, d.y_test)) < 0.02
    d = SCENARIOS["shared"].load(25, 0)
    cv = FineTuneCV(pretrained_source("shared"), strategies=("head", "l2sp"), lams=(0.0, 0.1, 1.0, np.inf),
                    cv=3).fit(d.X_target, d.y_target)
    (m, se), (m0, se0) = cv.cv_scores_["head"], cv.cv_scores_["scratch"]
    assert cv.best_strategy_ == "head" and m - m0 > 2 * max(se, se0)


def test_ch04_explorer_gap_narrows():
    """The explorer's head and scratch bars are the curves' means (same fine_tune calls): the gap narrows with n."""
    c = _curves("shared")
    gap = c["head"] - c["scratch"]
    assert np.all(np.diff(gap) < 0), gap


def test_ch04_source_useless_on_target():
    d = SCENARIOS["inverted"].load(3, 0)
    src = pretrained_source("inverted")
    assert src.score(d.X_source, d.y_source) > 0.99 and src.score(d.X_test, d.y_test) < 0.1
