"""Matrix heatmaps: a diverging colour map centred on zero, a colour bar, the value under
the mouse. Drawn by Qt from a pixmap (gui/plots/heatmap_items.py)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

from gui.plots.axes import nice_ceiling, style_axes
from gui.plots.heatmap_items import ColourBar, MatrixImage, quantise
from gui.plots.plot_widgets import GraphicsLayoutWidget

LARGEST_FINITE = float(np.finfo(np.float64).max)
# What the estimate heatmap says under its image about its colour scale.
SCALE_NOTE = "colours: ± largest entry"
_SMALL_MATRIX = 12  # up to this size, every row and column index gets a tick
# A matrix far wider than tall (the 3 x 17 pseudo-inverse of the tutorial's indicator
# matrix) is drawn with taller cells, so that it shows as at most 2:1 instead of a strip.
MAX_IMAGE_ASPECT = 2.0
MIN_IMAGE_PX = 40  # a heatmap's image is never squeezed narrower or lower than this
# A heatmap that follows its values (the estimate) widens its scale to the next 1-2-5 step as
# soon as an entry leaves it, and narrows it once the largest entry is below this share.
FOLLOW_SHRINK = 0.25
# Blue - white - red (ColorBrewer's RdBu, reversed): white is exactly zero.
DIVERGING = pg.ColorMap(
    [0.0, 0.25, 0.5, 0.75, 1.0],
    [(33, 102, 172), (146, 197, 222), (255, 255, 255), (244, 165, 130), (178, 24, 43)],
)


class MatrixHeatmap(GraphicsLayoutWidget):
    """A matrix drawn as an image, row 0 at the top, with a diverging colour map centred on
    zero and symmetric levels ±limit, a colour bar, and the value under the mouse.

    Under the image: the value under the mouse, else `idle_note` (what the colours mean).

    The levels are never recomputed from each image (pyqtgraph PR #2883): they stay as set,
    or, with `decades=True`, move only when the largest entry leaves its decade, so an error
    that shrinks by orders of magnitude stays visible and the colour bar tells its size.
    """

    idle_note = ""

    def __init__(self, title: str, decades: bool = False, parent: QWidget | None = None,
                 follow: bool = False) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self._decades = decades
        self._follow = follow
        self._values = np.zeros((1, 1))
        self._levels = np.zeros((1, 1), dtype=np.int16)
        self._limit = 1.0
        # The title sits above plot and colour bar together: as a PlotItem title it would
        # claim its whole width over the image alone, and two heatmaps side by side would
        # not fit a 1024-pixel window.
        self.ci.setContentsMargins(3, 3, 3, 3)  # pyqtgraph's 9 px: room for the matrix
        self.title_label = self.addLabel("", row=0, col=0)
        self.plot = self.addPlot(row=1, col=0)
        self.set_title(title)
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.vb.setMinimumSize(MIN_IMAGE_PX, MIN_IMAGE_PX)
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("left", "row i")
        self.plot.setLabel("bottom", "column j")
        for name in ("left", "bottom"):
            # Indices need no SI prefix. With it, the 1 x 1 image a new run starts from
            # relabels the axis "row i (x0.001)" for a moment, and pyqtgraph 0.14 places the
            # label for that longer text and leaves it there once the prefix goes.
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        style_axes(self.plot, 11)
        # Drawn by Qt from a pixmap: see gui/plots/heatmap_items.py.
        self.image = MatrixImage()
        self.plot.addItem(self.image)
        self.colour_bar = ColourBar(
            values=(-1.0, 1.0), colorMap=DIVERGING, interactive=False, width=18,
            colorMapMenu=False,
        )
        self.colour_bar.setImageItem(self.image, insert_in=self.plot)
        bar_axis = self.colour_bar.getAxis("right")
        bar_font = QFont()
        bar_font.setPointSize(11)
        bar_axis.setStyle(tickFont=bar_font)
        # A fixed width that fits "-0.0005" or "1e+12": an axis that widens itself to fit
        # new labels drops them until the next layout pass, so after a change of decade the
        # bar showed only "0" (pyqtgraph's autoExpandTextSpace).
        bar_axis.setWidth(QFontMetrics(bar_font).horizontalAdvance("-0.0005") + 14)
        bar_axis.setTextPen("k")
        self.hover_label = self.addLabel(self.idle_note, row=2, col=0, size="11pt", color="k")
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._show(np.zeros((1, 1)), reshaped=True)

    def minimumSizeHint(self) -> QSize:
        # What the scene needs (axes, colour bar and its numbers, title, a small image):
        # squeezed further, a window would cut the colour bar's numbers off.
        scene = self.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        frame = 2 * self.frameWidth()
        return QSize(math.ceil(scene.width()) + frame, math.ceil(scene.height()) + frame)

    @property
    def limit(self) -> float:
        """The colour scale runs from -limit (blue) through white (0) to +limit (red)."""
        return self._limit

    def values(self) -> np.ndarray:
        """The matrix last given to set_matrix."""
        return self._values

    def forget(self) -> None:
        """A new run: an empty 1 x 1 image on the scale ±1, no read-out under the mouse, the
        axes and the aspect set again from scratch."""
        self._limit = 1.0
        self.colour_bar.setLevels(low=-1.0, high=1.0)
        self.hover_label.setText(self.idle_note)
        self._show(np.zeros((1, 1)), reshaped=True)

    def set_limit(self, limit: float) -> None:
        """Set the colour scale to ±limit (a zero or non-finite limit becomes 1)."""
        if not np.isfinite(limit) or limit <= 0:
            limit = 1.0
        self._limit = float(limit)
        self.colour_bar.setLevels(low=-self._limit, high=self._limit)
        self._show(self._values, reshaped=False, force=True)

    def set_matrix(self, matrix: np.ndarray) -> None:
        """Show `matrix` (2-D). NaN and ±inf (a diverged run) show as the extreme colours.

        Skips the redraw when no pixel would change colour: once a run has converged at
        this scale, frames cost the GUI thread (and the solver sharing its GIL) nothing."""
        values = np.atleast_2d(np.array(matrix, dtype=np.float64))
        if self._decades:
            self._follow_decade(values)
        elif self._follow:
            self._follow_values(values)
        self._show(values, reshaped=values.shape != self._values.shape)

    def _follow_values(self, values: np.ndarray) -> None:
        """±(the largest finite entry, rounded up to a 1-2-5 step), changed only when an
        entry leaves the scale or the largest falls below FOLLOW_SHRINK of it: X in 0..1
        shows its structure even when the answer's entries are ±4e6 (hilbert-6), and a
        diverging X keeps a readable scale instead of one solid colour."""
        finite = np.abs(values[np.isfinite(values)])
        largest = float(finite.max()) if finite.size else 0.0
        if not 0.0 < largest <= LARGEST_FINITE:
            return
        if largest > self._limit or largest < FOLLOW_SHRINK * self._limit:
            self.set_limit(min(nice_ceiling(largest), LARGEST_FINITE))

    def _follow_decade(self, values: np.ndarray) -> None:
        finite = np.abs(values[np.isfinite(values)])
        largest = float(finite.max()) if finite.size else 0.0
        if largest <= 0.0:
            return
        # The next power of ten, or the largest double for entries beyond 1e308 (10.0 ** 309
        # overflows).
        exponent = math.ceil(math.log10(largest))
        decade = 10.0**exponent if exponent <= 308 else float(np.finfo(np.float64).max)
        # Grow as soon as it is needed; shrink only well inside the next decade down, so
        # an error hovering at a decade boundary does not make the colours flicker.
        if largest > self._limit or largest < self._limit / 20.0:
            self.set_limit(decade)

    def _show(self, values: np.ndarray, reshaped: bool, force: bool = False) -> None:
        steps = quantise(values, self._limit)
        self._values = values
        if not (reshaped or force) and np.array_equal(steps, self._levels):
            return
        self._levels = steps
        self.image.set_steps(steps)
        if reshaped:
            rows, cols = values.shape
            self._set_ticks(self.plot.getAxis("bottom"), cols)
            self._set_ticks(self.plot.getAxis("left"), rows)
            aspect = cols / rows
            clipped = min(max(aspect, 1.0 / MAX_IMAGE_ASPECT), MAX_IMAGE_ASPECT)
            # pyqtgraph's ratio: pixels per column over pixels per row (1: square cells).
            self.plot.setAspectLocked(True, ratio=clipped / aspect)
            self.plot.autoRange(padding=0)
            # Repaint the whole view: Qt's minimal update of the moved image (inside a view
            # box marked ItemHasNoContents, gui/plots/plot_widgets.py) left parts of the old,
            # differently shaped matrix on screen above and below the new one (issue 11).
            self.viewport().update()

    def set_title(self, title: str, size: str = "13pt") -> None:
        """Change the heading (it names what is shown; HTML such as <br> allowed)."""
        self.title_label.setText(title, size=size, color="k")

    @staticmethod
    def _set_ticks(axis: pg.AxisItem, count: int) -> None:
        if count <= _SMALL_MATRIX:
            axis.setTicks([[(i, str(i)) for i in range(count)]])
        else:
            axis.setTicks(None)

    def _on_mouse_moved(self, position: QPointF) -> None:
        view = self.plot.vb
        if not view.sceneBoundingRect().contains(position):
            self.hover_label.setText(self.idle_note)
            return
        point = view.mapSceneToView(position)
        row, col = int(round(point.y())), int(round(point.x()))
        rows, cols = self._values.shape
        if 0 <= row < rows and 0 <= col < cols:
            self.hover_label.setText(f"[{row}, {col}] = {self._values[row, col]:.6g}")
        else:
            self.hover_label.setText(self.idle_note)


class ErrorHeatmap(MatrixHeatmap):
    """The error matrix (X·M − I, or U·S·Vᵀ − M for the SVD) as a heatmap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Error  X·M − I", decades=True, parent=parent)
        self.setObjectName("errorHeatmap")


class EstimateHeatmap(MatrixHeatmap):
    """The current estimate (X, or the reconstruction U·S·Vᵀ) as a heatmap, on a colour
    scale that follows its own largest entry (the note under it says so)."""

    idle_note = SCALE_NOTE

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Estimate  X", parent=parent, follow=True)
        self.setObjectName("estimateHeatmap")
