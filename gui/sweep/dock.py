"""The Sweep view as a dock of the main window, with a View menu entry, driven by the
document model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow

from gui.menus import menu_named
from gui.sweep.binding import connect_model
from gui.sweep.view import SweepView

SHORTCUT = "Ctrl+Shift+M"  # M for map


class SweepDock(QDockWidget):
    """A dock holding a SweepView (hidden until asked for: View ▸ Sweep map)."""

    def __init__(self, parent: QMainWindow) -> None:
        super().__init__("Sweep: lr × β map", parent)
        self.setObjectName("sweepDock")
        self.view = SweepView(self)
        self.setWidget(self.view)


def install(window: QMainWindow, model, closing=None) -> SweepDock:
    """Add the Sweep dock to `window` (hidden; View ▸ Sweep map shows it), follow `model`'s
    document, and stop a sweep in progress when `closing` (a signal) fires."""
    dock = SweepDock(window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.hide()
    toggle = dock.toggleViewAction()
    toggle.setText("Sweep map (lr × β)")
    toggle.setShortcut(QKeySequence(SHORTCUT))
    toggle.setToolTip("Steps to the tolerance for every learning rate and momentum, computed "
                      "as one batched run; click a cell to use it.")
    menu_named(window, "&View").addAction(toggle)
    connect_model(dock.view, model)
    if closing is not None:
        closing.connect(dock.view.shutdown)
    return dock
