"""The gradient view: ∇loss of the current step as a heatmap, and autograd vs the closed form.

The tutorial prints the gradient of the first loss: it is a matrix like X, worth looking at.
For the inverse and pseudo-inverse the gradient also has a formula, 2/N·(X·M − I)·Mᵀ for
X·M = I, and checking that loss.backward() gives the same numbers shows what autograd does.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.plots.heatmap import MatrixHeatmap
from gui.teaching.cell_labels import CellLabels
from solver.spectrum import FULL_ANALYSIS_MAX_DIM
from solver.views_math import check_gradient

FORMULAS = {
    "left": "2/N·(X·M − I)·Mᵀ",
    "right": "2/N·Mᵀ·(M·X − I)",
    "both": "1/N·(R·Mᵀ + Mᵀ·R), R = (X·M + M·X)/2 − I",
}


class GradientView(QWidget):
    """The gradient at the current step, and (inverse, pinv) the closed-form check.

    The check runs only while the view is on screen: it is one more small autograd pass.
    For a matrix above FULL_ANALYSIS_MAX_DIM rows or columns it costs about ten float64
    matrix products on the window's thread, more than the step itself: it then runs when
    the link under the heatmap is clicked, for the step shown.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientView")
        self.heatmap = MatrixHeatmap("∇loss  (∂loss/∂X)", decades=True, parent=self)
        self.heatmap.setObjectName("gradientHeatmap")
        self.cell_labels = CellLabels(self.heatmap)
        self.factor_combo = QComboBox(self)
        self.factor_combo.setObjectName("gradientFactorCombo")
        self.factor_combo.setToolTip("Which factor's gradient to show.")
        self.factor_label = QLabel("Gradient with respect to", self)
        self.check_label = QLabel(self)
        self.check_label.setObjectName("gradientCheckLabel")
        self.check_label.setWordWrap(True)
        self.check_label.setTextFormat(Qt.TextFormat.RichText)
        self.check_label.linkActivated.connect(lambda _link: self.check_now())
        row = QHBoxLayout()
        row.addWidget(self.factor_label)
        row.addWidget(self.factor_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.heatmap, 1)
        layout.addWidget(self.check_label)
        self.check = None
        self._context = None
        self._snapshot = None
        self._scaled = False
        self.factor_combo.currentIndexChanged.connect(self._rescale)

    def start(self, context, snapshot) -> None:
        """A new run: list the factors whose gradients exist (X, or U, d, V / a, b)."""
        self._context = context
        self.check = None
        names = list(snapshot.gradients) if snapshot is not None else ["X"]
        self.factor_combo.blockSignals(True)
        self.factor_combo.clear()
        for name in names:
            self.factor_combo.addItem(f"∂loss/∂{name}", name)
        self.factor_combo.blockSignals(False)
        several = len(names) > 1
        self.factor_combo.setVisible(several)
        self.factor_label.setVisible(several)
        self.heatmap.set_title("∇loss  (∂loss/∂X)" if not several else "∇loss")
        self.check_label.setText("")
        self._scaled = False

    def show_snapshot(self, snapshot) -> None:
        """Show this step's gradient; check it against the closed form if on screen."""
        self._snapshot = snapshot
        if self.isVisible():
            self._refresh()

    def _rescale(self, *_args) -> None:
        # Another factor's gradient has its own size.
        self._scaled = False
        self._refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._refresh()

    def _refresh(self, *_args) -> None:
        snapshot, context = self._snapshot, self._context
        if snapshot is None or context is None:
            return
        name = self.factor_combo.currentData() or next(iter(snapshot.gradients))
        gradient = snapshot.gradients.get(name, snapshot.gradient)
        if len(snapshot.gradients) > 1:
            self.heatmap.set_title(f"∇loss  (∂loss/∂{name})")
        if not self._scaled:
            # The colour scale starts at the first gradient's size (then moves by decades), so
            # the first gradient, the one the tutorial prints, uses the full colour range.
            self._scaled = True
            self.heatmap.set_limit(float(np.abs(gradient).max(initial=0.0)))
        self.heatmap.set_matrix(gradient)
        self.cell_labels.set_matrix(gradient)
        if context.kind == "svd":
            self.check = None
            self.check_label.setText(
                f"t = {snapshot.iteration:,}. The SVD loss has no single closed form here: "
                "autograd's gradient is what the step uses. The closed-form check is shown "
                "for the inverse and the pseudo-inverse.")
            return
        if max(context.matrix.shape) > FULL_ANALYSIS_MAX_DIM:
            self.check = None
            self.check_label.setText(
                f"t = {snapshot.iteration:,}: does autograd's <b>loss.backward()</b> give the "
                "closed form? For a matrix this size the check costs about ten float64 "
                "matrix products: <a href='check'>check this step</a>.")
            return
        self.check_now()

    def check_now(self) -> None:
        """Check the gradient shown against the closed form, and say how they compare."""
        snapshot, context = self._snapshot, self._context
        if snapshot is None or context is None or context.kind == "svd":
            return
        self.check = check_gradient(context.matrix, snapshot.estimate, context.side,
                                    context.settings.dtype)
        self.check_label.setText(self._check_text(snapshot.iteration))

    def _check_text(self, iteration: int) -> str:
        check, context = self.check, self._context
        dtype = context.settings.dtype
        # The yardstick is rounding for numbers the size of X and M (solver.views_math.
        # rounding_bound), so a converged run is judged as its first step was.
        mark = ("<span style='color:#1b5e20'>✓ equal up to rounding</span>" if check.equal
                else "<span style='color:#b00020'>✗ different</span>")
        formula = html.escape(FORMULAS.get(context.side, FORMULAS["left"]))
        return (
            f"t = {iteration:,}: does autograd's <b>loss.backward()</b> ({dtype}) give the "
            f"closed form?<br>&nbsp;&nbsp;∇loss = <b>{formula}</b>, N = {check.n_entries} "
            f"entries of R<br>largest |difference| = <b>{check.max_difference:.2e}</b> "
            f"(largest entry {check.largest_entry:.3g}), {_percent(check.ratio)} of what "
            f"{dtype} rounding allows for X and M this size: {mark}"
        )


def _percent(ratio: float) -> str:
    return f"{100 * ratio:.2g}%" if ratio < 10 else f"{ratio:.3g}×"
