"""The real dialogs behind FileController's injectable questions.

FileController and the presentation add-on never open a dialog themselves: they call the
functions below through attributes that tests replace (a list's `append` for errors, a
lambda for a path), so no dialog is ever left open in a test. Each function here is the
interactive default.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QWidget,
)

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
PROGRESS_STEPS = 1000
PROGRESS_DELAY_MS = 500


def progress_dialog(parent: QWidget, text: str) -> QProgressDialog:
    """The progress of a long load or save (0 to PROGRESS_STEPS), with Cancel.

    It appears by itself once the work has taken PROGRESS_DELAY_MS, so a quick one does not
    flash; it is window-modal, so the document cannot change while its file is written.
    Set the progress on its QProgressBar (findChild): QProgressDialog.setValue of a modal
    dialog runs the event loop, re-entering whoever called it.
    """
    dialog = QProgressDialog(text, "Cancel", 0, PROGRESS_STEPS, parent)
    dialog.setBar(QProgressBar(dialog))
    dialog.setRange(0, PROGRESS_STEPS)
    dialog.setWindowTitle("Matrix Descent")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(PROGRESS_DELAY_MS)
    dialog.setAutoReset(False)
    dialog.setAutoClose(False)
    dialog.setValue(0)  # starts the delay (not shown yet, so no event loop runs here)
    return dialog


def ask_open_path(parent: QWidget, caption: str, folder: str, filters: list[str]) -> str:
    """Ask for a file to open; returns its path, or "" when cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, caption, folder, ";;".join(filters))
    return path


def ask_save_path(
    parent: QWidget, caption: str, suggested: str, filters: list[str], selected: str
) -> tuple[str, str]:
    """Ask where to save; returns (path, chosen filter), or ("", "") when cancelled.

    A name typed without an extension gets the chosen filter's first one, so
    "lesson" saved under "Lesson (*.mdlesson)" becomes "lesson.mdlesson".
    """
    path, chosen = QFileDialog.getSaveFileName(
        parent, caption, suggested, ";;".join(filters), selected
    )
    if path and not Path(path).suffix:
        path += first_suffix(chosen or selected)
    return path, chosen or selected


def ask_unsaved(parent: QWidget, name: str) -> str:
    """Ask what to do with unsaved changes: returns SAVE, DISCARD or CANCEL."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Matrix Descent",
        f"The matrix or settings of {name} have changed. Save the changes?",
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save:
        return SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return DISCARD
    return CANCEL


def first_suffix(name_filter: str) -> str:
    """The first extension of a filter like "CSV (*.csv *.txt)" -> ".csv" ("" if none)."""
    start = name_filter.find("*.")
    if start < 0:
        return ""
    return "." + name_filter[start + 2:].split()[0].rstrip(")")



def ask_figure_options(parent: QWidget, title: str, natural: QSize):
    """Ask for a figure's size or scale and title (natural: its size on screen); returns
    gui.presentation.figure.FigureOptions, or None when cancelled."""
    from gui.presentation.options_dialog import FigureOptionsDialog

    dialog = FigureOptionsDialog(parent, title, natural)
    return dialog.options() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_recording_options(parent: QWidget, title: str, steps: int, speed: float,
                          max_steps: int):
    """Ask for a recording's size, frame rate, speed, last iteration and title; returns
    (gui.presentation.recorder.RecordingOptions, last iteration), or None when cancelled."""
    from gui.presentation.options_dialog import RecordingOptionsDialog

    dialog = RecordingOptionsDialog(parent, title, steps, speed, max_steps)
    return dialog.options() if dialog.exec() == QDialog.DialogCode.Accepted else None
