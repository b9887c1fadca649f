"""Lessons, recent files, drag and drop, exports and remembered choices, through the window."""

from __future__ import annotations

import os

import numpy as np
import pytest
from files_support import (
    TIMEOUT_MS,
    assert_same_state,
    menu_action,
    new_run,
    new_window,
    state,
    step,
)
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication

from gui.files import store
from solver import Settings
from solver.session import load_lesson

LESSON_SETTINGS = Settings(problem="inverse", side="right", optimizer="nesterov", lr=0.07,
                           momentum=0.8, schedule="exp:0.995", init="random", seed=2024,
                           dtype="float64", gradient="closed-form", max_steps=500, tol=1e-9)


@pytest.fixture
def win(qtbot):
    return new_window(qtbot)


def _losses_after_reset(qtbot, window, count):
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        window.reset_run()
    step(qtbot, window, count)
    return window.model.history()[1]


def test_a_lesson_reopens_every_control_and_reset_replays_the_run_bit_for_bit(qtbot, tmp_path):
    matrix = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
    first, answers = new_window(qtbot, matrix=matrix, settings=LESSON_SETTINGS)
    first.transport.speed_combo.setCurrentText("5 steps/s")
    step(qtbot, first, 30)
    recorded = first.model.history()[1]
    lesson = tmp_path / "class.mdlesson"
    answers.save_paths.append((str(lesson), "Lesson with loss history (*.mdlesson)"))
    menu_action(first, "File", "Save As").trigger()
    assert answers.errors == [] and not first.files.is_modified()
    stored = load_lesson(lesson)
    # The loss before each of the 30 updates, then the loss of the estimate after them.
    assert stored.history.tobytes() == recorded.tobytes() and len(recorded) == 31

    second, answers2 = new_window(qtbot)
    assert second.files.open_path(lesson)
    # The saved history is on the plot at once; the run is replayed to its end.
    assert second.loss_plot.point_count == 30
    qtbot.waitUntil(lambda: second.state == "paused", timeout=TIMEOUT_MS)
    assert answers2.errors == []
    assert second.model.history()[1].tobytes() == stored.history.tobytes()
    assert second.iteration_label.text() == "30"
    assert np.array_equal(second.editor.array(), matrix)
    assert second.panel.settings() == LESSON_SETTINGS
    assert second.transport.speed_combo.currentText() == "5 steps/s"
    assert "class.mdlesson" in second.windowTitle() and not second.files.is_modified()
    assert _losses_after_reset(qtbot, second, 30).tobytes() == stored.history.tobytes()


def test_a_lesson_read_before_the_window_is_adopted_as_the_document(qtbot, win, tmp_path):
    window, answers = win
    from solver.session import Lesson, save_lesson

    path = tmp_path / "start.mdlesson"
    save_lesson(path, Lesson(np.diag([2.0, 5.0]), LESSON_SETTINGS, {"speed": 20.0}))
    assert window.files.adopt(path, load_lesson(path))
    assert window.panel.settings() == LESSON_SETTINGS and window.transport.speed() == 20.0
    assert window.files.path == str(path) and store.recent_files() == [str(path)]
    assert not window.files.is_modified() and answers.errors == []


def test_saving_a_reopened_lesson_before_running_keeps_its_history(qtbot, win, tmp_path):
    window, answers = win
    step(qtbot, window, 6)
    lesson = tmp_path / "a.mdlesson"
    assert window.files.save_to(lesson)
    history = load_lesson(lesson).history
    assert window.files.open_path(lesson)
    qtbot.waitUntil(lambda: window.state == "paused", timeout=TIMEOUT_MS)  # replayed
    window.transport.speed_combo.setCurrentText("Max")  # a change, so Save has work to do
    menu_action(window, "File", "Save").trigger()
    assert answers.asked == [] and answers.errors == []
    assert load_lesson(lesson).history.tobytes() == history.tobytes()
    assert load_lesson(lesson).view["speed"] == 0.0


def test_a_lesson_without_history(qtbot, win, tmp_path):
    window, answers = win
    step(qtbot, window, 3)
    lesson = tmp_path / "plain.mdlesson"
    answers.save_paths.append((str(lesson), "Lesson without loss history (*.mdlesson)"))
    menu_action(window, "File", "Save As").trigger()
    assert load_lesson(lesson).history is None


def test_a_setting_the_controls_cannot_show_is_refused(qtbot, win, tmp_path):
    window, answers = win
    from solver.session import Lesson, save_lesson

    path = tmp_path / "fine.mdlesson"
    save_lesson(path, Lesson(np.eye(2), Settings(momentum=0.9995)))  # the control stops at 0.999
    before = state(window)
    assert not window.files.open_path(path)
    assert "momentum" in answers.errors[0] and "fine.mdlesson" in answers.errors[0]
    assert_same_state(before, state(window))


def test_recent_files_open_and_vanished_ones_are_pruned_with_a_message(qtbot, win, tmp_path):
    window, answers = win
    paths = []
    for name, text in (("a.csv", "1,2\n3,4\n"), ("b.csv", "5\n")):
        paths.append(tmp_path / name)
        paths[-1].write_text(text)
        assert window.files.open_path(paths[-1])
    assert store.recent_files() == [str(paths[1]), str(paths[0])]
    recent = menu_action(window, "File", "Open Recent").menu()
    recent.aboutToShow.emit()
    names = [a.text() for a in recent.actions() if not a.isSeparator()]
    assert names == ["b.csv", "a.csv", "Clear list"]
    recent.actions()[1].trigger()  # a.csv
    np.testing.assert_array_equal(window.editor.array(), [[1.0, 2.0], [3.0, 4.0]])

    paths[1].unlink()
    recent.aboutToShow.emit()
    assert [a.text() for a in recent.actions()][0] == "a.csv"
    assert "b.csv" in window.banner.text() and store.recent_files() == [str(paths[0])]


