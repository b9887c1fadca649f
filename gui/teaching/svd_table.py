"""The SVD found by descent next to torch.linalg.svd's, triple by triple, signs aligned."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from gui.teaching.cell_labels import short_number
from gui.teaching.style import colour
from gui.teaching.svd_paths import subscript
from solver.svd_verdict import SIGMA_TOL, VECTOR_TOL
from solver.views_math import svd_mismatch

# A triple matches torch when |Δσ| <= SIGMA_TOL·σ₁ and both vectors are within VECTOR_TOL
# (float32 descent gets within ~1e-5 of both when it has converged): the verdict's rule.

MAX_ROWS = 10
# Four short columns, so the table still reads in a dock squeezed to 240 px.
COLUMNS = ("σ GD", "σ torch", "‖Δu‖", "‖Δv‖")
COLUMN_TIPS = (
    "σᵢ found by gradient descent, GD (sorted, largest first); green if it matches torch's.",
    "σᵢ from torch.linalg.svd.",
    "‖uᵢ − uᵢ(torch)‖, torch's sign flipped to match.",
    "‖vᵢ − vᵢ(torch)‖, torch's sign flipped to match.",
)
GOOD = QColor("#d9f0d3")
BAD = QColor("#f4cccc")


class SvdResultTable(QTableWidget):
    """One row per singular triple: σ from descent, σ from torch, and how far u and v are
    from torch's. Cells that do not match torch are tinted red, matching ones green."""

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setObjectName("svdResultTable")
        self.setHorizontalHeaderLabels(COLUMNS)
        for col, tip in enumerate(COLUMN_TIPS):
            self.horizontalHeaderItem(col).setToolTip(tip)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        # Each column as wide as its numbers (stretched, four columns in a narrow dock
        # elided them to "0.06…").
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Always as tall as its rows (_fit_height): a vertical scroll bar would only narrow
        # the columns into a horizontal one.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        bold = self.font()
        bold.setBold(True)
        # Room for a bold "σ₁₀" (the header does not measure its items' own fonts).
        self.verticalHeader().setMinimumWidth(QFontMetrics(bold).horizontalAdvance("σ₁₀") + 12)
        self.setToolTip("Vectors are compared after flipping torch's signs to match: singular "
                        "vectors are only defined up to a common sign per pair (uᵢ, vᵢ).")
        self.mismatch = (np.zeros(0), np.zeros(0), np.zeros(0))
        self.matches = np.zeros(0, dtype=bool)

    def start(self, count: int) -> None:
        """A new run with `count` singular triples: empty rows, created once here."""
        rows = min(count, MAX_ROWS)
        self.setRowCount(rows)
        for row in range(rows):
            # In the colour of its path in the plot above: the table is that plot's legend.
            header = QTableWidgetItem(f"σ{subscript(row + 1)}")
            header.setForeground(QBrush(QColor(colour(row))))
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            self.setVerticalHeaderItem(row, header)
        for row in range(rows):
            for col in range(len(COLUMNS)):
                item = QTableWidgetItem("")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, col, item)
        self.mismatch = (np.zeros(0), np.zeros(0), np.zeros(0))
        self.matches = np.zeros(0, dtype=bool)
        self._fit_height()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as its rows, plus the horizontal scroll bar when the columns are wider
        than the table: the heatmaps above get the rest of the height."""
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += sum(self.verticalHeader().sectionSizeHint(row)
                      for row in range(self.rowCount()))
        wide = self.verticalHeader().width() + sum(
            max(self.sizeHintForColumn(col), self.horizontalHeader().sectionSizeHint(col))
            for col in range(self.columnCount()))
        if wide > self.width() - 2 * self.frameWidth():
            height += self.horizontalScrollBar().sizeHint().height()
        if height + 2 != self.minimumHeight() or height + 2 != self.maximumHeight():
            self.setFixedHeight(height + 2)

    def show_snapshot(self, snapshot) -> None:
        """Fill the rows from an SVD snapshot (s, u, v and the aligned references)."""
        u_ref, v_ref = snapshot.extra["u_ref"], snapshot.extra["v_ref"]
        ds, du, dv = svd_mismatch(snapshot.s, snapshot.reference, snapshot.u, u_ref,
                                  snapshot.v, v_ref)
        self.mismatch = (ds, du, dv)
        scale = max(float(np.max(snapshot.reference, initial=0.0)), 1e-300)
        sigma_ok = ds <= SIGMA_TOL * scale
        vectors_ok = (du <= VECTOR_TOL) & (dv <= VECTOR_TOL)
        self.matches = sigma_ok & vectors_ok
        for row in range(self.rowCount()):
            cells = (snapshot.s[row], snapshot.reference[row], du[row], dv[row])
            good = (sigma_ok[row], None, du[row] <= VECTOR_TOL, dv[row] <= VECTOR_TOL)
            for col, (value, ok) in enumerate(zip(cells, good, strict=True)):
                item = self.item(row, col)
                item.setText(short_number(value, 4 if col < 2 else 2))
                if ok is not None:
                    item.setBackground(QBrush(GOOD if ok else BAD))
            self.item(row, 0).setToolTip(f"|σ − σ(torch)| = {ds[row]:.2g}")
            self.item(row, 2).setToolTip(_vectors("u", row, snapshot.u, u_ref))
            self.item(row, 3).setToolTip(_vectors("v", row, snapshot.v, v_ref))
        self._fit_height()


def _vectors(name: str, i: int, est: np.ndarray, ref: np.ndarray) -> str:
    def fmt(col: np.ndarray) -> str:
        return "[" + ", ".join(f"{x:.3f}" for x in col[:12]) + (", …]" if col.size > 12 else "]")

    label = f"{name}{subscript(i + 1)}"
    return f"{label} descent: {fmt(est[:, i])}\n{label} torch:   {fmt(ref[:, i])}"
