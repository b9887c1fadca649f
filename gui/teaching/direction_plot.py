"""The error split by singular direction of M, over the iterations (log scale).

For X·M = I the residual shrinks along each right singular vector vᵢ of M at its own rate,
set by σᵢ: the curve of the smallest σ is the last to fall (solver/analysis.py explains why).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from gui.plots.legend_label import LegendNote, PlotNote
from gui.plots.plot_widgets import PlotWidget
from gui.teaching.draw_when_shown import DrawWhenShown
from gui.teaching.series import Series
from gui.teaching.style import (
    RangeFollower,
    colour,
    finite_bounds,
    setup_plot,
    solid_pen,
    title_html,
)
from gui.teaching.svd_paths import subscript
from solver.analysis import error_by_direction, singular_directions
from solver.views_math import log10_floor

MAX_CURVES = 8  # more directions than this: the largest, the smallest and some in between
MAX_SIZE = 256  # above this the split (an n³ product per snapshot) is not computed
# Squared errors below this are rounding (or exact zeros) in the run's precision: drawn on
# the floor, the bottom of the view.
LOG_FLOOR = {"float32": -20.0, "float64": -36.0}


class DirectionPlot(DrawWhenShown, PlotWidget):
    """‖R·vᵢ‖² (or ‖uᵢᵀ·R‖² for M·X = I) for each singular direction, one curve per σᵢ."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("directionPlot")
        self.plot = setup_plot(self, "", "iteration t  (steps)", "‖R·vᵢ‖²", log_y=True)
        # Above and below the plot, where they cover no curve (gui/plots/legend_label.py);
        # the owner lays them out with the plot (with_notes).
        self.title = PlotNote("directionTitle")
        self.title.show_html(title_html("Error along each vᵢ of M"))
        self.legend = LegendNote("directionLegend")
        self.series = Series(1)
        self._follower = RangeFollower(self.plot, log_y=True)
        self._curves: list[pg.PlotDataItem] = []
        self._basis = None
        self._side = "left"
        self._floor = LOG_FLOOR["float64"]
        self.sigma = np.zeros(0)
        self.shown = np.zeros(0, dtype=int)
        self.last_split: np.ndarray | None = None
        self.note = ""
        self._stale = False

    def start(self, context) -> None:
        """A new run: the directions of its matrix and residual; nothing for the SVD."""
        self._basis = None
        self.last_split = None
        self.series.clear()
        for curve in self._curves:
            curve.setData([], [])
            curve.setVisible(False)
        self.legend.set_entries([])
        self._follower.reset()
        if context is None or context.kind == "svd":
            self.note = "The SVD loss is not quadratic: no split by singular direction."
            self.title.show_html(title_html("Error split: inverse and pinv only"))
            return
        if max(context.matrix.shape) > MAX_SIZE:
            self.note = f"Matrix larger than {MAX_SIZE}: the split is not computed."
            return
        self.note = ""
        self._side = context.side
        self._floor = LOG_FLOOR.get(context.settings.dtype, LOG_FLOOR["float64"])
        self.sigma, self._basis = singular_directions(context.matrix, context.side)
        n = self.sigma.size
        if n <= MAX_CURVES:
            self.shown = np.arange(n)
        else:
            self.shown = np.unique(np.linspace(0, n - 1, MAX_CURVES).round().astype(int))
        vector = "u" if context.side == "right" else "v"
        label = "‖uᵢᵀ·R‖²" if context.side == "right" else "‖R·vᵢ‖²"
        self.plot.setLabel("left", label)
        self.title.show_html(title_html(f"Error along each {vector}ᵢ of M"))
        while len(self._curves) < self.shown.size:
            curve = self.plot.plot(pen=solid_pen(len(self._curves)))
            curve.setClipToView(True)
            self._curves.append(curve)
        for k in range(self.shown.size):
            self._curves[k].setVisible(True)
        self.legend.set_entries([
            (colour(k), f"{vector}{subscript(i + 1)}: σ = {self.sigma[i]:.3g}", "solid")
            for k, i in enumerate(self.shown)])
        self.series.clear(width=self.shown.size)

    def record(self, iteration: int, error: np.ndarray) -> None:
        """Split `error` (the residual R) and add the shown parts at `iteration`."""
        if self._basis is None:
            return
        # A frame of the previous matrix can still be in flight after the matrix changed.
        width = error.shape[0] if self._side == "right" else error.shape[-1]
        if error.ndim != 2 or width != self._basis.shape[0]:
            return
        split = error_by_direction(self._basis, error, self._side)
        self.last_split = split
        self.series.append(iteration, log10_floor(split[self.shown], self._floor))
        self.request_draw()

    def _draw(self) -> None:
        self._stale = False
        if len(self.series) == 0:
            return
        x = self.series.x()
        low, high = np.inf, -np.inf
        for k in range(self.shown.size):
            y = self.series.y(k)
            self._curves[k].setData(x, y, skipFiniteCheck=True)
            # Exact zeros sit on the floor: drawn off the bottom, left out of the range.
            lo, hi = finite_bounds(y[y > self._floor])
            low, high = min(low, lo), max(high, hi)
        self._follower.update(float(x[-1]), low, high)