def test_dropping_a_file_on_the_window_opens_it(qtbot, win, tmp_path):
    window, answers = win
    path = tmp_path / "dropped.tsv"
    path.write_text("1\t2\t3\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    centre = window.rect().center()
    enter = QDragEnterEvent(QPoint(centre), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: window.editor.array().shape == (1, 3), timeout=TIMEOUT_MS)
    assert window.files.path == str(path) and answers.errors == []


def test_a_drop_without_files_is_ignored(qtbot, win):
    window, _ = win
    mime = QMimeData()
    mime.setText("1,2,3")
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter.ignore()
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


@pytest.mark.parametrize("plot", ["Loss plot", "Error heatmap", "Estimate heatmap"])
def test_plots_export_as_png_and_svg(qtbot, win, tmp_path, plot):
    window, answers = win
    step(qtbot, window, 5)
    for suffix, chosen in ((".png", "PNG image (*.png)"), (".svg", "SVG drawing (*.svg)")):
        path = tmp_path / f"plot{suffix}"
        answers.save_paths.append((str(path), chosen))
        menu_action(window, "File", "Export", plot).trigger()
        assert answers.errors == [] and path.stat().st_size > 0
    image = QImage(str(tmp_path / "plot.png"))
    assert not image.isNull() and image.width() > 100 and image.height() > 100
    assert "<svg" in (tmp_path / "plot.svg").read_text(encoding="utf-8")


def test_a_plot_export_with_a_wrong_extension_says_so(qtbot, win, tmp_path):
    window, answers = win
    answers.save_paths.append((str(tmp_path / "plot.jpg"), ""))
    menu_action(window, "File", "Export", "Loss plot").trigger()
    assert answers.errors == [f"{tmp_path / 'plot.jpg'}: cannot export a plot as '.jpg' "
                              "(use .png or .svg)"]
    assert os.listdir(tmp_path) == []


def test_loss_history_exports_as_exact_csv(qtbot, win, tmp_path):
    window, answers = win
    menu_action(window, "File", "Export", "Loss history").trigger()
    assert "no steps" in answers.errors.pop()  # nothing run yet
    step(qtbot, window, 12)
    path = tmp_path / "losses.csv"
    answers.save_paths.append((str(path), "CSV (*.csv)"))
    menu_action(window, "File", "Export", "Loss history").trigger()
    lines = path.read_text().splitlines()
    # Rows 0..11: the loss before each update; row 12: the loss of the estimate shown.
    assert lines[0] == "iteration,loss" and len(lines) == 14
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    assert np.array_equal(table[:, 0], np.arange(13))
    assert table[:, 1].tobytes() == window.model.history()[1].tobytes()
    assert table[-1, 1] == float(window.loss_label.text().split()[-1]) or \
        f"{table[-1, 1]:.4g}" == window.loss_label.text().split()[-1]


def test_results_export_x_or_u_s_v(qtbot, win, tmp_path):
    window, answers = win
    step(qtbot, window, 4)
    path = tmp_path / "x.npy"
    answers.save_paths.append((str(path), ""))
    menu_action(window, "File", "Export", "Result").trigger()
    assert np.array_equal(np.load(path), window.model.snapshot.estimate)

    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: f.snapshot.u is not None,
                          timeout=TIMEOUT_MS):
        window.open_example("svd-tutorial")  # comes with the tutorial's SVD settings
    step(qtbot, window, 3)
    snapshot = window.model.snapshot
    answers.save_paths.append((str(tmp_path / "svd.npz"), ""))
    answers.save_paths.append((str(tmp_path / "svd.csv"), ""))
    menu_action(window, "File", "Export", "Result").trigger()
    menu_action(window, "File", "Export", "Result").trigger()
    assert answers.errors == []
    with np.load(tmp_path / "svd.npz") as parts:
        assert sorted(parts) == ["S", "U", "V"]
        assert np.array_equal(parts["U"], snapshot.u)
    u_csv = np.loadtxt(tmp_path / "svd-U.csv", delimiter=",", ndmin=2)
    assert np.array_equal(u_csv.astype(snapshot.u.dtype), snapshot.u)
    assert (tmp_path / "svd-S.csv").exists() and (tmp_path / "svd-V.csv").exists()


def test_geometry_and_last_folder_are_remembered(qtbot, tmp_path):
    window, _ = new_window(qtbot)
    path = tmp_path / "m.csv"
    path.write_text("1\n")
    assert window.files.open_path(path)
    assert store.last_folder() == str(tmp_path)
    # Smaller than it opened: restoreGeometry fits a window to the (800 x 800 offscreen)
    # screen, so only a change within the screen can come back unchanged.
    window.resize(window.width(), window.minimumSizeHint().height() + 17)
    height = window.height()
    assert window.close()
    again, answers = new_window(qtbot)
    assert again.restore_geometry()  # as main.py does before showing the window
    assert again.height() == height
    answers.open_paths.append("")
    menu_action(again, "File", "Open").trigger()
    assert answers.asked == [("open", "Open a matrix or lesson", str(tmp_path))]
