"""The Sweep view as a dock of the main window, driven by the document model.

The view (the map, the line plot and their controls) and its modules are built the first
time the dock is shown: the dock starts hidden, and building it took a quarter of the
window's construction (benchmarks/bench_gui.py, start-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter, QWidget

if TYPE_CHECKING:
    from gui.sweep.view import SweepView

SHORTCUT = "Ctrl+Shift+M"  # M for map
# When shown, the dock takes this share of the window: a 48 x 48 map needs the room.
SHARE_OF_WINDOW = 0.5
MIN_SHOWN_WIDTH = 520
FLOAT_SIZE = (900, 680)


class SweepDock(QDockWidget):
    """A dock holding a SweepView that follows `model`; hidden until its View menu action
    (`view_action`) shows it, then widened to half the window and brought to the front.
    Closing it (or floating it because the window is too narrow) gives the window back the
    layout it had before it was shown.

    Signals:
        view_built(): the view was just built (projector mode styles its plots).
    """

    view_built = Signal()

    def __init__(self, model, window: QMainWindow) -> None:
        super().__init__("Sweep: lr × β map", window)
        self.setObjectName("sweepDock")
        self._window = window
        self._model = model
        self._view: SweepView | None = None
        self.setWidget(QWidget(self))  # until the view is built
        self.visibilityChanged.connect(self._build_when_shown)
        self.view_action: QAction = self.toggleViewAction()
        self.view_action.setText("S&weep map (lr × β)")
        self.view_action.setShortcut(QKeySequence(SHORTCUT))
        self.view_action.setToolTip("Steps to the tolerance for every learning rate and "
                                    "momentum, computed as one batched run; click a cell "
                                    "to use it.")
        self.view_action.triggered.connect(self._on_toggled)
        self._layout_before: _Layout | None = None

    @property
    def view(self) -> SweepView:
        """The Sweep view, following the model's document while the dock is shown (built
        on first use)."""
        if self._view is None:
            from gui.sweep.binding import connect_model
            from gui.sweep.view import SweepView

            placeholder = self.widget()
            self._view = SweepView(self)
            self._view.setMinimumWidth(placeholder.minimumWidth())
            self.setWidget(self._view)
            placeholder.deleteLater()
            connect_model(self._view, self._model, self)
            self.view_built.emit()
        return self._view

    def shutdown(self) -> None:
        """Stop a sweep being computed and wait for its thread (the window is closing)."""
        if self._view is not None:
            self._view.shutdown()

    def _build_when_shown(self, visible: bool) -> None:
        if visible:
            self.view  # noqa: B018 (built on first use)

    def _on_toggled(self, shown: bool) -> None:
        if not shown:
            self._give_back_layout()
            return
        if self.isFloating():
            return
        self._layout_before = _Layout.of(self._window, self)
        self.raise_()  # in front of the docks it shares a tab bar with
        width = max(MIN_SHOWN_WIDTH, int(self._window.width() * SHARE_OF_WINDOW))
        self._window.resizeDocks([self], [width], Qt.Orientation.Horizontal)
        QTimer.singleShot(0, self._float_if_cramped)  # once the docks are laid out again

    def _float_if_cramped(self) -> None:
        """A window too narrow to give the map room (on a 1024- or 1280-pixel screen) shows
        it as a window of its own over the main one instead, and keeps its own layout; the
        map can be docked back."""
        if self.isFloating() or not self.isVisible() or self.width() >= MIN_SHOWN_WIDTH:
            return
        self.setFloating(True)
        frame = self._window.geometry()
        width, height = min(FLOAT_SIZE[0], frame.width()), min(FLOAT_SIZE[1], frame.height())
        self.setGeometry(frame.x() + frame.width() - width, frame.y() + 40, width, height)
        self._give_back_layout()  # the widening was for the docked map only

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().closeEvent(event)  # the title bar's close button, docked or floating
        if event.isAccepted():
            self._give_back_layout()

    def _give_back_layout(self) -> None:
        layout, self._layout_before = self._layout_before, None
        if layout is not None:
            layout.restore(self._window)


class _Layout:
    """The widths of a main window's docked, visible docks (the tab in front of each
    group), which of them was in front, and the sizes of its central widget's splitters."""

    def __init__(self, docks: list[tuple[QDockWidget, int]],
                 splitters: list[tuple[QSplitter, list[int]]]) -> None:
        self.docks, self.splitters = docks, splitters

    @classmethod
    def of(cls, window: QMainWindow, leaving: QDockWidget) -> _Layout:
        """The layout of `window` now, without `leaving` (the dock about to be shown)."""
        docks = [(dock, dock.width()) for dock in window.findChildren(QDockWidget)
                 if dock is not leaving and not dock.isFloating() and not dock.isHidden()
                 and not dock.visibleRegion().isEmpty()]  # empty: a tab behind another
        central = window.centralWidget()
        splitters = [] if central is None else [
            (splitter, splitter.sizes()) for splitter in
            ([central] if isinstance(central, QSplitter) else [])
            + central.findChildren(QSplitter)]
        return cls(docks, splitters)

    def restore(self, window: QMainWindow) -> None:
        """Bring the docks back to their widths and to the front; the splitters once the
        central widget has its width again (on the next turn of the event loop)."""
        for dock, _ in self.docks:
            dock.raise_()
        if self.docks:
            window.resizeDocks([dock for dock, _ in self.docks],
                               [width for _, width in self.docks], Qt.Orientation.Horizontal)
        QTimer.singleShot(0, window, self._restore_splitters)

    def _restore_splitters(self) -> None:
        for splitter, sizes in self.splitters:
            splitter.setSizes(sizes)
