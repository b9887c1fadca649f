"""The tutorial's comparison figures, computed headless on a thread of their own.

Part 2 plots the loss of the random and the diagonal 4x4 matrix on one log chart; part 3
runs the SVD on five matrices. Each run is a plain solver Run stepped to its max_steps
with tol 0, so its losses equal those of the same Run stepped anywhere else.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from solver import Run, Settings, SettingsError
from solver.matrix_io import MatrixFileError
from solver.presets import load_preset

# Steps per Run.step call: small enough that Cancel answers within a fraction of a second
# even for the SVD (about 1 ms a step), large enough that the call overhead is negligible.
CHUNK_STEPS = 50
PROGRESS_INTERVAL_S = 0.1

TUTORIAL_INVERSE = Settings(problem="inverse", optimizer="momentum", lr=0.9, momentum=0.9,
                            max_steps=10_000, tol=0.0)
"""Tutorial run A: heavy ball, lr 0.9, momentum 0.9, 10,000 iterations, no early stop."""
TUTORIAL_SVD = Settings(problem="svd", svd_method="penalty", optimizer="momentum", lr=0.9,
                        momentum=0.9, max_steps=20_000, tol=0.0)
"""Part 3: the penalty formulation, lr 0.9, momentum 0.9, 20,000 iterations."""


@dataclass(frozen=True)
class RunSpec:
    """One curve of a figure: its legend name, the preset matrix and the settings."""

    name: str
    preset: str
    settings: Settings


@dataclass(frozen=True)
class FigureSpec:
    """A figure of the tutorial: its menu entry, its title and its runs."""

    menu_text: str
    title: str
    runs: tuple[RunSpec, ...]

    @property
    def total_steps(self) -> int:
        """Steps of all runs together (for the progress bar)."""
        return sum(spec.settings.max_steps for spec in self.runs)


FIGURES: dict[str, FigureSpec] = {
    "inverse": FigureSpec(
        "Part 2: random vs diagonal matrix (inverse, 2 × 10,000 steps)",
        "How fast does the gradient algorithm converge? It depends",
        (RunSpec("Random Matrix, Momentum=0.9", "tutorial-random", TUTORIAL_INVERSE),
         RunSpec("Simple Diagonal Matrix, Momentum=0.9", "tutorial-diagonal", TUTORIAL_INVERSE)),
    ),
    "svd": FigureSpec(
        "Part 3: SVD of five matrices (penalty method, 5 × 20,000 steps, slow)",
        "SVD by gradient descent, penalty method: five matrices of the tutorial",
        (RunSpec("rand(5, 4), seed 314", "svd-tutorial", TUTORIAL_SVD),
         RunSpec("rand(4, 4), seed 315", "svd-seed315", TUTORIAL_SVD),
         RunSpec("rand(7, 4), seed 316", "svd-seed316", TUTORIAL_SVD),
         RunSpec("rand(3, 4).T, seed 317", "svd-seed317t", TUTORIAL_SVD),
         RunSpec("rand(4, 3), seed 317", "svd-seed317", TUTORIAL_SVD)),
    ),
}
"""The figures of the Tutorial figures menu, by key, in menu order."""


class FigureWorker(QObject):
    """Computes a figure's runs when `compute` is called in its thread.

    Signals:
        progress(int, int, str): steps done, steps in all, the run being computed.
        computed(list): [(name, losses)] in the figure's order.
        cancelled(): cancel() was called; nothing is delivered.
        failed(str): a run could not be set up (the sentence says why).
    """

    progress = Signal(int, int, str)
    computed = Signal(object)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, figure: FigureSpec) -> None:
        super().__init__()
        self.figure = figure
        self._cancel = False

    def cancel(self) -> None:
        """Stop at the next chunk of steps. Safe from any thread: it only sets a flag."""
        self._cancel = True

    @Slot()
    def compute(self) -> None:
        """Run every RunSpec to its end, reporting progress about 10 times a second."""
        total, before, results = self.figure.total_steps, 0, []
        last = 0.0
        for spec in self.figure.runs:
            try:
                run = Run(load_preset(spec.preset), spec.settings)
            except (MatrixFileError, SettingsError) as error:
                self.failed.emit(f"{spec.name}: {error}")
                return
            while not run.done:
                if self._cancel:
                    self.cancelled.emit()
                    return
                run.step(CHUNK_STEPS)
                now = time.perf_counter()
                if now - last >= PROGRESS_INTERVAL_S:
                    last = now
                    self.progress.emit(before + run.iteration, total, spec.name)
            results.append((spec.name, run.history.values().copy()))
            before += spec.settings.max_steps
        self.progress.emit(total, total, "")
        self.computed.emit(results)
