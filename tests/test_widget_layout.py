"""Every explorer stays readable at every slider position: a sweep of each control over its range.

Reusable: :func:`layout_problems` checks one figure, :func:`sweep_values` picks a
few values of a control (both ends and the middle), :func:`sweep` drives an
explorer and collects the problems. To cover another explorer, add a line to
``EXPLORERS`` (a factory with small options; controls are found by themselves).

What is checked, on the renderer's text and legend extents
(``get_window_extent``): every visible text lies inside the figure; no axis
label or title overlaps any tick label; no two tick labels of one axis
overlap; no legend covers a plotted point (line vertices, densified along
the segments, scatter and error-bar points inside their axes).
"""
import numpy as np
import pytest
import ipywidgets as W
from matplotlib.collections import Collection, LineCollection
from matplotlib.lines import Line2D

from tlearn.widgets import (backprop_explorer, deep_explorer, feature_explorer, ridge_explorer, shift_explorer,
                            sources_explorer)

#: (id, factory): each factory builds an explorer with options small enough for a sweep.
EXPLORERS = [
    ("ridge", lambda: ridge_explorer(n_repeats=20)),
    ("features", lambda: feature_explorer(n_repeats=2, n_tasks=12, n_per_task=40)),
    ("backprop", lambda: backprop_explorer(steps=100)),
    ("deep", lambda: deep_explorer()),
    ("shift", lambda: shift_explorer()),
    ("sources", lambda: sources_explorer()),
]


def _ticklabels(axis):
    ticks = axis._update_ticks()  # the ticks a draw puts on screen (inside the view interval)
    return [lab for t in ticks for lab in (t.label1, t.label2) if lab.get_visible() and lab.get_text().strip()]


def _visible_texts(fig, renderer):
    """The texts a draw puts on screen: tick labels in view, labels, titles, texts, legend entries."""
    texts = list(fig.texts)
    for leg in list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]:
        texts += leg.get_texts()
    for ax in fig.axes:
        texts += _ticklabels(ax.xaxis) + _ticklabels(ax.yaxis)
        texts += [ax.xaxis.label, ax.yaxis.label, ax.title, ax._left_title, ax._right_title]
        box = ax.get_window_extent(renderer)
        texts += [t for t in ax.texts if not (t.get_clip_on() and not _overlap(t.get_window_extent(renderer), box))]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _points(ax, renderer):
    """Display coordinates of everything plotted in ``ax`` that is inside the axes."""
    pts = []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
        if line.get_linestyle() not in ("None", "", " ") and len(xy) > 1:  # densify the drawn segments
            t = np.linspace(0.0, 1.0, 12)[:, None, None]
            xy = (xy[:-1][None] * (1 - t) + xy[1:][None] * t).reshape(-1, 2)
        pts.append(xy)
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        if isinstance(coll, LineCollection):
            segs = [np.asarray(s, dtype=float) for s in coll.get_segments() if len(s)]
            if segs:
                pts.append(coll.get_transform().transform(np.concatenate(segs)))
        elif isinstance(coll, Collection) and len(coll.get_offsets()):
            pts.append(coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), dtype=float)))
    if not pts:
        return np.zeros((0, 2))
    xy = np.concatenate(pts)
    box = ax.get_window_extent(renderer)
    keep = np.all(np.isfinite(xy), axis=1) & (xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1) & (
        xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1)
    return xy[keep]


def _overlap(a, b, tol=0.5):
    return a.x0 < b.x1 - tol and b.x0 < a.x1 - tol and a.y0 < b.y1 - tol and b.y0 < a.y1 - tol


def layout_problems(fig):
    """A list of readable problems of ``fig``'s layout as drawn now (empty when all is well)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    problems = []
    frame = fig.bbox
    for t in _visible_texts(fig, renderer):
        box = t.get_window_extent(renderer)
        if box.x0 < frame.x0 - 1 or box.x1 > frame.x1 + 1 or box.y0 < frame.y0 - 1 or box.y1 > frame.y1 + 1:
            problems.append(f"text {t.get_text()!r} leaves the figure")
    ticks = [(lab, lab.get_window_extent(renderer)) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
             for lab in _ticklabels(axis)]
    for ax in fig.axes:
        for lab in (ax.xaxis.label, ax.yaxis.label, ax.title):
            if not (lab.get_visible() and lab.get_text().strip()):
                continue
            box = lab.get_window_extent(renderer)
            problems += [f"{lab.get_text()!r} overlaps tick label {t.get_text()!r}" for t, tb in ticks
                         if _overlap(box, tb)]
        for axis in (ax.xaxis, ax.yaxis):
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _ticklabels(axis)]
            problems += [f"tick labels {a!r} and {b!r} overlap" for i, (a, ba) in enumerate(boxes)
                         for b, bb in boxes[i + 1:] if _overlap(ba, bb)]
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    for leg in legends:
        box = leg.get_window_extent(renderer)
        for ax in fig.axes:
            xy = _points(ax, renderer)
            inside = (xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)
            if inside.any():
                problems.append(f"a legend covers {int(inside.sum())} plotted points")
    return problems


def sweep_values(control, k=3):
    """Both ends of a control's range and values in between (``k`` in all)."""
    if isinstance(control, (W.IntSlider, W.FloatSlider)):
        vals = np.linspace(control.min, control.max, k)
        return [int(round(v)) for v in vals] if isinstance(control, W.IntSlider) else [
            float(control.min + round((v - control.min) / control.step) * control.step) for v in vals]
    options = [v for _, v in control.options]
    return [options[int(round(i))] for i in np.linspace(0, len(options) - 1, k)]


def sweep(explorer, k=3):
    """Move each control over ``sweep_values`` (the others at their defaults); collect every problem."""
    found = []
    for name, control in explorer.controls.items():
        start = control.value
        for v in sweep_values(control, k):
            control.value = v
            found += [f"{name} = {v!r}: {p}" for p in layout_problems(explorer.fig)]
        control.value = start
    return found


@pytest.mark.parametrize("factory", [f for _, f in EXPLORERS], ids=[i for i, _ in EXPLORERS])
def test_layout_is_readable_at_every_slider_position(factory):
    explorer = factory()
    assert sweep(explorer) == []


def test_ridge_middle_panel_at_the_ends_of_n():
    """The case of the cold read: n_B = 2 and n_B = 60 (the y-range of the risk panel changes most)."""
    ex = ridge_explorer(n_repeats=20)
    for n in (2, 60, 10, 11):
        ex.controls["n"].value = n
        assert layout_problems(ex.fig) == [], n


def test_the_checker_can_fail():
    """A legend on the data, a label on the tick labels and a text off the canvas are all reported."""
    from tlearn.widgets import new_figure

    fig, axes = new_figure(1, 1, figsize=(4, 3))
    ax = axes[0, 0]
    x = np.linspace(0, 1, 50)
    ax.plot(x, np.full_like(x, 5e5), label="a long legend entry on the data")
    ax.legend(loc="center")
    ax.set_ylim(0, 1e6)
    ax.set_ylabel("a long label for y")
    fig.canvas.draw()
    fig.set_layout_engine("none")
    ax.yaxis.set_label_coords(-0.06, 0.5)  # on top of the tick labels
    ax.text(1.5, 0.5, "off the canvas", transform=ax.transAxes)
    problems = " | ".join(layout_problems(fig))
    assert "legend covers" in problems and "overlaps tick label" in problems and "leaves the figure" in problems
