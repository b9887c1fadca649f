"""Issue 5 in the window: compare runs, step back through history, lesson panel, projector.

Every number is checked against the solver run headless: pinned and figure losses, the
snapshot shown when scrubbing back, and the losses after resuming.
"""

from dataclasses import replace

import numpy as np
from files_support import new_run
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

from gui import projector as projector_module
from gui.compare import figures
from gui.compare.figures import FIGURES, TUTORIAL_INVERSE, TUTORIAL_SVD
from gui.files import dialogs
from gui.files.store import open_store
from gui.main_window import MainWindow
from gui.plots.heatmap import DIVERGING
from gui.projector import PROJECTOR_COLOURS, SETTINGS_KEY
from solver import Run, Settings
from solver.compare_export import read_compare_csv
from solver.presets import load_preset

TIMEOUT_MS = 30_000
FIGURE_TIMEOUT_MS = 180_000  # two headless runs on a machine shared with other test suites
DIAGONAL = np.diag([1.0, 2.0, 3.0, 4.0])
DIAGONAL_LABEL = "tutorial-diagonal · momentum lr 0.9 β 0.9"


def step(qtbot, win, times: int) -> None:
    """Step `times` times, one frame each, and wait until all are drawn."""
    start = win.timeline.latest
    for _ in range(times):
        win.step_once()
    qtbot.waitUntil(lambda: win.timeline.latest == start + times, timeout=TIMEOUT_MS)


def play_to_end(qtbot, win, max_steps: int) -> None:
    """Restart with `max_steps` and tol 0, then play at Max speed until the run has
    finished."""
    with qtbot.waitSignal(win.frame_drawn, check_params_cb=new_run(win), timeout=TIMEOUT_MS):
        win.findChild(QDoubleSpinBox, "tolSpin").setValue(0.0)
    with qtbot.waitSignal(win.frame_drawn, check_params_cb=new_run(win), timeout=TIMEOUT_MS):
        win.findChild(QSpinBox, "maxStepsSpin").setValue(max_steps)
    win.findChild(QComboBox, "speedCombo").setCurrentText("Max")
    win.toggle_play()
    qtbot.waitUntil(lambda: win.state == "finished", timeout=TIMEOUT_MS * 4)


def headless(matrix, settings: Settings, steps: int) -> Run:
    run = Run(matrix, settings)
    run.step(steps)
    return run


def menu_action(win, menu_title: str, text: str):
    for action in win.menuBar().actions():
        if action.text() == menu_title:
            for item in action.menu().actions():
                if item.text() == text:
                    return item
    raise AssertionError(f"no {text!r} in menu {menu_title!r}")


# --- compare runs ----------------------------------------------------------------------------
def test_pinned_runs_survive_reset_and_matrix_change_and_show_in_the_legend(qtbot, window):
    compare = window.compare
    step(qtbot, window, 5)
    pinned = compare.pin_current()
    assert pinned.name == DIAGONAL_LABEL
    # The loss before each of the 5 updates, then the loss of the estimate after them.
    run = headless(DIAGONAL, Settings(), 5)
    np.testing.assert_array_equal(pinned.losses[:5], run.history.values())
    assert pinned.losses[5] == run.snapshot().loss
    np.testing.assert_array_equal(pinned.iterations, np.arange(6))
    assert compare.overlay.legend_names() == ["now: " + DIAGONAL_LABEL, DIAGONAL_LABEL]

    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window), timeout=TIMEOUT_MS):
        window.reset_run()
    assert compare.pins.names() == [DIAGONAL_LABEL]
    assert compare.overlay.curve_names == [DIAGONAL_LABEL]
    assert compare.overlay.legend_names() == [DIAGONAL_LABEL]  # the live run has no points

    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window), timeout=TIMEOUT_MS):
        menu_action(window, "E&xamples", "tutorial-random").trigger()
    step(qtbot, window, 3)
    random_label = "tutorial-random · momentum lr 0.9 β 0.9"
    assert compare.overlay.legend_names() == ["now: " + random_label, DIAGONAL_LABEL]
    second = compare.pin_current()
    assert compare.pins.names() == [DIAGONAL_LABEL, random_label]
    np.testing.assert_array_equal(
        second.losses[:3],
        headless(load_preset("tutorial-random"), Settings(), 3).history.values())

    compare.pins.unpin(DIAGONAL_LABEL)
    assert compare.overlay.curve_names == [random_label]
    compare.pins.clear()
    assert compare.overlay.legend_names() == []
    assert compare.overlay.curve_names == []


