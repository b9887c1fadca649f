"""The loss plot with its words around it: theory's numbers above, the legend below."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui.loss_store import LossStore
from gui.plots.legend_label import LegendNote, PlotNote
from gui.plots.loss_plot import LossPlot


class LossPanel(QWidget):
    """`note` (above: κ, the stable range, predicted and observed rates), `plot` (the loss
    curve of the run's LossStore) and `legend` (below: the compared runs). Neither label
    covers the curves; each shows only when it has something to say."""

    def __init__(self, store: LossStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lossPanel")
        self.note = PlotNote("lossPlotNote", self)
        self.plot = LossPlot(store, self)
        self.legend = LegendNote("lossPlotLegend", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.note)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.legend)
