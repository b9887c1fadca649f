"""The window as a teacher uses it: open, step, play, pause, reset, edit, diverge, close."""

import numpy as np
import pytest
from files_support import new_run
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableView,
)

from gui.main_window import MainWindow

TIMEOUT_MS = 10_000


def child(win, cls, name):
    widget = win.findChild(cls, name)
    assert widget is not None, f"no {cls.__name__} named {name}"
    return widget


def iteration(win) -> int:
    return int(child(win, QLabel, "iterationLabel").text())


def click(qtbot, win, name):
    qtbot.mouseClick(child(win, QAbstractButton, name), Qt.MouseButton.LeftButton)


def test_window_opens_with_the_default_example_and_the_contract_names(window):
    table = child(window, QTableView, "matrixTable")
    model = table.model()
    assert (model.rowCount(), model.columnCount()) == (4, 4)
    np.testing.assert_array_equal(window.editor.array(), np.diag([1.0, 2.0, 3.0, 4.0]))
    for cls, name in [
        (QComboBox, "problemCombo"), (QComboBox, "optimizerCombo"),
        (QDoubleSpinBox, "lrSpin"), (QDoubleSpinBox, "momentumSpin"),
        (QAbstractButton, "playButton"), (QAbstractButton, "stepButton"),
        (QAbstractButton, "resetButton"),
    ]:
        child(window, cls, name)
    assert window.findChild(object, "lossPlot") is not None
    assert window.findChild(object, "errorHeatmap") is not None
    speed = child(window, QComboBox, "speedCombo")
    assert speed.itemText(speed.count() - 1) == "Max"
    max_steps = child(window, QSpinBox, "maxStepsSpin")
    max_steps.setValue(10_000_000)
    assert max_steps.value() == 10_000_000
    assert child(window, QLabel, "iterationLabel").text() == "0"
    assert not window.playing
    assert window.state == "ready"


def test_five_steps_give_iteration_five_and_five_points(qtbot, window):
    for _ in range(5):
        click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: iteration(window) == 5, timeout=TIMEOUT_MS)
    assert window.loss_plot.point_count == 5
    assert not window.playing


def test_keyboard_step_and_play(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: iteration(window) == 2, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: f.playing,
                          timeout=TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key.Key_Space)
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: not f.playing,
                          timeout=TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key.Key_Space)


def test_play_then_pause_stops_the_iteration_count(qtbot, window):
    click(qtbot, window, "playButton")
    qtbot.waitUntil(lambda: iteration(window) >= 3, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: not f.playing,
                          timeout=TIMEOUT_MS):
        click(qtbot, window, "playButton")
    paused_at = iteration(window)
    assert window.state == "paused"
    assert window.loss_plot.point_count == paused_at
    # One Step after the pause advances by exactly one: nothing else was still stepping.
    with qtbot.waitSignal(window.frame_drawn, timeout=TIMEOUT_MS):
        click(qtbot, window, "stepButton")
    assert iteration(window) == paused_at + 1
    assert window.loss_plot.point_count == paused_at + 1


def test_reset_reproduces_the_first_losses_exactly(qtbot, window):
    losses = []
    window.frame_drawn.connect(lambda frame: losses.extend(frame.losses.tolist()))
    for _ in range(3):
        click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: len(losses) == 3, timeout=TIMEOUT_MS)
    first = list(losses)
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        click(qtbot, window, "resetButton")
    assert iteration(window) == 0
    assert window.loss_plot.point_count == 0
    for _ in range(3):
        click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: len(losses) == 6, timeout=TIMEOUT_MS)
    assert losses[3:] == first
    assert first[0] == pytest.approx(1.6650, abs=5e-5)  # the tutorial's first loss


def test_a_bad_cell_edit_is_refused_and_the_value_kept(qtbot, window):
    table = child(window, QTableView, "matrixTable")
    index = table.model().index(1, 1)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.findChild(QLineEdit)
    assert editor is not None
    editor.setText("two")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    message = child(window, QLabel, "editorMessage")
    # The delegate commits Return through a queued call: wait for it.
    qtbot.waitUntil(message.isVisible, timeout=TIMEOUT_MS)
    assert window.editor.array()[1, 1] == 2.0
    assert "kept its value" in message.text() and "'two' is not a number" in message.text()
    for bad in ("nan", "inf", "", "1,5"):
        assert not table.model().setData(index, bad)
    assert window.editor.array()[1, 1] == 2.0
    # A good edit goes through, restarts the run, and can be undone.
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        assert table.model().setData(index, "-2.5e-1")
    assert window.editor.array()[1, 1] == -0.25
    window.editor.model.undo_stack.undo()
    assert window.editor.array()[1, 1] == 2.0


def test_a_huge_learning_rate_pauses_with_a_divergence_message(qtbot, window):
    child(window, QComboBox, "speedCombo").setCurrentText("Max")
    child(window, QDoubleSpinBox, "lrSpin").setValue(1000.0)
    click(qtbot, window, "playButton")
    qtbot.waitUntil(lambda: window.state == "diverged", timeout=TIMEOUT_MS)
    assert not window.playing
    text = window.banner.text()
    assert "diverged" in text
    assert "Try lr < " in text
    assert window.banner.action_button.isVisible()
    assert window.banner.action_button.text().startswith("Use lr = ")
    # Taking the suggestion starts over with a stable learning rate.
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        window.banner.action_button.click()
    assert child(window, QDoubleSpinBox, "lrSpin").value() < 1.9
    assert window.state == "ready"


