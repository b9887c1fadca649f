"""What the File menu does: open, save, export, and ask about unsaved changes.

The controller reads and writes files for the document model; the document itself (path,
kind, unsaved flag) lives in the model. It never opens a dialog directly: questions go
through gui.files.dialogs (the one place tests replace), and problems go out as one-line
messages (`message`, shown in the banner). Big files are read and written on a thread of
their own, with progress and Cancel (gui/files/background.py).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from gui.code.export_actions import PROGRAM_FILTERS, default_name, write_program
from gui.files import dialogs, store
from gui.files.background import BIG_LOAD_BYTES, BIG_SAVE_ENTRIES, FileTask
from gui.files.exports import MATRIX_FILTERS, export_result, result_arrays
from gui.files.file_menu import FileMenu
from gui.files.lessons import lesson_of, open_lesson
from solver.matrix_io import LOAD_TYPES, MatrixFileError, load_matrix, save_history, save_matrix
from solver.progress import Cancelled
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

    A big file (more than BIG_LOAD_BYTES to read, BIG_SAVE_ENTRIES numbers to write) is
    read or written on a thread of its own (`task`): open_path, save_to and export_result
    then return False at once and `task_finished` follows; the document changes only when
    the load is complete. Closing the window during a save waits for it, saying so.

    Signals:
        message(str, str): a one-line notice (text, kind), e.g. "Cannot open x.csv: ...".
        task_finished(str, str, bool): a background (action, path, ok) has ended, action
            "open", "save" or "export".
    """

    message = Signal(str, str)
    task_finished = Signal(str, str, bool)

    def __init__(self, model, parent: QWidget) -> None:
        super().__init__(parent)
        self._model = model
        self._parent = parent
        self._matrix_dtype = np.dtype(np.float64)
        self._with_history = True
        self.task = FileTask(parent)
        self._task_action = ""
        self._close_after_save = False
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
        """Ask about unsaved changes; True when it is fine to go on (saved or discarded).
        False while a file is being read or written, and when the save was big enough to
        go on in the background."""
        if self._busy():
            return False
        if not self.is_modified():
            return True
        answer = dialogs.ask_unsaved(self._parent, self.name)
        if answer == dialogs.SAVE:
            return self.save()
        return answer == dialogs.DISCARD

    def allow_close(self) -> bool:
        """Called from closeEvent: False keeps the window open (the user cancelled, or a
        save is being written: the window then closes when it is done, and says so)."""
        if self.task.running and self._task_action == "open":
            self.task.cancel()  # nothing is lost by not opening a file
            self.task.wait()
        writing = self.task.running
        if not writing:
            if self.maybe_save():
                return True
            writing = self.task.running  # "Save" went to the background
        if writing:
            self._close_after_save = True
            verb = "Exporting" if self._task_action == "export" else "Saving"
            self.task.set_label(f"{verb} {self._task_name}… the window closes when it is "
                                "done (Cancel keeps it open).")
        return False

    def _busy(self) -> bool:
        """True (and says so) while a file is being read or written."""
        if self.task.running:
            self.message.emit(f"Wait until {self._task_name} is "
                              f"{'read' if self._task_action == 'open' else 'written'} "
                              "(or cancel it).", "warning")
        return self.task.running

    def _start(self, action: str, path: str, work, done) -> None:
        """Run work(progress) in the background; done(result, error) -> ok afterwards."""
        self._task_action, self._task_name = action, Path(path).name
        verb = {"open": "Opening", "save": "Saving", "export": "Exporting"}[action]

        def finished(result, error) -> None:
            ok = done(result, error)
            closing, self._close_after_save = self._close_after_save, False
            self.task_finished.emit(action, path, ok)
            if closing and ok:
                QTimer.singleShot(0, self._parent.close)

        self.task.start(f"{verb} {self._task_name}…", work, finished)

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
        if (ask and not self.maybe_save()) or self._busy():
            return False
        suffix = Path(path).suffix.lower()
        read = load_lesson if suffix == SESSION_SUFFIX else load_matrix
        if suffix in OPEN_TYPES and _regular_size(path) > BIG_LOAD_BYTES:
            def work(progress):
                content = read(path, progress)
                progress(1, 1)  # a Cancel pressed while the last bytes were read counts too
                return content

            self._start("open", path, work, lambda content, error: self._opened(
                path, content, error))
            return False
        content = error = None
        try:
            if suffix not in OPEN_TYPES:
                kind = f"unsupported file type '{suffix}'" if suffix else "no file extension"
                raise MatrixFileError(path, f"{kind} (open .csv, .tsv, .txt, .npy, .npz or "
                                            f"{SESSION_SUFFIX})")
            content = read(path)
        except Exception as problem:  # noqa: BLE001 -- reported by _opened
            error = problem
        return self._opened(path, content, error)

    def _opened(self, path: str, content, error: BaseException | None) -> bool:
        """Show what was read from `path`, or report why not; whether it is shown."""
        if error is None:
            try:
                self._show(path, content)
            except Exception as problem:  # noqa: BLE001 -- a bad file must never crash the app
                error = problem
        if isinstance(error, Cancelled):
            self.message.emit(f"Opening {Path(path).name} cancelled: nothing changed.", "info")
            return False
        if isinstance(error, MatrixFileError):
            self.report(f"Cannot open {error}")
            if not os.path.exists(path):
                store.remove_recent([os.path.abspath(path)])
            return False
        if error is not None:
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

        The target is replaced atomically: on failure or Cancel the old file is intact and
        one line naming the file and the problem is reported. Returns whether it was
        written (a big matrix: False at once, then task_finished).
        """
        path = os.fspath(path)
        if self._busy():
            return False
        name = Path(path).name
        lesson = Path(path).suffix.lower() == SESSION_SUFFIX
        if lesson:
            data = lesson_of(self._model, name, with_history)
            size = data.matrix.size

            def work(progress):
                save_lesson(path, data, progress)
        else:
            matrix = self._matrix_to_save()
            size = matrix.size

            def work(progress):
                save_matrix(path, matrix, progress)
        if size > BIG_SAVE_ENTRIES:
            document = self._model.document_key()
            self._start("save", path, work, lambda _result, error: self._saved(
                path, lesson, with_history, error, document))
            return False
        error = None
        try:
            work(None)
        except Exception as problem:  # noqa: BLE001 -- reported by _saved
            error = problem
        return self._saved(path, lesson, with_history, error)

    def _saved(self, path: str, lesson: bool, with_history: bool,
               error: BaseException | None, document: tuple | None = None) -> bool:
        """Mark the document saved as `path`, or report why not; whether it was written.
        `document`: its key when a background save started (None: it cannot have changed)."""
        if isinstance(error, Cancelled):
            self.message.emit(f"Saving {Path(path).name} cancelled: the file on disk is as "
                              "it was.", "warning")
            return False
        if isinstance(error, MatrixFileError):
            self.report(str(error))
            return False
        if error is not None:  # keep the app and the old file alive
            self.report(f"{path}: cannot save ({type(error).__name__}: {error})")
            return False
        if document is not None and document != self._model.document_key():
            self.remember(path)  # changed meanwhile: the file holds the state saved, not this
            return True
        name = Path(path).name
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
        if not path or self._busy():
            return False
        if sum(a.size for a in result_arrays(snapshot).values()) > BIG_SAVE_ENTRIES:
            self._start("export", path, lambda progress: export_result(snapshot, path, progress),
                        lambda _result, error: self._exported(path, error))
            return False
        return self._write(path, lambda: export_result(snapshot, path))

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
        except Exception as error:  # noqa: BLE001 -- an export must never crash the app
            return self._exported(path, error)
        return self._exported(path, None)

    def _exported(self, path: str, error: BaseException | None) -> bool:
        if isinstance(error, Cancelled):
            self.message.emit(f"Export to {Path(path).name} cancelled: no file changed.",
                              "warning")
            return False
        if isinstance(error, MatrixFileError):
            self.report(str(error))
            return False
        if error is not None:
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


def _regular_size(path: str) -> int:
    """The size of a regular file; 0 for anything else (refused at once by the reader)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0
