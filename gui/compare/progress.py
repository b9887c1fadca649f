"""A status-bar strip for a long computation: what runs, how far it is, and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

BAR_MIN_WIDTH = 120


class FigureProgress(QWidget):
    """Hidden until `start`; Cancel emits cancel_clicked, the owner then calls `finish`.

    Signals:
        cancel_clicked(): the user wants the computation stopped.
    """

    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figureProgress")
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        # The bar gives way to the label, never the other way round: in a 1024-pixel window
        # the label was cut to "Part 2: random vs d" beside a 220-pixel bar.
        self.bar.setMinimumWidth(BAR_MIN_WIDTH)
        self.bar.setMaximum(1000)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("figureCancelButton")
        self.cancel_button.setToolTip("Stop computing the figure (nothing is pinned).")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(self.cancel_clicked)
        self.hide()

    def start(self, what: str) -> None:
        """Show the strip at 0 %, computing `what`."""
        self._what = what
        self._set_label(what)
        self.bar.setValue(0)
        self.cancel_button.setEnabled(True)
        self.show()

    def set_progress(self, done: int, total: int, current: str) -> None:
        """`done` of `total` steps, now computing the run named `current`."""
        self.bar.setValue(int(1000 * done / total) if total else 0)
        self.bar.setFormat(f"{done:,} / {total:,} steps")
        self._set_label(f"{self._what}: {current}" if current else self._what)

    def _set_label(self, text: str) -> None:
        self.label.setText(text)
        self.label.setMinimumWidth(self.label.sizeHint().width())

    def finish(self) -> None:
        """Hide the strip."""
        self.hide()
