"""The Matrix Descent main window: editor, parameters, transport, plots, status bar.

The window owns the solver thread. It talks to the worker only through queued signals
and draws the frames the worker sends; it never calls the solver from the GUI thread
while a run is going, and it stops the thread in closeEvent (napari #7446, #7633:
"QThread: Destroyed while thread is still running" otherwise).
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QSize, Qt, QThread, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui import compare, projector
from gui.files import FileController
from gui.history import timeline_bar as timeline_slider
from gui.lesson import panel as lesson_panel
from gui.plots.heatmap import ErrorHeatmap, EstimateHeatmap
from gui.plots.loss_plot import LossPlot
from gui.solver_worker import Frame, SolverWorker
from gui.teaching import install as install_teaching
from gui.widgets.fixed_label import FixedWidthLabel
from gui.widgets.help_text import HelpDialog
from gui.widgets.matrix_editor import MatrixEditor
from gui.widgets.message_banner import MessageBanner
from gui.widgets.parameter_panel import ParameterPanel
from gui.widgets.transport_bar import TransportBar
from gui.widgets.vertical_scroll import VerticalScrollArea
from solver import Settings

DEFAULT_MATRIX = np.diag([1.0, 2.0, 3.0, 4.0])
DEFAULT_NAME = "tutorial-diagonal: diag(1, 2, 3, 4)"
_DONE_STATES = ("converged", "diverged", "finished")
# Narrowest a dock's contents may be squeezed to (see _let_docks_narrow).
DOCK_MIN_WIDTH = 224


class MainWindow(QMainWindow):
    """The app window. `MainWindow()` opens the tutorial's diag(1, 2, 3, 4), paused at 0.

    Signals:
        frame_drawn(Frame): a frame from the worker has been drawn (for tests and benchmarks).
        closing(): the window closes (the user did not cancel): stop background work.
    """

    frame_drawn = Signal(object)
    closing = Signal()

    # Commands to the worker; queued because the worker lives in another thread.
    _configure = Signal(object, object)
    _play = Signal()
    _pause = Signal()
    _step = Signal()
    _reset = Signal()
    _set_lr = Signal(float)
    _set_momentum = Signal(float)
    _set_speed = Signal(float)
    _shutdown = Signal()

    def __init__(
        self,
        matrix: np.ndarray | None = None,
        settings: Settings | None = None,
        name: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        font = self.font()
        font.setPointSize(max(font.pointSize(), 11))  # readable on a projector
        self.setFont(font)
        self._playing = False
        self._state = "ready"
        self._theory = None
        self._matrix_name = name or (DEFAULT_NAME if matrix is None else "matrix")
        self._build(DEFAULT_MATRIX if matrix is None else matrix, settings or Settings())
        self._build_actions()
        self.teaching = install_teaching(self)  # issue 5: SVD, pinv, gradient, theory views
        self._start_worker()
        self._restart_run()
        self._update_title()
        # Issue 5: compare runs, the history slider, the lesson panel; projector mode last,
        # so that a stored choice styles them all.
        self.compare = compare.install(self)
        self.timeline = timeline_slider.install(self)
        self.lesson = lesson_panel.install(self)
        self.projector = projector.install(self)
        self._let_docks_narrow()

    def _let_docks_narrow(self) -> None:
        # The docks' contents ask for up to ~480 px, which pushed the window's minimum width
        # to ~1480 px, wider than a 1280 x 720 projector. A dock can still be dragged wider.
        for dock in self.findChildren(QDockWidget):
            dock.widget().setMinimumWidth(DOCK_MIN_WIDTH)

    # --- public API ----------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        """True while the worker steps the run continuously."""
        return self._playing

    @property
    def state(self) -> str:
        """ready, running, paused, converged, diverged, finished or error."""
        return self._state

    def load_matrix_file(self, path: str) -> bool:
        """Open a matrix or lesson file (FileController.open_path); a failure shows its
        one-line message in the banner."""
        return self.files.open_path(
            path, report=lambda text: self.banner.show_message(html.escape(text), "error"))

    @property
    def matrix_name(self) -> str:
        """The name of the matrix shown (an example, a file name)."""
        return self._matrix_name

    @property
    def worker(self) -> SolverWorker:
        """The solver worker; it lives in the solver thread, so connect signals to its
        slots (queued), never call them."""
        return self._worker

    def set_matrix_name(self, name: str) -> None:
        """Name the matrix in the title bar (a file name, an example)."""
        self._matrix_name = name
        self._update_title()

    def toggle_play(self) -> None:
        """Play if paused, pause if playing."""
        if self._playing:
            self._playing = False
            self._pause.emit()
        else:
            self._playing = True
            self._play.emit()
            self.banner.hide()
        self.transport.set_playing(self._playing)

    def step_once(self) -> None:
        """Pause if needed and advance exactly one iteration."""
        self._playing = False
        self.transport.set_playing(False)
        self._step.emit()

    def reset_run(self) -> None:
        """Back to iteration 0 with the same seed (identical numbers)."""
        self._playing = False
        self.transport.set_playing(False)
        self.banner.hide()
        self._reset.emit()

    def fit_to(self, width: int, height: int) -> None:
        """Take `width` x `height` (a share of the screen) and split it so that the plots in
        the middle get what the editor, the settings and the teaching views can spare."""
        self.resize(width, height)
        left = max(self._splitter.widget(0).minimumSizeHint().width(), round(0.26 * width))
        self._splitter.setSizes([left, width - left])
        self.resizeDocks([self.teaching], [round(0.28 * width)], Qt.Orientation.Horizontal)

    def stop_worker(self) -> None:
        """Stop the solver thread and wait for it (idempotent)."""
        if self._thread.isRunning():
            # Blocking: the worker stops its own timer before its thread ends.
            self._shutdown.emit()
            self._thread.quit()
            self._thread.wait()

    # --- Qt overrides --------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.allow_close():  # unsaved changes: the user cancelled
            event.ignore()
            return
        self.closing.emit()
        self.stop_worker()
        super().closeEvent(event)

    # Files dropped anywhere on the window open (gui/files/file_menu.py).
    def dragEnterEvent(self, event) -> None:
        if not self.files.menu.accept_drag(event):
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if not self.files.menu.accept_drag(event):
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        if not self.files.menu.drop(event):
            super().dropEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(1440, 900)

    # --- construction --------------------------------------------------------------------
    def _build(self, matrix: np.ndarray, settings: Settings) -> None:
        self.editor = MatrixEditor(matrix, self)
        self.panel = ParameterPanel(settings, self)
        self.panel.set_shape(*self.editor.model.shape)
        self.transport = TransportBar(self)
        self.banner = MessageBanner(self)
        self.loss_plot = LossPlot(self)
        self.error_heatmap = ErrorHeatmap(self)
        self.estimate_heatmap = EstimateHeatmap(self)

        scroll = VerticalScrollArea(self.panel, self)
        settings_box = QGroupBox("Settings", self)
        QVBoxLayout(settings_box).addWidget(scroll)
        editor_box = QGroupBox("Matrix M", self)
        QVBoxLayout(editor_box).addWidget(self.editor)
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.addWidget(editor_box)
        left.addWidget(settings_box)
        left.setStretchFactor(0, 2)
        left.setStretchFactor(1, 3)

        heatmaps = QHBoxLayout()
        heatmaps.addWidget(self.error_heatmap)
        heatmaps.addWidget(self.estimate_heatmap)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 0, 0, 0)
        right_layout.addWidget(self.transport)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.loss_plot, 3)
        right_layout.addLayout(heatmaps, 2)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 1060])  # the plots the class watches get the room
        self._splitter = splitter
        central = QWidget(self)
        margins = QVBoxLayout(central)
        margins.setContentsMargins(6, 6, 6, 0)
        margins.addWidget(splitter)
        self.setCentralWidget(central)
        self._build_status_bar()

        self.editor.matrix_changed.connect(self._on_matrix_changed)
        self.panel.settings_changed.connect(self._restart_run)
        self.panel.lr_changed.connect(self._on_lr_changed)
        self.panel.momentum_changed.connect(self._on_momentum_changed)
        self.transport.play_toggled.connect(self.toggle_play)
        self.transport.step_clicked.connect(self.step_once)
        self.transport.reset_clicked.connect(self.reset_run)
        self.transport.speed_changed.connect(self._set_speed)
        self.banner.action_clicked.connect(self._apply_suggested_lr)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        # Fixed sizes: a new number must not re-lay out the window (gui/widgets/fixed_label.py).
        self.state_label = FixedWidthLabel("ready", "converged  ", self)
        self.state_label.setObjectName("stateLabel")
        self.iteration_label = FixedWidthLabel("0", "10,000,000,000", self)
        self.iteration_label.setObjectName("iterationLabel")
        self.iteration_label.setToolTip("Completed steps t.")
        self.loss_label = FixedWidthLabel("", "loss -1.234e-308", self)
        self.loss_label.setObjectName("lossLabel")
        self.rate_label = FixedWidthLabel("", "1,000,000 steps/s", self)
        self.rate_label.setObjectName("rateLabel")
        bar.addWidget(self.state_label)
        bar.addWidget(QLabel("iteration", self))
        bar.addWidget(self.iteration_label)
        bar.addWidget(self.loss_label)
        bar.addWidget(self.rate_label)

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.files = FileController(self, file_menu)  # Open, Recent, Save, Export, drops
        self._add_action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        edit_menu = self.menuBar().addMenu("&Edit")
        stack = self.editor.model.undo_stack
        undo = stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = stack.createRedoAction(self, "&Redo")
        # Both common bindings, whatever the platform's standard one is (the help names them).
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)

        self.menuBar().addMenu(self.editor.examples_menu)  # also behind the editor's button
        self.editor.example_chosen.connect(self._load_example)

        run_menu = self.menuBar().addMenu("&Run")
        self._add_action(run_menu, "&Play / Pause", QKeySequence(Qt.Key.Key_Space),
                         self.toggle_play)
        step = self._add_action(run_menu, "&Step", QKeySequence(Qt.Key.Key_Right),
                                self.step_once)
        step.setShortcuts([QKeySequence(Qt.Key.Key_Right), QKeySequence(Qt.Key.Key_N)])
        self._add_action(run_menu, "&Reset", QKeySequence(Qt.Key.Key_R), self.reset_run)

        help_menu = self.menuBar().addMenu("&Help")
        self._add_action(help_menu, "&Help", QKeySequence.StandardKey.HelpContents,
                         self._show_help)

    def _add_action(self, menu, text: str, keys, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(keys)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _start_worker(self) -> None:
        self._thread = QThread(self)
        self._thread.setObjectName("solverThread")
        self._worker = SolverWorker()
        self._worker.moveToThread(self._thread)
        # superqt's wiring: the worker is deleted in its own thread when the thread ends.
        self._thread.finished.connect(self._worker.deleteLater)
        self._configure.connect(self._worker.configure)
        self._play.connect(self._worker.play)
        self._pause.connect(self._worker.pause)
        self._step.connect(self._worker.step_once)
        self._reset.connect(self._worker.reset)
        self._set_lr.connect(self._worker.set_lr)
        self._set_momentum.connect(self._worker.set_momentum)
        self._set_speed.connect(self._worker.set_speed)
        self._shutdown.connect(self._worker.shutdown, Qt.ConnectionType.BlockingQueuedConnection)
        self._worker.frame.connect(self._on_frame)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()
        self._set_speed.emit(self.transport.speed())

    # --- reactions -----------------------------------------------------------------------
    def _restart_run(self) -> None:
        """A new run from iteration 0 with the matrix and settings shown."""
        self._playing = False
        self.transport.set_playing(False)
        self._configure.emit(self.editor.array(), self.panel.settings())

    def _on_matrix_changed(self) -> None:
        self.panel.set_shape(*self.editor.model.shape)
        self._update_title()
        self._restart_run()

    def _on_lr_changed(self, lr: float) -> None:
        if self._state in _DONE_STATES or self._state == "error":
            self._restart_run()  # a finished run cannot continue: start over with the new lr
        else:
            self._set_lr.emit(lr)

    def _on_momentum_changed(self, momentum: float) -> None:
        if self._state in _DONE_STATES or self._state == "error":
            self._restart_run()
        else:
            self._set_momentum.emit(momentum)

    def _on_failed(self, message: str) -> None:
        self._playing = False
        self.transport.set_playing(False)
        self._set_state("error")
        self.banner.show_message(f"This run cannot start: {html.escape(message)}", "error")

    def _on_frame(self, frame: Frame) -> None:
        snapshot = frame.snapshot
        if frame.restarted:
            self.loss_plot.clear_curve()
            self.loss_plot.set_start(snapshot.loss)
            self._set_heatmap_scales(snapshot)
            if self._state == "error":
                self.banner.hide()
        self.loss_plot.append(frame.iterations, frame.losses)
        # While playing, the worker sends the heatmaps' data and the status numbers about 10
        # times a second (the loss curve with every frame): a heatmap redraw costs the GUI
        # thread a few ms, taken from the solver thread through the shared GIL, and nobody
        # reads numbers that change 30 times a second. Paused frames always carry them.
        if snapshot is not None:
            self.error_heatmap.set_matrix(snapshot.error)
            self.estimate_heatmap.set_matrix(snapshot.estimate)
            self.iteration_label.setText(str(snapshot.iteration))
            self.loss_label.setText(f"loss {snapshot.loss:.4g}")
            self.rate_label.setText(
                f"{frame.steps_per_second:,.0f} steps/s" if frame.playing else ""
            )
        if frame.theory is not self._theory:
            self._theory = frame.theory
            self.panel.set_theory(frame.theory)
        self._playing = frame.playing
        self.transport.set_playing(frame.playing)
        state = frame.status.state
        if frame.playing:
            state = "running"
        elif state == "running":
            state = "paused"
        previous = self._state
        self._set_state(state)
        if state in _DONE_STATES and state != previous:
            self._announce(frame)
        # Let the worker send the next frame once this one is on screen: while the curve is
        # still to be painted, newer results wait in the worker and arrive merged. A direct
        # call, not a queued signal: it only clears a flag (see SolverWorker.frame_shown).
        if frame.playing and frame.losses.size:
            self.loss_plot.call_before_paint(self._worker.frame_shown)
        else:
            self._worker.frame_shown()
        self.frame_drawn.emit(frame)

    def _announce(self, frame: Frame) -> None:
        """Say why the run stopped; for a divergence, explain and offer a stable lr."""
        status = frame.status
        reason = html.escape(status.reason)  # "Try lr <= 1.9" is text, not a tag
        if status.state == "diverged":
            limit = getattr(frame.theory, "max_stable_lr", None)
            text = (
                f"<b>Paused: the run {reason}</b><br>"
                "Why: each step overshot the minimum along the most curved direction of the "
                "loss by more than it corrected, so the error grew instead of shrinking."
            )
            action = ""
            if limit is not None:
                self._suggested_lr = float(f"{0.9 * limit:.3g}")
                action = f"Use lr = {self._suggested_lr:g} and reset"
            self.banner.show_message(text, "error", action)
        else:  # converged, or stopped at the maximum number of steps
            kind = "info" if status.state == "converged" else "warning"
            self.banner.show_message(f"<b>Done:</b> the run {reason}.", kind)

    def _apply_suggested_lr(self) -> None:
        # Setting the spin box emits lr_changed, which restarts the finished run.
        self.panel.lr_spin.setValue(self._suggested_lr)

    def _set_heatmap_scales(self, snapshot) -> None:
        """Fix the colour scales for a whole run, from its starting point (issue: fixed,
        symmetric levels), so the error visibly fades as the run converges."""
        self.error_heatmap.set_limit(float(np.abs(snapshot.error).max(initial=0.0)))
        # What the estimate should become: M itself for the SVD, the reference inverse else.
        svd = snapshot.u is not None
        target = snapshot.estimate - snapshot.error if svd else snapshot.reference
        scale = max(float(np.abs(target).max(initial=0.0)),
                    float(np.abs(snapshot.estimate).max(initial=0.0)))
        self.estimate_heatmap.set_limit(scale)
        settings = self.panel.settings()
        if snapshot.u is not None:
            self.error_heatmap.set_title("Error  U·S·Vᵀ − M")
            self.estimate_heatmap.set_title("Estimate  U·S·Vᵀ")
        else:
            residual = {"left": "X·M − I", "right": "M·X − I", "both": "(X·M + M·X)/2 − I"}
            self.error_heatmap.set_title(f"Error  {residual.get(settings.side, 'X·M − I')}")
            self.estimate_heatmap.set_title("Estimate  X")

    def _set_state(self, state: str) -> None:
        self._state = state
        self.state_label.setText(state)

    def _update_title(self) -> None:
        rows, cols = self.editor.model.shape
        # [*]: Qt shows "*" there while the window is marked modified (FileController).
        self.setWindowTitle(f"Matrix Descent — {self._matrix_name} ({rows} × {cols})[*]")

    def _load_example(self, name: str) -> None:
        """Show a built-in example as a new, untitled matrix (the settings stay). Matrix
        edits not yet saved are offered for saving first; Cancel keeps them."""
        if self.files.matrix_modified() and not self.files.maybe_save():
            return
        self._matrix_name = name
        self.editor.load_example(name)
        self.files.forget_document()

    def _show_help(self) -> None:
        existing = self.findChild(HelpDialog)
        dialog = existing or HelpDialog(self)
        dialog.show()
        dialog.raise_()
