"""The Code view and the lesson page "The code" (issue 15): the program on screen is the
exported one, Copy copies it, a change of setting marks the lines it changed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from gui.code.highlighter import COLOURS
from gui.code.view import CodeView
from gui.document_model import DocumentModel
from gui.lesson.steps import PAGES, LessonContext
from solver import Run, Settings
from solver.codegen import build_program
from solver.presets import resolve_matrix

RANDOM = resolve_matrix("preset:tutorial-random")


def _view(qtbot) -> CodeView:
    view = CodeView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    return view


def _line(view: CodeView, number: int) -> str:
    return view.text.splitlines()[number]


def test_shows_the_exported_program_and_copies_it(qtbot):
    view = _view(qtbot)
    view.show_program(RANDOM, Settings(), "tutorial-random")
    expected = build_program(RANDOM, Settings(), "tutorial-random").script
    assert view.editor.toPlainText() == expected == view.text
    assert "tutorial-random (4 x 4)" in view.caption.text()
    view.copy_button.click()
    assert QApplication.clipboard().text() == expected
    assert view.changed == []  # nothing marked before a change


def test_a_changed_setting_marks_the_lines_it_changed(qtbot):
    view = _view(qtbot)
    view.show_program(RANDOM, Settings(), "tutorial-random")
    view.show_program(RANDOM, Settings(lr=0.5), "tutorial-random")
    assert [_line(view, n) for n in view.changed] == ["lr = 0.5  # the learning rate"]
    assert len(view.editor.extraSelections()) == 1
    assert view.editor.textCursor().blockNumber() == view.changed[0]  # scrolled to it
    view.show_program(RANDOM, Settings(lr=0.5, optimizer="nesterov"), "tutorial-random")
    changed = "\n".join(_line(view, n) for n in view.changed)
    assert "X -= lr * (g + momentum * velocity)" in changed
    assert "lr = 0.5" not in changed
    # The same program again: the marks stay as they were.
    before = list(view.changed)
    view.show_program(RANDOM, Settings(lr=0.5, optimizer="nesterov"), "tutorial-random")
    assert view.changed == before


def test_settings_that_cannot_run_say_why(qtbot):
    view = _view(qtbot)
    view.show_program(np.ones((2, 3)), Settings(problem="inverse"), "wide")
    assert view.text.startswith("# No program: problem: inverse needs a square matrix")
    assert not view.copy_button.isEnabled()
    view.show_program(np.ones((2, 3)), Settings(), "wide")
    assert "pseudo-inverse" in view.text and view.copy_button.isEnabled()


def test_a_hidden_view_builds_its_program_when_shown(qtbot):
    view = CodeView()
    qtbot.addWidget(view)
    view.show_program(RANDOM, Settings(), "tutorial-random")
    assert view.text == ""
    view.show()
    assert "torch.manual_seed(seed)" in view.text


def _colour_at(view: CodeView, line: int, column: int) -> QColor:
    block = view.editor.document().findBlockByNumber(line)
    for fmt in block.layout().formats():
        if fmt.start <= column < fmt.start + fmt.length:
            return fmt.format.foreground().color()
    return QColor()


def test_syntax_colours(qtbot):
    view = _view(qtbot)
    view.show_program(RANDOM, Settings(), "tutorial-random")
    lines = view.text.splitlines()
    number = lines.index("import torch")
    assert _colour_at(view, number, 0) == QColor(COLOURS["keyword"][0])
    row = next(i for i, line in enumerate(lines) if "0.7196355" in line)
    assert _colour_at(view, row, lines[row].index("0.7196355")) == QColor(COLOURS["number"][0])
    device = next(i for i, line in enumerate(lines) if line.startswith("device ="))
    text = lines[device]
    assert _colour_at(view, device, text.index('"cpu"')) == QColor(COLOURS["string"][0])
    # "with" inside the comment is comment, not keyword.
    assert _colour_at(view, device, text.index("with")) == QColor(COLOURS["comment"][0])
    assert _colour_at(view, 0, 0) == QColor(COLOURS["string"][0])  # the docstring
    assert _colour_at(view, 3, 6) == QColor(COLOURS["string"][0])  # ... over several lines


def test_follows_a_document_model(qtbot):
    view = _view(qtbot)
    model = DocumentModel(np.diag([1.0, 2.0]), Settings(), "diag")
    try:
        view.bind(model)
        assert "diag (2 x 2)" in view.text
        model.update_settings(lr=0.25)
        assert [_line(view, n) for n in view.changed] == ["lr = 0.25  # the learning rate"]
    finally:
        model.shutdown()


def test_lesson_page_the_code_quotes_the_program_with_the_runs_numbers():
    title, render = PAGES[-1]
    assert title == "The code"
    settings = Settings(optimizer="gd", lr=0.4605170185988092, max_steps=100, tol=0)
    settings = settings.validated((4, 4))
    matrix = np.diag([1.0, 2.0, 3.0, 4.0])
    run = Run(matrix, settings)
    run.step(20)
    ctx = LessonContext(snapshot=run.snapshot(), settings=settings, theory=run.theory,
                        shape=(4, 4), matrix=matrix, matrix_name="tutorial-diagonal",
                        autograd=(16807.0, 36015.0), sine_error=0.0)
    text = render(ctx)
    assert "X -= lr * X.grad" in text and "loss.backward()" in text
    assert "torch.manual_seed(seed)" in text and ">314<" in text
    # Run B's loss at step 20, the notebook's 0.0054.
    assert "losses[20]</code> would be <b" in text and "0.0054389" in text
    bad = replace(ctx, settings=Settings(problem="inverse"), matrix=np.ones((2, 3)))
    assert "cannot run on this matrix" in render(bad)
