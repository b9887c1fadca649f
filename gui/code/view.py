"""The Code view: the standalone PyTorch program behind the run on screen, coloured, with a
Copy button; the lines the last change of a setting (or of the matrix) changed are marked.

`python run.py losses.csv` with this program writes the same history as the app, bit for
bit (solver/codegen; the contract tests in tests/test_codegen_contract.py).
"""

from __future__ import annotations

import difflib
import html

import numpy as np
from PySide6.QtGui import QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from gui.analysis import COMPUTING, NeededWhileShown
from gui.code.cache import program_for, waits_for_theory
from gui.code.highlighter import PythonHighlighter
from gui.teaching.draw_when_shown import DrawWhenShown
from solver.settings import Settings, SettingsError

CHANGED_BACKGROUND = QColor("#FFF1A8")  # pale yellow: marks without hiding the colours


def changed_lines(old: str | None, new: str) -> list[int]:
    """0-based numbers of the lines of `new` that differ from `old` (inserted or replaced);
    none when there is no previous program."""
    if old is None:
        return []
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    lines = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            lines.extend(range(j1, j2))
    return lines


class CodeView(DrawWhenShown, QWidget):
    """Shows build_program(matrix, settings, name).script; `show_program` sets what to show
    (drawn when the view is on screen)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeView")
        self.caption = QLabel(self)
        self.caption.setObjectName("codeCaption")
        self.caption.setWordWrap(True)
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setObjectName("codeCopyButton")
        self.copy_button.setToolTip("Copy the whole program to the clipboard.")
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("codeEditor")
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = PythonHighlighter(self.editor.document())
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.editor, 1)
        self.copy_button.clicked.connect(self.copy)
        self._inputs: tuple[np.ndarray, Settings, str] | None = None
        self._model = None  # a document model followed (bind), read when drawing
        self._waiting = False  # for the run's complete theory (a large M)
        self._text: str | None = None
        self.changed: list[int] = []

    @property
    def text(self) -> str:
        """The program on screen ("" before the first one)."""
        return self._text or ""

    def show_program(self, matrix: np.ndarray, settings: Settings, name: str) -> None:
        """Show the program of this matrix and these settings (now if visible, else when
        next shown)."""
        self._inputs = (np.asarray(matrix), settings, name)
        self.request_draw()

    def bind(self, model) -> None:
        """Follow a document model (gui/document_model.py): its matrix, settings and name,
        whenever document_changed is emitted. They are read when the view draws, so a
        hidden view costs nothing (model.matrix copies the matrix)."""
        self._model = model
        model.document_changed.connect(self.request_draw)
        model.frame.connect(self._on_frame)
        # A large M's program quotes its singular values: the solver thread computes them
        # while this view is on screen, never the window's thread (gui/code/cache.py).
        self._theory_need = NeededWhileShown(
            self, lambda shown: model.need_theory("code view", shown))
        self.request_draw()

    def _on_frame(self, frame) -> None:
        if self._waiting and getattr(frame.theory, "complete", False):
            self.request_draw()

    def copy(self) -> None:
        """Put the whole program on the clipboard."""
        QApplication.clipboard().setText(self.text)

    def _draw(self) -> None:
        self._stale = False
        run_theory = None
        if self._model is not None:
            model = self._model
            self._inputs = (model.matrix, model.settings, model.name)
            if np.array_equal(model.run.matrix, self._inputs[0]):
                run_theory = model.theory  # else a new run has yet to start
        if self._inputs is None:
            return
        matrix, settings, _ = self._inputs
        self._waiting = waits_for_theory(matrix.shape, settings, run_theory)
        if self._waiting:
            # Nothing of the previous document stays on screen meanwhile.
            self._set_text("", mark=False)
            self.caption.setText(f"The program quotes M's singular values: {COMPUTING}")
            self.copy_button.setEnabled(False)
            return
        try:
            program = program_for(*self._inputs, run_theory=run_theory)
        except SettingsError as err:
            # Settings the solver refuses have no program; say why, keep nothing stale.
            self._set_text(f"# No program: {err}", mark=False)
            self.caption.setText("These settings cannot run on this matrix.")
            self.copy_button.setEnabled(False)
            return
        self.copy_button.setEnabled(True)
        title = html.escape(program.title[0].upper() + program.title[1:])
        self.caption.setText(f"{title}<br><small>Saved as run.py, <code>python run.py "
                             "losses.csv</code> writes the loss history of this run from "
                             "Reset, bit for bit.</small>")
        self._set_text(program.script, mark=True)

    def _set_text(self, text: str, mark: bool) -> None:
        if text == self._text:
            return
        self.changed = changed_lines(self._text, text) if mark else []
        self._text = text
        self.editor.setPlainText(text)
        self._mark(self.changed)

    def _mark(self, lines: list[int]) -> None:
        selections = []
        document = self.editor.document()
        for number in lines:
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(CHANGED_BACKGROUND)
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            selection.cursor = QTextCursor(document.findBlockByNumber(number))
            selections.append(selection)
        self.editor.setExtraSelections(selections)
        if lines:
            # Bring the first changed line into view: what the change did is what to read.
            self.editor.setTextCursor(QTextCursor(document.findBlockByNumber(lines[0])))
            self.editor.centerCursor()
