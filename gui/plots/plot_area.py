"""The plots the class watches, arranged for the screen: the loss curve over the two
heatmaps in the window, the loss curve beside the heatmaps (stacked) in projector mode.

On a full screen the heatmaps side by side under the curve were short and wide, so their
aspect-locked images came out 55 px tall at 1280 x 720; beside the curve, stacked, each
gets half the height.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QWidget

# Shares of the area: the loss curve against the heatmaps.
CURVE_SHARE, HEATMAP_SHARE = 3, 2


class PlotArea(QWidget):
    """Holds the loss curve (`curve`, any widget) and two heatmaps, in one of two
    arrangements (`set_presentation`)."""

    def __init__(self, curve: QWidget, first: QWidget, second: QWidget,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plotArea")
        self._widgets = (curve, first, second)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._presentation = None
        self.set_presentation(False)

    def set_presentation(self, on: bool) -> None:
        """Beside each other (projector mode) or one over the other (the window)."""
        if on == self._presentation:
            return
        self._presentation = on
        grid = self._grid
        curve, first, second = self._widgets
        for widget in self._widgets:
            grid.removeWidget(widget)
        for i in range(3):
            grid.setRowStretch(i, 0)
            grid.setColumnStretch(i, 0)
        if on:
            grid.addWidget(curve, 0, 0, 2, 1)
            grid.addWidget(first, 0, 1)
            grid.addWidget(second, 1, 1)
            grid.setColumnStretch(0, CURVE_SHARE)
            grid.setColumnStretch(1, HEATMAP_SHARE)
            grid.setRowStretch(0, 1)
            grid.setRowStretch(1, 1)
        else:
            grid.addWidget(curve, 0, 0, 1, 2)
            grid.addWidget(first, 1, 0)
            grid.addWidget(second, 1, 1)
            grid.setRowStretch(0, CURVE_SHARE)
            grid.setRowStretch(1, HEATMAP_SHARE)
            grid.setColumnStretch(0, 1)
            grid.setColumnStretch(1, 1)
