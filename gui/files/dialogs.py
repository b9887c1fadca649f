"""The real dialogs behind FileController's injectable questions.

FileController never opens a dialog itself: it calls the functions below through
attributes that tests replace (a list's `append` for errors, a lambda for a path), so no
dialog is ever left open in a test. Each function here is the interactive default.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


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

