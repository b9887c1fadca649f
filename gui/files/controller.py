"""What the File menu does: open, save, export, and ask about unsaved changes.

The controller owns everything about files, so the window only constructs it and asks it
before closing (the menu itself and drag and drop are in gui.files.file_menu). It never
opens a dialog directly: `report_error`, `ask_open_path`, `ask_save_path` and `ask_unsaved`
are plain callables (defaults in gui.files.dialogs) that tests replace, so no dialog is
ever left open in a test.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu

from gui.files import dialogs, store
from gui.files.exports import MATRIX_FILTERS, PLOT_FILTERS, export_plot, export_result
from gui.files.file_menu import FileMenu
from gui.files.recorder import RunRecorder
from gui.files.window_state import (
    apply_lesson,
    lesson_view,
    matrix_digest,
    session_key,
)
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
    """Installs the File menu into `menu` and handles every file the window reads or writes.

    The document is the file last opened or saved (a matrix file or a lesson), or none.
    `is_modified()` compares the matrix, settings and speed with the document's.
    """

    def __init__(
        self,
        window,
        menu: QMenu,
        *,
        report_error: Callable[[str], None] | None = None,
        ask_open_path: Callable[[str, str, list[str]], str] | None = None,
        ask_save_path: Callable[[str, str, list[str], str], tuple[str, str]] | None = None,
        ask_unsaved: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        # Looked up at call time, so a test can monkeypatch gui.files.dialogs as well.
        self.report_error = report_error or (lambda text: dialogs.show_error(window, text))
        self.ask_open_path = ask_open_path or (
            lambda *args: dialogs.ask_open_path(window, *args))
        self.ask_save_path = ask_save_path or (
            lambda *args: dialogs.ask_save_path(window, *args))
        self.ask_unsaved = ask_unsaved or (lambda name: dialogs.ask_unsaved(window, name))
        self.recorder = RunRecorder(window, self)
        self._untitled()
        self._mark_clean()
        self.menu = FileMenu(self, menu)
        # The title bar's "*" (Qt's [*] placeholder) follows every change a save would keep.
        for signal in (window.editor.matrix_changed, window.panel.settings_changed,
                       window.panel.lr_changed, window.panel.momentum_changed,
                       window.transport.speed_changed):
            signal.connect(self._show_modified)
        geometry = store.geometry()
        # Whether the window got its size from the last session (main.py then keeps it).
        self.geometry_restored = geometry is not None and window.restoreGeometry(geometry)

    # --- state ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The document's file name, or "untitled"."""
        return Path(self.path).name if self.path else UNTITLED

    def is_modified(self) -> bool:
        """True if the matrix, a setting or the speed differs from the document's."""
        return self.matrix_modified() or self.session_modified()

    def matrix_modified(self) -> bool:
        """True if the matrix differs from the one last opened or saved."""
        return matrix_digest(self.window.editor.array()) != self._clean_matrix

    def session_modified(self) -> bool:
        """True if a setting or the speed differs from the ones last opened or saved."""
        return session_key(self.window) != self._clean_session

    def _same_run(self) -> bool:
        """True if the matrix and settings (the speed aside) are still the document's."""
        return not self.matrix_modified() and session_key(self.window)[0] == \
            self._clean_session[0]

    def _mark_clean(self, matrix: bool = True, session: bool = True) -> None:
        if matrix:
            self._clean_matrix = matrix_digest(self.window.editor.array())
        if session:
            self._clean_session = session_key(self.window)
        self._show_modified()

    def _show_modified(self, *_args) -> None:
        self.window.setWindowModified(self.is_modified())

    def forget_document(self) -> None:
        """The matrix shown is a new, untitled one (a built-in example): Save asks for a
        file, and the matrix counts as unchanged until edited. The settings keep comparing
        with the ones last opened or saved."""
        self._untitled()
        self._mark_clean(session=False)

    def _untitled(self) -> None:
        self.path: str | None = None
        self.kind: str | None = None  # "lesson", "matrix" or None (untitled)
        self._matrix_dtype = np.dtype(np.float64)
        self._with_history = True
        self._stored_history: np.ndarray | None = None
        self._stored_live_changes = False

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; True when it is fine to go on (saved or discarded)."""
        if not self.is_modified():
            return True
        answer = self.ask_unsaved(self.name)
        if answer == dialogs.SAVE:
            return self.save()
        return answer == dialogs.DISCARD

    def allow_close(self) -> bool:
        """Called from closeEvent: False keeps the window open (the user cancelled).
        When closing goes ahead, the window geometry is remembered."""
        if not self.maybe_save():
            return False
        if self.window.isVisible():
            store.save_geometry(self.window.saveGeometry())
        return True

    # --- opening -------------------------------------------------------------------------
    def open_dialog(self) -> bool:
        """File > Open: ask about unsaved changes, then for a file, and open it."""
        if not self.maybe_save():
            return False
        path = self.ask_open_path("Open a matrix or lesson", self._folder(), OPEN_FILTERS)
        return bool(path) and self.open_path(path, ask=False)

    def open_path(
        self,
        path: str | os.PathLike,
        ask: bool = True,
        report: Callable[[str], None] | None = None,
    ) -> bool:
        """Open a matrix file or a lesson into the window; returns whether it was opened.

        With `ask`, unsaved changes are offered for saving first (Cancel opens nothing).
        A bad file leaves the matrix, settings and history untouched and reports one line
        naming the file and the problem (to `report`, else to `report_error`).
        """
        path = os.fspath(path)
        report = report or self.report_error
        if ask and not self.maybe_save():
            return False
        try:
            suffix = Path(path).suffix.lower()
            if suffix not in OPEN_TYPES:
                kind = f"unsupported file type '{suffix}'" if suffix else "no file extension"
                raise MatrixFileError(path, f"{kind} (open .csv, .tsv, .txt, .npy, .npz or "
                                            f"{SESSION_SUFFIX})")
            if suffix == SESSION_SUFFIX:
                self._open_lesson(path)
            else:
                self._open_matrix(path)
        except MatrixFileError as error:
            report(f"Cannot open {error}")
            if not os.path.exists(path):
                store.remove_recent([os.path.abspath(path)])
            return False
        except Exception as error:  # noqa: BLE001 -- a bad file must never crash the app
            report(f"Cannot open {path}: unexpected {type(error).__name__}: {error}")
            return False
        self.remember(path)
        return True

    def adopt(self, path: str | os.PathLike, content: np.ndarray | Lesson) -> bool:
        """Show a matrix or lesson that the caller has already read from `path` (main.py
        reads its FILE argument before Qt starts) as if it had been opened here."""
        path = os.fspath(path)
        try:
            if isinstance(content, Lesson):
                self._open_lesson(path, content)
            else:
                self._open_matrix(path, content)
        except MatrixFileError as error:
            self.report_error(f"Cannot open {error}")
            return False
        self.remember(path)
        return True

    def _open_matrix(self, path: str, matrix: np.ndarray | None = None) -> None:
        matrix = load_matrix(path) if matrix is None else matrix
        name = Path(path).name
        self.window.set_matrix_name(name)
        if not self.window.editor.set_array(matrix, f"open {name}"):
            raise MatrixFileError(path, "the editor refused the matrix")
        self._set_document(path, "matrix", matrix.dtype)
        self._stored_history = None

    def _open_lesson(self, path: str, lesson: Lesson | None = None) -> None:
        lesson = load_lesson(path) if lesson is None else lesson
        apply_lesson(self.window, lesson, path, Path(path).name)
        self._set_document(path, "lesson", lesson.matrix.dtype)
        self._with_history = lesson.history is not None
        self._stored_history = lesson.history
        self._stored_live_changes = bool(lesson.view.get("history_has_live_changes", False))

    def _set_document(self, path: str, kind: str, dtype: np.dtype) -> None:
        self.path, self.kind = os.path.abspath(path), kind
        self._matrix_dtype = np.dtype(dtype)
        self._mark_clean()

    # --- saving --------------------------------------------------------------------------
    def save(self) -> bool:
        """File > Save: into the document when its format holds every change, else Save As.

        A lesson holds everything; a matrix file only the matrix, so changed settings go
        through Save As (a lesson is offered first)."""
        if self.kind == "lesson" or (self.kind == "matrix" and not self.session_modified()):
            return self.save_to(self.path, with_history=self._with_history)
        return self.save_as()

    def save_as(self) -> bool:
        """File > Save As: a lesson (with or without loss history) or the matrix alone."""
        lesson = self.kind != "matrix" or self.session_modified()
        suffix = SESSION_SUFFIX if lesson else Path(self.path).suffix
        selected = (LESSON_WITH_HISTORY if self._with_history else LESSON_WITHOUT_HISTORY) \
            if lesson else next((f for f in SAVE_FILTERS if f"*{suffix})" in f), SAVE_FILTERS[0])
        path, chosen = self.ask_save_path("Save lesson or matrix", self._suggest(suffix),
                                          SAVE_FILTERS, selected)
        if not path:
            return False
        return self.save_to(path, with_history=chosen != LESSON_WITHOUT_HISTORY)

    def save_to(self, path: str | os.PathLike, with_history: bool = True) -> bool:
        """Write a lesson (.mdlesson) or the matrix (.csv/.tsv/.txt/.npy/.npz) to `path`.

        The target is replaced atomically: on failure the old file is intact and one line
        naming the file and the problem is reported. Returns whether it was written.
        """
        path = os.fspath(path)
        lesson = Path(path).suffix.lower() == SESSION_SUFFIX
        try:
            if lesson:
                save_lesson(path, self._lesson(with_history, Path(path).name))
            else:
                save_matrix(path, self._matrix_to_save())
        except MatrixFileError as error:
            self.report_error(str(error))
            return False
        except Exception as error:  # noqa: BLE001 -- keep the app and the old file alive
            self.report_error(f"{path}: cannot save ({type(error).__name__}: {error})")
            return False
        if lesson:
            self._with_history = with_history
            self._stored_history = None  # the run's own history was just written
            self._set_document(path, "lesson", np.float64)
        else:
            self.path, self.kind = os.path.abspath(path), "matrix"
            self._mark_clean(session=False)
        self.window.set_matrix_name(Path(path).name)
        self.remember(path)
        return True

    def _lesson(self, with_history: bool, name: str) -> Lesson:
        history, live = None, self.recorder.live_changes
        if with_history:
            if self.recorder.count:
                history = self.recorder.losses()
            elif self._stored_history is not None and self._same_run():
                # Reopened and not run yet: keep the history the lesson came with.
                history, live = self._stored_history, self._stored_live_changes
        view = lesson_view(self.window, name, live)
        return Lesson(matrix=self.window.editor.array(), settings=self.window.panel.settings(),
                      view=view, history=history)

    def _matrix_to_save(self) -> np.ndarray:
        matrix = self.window.editor.array()
        # The editor works in float64; a float32 file stays float32 if no digit was added.
        if self._matrix_dtype == np.float32:
            narrow = matrix.astype(np.float32)
            if np.array_equal(narrow, matrix):
                return narrow
        return matrix

    # --- export --------------------------------------------------------------------------
    def export_history(self) -> bool:
        """Export > Loss history: the exact losses of the current run as iteration,loss."""
        if not self.recorder.count:
            self.report_error("Nothing to export yet: the run has no steps (Step or Play first).")
            return False
        path = self._ask_export("Export loss history", "loss-history.csv", HISTORY_FILTERS)
        return bool(path) and self._write(path, lambda: save_history(path, self.recorder.losses()))

    def export_result(self) -> bool:
        """Export > Result: X (inverse, pseudo-inverse) or U, S, V (SVD) as shown now."""
        snapshot = self.recorder.snapshot
        if snapshot is None:
            self.report_error("Nothing to export yet: the run has not started.")
            return False
        svd = snapshot.u is not None
        default = "svd.npz" if svd else f"{self.window.panel.settings().problem}.csv"
        filters = [MATRIX_FILTERS[3], *MATRIX_FILTERS[:3]] if svd else MATRIX_FILTERS
        path = self._ask_export("Export result", default, filters)
        return bool(path) and self._write(path, lambda: export_result(snapshot, path))

    def export_plot(self, widget, default: str) -> bool:
        """Export > a plot: the widget as it is drawn now, as PNG or SVG."""
        path = self._ask_export("Export plot", default, PLOT_FILTERS)
        return bool(path) and self._write(path, lambda: export_plot(widget, path))

    def _ask_export(self, caption: str, default: str, filters: list[str]) -> str:
        path, _ = self.ask_save_path(caption, os.path.join(self._folder(), default),
                                     filters, filters[0])
        return path

    def _write(self, path: str, write: Callable[[], object]) -> bool:
        try:
            write()
        except MatrixFileError as error:
            self.report_error(str(error))
            return False
        except Exception as error:  # noqa: BLE001 -- an export must never crash the app
            self.report_error(f"{path}: cannot export ({type(error).__name__}: {error})")
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
