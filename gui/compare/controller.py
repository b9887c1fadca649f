"""Compare runs: the menus, the live run's record, pinning, tutorial figures, CSV export."""

from __future__ import annotations

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from gui.compare.figures import FIGURES, FigureWorker
from gui.compare.labels import run_label
from gui.compare.overlay import PinnedOverlay
from gui.compare.pinned import PinnedRun, PinnedRuns
from gui.compare.progress import FigureProgress
from gui.files import dialogs
from solver.compare_export import write_compare_csv
from solver.matrix_io import MatrixFileError

CURRENT_SUFFIX = " (current run)"


class CompareController(QObject):
    """Pins runs on the loss plot (their legend goes in `legend`, a LegendNote below it) and
    computes the tutorial's figures.

    The live run's losses are the document model's own history (pinning copies them, which
    costs the solver thread nothing). Figures are computed by a FigureWorker on a QThread of
    their own, started per figure and stopped when done, cancelled or the window closes.

    Signals:
        message(str, str): a notice for the banner (text, kind).
        status(str): a short note for the status bar.
    """

    message = Signal(str, str)
    status = Signal(str)

    def __init__(self, model, loss_plot, legend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.pins = PinnedRuns(self)
        self.overlay = PinnedOverlay(loss_plot, self.pins, legend, self)
        self._live_name = ""
        self._labelled: tuple = ("", None)  # (run name, settings) the live name is of
        self._thread: QThread | None = None
        self._figure_worker: FigureWorker | None = None
        self._figure_key: str | None = None
        self.progress = FigureProgress()
        self.progress.cancel_clicked.connect(self.cancel_figure)
        self.pin_action = QAction("&Pin current run", self)
        self.pin_action.setShortcut(QKeySequence(Qt.Key.Key_P))
        self.pin_action.setStatusTip("Keep this run's loss curve on the plot; later runs draw "
                                     "over it (P).")
        self.pin_action.triggered.connect(self.pin_current)
        model.run_started.connect(self._on_run_started)
        model.frame.connect(self.on_frame)
        model.pin_requested.connect(
            lambda name, iterations, losses: self.pins.pin(name, losses, iterations=iterations))
        self._on_run_started(model.run)

    # --- public API ----------------------------------------------------------------------
    @property
    def live_name(self) -> str:
        """The live run's legend name, e.g. "tutorial-random · momentum lr 0.9 β 0.9"."""
        return self._live_name

    def live_losses(self) -> np.ndarray:
        """A copy of the live run's losses so far (the kept points, iteration order)."""
        return self._model.losses.points()[1]

    def pin_current(self) -> PinnedRun | None:
        """Pin the live run as it is now; None (and a status note) if it has no losses."""
        iterations, losses = self._model.history()
        if not losses.size:
            self.status.emit("Nothing to pin yet: step or play the run first.")
            return None
        return self.pins.pin(self._live_name, losses, iterations=iterations)

    def compared_runs(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """The pinned runs, then the live run if it has losses, as (name, losses,
        iterations): what the CSV export writes."""
        runs = [(run.name, run.losses, run.iterations) for run in self.pins.runs]
        iterations, losses = self._model.history()
        if losses.size:
            runs.append((self._live_name + CURRENT_SUFFIX, losses, iterations))
        return runs

    def export_csv(self, path: str) -> None:
        """Write compared_runs() to `path` (solver.compare_export); MatrixFileError on failure."""
        write_compare_csv(path, self.compared_runs())

    def fill_menu(self, menu: QMenu) -> None:
        """The Compare menu: pin, unpin, clear, export."""
        menu.addAction(self.pin_action)
        self.unpin_menu = menu.addMenu("&Unpin")
        self.unpin_menu.aboutToShow.connect(self._fill_unpin_menu)
        self.clear_action = menu.addAction("&Clear pinned runs", self.pins.clear)
        menu.addSeparator()
        self.export_action = menu.addAction("&Export compared runs as CSV…", self._ask_export)
        self.export_action.setStatusTip(
            "One CSV: an iteration column and one loss column per pinned run and the current "
            "run (blank where a run is shorter).")
        menu.aboutToShow.connect(self._update_menu)

    def fill_figures_menu(self, menu: QMenu) -> None:
        """The Tutorial figures menu: one entry per figure."""
        self.figure_actions: dict[str, QAction] = {}
        for key, figure in FIGURES.items():
            action = menu.addAction(figure.menu_text)
            action.setStatusTip(f"Compute and pin the tutorial's figure: {figure.title}")
            action.triggered.connect(lambda _checked=False, k=key: self.show_figure(k))
            self.figure_actions[key] = action

    @property
    def computing(self) -> bool:
        """True while a tutorial figure is being computed."""
        return self._thread is not None

    def show_figure(self, key: str) -> bool:
        """Start computing FIGURES[key] off the GUI thread; its runs are pinned when done.
        False if another figure is still being computed."""
        if self.computing:
            return False
        figure = FIGURES[key]
        self._figure_key = key
        worker = self._figure_worker = FigureWorker(figure)
        thread = self._thread = QThread()
        thread.setObjectName("figureThread")
        worker.moveToThread(thread)
        thread.started.connect(worker.compute)
        worker.progress.connect(self.progress.set_progress)
        worker.computed.connect(self._on_computed)
        worker.failed.connect(self._on_failed)
        for done in (worker.computed, worker.cancelled, worker.failed):
            done.connect(thread.quit)
        # No deleteLater: thread and worker are Python-owned and die with their last reference,
        # which _on_thread_finished releases only after `finished` has been delivered.
        thread.finished.connect(self._on_thread_finished)
        self.progress.start(figure.menu_text.split(" (", 1)[0])
        self._enable_figure_actions(False)
        thread.start()
        return True

    def cancel_figure(self) -> None:
        """Stop computing the figure; nothing is pinned."""
        if self._figure_worker is not None:
            self._figure_worker.cancel()
            self.progress.cancel_button.setEnabled(False)

    def shutdown(self) -> None:
        """Cancel a figure being computed and wait for its thread (idempotent)."""
        thread = self._thread
        if thread is not None and shiboken6.isValid(thread) and thread.isRunning():
            self._figure_worker.cancel()
            thread.quit()
            thread.wait()

    def on_frame(self, frame) -> None:
        """Name the live run after the settings in force (lr or momentum may change)."""
        if frame.past:
            return
        # Every frame comes here, and nearly all bring the settings object of the frame
        # before: the label is written again only when they (or the run's name) change.
        labelled = (self._model.run.name, frame.settings)
        if labelled[0] != self._labelled[0] or labelled[1] is not self._labelled[1]:
            self._labelled = labelled
            self._live_name = run_label(*labelled)
        self.overlay.set_live(self._live_name, len(self._model.losses) > 0)

    def set_projector(self, on: bool) -> None:
        """Projector mode: thicker pinned curves, larger legend and title."""
        self.overlay.set_projector(on)
        self.overlay.refresh()

    # --- internals -----------------------------------------------------------------------
    def _on_run_started(self, info) -> None:
        self._labelled = (info.name, info.settings)
        self._live_name = run_label(info.name, info.settings)
        self.overlay.set_live(self._live_name, len(self._model.losses) > 0)

    def _update_menu(self) -> None:
        pinned = bool(self.pins.runs)
        self.unpin_menu.setEnabled(pinned)
        self.clear_action.setEnabled(pinned)
        self.export_action.setEnabled(pinned or len(self._model.losses) > 0)

    def _fill_unpin_menu(self) -> None:
        self.unpin_menu.clear()
        for name in self.pins.names():
            action = self.unpin_menu.addAction(name)
            action.triggered.connect(lambda _checked=False, n=name: self.pins.unpin(n))

    def _ask_export(self) -> None:
        csv_filter = "CSV (*.csv)"
        path, _ = dialogs.ask_save_path(self.parent(), "Export compared runs",
                                        "compared-runs.csv", [csv_filter], csv_filter)
        if not path:
            return
        try:
            self.export_csv(path)
        except MatrixFileError as error:
            self.message.emit(str(error), "error")
            return
        self.status.emit(f"Exported {len(self.compared_runs())} runs to {path}")

    def _enable_figure_actions(self, enabled: bool) -> None:
        for action in self.figure_actions.values():
            action.setEnabled(enabled)

    def _on_computed(self, results: list) -> None:
        figure = FIGURES[self._figure_key]
        self.pins.pin_figure(figure.title, results)
        self.status.emit(f"Pinned {len(results)} runs: {figure.title}")

    def _on_failed(self, message: str) -> None:
        self.message.emit(f"The figure could not be computed: {message}", "error")

    def _on_thread_finished(self) -> None:
        # Dropping the last reference here would delete the QThread while it is still emitting
        # `finished` (a use-after-free: "Fatal Python error: Bus error" in CI). Hand the
        # references to a zero-delay timer so they are released from the event loop instead.
        retired = (self._thread, self._figure_worker)
        QTimer.singleShot(0, lambda: retired)
        self._thread = None
        self._figure_worker = None
        self.progress.finish()
        self._enable_figure_actions(True)
