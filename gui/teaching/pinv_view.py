"""The pseudo-inverse view: distance to torch.linalg.pinv, and the part of X in the null space.

No gradient step changes the part of X that the residual cannot see (X·(I − M·M⁺) for
X·M = I): a random start keeps it for ever, so X ends at M⁺ plus that part; a zero start has
none and ends at M⁺ itself. Both curves on one log scale show it: the distance flattens out
exactly at the height of the null-space part.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.plots.legend_label import LegendNote, PlotNote, with_notes
from gui.plots.plot_widgets import PlotWidget
from gui.teaching.draw_when_shown import DrawWhenShown
from gui.teaching.series import Series
from gui.teaching.style import (
    RangeFollower,
    colour,
    dashed_pen,
    finite_bounds,
    setup_plot,
    solid_pen,
    title_html,
)
from solver.views_math import log10_floor

# Exact zeros (a zero start keeps the null-space part at 0) are drawn at 1e-20.
LOG_FLOOR = -20.0
NULL_TOL = 1e-4
NULL_PART = {"left": "X·(I − M·M⁺)", "right": "(I − M⁺·M)·X", "both": "X·(I − M·M⁺)"}


class PinvView(DrawWhenShown, QWidget):
    """‖X − M⁺‖ and the null-space part of X over the iterations (log scale)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinvView")
        self.summary = QLabel(self)
        self.summary.setObjectName("pinvSummary")
        self.summary.setWordWrap(True)
        self.plot_widget = PlotWidget(self)
        self.plot = setup_plot(self.plot_widget, "", "iteration t  (steps)",
                               "size  ‖·‖  (Frobenius norm)", log_y=True)
        # Above and below the plot, where they cover no curve (gui/plots/legend_label.py).
        self.title = PlotNote("pinvTitle")
        self.legend = LegendNote("pinvLegend")
        self.distance_curve = self.plot.plot(pen=solid_pen(0))
        self.null_curve = self.plot.plot(pen=dashed_pen(1, width=3))
        self.range_curve = self.plot.plot(pen=solid_pen(2, width=2))
        for curve in (self.distance_curve, self.null_curve, self.range_curve):
            curve.setClipToView(True)
        self.series = Series(3)  # log10 of (distance, null-space part, the rest)
        self._follower = RangeFollower(self.plot, log_y=True)
        self._side = "left"
        self._last = None
        self._stale = False
        self.computing = False  # the model is computing torch.linalg's answer (the dock)
        self._name = "pinv"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(with_notes(self.plot_widget, self.title, self.legend, self), 1)

    def start(self, context) -> None:
        """A new run: forget the curves and name the null-space part for its residual."""
        self._side = context.side
        part = NULL_PART.get(context.side, NULL_PART["left"])
        name = "pinv" if context.kind == "pinv" else "inv"
        self.title.show_html(title_html(f"Distance to {name}(M)"))
        self.legend.set_entries([
            (colour(0), "‖X − M⁺‖ distance", "solid"),
            (colour(1), f"‖{part}‖ null-space part", "dashed"),
            (colour(2), "rest of X − M⁺ (descent removes it)", "solid")])
        self.series.clear()
        for curve in (self.distance_curve, self.null_curve, self.range_curve):
            curve.setData([], [])
        self._follower.reset()
        self.summary.setText("")
        self._last = None
        self._stale = False
        self._name = name
        self.show_computing()

    def show_computing(self) -> None:
        """Until the first snapshot with torch.linalg's answer, say whether it is being
        computed (a large M: only while this view is on screen)."""
        if self._last is None:
            self.summary.setText(f"Computing torch.linalg.{self._name}(M) for the distance…"
                                 if self.computing else "")

    def show_snapshot(self, snapshot) -> None:
        """Record the distance and the null-space part at the snapshot's iteration (a
        snapshot taken without torch.linalg's answer, Run.snapshot(reference=False), has
        neither and is skipped)."""
        if snapshot.reference is None:
            self.show_computing()
            return
        null = float(snapshot.extra.get("null_space_norm", 0.0))
        # X − M⁺ splits into two orthogonal parts: the null-space part and the rest, so
        # distance² = null² + rest² (Frobenius norms).
        rest = math.sqrt(max(snapshot.distance**2 - null**2, 0.0))
        self.series.append(snapshot.iteration,
                           log10_floor([snapshot.distance, null, rest], LOG_FLOOR))
        self._last = (snapshot, null)
        self.request_draw()

    def _draw(self) -> None:
        self._stale = False
        if self._last is None or len(self.series) == 0:
            return
        x = self.series.x()
        low, high = math.inf, -math.inf
        for k, curve in enumerate((self.distance_curve, self.null_curve, self.range_curve)):
            y = self.series.y(k)
            curve.setData(x, y, skipFiniteCheck=True)
            lo, hi = finite_bounds(y[y > LOG_FLOOR])
            low, high = min(low, lo), max(high, hi)
        self._follower.update(float(x[-1]), low, high)
        snapshot, null = self._last
        part = NULL_PART.get(self._side, NULL_PART["left"])
        # Rounding alone leaves ~1e-7 of ‖M⁺‖ in float32: anything well above is real.
        if null > NULL_TOL * float(np.linalg.norm(snapshot.reference)):
            verdict = ("it never changes, so X ends at M⁺ plus this part; start from zeros to "
                       "get M⁺ itself.")
        else:
            verdict = "zero: X goes to M⁺ itself."
        self.summary.setText(
            f"t = {snapshot.iteration:,}:  ‖X − M⁺‖ = {snapshot.distance:.3g};  "
            f"null-space part ‖{part}‖ = {null:.3g}: {verdict}")