def test_tutorial_figure_pins_both_runs_equal_to_the_headless_solver(qtbot, window, monkeypatch):
    # The real figure: the tutorial's run A settings, names and title.
    spec = FIGURES["inverse"]
    assert [(r.name, r.preset) for r in spec.runs] == [
        ("Random Matrix, Momentum=0.9", "tutorial-random"),
        ("Simple Diagonal Matrix, Momentum=0.9", "tutorial-diagonal")]
    assert spec.title == "How fast does the gradient algorithm converge? It depends"
    assert (TUTORIAL_INVERSE.lr, TUTORIAL_INVERSE.momentum, TUTORIAL_INVERSE.optimizer,
            TUTORIAL_INVERSE.max_steps, TUTORIAL_INVERSE.tol) == (0.9, 0.9, "momentum", 10_000, 0)
    assert [r.preset for r in FIGURES["svd"].runs] == [
        "svd-tutorial", "svd-seed315", "svd-seed316", "svd-seed317t", "svd-seed317"]
    assert (TUTORIAL_SVD.problem, TUTORIAL_SVD.svd_method, TUTORIAL_SVD.max_steps) == (
        "svd", "penalty", 20_000)
    # Computed with fewer steps here: the shared test machine runs ~2,000 steps a second.
    short = replace(TUTORIAL_INVERSE, max_steps=1500)
    monkeypatch.setitem(FIGURES, "inverse", replace(
        spec, runs=tuple(replace(r, settings=short) for r in spec.runs)))

    action = menu_action(window, "Tutorial &figures", spec.menu_text)
    action.trigger()
    assert window.compare.computing
    assert window.compare.progress.isVisible()
    assert not action.isEnabled()
    step(qtbot, window, 2)  # the GUI and the live run carry on meanwhile
    qtbot.waitUntil(lambda: not window.compare.computing, timeout=FIGURE_TIMEOUT_MS)

    pins = window.compare.pins
    assert pins.names() == [r.name for r in spec.runs]
    assert pins.title == spec.title
    # The figure's title heads its legend, under the plot; its curves are the only ones.
    assert window.loss_panel.legend.plain_text().startswith(spec.title)
    assert not window.loss_plot.live_visible
    for run, pinned in zip(spec.runs, pins.runs, strict=True):
        expected = headless(load_preset(run.preset), short, 1500).history.values()
        assert pinned.losses.size == 1500
        assert pinned.losses[-1] == expected[-1]
        np.testing.assert_array_equal(pinned.losses, expected)
    assert window.compare.overlay.legend_names()[-2:] == pins.names()
    assert not window.compare.progress.isVisible()
    assert action.isEnabled()


def test_cancel_stops_a_slow_figure_and_pins_nothing(qtbot, window):
    compare = window.compare
    assert compare.show_figure("svd")  # 5 x 20,000 SVD steps: far from done when cancelled
    assert not compare.show_figure("inverse")  # one figure at a time
    # The first progress report comes after the first chunk of steps: it is running.
    qtbot.waitUntil(lambda: "steps" in compare.progress.bar.format(), timeout=TIMEOUT_MS)
    compare.progress.cancel_button.click()
    qtbot.waitUntil(lambda: not compare.computing, timeout=TIMEOUT_MS)
    assert compare.pins.names() == []
    assert not compare.progress.isVisible()


def test_compare_csv_round_trip(qtbot, window, tmp_path, monkeypatch):
    compare = window.compare
    step(qtbot, window, 4)
    compare.pin_current()
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window), timeout=TIMEOUT_MS):
        window.panel.lr_spin.setValue(0.5)  # paused at 4: lr applies live, no restart
        window.reset_run()
    step(qtbot, window, 2)
    path = tmp_path / "compared.csv"
    compare.export_csv(str(path))
    back = read_compare_csv(path)
    assert [name for name, _, _ in back] == [
        DIAGONAL_LABEL, "tutorial-diagonal · momentum lr 0.5 β 0.9 (current run)"]
    np.testing.assert_array_equal(back[0][2], compare.pins.runs[0].losses)
    run = headless(DIAGONAL, Settings(lr=0.5), 2)
    np.testing.assert_array_equal(back[1][2], [*run.history.values(), run.snapshot().loss])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("iteration,")
    assert lines[4].endswith(",")  # the 2-step run is blank at iteration 3
    # The same through the menu: Compare > Export compared runs as CSV...
    chosen = tmp_path / "from-menu.csv"
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *args: (str(chosen), args[-1]))
    compare.export_action.trigger()
    assert chosen.read_bytes() == path.read_bytes()


