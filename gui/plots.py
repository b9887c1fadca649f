"""Live plots: the loss curve (log scale) and matrix heatmaps (error, estimate).

Plot items are created once and then only fed with setData / setImage: re-creating items
on every update leaks memory with PySide (pyqtgraph #2348, #2672).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

# Losses are plotted as log10(loss); these bounds keep 0, inf and NaN drawable.
_LOG_FLOOR = -300.0
_LOG_CEILING = 308.0
_SMALL_MATRIX = 12  # up to this size, every row and column index gets a tick


def style_axes(plot: pg.PlotItem, point_size: int) -> None:
    """Readable tick and label fonts for a projector."""
    font = QFont()
    font.setPointSize(point_size)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setStyle(tickFont=font)
        axis.label.setFont(font)


class LossPlot(pg.PlotWidget):
    """The loss against the iteration on a log scale, for up to millions of points.

    Losses are kept as log10 values in a doubling buffer and drawn by one PlotDataItem
    with clip-to-view and peak downsampling, so each update costs O(new points) plus the
    points on screen, and a million points draw as fast as a thousand.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setObjectName("lossPlot")
        self._x = np.empty(1024)
        self._y = np.empty(1024)
        self._n = 0
        plot = self.getPlotItem()
        # Only the axis is logarithmic: the data is already log10, transformed once per
        # point here instead of over the whole curve on every redraw.
        plot.getAxis("left").setLogMode(True)
        plot.setLabel("left", "loss = mean(R²)  (no unit)")
        plot.setLabel("bottom", "iteration t  (steps)")
        plot.showGrid(x=True, y=True, alpha=0.25)
        # The plot's own "Log Y" menu would take log10 a second time: keep only the view menu.
        plot.setMenuEnabled(enableMenu=False, enableViewBoxMenu=True)
        style_axes(plot, 12)
        self._curve = plot.plot(pen=pg.mkPen("#1f5fbf", width=2))
        self._curve.setClipToView(True)
        self._curve.setDownsampling(auto=True, method="peak")
        self._hover = pg.TextItem(color="k", anchor=(0, 1))
        self._hover.setZValue(10)
        plot.addItem(self._hover, ignoreBounds=True)
        self._hover.hide()
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    @property
    def point_count(self) -> int:
        """Number of losses on the curve."""
        return self._n

    def losses(self) -> np.ndarray:
        """The plotted losses (10**log10 of what is drawn; a copy)."""
        return 10.0 ** self._y[: self._n]

    def clear_curve(self) -> None:
        """Forget every point (a new run starts)."""
        self._n = 0
        self._curve.setData([], [])

    def append(self, iterations: np.ndarray, losses: np.ndarray) -> None:
        """Add losses at their iterations and redraw the curve in place."""
        count = len(losses)
        if count == 0:
            return
        end = self._n + count
        if end > self._x.size:
            size = max(end, 2 * self._x.size)
            self._x = np.resize(self._x, size)
            self._y = np.resize(self._y, size)
        self._x[self._n : end] = iterations
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log10(np.asarray(losses, dtype=np.float64))
        # NaN (a diverged run) and +inf draw at the top, 0 at the bottom.
        self._y[self._n : end] = np.nan_to_num(
            logs, nan=_LOG_CEILING, posinf=_LOG_CEILING, neginf=_LOG_FLOOR
        )
        self._n = end
        # Views of the buffers: no copy; everything is finite, so skip pyqtgraph's check.
        self._curve.setData(self._x[:end], self._y[:end], skipFiniteCheck=True)

    def _on_mouse_moved(self, position: QPointF) -> None:
        view = self.getPlotItem().vb
        if self._n == 0 or not view.sceneBoundingRect().contains(position):
            self._hover.hide()
            return
        point = view.mapSceneToView(position)
        i = int(np.clip(np.searchsorted(self._x[: self._n], point.x()), 0, self._n - 1))
        self._hover.setText(f"t = {int(self._x[i])}\nloss = {10.0 ** self._y[i]:.4g}")
        self._hover.setPos(self._x[i], self._y[i])
        self._hover.show()


