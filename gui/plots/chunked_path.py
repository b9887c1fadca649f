"""A polyline drawn as Qt path items of a few dozen points each, so that a curve growing at
its end repaints only its end.

Qt repaints only what changed in a view (pyqtgraph's views use MinimalViewportUpdate), but a
QGraphicsPathItem given a new path has changed over its whole bounding rectangle. With the
whole loss curve in one item, every frame stroked the whole curve again, and a 2-pixel pen is
Qt's slow path (the outline of each segment, then filled): on the loss curve's noisy floor,
a sawtooth between bins, 6.7 ms a frame against 0.4 ms for the rest of the plot
(benchmarks/bench_gui.py's machine, on the GUI thread). In pieces, a frame replaces only the
pieces whose points changed, and Qt strokes the rest only where they cross that region,
clipped to it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

POINTS_PER_PIECE = 32


class ChunkedPath(QGraphicsPathItem):
    """One polyline through (x, y), held by child path items of `points` points each. The
    item itself paints nothing; hide it to hide the line."""

    def __init__(self, points: int = POINTS_PER_PIECE) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self._step = max(1, int(points))
        self._pen = QPen()
        self._pieces: list[QGraphicsPathItem] = []
        self._shown = 0  # pieces in use, the first ones
        self._x = np.empty(0)
        self._y = np.empty(0)

    @property
    def point_count(self) -> int:
        """The points of the line drawn."""
        return int(self._x.size)

    def line_pen(self) -> QPen:
        """The pen the line is drawn with."""
        return QPen(self._pen)

    def set_line_pen(self, pen: QPen) -> None:
        """Draw the line with `pen`."""
        self._pen = QPen(pen)
        for piece in self._pieces:
            piece.setPen(self._pen)

    def set_points(self, x: np.ndarray, y: np.ndarray) -> None:
        """Draw the line through (x, y) (float arrays of one length); only the pieces whose
        points changed are replaced."""
        x = np.array(x, dtype=np.float64)
        y = np.array(y, dtype=np.float64)
        common = min(x.size, self._x.size)
        differ = np.flatnonzero((x[:common] != self._x[:common]) |
                                (y[:common] != self._y[:common]))
        first = int(differ[0]) if differ.size else common
        if first == x.size == self._x.size:
            return
        self._x, self._y = x, y
        step = self._step
        count = -(-x.size // step)
        # Point i is in piece i // step; a piece's first point also moves the joint before it.
        start = max(0, first // step - (1 if first % step == 0 else 0))
        for k in range(start, count):
            piece = self._piece(k)
            piece.setPath(pg.arrayToQPath(*self._piece_points(k)))
            piece.setVisible(True)
        for piece in self._pieces[count: self._shown]:
            piece.setVisible(False)
            piece.setPath(QPainterPath())
        self._shown = count

    def _piece_points(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Points k·step … (k+1)·step − 1, from and to the middle of the segments that join
        them to the neighbouring pieces. Pieces meet in the middle of a segment, both going
        the same way: each one's line cap lies on the other's stroke, and the line looks as
        one path does (meeting at a point, a cap would stick out where one path draws a
        join)."""
        x, y, step = self._x, self._y, self._step
        begin, end = k * step, min((k + 1) * step, x.size)
        xs, ys = [x[begin:end]], [y[begin:end]]
        if begin > 0:
            xs.insert(0, [(x[begin - 1] + x[begin]) / 2])
            ys.insert(0, [(y[begin - 1] + y[begin]) / 2])
        if end < x.size:
            xs.append([(x[end - 1] + x[end]) / 2])
            ys.append([(y[end - 1] + y[end]) / 2])
        return np.concatenate(xs), np.concatenate(ys)

    def _piece(self, k: int) -> QGraphicsPathItem:
        while len(self._pieces) <= k:
            piece = QGraphicsPathItem(self)
            piece.setPen(self._pen)
            self._pieces.append(piece)
        return self._pieces[k]
