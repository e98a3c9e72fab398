"""Interactive explorers: thin ipywidgets + matplotlib views over tlearn's maths.

Every explorer is a function ``*_explorer(**options)`` callable with no
arguments that returns an :class:`Explorer` with ``.widget``, ``.controls``
(at least ``"lam"`` and ``"n"``) and ``.fig``; ``.model`` holds its maths
and caches (no drawing, testable alone) and ``.summary_text`` the one-line
summary shown under the figure.
"""
from ._common import LAM_GRID, Explorer, assemble, lam_slider, new_figure, render_png
from ._batched import train_two_layer_grid
from ._models import BackpropExplorerModel, FeatureCurves, RidgeExplorerModel, RidgeSetting
from .ridge import ridge_explorer
from .features import feature_explorer
from .backprop import LossMonitor, backprop_explorer
from .deep import deep_explorer
from .sources import sources_explorer
from .shift import shift_explorer

__all__ = ["Explorer", "assemble", "lam_slider", "new_figure", "render_png", "LAM_GRID", "ridge_explorer"]
__all__ += ["backprop_explorer", "LossMonitor"]
__all__ += ["train_two_layer_grid", "RidgeExplorerModel", "RidgeSetting", "FeatureCurves", "BackpropExplorerModel"]
__all__ += ["deep_explorer"]
__all__ += ["feature_explorer"]
__all__ += ["shift_explorer", "sources_explorer"]
