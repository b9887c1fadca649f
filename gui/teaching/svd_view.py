"""The SVD view: singular-value paths, the three defect heatmaps, and the result vs torch.

The tutorial's penalty method can stall at a wrong answer (its own seed-317 4x3 and seed-316
7x4 matrices); this view makes that visible: a path that stays off its dashed line, red cells
in the table, and a verdict that says which triple is wrong and that it no longer moves.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.plots.heatmap import MatrixHeatmap
from gui.teaching.svd_paths import SingularValuePlot, subscript
from gui.teaching.svd_table import SvdResultTable
from gui.widgets.label_colour import set_text_colour
from solver.views_math import orthogonality_defects

# "Stalled" = no singular value moved by more than STALL_CHANGE·σ₁ over STALL_STEPS steps.
STALL_STEPS = 500
STALL_CHANGE = 1e-5
# ...or the worst σ approaches torch's so slowly that CRAWL_FACTOR times the steps taken so
# far would not get it there (the penalty method on the tutorial's seed-316 7x4 matrix).
CRAWL_FACTOR = 10
GOOD_COLOUR = "#1b5e20"
BAD_COLOUR = "#b00020"


class SvdView(QWidget):
    """Everything about one SVD run; fed by start() at a restart and show() per snapshot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("svdView")
        self.verdict = QLabel(self)
        self.verdict.setObjectName("svdVerdict")
        self.verdict.setWordWrap(True)
        set_text_colour(self.verdict, None, bold=True)
        self.paths = SingularValuePlot(self)
        self.reconstruction = MatrixHeatmap("U·S·Vᵀ − M", decades=True, parent=self)
        self.u_defect = MatrixHeatmap("UᵀU − I", decades=True, parent=self)
        self.v_defect = MatrixHeatmap("VᵀV − I", decades=True, parent=self)
        self._titles = {self.reconstruction: "U·S·Vᵀ − M", self.u_defect: "UᵀU − I",
                        self.v_defect: "VᵀV − I"}
        self._limits: dict = {}
        self.table = SvdResultTable(self)
        heatmaps = QHBoxLayout()
        heatmaps.setSpacing(2)
        for heatmap in (self.reconstruction, self.u_defect, self.v_defect):
            _compact(heatmap)
            heatmaps.addWidget(heatmap)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.verdict)
        layout.addWidget(self.paths, 5)
        layout.addLayout(heatmaps, 4)
        layout.addWidget(self.table, 3)
        self.stalled = False
        self._snapshot = None

    def start(self, snapshot) -> None:
        """A new SVD run: torch's singular values become the dashed targets (a snapshot
        without them, Run.snapshot(reference=False), is skipped)."""
        if snapshot.reference is None:
            return
        self.paths.start(snapshot.reference)
        self.table.start(snapshot.reference.size)
        self.verdict.setText("")
        self._snapshot = None
        # Each colour scale starts at its first matrix's size, then moves by decades.
        u_defect, v_defect = orthogonality_defects(snapshot.u, snapshot.v)
        for heatmap, values in ((self.reconstruction, snapshot.error),
                                (self.u_defect, u_defect), (self.v_defect, v_defect)):
            heatmap.set_limit(float(np.abs(values).max(initial=0.0)))
        self._limits.clear()
        self._update_titles()

    def show_snapshot(self, snapshot) -> None:
        """Record the singular values; on screen, also show the defects, the comparison
        with torch and the verdict (a hidden view catches up in showEvent). Snapshots
        without torch's answer (Run.snapshot(reference=False)) are skipped."""
        if snapshot.reference is None:
            return
        self.paths.record(snapshot.iteration, snapshot.s)
        self._snapshot = snapshot
        if self.isVisible():
            self._draw()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._draw()

    def _draw(self) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            return
        # A diverged run's factors hold inf and NaN: they are drawn as such, without NumPy
        # printing a RuntimeWarning for each comparison (issue 13: noise on stderr).
        with np.errstate(all="ignore"):
            self._draw_snapshot(snapshot)

    def _draw_snapshot(self, snapshot) -> None:
        self.reconstruction.set_matrix(snapshot.error)
        u_defect, v_defect = orthogonality_defects(snapshot.u, snapshot.v)
        self.u_defect.set_matrix(u_defect)
        self.v_defect.set_matrix(v_defect)
        self.table.show_snapshot(snapshot)
        self._show_verdict(snapshot)
        self._update_titles()

    def _update_titles(self) -> None:
        """Name each heatmap and its colour scale ±limit (they have no colour bar)."""
        for heatmap, title in self._titles.items():
            if self._limits.get(heatmap) != heatmap.limit:
                self._limits[heatmap] = heatmap.limit
                # Smaller than the usual heading, on two lines: three share a narrow row.
                heatmap.set_title(f"{title}<br>±{heatmap.limit:.2g}", size="11pt")

    def _show_verdict(self, snapshot) -> None:
        ds, du, dv = self.table.mismatch
        if self.table.matches.all():
            self.stalled = False
            set_text_colour(self.verdict, GOOD_COLOUR, bold=True)
            self.verdict.setText(
                f"✓ Same SVD as torch.linalg.svd at t = {snapshot.iteration:,}: "
                f"|Δσ| ≤ {ds.max(initial=0):.1e}, vectors within "
                f"{max(du.max(initial=0), dv.max(initial=0)):.1e} (signs aligned).")
            return
        worst = int(np.argmax(ds / max(float(snapshot.reference.max(initial=0)), 1e-300)
                              + du + dv))
        i = subscript(worst + 1)
        what = (f"σ{i} = {snapshot.s[worst]:.4g} where torch has "
                f"{snapshot.reference[worst]:.4g}; u{i}, v{i} off by "
                f"{du[worst]:.2g}, {dv[worst]:.2g}")
        trend, steps = self._trend(snapshot, worst)
        t = f"t = {snapshot.iteration:,}"
        crawling = trend == "closing" and steps > CRAWL_FACTOR * max(snapshot.iteration, 1)
        self.stalled = trend in ("stalled", "away") or crawling
        if trend == "stalled":
            text = (f"✗ Stalled at {t}: no σ moved in {STALL_STEPS} steps, yet this is not "
                    f"the SVD. {what}.")
        elif trend == "away":
            text = (f"✗ Stuck at {t}: σ{i} moves away from torch's value, not towards it. "
                    f"{what}.")
        elif crawling:
            text = (f"✗ Crawling at {t}: at the pace of the last {STALL_STEPS} steps σ{i} "
                    f"needs about {steps:,.0f} more. {what}.")
        elif snapshot.status.state in ("finished", "converged", "diverged"):
            text = f"✗ Stopped at {t} without the SVD: {what}."
        else:
            text = f"Not there yet ({t}): {what}."
        set_text_colour(self.verdict, BAD_COLOUR, bold=True)
        self.verdict.setText(text)

    def _trend(self, snapshot, worst: int) -> tuple[str | None, float | None]:
        """How the paths moved over the last STALL_STEPS steps: ("stalled", None) if no σ
        moved, ("away", None) if σ[worst] moved away from torch's, ("closing", steps still
        needed at that pace) if towards it, (None, None) without enough history."""
        series = self.paths.series
        x = series.x()
        if len(series) < 2 or x[-1] - x[0] < STALL_STEPS or worst >= series.width:
            return None, None
        past = int(np.searchsorted(x, x[-1] - STALL_STEPS, side="right")) - 1
        then = np.array([series.y(i)[past] for i in range(series.width)])
        now = np.array([series.y(i)[-1] for i in range(series.width)])
        tiny = STALL_CHANGE * max(float(snapshot.reference.max(initial=0)), 1e-300)
        if np.abs(now - then).max(initial=0.0) <= tiny:
            return "stalled", None
        target = snapshot.reference[worst]
        closed = abs(then[worst] - target) - abs(now[worst] - target)
        if closed < -tiny:
            return "away", None
        if closed > tiny:
            return "closing", abs(now[worst] - target) / closed * (x[-1] - x[past])
        return None, None  # σ[worst] waits while others move (deflation: one at a time)


def _compact(heatmap: MatrixHeatmap) -> None:
    """Three heatmaps share one row of a narrow dock: drop the axis titles and the colour
    bar (the title gives the colour scale ±limit) so the matrices themselves get the room."""
    heatmap.plot.getAxis("left").showLabel(False)
    heatmap.plot.getAxis("bottom").showLabel(False)
    heatmap.plot.layout.removeItem(heatmap.colour_bar)
    heatmap.colour_bar.hide()
    heatmap.plot.vb.setMinimumSize(0, 0)
    heatmap.setMinimumSize(60, 80)
