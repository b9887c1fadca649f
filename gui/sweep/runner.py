"""One sweep at a time on a thread of its own, with one lifecycle: start, progress, Cancel
(keeps the finished cells), discard (the document changed), finished or failed."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from gui.sweep.worker import SweepJob, SweepWorker


class SweepRunner(QObject):
    """Runs SweepJobs in a SweepWorker on a QThread; what a discarded or replaced job still
    sends never comes out.

    Signals:
        progress(job, result): a partial SweepResult, a few times a second.
        finished(job, result, cancelled, seconds): the last result (partial if cancelled).
        failed(job, str): the sweep could not run; the sentence says why.
    """

    progress = Signal(object, object)
    finished = Signal(object, object, bool, float)
    failed = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job: SweepJob | None = None
        self._thread: QThread | None = None
        self._worker: SweepWorker | None = None
        # No parent and no deleteLater: each thread and worker is Python-owned and dies with
        # its last reference, kept here until the thread's `finished` has been delivered;
        # dropped earlier, Qt would still use them (a use-after-free, as
        # gui/compare/controller.py found: "Fatal Python error: Bus error").
        self._alive: list[tuple[QThread, SweepWorker]] = []
        self._started = 0.0

    @property
    def busy(self) -> bool:
        """True while a job's thread runs."""
        return self._thread is not None

    def start(self, job: SweepJob) -> None:
        """Compute `job` (a job still running is discarded first)."""
        self.discard()
        self.job = job
        self._worker = worker = SweepWorker(job)
        self._thread = thread = QThread()
        thread.setObjectName("sweepThread")
        self._alive.append((thread, worker))
        worker.moveToThread(thread)
        thread.started.connect(worker.compute)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(thread.quit)
        worker.failed.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._started = time.perf_counter()
        thread.start()

    def cancel(self) -> None:
        """Stop after the current chunk of steps; `finished` brings the partial result."""
        if self._worker is not None:
            self._worker.cancel()

    def discard(self) -> None:
        """Stop the job and wait for its thread; nothing more of it comes out."""
        self.job = None
        self.cancel()
        self._stop_thread()

    def _stop_thread(self) -> None:
        thread, self._thread, self._worker = self._thread, None, None
        if thread is not None:
            thread.quit()
            thread.wait()

    @Slot(object, object)
    def _on_progress(self, job: SweepJob, result) -> None:
        if job is self.job:
            self.progress.emit(job, result)

    @Slot(object, object, bool)
    def _on_finished(self, job: SweepJob, result, cancelled: bool) -> None:
        if job is not self.job:
            return
        elapsed = time.perf_counter() - self._started
        self.job = None
        self._stop_thread()
        self.finished.emit(job, result, cancelled, elapsed)

    @Slot(object, str)
    def _on_failed(self, job: SweepJob, message: str) -> None:
        if job is not self.job:
            return
        self.job = None
        self._stop_thread()
        self.failed.emit(job, message)

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self.sender()
        retired = [pair for pair in self._alive if pair[0] is thread]
        self._alive = [pair for pair in self._alive if pair[0] is not thread]
        QTimer.singleShot(0, lambda: retired)  # released once `finished` has returned
