"""What the run's analysis holds so far, and how a view asks for the costly parts.

For a matrix above solver.spectrum.FULL_ANALYSIS_MAX_DIM rows or columns the run starts with
the cheap analysis (σ_max: the stable learning rate) and without torch.linalg's answer; the
document model has the worker compute the rest while a view on screen needs it
(`DocumentModel.need_theory`, `DocumentModel.need_reference`). `NeededWhileShown` tells the
model from a widget's show and hide events.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

COMPUTING = "computing…"


def awaits_full_analysis(theory) -> bool:
    """True for a theory that knows σ_max only (a large M) and whose optimizer and problem
    the complete analysis gives κ, a prediction and optimal settings for: asking for it
    (Run.complete_theory) would fill them in."""
    return (theory is not None and not getattr(theory, "complete", True)
            and getattr(theory, "max_stable_lr", None) is not None)


class NeededWhileShown(QObject):
    """Calls `report(True)` when `widget` comes on screen and `report(False)` when it leaves
    it (its tab, dock or window hidden), plus once now with its current visibility."""

    def __init__(self, widget: QWidget, report: Callable[[bool], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._report = report
        self._shown: bool | None = None
        widget.installEventFilter(self)
        self.update()

    def update(self) -> None:
        """Report the widget's visibility if it changed since the last report."""
        shown = self._widget.isVisible()
        if shown != self._shown:
            self._shown = shown
            self._report(shown)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self.update()
        return False
