"""The Matrix Descent main window: it builds the widgets, lays them out and wires them.

Everything the window shows comes from its DocumentModel (gui/document_model.py): the
widgets show the document and send it commands; the run's frames arrive through the model,
which drops any frame of an earlier run. Per-run drawings (curve, heatmaps, hover read-outs,
banner, status numbers) are cleared whenever the model starts a new run. The model owns the
solver thread and stops it when the window closes (napari #7446, #7633: "QThread: Destroyed
while thread is still running" otherwise).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QGroupBox,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gui import projector
from gui.compare import CompareController
from gui.document_model import DocumentModel
from gui.files import FileController, store
from gui.history.timeline_bar import TimelineBar
from gui.lesson.panel import LessonPanel
from gui.plots.heatmap import ErrorHeatmap, EstimateHeatmap
from gui.plots.loss_panel import LossPanel
from gui.plots.plot_area import PlotArea
from gui.presentation import CentralArea, Presentation
from gui.projector_layout import PresentationLayout
from gui.run_messages import RunMessages
from gui.run_state import RunInfo, RunState
from gui.solver_worker import Frame
from gui.sweep.dock import SweepDock
from gui.teaching import TeachingDock
from gui.teaching.optimal_settings import OptimalSettingsAction
from gui.widgets.fixed_label import FixedWidthLabel
from gui.widgets.help_text import HelpDialog
from gui.widgets.matrix_editor import MatrixEditor
from gui.widgets.message_banner import MessageBanner
from gui.widgets.parameter_panel import ParameterPanel
from gui.widgets.settings_strip import SettingsStrip
from gui.widgets.transport_bar import TransportBar
from gui.widgets.vertical_scroll import VerticalScrollArea
from solver import Settings

# Narrowest a dock's contents may be squeezed to (see _let_docks_narrow).
DOCK_MIN_WIDTH = 224
# A share of the 1440-pixel default window: the plots in the middle are what the class
# watches; the dock can be dragged wider.
TEACHING_DOCK_WIDTH = 400
_RESIDUALS = {"left": "X·M − I", "right": "M·X − I", "both": "(X·M + M·X)/2 − I"}


class MainWindow(QMainWindow):
    """The app window. `MainWindow()` opens the tutorial's diag(1, 2, 3, 4), paused at 0.

    Signals:
        frame_drawn(Frame): a frame of the current run has been drawn (tests, benchmarks).
        closing(): the window closes (the user did not cancel): stop background work.
    """

    frame_drawn = Signal(object)
    closing = Signal()

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
        self.model = DocumentModel(matrix, settings, name, self)
        self._build()
        self._build_add_ons()
        self._build_menus()
        self._wire()
        self._show_settings(self.model.settings)
        self._on_run_started(self.model.run)
        self._show_state(self.model.state)
        self._update_title()
        # Projector mode last, so that a stored choice styles every add-on.
        self.projector = projector.install(self, self.loss_plot, self.presentation)
        self.lesson.plot_built.connect(self.projector.restyle)
        self.sweep.view_built.connect(self.projector.restyle)
        self._let_docks_narrow()

    # --- public API ----------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        """True while the run steps continuously."""
        return self.model.playing

    @property
    def state(self) -> str:
        """The run's state: ready, running, paused, converged, diverged, finished, failed."""
        return self.model.state.state

    @property
    def matrix_name(self) -> str:
        """The name of the matrix shown (an example, a file name)."""
        return self.model.name

    def toggle_play(self) -> None:
        """Play if paused, pause if playing."""
        self.model.toggle_play()

    def step_once(self) -> None:
        """Pause if needed and advance exactly one iteration."""
        self.model.step()

    def reset_run(self) -> None:
        """Back to iteration 0 with the same seed (identical numbers)."""
        self.model.reset()

    def open_example(self, name: str) -> None:
        """Show a built-in example with its tutorial settings, as a new untitled document.
        Unsaved changes are offered for saving first; Cancel keeps them."""
        if self.files.maybe_save():
            self.model.open_example(name)

    def fit_to(self, width: int, height: int) -> None:
        """Take `width` x `height` (a share of the screen) and split it so that the plots in
        the middle get what the editor, the settings and the teaching views can spare."""
        self.resize(width, height)
        # Room for the matrix's first columns (four: the tutorial's matrices) where the
        # window can spare it, else a quarter of it, the rest scrolls.
        table = min(self.editor.natural_width(columns=4) + 24, round(0.32 * width))
        left = max(self._splitter.widget(0).minimumSizeHint().width(), round(0.26 * width),
                   table)
        self._splitter.setSizes([left, width - left])
        self.resizeDocks([self.teaching], [round(0.25 * width)], Qt.Orientation.Horizontal)

    def stop_worker(self) -> None:
        """Stop the solver thread and wait for it (idempotent)."""
        self.model.shutdown()

    def restore_geometry(self) -> bool:
        """Take the size and place the window had when last closed; False if none is
        remembered (or it no longer fits a screen)."""
        geometry = store.geometry()
        return geometry is not None and self.restoreGeometry(geometry)

    # --- Qt overrides --------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.allow_close():  # unsaved changes: the user cancelled
            event.ignore()
            return
        if self.isVisible():
            store.save_geometry(self.saveGeometry())
        self.closing.emit()
        self.model.shutdown()
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
    def _build(self) -> None:
        self.editor = MatrixEditor(self.model.matrix_model, self)
        self.panel = ParameterPanel(self)
        self.transport = TransportBar(self)
        self.strip = SettingsStrip(self)
        self.banner = MessageBanner(self)
        self.messages = RunMessages(self.model, self.banner)
        self.loss_panel = LossPanel(self.model.losses, self)
        self.loss_plot = self.loss_panel.plot
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

        self.plot_area = PlotArea(self.loss_panel, self.error_heatmap, self.estimate_heatmap,
                                  self)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 0, 0, 0)
        right_layout.addWidget(self.transport)
        right_layout.addWidget(self.strip)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.plot_area, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 1060])  # the plots the class watches get the room
        self._splitter = splitter
        self.presentation = PresentationLayout(self, splitter, self.strip, self.plot_area)
        central = QWidget(self)
        margins = QVBoxLayout(central)
        margins.setContentsMargins(6, 6, 6, 0)
        margins.addWidget(splitter)
        self.setCentralWidget(central)
        self._build_status_bar()

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        # Fixed sizes: a new number must not re-lay out the window (gui/widgets/fixed_label.py).
        # Sized for the longest text it shows: a state's name or "viewing history".
        self.state_label = FixedWidthLabel("ready", "viewing history", self)
        self.state_label.setObjectName("stateLabel")
        self.iteration_label = FixedWidthLabel("0", "10,000,000,000", self)
        self.iteration_label.setObjectName("iterationLabel")
        self.iteration_label.setToolTip(
            "Iteration t: the estimate after t updates (the numbers shown are of that one).")
        self.loss_label = FixedWidthLabel("", "loss -1.234e-308", self)
        self.loss_label.setObjectName("lossLabel")
        self.loss_label.setToolTip("The loss of the estimate at iteration t.")
        self.rate_label = FixedWidthLabel("", "1,000,000 steps/s", self)
        self.rate_label.setObjectName("rateLabel")
        bar.addWidget(self.state_label)
        bar.addWidget(QLabel("iteration", self))
        bar.addWidget(self.iteration_label)
        bar.addWidget(self.loss_label)
        bar.addWidget(self.rate_label)

    def _build_add_ons(self) -> None:
        """The add-ons: each gets the model and the widget it extends."""
        model = self.model
        self.optimal_action = OptimalSettingsAction(model, self)
        self.panel.optimal_button.setDefaultAction(self.optimal_action)
        self.teaching = TeachingDock(model, self.loss_plot, self.loss_panel.note,
                                     self.optimal_action, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.teaching)
        self.resizeDocks([self.teaching], [TEACHING_DOCK_WIDTH], Qt.Orientation.Horizontal)
        self.lesson = LessonPanel(model, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.lesson)
        self.tabifyDockWidget(self.teaching, self.lesson)
        self.teaching.raise_()  # the views stay in front of the lesson
        self.sweep = SweepDock(model, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.sweep)
        self.tabifyDockWidget(self.teaching, self.sweep)
        self.sweep.hide()  # View ▸ Sweep map shows it
        self.teaching.raise_()
        self.compare = CompareController(model, self.loss_plot, self.loss_panel.legend, self)
        self.statusBar().addPermanentWidget(self.compare.progress)
        self.timeline = TimelineBar(model, self.loss_plot, self)
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, self.timeline)
        self.files = FileController(model, self)
        self.slides = Presentation(model, CentralArea(
            self.loss_panel, self.error_heatmap, self.estimate_heatmap), self.teaching, self)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.files.menu.fill(file_menu)
        self.slides.fill_menu(self.files.menu.export_menu)
        self._add_action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        edit_menu = bar.addMenu("&Edit")
        stack = self.model.matrix_model.undo_stack
        undo = stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = stack.createRedoAction(self, "&Redo")
        # Both common bindings, whatever the platform's standard one is (the help names them).
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)

        bar.addMenu(self.editor.examples_menu)  # also behind the editor's button

        run_menu = bar.addMenu("&Run")
        self._add_action(run_menu, "&Play / Pause", QKeySequence(Qt.Key.Key_Space),
                         self.toggle_play)
        step = self._add_action(run_menu, "&Step", QKeySequence(Qt.Key.Key_Right),
                                self.step_once)
        step.setShortcuts([QKeySequence(Qt.Key.Key_Right), QKeySequence(Qt.Key.Key_N)])
        self._add_action(run_menu, "&Reset", QKeySequence(Qt.Key.Key_R), self.reset_run)
        run_menu.addSeparator()
        run_menu.addAction(self.optimal_action)
        tutorial = self._add_action(run_menu, "Reset settings to the &tutorial's", None,
                                    self.model.reset_settings)
        tutorial.setStatusTip("The tutorial's settings for this example (for another matrix: "
                              "heavy ball, lr 0.9, momentum 0.9, 10,000 steps).")

        compare_menu = bar.addMenu("&Compare")
        self.compare.fill_menu(compare_menu)
        figures_menu = bar.addMenu("Tutorial &figures")
        self.compare.fill_figures_menu(figures_menu)

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.teaching.toggleViewAction())
        lesson_action = self.lesson.toggleViewAction()
        lesson_action.setText("&Lesson panel")
        view_menu.addAction(lesson_action)
        # Ctrl+L brings the lesson to the front even when it is a tab behind the views
        # (the checkable entry above would hide it then); in front already, it hides it.
        self._add_action(self, "Show the lesson panel", QKeySequence("Ctrl+L"),
                         self._show_lesson)
        history_action = self.timeline.toggleViewAction()
        history_action.setText("&History bar")
        view_menu.addAction(history_action)
        view_menu.addAction(self.sweep.view_action)
        controls = self._add_action(view_menu, "&Editor and settings",
                                    QKeySequence(Qt.Key.Key_F2),
                                    self.presentation.toggle_controls)
        self.strip.controls_button.setDefaultAction(controls)
        controls.setToolTip("Show or hide the matrix editor and the settings (F2).")

        # Esc leaves projector mode, else pauses (after typing a number too: run_keys.py).
        self._add_action(self, "Leave projector mode or pause", QKeySequence(Qt.Key.Key_Escape),
                         self._escape)

        help_menu = bar.addMenu("&Help")
        self._add_action(help_menu, "&Help", QKeySequence.StandardKey.HelpContents,
                         self._show_help)

    def _add_action(self, menu, text: str, keys, slot) -> QAction:
        action = QAction(text, self)
        if keys is not None:
            action.setShortcut(keys)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _wire(self) -> None:
        model = self.model
        self.editor.example_chosen.connect(self.open_example)
        self.panel.field_changed.connect(lambda name, value: model.update_settings(
            **{name: value}))
        self.transport.play_toggled.connect(model.toggle_play)
        self.transport.step_clicked.connect(model.step)
        self.transport.reset_clicked.connect(model.reset)
        self.transport.speed_changed.connect(model.set_speed)
        model.settings_changed.connect(self._show_settings)
        model.speed_changed.connect(self.transport.show_speed)
        model.document_changed.connect(self._update_title)
        model.run_started.connect(self._on_run_started)
        model.state_changed.connect(self._show_state)
        model.frame.connect(self._on_frame)
        self.transport.show_speed(model.speed)
        self.files.message.connect(self.messages.show)
        self.compare.message.connect(self.messages.show)
        self.slides.message.connect(self.messages.show)
        self.compare.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.closing.connect(self.compare.shutdown)  # stop a figure's thread with the window
        self.closing.connect(self.sweep.shutdown)  # and a sweep's
        self.closing.connect(self.slides.shutdown)  # and a recording being made

    def _let_docks_narrow(self) -> None:
        # The docks' contents ask for up to ~480 px, which pushed the window's minimum width
        # to ~1480 px, wider than a 1280 x 720 projector. A dock can still be dragged wider.
        for dock in self.findChildren(QDockWidget):
            dock.widget().setMinimumWidth(DOCK_MIN_WIDTH)

    # --- reactions -----------------------------------------------------------------------
    def _show_settings(self, settings: Settings) -> None:
        shape = self.model.matrix_model.shape
        self.panel.show_settings(settings, shape)
        self.strip.show_document(self.model.name, shape, settings)

    def _show_state(self, state: RunState, viewing: int | None = None) -> None:
        """The run's state; while the history bar shows a past iteration, the status bar
        says so, since the numbers beside it are that iteration's."""
        if viewing is None:
            self.state_label.setText(state.state)
            self.state_label.setToolTip(state.reason)
        else:
            self.state_label.setText("viewing history")
            self.state_label.setToolTip(f"Iteration {viewing:,} of the run, which is "
                                        f"{state.state}. {state.reason}".strip())
        self.transport.show_state(state.state)

    def _on_run_started(self, info: RunInfo) -> None:
        """A new run: nothing drawn for the previous one stays."""
        # Whatever the store holds now is the new run's own: nothing for a fresh run, the
        # history up to a resumed iteration, or a reopened lesson's saved losses.
        self.loss_plot.redraw_from_store()
        for heatmap in (self.error_heatmap, self.estimate_heatmap):
            heatmap.forget()
        svd = info.kind == "svd"
        residual = "U·S·Vᵀ − M" if svd else _RESIDUALS.get(info.side, "X·M − I")
        self.error_heatmap.set_title(f"Error  {residual}")
        self.estimate_heatmap.set_title("Estimate  U·S·Vᵀ" if svd else "Estimate  X")
        self._scaled = False
        self.iteration_label.setText(str(info.start))
        self.loss_label.setText("")
        self.rate_label.setText("")
        self.panel.show_theory(None)

    def _on_frame(self, frame: Frame) -> None:
        snapshot = frame.snapshot
        if snapshot is not None and not self._scaled:
            self.loss_plot.set_start(snapshot.loss)
            self._set_heatmap_scales(snapshot)
        self.loss_plot.append(frame.iterations, frame.losses)
        if snapshot is not None and not frame.past:
            self.loss_plot.show_estimate(snapshot.iteration, snapshot.loss)
        # While playing, the worker sends the heatmaps' data and the status numbers about 10
        # times a second (the loss curve with every frame): a heatmap redraw costs the GUI
        # thread a few ms, taken from the solver thread through the shared GIL, and nobody
        # reads numbers that change 30 times a second. Paused frames always carry them.
        if snapshot is not None:
            past = frame.past and snapshot.iteration != self.model.latest_iteration
            self._show_state(self.model.state, snapshot.iteration if past else None)
            if self._scaled == "estimate" and snapshot.reference is not None:
                self._set_heatmap_scales(snapshot)  # torch.linalg's answer arrived
            elif self._scaled == "estimate":
                self._follow_estimate(snapshot)
            self.error_heatmap.set_matrix(snapshot.error)
            self.estimate_heatmap.set_matrix(snapshot.estimate)
            self.iteration_label.setText(str(snapshot.iteration))
            self.loss_label.setText(f"loss {snapshot.loss:.4g}")
            self.rate_label.setText(
                f"{frame.steps_per_second:,.0f} steps/s" if frame.playing else "")
        self.panel.show_theory(frame.theory)
        # Let the worker send the next frame once this one is on screen: while the curve is
        # still to be painted, newer results wait in the worker and arrive merged. A direct
        # call, not a queued signal: it only clears a flag (see SolverWorker.frame_shown).
        if frame.playing and frame.losses.size:
            self.loss_plot.call_before_paint(self.model.frame_shown)
        else:
            self.model.frame_shown()
        self.frame_drawn.emit(frame)

    def _set_heatmap_scales(self, snapshot) -> None:
        """Fix the colour scales for a whole run, from its starting point (fixed, symmetric
        levels), so the error visibly fades as the run converges."""
        if self._scaled is not True:
            self.error_heatmap.set_limit(float(np.abs(snapshot.error).max(initial=0.0)))
        # What the estimate should become: M itself for the SVD, the reference inverse else.
        svd = snapshot.u is not None
        target = snapshot.estimate - snapshot.error if svd else snapshot.reference
        self._scaled = True
        if target is None:
            # A large M's inverse is computed only for a view that shows it: until then the
            # scale is the estimate's own, widened whenever the estimate outgrows it.
            self._scaled = "estimate"
            target = snapshot.estimate
        scale = max(float(np.abs(target).max(initial=0.0)),
                    float(np.abs(snapshot.estimate).max(initial=0.0)))
        self.estimate_heatmap.set_limit(scale)

    def _follow_estimate(self, snapshot) -> None:
        largest = float(np.abs(snapshot.estimate).max(initial=0.0))
        if np.isfinite(largest) and largest > self.estimate_heatmap.limit:
            self.estimate_heatmap.set_limit(largest)

    def _update_title(self) -> None:
        rows, cols = self.model.matrix_model.shape
        # [*]: Qt shows "*" there while the window is marked modified.
        self.setWindowTitle(f"Matrix Descent — {self.model.name} ({rows} × {cols})[*]")
        self.strip.show_document(self.model.name, (rows, cols), self.model.settings)
        self.setWindowModified(self.model.modified)

    def _show_lesson(self) -> None:
        # A dock that is a tab behind another is "visible" to Qt, but shows nothing.
        if self.lesson.isVisible() and not self.lesson.visibleRegion().isEmpty():
            self.lesson.hide()
        else:
            self.lesson.show()
            self.lesson.raise_()

    def _escape(self) -> None:
        if self.projector.enabled:
            self.projector.set_enabled(False)
        else:
            self.model.pause()

    def _show_help(self) -> None:
        existing = self.findChild(HelpDialog)
        dialog = existing or HelpDialog(self)
        dialog.show()
        dialog.raise_()
