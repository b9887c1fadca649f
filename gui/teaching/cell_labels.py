"""Numbers printed in the cells of a small heatmap, the way the tutorial prints a matrix."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont

MAX_SIZE = 6  # beyond 6 x 6 the numbers no longer fit their cells
# Cells coloured beyond this share of the scale get white text (dark blue or red below).
DARK = 0.6


class CellLabels:
    """Writes each entry (3 significant digits) into its cell of a MatrixHeatmap.

    Text items are created when a matrix needs more than exist, and only updated after.
    """

    def __init__(self, heatmap, point_size: int = 11) -> None:
        self._heatmap = heatmap
        self._items: list[pg.TextItem] = []
        self._font = QFont()
        self._font.setPointSize(point_size)

    def texts(self) -> list[str]:
        """The texts on screen, row by row (for tests)."""
        return [item.textItem.toPlainText() for item in self._items if item.isVisible()]

    def set_matrix(self, values: np.ndarray) -> None:
        """Label the cells of `values` (as shown by the heatmap); hide all if it is large."""
        values = np.atleast_2d(values)
        rows, cols = values.shape
        count = rows * cols if max(rows, cols) <= MAX_SIZE else 0
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
            item.setText(f"{value:.3g}", color="w" if abs(value) > DARK * limit else "k")
            item.setPos(j, i)
            item.setVisible(True)
