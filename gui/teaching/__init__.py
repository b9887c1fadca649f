"""The teaching layer's views (issue 5): SVD, pseudo-inverse, gradient, theory on the plot.

`install(window)` is the one entry point: it docks the views beside the plots, adds the
"Optimal settings" action to the Run menu and the parameter panel, and follows every frame
the window draws (MainWindow.frame_drawn).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QToolButton

from gui.menus import menu_named
from gui.teaching.dock import TeachingDock

# A share of the 1440-pixel default window: the plots in the middle are what the class
# watches; the dock can be dragged wider.
DOCK_WIDTH = 400

__all__ = ["TeachingDock", "install"]


def install(window) -> TeachingDock:
    """Add the teaching views to a MainWindow and return their dock."""
    dock = TeachingDock(window)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
    window.frame_drawn.connect(dock.on_frame)
    run_menu = menu_named(window, "&Run")
    run_menu.addSeparator()
    run_menu.addAction(dock.optimal_action)
    menu_named(window, "&View").addAction(dock.toggleViewAction())
    _add_panel_button(window.panel, dock.optimal_action)
    return dock


def _add_panel_button(panel, action) -> None:
    """An "Optimal settings" button right under the momentum control it sets."""
    form = panel.layout()
    if not isinstance(form, QFormLayout):
        return
    button = QToolButton(panel)
    button.setObjectName("panelOptimalSettingsButton")
    button.setDefaultAction(action)
    row, _role = form.getWidgetPosition(panel.momentum_spin)
    form.insertRow(row + 1 if row >= 0 else form.rowCount(), "", button)
