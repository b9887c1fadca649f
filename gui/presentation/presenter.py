"""File ▸ Export's figures and recording: every plot and teaching view as a slide figure,
the central area as one slide, and the run as a GIF or MP4.

An add-on: it gets the document model, the central area's widgets (loss plot, error and
estimate heatmaps) and the teaching dock whose views it exports; the window puts its
actions in a menu (`fill_menu`) and shows its `message`s.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from gui.files import dialogs, store
from gui.presentation.caption import RunFacts, caption, default_title
from gui.presentation.figure import FIGURE_FILTERS, FigureFrame, export
from gui.presentation.record_process import RecordingProcess
from gui.presentation.slide import central_arrangement
from gui.presentation.video import VIDEO_FILTERS
from solver.matrix_io import MatrixFileError

DEFAULT_MAX_STEPS = 1000  # "up to iteration" offered for a run without a step limit


@dataclass(frozen=True)
class CentralArea:
    """The widgets the class watches in the middle of the window: the loss curve (the
    plot with its notes, gui/plots/loss_panel.py) and the two heatmaps."""

    loss: QWidget
    error_heatmap: QWidget
    estimate_heatmap: QWidget


# key -> (menu text, subject in the title, file name)
FIGURES = {
    "loss": ("&Loss plot", "Loss", "loss-plot"),
    "error": ("&Error heatmap", "Error", "error-heatmap"),
    "estimate": ("E&stimate heatmap", "Estimate", "estimate-heatmap"),
    "svd": ("&SVD view", "SVD", "svd-view"),
    "pinv": ("&Pseudo-inverse view", "Distance to pinv(M)", "pinv-view"),
    "gradient": ("&Gradient view", "Gradient", "gradient-view"),
    "theory": ("&Theory view", "Theory", "theory-view"),
}
TEACHING = ("svd", "pinv", "gradient", "theory")


class Presentation(QObject):
    """Exports figures and records the run of `model` (gui/document_model.py).

    Signals:
        message(str, str): a one-line notice (text, kind: info or error).
    """

    message = Signal(str, str)

    def __init__(self, model, central: CentralArea, teaching, parent: QWidget) -> None:
        super().__init__(parent)
        self._model = model
        self._central = central
        self._teaching = teaching
        self._parent = parent
        self._settings = None  # the latest frame's settings: lr and momentum in force
        self.recording = RecordingProcess(self)
        self.recording.progress.connect(self._show_progress)
        self.recording.finished.connect(self._recorded)
        self.record_action: QAction | None = None
        model.run_started.connect(self._forget_settings)
        model.frame.connect(self._note_settings)

    def fill_menu(self, menu: QMenu) -> None:
        """Add the figure exports, the slide and Record to `menu` (File ▸ Export)."""
        menu.addSeparator()
        for key, (text, _subject, _file) in FIGURES.items():
            self._action(menu, f"{text} as PNG or SVG…", lambda k=key: self.export_figure(k),
                         "A figure for slides: the chosen size, a title, and a caption "
                         "naming the run.")
        menu.addSeparator()
        self._action(menu, "Sli&de: loss plot and heatmaps…", self.export_slide,
                     "The loss plot and both heatmaps as one slide-sized figure (1920 × 1080 "
                     "by default) with a title and a caption naming the run.")
        self.record_action = self._action(
            menu, "Re&cording of the run (GIF or MP4)…", self.toggle_recording,
            "The loss plot and heatmaps from iteration 0, as an animated GIF or an MP4, "
            "drawn offscreen in the background.")

    def _action(self, menu: QMenu, text: str, slot, tip: str) -> QAction:
        action = QAction(text, self._parent)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        return action

    # --- figures -------------------------------------------------------------------------
    def export_figure(self, key: str) -> bool:
        """Export one plot or teaching view (a FIGURES key); asks for size and file."""
        widget = self._figure_widget(key)
        if widget is None:
            return False
        _text, subject, stem = FIGURES[key]
        return self._export(widget, subject, stem)

    def export_slide(self) -> bool:
        """Export the loss plot and both heatmaps as one slide-sized figure."""
        c = self._central
        return self._export(central_arrangement(c.loss, c.error_heatmap,
                                                c.estimate_heatmap), "", "slide")

    def _figure_widget(self, key: str) -> QWidget | None:
        c = self._central
        if key in ("loss", "error", "estimate"):
            return {"loss": c.loss, "error": c.error_heatmap,
                    "estimate": c.estimate_heatmap}[key]
        kind = self._model.run.kind
        # The dock enables the SVD view for SVD runs only and the pseudo-inverse view for
        # the others (and builds the SVD view only when first needed).
        if {"svd": kind != "svd", "pinv": kind == "svd"}.get(key, False):
            what = {"svd": "SVD", "pinv": "pseudo-inverse"}[key]
            self.message.emit(f"The {what} view does not apply to this run (an "
                              f"{kind if kind != 'svd' else 'SVD'}): nothing exported.",
                              "error")
            return None
        dock = self._teaching
        view = {"svd": lambda: dock.svd_view, "pinv": lambda: dock.pinv_view,
                "gradient": lambda: dock.gradient_view, "theory": lambda: dock.theory_view}[key]()
        # A view draws only while shown (gui/teaching/draw_when_shown.py): bring it to the
        # front, so the figure shows the run as it is now.
        dock.show()
        dock.raise_()
        dock.show_tab(key)
        return view

    def _export(self, body, subject: str, stem: str) -> bool:
        facts = RunFacts.of_model(self._model, self._settings)
        frame = FigureFrame(default_title(subject, facts), caption(facts), body)
        try:
            options = dialogs.ask_figure_options(self._parent, default_title(subject, facts),
                                                 frame.natural_size())
            if options is None:
                return False
            path, _ = dialogs.ask_save_path(self._parent, "Export figure",
                                            os.path.join(store.last_folder(), stem + ".png"),
                                            FIGURE_FILTERS, FIGURE_FILTERS[0])
            if not path:
                return False
            # The run may have moved on while the dialogs were open: caption it as it is now.
            facts = RunFacts.of_model(self._model, self._settings)
            try:
                pixels = export(frame, options, path, caption(facts))
            except MatrixFileError as error:
                self.message.emit(str(error), "error")
                return False
            except Exception as error:  # noqa: BLE001 -- an export must never crash the app
                self.message.emit(f"{path}: cannot export ({type(error).__name__}: {error})",
                                  "error")
                return False
        finally:
            frame.deleteLater()
        store.set_last_folder(path)
        self.message.emit(f"Exported {os.path.basename(path)} "
                          f"({pixels.width()} × {pixels.height()}).", "info")
        return True

    # --- recording -----------------------------------------------------------------------
    def toggle_recording(self) -> bool:
        """Record the run (asks for size, frame rate, speed and file), or stop the
        recording being made."""
        if self.recording.running:
            self.recording.cancel()
            return False
        return self.record()

    def record(self) -> bool:
        """Ask how and where, then record the document's run from iteration 0 in the
        background; `message` says when it is written."""
        model = self._model
        if model.state.state == "failed":
            self.message.emit("Nothing to record: this run cannot start.", "error")
            return False
        run_settings = model.run.settings
        settings = run_settings
        if self._settings is not None:  # lr and momentum as they are now
            settings = replace(run_settings, lr=self._settings.lr,
                               momentum=self._settings.momentum)
        snapshot = model.snapshot
        limit = settings.max_steps or DEFAULT_MAX_STEPS * 1000
        at = snapshot.iteration if snapshot is not None else 0
        steps = at if at > 0 else (settings.max_steps or DEFAULT_MAX_STEPS)
        facts = RunFacts.of_model(model, self._settings)
        answer = dialogs.ask_recording_options(self._parent, default_title("", facts), steps,
                                               model.speed or 1000.0, limit)
        if answer is None:
            return False
        options, steps = answer
        path, chosen = dialogs.ask_save_path(
            self._parent, "Record the run", os.path.join(store.last_folder(), "run.gif"),
            VIDEO_FILTERS, VIDEO_FILTERS[0])
        if not path:
            return False
        try:
            self.recording.start(model.run.matrix, settings, model.run.name, steps, path,
                                 options)
        except (MatrixFileError, OSError) as error:
            self.message.emit(f"Cannot record: {error}", "error")
            return False
        store.set_last_folder(path)
        note = (" The run changed lr or momentum midway: the recording runs it with the "
                "values now in force." if model.live_changes else "")
        self.message.emit(f"Recording {os.path.basename(path)} in the background, "
                          f"iterations 0 to {steps:,}…{note}", "info")
        if self.record_action is not None:
            self.record_action.setText("Stop the re&cording")
        return True

    def shutdown(self) -> None:
        """The window closes: stop a recording being made."""
        self.recording.cancel()

    def _show_progress(self, text: str) -> None:
        if self.record_action is not None:
            self.record_action.setText(f"Stop the re&cording ({text})")

    def _recorded(self, ok: bool, text: str) -> None:
        if self.record_action is not None:
            self.record_action.setText("Re&cording of the run (GIF or MP4)…")
        self.message.emit(text, "info" if ok else "error")

    # --- the run's settings in force -----------------------------------------------------
    def _forget_settings(self, _info) -> None:
        self._settings = None

    def _note_settings(self, frame) -> None:
        self._settings = frame.settings
