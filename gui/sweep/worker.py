"""Computes a sweep on a thread of its own, chunk by chunk, so Cancel keeps what is done."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from solver import Settings
from solver.sweep import BatchedRun
from solver.sweep_grid import Grid

# Steps per call between two looks at the Cancel flag: a 48 x 48 map of a 4 x 4 takes
# about a millisecond a step, so Cancel answers within a few tens of milliseconds.
CHUNK_STEPS = 25
PARTIAL_INTERVAL_S = 0.2  # partial maps (and progress) at most this often


@dataclass(frozen=True)
class SweepJob:
    """What to compute: the matrix, its settings (max_steps = steps per run) and the grid."""

    matrix: np.ndarray
    settings: Settings
    grid: Grid
    key: tuple  # identifies the document and settings the map belongs to


class SweepWorker(QObject):
    """Runs a SweepJob when `compute` is called in its thread.

    Every signal carries the job first, so a receiver can drop those of a job it replaced.

    Signals:
        progress(job, result): the SweepResult so far (finished cells final, the others
            pending), at most every PARTIAL_INTERVAL_S.
        finished(job, result, cancelled): the result, partial if cancelled.
        failed(job, str): the sweep could not run (the sentence says why).
    """

    progress = Signal(object, object)
    finished = Signal(object, object, bool)
    failed = Signal(object, str)

    def __init__(self, job: SweepJob) -> None:
        super().__init__()
        self.job = job
        self._cancel = False

    def cancel(self) -> None:
        """Stop after the current chunk of steps. Safe from any thread: it sets a flag."""
        self._cancel = True

    @Slot()
    def compute(self) -> None:
        """Step the batch to its end (or to Cancel), reporting partial maps on the way."""
        try:
            batch = BatchedRun(self.job.matrix, self.job.settings, *self.job.grid.cells())
        except ValueError as error:  # SettingsError, SweepError: a sentence naming the field
            self.failed.emit(self.job, str(error))
            return
        except Exception as error:  # noqa: BLE001 -- never into Qt's event loop
            self.failed.emit(self.job, "the sweep could not start: "
                             f"{type(error).__name__}: {error}")
            return
        last = time.perf_counter()
        try:
            while not batch.done:
                if self._cancel:
                    self.finished.emit(self.job, batch.result(), True)
                    return
                batch.step(CHUNK_STEPS)
                now = time.perf_counter()
                if now - last >= PARTIAL_INTERVAL_S:
                    last = now
                    self.progress.emit(self.job, batch.result())
        except Exception as error:  # noqa: BLE001 -- e.g. out of memory on a device
            self.failed.emit(self.job, f"the sweep failed at iteration {batch.iteration}: "
                             f"{type(error).__name__}: {error}")
            return
        self.finished.emit(self.job, batch.result(), False)
