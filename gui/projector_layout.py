"""The window's layout in projector mode: full screen, the plots get the screen.

The matrix editor and the settings collapse into a one-line strip (F2 shows them again),
the docks step aside, and the window fills the screen. Everything it changes is recorded
first, so leaving restores the previous layout exactly (geometry, window state, docks and
toolbars, the splitter, which panes were shown).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter, QWidget

# The smallest screen the presentation layout is made for (a 1024 x 768 projector, or a
# 1280 x 720 one): on anything smaller projector mode is not restored at start-up.
MIN_SCREEN = (1024, 720)


class PresentationLayout(QObject):
    """Enters and leaves the presentation layout of `window`: `splitter`'s first pane (the
    editor and settings) gives way to `strip` (a summary line), docks are hidden, and
    `plot_area` (a gui.plots.plot_area.PlotArea) puts the heatmaps beside the curve."""

    def __init__(self, window: QMainWindow, splitter: QSplitter, strip: QWidget,
                 plot_area) -> None:
        super().__init__(window)
        self._window = window
        self._splitter = splitter
        self._strip = strip
        self._plot_area = plot_area
        self._saved: dict | None = None
        strip.hide()

    @property
    def active(self) -> bool:
        """True while the presentation layout is on."""
        return self._saved is not None

    @property
    def controls(self) -> QWidget:
        """The editor and settings pane."""
        return self._splitter.widget(0)

    def enter(self) -> None:
        """Full screen, the editor and settings as a strip, the docks hidden."""
        if self.active:
            return
        window = self._window
        docks = window.findChildren(QDockWidget)
        self._saved = {
            "geometry": window.geometry(),
            "state": QByteArray(window.saveState()),
            "window_state": window.windowState(),
            "sizes": self._splitter.sizes(),
            "controls": not self.controls.isHidden(),
            "docks": {dock: not dock.isHidden() for dock in docks},
        }
        for dock in docks:
            dock.hide()
        self.controls.hide()
        self._strip.show()
        self._plot_area.set_presentation(True)
        window.showFullScreen()
        screen = window.screen()
        if screen is not None:
            # Without a window manager (a bare X server, a kiosk) "full screen" is only a
            # request: take the screen's geometry as well.
            window.setGeometry(screen.geometry())

    def leave(self) -> None:
        """Back to the layout before `enter`, exactly."""
        if not self.active:
            return
        saved, self._saved = self._saved, None
        window = self._window
        self._strip.hide()
        self._plot_area.set_presentation(False)
        self.controls.setVisible(saved["controls"])
        window.setWindowState(saved["window_state"])
        if saved["window_state"] == Qt.WindowState.WindowNoState:
            # Not restoreGeometry: it fits a window to the screen, which would change a
            # window that was larger than its screen allows.
            window.setGeometry(saved["geometry"])
        window.restoreState(saved["state"])
        for dock, shown in saved["docks"].items():
            dock.setVisible(shown)
        self._splitter.setSizes(saved["sizes"])

    def toggle_controls(self) -> None:
        """Show or hide the editor and settings (F2); in projector mode they sit beside the
        plots until hidden again."""
        self.controls.setVisible(self.controls.isHidden())


def screen_fits(window: QMainWindow) -> bool:
    """True if the window's screen is at least MIN_SCREEN."""
    screen = window.screen()
    if screen is None:
        return False
    size = screen.availableGeometry().size()
    return size.width() >= MIN_SCREEN[0] and size.height() >= MIN_SCREEN[1]
