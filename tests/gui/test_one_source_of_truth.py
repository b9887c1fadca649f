"""Nothing on screen belongs to another run (issue 11).

Each test leaves a window in a state full of one run's traces (steps on the plot, a
divergence banner with its button, heatmaps of another shape, a hover read-out), makes one
kind of change, and compares what the window shows with a fresh window opened on the same
document: the controls' values, the banner, and the pixels of the loss plot, the heatmaps
and the teaching views.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from files_support import TIMEOUT_MS, new_run
from PySide6.QtCore import QEvent, QPointF
from PySide6.QtWidgets import QApplication

from gui.main_window import MainWindow
from solver import Settings
from solver.presets import load_preset
from solver.session import Lesson, save_lesson

SIZE = (1280, 860)


def show(qtbot, window: MainWindow) -> MainWindow:
    qtbot.addWidget(window)
    window.resize(*SIZE)
    with qtbot.waitSignal(window.frame_drawn, timeout=TIMEOUT_MS):
        window.show()
    return window


def settle(qtbot, window: MainWindow) -> None:
    """Wait until the run has sent its first frame and nothing is pending to paint."""
    qtbot.waitUntil(lambda: window.model.snapshot is not None, timeout=TIMEOUT_MS)
    qtbot.wait(150)  # pyqtgraph lays out axes and legends from queued events
    QApplication.processEvents()


def fresh_like(qtbot, window: MainWindow) -> MainWindow:
    """A new window on the document `window` shows, at the start of its run."""
    model = window.model
    other = show(qtbot, MainWindow(model.matrix, model.settings, model.name))
    other.model.set_speed(model.speed)
    settle(qtbot, other)
    return other


def shown_state(window: MainWindow) -> dict:
    """What a class reads off the window, besides the pixels."""
    return {
        "settings": window.panel.settings(),
        "shape": window.model.matrix_model.shape,
        "banner": window.banner.text(),
        "banner button": window.banner.action_button.isVisible(),
        "state": window.state_label.text(),
        "iteration": window.iteration_label.text(),
        "loss": window.loss_label.text(),
        "stable": window.panel.stable_label.text(),
        "hover": window.loss_plot.hover_text,
        "heatmap hover": window.error_heatmap.hover_label.text,
        "points": window.loss_plot.point_count,
        "play enabled": window.transport.play_button.isEnabled(),
        "tab": window.teaching.current_tab(),
        "theory": window.teaching.theory_view.numbers.text(),
        "overlay": window.teaching.overlay.label.text(),
        "legend": window.loss_panel.legend.plain_text(),
        "lesson": window.lesson.text_shown(),
    }


def pixels(widget) -> np.ndarray:
    image = widget.grab().toImage()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(image.height(), image.bytesPerLine()).copy()


def assert_looks_like_fresh(qtbot, window: MainWindow, tmp_path, fresh=None) -> None:
    """`window` shows what `fresh` (default: a new window on its document) shows."""
    settle(qtbot, window)
    fresh = fresh or fresh_like(qtbot, window)
    assert shown_state(window) == shown_state(fresh)
    for name in ("loss_panel", "error_heatmap", "estimate_heatmap", "teaching"):
        mine, theirs = pixels(getattr(window, name)), pixels(getattr(fresh, name))
        if mine.shape != theirs.shape or not np.array_equal(mine, theirs):
            getattr(window, name).grab().save(str(tmp_path / f"{name}-after-change.png"))
            getattr(fresh, name).grab().save(str(tmp_path / f"{name}-fresh.png"))
            differ = 1.0 if mine.shape != theirs.shape else float(np.mean(mine != theirs))
            pytest.fail(f"{name} differs from a fresh window ({differ:.1%} of the bytes; "
                        f"images in {tmp_path})")


def diverged_window(qtbot) -> MainWindow:
    """tutorial-random diverged with plain gradient descent at lr 50: a red banner with a
    "Use lr = ..." button, a curve, heatmaps, a hover read-out over the curve."""
    window = show(qtbot, MainWindow())
    window.open_example("tutorial-random")
    settle(qtbot, window)
    window.model.update_settings(optimizer="gd", lr=50.0)
    window.model.play()
    qtbot.waitUntil(lambda: window.state == "diverged", timeout=TIMEOUT_MS)
    settle(qtbot, window)
    assert window.banner.action_button.isVisible()
    plot = window.loss_plot
    view = plot.getPlotItem().vb
    centre = view.mapViewToScene(QPointF(1.0, view.viewRange()[1][1] - 0.5))
    plot.scene().sigMouseMoved.emit(centre)
    assert plot.hover_text.startswith("t = ")
    return window


# --- every kind of change ---------------------------------------------------------------------
def test_an_example_after_a_divergence_looks_like_a_fresh_window(qtbot, tmp_path):
    window = diverged_window(qtbot)
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        window.open_example("indicator")
    assert window.banner.text().startswith("Example indicator")  # its one-line description
    assert window.model.settings == Settings(problem="pinv")  # its tutorial settings
    fresh = show(qtbot, MainWindow())
    fresh.open_example("indicator")
    settle(qtbot, fresh)
    assert_looks_like_fresh(qtbot, window, tmp_path, fresh)


def test_opening_a_file_after_a_divergence_looks_like_a_fresh_window(qtbot, tmp_path):
    window = diverged_window(qtbot)
    path = tmp_path / "tall.csv"
    path.write_text("1,2,0\n0,1,3\n4,0,1\n1,1,1\n2,0,5\n")
    assert window.files.open_path(path)
    assert window.model.settings.problem == "pinv"  # valid for the 5 x 3 shape
    assert window.model.settings.lr == 50.0  # the other settings stay
    assert_looks_like_fresh(qtbot, window, tmp_path)


def test_examples_come_with_their_tutorial_settings(qtbot):
    window = show(qtbot, MainWindow())
    window.open_example("tutorial-random")
    settle(qtbot, window)
    window.optimal_action.trigger()  # lr 6.78, far above indicator's stable limit
    assert window.model.settings.lr > 6
    for name, problem, steps in (("indicator", "pinv", 10_000), ("hilbert-6", "inverse", 10_000),
                                 ("svd-tutorial", "svd", 20_000), ("svd-seed317", "svd", 20_000),
                                 ("tutorial-diagonal", "inverse", 10_000)):
        window.open_example(name)
        settings = window.model.settings
        assert (settings.problem, settings.lr, settings.momentum, settings.max_steps) == (
            problem, 0.9, 0.9, steps), name
        assert window.panel.settings() == settings
    window.open_example("singular-3")  # below its stable limit of 0.06
    assert window.model.settings.lr == 0.05


@pytest.mark.parametrize("change", [
    "resize", "edit a cell", "problem", "optimizer", "dtype", "device", "reset", "seed"])
def test_each_change_after_steps_looks_like_a_fresh_window(qtbot, tmp_path, change):
    if change == "device" and not torch.cuda.is_available():
        pytest.skip("no CUDA device: the device choice has one entry")
    window = diverged_window(qtbot)
    model = window.model
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        if change == "resize":
            window.editor.cols_spin.setValue(6)  # 4 x 4 -> 4 x 6: a pseudo-inverse now
        elif change == "edit a cell":
            index = model.matrix_model.index(1, 2)
            assert model.matrix_model.setData(index, "0.25")
        elif change == "problem":
            window.panel.problem_combo.setCurrentIndex(
                window.panel.problem_combo.findData("pinv"))
        elif change == "optimizer":
            window.panel.optimizer_combo.setCurrentIndex(
                window.panel.optimizer_combo.findData("adam"))
        elif change == "dtype":
            window.panel.dtype_combo.setCurrentIndex(
                window.panel.dtype_combo.findData("float64"))
        elif change == "device":
            window.panel.device_combo.setCurrentIndex(window.panel.device_combo.findData("cuda"))
        elif change == "reset":
            window.reset_run()
        elif change == "seed":
            window.panel.seed_spin.setValue(7)
    if change == "resize":
        assert model.settings.problem == "pinv"
    if change == "optimizer":
        assert model.settings.lr == 1e-3  # Adam's own default, not gradient descent's 50
    assert_looks_like_fresh(qtbot, window, tmp_path)


def test_reopening_a_lesson_looks_like_opening_it_in_a_fresh_window(qtbot, tmp_path):
    path = tmp_path / "class.mdlesson"
    matrix = load_preset("tutorial-random")
    save_lesson(path, Lesson(matrix, Settings(problem="inverse", lr=0.5), {"speed": 20.0}))
    window = diverged_window(qtbot)
    assert window.files.open_path(path)
    settle(qtbot, window)
    fresh = show(qtbot, MainWindow())
    assert fresh.files.open_path(path)
    settle(qtbot, fresh)
    assert shown_state(window) == shown_state(fresh)
    for name in ("loss_plot", "error_heatmap", "estimate_heatmap"):
        assert np.array_equal(pixels(getattr(window, name)), pixels(getattr(fresh, name))), name


def test_a_reopened_lesson_shows_its_history_and_the_slider_works_over_it(qtbot, tmp_path):
    window = show(qtbot, MainWindow())
    for _ in range(40):
        window.step_once()
    qtbot.waitUntil(lambda: len(window.model.losses) == 40, timeout=TIMEOUT_MS)
    path = tmp_path / "forty.mdlesson"
    assert window.files.save_to(path)
    saved = window.model.history()

    again = show(qtbot, MainWindow())
    assert again.files.open_path(path)
    assert again.loss_plot.point_count == 40  # the saved history, before any step
    qtbot.waitUntil(lambda: again.state == "paused", timeout=TIMEOUT_MS)
    assert again.iteration_label.text() == "40"
    x_range = again.loss_plot.getPlotItem().vb.viewRange()[0]
    assert x_range[0] <= 0 and x_range[1] >= 39  # framed around the history, not t = 0…10
    np.testing.assert_array_equal(again.model.history()[1], saved[1])
    with qtbot.waitSignal(again.frame_drawn, check_params_cb=lambda f: f.past,
                          timeout=TIMEOUT_MS):
        again.timeline.request_view(12)
    assert again.timeline.viewing == 12 and again.iteration_label.text() == "12"


def test_a_matrix_that_cannot_run_is_a_failed_state_and_play_stays_off(qtbot, tmp_path):
    window = show(qtbot, MainWindow())
    for _ in range(3):
        window.step_once()
    qtbot.waitUntil(lambda: len(window.model.losses) == 3, timeout=TIMEOUT_MS)
    # Beyond what float32 can hold: the run cannot start.
    bad = np.ones((7, 3))
    bad[2, 1] = 1e39
    window.model.set_matrix(bad)
    qtbot.waitUntil(lambda: window.state == "failed", timeout=TIMEOUT_MS)
    reason = window.model.state.reason
    assert reason and "\n" not in reason
    assert window.banner.text() and not window.transport.play_button.isEnabled()
    assert window.loss_plot.point_count == 0 and window.iteration_label.text() == "0"
    window.model.play()  # nothing moves: the old 4 x 4 run is gone
    qtbot.wait(300)
    assert window.state == "failed" and len(window.model.losses) == 0
    # Changing a setting makes it runnable again.
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        window.panel.dtype_combo.setCurrentIndex(window.panel.dtype_combo.findData("float64"))
    assert window.transport.play_button.isEnabled()
    assert_looks_like_fresh(qtbot, window, tmp_path)


def test_frames_of_an_earlier_run_are_dropped(qtbot):
    window = show(qtbot, MainWindow())
    frames = []
    window.model.frame.connect(frames.append)
    with qtbot.waitSignal(window.frame_drawn, timeout=TIMEOUT_MS) as first:
        window.step_once()
    old = first.args[0]
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        window.reset_run()
    frames.clear()
    window.model._on_frame(old)  # a frame of the run before the reset, arriving late
    assert frames == [] and window.iteration_label.text() == "0"


# --- live changes, resume --------------------------------------------------------------------
def test_a_live_lr_change_anchors_the_prediction_and_the_divergence_message_there(qtbot):
    window = show(qtbot, MainWindow())
    window.model.update_settings(optimizer="gd", lr=0.46)
    for _ in range(20):
        window.step_once()
    qtbot.waitUntil(lambda: len(window.model.losses) == 20, timeout=TIMEOUT_MS)
    loss_at_change = window.model.snapshot.loss
    with qtbot.waitSignal(window.frame_drawn, timeout=TIMEOUT_MS):
        window.model.update_settings(lr=50.0)  # live: same run, from iteration 20 on
    overlay = window.teaching.overlay
    assert overlay.anchor == (20, pytest.approx(loss_at_change))
    xs, _ys = overlay.line_points()
    assert xs and xs[0] == 20  # the dashed line starts at the change, not at 0
    window.model.play()
    qtbot.waitUntil(lambda: window.state == "diverged", timeout=TIMEOUT_MS)
    reason = window.model.state.reason
    assert f"grew from {loss_at_change:.3g} (its value at iteration 20" in reason


def test_resume_keeps_the_teaching_curves_up_to_the_resumed_iteration(qtbot):
    window = show(qtbot, MainWindow())
    for _ in range(30):
        window.step_once()
    qtbot.waitUntil(lambda: len(window.model.losses) == 30, timeout=TIMEOUT_MS)
    series = window.teaching.pinv_view.series
    before = series.x().copy()
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: f.past,
                          timeout=TIMEOUT_MS):
        window.timeline.request_view(12)
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        window.timeline.resume_button.click()
    np.testing.assert_array_equal(series.x(), before[before <= 12])
    assert window.loss_plot.point_count == 12 and window.banner.text() == ""


def test_the_hover_read_out_goes_with_its_run(qtbot):
    window = diverged_window(qtbot)
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        window.reset_run()
    assert window.loss_plot.hover_text == ""


def test_a_wide_pseudo_inverse_shows_the_residual_it_minimises_on_every_page(qtbot):
    """4 × 4 → 4 × 6: the solver minimises ‖M·X − I‖²; the Residual control, the heatmap
    and every lesson page say so (the lesson's Gradient page used to raise here)."""
    from gui.lesson.steps import PAGES

    window = show(qtbot, MainWindow(load_preset("tutorial-diagonal"), Settings(), "d"))
    settle(qtbot, window)
    wide = np.eye(4, 6) + np.arange(24.0).reshape(4, 6) / 100
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window),
                          timeout=TIMEOUT_MS):
        window.model.set_matrix(wide)
    window.model.step()
    qtbot.waitUntil(lambda: window.model.snapshot.iteration == 1, timeout=TIMEOUT_MS)
    assert window.panel.settings().problem == "pinv"
    assert window.panel.settings().side == "right"
    assert window.panel.side_combo.currentText() == "right: M·X = I"
    assert not window.panel.side_combo.isEnabled()
    window.lesson.show()
    for page in range(len(PAGES)):
        window.lesson.show_page(page)
        QApplication.processEvents()
        assert window.lesson.page == page
        assert "X·M − I" not in window.lesson.text_shown()
    window.lesson.show_page(2)
    assert "M·X − I" in window.lesson.text_shown()


