"""The Sweep view: controls, the map (or the line at one momentum), progress and Cancel.

It knows the document only through `set_document(matrix, settings, name)` and tells it
about a chosen cell through `settings_chosen(lr, momentum)`; gui/sweep/binding.py connects
both to the document model. The computation runs in a SweepRunner (gui/sweep/runner.py).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.matrix_model import matrix_digest
from gui.sweep.line_plot import SweepLinePlot
from gui.sweep.map_plot import SweepMapPlot
from gui.sweep.runner import SweepRunner
from gui.sweep.summary import status_html, theory_lines
from gui.sweep.worker import SweepJob
from gui.widgets.sci_spin_box import SciSpinBox
from solver import Settings, SettingsError, analyse
from solver.spectrum import spectrum
from solver.sweep import NOT_SUPPORTED, SweepResult, check_size
from solver.sweep_grid import Axis, Grid, default_axes

MAP, LINE = "map", "line"
DEFAULT_POINTS = {MAP: 48, LINE: 160}
DEFAULT_STEPS = 2000
MOMENTA = (0.0, 0.99)


class SweepView(QWidget):
    """Steps to the tolerance over learning rates (and momenta) for the document's matrix.

    Signals:
        settings_chosen(float, float): a cell was clicked: its lr and momentum.
    """

    settings_chosen = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sweepView")
        self._matrix: np.ndarray | None = None
        self._settings: Settings | None = None
        self._name = ""
        self._key: tuple | None = None
        self._theory = None
        self.runner = SweepRunner(self)
        self._shown_job: SweepJob | None = None
        self.result: SweepResult | None = None
        self._build()
        self._set_idle("Open a matrix to map its learning rates and momenta.")

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName("sweepMode")
        self.mode_combo.addItem("Map: lr × β", MAP)
        self.mode_combo.addItem("Line: lr at the current β", LINE)
        self.mode_combo.setToolTip("The map runs every pair of a learning rate and a momentum "
                                   "β; the line runs learning rates at the momentum in force.")
        self.points_spin = QSpinBox(self)
        self.points_spin.setObjectName("sweepPoints")
        self.points_spin.setRange(2, 256)
        self.points_spin.setValue(DEFAULT_POINTS[MAP])
        self.points_spin.setToolTip("Points per axis: a 48 × 48 map is 2,304 runs.")
        self.steps_spin = QSpinBox(self)
        self.steps_spin.setObjectName("sweepSteps")
        self.steps_spin.setRange(1, 1_000_000)
        self.steps_spin.setSingleStep(500)
        self.steps_spin.setValue(DEFAULT_STEPS)
        self.steps_spin.setToolTip("Each run stops below the tolerance, when it diverges, or "
                                   "after this many steps.")
        self.lr_from = SciSpinBox(1e-12, 1e12, parent=self)
        self.lr_from.setObjectName("sweepLrFrom")
        self.lr_to = SciSpinBox(1e-12, 1e12, parent=self)
        self.lr_to.setObjectName("sweepLrTo")
        for spin in (self.lr_from, self.lr_to):
            spin.setToolTip("The learning rates run from … to … on a log scale (filled in "
                            "from theory's stable limit for each new matrix).")
        self.compute_button = QPushButton("Compute", self)
        self.compute_button.setObjectName("sweepCompute")
        self.compute_button.setToolTip("Run every cell from the document's seeded start, all "
                                       "at once in one batched computation.")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("sweepCancel")
        self.cancel_button.setToolTip("Stop: the cells already finished stay on the map.")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("sweepProgress")
        self.progress.setMaximum(1000)
        self.status = QLabel(self)
        self.status.setObjectName("sweepStatus")
        self.status.setWordWrap(True)
        self.map_plot = SweepMapPlot(self)
        self.line_plot = SweepLinePlot(self)
        self.plots = QStackedWidget(self)
        self.plots.addWidget(self.map_plot)
        self.plots.addWidget(self.line_plot)

        row1 = QHBoxLayout()
        for widget in (self.mode_combo, QLabel("points", self), self.points_spin,
                       QLabel("steps", self), self.steps_spin):
            row1.addWidget(widget)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        for widget in (QLabel("lr from", self), self.lr_from, QLabel("to", self), self.lr_to,
                       self.compute_button, self.cancel_button):
            row2.addWidget(widget)
        row2.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(self.status)
        layout.addWidget(self.plots, 1)

        self.mode_combo.currentIndexChanged.connect(self._on_mode)
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button.clicked.connect(self.cancel)
        self.map_plot.cell_clicked.connect(self._on_cell)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.line_plot.lr_clicked.connect(self._on_line_point)

    @property
    def mode(self) -> str:
        """MAP or LINE."""
        return self.mode_combo.currentData()

    # -- the document -----------------------------------------------------------------------
    def set_document(self, matrix: np.ndarray, settings: Settings, name: str = "") -> None:
        """Follow the document: a new matrix or new settings (other than lr and momentum,
        which only move the cross) clear the map; a computation for the old one stops.
        Never raises (it runs in a Qt slot): a document it cannot map says why instead."""
        try:
            self._follow(matrix, settings, name)
        except Exception as error:  # noqa: BLE001 -- no exception into Qt's event loop
            self._key = None  # whatever it was, the next document is followed afresh
            self._refuse(f"Cannot map this matrix: {type(error).__name__}: {error}")

    def _follow(self, matrix: np.ndarray, settings: Settings, name: str) -> None:
        matrix = np.asarray(matrix, dtype=np.float64)
        key = _document_key(matrix, settings)
        self._settings, self._name = settings, name
        if key == self._key:
            self._show_current()
            return
        self.cancel(discard=True)
        self._matrix, self._key = matrix, key
        self.result = None
        self._shown_job = None
        try:
            resolved = settings.validated(matrix.shape)
        except SettingsError as error:
            self._refuse(str(error))
            return
        if resolved.problem not in ("inverse", "pinv"):
            self._refuse(f"Not available for this problem: {NOT_SUPPORTED[resolved.problem]}.")
            return
        try:
            self._theory = _theory(matrix, resolved)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
            self._refuse(f"Cannot map this matrix: {error}")
            return
        gd = resolved.optimizer == "gd"
        self.mode_combo.model().item(0).setEnabled(not gd)  # gd has no momentum axis
        if gd and self.mode == MAP:
            self.mode_combo.setCurrentIndex(1)
        lr_axis, _ = default_axes(self._theory, resolved.optimizer, 2, 2, MOMENTA)
        self.lr_from.setValue(float(f"{lr_axis.lo:.3g}"))
        self.lr_to.setValue(float(f"{lr_axis.hi:.3g}"))
        self._set_idle(f"Press Compute to map {name or 'this matrix'}: every cell is a run "
                       "from the same seeded start.")
        self._show_theory()
        self._show_current()

    def _refuse(self, reason: str) -> None:
        """A document the sweep cannot map: say why, and draw nothing (no map, theory lines
        or cross of the previous one)."""
        self._theory = None
        self._set_idle(reason, can_compute=False)
        self.map_plot.clear_document()
        self.line_plot.clear_document()

    def _show_current(self) -> None:
        if self._settings is None or self._theory is None:
            return  # nothing is mapped: no cross either
        beta = 0.0 if self._settings.optimizer == "gd" else self._settings.momentum
        self.map_plot.set_current(self._settings.lr, beta)
        self.line_plot.set_current(self._settings.lr)
        if self.mode == LINE and self._shown_job is None:
            self._show_theory()

    def _show_theory(self) -> None:
        if self._settings is None or self._theory is None:
            self.map_plot.set_theory(None, None)
            self.line_plot.set_limit(None, "")
            return
        optimizer = self._settings.optimizer
        boundary, optimum, limit, text = theory_lines(self._theory, optimizer, MOMENTA,
                                                      self._line_momentum())
        self.map_plot.set_theory(boundary, optimum)
        self.line_plot.set_limit(limit, text)

    def _line_momentum(self) -> float:
        if self._shown_job is not None and self._shown_job.grid.momenta.size == 1:
            return float(self._shown_job.grid.momenta[0])
        s = self._settings
        return 0.0 if s is None or s.optimizer == "gd" else s.momentum

    # -- computing ------------------------------------------------------------------------
    @Slot()
    def compute(self) -> None:
        """Start the sweep for the current controls (cancelling one in progress)."""
        if self._matrix is None or self._settings is None or self._theory is None:
            return
        self.cancel(discard=True)
        n = self.points_spin.value()
        low, high = sorted((self.lr_from.value(), self.lr_to.value()))
        lrs = Axis(low, high, n, log=True).values()
        momenta = (Axis(*MOMENTA, n).values() if self.mode == MAP
                   else np.array([self._line_momentum()]))
        grid = Grid(lrs, momenta)
        settings = dataclasses.replace(self._settings, max_steps=self.steps_spin.value())
        try:
            check_size(grid.size, self._matrix.shape, settings.dtype)
        except SettingsError as error:
            self.status.setText(str(error))
            return
        job = self._shown_job = SweepJob(self._matrix, settings, grid, self._key)
        self.result = None
        if self.mode == MAP:
            self.map_plot.set_grid(grid)
        else:
            self.line_plot.set_axis(lrs, settings.max_steps)
        self._show_theory()
        self.progress.setValue(0)
        self.progress.setFormat("starting …")
        self.compute_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(f"Computing {grid.size:,} runs of up to "
                            f"{settings.max_steps:,} steps …")
        self.runner.start(job)

    @Slot()
    def cancel(self, discard: bool = False) -> None:
        """Stop the computation after its current chunk of steps. The finished cells stay
        on the map (unless `discard`: the document changed and the map with it)."""
        if discard:
            self.runner.discard()
            self._buttons_idle()
        else:
            self.runner.cancel()

    def shutdown(self) -> None:
        """Stop and wait for the worker thread (the window is closing)."""
        self.cancel(discard=True)

    def _buttons_idle(self) -> None:
        self.compute_button.setEnabled(self._theory is not None)
        self.cancel_button.setEnabled(False)

    @Slot(object, object)
    def _on_progress(self, job: SweepJob, result: SweepResult) -> None:
        self._show_result(result)
        self.progress.setValue(int(1000 * result.iteration / max(result.max_steps, 1)))
        done = int(result.done.sum())
        self.progress.setFormat(f"step {result.iteration:,} of {result.max_steps:,}: "
                                f"{done:,} of {result.state.size:,} runs done")

    @Slot(object, object, bool, float)
    def _on_finished(self, job: SweepJob, result: SweepResult, cancelled: bool,
                     elapsed: float) -> None:
        self._show_result(result)
        self.progress.setValue(1000 if not cancelled else self.progress.value())
        self.progress.setFormat("cancelled" if cancelled else f"done in {elapsed:.1f} s")
        self.status.setText(status_html(result, job.grid, self._theory, job.settings,
                                        elapsed, cancelled))
        self._buttons_idle()

    @Slot(object, str)
    def _on_failed(self, job: SweepJob, message: str) -> None:
        self.status.setText(message)
        self.progress.setFormat("failed")
        self._buttons_idle()

    def _show_result(self, result: SweepResult) -> None:
        self.result = result
        if self._shown_job is not None and self._shown_job.grid.momenta.size > 1:
            self.map_plot.show_result(result)
        else:
            self.line_plot.show_result(result)

    # -- clicks and modes -------------------------------------------------------------------
    def _on_cell(self, lr: float, momentum: float) -> None:
        if self._theory is not None:
            self.settings_chosen.emit(lr, momentum)

    def _on_line_point(self, lr: float) -> None:
        if self._theory is not None and self._settings is not None:
            # gd ignores momentum: the document keeps its own ("nothing else" changes).
            gd = self._settings.optimizer == "gd"
            self.settings_chosen.emit(lr, self._settings.momentum if gd else
                                      self._line_momentum())

    def _on_mode(self) -> None:
        self.plots.setCurrentWidget(self.map_plot if self.mode == MAP else self.line_plot)
        self.points_spin.setValue(DEFAULT_POINTS[self.mode])
        self._show_theory()

    def _set_idle(self, text: str, can_compute: bool = True) -> None:
        self.status.setText(text)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.compute_button.setEnabled(can_compute and self._matrix is not None)
        self.cancel_button.setEnabled(False)
        self.map_plot.clear_cells()
        self.line_plot.clear_points()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.shutdown()
        super().closeEvent(event)


def _theory(matrix: np.ndarray, settings: Settings):
    """solver.theory's analysis of the matrix as the runs see it (in their precision);
    ValueError when it does not fit that precision."""
    with np.errstate(over="ignore"):
        cast = matrix.astype(settings.dtype)
    if not np.isfinite(cast).all():
        raise ValueError(f"its entries overflow {settings.dtype} (largest "
                         f"{np.abs(matrix).max():.3g})")
    # A large M (solver.spectrum): σ_max by Lanczos is all the map's axes and stability
    # line need; a full SVD would hold the window's thread for seconds at each new matrix.
    return analyse(cast, settings, spectrum(cast))


def _document_key(matrix: np.ndarray, settings: Settings) -> tuple:
    """What a map depends on: the matrix and every setting but lr and momentum."""
    rest = dataclasses.replace(settings, lr=1.0, momentum=0.0)
    return matrix_digest(matrix), rest
