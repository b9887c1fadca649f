"""Each singular value's path over the iterations, with torch.linalg.svd's values dashed."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from gui.plots.plot_widgets import PlotWidget
from gui.teaching.draw_when_shown import DrawWhenShown
from gui.teaching.series import Series
from gui.teaching.style import RangeFollower, dashed_pen, setup_plot, solid_pen

MAX_CURVES = 8  # more singular values than this: only the largest ones get a curve
HEADROOM = 1.05  # a little room above the largest value
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def subscript(i: int) -> str:
    """'12' -> '₁₂'."""
    return str(i).translate(_SUBSCRIPTS)


class SingularValuePlot(DrawWhenShown, PlotWidget):
    """σᵢ of the estimate at each recorded iteration, one colour per i, and torch's σᵢ as a
    dashed line of the same colour: a path that ends on its dashed line has converged.

    No legend: the result table below names each σᵢ in its colour, with both values, and a
    legend would cover the paths in a narrow dock."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("singularValuePlot")
        # Short titles: a long one sets the plot's minimum width and is cut in a narrow dock.
        self.plot = setup_plot(self, "Singular values σᵢ", "iteration t  (steps)",
                               "σᵢ   (dashed: torch)")
        self.series = Series(1)
        self._follower = RangeFollower(self.plot, log_y=False)
        self._curves: list[pg.PlotDataItem] = []
        self._references: list[pg.InfiniteLine] = []
        self._reference = np.zeros(0)
        self._count = 0
        self._top, self._low = 0.0, 0.0
        self._stale = False

    @property
    def reference(self) -> np.ndarray:
        """torch's singular values shown (the first MAX_CURVES)."""
        return self._reference

    def start(self, reference: np.ndarray) -> None:
        """A new run: forget the paths; `reference` are torch's singular values, descending."""
        self._reference = np.asarray(reference, dtype=np.float64)[:MAX_CURVES]
        count = self._reference.size
        while len(self._curves) < count:
            i = len(self._curves)
            curve = self.plot.plot(pen=solid_pen(i))
            curve.setClipToView(True)
            line = pg.InfiniteLine(angle=0, pen=dashed_pen(i), movable=False)
            self.plot.addItem(line, ignoreBounds=True)
            self._curves.append(curve)
            self._references.append(line)
        for i, (curve, line) in enumerate(zip(self._curves, self._references, strict=True)):
            shown = i < count
            curve.setVisible(shown)
            line.setVisible(shown)
            curve.setData([], [])
            if shown:
                line.setValue(float(self._reference[i]))
        self._count = count
        self._top, self._low = 0.0, 0.0
        self._stale = False
        self.series.clear(width=max(count, 1))
        self._follower.reset()
        top = float(self._reference.max(initial=0.0))
        self._follower.update(10.0, 0.0, HEADROOM * top)

    def record(self, iteration: int, s: np.ndarray) -> None:
        """Add the estimate's singular values (descending) at `iteration`; redraw the paths
        if on screen (a hidden plot only records: showEvent draws what it missed)."""
        if self._count == 0:
            return
        values = np.asarray(s, dtype=np.float64)[: self._count]
        self.series.append(iteration, values)
        finite = values[np.isfinite(values)]
        self._top = max(self._top, float(finite.max(initial=0.0)))
        self._low = min(self._low, float(finite.min(initial=0.0)))
        self.request_draw()

    def _draw(self) -> None:
        self._stale = False
        if len(self.series) == 0:
            return
        x = self.series.x()
        for i in range(self._count):
            self._curves[i].setData(x, self.series.y(i))
        top = max(float(self._reference.max(initial=0.0)), self._top)
        self._follower.update(float(x[-1]), self._low, HEADROOM * top)