class MatrixHeatmap(pg.GraphicsLayoutWidget):
    """A matrix drawn as an image, row 0 at the top, with a diverging colour map centred on
    zero and fixed symmetric levels ±limit, a colour bar, and the value under the mouse."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self._matrix = np.zeros((1, 1), dtype=np.float32)
        self._limit = 1.0
        self._title = title
        self.plot = self.addPlot(row=0, col=0)
        self.plot.setTitle(title, size="13pt", color="k")
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("left", "row i")
        self.plot.setLabel("bottom", "column j")
        style_axes(self.plot, 11)
        # Row-major: image[i, j] is row i, column j, the way NumPy prints it.
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(
            values=(-1.0, 1.0), colorMap=pg.colormap.get("CET-D1A"), interactive=False,
            width=18, colorMapMenu=False,
        )
        self.colour_bar.setImageItem(self.image, insert_in=self.plot)
        bar_font = QFont()
        bar_font.setPointSize(11)
        self.colour_bar.getAxis("right").setStyle(tickFont=bar_font)
        self.hover_label = self.addLabel("", row=1, col=0, size="11pt", color="k")
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.set_matrix(self._matrix)

    @property
    def limit(self) -> float:
        """The colour scale runs from -limit (blue) to +limit (red)."""
        return self._limit

    def set_limit(self, limit: float) -> None:
        """Fix the colour scale to ±limit (a zero or non-finite limit becomes 1)."""
        if not np.isfinite(limit) or limit <= 0:
            limit = 1.0
        self._limit = float(limit)
        self.colour_bar.setLevels(low=-self._limit, high=self._limit)

    def set_matrix(self, matrix: np.ndarray) -> None:
        """Show `matrix` (2-D). NaN and ±inf (a diverged run) show as the extreme colours."""
        matrix = np.atleast_2d(np.asarray(matrix, dtype=np.float64))
        reshaped = matrix.shape != self._matrix.shape
        limit = self._limit
        self._matrix = np.clip(
            np.nan_to_num(matrix, nan=limit, posinf=limit, neginf=-limit), -limit, limit
        ).astype(np.float32)
        self.image.setImage(self._matrix, autoLevels=False, levels=(-limit, limit))
        if reshaped:
            rows, cols = self._matrix.shape
            self.image.setRect(QRectF(-0.5, -0.5, cols, rows))
            self._set_ticks(self.plot.getAxis("bottom"), cols)
            self._set_ticks(self.plot.getAxis("left"), rows)
            self.plot.autoRange(padding=0)
        self._values = matrix

    def set_title(self, title: str) -> None:
        """Change the heading (it names what is shown)."""
        self.plot.setTitle(title, size="13pt", color="k")

    @staticmethod
    def _set_ticks(axis: pg.AxisItem, count: int) -> None:
        if count <= _SMALL_MATRIX:
            axis.setTicks([[(i, str(i)) for i in range(count)]])
        else:
            axis.setTicks(None)

    def _on_mouse_moved(self, position: QPointF) -> None:
        view = self.plot.vb
        if not view.sceneBoundingRect().contains(position):
            self.hover_label.setText("")
            return
        point = view.mapSceneToView(position)
        row, col = int(round(point.y())), int(round(point.x()))
        rows, cols = self._values.shape
        if 0 <= row < rows and 0 <= col < cols:
            self.hover_label.setText(f"[{row}, {col}] = {self._values[row, col]:.6g}")
        else:
            self.hover_label.setText("")


class ErrorHeatmap(MatrixHeatmap):
    """The error matrix (X·M − I, or U·S·Vᵀ − M for the SVD) as a heatmap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Error  X·M − I", parent)
        self.setObjectName("errorHeatmap")


class EstimateHeatmap(MatrixHeatmap):
    """The current estimate (X, or the reconstruction U·S·Vᵀ) as a heatmap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Estimate  X", parent)
        self.setObjectName("estimateHeatmap")
