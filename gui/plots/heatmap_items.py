"""The heatmaps' image and colour bar, drawn by Qt without calls into Python.

pyqtgraph's ImageItem paints in Python (it maps levels to colours inside paint), and a
ColorBarItem's four axes answer Qt's many boundingRect questions in Python on every repaint;
each such call waits for the GIL that the solver thread holds between torch operations
(bench_gui, issue 3). Here the colours are looked up once per new matrix, into the pixmap
of a plain QGraphicsPixmapItem, and the colour bar's axes are PixmapAxis.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem

from gui.plots.pixmap_axis import PixmapAxis

# Colour steps on each side of zero: a matrix is handed over as integers in ±STEPS.
STEPS = 255


def quantise(values: np.ndarray, limit: float) -> np.ndarray:
    """`values` as integers in [-STEPS, STEPS] on the scale ±limit (NaN and ±inf, as in a
    diverged run, take the extreme colours)."""
    clipped = np.clip(np.nan_to_num(values, nan=limit, posinf=limit, neginf=-limit),
                      -limit, limit)
    return np.rint(clipped * (STEPS / limit)).astype(np.int16)


class MatrixImage(QGraphicsPixmapItem):
    """A matrix as an image: entry [i, j] fills the unit square centred on (x=j, y=i).

    A ColorBarItem drives it like an ImageItem (setColorMap, setLevels); the levels are
    already applied by `set_steps`, which takes the matrix quantised to ±STEPS."""

    def __init__(self) -> None:
        super().__init__()
        self.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setOffset(-0.5, -0.5)
        self._lut: np.ndarray | None = None
        self._steps = np.zeros((1, 1), dtype=np.int16)

    def setColorMap(self, colour_map: pg.ColorMap) -> None:  # noqa: N802 (ColorBarItem calls it)
        """Colour the image with `colour_map` (-limit at 0, zero at 0.5, +limit at 1)."""
        self._lut = colour_map.getLookupTable(0.0, 1.0, nPts=2 * STEPS + 1, alpha=True)
        self._render()

    def setLevels(self, levels) -> None:  # noqa: N802 (ColorBarItem calls it)
        """Accepted for ColorBarItem; the scale is applied by `quantise` before `set_steps`."""

    def set_steps(self, steps: np.ndarray) -> None:
        """Show a matrix given as `quantise` returns it."""
        self._steps = steps
        self._render()

    def rgba(self) -> np.ndarray:
        """The colours on screen, one RGBA row per matrix row."""
        return self._lut[self._steps.astype(np.intp) + STEPS]

    def _render(self) -> None:
        if self._lut is None:
            return
        rgba = np.ascontiguousarray(self.rgba(), dtype=np.uint8)
        rows, cols = self._steps.shape
        image = QImage(rgba.data, cols, rows, cols * 4, QImage.Format.Format_RGBA8888)
        self.setPixmap(QPixmap.fromImage(image.copy()))  # copy(): rgba's memory goes


class ColourBar(pg.ColorBarItem):
    """pg.ColorBarItem whose axes are PixmapAxis."""

    def setAxisItems(self, axisItems=None) -> None:  # noqa: N802, N803 (pyqtgraph's API)
        """Called by PlotItem.__init__: all four axes (a colour bar shows them all, the
        three without values as its frame) become PixmapAxis unless given."""
        items = dict(axisItems or {})
        for orientation in ("left", "right", "top", "bottom"):
            items.setdefault(orientation, PixmapAxis(orientation))
        super().setAxisItems(items)
