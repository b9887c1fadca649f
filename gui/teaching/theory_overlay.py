"""Theory on the loss plot: the predicted loss line (dashed) and the numbers behind it.

From the current point (iteration, loss) the line falls by log10(predicted factor) per step:
where the real curve runs along it, linear theory explains the run. The line is anchored
where the run's settings took effect (its start, a resume, the iteration where lr or
momentum changed: the frame's `anchor`) and at each single step; from the moment Play is
pressed it stays put, through the pause that follows, so the class watches reality follow
(or leave) the prediction, and the label gives the factor observed since the anchor.
"""

from __future__ import annotations

import html
import math

import pyqtgraph as pg
from PySide6.QtCore import QObject
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem

from gui.analysis import COMPUTING, awaits_full_analysis
from gui.teaching.style import PREDICTION_COLOUR, dashed_pen
from solver.theory import limit_text
from solver.views_math import (
    factor_text,
    observed_factor,
    predicted_curve,
    predicted_segment,
    shrink_text,
)


class TheoryOverlay(QObject):
    """Adds the prediction line and its anchor point to a LossPlot, and writes theory's
    numbers in `label` (a PlotNote above the plot, where no curve can cross them)."""

    def __init__(self, loss_plot, label) -> None:
        super().__init__(loss_plot)
        self.setObjectName("theoryOverlay")
        plot = loss_plot.getPlotItem()
        self._view = plot.vb
        # Plain Qt items, not pyqtgraph ones: Qt paints them without calling Python, so the
        # loss plot's redraws (21 a second while playing) leave the GIL to the solver.
        self.line = QGraphicsPathItem()
        self.line.setZValue(5)
        plot.addItem(self.line, ignoreBounds=True)
        self.marker = QGraphicsEllipseItem()
        self.marker.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.marker.setBrush(pg.mkBrush(255, 255, 255))
        self.marker.setZValue(6)
        self.marker.hide()
        plot.addItem(self.marker, ignoreBounds=True)
        self.set_projector(False)  # pens and marker size
        self.label = label
        self.factor: float | None = None
        self.theory = None
        self.anchor: tuple[int, float] | None = None
        self.observed: float | None = None
        self._key: tuple | None = None
        self._was_playing = False
        self._last: tuple[int, float] | None = None
        # True: single steps keep the anchor as playing does (a recording steps the run
        # frame by frame; anchored at each step the line started at the newest point and
        # left the plot at once).
        self.hold_anchor = False
        # The model is computing the complete theory (a large M; set by the dock).
        self.computing = False
        self._view.sigRangeChanged.connect(self._redraw)
        self._redraw()

    def start(self) -> None:
        """A new run: no line and no numbers until its first frame."""
        self.factor = self.theory = self.anchor = self.observed = None
        self._key = None
        self._was_playing = False
        self._last = None
        self._redraw()
        self.label.show_html("")

    def on_frame(self, frame) -> None:
        """Follow a frame of the current run: re-anchor as described above, refresh the
        label."""
        # A frame with the complete theory of a large M (computed when asked) brings κ and
        # the prediction: the line starts at the anchor in force.
        key = (frame.anchor[0], frame.settings, getattr(frame.theory, "complete", True))
        changed = key != self._key
        if changed:
            # The settings in force took effect at frame.anchor: the prediction starts there.
            self._key = key
            self.theory = frame.theory
            self.factor = getattr(frame.theory, "predicted_loss_factor", None)
            self.anchor = (int(frame.anchor[0]), float(frame.anchor[1]))
            self._redraw()
        was_playing, self._was_playing = self._was_playing, frame.playing
        snapshot = None if frame.past else frame.snapshot
        if snapshot is not None:
            point = (int(snapshot.iteration), float(snapshot.loss))
            back = self._last is not None and point[0] < self._last[0]
            self._last = point
            # A pause right after playing keeps the anchor: that is when the class compares.
            stepped = (not frame.playing and not was_playing and not self.hold_anchor
                       and point[0] > self.anchor[0])
            if back or stepped:
                self.anchor = point
                self._redraw()
            floor = getattr(getattr(self.theory, "floor", None), "value", 0.0)
            # Above a floor the prediction is for the excess loss − floor: observe the same.
            self.observed = observed_factor((self.anchor[0], self.anchor[1] - floor),
                                            (point[0], point[1] - floor))
        if changed or snapshot is not None:
            self.label.show_html(self.label_html())

    def refresh_label(self) -> None:
        """Write the label again (the model started or stopped computing the theory)."""
        self.label.show_html(self.label_html())

    def set_projector(self, on: bool) -> None:
        """Projector mode: a thicker prediction line and a larger anchor point."""
        scale = 2 if on else 1
        self.line.setPen(dashed_pen(PREDICTION_COLOUR, width=2.5 * scale))
        self.marker.setRect(-5.0 * scale, -5.0 * scale, 10.0 * scale, 10.0 * scale)
        self.marker.setPen(pg.mkPen(PREDICTION_COLOUR, width=2 * scale))

    def line_points(self) -> tuple[list[float], list[float]]:
        """The prediction line's end points (iteration, log10 loss); empty when hidden."""
        path = self.line.path()
        points = [path.elementAt(i) for i in range(path.elementCount())]
        return [p.x for p in points], [p.y for p in points]

    def label_html(self) -> str:
        """The label's text: κ, the stable range, predicted and observed loss factors."""
        theory = self.theory
        if theory is None:
            return ""
        pending = awaits_full_analysis(theory)
        kappa = COMPUTING if pending and self.computing else _kappa(theory)
        first = f"κ(M) = {kappa}"
        if theory.max_stable_lr is not None:
            first += f" &nbsp;·&nbsp; stable: lr &lt; {limit_text(theory.max_stable_lr)}"
        lines = [first]
        floor = getattr(theory, "floor", None)
        if floor is not None:
            lines[0] += f" &nbsp;·&nbsp; floor {floor.text}: rank {floor.rank}"
        if self.factor is None and pending:
            lines.append("κ and the predicted rate: " + (
                f"{COMPUTING} (every singular value of M, one SVD)" if self.computing else
                "shown once every singular value of M is computed (one SVD): open the "
                "Theory view or ask for Optimal settings."))
        elif self.factor is None:
            lines.append(html.escape(_short_note(theory.note)))
        else:
            dash = f"<span style='color:{PREDICTION_COLOUR}'><b>– – –</b></span>"
            floor_text = floor.text if floor is not None else ""
            second = (f"{dash} predicted: {html.escape(shrink_text(self.factor, floor_text))} "
                      "per step")
            if self.observed is not None and self.anchor is not None:
                observed = factor_text(self.observed)
                if " " in observed:
                    observed = f"({observed})"
                second += (f" &nbsp;·&nbsp; observed from t = {self.anchor[0]:,}: × "
                           f"{observed} per step")
            lines.append(second)
        # Two lines above the plot (they wrap in a narrow window): the plot keeps its height.
        return "<br>".join(lines)

    def _redraw(self, *_args) -> None:
        if self.anchor is None or self.factor is None or not self.anchor[1] > 0:
            self.line.setPath(QPainterPath())
            self.marker.hide()
            return
        t0, loss0 = self.anchor
        log0 = math.log10(loss0) if math.isfinite(loss0) else math.inf
        if not math.isfinite(log0):
            self.line.setPath(QPainterPath())
            self.marker.hide()
            return
        x_range, _y_range = self._view.viewRange()
        path = QPainterPath()
        floor = getattr(getattr(self.theory, "floor", None), "value", 0.0)
        if floor > 0:
            # A rank-deficient M: the prediction bends towards the loss floor, not to 0.
            curve = predicted_curve((t0, log0), self.factor, floor, tuple(x_range))
            if curve is not None:
                xs, ys = curve
                path.moveTo(xs[0], ys[0])
                for x, y in zip(xs[1:], ys[1:], strict=True):
                    path.lineTo(x, y)
        else:
            segment = predicted_segment((t0, log0), self.factor, tuple(x_range))
            if segment is not None:
                (x0, x1), (y0, y1) = segment
                path.moveTo(x0, y0)
                path.lineTo(x1, y1)
        self.line.setPath(path)
        self.marker.setPos(t0, log0)
        self.marker.show()


def _kappa(theory) -> str:
    """κ(M), or ∞ with the rank of a rank-deficient M (at the run's precision)."""
    value = theory.condition_number
    if value is None:  # a large M: only sigma_max computed so far (Run.complete_theory)
        return "not computed"
    if math.isfinite(value):
        return f"{value:.4g}"
    rank = getattr(theory, "rank", None)
    return "∞" if rank is None else f"∞ (rank {rank})"


def _short_note(note: str) -> str:
    """Theory's reason for having no prediction, short enough for the corner of the plot."""
    reason = (note or "").split(":")[0].rstrip(".")
    return f"No linear prediction: {reason[:1].lower()}{reason[1:]}." if reason else (
        "No linear prediction for these settings.")