def test_a_lesson_saved_at_convergence_reopens_converged(qtbot, tmp_path):
    window = show(qtbot, MainWindow(load_preset("tutorial-random"), Settings(lr=6.126,
                                                                            momentum=0.8426)))
    window.model.set_speed(0)
    window.model.play()
    qtbot.waitUntil(lambda: window.state == "converged", timeout=TIMEOUT_MS)
    converged_at = window.model.snapshot.iteration
    path = tmp_path / "done.mdlesson"
    assert window.files.save_to(path)

    again = show(qtbot, MainWindow())
    assert again.files.open_path(path)
    qtbot.waitUntil(lambda: again.state == "converged", timeout=TIMEOUT_MS)
    assert again.iteration_label.text() == str(converged_at)
    assert again.state_label.toolTip() == window.state_label.toolTip()
    x_range = again.loss_plot.getPlotItem().vb.viewRange()[0]
    assert x_range[1] >= converged_at - 1


def _in_view(window: MainWindow, iteration: int, loss: float) -> bool:
    (x0, x1), (y0, y1) = window.loss_plot.getPlotItem().vb.viewRange()
    return x0 <= iteration <= x1 and y0 <= np.log10(loss) <= y1


def test_the_curve_reaches_the_loss_the_banner_and_status_name(qtbot):
    """Diverged at iteration t with loss L: the curve goes on to (t, L) and the view holds
    it (it used to end at t − 1, a decade or more below the axis' top)."""
    window = diverged_window(qtbot)
    snapshot = window.model.snapshot
    assert f"{snapshot.iteration}" in window.banner.text()
    assert _in_view(window, snapshot.iteration, snapshot.loss)
    assert window.loss_plot.curve_end == pytest.approx((snapshot.iteration,
                                                         np.log10(snapshot.loss)))

    window.model.reset()
    window.model.update_settings(optimizer="momentum", lr=0.9)
    window.model.play()
    qtbot.waitUntil(lambda: window.state == "converged", timeout=TIMEOUT_MS)
    settle(qtbot, window)
    final = window.model.snapshot
    assert final.loss < 1e-12 and _in_view(window, final.iteration, final.loss)


def test_viewing_the_past_says_so_and_the_read_out_goes_with_the_mouse(qtbot):
    window = diverged_window(qtbot)  # leaves a hover read-out over the curve
    state = window.state
    QApplication.sendEvent(window.loss_plot, QEvent(QEvent.Type.Leave))
    assert window.loss_plot.hover_text == ""
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: f.past,
                          timeout=TIMEOUT_MS):
        window.timeline.request_view(1)
    assert window.state_label.text() == "viewing history"
    label = window.state_label  # whole, not "viewing histo"
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
    assert window.iteration_label.text() == "1"
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: not f.past,
                          timeout=TIMEOUT_MS):
        window.timeline.go_live()
    assert window.state_label.text() == state


def test_the_read_out_goes_when_the_plot_moves_under_a_still_mouse(qtbot):
    """Projector mode on or off resizes the plot under the mouse: the read-out was left
    naming a point the mouse was no longer over."""
    window = diverged_window(qtbot)
    assert window.loss_plot.hover_text.startswith("t = ")
    window.projector.set_enabled(True, remember=False)
    qtbot.waitUntil(lambda: window.loss_plot.hover_text == "", timeout=TIMEOUT_MS)
    window.projector.set_enabled(False, remember=False)
