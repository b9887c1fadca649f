"""The live loss curve as one Qt path item, peak-decimated incrementally.

A pyqtgraph PlotDataItem re-decimates every point on each update and paints in Python,
holding the GIL (which the solver thread needs between any two torch operations) while Qt
rasterises the line. This item keeps per-bin minima and maxima of the points seen so far,
adds bins only for new points, and is painted by Qt's QGraphicsPathItem in C++.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPainterPath


class PeakDecimator:
    """Per-bin (min, max) of a growing curve, `ds` consecutive points per bin.

    `path(x, y, n, x_range)` draws each complete bin as a vertical stroke from its minimum
    to its maximum (every peak stays visible), then the unfinished last bin the same way,
    ending at the newest point; only bins overlapping `x_range` are drawn. Cost per call:
    the new complete bins, plus the bins in view (about two per pixel).
    """

    def __init__(self) -> None:
        self.ds = 1
        self._count = 0  # complete bins computed
        self._bx = np.empty(256)
        self._lo = np.empty(256)
        self._hi = np.empty(256)

    def reset(self, ds: int = 1) -> None:
        """Forget every bin (new data, or a new bin width `ds`)."""
        self.ds = max(1, int(ds))
        self._count = 0

    def path(self, x: np.ndarray, y: np.ndarray, n: int,
             x_range: tuple[float, float]) -> QPainterPath:
        """The curve through the first `n` points of (x, y), as drawn in `x_range`."""
        if n == 0:
            return QPainterPath()
        ds = self.ds
        if ds == 1:
            first, last = _visible(x[:n], x_range)
            return pg.arrayToQPath(x[first:last], y[first:last])
        complete = n // ds
        if complete < self._count:  # the data shrank under us: start over
            self._count = 0
        if complete > self._count:
            self._add_bins(x, y, complete)
        first, last = _visible(self._bx[:complete], x_range)
        xs = np.repeat(self._bx[first:last], 2)
        ys = np.column_stack((self._lo[first:last], self._hi[first:last])).ravel()
        tail = slice(complete * ds, n)
        if last == complete and tail.start < tail.stop:
            tx, ty = x[tail], y[tail]
            if tx.size > 3:
                # Up to ds - 1 newest points share the last two pixels: their stroke, then
                # the newest point, where the curve visibly ends.
                tx = np.array([tx[0], tx[0], tx[-1]])
                ty = np.array([ty.min(), ty.max(), ty[-1]])
            xs = np.concatenate((xs, tx))
            ys = np.concatenate((ys, ty))
        return pg.arrayToQPath(xs, ys)

    def _add_bins(self, x: np.ndarray, y: np.ndarray, complete: int) -> None:
        ds, start = self.ds, self._count
        if complete > self._bx.size:
            size = max(complete, 2 * self._bx.size)
            self._bx, self._lo, self._hi = (np.resize(a, size)
                                            for a in (self._bx, self._lo, self._hi))
        blocks = y[start * ds: complete * ds].reshape(-1, ds)
        self._bx[start:complete] = x[start * ds: complete * ds: ds]
        self._lo[start:complete] = blocks.min(axis=1)
        self._hi[start:complete] = blocks.max(axis=1)
        self._count = complete


def _visible(x: np.ndarray, x_range: tuple[float, float]) -> tuple[int, int]:
    """Index range of the points in x_range (sorted x), one more on each side so the line
    runs to the edges of the view."""
    first = int(np.searchsorted(x, x_range[0], side="left")) - 1
    last = int(np.searchsorted(x, x_range[1], side="right")) + 1
    return max(first, 0), min(last, x.size)

