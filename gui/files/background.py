"""Loads and saves of big files on a thread of their own, with progress and Cancel.

solver.matrix_io and solver.session do the work (Qt-free); they call a progress callback
now and then, which here forwards (done, total) to the GUI thread and raises Cancelled once
the user pressed Cancel. A save is atomic, so a cancelled one leaves the old file as it
was and no temporary file; a cancelled load hands nothing to the document.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QProgressBar, QWidget

from gui.files import dialogs
from solver.progress import Cancelled, Progress

BIG_SAVE_ENTRIES = 250_000
"""Matrices with more entries are saved off the GUI thread (as CSV about 0.25 s of work)."""
BIG_LOAD_BYTES = 4 << 20
"""Files larger than this are read off the GUI thread (a 4 MiB CSV parses in about 0.3 s)."""


class _Worker(QThread):
    """Runs work(progress) once; `result` or `error` holds what came of it."""

    progressed = Signal(int, int)

    def __init__(self, work: Callable[[Progress], object], parent: QObject) -> None:
        super().__init__(parent)
        self._work = work
        self.stop = threading.Event()
        self.result = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self._work(self._progress)
        except Exception as error:  # noqa: BLE001 -- handed to the GUI thread, reported there
            self.error = error

    def _progress(self, done: int, total: int) -> None:
        if self.stop.is_set():
            raise Cancelled
        self.progressed.emit(done, total)


class FileTask(QObject):
    """One load or save at a time off the GUI thread, shown in a progress dialog (after
    half a second, so that a quick one does not flash) with a Cancel button.

    `start(label, work, done)` runs `work(progress)` on the thread, then calls
    `done(result, error)` on the GUI thread: error is None, Cancelled (the user pressed
    Cancel before the work was done) or the exception the work raised.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._worker: _Worker | None = None
        self._dialog = None
        self._done: Callable[[object, BaseException | None], None] | None = None

    @property
    def running(self) -> bool:
        """True from start() until done() has been called."""
        return self._worker is not None

    def start(self, label: str, work: Callable[[Progress], object],
              done: Callable[[object, BaseException | None], None]) -> None:
        """Run `work` off the GUI thread (one task at a time: check `running` first)."""
        if self.running:
            raise RuntimeError("a file task is already running")
        self._done = done
        self._worker = worker = _Worker(work, self)
        self._dialog = dialog = dialogs.progress_dialog(self._window, label)
        dialog.canceled.connect(self.cancel)
        worker.progressed.connect(self._show_progress)
        worker.finished.connect(self._on_finished)  # a method: queued to the GUI thread
        worker.start()

    def set_label(self, text: str) -> None:
        """Change the dialog's text and show it now (e.g. "the window closes when ...")."""
        if self._dialog is not None:
            self._dialog.setLabelText(text)
            self._dialog.show()

    def cancel(self) -> None:
        """Ask the running task to stop at its next progress report."""
        if self._worker is not None:
            self._worker.stop.set()

    def wait(self) -> None:
        """Block until the running task has ended and done() was called."""
        if self._worker is not None:
            self._worker.wait()
            self._finish(self._worker)

    def _show_progress(self, done: int, total: int) -> None:
        if self._dialog is not None and total > 0:
            bar = self._dialog.findChild(QProgressBar)
            bar.setValue(round(dialogs.PROGRESS_STEPS * done / total))

    def _on_finished(self) -> None:
        self._finish(self.sender())

    def _finish(self, worker: _Worker) -> None:
        if worker is not self._worker:
            return  # wait() already finished it (its `finished` arrives afterwards)
        dialog, done = self._dialog, self._done
        self._worker = self._dialog = self._done = None
        dialog.canceled.disconnect(self.cancel)
        dialog.close()
        dialog.deleteLater()
        worker.wait()
        worker.deleteLater()
        done(worker.result, worker.error)
