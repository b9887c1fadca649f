"""The SVD view: singular-value paths, the three defect heatmaps, and the result vs torch.

The tutorial's penalty method stalls at a wrong answer on its own seed-317 4x3 matrix
(σ₃ = d₃² held at 0) and is slow, not stalled, on its seed-316 7x4 matrix (right after
about 100,000 steps). This view makes the difference visible: paths that stay off their
dashed lines or creep towards them, red cells in the table, and the verdict of
solver.svd_verdict (the one the command line prints): stalled only on evidence, else slow
with the steps still needed, and for a σ held at 0 why d² keeps it there.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from gui.plots.heatmap import MatrixHeatmap
from gui.teaching.svd_paths import SingularValuePlot
from gui.teaching.svd_table import SvdResultTable
from gui.widgets.elided_label import ElidedLabel
from gui.widgets.label_colour import set_text_colour
from solver.svd_verdict import SvdWatch
from solver.views_math import orthogonality_defects

GOOD_COLOUR = "#1b5e20"
BAD_COLOUR = "#b00020"
VERDICT_LINES = 3


class SvdView(QWidget):
    """Everything about one SVD run; fed by start() at a restart and show() per snapshot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("svdView")
        # Always VERDICT_LINES high, the rest in its tooltip: a wrapped label that grew
        # with its text was squeezed by the plots below and cut at the top at t = 0.
        self.verdict = ElidedLabel(VERDICT_LINES, self)
        self.verdict.setObjectName("svdVerdict")
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
        self.watch = SvdWatch()
        self._snapshot = None
        self._started = False  # torch's singular values are the targets
        self.computing = False  # the model is computing them (set by the dock)

    def start(self, snapshot) -> None:
        """A new SVD run: nothing of the previous one stays. torch's singular values become
        the dashed targets; a snapshot without them (Run.snapshot(reference=False), a large
        M while they are being computed) leaves the targets, the table and the verdict
        empty until a snapshot brings them."""
        self._started = False
        self.paths.start(np.empty(0))
        self.table.start(0)
        if snapshot.reference is not None:
            self._start_targets(snapshot.reference)
        self.verdict.setText("")
        self.watch.clear()
        self._snapshot = None
        # Each colour scale starts at its first matrix's size, then moves by decades.
        u_defect, v_defect = orthogonality_defects(snapshot.u, snapshot.v)
        for heatmap, values in ((self.reconstruction, snapshot.error),
                                (self.u_defect, u_defect), (self.v_defect, v_defect)):
            heatmap.forget()
            heatmap.set_limit(float(np.abs(values).max(initial=0.0)))
        self._limits.clear()
        self._update_titles()
        self.show_computing()

    def _start_targets(self, reference) -> None:
        self._started = True
        self.paths.start(reference)
        self.table.start(reference.size)

    def show_computing(self) -> None:
        """Until torch's singular values arrive, say whether they are being computed."""
        if not self._started:
            self.verdict.setText("Computing torch.linalg.svd(M) for the dashed targets and "
                                 "the table…" if self.computing else "")

    def show_snapshot(self, snapshot) -> None:
        """Record the singular values; on screen, also show the defects, the comparison
        with torch and the verdict (a hidden view catches up in showEvent). A snapshot
        without torch's answer (Run.snapshot(reference=False)) shows its defects only."""
        if snapshot.reference is not None:
            if not self._started:
                self._start_targets(snapshot.reference)
                self.verdict.setText("")
            self.paths.record(snapshot.iteration, snapshot.s)
            self.watch.record(snapshot)
        self._snapshot = snapshot
        if self.isVisible():
            self._draw()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._draw()
        self._lay_out()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._lay_out()

    def _lay_out(self) -> None:
        """Place the children for the view's current size (cheap when nothing changed).

        Workaround: Qt 6.11 never activates this view's layout inside the teaching dock
        (layout().geometry() stays QRect(0, 0, 0, 0)), so after a resize or a new table
        height the children stayed where an earlier size put them and the table's last
        row fell off the bottom. Reproduction: open svd-tutorial in a 1216 x 684 window;
        svd_view.table.geometry().bottom() > svd_view.height()."""
        self.layout().setGeometry(self.rect())

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
        if snapshot.reference is not None:
            self.table.show_snapshot(snapshot)
            self._show_verdict(snapshot)
        self._update_titles()
        self._lay_out()  # the table's height may have changed

    def _update_titles(self) -> None:
        """Name each heatmap and its colour scale ±limit (they have no colour bar)."""
        for heatmap, title in self._titles.items():
            if self._limits.get(heatmap) != heatmap.limit:
                self._limits[heatmap] = heatmap.limit
                # Smaller than the usual heading, on two lines: three share a narrow row.
                heatmap.set_title(f"{title}<br>±{heatmap.limit:.2g}", size="11pt")

    def _show_verdict(self, snapshot) -> None:
        verdict = self.watch.verdict(snapshot)
        self.stalled = verdict.kind == "stalled"
        good = verdict.kind == "match"
        set_text_colour(self.verdict, GOOD_COLOUR if good else BAD_COLOUR, bold=True)
        self.verdict.setText(verdict.text)


def _compact(heatmap: MatrixHeatmap) -> None:
    """Three heatmaps share one row of a narrow dock: drop the axis titles, the index
    numbers (crammed into cells a few pixels high they ran together; the hover read-out
    names [row, column]) and the colour bar (the title gives the colour scale ±limit) so
    the matrices themselves get the room."""
    for name in ("left", "bottom"):
        heatmap.plot.getAxis(name).showLabel(False)
        heatmap.plot.getAxis(name).setStyle(showValues=False, tickLength=0)
    heatmap.plot.layout.removeItem(heatmap.colour_bar)
    heatmap.colour_bar.hide()
    heatmap.plot.vb.setMinimumSize(0, 0)
    heatmap.setMinimumSize(60, 80)
