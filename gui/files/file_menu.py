"""The File menu's actions, Open Recent, and opening a file dropped on the window."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from gui.files import store


class FileMenu(QObject):
    """Fills a menu with Open, Open Recent, Save, Save As and Export, each calling the
    FileController, and opens a file dropped anywhere on `window`. `plots` names the plot
    widgets Export offers ({"loss plot": widget, ...})."""

    def __init__(self, files, window: QWidget, plots: dict[str, QWidget]) -> None:
        super().__init__(files)
        self.files = files
        self.window = window
        self._plots = plots
        # The window hands its drag and drop events to accept_drag and drop (an event
        # filter would run Python for every event the window gets, frames included).
        window.setAcceptDrops(True)

    def fill(self, menu: QMenu) -> None:
        """Add the File menu's entries to `menu`."""
        self._build(menu)

    def fill_recent(self) -> None:
        """Rebuild Open Recent; entries whose file vanished are dropped, and the banner
        says which."""
        menu = self.recent_menu
        menu.clear()
        paths = store.recent_files()
        gone = [p for p in paths if not os.path.isfile(p)]
        if gone:
            store.remove_recent(gone)
            names = ", ".join(Path(p).name for p in gone)
            self.files.message.emit(
                f"Removed from Open Recent (no longer found): {names}", "warning")
        for path in (p for p in paths if p not in gone):
            action = menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.files.open_path(p))
        if menu.isEmpty():
            menu.addAction("No recent files").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear list", lambda: store.remove_recent(store.recent_files()))

    def _build(self, menu: QMenu) -> None:
        files = self.files
        self._action(menu, "&Open…", QKeySequence.StandardKey.Open, files.open_dialog,
                     "Open a matrix (.csv, .tsv, .txt, .npy, .npz) or a lesson (.mdlesson).")
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        self.fill_recent()
        menu.addSeparator()
        self._action(menu, "&Save", QKeySequence.StandardKey.Save, files.save,
                     "Save into the open file (a lesson keeps the matrix and every setting).")
        self._action(menu, "Save &As…", QKeySequence.StandardKey.SaveAs, files.save_as,
                     "Save a lesson (matrix, settings, speed, loss history) or the matrix.")
        export = menu.addMenu("&Export")
        self._action(export, "Loss &history as CSV…", None, files.export_history,
                     "Every loss of the current run: iteration,loss with 17 digits.")
        self._action(export, "&Result (X, or U, S, V)…", None, files.export_result,
                     "The current estimate as CSV, TSV, .npy or .npz.")
        self._action(export, "Program as &script (.py)…", None,
                     lambda: files.export_program("script"),
                     "The PyTorch program of this matrix and these settings: `python FILE.py "
                     "losses.csv` writes the run's loss history bit for bit.")
        self._action(export, "Program as &notebook (.ipynb)…", None,
                     lambda: files.export_program("notebook"),
                     "The same program as a Jupyter notebook, each step explained with this "
                     "run's numbers.")
        export.addSeparator()
        for name, widget in self._plots.items():
            default = name.replace(" ", "-") + ".png"
            self._action(export, f"{name[:1].upper()}{name[1:]} as PNG or SVG…", None,
                         lambda wd=widget, d=default: files.export_plot(wd, d),
                         "The plot as drawn now: PNG image or SVG drawing.")
        menu.addSeparator()

    def _action(self, menu: QMenu, text: str, keys, slot, tip: str) -> QAction:
        action = QAction(text, self.window)
        if keys is not None:
            action.setShortcut(keys)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        return action

    def accept_drag(self, event) -> bool:
        """For the window's DragEnter and DragMove: accept a drag carrying a local file."""
        if _dropped_file(event) is None:
            return False
        event.acceptProposedAction()
        return True

    def drop(self, event) -> bool:
        """For the window's Drop: open the dropped file (just after the drop returns)."""
        path = _dropped_file(event)
        if path is None:
            return False
        event.acceptProposedAction()
        # Open after the drop returns: the unsaved-changes question is modal, and a modal
        # loop inside a drop would hold the file manager's drag until answered.
        QTimer.singleShot(0, self.window, lambda: self.files.open_path(path))
        return True


def _dropped_file(event) -> str | None:
    """The first local file among the dropped URLs, or None."""
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            return url.toLocalFile()
    return None
