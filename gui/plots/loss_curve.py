"""The live loss curve's points, peak-decimated incrementally from the run's loss store.

A pyqtgraph PlotDataItem re-decimates every point on each update and paints in Python,
holding the GIL (which the solver thread needs between any two torch operations) while Qt
rasterises the line. This decimator keeps per-bin minima and maxima of the losses seen so
far, bins of `width` iterations, adds bins only for new iterations, and the points it returns
are painted by Qt's path items in C++ (gui/plots/chunked_path.py). It keeps no losses
itself: it reads the one loss history (gui/loss_store.py).
"""

from __future__ import annotations

import numpy as np

from gui.loss_store import LossStore

# Losses are drawn as log10(loss); these bounds keep 0, inf and NaN drawable.
LOG_FLOOR = -300.0
LOG_CEILING = 308.0


def log_losses(losses) -> np.ndarray:
    """log10 of the losses, with 0 at the floor and NaN or inf (a diverged run) at the top."""
    values = np.asarray(losses, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(values, out=np.empty_like(values))  # an array, even for one loss
    # Not np.nan_to_num: it costs more than the logarithm itself, for every frame's losses
    # (twice), and the losses are all finite and positive until a run diverges.
    bad = ~np.isfinite(logs)
    if bad.any():
        logs[bad] = np.where(logs[bad] == -np.inf, LOG_FLOOR, LOG_CEILING)
    return logs


class PeakDecimator:
    """Per-bin (min, max) of log10 losses, bins of `width` iterations from iteration 0.

    `points(store, x_range)` draws each complete bin as a vertical stroke from its minimum to
    its maximum (every peak stays visible), then the unfinished last bin the same way,
    ending at the newest point; only bins overlapping `x_range` are drawn. Cost per call:
    the new complete bins, plus the bins in view (about two per pixel).
    """

    def __init__(self) -> None:
        self.width = 1
        self._covered = 0  # iterations [0, covered) are binned
        self._count = 0  # bins computed
        self._bx = np.empty(256)
        self._lo = np.empty(256)
        self._hi = np.empty(256)

    def reset(self, width: int = 1) -> None:
        """Forget every bin (new data, or a new bin width)."""
        self.width = max(1, int(width))
        self._covered = self._count = 0

    def points(self, store: LossStore, x_range: tuple[float, float]
               ) -> tuple[np.ndarray, np.ndarray]:
        """(iterations, log10 losses) of the line through every loss in `store`, as drawn
        in `x_range`."""
        n = len(store)
        if n == 0:
            return np.empty(0), np.empty(0)
        if self.width == 1:
            x, y = store.since(max(0, int(x_range[0]) - 1))
            keep = x <= x_range[1] + 1
            return x[keep].astype(np.float64), log_losses(y[keep])
        complete = (n // self.width) * self.width
        if complete < self._covered:  # the history shrank under us: start over
            self._covered = self._count = 0
        if complete > self._covered:
            self._add_bins(store, complete)
        first, last = _visible(self._bx[: self._count], x_range)
        xs = np.repeat(self._bx[first:last], 2)
        ys = np.column_stack((self._lo[first:last], self._hi[first:last])).ravel()
        if last == self._count and complete < n:
            tx, ty = store.since(complete)
            ty = log_losses(ty)
            if tx.size > 3:
                # Up to width - 1 newest points share the last two pixels: their stroke,
                # then the newest point, where the curve visibly ends.
                tx = np.array([tx[0], tx[0], tx[-1]])
                ty = np.array([ty.min(), ty.max(), ty[-1]])
            xs = np.concatenate((xs, tx))
            ys = np.concatenate((ys, ty))
        return xs, ys

    def _add_bins(self, store: LossStore, complete: int) -> None:
        x, y = store.since(self._covered)
        inside = x < complete
        x, y = x[inside], log_losses(y[inside])
        if x.size:
            bins = x // self.width
            starts = np.flatnonzero(np.r_[True, bins[1:] != bins[:-1]])
            new = starts.size
            end = self._count + new
            if end > self._bx.size:
                size = max(end, 2 * self._bx.size)
                self._bx, self._lo, self._hi = (np.resize(a, size)
                                                for a in (self._bx, self._lo, self._hi))
            self._bx[self._count: end] = bins[starts] * self.width
            self._lo[self._count: end] = np.minimum.reduceat(y, starts)
            self._hi[self._count: end] = np.maximum.reduceat(y, starts)
            self._count = end
        self._covered = complete


def _visible(x: np.ndarray, x_range: tuple[float, float]) -> tuple[int, int]:
    """Index range of the points in x_range (sorted x), one more on each side so the line
    runs to the edges of the view."""
    first = int(np.searchsorted(x, x_range[0], side="left")) - 1
    last = int(np.searchsorted(x, x_range[1], side="right")) + 1
    return max(first, 0), min(last, x.size)