def test_closing_during_a_run_leaves_no_thread_running(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    child(win, QComboBox, "speedCombo").setCurrentText("Max")
    child(win, QSpinBox, "maxStepsSpin").setValue(0)  # unlimited: still running at close
    child(win, QDoubleSpinBox, "tolSpin").setValue(0.0)
    with qtbot.waitSignal(win.frame_drawn, check_params_cb=lambda f: f.playing,
                          timeout=TIMEOUT_MS):
        click(qtbot, win, "playButton")
    thread = win.model._thread
    assert thread.isRunning()
    win.close()
    assert not thread.isRunning()


@pytest.mark.parametrize("example, problem", [("indicator", "pinv"), ("svd-tutorial", "svd")])
def test_examples_step_through_pinv_and_svd(qtbot, window, example, problem):
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        window.open_example(example)
    combo = child(window, QComboBox, "problemCombo")
    assert combo.currentData() == problem  # an example comes with the tutorial's settings
    assert example in window.windowTitle()
    for _ in range(3):
        click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: iteration(window) == 3, timeout=TIMEOUT_MS)
    assert window.state == "paused"
    rows, cols = window.editor.array().shape
    expected = (rows, cols) if problem == "svd" else (cols, cols)
    assert window.error_heatmap.values().shape == expected


def test_the_solver_runs_in_the_worker_thread_only(qtbot, monkeypatch):
    # PySide6 runs a callable that is not a registered slot in the emitter's thread: a
    # worker method without @Slot would silently step the solver on the GUI thread.
    import threading

    import solver.run

    threads = set()
    original_step = solver.run.Run.step

    def recording_step(self, k=1):
        threads.add(threading.current_thread() is threading.main_thread())
        return original_step(self, k)

    monkeypatch.setattr(solver.run.Run, "step", recording_step)
    win = MainWindow()
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.frame_drawn, check_params_cb=lambda f: f.snapshot.iteration == 1,
                          timeout=TIMEOUT_MS):
        click(qtbot, win, "stepButton")
    assert threads == {False}


def test_arrow_keys_move_in_the_table_and_step_elsewhere(qtbot, window):
    table = child(window, QTableView, "matrixTable")
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Right)
    assert table.currentIndex().column() == 1
    assert iteration(window) == 0
    with qtbot.waitSignal(window.frame_drawn, timeout=TIMEOUT_MS):
        qtbot.keyClick(child(window, QAbstractButton, "stepButton"), Qt.Key.Key_Right)
    assert iteration(window) == 1


def test_lr_applies_live_and_seed_restarts(qtbot, window):
    first_run = window.model.run.run_id
    runs = set()
    window.frame_drawn.connect(lambda f: runs.add(f.run_id))
    for _ in range(2):
        click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: iteration(window) == 2, timeout=TIMEOUT_MS)
    child(window, QDoubleSpinBox, "lrSpin").setValue(0.5)
    child(window, QDoubleSpinBox, "momentumSpin").setValue(0.5)
    click(qtbot, window, "stepButton")
    # lr and momentum changed without a restart (each change also sends a frame).
    qtbot.waitUntil(lambda: iteration(window) == 3, timeout=TIMEOUT_MS)
    assert runs == {first_run}
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        window.panel.seed_spin.setValue(315)
    assert iteration(window) == 0 and window.loss_plot.point_count == 0


def test_f1_opens_the_help_without_blocking(qtbot, window):
    from gui.widgets.help_text import HelpDialog

    qtbot.keyClick(window, Qt.Key.Key_F1)
    box = window.findChild(HelpDialog)
    assert box is not None and box.isVisible() and not box.isModal()
    assert "Space" in box.browser.toPlainText()
    assert box.height() < 700  # scrolls instead of growing past a 768-pixel screen
    qtbot.keyClick(window, Qt.Key.Key_F1)  # F1 again raises the same window
    assert window.findChildren(HelpDialog) == [box]
    box.close()


def test_every_key_the_help_lists_does_something(window):
    import re

    from PySide6.QtGui import QAction, QKeySequence

    from gui.widgets.help_text import HELP_HTML

    bound = {sequence.toString() for action in window.findChildren(QAction)
             for sequence in action.shortcuts()}
    keys_table = HELP_HTML.split("<h3>Keys</h3>", 1)[1]
    listed = re.findall(r"<td><b>([^<]+)</b>", keys_table)
    listed += re.findall(r"</b> or <b>([^<]+)</b>", keys_table)
    listed += re.findall(r"</b> / <b>([^<]+)</b>", keys_table)
    assert {"Space", "N", "R", "P", "Ctrl+L", "F11", "Ctrl+O", "Ctrl+S"} <= set(listed)
    for key in listed:
        if key in ("Right",):  # claimed by the table for moving between cells first
            continue
        assert QKeySequence(key).toString() in bound, key


def test_before_the_first_step_the_loss_plot_frames_the_starting_loss(window):
    x_range, y_range = window.loss_plot.getPlotItem().vb.viewRange()
    start = np.log10(1.6650)  # the tutorial's loss at step 0 (the plot's y is log10)
    assert x_range[0] <= 0 and x_range[1] >= 10  # ten steps ahead, in whole steps
    assert y_range[0] <= start - 1 and y_range[1] >= start  # its decade and the next below
    assert y_range[1] - y_range[0] < 3  # not an empty default range