# --- step back through history ----------------------------------------------------------------
def test_scrubbing_back_shows_the_exact_snapshot_and_resuming_reproduces_the_run(qtbot, window):
    play_to_end(qtbot, window, 300)
    original = window.compare.live_losses()
    assert original.size == 300
    settings = replace(Settings(), max_steps=300, tol=0.0)
    curves = (window.teaching.pinv_view.series, window.teaching.theory_view.directions.series)
    recorded = [series.x().copy() for series in curves]

    timeline = window.timeline
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: f.past,
                          timeout=TIMEOUT_MS):
        timeline.request_view(120)
    expected = headless(DIAGONAL, settings, 120).snapshot()
    assert timeline.viewing == 120
    assert window.iteration_label.text() == "120"
    np.testing.assert_array_equal(window.estimate_heatmap.values(), expected.estimate)
    np.testing.assert_array_equal(window.error_heatmap.values(), expected.error)
    assert timeline.resume_button.isEnabled()
    assert timeline._line.isVisible() and timeline._line.value() == 120

    # Dragging asks for many iterations; the last one asked for is the one shown.
    for t in range(10, 60, 5):
        timeline.request_view(t)
    qtbot.waitUntil(lambda: timeline.viewing == 55, timeout=TIMEOUT_MS)
    np.testing.assert_array_equal(window.estimate_heatmap.values(),
                                  headless(DIAGONAL, settings, 55).snapshot().estimate)
    assert window.compare.live_losses().size == 300  # looking back moves nothing
    for series, before in zip(curves, recorded, strict=True):  # nor cuts the teaching curves
        np.testing.assert_array_equal(series.x(), before)

    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window), timeout=TIMEOUT_MS):
        timeline.resume_button.click()
    assert timeline.viewing is None
    assert window.state == "paused"
    np.testing.assert_array_equal(window.compare.live_losses(), original[:55])
    assert window.loss_plot.point_count == 55
    window.toggle_play()
    qtbot.waitUntil(lambda: window.state == "finished", timeout=TIMEOUT_MS * 4)
    np.testing.assert_array_equal(window.compare.live_losses(), original)
    assert window.loss_plot.point_count == 300


def test_back_to_now_and_stepping_return_to_the_latest_iteration(qtbot, window):
    step(qtbot, window, 6)
    timeline = window.timeline
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: f.past,
                          timeout=TIMEOUT_MS):
        timeline.request_view(2)
    assert timeline.viewing == 2 and window.iteration_label.text() == "2"
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: f.past,
                          timeout=TIMEOUT_MS):
        timeline.live_button.click()
    assert timeline.viewing is None and window.iteration_label.text() == "6"
    timeline.request_view(3)
    qtbot.waitUntil(lambda: timeline.viewing == 3, timeout=TIMEOUT_MS)
    step(qtbot, window, 1)  # the run steps on from its latest iteration, not from 3
    assert timeline.viewing is None
    assert window.iteration_label.text() == "7"
    assert timeline.slider.value() == timeline.slider.maximum() == 7


def test_arrow_keys_scrub_while_the_slider_has_the_focus(qtbot, window):
    step(qtbot, window, 3)
    slider = window.timeline.slider
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: f.past,
                          timeout=TIMEOUT_MS):
        window.timeline.request_view(1)
    slider.setFocus()
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=lambda f: f.past,
                          timeout=TIMEOUT_MS):
        qtbot.keyClick(slider, Qt.Key.Key_Right)  # not the window's Step shortcut (Right)
    assert window.timeline.viewing == 2
    assert window.timeline.latest == 3


