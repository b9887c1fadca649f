"""The sweep at one momentum: steps to the tolerance against the learning rate, with the
cliff at theory's stability limit."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from gui.plots.axes import style_axes
from gui.plots.plot_widgets import PlotWidget
from gui.sweep.colours import DIVERGED_RGB
from gui.sweep.lr_axis import LrAxis
from solver.sweep import CONVERGED, DIVERGED, FINISHED, SweepResult

FONT_PT = 12
CONVERGED_COLOUR = "#0072B2"
NOT_CONVERGED_DARKER = (130, 130, 130)  # the map's light grey would vanish on white


class SweepLinePlot(PlotWidget):
    """Steps to tol (log) against lr (log) at a fixed momentum.

    Signals:
        lr_clicked(float): the learning rate of the point nearest a left click.
    """

    lr_clicked = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        bottom, left = LrAxis("bottom"), LrAxis("left")  # x: log10 lr, y: log10 steps
        super().__init__(parent, background="w", axisItems={"bottom": bottom, "left": left})
        self.setObjectName("sweepLine")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.setLabel("bottom", "learning rate lr  (log scale)")
        plot.setLabel("left", "steps to tol  (log scale)")
        plot.showGrid(x=True, y=True, alpha=0.25)
        style_axes(plot, FONT_PT)
        plot.vb.setMouseEnabled(x=False, y=False)
        self.curve = pg.PlotDataItem(pen=pg.mkPen(CONVERGED_COLOUR, width=3), symbol="o",
                                     symbolSize=7, symbolBrush=CONVERGED_COLOUR,
                                     symbolPen=None, connect="finite")
        self.diverged = pg.ScatterPlotItem(symbol="x", size=14, pen=None,
                                           brush=pg.mkBrush(DIVERGED_RGB))
        self.not_converged = pg.ScatterPlotItem(symbol="t1", size=11, pen=None,
                                                brush=pg.mkBrush(NOT_CONVERGED_DARKER))
        self.limit_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(
            "k", width=2.5, style=Qt.PenStyle.DashLine), label="", labelOpts={
                "position": 0.12, "color": "k", "fill": (255, 255, 255, 220),
                "anchors": [(1, 0.5), (1, 0.5)]})
        self.current_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#E6007E", width=2.5))
        legend = plot.addLegend(offset=(10, -10), labelTextSize=f"{FONT_PT - 1}pt",
                                labelTextColor="k", brush=pg.mkBrush(255, 255, 255, 220),
                                pen=pg.mkPen("#808080"))
        for item in (self.curve, self.diverged, self.not_converged):
            plot.addItem(item)
        legend.addItem(self.curve, "steps to tol")
        legend.addItem(self.diverged, "diverged")
        legend.addItem(self.not_converged, "not below tol in time")
        legend.addItem(pg.PlotDataItem(pen=self.current_line.pen), "current lr")
        plot.addItem(self.limit_line, ignoreBounds=True)
        plot.addItem(self.current_line, ignoreBounds=True)
        self.limit_line.hide()
        self.lrs = np.empty(0)
        self.max_steps = 1
        self.scene().sigMouseClicked.connect(self._on_click)

    def set_axis(self, lrs: np.ndarray, max_steps: int) -> None:
        """Start a new line over `lrs` (nothing drawn until results arrive)."""
        self.clear_points()
        self.lrs = np.asarray(lrs)
        self.max_steps = max_steps
        x = np.log10(self.lrs)
        self.getPlotItem().vb.setRange(xRange=(x[0], x[-1]), yRange=(0.0, self._top() + 0.2),
                                       padding=0.03)

    def clear_points(self) -> None:
        """No line: an empty plot until the next set_axis."""
        self.lrs = np.empty(0)
        for item in (self.curve, self.diverged, self.not_converged):
            item.setData([], [])

    def clear_document(self) -> None:
        """Nothing of a previous document: no points, limit or current lr."""
        self.clear_points()
        self.limit_line.hide()
        self.current_line.hide()

    def _top(self) -> float:
        return math.log10(max(self.max_steps, 10))

    def show_result(self, result: SweepResult) -> None:
        """Plot the (possibly partial) result of the line set last."""
        x = np.log10(result.lrs)
        converged = result.state == CONVERGED
        if converged.any():  # NaN leaves a gap; all NaN would warn in pyqtgraph's bounds
            steps = np.where(converged, np.maximum(result.stopped_at, 1), np.nan)
            self.curve.setData(x, np.log10(steps))
        else:
            self.curve.setData([], [])
        top = self._top()
        diverged = result.state == DIVERGED
        self.diverged.setData(x[diverged], np.full(diverged.sum(), top + 0.1))
        finished = result.state == FINISHED
        self.not_converged.setData(x[finished], np.full(finished.sum(), top))
        if converged.any():  # from the decade below the fewest steps up to the limit
            low = math.floor(math.log10(max(int(result.stopped_at[converged].min()), 1)))
            self.getPlotItem().vb.setYRange(min(low, top - 1.0), top + 0.2, padding=0.03)

    def set_limit(self, limit: float | None, text: str) -> None:
        """The vertical dashed line at theory's stable limit (None hides it)."""
        if limit is None or not limit > 0:
            self.limit_line.hide()
            return
        self.limit_line.setValue(math.log10(limit))
        self.limit_line.label.setFormat(text)
        self.limit_line.show()

    def set_current(self, lr: float) -> None:
        """The document's current lr as a vertical line."""
        if lr > 0 and math.isfinite(lr):
            self.current_line.setValue(math.log10(lr))
            self.current_line.show()
        else:
            self.current_line.hide()

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.lrs.size == 0:
            return
        x = self.getPlotItem().vb.mapSceneToView(event.scenePos()).x()
        index = int(np.argmin(np.abs(np.log10(self.lrs) - x)))
        self.lr_clicked.emit(float(self.lrs[index]))
