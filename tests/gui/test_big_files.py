"""Big files are read and written off the GUI thread: progress, Cancel, closing waits."""

from __future__ import annotations

import os

import numpy as np
import pytest
from files_support import TIMEOUT_MS, assert_same_state, new_window, state
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton

from solver.matrix_io import load_matrix, save_matrix

N = 1000  # 1,000,000 numbers: a 23 MB CSV, about a second to write or read


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A 1000 x 1000 matrix with every digit in use, and it as .npy (quick to read) and
    .csv (as slow to read as to write)."""
    matrix = np.random.default_rng(3).standard_normal((N, N))
    folder = tmp_path_factory.mktemp("big")
    np.save(folder / "big.npy", matrix)
    save_matrix(folder / "big.csv", matrix)
    return matrix, folder / "big.npy"


@pytest.fixture
def win(qtbot):
    return new_window(qtbot)


def _finish(qtbot, window, action):
    """The blocker for the end of a background `action`; its .args[2] says whether it
    worked."""
    return qtbot.waitSignal(window.files.task_finished, timeout=TIMEOUT_MS * 6,
                            check_params_cb=lambda a, _path, _ok: a == action)


def _open_big(qtbot, window, path):
    with _finish(qtbot, window, "open") as done:
        assert not window.files.open_path(path)  # not yet: read in the background
    assert done.args[2]


def _progress_dialog(window) -> QProgressDialog | None:
    dialogs = [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
    return dialogs[0] if dialogs else None


def _temporaries(folder) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".tmp")]


def test_a_big_save_and_load_leave_the_window_responsive(qtbot, win, big, tmp_path):
    window, answers = win
    matrix, source = big
    ticks = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(window.files.task.running))
    timer.start(20)
    _open_big(qtbot, window, source.with_suffix(".csv"))
    assert np.array_equal(window.model.matrix, matrix) and window.files.kind == "matrix"
    assert sum(ticks) >= 3, "the event loop stood still while the file was read"

    target = tmp_path / "big.csv"
    ticks.clear()
    shown = []
    with _finish(qtbot, window, "save") as done:
        assert not window.files.save_to(target)
        qtbot.waitUntil(lambda: _progress_dialog(window) is not None, timeout=TIMEOUT_MS)
        dialog = _progress_dialog(window)
        shown.append(dialog.labelText())
        qtbot.waitUntil(lambda: dialog.value() > 0, timeout=TIMEOUT_MS)
    assert done.args[2] and answers.errors == []
    assert shown == ["Saving big.csv…"]
    assert sum(ticks) >= 3, "the event loop stood still while the file was written"
    assert _progress_dialog(window) is None
    assert np.array_equal(load_matrix(target), matrix)
    assert window.files.path == str(target) and not window.files.is_modified()


def test_cancel_leaves_the_old_file_and_no_temporary(qtbot, win, big, tmp_path):
    window, answers = win
    matrix, source = big
    _open_big(qtbot, window, source)
    target = tmp_path / "old.csv"
    save_matrix(target, np.eye(3))
    old = target.read_bytes()
    window.editor.model.setData(window.editor.model.index(0, 0), "7")  # an unsaved edit
    with _finish(qtbot, window, "save") as done:
        window.files.save_to(target)
        qtbot.waitUntil(lambda: _progress_dialog(window) is not None, timeout=TIMEOUT_MS)
        qtbot.mouseClick(_progress_dialog(window).findChild(QPushButton),
                         Qt.MouseButton.LeftButton)
    assert not done.args[2]
    assert target.read_bytes() == old and _temporaries(tmp_path) == []
    assert window.files.is_modified() and "*" in window.windowTitle()
    assert answers.errors == []  # a cancel is not an error


def test_cancelling_a_load_changes_nothing(qtbot, win, big):
    window, answers = win
    _, source = big
    before = state(window)
    with _finish(qtbot, window, "open") as done:
        window.files.open_path(source)
        window.files.task.cancel()  # as the dialog's Cancel button does
    assert not done.args[2]
    assert_same_state(before, state(window))
    assert answers.errors == []


@pytest.mark.parametrize("how", ["saving", "asked on close"])
def test_closing_during_a_save_waits_for_the_whole_file(qtbot, win, big, tmp_path, how):
    window, answers = win
    matrix, source = big
    document = tmp_path / "document.npy"
    document.write_bytes(source.read_bytes())
    _open_big(qtbot, window, document)
    window.editor.model.setData(window.editor.model.index(0, 0), "7")
    expected = window.model.matrix
    if how == "saving":
        target = tmp_path / "closing.csv"
        window.files.save_to(target)
    else:
        target = document  # Save writes into the open file
        answers.unsaved.append("save")
    assert not window.close()  # not yet: the file is being written
    dialog = _progress_dialog(window)
    assert dialog is not None and "the window closes when it is done" in dialog.labelText()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=TIMEOUT_MS * 6)
    assert np.array_equal(load_matrix(target), expected)
    assert _temporaries(tmp_path) == [] and answers.errors == []
