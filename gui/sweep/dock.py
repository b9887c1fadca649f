"""The Sweep view as a dock of the main window, driven by the document model."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow

from gui.sweep.binding import connect_model
from gui.sweep.view import SweepView

SHORTCUT = "Ctrl+Shift+M"  # M for map
# When shown, the dock takes this share of the window: a 48 x 48 map needs the room.
SHARE_OF_WINDOW = 0.5
MIN_SHOWN_WIDTH = 520
FLOAT_SIZE = (900, 680)


class SweepDock(QDockWidget):
    """A dock holding a SweepView that follows `model`; hidden until its View menu action
    (`view_action`) shows it, then widened to half the window and brought to the front."""

    def __init__(self, model, window: QMainWindow) -> None:
        super().__init__("Sweep: lr × β map", window)
        self.setObjectName("sweepDock")
        self._window = window
        self.view = SweepView(self)
        self.setWidget(self.view)
        connect_model(self.view, model, self)
        self.view_action: QAction = self.toggleViewAction()
        self.view_action.setText("S&weep map (lr × β)")
        self.view_action.setShortcut(QKeySequence(SHORTCUT))
        self.view_action.setToolTip("Steps to the tolerance for every learning rate and "
                                    "momentum, computed as one batched run; click a cell "
                                    "to use it.")
        self.view_action.triggered.connect(self._on_toggled)

    def _on_toggled(self, shown: bool) -> None:
        if not shown or self.isFloating():
            return
        self.raise_()  # in front of the docks it shares a tab bar with
        width = max(MIN_SHOWN_WIDTH, int(self._window.width() * SHARE_OF_WINDOW))
        self._window.resizeDocks([self], [width], Qt.Orientation.Horizontal)
        QTimer.singleShot(0, self._float_if_cramped)  # once the docks are laid out again

    def _float_if_cramped(self) -> None:
        """A window too narrow to give the map room (a 1024-pixel screen) shows it as a
        window of its own over the main one instead; it can be docked back."""
        if self.isFloating() or not self.isVisible() or self.width() >= MIN_SHOWN_WIDTH:
            return
        self.setFloating(True)
        frame = self._window.geometry()
        width, height = min(FLOAT_SIZE[0], frame.width()), min(FLOAT_SIZE[1], frame.height())
        self.setGeometry(frame.x() + frame.width() - width, frame.y() + 40, width, height)