def test_closing_the_window_stops_a_figure_being_computed(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    assert win.compare.show_figure("svd")
    thread = win.compare._thread
    assert thread.isRunning()
    win.close()
    assert not thread.isRunning()


# --- lesson panel ---------------------------------------------------------------------------
def test_lesson_panel_starts_with_autograd_and_follows_the_run(qtbot, window):
    lesson = window.lesson
    assert lesson.page == 0
    text = lesson.text_shown()
    assert "16807" in text and "36015" in text
    assert lesson.autograd == (16807.0, 36015.0)
    assert lesson.sine_error < 1e-12
    assert lesson.sine_plot.isVisibleTo(lesson)

    lesson.show()
    lesson.raise_()
    qtbot.waitUntil(lesson.isVisible, timeout=TIMEOUT_MS)
    lesson.show_page(2)  # the loss, with its numbers
    assert not lesson.sine_plot.isVisibleTo(lesson)
    step(qtbot, window, 1)
    run = headless(DIAGONAL, Settings(), 1)
    qtbot.waitUntil(lambda: "t = 1:" in lesson.text_shown(), timeout=TIMEOUT_MS)
    assert f"{run.snapshot().loss:.4g}" in lesson.text_shown()
    step(qtbot, window, 1)
    qtbot.waitUntil(lambda: "t = 2:" in lesson.text_shown(), timeout=TIMEOUT_MS)
    assert f"{headless(DIAGONAL, Settings(), 2).snapshot().loss:.4g}" in lesson.text_shown()
    lesson.show_page(3)  # the gradient: autograd's number next to the closed form's
    qtbot.waitUntil(lambda: "closed form" in lesson.text_shown(), timeout=TIMEOUT_MS)
    gradient = headless(DIAGONAL, Settings(), 2).snapshot().gradient[0, 0]
    assert lesson.text_shown().count(f"{gradient:.4g}".replace("-", "−")) == 2
    for page in range(9):  # every page renders with live numbers
        lesson.show_page(page)
        assert lesson.text_shown().startswith(f"{page + 1}.")


def test_a_lesson_behind_the_views_renders_nothing_and_is_current_when_brought_up(
        qtbot, window, monkeypatch):
    # Behind the teaching views' tab the page is not seen: re-rendering it with each new
    # number would only take the GIL from the solver. In front again, it shows the run now.
    lesson = window.lesson
    lesson.show_page(2)  # the loss, with its numbers
    assert lesson.visibleRegion().isEmpty()  # a tab behind the teaching views
    rendered = []
    original = lesson.text.setHtml
    monkeypatch.setattr(lesson.text, "setHtml", lambda html: (rendered.append(html),
                                                              original(html)))
    step(qtbot, window, 3)
    window.findChild(QComboBox, "speedCombo").setCurrentText("Max")
    window.toggle_play()  # the tutorial's run, to convergence
    qtbot.waitUntil(lambda: window.model.state.done, timeout=TIMEOUT_MS)
    qtbot.wait(1200)  # a refresh would be due within a second
    assert rendered == []
    with qtbot.waitSignal(lesson.visibilityChanged, check_params_cb=bool,
                          timeout=TIMEOUT_MS):
        lesson.raise_()
    now = window.model.snapshot
    assert f"t = {now.iteration}:" in lesson.text_shown()
    assert f"{now.loss:.4g}".replace("-", "−") in lesson.text_shown()


# --- projector mode -------------------------------------------------------------------------

def test_projector_mode_changes_fonts_lines_colours_and_back(qtbot, window):
    projector = window.projector
    heatmap = window.error_heatmap
    axis = window.loss_plot.getPlotItem().getAxis("left")
    normal_points = window.font().pointSize()
    normal_tick = axis.style["tickFont"].pointSizeF()
    normal_title = heatmap.title_label.opts["size"]
    assert heatmap.colour_bar.colorMap() is DIVERGING
    assert not projector.enabled

    projector.action.trigger()
    assert projector.enabled
    assert window.font().pointSize() == projector.point_size > normal_points
    assert axis.style["tickFont"].pointSizeF() > normal_tick
    assert heatmap.colour_bar.colorMap() is PROJECTOR_COLOURS
    assert window.estimate_heatmap.colour_bar.colorMap() is PROJECTOR_COLOURS
    assert window.loss_plot.curve.opts["pen"].widthF() >= 4
    scaled_title = heatmap.title_label.opts["size"]
    assert float(scaled_title[:-2]) > float(normal_title[:-2])
    assert open_store().value(SETTINGS_KEY) in (True, "true")
    # A restart sets the heatmap titles again; projector mode keeps them large.
    with qtbot.waitSignal(window.frame_drawn, check_params_cb=new_run(window), timeout=TIMEOUT_MS):
        window.reset_run()
    assert heatmap.title_label.opts["size"] == scaled_title

    projector.action.trigger()
    assert not projector.enabled
    assert window.font().pointSize() == normal_points
    assert axis.style["tickFont"].pointSizeF() == normal_tick
    assert heatmap.colour_bar.colorMap() is DIVERGING
    assert heatmap.title_label.opts["size"] == normal_title
    assert window.loss_plot.curve.opts["pen"].widthF() <= 2
    assert open_store().value(SETTINGS_KEY) in (False, "false")


def test_projector_choice_is_remembered_where_the_screen_fits_it(qtbot, window, monkeypatch):
    window.projector.set_enabled(True)
    # The offscreen screen is 800 x 800: too small for the presentation layout.
    small = MainWindow()
    qtbot.addWidget(small)
    assert not small.projector.enabled and not small.projector.action.isChecked()
    monkeypatch.setattr(projector_module, "screen_fits", lambda window: True)
    second = MainWindow()
    qtbot.addWidget(second)
    assert second.projector.enabled
    assert second.font().pointSize() == second.projector.point_size
    assert second.projector.action.isChecked()


def test_figure_worker_reports_progress_and_results_headless(qtbot):
    """The worker itself, called directly (no thread): progress ends at the total."""
    short = replace(TUTORIAL_INVERSE, max_steps=60)
    spec = figures.FigureSpec("m", "t", (figures.RunSpec("a", "tutorial-diagonal", short),))
    worker = figures.FigureWorker(spec)
    seen, results = [], []
    worker.progress.connect(lambda done, total, name: seen.append((done, total)))
    worker.computed.connect(results.append)
    worker.compute()
    assert seen[-1] == (60, 60)
    ((name, losses),) = results[0]
    assert name == "a"
    np.testing.assert_array_equal(losses, headless(DIAGONAL, short, 60).history.values())
