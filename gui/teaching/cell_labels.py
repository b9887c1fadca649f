"""Numbers printed in the cells of a small heatmap, the way the tutorial prints a matrix."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

MAX_SIZE = 6  # beyond 6 x 6 the numbers no longer fit their cells
# Cells coloured beyond this share of the scale get white text (dark blue or red below).
DARK = 0.6
# Significant digits tried, most first: the most that fit every cell are shown.
DIGITS = (3, 2, 1)
CELL_PADDING = 4  # pixels left free in a cell beside its number


def short_number(value: float, digits: int) -> str:
    """`value` to `digits` significant digits, exponent without padding: 8.2e-6, not
    8.16e-06 (a narrow cell holds the short form)."""
    text = f"{value:.{digits}g}"
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    sign = "-" if exponent.startswith("-") else ""
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


class CellLabels:
    """Writes each entry into its cell of a MatrixHeatmap, with as many significant digits
    (3, 2 or 1) as fit the narrowest cell, and none when even 1 digit does not fit: the
    numbers never run into each other. Refitted when the heatmap is resized.

    Text items are created when a matrix needs more than exist, and only updated after.
    """

    def __init__(self, heatmap, point_size: int = 11) -> None:
        self._heatmap = heatmap
        self._items: list[pg.TextItem] = []
        self._font = QFont()
        self._font.setPointSize(point_size)
        self._values = np.zeros((0, 0))
        heatmap.plot.vb.sigResized.connect(self._refit)

    def texts(self) -> list[str]:
        """The texts on screen, row by row (for tests)."""
        return [item.textItem.toPlainText() for item in self._items if item.isVisible()]

    def cell_width(self) -> float:
        """A cell's width on screen, in pixels (0 before the heatmap is laid out)."""
        pixel_x, _pixel_y = self._heatmap.plot.vb.viewPixelSize()
        return 1.0 / pixel_x if pixel_x > 0 else 0.0

    def text_width(self) -> float:
        """The width of the widest number shown, in pixels (0 when none is)."""
        metrics = QFontMetrics(self._font)
        return max((metrics.horizontalAdvance(text) for text in self.texts()), default=0)

    def set_matrix(self, values: np.ndarray) -> None:
        """Label the cells of `values` (as shown by the heatmap); none if it is large or
        its cells too small for a number."""
        self._values = np.atleast_2d(np.asarray(values, dtype=np.float64))
        self._refit()

    def _refit(self, *_args) -> None:
        values = self._values
        rows, cols = values.shape
        small = 0 < values.size and max(rows, cols) <= MAX_SIZE
        texts = self._texts_that_fit(values) if small else None
        count = rows * cols if texts is not None else 0
        while len(self._items) < count:
            item = pg.TextItem(anchor=(0.5, 0.5))
            item.setFont(self._font)
            item.setZValue(3)
            self._heatmap.plot.addItem(item, ignoreBounds=True)
            self._items.append(item)
        limit = self._heatmap.limit
        for k, item in enumerate(self._items):
            if k >= count:
                item.setVisible(False)
                continue
            i, j = divmod(k, cols)
            value = float(values[i, j])
            item.setText(texts[k], color="w" if abs(value) > DARK * limit else "k")
            item.setPos(j, i)
            item.setVisible(True)

    def _texts_that_fit(self, values: np.ndarray) -> list[str] | None:
        room = self.cell_width() - CELL_PADDING
        metrics = QFontMetrics(self._font)
        flat = [float(v) for v in values.ravel()]
        for digits in DIGITS:
            texts = [short_number(v, digits) for v in flat]
            if max(metrics.horizontalAdvance(t) for t in texts) <= room:
                return texts
        return None
