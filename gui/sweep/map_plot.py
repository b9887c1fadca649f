"""The sweep map: steps to the tolerance over learning rate (log axis) and momentum, with
theory's stability limit, its optimum and the current settings drawn on top."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPixmap, QTransform
from PySide6.QtWidgets import QGraphicsPixmapItem, QWidget

from gui.plots.axes import style_axes
from gui.plots.heatmap_items import ColourBar
from gui.plots.plot_widgets import GraphicsLayoutWidget
from gui.sweep.colours import (
    DIVERGED_RGB,
    NOT_CONVERGED_RGB,
    STEPS_MAP,
    cell_colours,
    step_levels,
    swatch,
)
from gui.sweep.lr_axis import LrAxis
from solver.sweep import CONVERGED, SweepResult
from solver.sweep_grid import Grid

BOUNDARY_POINTS = 200
FONT_PT = 12


class CellImage(QGraphicsPixmapItem):
    """One pixel per cell, stretched over the cells' extent in plot coordinates
    (x = log10 lr, y = momentum); painted by Qt from a pixmap (gui/plots/heatmap_items.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.rgb = np.zeros((1, 1, 3), dtype=np.uint8)

    def set_cells(self, rgb: np.ndarray, x0: float, dx: float, y0: float, dy: float) -> None:
        """Show rgb[row, col] as the cell centred on (x0 + col dx, y0 + row dy)."""
        self.rgb = np.ascontiguousarray(rgb)
        rows, cols = rgb.shape[:2]
        image = QImage(self.rgb.data, cols, rows, cols * 3, QImage.Format.Format_RGB888)
        self.setPixmap(QPixmap.fromImage(image.copy()))  # copy(): rgb's memory may go
        # Row 0 of the image lies at the item's y = 0: the bottom of a y-up view box.
        self.setTransform(QTransform.fromTranslate(x0 - dx / 2, y0 - dy / 2).scale(dx, dy))


class SweepMapPlot(GraphicsLayoutWidget):
    """The lr x momentum map of a sweep.

    Signals:
        cell_clicked(float, float): the lr and momentum of the cell under a left click.
    """

    cell_clicked = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepMap")
        self.setBackground("w")
        self.ci.setContentsMargins(4, 4, 4, 4)
        self.plot = self.addPlot(row=0, col=0, axisItems={"bottom": LrAxis()})  # x: log10 lr
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("bottom", "learning rate lr  (log scale)")
        self.plot.setLabel("left", "momentum β")
        style_axes(self.plot, FONT_PT)
        self.plot.vb.setMouseEnabled(x=False, y=False)  # a click picks a cell, not a pan
        self.image = CellImage()
        self.plot.addItem(self.image)
        # Theory's lines: white under black, so they read on bright and dark cells alike.
        self.boundary_halo = pg.PlotCurveItem(pen=pg.mkPen("w", width=6))
        self.boundary = pg.PlotCurveItem(pen=pg.mkPen("k", width=3, style=Qt.PenStyle.DashLine))
        self.optimum = pg.ScatterPlotItem(symbol="star", size=26, pen=pg.mkPen("k", width=2),
                                          brush=pg.mkBrush("w"))
        self.current = pg.ScatterPlotItem(symbol="+", size=28, pen=pg.mkPen("k", width=1.5),
                                          brush=pg.mkBrush("#E6007E"))
        for item in (self.boundary_halo, self.boundary, self.optimum, self.current):
            self.plot.addItem(item)
        self.colour_bar = ColourBar(values=(0.0, 1.0), colorMap=STEPS_MAP, interactive=False,
                                    width=18, colorMapMenu=False)
        self.colour_bar.setLabel("right", "steps to tol")
        bar_axis = self.colour_bar.getAxis("right")
        font = QFont()
        font.setPointSize(FONT_PT - 1)
        bar_axis.setStyle(tickFont=font)
        bar_axis.label.setFont(font)
        bar_axis.setTextPen("k")
        # Wide enough for "2,000" and the label: an axis that widens itself for new labels
        # drops them until the next layout pass (see gui/plots/heatmap.py).
        bar_axis.setWidth(QFontMetrics(font).horizontalAdvance("20,000") + 30)
        self.addItem(self.colour_bar, row=0, col=1)
        self.legend = self.addLabel("", row=1, col=0, colspan=2, size=f"{FONT_PT - 1}pt",
                                    color="k")
        self.grid: Grid | None = None
        self.levels = (0.0, 1.0)
        self._extent = (0.0, 1.0, 0.0, 1.0)  # x0, dx, y0, dy
        self.scene().sigMouseClicked.connect(self._on_click)
        self._set_legend(None)

    # -- the cells ------------------------------------------------------------------------
    def set_grid(self, grid: Grid) -> None:
        """Start a new map: every cell white (not computed) until results arrive."""
        self.grid = grid
        x = np.log10(grid.lrs)
        dx = (x[-1] - x[0]) / (x.size - 1) if x.size > 1 else 0.1
        y = grid.momenta
        dy = (y[-1] - y[0]) / (y.size - 1) if y.size > 1 else 0.02
        self._extent = (float(x[0]), float(dx), float(y[0]), float(dy))
        self.levels = (0.0, 1.0)
        pending = np.zeros(grid.shape, dtype=np.int8)
        self.image.set_cells(cell_colours(pending, pending, self.levels), *self._extent)
        self.image.show()
        self.colour_bar.show()
        self.plot.vb.setRange(xRange=(x[0] - dx / 2, x[-1] + dx / 2),
                              yRange=(y[0] - dy / 2, y[-1] + dy / 2), padding=0.02)

    def clear_cells(self) -> None:
        """No map: an empty white plot, without a colour scale, until the next set_grid."""
        self.grid = None
        self.image.set_cells(np.full((1, 1, 3), 255, np.uint8), 0.0, 1.0, 0.0, 1.0)
        self.image.hide()
        self.levels = (0.0, 1.0)
        self.colour_bar.setLevels(low=0.0, high=1.0)
        self.colour_bar.getAxis("right").setTicks(None)
        self.colour_bar.hide()
        self._set_legend(None)

    def clear_document(self) -> None:  # not clear(): pyqtgraph sets that on the instance
        """Nothing of a previous document: no cells, colour scale, theory lines or cross."""
        self.clear_cells()
        self.set_theory(None, None)
        self.current.setData([], [])

    def show_result(self, result: SweepResult) -> None:
        """Colour the cells from a (possibly partial) result of the grid set last."""
        if self.grid is None:
            return
        converged = result.state == CONVERGED
        if converged.any() and self.levels == (0.0, 1.0):
            # Cells finish in order of their steps: the first converged one is the fastest,
            # so the scale is fixed once and a filling map keeps its colours.
            self._set_levels(step_levels(int(result.stopped_at[converged].min()),
                                         result.max_steps))
        state = self.grid.as_map(result.state)
        steps = self.grid.as_map(result.stopped_at)
        self.image.set_cells(cell_colours(state, steps, self.levels), *self._extent)
        self._set_legend(result.max_steps)

    def _set_levels(self, levels: tuple[float, float]) -> None:
        self.levels = levels
        self.colour_bar.setLevels(low=levels[0], high=levels[1])
        ticks = [(math.log10(v), f"{v:,}") for v in _nice_steps(levels)]
        self.colour_bar.getAxis("right").setTicks([ticks])

    def _set_legend(self, max_steps: int | None) -> None:
        limit = f"not below tol in {max_steps:,} steps" if max_steps else "not below tol"
        # Two short lines: a dock as narrow as half a 1024-pixel window shows them whole.
        self.legend.setText(
            f"{swatch(DIVERGED_RGB)} diverged &nbsp; {swatch(NOT_CONVERGED_RGB)} {limit}<br>"
            "<b>- - -</b> stability limit &nbsp; ☆ theory's optimum &nbsp; "
            "<span style='color:#E6007E'><b>+</b></span> current lr, β")

    # -- theory and the current settings ----------------------------------------------------
    def set_theory(self, boundary: tuple[np.ndarray, np.ndarray] | None,
                   optimum: tuple[float, float] | None) -> None:
        """Draw theory's stability limit (lr per momentum) and its optimal (lr, momentum);
        None hides either."""
        if boundary is None:
            self.boundary.setData([], [])
            self.boundary_halo.setData([], [])
        else:
            lrs, momenta = boundary
            ok = lrs > 0
            x, y = np.log10(lrs[ok]), momenta[ok]
            self.boundary.setData(x, y)
            self.boundary_halo.setData(x, y)
        if optimum is None or not optimum[0] > 0:
            self.optimum.setData([], [])
        else:
            self.optimum.setData([math.log10(optimum[0])], [optimum[1]])

    def set_current(self, lr: float, momentum: float) -> None:
        """Put the cross at the document's current lr and momentum."""
        if lr > 0 and math.isfinite(lr):
            self.current.setData([math.log10(lr)], [momentum])
        else:
            self.current.setData([], [])

    # -- clicks ---------------------------------------------------------------------------
    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, column) of the cell at plot coordinates (log10 lr, momentum), or None."""
        if self.grid is None:
            return None
        x0, dx, y0, dy = self._extent
        col = round((x - x0) / dx)
        row = round((y - y0) / dy)
        rows, cols = self.grid.shape
        if 0 <= row < rows and 0 <= col < cols:
            return row, col
        return None

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.grid is None:
            return
        point = self.plot.vb.mapSceneToView(event.scenePos())
        cell = self.cell_at(point.x(), point.y())
        if cell is not None:
            row, col = cell
            self.cell_clicked.emit(float(self.grid.lrs[col]), float(self.grid.momenta[row]))


def _nice_steps(levels: tuple[float, float]) -> list[int]:
    """Round step counts (1, 2, 5 x 10^k) within the colour scale, for its ticks."""
    low, high = levels
    out = []
    for decade in range(math.floor(low), math.ceil(high) + 1):
        for factor in (1, 2, 5):
            value = factor * 10**decade
            if low - 1e-9 <= math.log10(value) <= high + 1e-9:
                out.append(value)
    return out
