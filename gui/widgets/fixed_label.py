"""A label whose size never follows its text, for numbers that change while a run plays.

QLabel.setText asks the parent layout to recompute whenever the label's size is not fixed;
in the status bar or a toolbar that re-lays out the whole main window, and a frame that
changes a number would cost the GUI thread a layout pass and a repaint of the window, time
taken from the solver thread through the shared GIL (issue 3: keep the GUI thread idle).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget


class FixedWidthLabel(QLabel):
    """A QLabel sized once for `widest` (the longest text it will show), at any font.

    Texts longer than that are cut at the right; a font change (projector mode) resizes it.
    """

    def __init__(self, text: str, widest: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._widest = widest
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        margin = 2 * (self.margin() + self.contentsMargins().left()) + 8
        self.setFixedSize(metrics.horizontalAdvance(self._widest) + margin,
                          metrics.height() + 4)
