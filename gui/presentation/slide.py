"""The slide: the central area the class watches (loss plot, error and estimate heatmaps)
arranged for a 16:9 figure, the same for an exported slide and for a recording."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from gui.presentation.figure import Arrangement


def central_arrangement(loss_plot: QWidget, error_heatmap: QWidget,
                        estimate_heatmap: QWidget) -> Arrangement:
    """The loss plot on the left (three fifths of the width), the error heatmap above the
    estimate on the right: on a 16:9 slide each heatmap gets about twice the height it
    would have in a row under the plot."""
    heatmaps = ("v", [(error_heatmap, 1), (estimate_heatmap, 1)])
    return ("h", [(loss_plot, 3), (heatmaps, 2)])
