"""The slide: the central area the class watches (loss plot, error and estimate heatmaps)
arranged for a 16:9 figure, the same for an exported slide and for a recording."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.presentation.figure import Arrangement


def central_arrangement(loss: QWidget, error_heatmap: QWidget,
                        estimate_heatmap: QWidget) -> Arrangement:
    """The loss curve on the left (three fifths of the width), the error heatmap above the
    estimate on the right, as projector mode arranges them (gui/plots/plot_area.py): on a
    16:9 slide each heatmap gets about twice the height it would have under the curve."""
    heatmaps = ("v", [(error_heatmap, 1), (estimate_heatmap, 1)])
    return ("h", [(loss, 3), (heatmaps, 2)])
