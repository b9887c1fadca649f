"""The pinned runs: named loss histories kept across resets and matrix changes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True)
class PinnedRun:
    """A run's name (its legend entry), its losses and their iterations (read-only)."""

    name: str
    losses: np.ndarray
    iterations: np.ndarray


class PinnedRuns(QObject):
    """An ordered list of pinned runs with unique names, and an optional figure title.

    Signals:
        changed(): a run was pinned or unpinned, or the title changed.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runs: list[PinnedRun] = []
        self._title: str | None = None
        self._title_runs: set[str] = set()

    @property
    def runs(self) -> list[PinnedRun]:
        """The pinned runs in pinning order (a new list)."""
        return list(self._runs)

    @property
    def title(self) -> str | None:
        """The title of the tutorial figure on show, while any of its runs is pinned."""
        return self._title

    def names(self) -> list[str]:
        """The pinned runs' names in order."""
        return [run.name for run in self._runs]

    def pin(self, name: str, losses, replace: bool = False, iterations=None) -> PinnedRun:
        """Pin a copy of `losses` (at `iterations`, default 0, 1, ...) as `name`. An existing
        run of that name is replaced if `replace`, else the new one is named "name (2)",
        "name (3)", ..."""
        values = np.array(losses, dtype=np.float64)
        values.flags.writeable = False
        steps = np.arange(values.size, dtype=np.int64) if iterations is None else \
            np.array(iterations, dtype=np.int64)
        steps.flags.writeable = False
        names = self.names()
        if replace and name in names:
            self._runs = [run for run in self._runs if run.name != name]
        else:
            base, n = name, 2
            while name in names:
                name, n = f"{base} ({n})", n + 1
        run = PinnedRun(name, values, steps)
        self._runs.append(run)
        self.changed.emit()
        return run

    def pin_figure(self, title: str, runs: list[tuple[str, np.ndarray]]) -> None:
        """Pin a tutorial figure's runs (replacing runs of the same names) under `title`."""
        self.blockSignals(True)
        try:
            for name, losses in runs:
                self.pin(name, losses, replace=True)
        finally:
            self.blockSignals(False)
        self._title = title
        self._title_runs = {name for name, _ in runs}
        self.changed.emit()

    def unpin(self, name: str) -> None:
        """Forget the run called `name` (nothing happens if there is none)."""
        self._runs = [run for run in self._runs if run.name != name]
        if not self._title_runs & set(self.names()):
            self._title, self._title_runs = None, set()
        self.changed.emit()

    def clear(self) -> None:
        """Forget every pinned run and the figure title."""
        self._runs = []
        self._title, self._title_runs = None, set()
        self.changed.emit()
