"""What the File menu does: open, save, export, and ask about unsaved changes.

The controller reads and writes files for the document model; the document itself (path,
kind, unsaved flag) lives in the model. It never opens a dialog directly: questions go
through gui.files.dialogs (the one place tests replace), and problems go out as one-line
messages (`message`, shown in the banner).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from gui.code.export_actions import PROGRAM_FILTERS, default_name, write_program
from gui.files import dialogs, store
from gui.files.exports import MATRIX_FILTERS, export_result
from gui.files.file_menu import FileMenu
from gui.files.lessons import lesson_of, open_lesson
from solver.matrix_io import LOAD_TYPES, MatrixFileError, load_matrix, save_history, save_matrix
from solver.session import SESSION_SUFFIX, Lesson, load_lesson, save_lesson

OPEN_TYPES = (*LOAD_TYPES, SESSION_SUFFIX)
_PATTERNS = " ".join(f"*{suffix}" for suffix in LOAD_TYPES)
OPEN_FILTERS = [
    f"Matrices and lessons ({_PATTERNS} *{SESSION_SUFFIX})",
    f"Lessons (*{SESSION_SUFFIX})",
    f"Matrices ({_PATTERNS})",
    "All files (*)",
]
LESSON_WITH_HISTORY = f"Lesson with loss history (*{SESSION_SUFFIX})"
LESSON_WITHOUT_HISTORY = f"Lesson without loss history (*{SESSION_SUFFIX})"
SAVE_FILTERS = [LESSON_WITH_HISTORY, LESSON_WITHOUT_HISTORY, *MATRIX_FILTERS,
                "Text, space separated (*.txt)"]
HISTORY_FILTERS = ["CSV (*.csv)"]
UNTITLED = "untitled"


class FileController(QObject):
    """Handles every file the window reads or writes, for the document `model`.

    `parent` is the window (dialogs are centred on it, files dropped on it open).

    Signals:
        message(str, str): a one-line notice (text, kind), e.g. "Cannot open x.csv: ...".
    """

    message = Signal(str, str)

    def __init__(self, model, parent: QWidget) -> None:
        super().__init__(parent)
        self._model = model
        self._parent = parent
        self._matrix_dtype = np.dtype(np.float64)
        self._with_history = True
        self.menu = FileMenu(self, parent)

    # --- state ---------------------------------------------------------------------------
    @property
    def path(self) -> str | None:
        """The document's file, or None (untitled)."""
        return self._model.path

    @property
    def kind(self) -> str | None:
        """"lesson", "matrix" or None (untitled)."""
        return self._model.kind

    @property
    def name(self) -> str:
        """The document's file name, else the name the title bar shows (an example's),
        else "untitled"."""
        return Path(self.path).name if self.path else (self._model.name or UNTITLED)

    def is_modified(self) -> bool:
        """True if the matrix, a setting or the speed differs from the document's."""
        return self._model.modified

    def report(self, text: str) -> None:
        """A one-line problem for the user."""
        self.message.emit(text, "error")

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; True when it is fine to go on (saved or discarded)."""
        if not self.is_modified():
            return True
        answer = dialogs.ask_unsaved(self._parent, self.name)
        if answer == dialogs.SAVE:
            return self.save()
        return answer == dialogs.DISCARD

    def allow_close(self) -> bool:
        """Called from closeEvent: False keeps the window open (the user cancelled)."""
        return self.maybe_save()

    # --- opening -------------------------------------------------------------------------
    def open_dialog(self) -> bool:
        """File > Open: ask about unsaved changes, then for a file, and open it."""
        if not self.maybe_save():
            return False
        path = dialogs.ask_open_path(self._parent, "Open a matrix or lesson", self._folder(),
                                     OPEN_FILTERS)
        return bool(path) and self.open_path(path, ask=False)

    def open_path(self, path: str | os.PathLike, ask: bool = True) -> bool:
        """Open a matrix file or a lesson; returns whether it was opened.

        With `ask`, unsaved changes are offered for saving first (Cancel opens nothing).
        A bad file leaves the document and its run untouched and reports one line naming
        the file and the problem.
        """
        path = os.fspath(path)
        if ask and not self.maybe_save():
            return False
        try:
            suffix = Path(path).suffix.lower()
            if suffix not in OPEN_TYPES:
                kind = f"unsupported file type '{suffix}'" if suffix else "no file extension"
                raise MatrixFileError(path, f"{kind} (open .csv, .tsv, .txt, .npy, .npz or "
                                            f"{SESSION_SUFFIX})")
            content = load_lesson(path) if suffix == SESSION_SUFFIX else load_matrix(path)
            self._show(path, content)
        except MatrixFileError as error:
            self.report(f"Cannot open {error}")
            if not os.path.exists(path):
                store.remove_recent([os.path.abspath(path)])
            return False
        except Exception as error:  # noqa: BLE001 -- a bad file must never crash the app
            self.report(f"Cannot open {path}: unexpected {type(error).__name__}: {error}")
            return False
        self.remember(path)
        return True

    def adopt(self, path: str | os.PathLike, content: np.ndarray | Lesson) -> bool:
        """Show a matrix or lesson that the caller has already read from `path` (main.py
        reads its FILE argument before Qt starts) as if it had been opened here."""
        path = os.fspath(path)
        try:
            self._show(path, content)
        except MatrixFileError as error:
            self.report(f"Cannot open {error}")
            return False
        self.remember(path)
        return True

    def _show(self, path: str, content: np.ndarray | Lesson) -> None:
        name = Path(path).name
        absolute = os.path.abspath(path)
        if isinstance(content, Lesson):
            open_lesson(self._model, content, absolute, name)
            self._with_history = content.history is not None
            self._matrix_dtype = np.dtype(np.float64)
        else:
            if not self._model.open_matrix(content, name, absolute):
                raise MatrixFileError(path, "the matrix cannot be shown (not a finite 2-D "
                                            "matrix)")
            self._matrix_dtype = content.dtype

    # --- saving --------------------------------------------------------------------------
    def save(self) -> bool:
        """File > Save: into the document when its format holds every change, else Save As.

        A lesson holds everything; a matrix file only the matrix, so changed settings go
        through Save As (a lesson is offered first)."""
        model = self._model
        if self.kind == "lesson" or (self.kind == "matrix" and not model.settings_modified()):
            return self.save_to(self.path, with_history=self._with_history)
        return self.save_as()

    def save_as(self) -> bool:
        """File > Save As: a lesson (with or without loss history) or the matrix alone."""
        lesson = self.kind != "matrix" or self._model.settings_modified()
        suffix = SESSION_SUFFIX if lesson else Path(self.path).suffix
        selected = (LESSON_WITH_HISTORY if self._with_history else LESSON_WITHOUT_HISTORY) \
            if lesson else next((f for f in SAVE_FILTERS if f"*{suffix})" in f), SAVE_FILTERS[0])
        path, chosen = dialogs.ask_save_path(self._parent, "Save lesson or matrix",
                                             self._suggest(suffix), SAVE_FILTERS, selected)
        if not path:
            return False
        return self.save_to(path, with_history=chosen != LESSON_WITHOUT_HISTORY)

    def save_to(self, path: str | os.PathLike, with_history: bool = True) -> bool:
        """Write a lesson (.mdlesson) or the matrix (.csv/.tsv/.txt/.npy/.npz) to `path`.

        The target is replaced atomically: on failure the old file is intact and one line
        naming the file and the problem is reported. Returns whether it was written.
        """
        path = os.fspath(path)
        name = Path(path).name
        lesson = Path(path).suffix.lower() == SESSION_SUFFIX
        try:
            if lesson:
                save_lesson(path, lesson_of(self._model, name, with_history))
            else:
                save_matrix(path, self._matrix_to_save())
        except MatrixFileError as error:
            self.report(str(error))
            return False
        except Exception as error:  # noqa: BLE001 -- keep the app and the old file alive
            self.report(f"{path}: cannot save ({type(error).__name__}: {error})")
            return False
        absolute = os.path.abspath(path)
        if lesson:
            self._with_history = with_history
            self._model.mark_saved(absolute, "lesson", name)
        else:
            self._model.mark_saved(absolute, "matrix", name, matrix_only=True)
        self.remember(path)
        return True

    def _matrix_to_save(self) -> np.ndarray:
        matrix = self._model.matrix
        # The model works in float64; a float32 file stays float32 if no digit was added.
        if self._matrix_dtype == np.float32:
            narrow = matrix.astype(np.float32)
            if np.array_equal(narrow, matrix):
                return narrow
        return matrix

    # --- export --------------------------------------------------------------------------
    def export_history(self) -> bool:
        """Export > Loss history: the run's losses as iteration,loss (the loss before each
        update, then the loss of the estimate the run stands at)."""
        iterations, losses = self._model.history()
        if not len(self._model.losses):
            self.report("Nothing to export yet: the run has no steps (Step or Play first).")
            return False
        path = self._ask_export("Export loss history", "loss-history.csv", HISTORY_FILTERS)
        return bool(path) and self._write(
            path, lambda: save_history(path, losses, iterations=iterations))

    def export_result(self) -> bool:
        """Export > Result: X (inverse, pseudo-inverse) or U, S, V (SVD) as shown now."""
        snapshot = self._model.snapshot
        if snapshot is None:
            self.report("Nothing to export yet: the run has not started.")
            return False
        svd = snapshot.u is not None
        default = "svd.npz" if svd else f"{self._model.run.settings.problem}.csv"
        filters = [MATRIX_FILTERS[3], *MATRIX_FILTERS[:3]] if svd else MATRIX_FILTERS
        path = self._ask_export("Export result", default, filters)
        return bool(path) and self._write(path, lambda: export_result(snapshot, path))

    def export_program(self, kind: str) -> bool:
        """Export > Program as script or notebook ("script", "notebook"): the PyTorch program
        of the document's matrix and settings, the run Reset starts (solver/codegen)."""
        path = self._ask_export(f"Export the program as a {kind}",
                                default_name(self._model, kind), [PROGRAM_FILTERS[kind]])
        return bool(path) and self._write(path, lambda: write_program(path, self._model, kind))

    def _ask_export(self, caption: str, default: str, filters: list[str]) -> str:
        path, _ = dialogs.ask_save_path(self._parent, caption,
                                        os.path.join(self._folder(), default), filters,
                                        filters[0])
        return path

    def _write(self, path: str, write) -> bool:
        try:
            write()
        except MatrixFileError as error:
            self.report(str(error))
            return False
        except Exception as error:  # noqa: BLE001 -- an export must never crash the app
            self.report(f"{path}: cannot export ({type(error).__name__}: {error})")
            return False
        store.set_last_folder(path)
        return True

    # --- recent files, folders -----------------------------------------------------------
    def remember(self, path: str) -> None:
        """Put `path` first in Open Recent and make its folder the dialogs' start."""
        store.add_recent(path)
        store.set_last_folder(path)

    def _folder(self) -> str:
        return store.last_folder() or (os.path.dirname(self.path) if self.path else "")

    def _suggest(self, suffix: str) -> str:
        stem = Path(self.path).stem if self.path else "lesson"
        return os.path.join(self._folder(), stem + suffix)
