"""The numbers behind the teaching views (issue 5): SVD, pseudo-inverse, gradient, theory.

Long runs are driven through solver.Run directly and their snapshots fed to a view; the
window is used for what it shows (tabs, the dashed prediction, the Optimal settings action).
"""

import math

import numpy as np
import pytest
from files_support import new_run
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractButton, QMenu

from gui.main_window import MainWindow
from gui.teaching.context import RunContext
from gui.teaching.direction_plot import DirectionPlot
from gui.teaching.gradient_view import GradientView
from gui.teaching.pinv_view import PinvView
from gui.teaching.series import Series
from gui.teaching.svd_view import SvdView
from solver import Run, Settings
from solver.presets import load_preset
from solver.theory import limit_text
from solver.views_math import check_gradient, predicted_segment

TIMEOUT_MS = 20_000


def context_of(matrix, settings):
    """The RunContext a window would take for this matrix and settings."""
    from solver.views_math import residual_side

    settings = settings.validated(matrix.shape)
    side = residual_side(matrix.shape, settings.problem, settings.side)
    return RunContext(matrix.astype(settings.dtype), settings, settings.problem, side)


def feed(view, run, steps, every):
    """Step `run` `steps` times, showing a snapshot every `every` steps (as while playing)."""
    view.show_snapshot(run.snapshot())
    while run.iteration < steps and not run.done:
        run.step(min(every, steps - run.iteration))
        view.show_snapshot(run.snapshot())
    return run.snapshot()


def open_window(qtbot, preset=None, settings=None):
    win = MainWindow(None if preset is None else load_preset(preset), settings, name=preset)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.frame_drawn, timeout=TIMEOUT_MS):
        win.show()
    return win


def step(qtbot, win, count):
    for _ in range(count):
        with qtbot.waitSignal(win.frame_drawn, timeout=TIMEOUT_MS):
            win.step_once()


# --- SVD -----------------------------------------------------------------------------------
def test_deflation_paths_end_at_torchs_singular_values(qtbot):
    view = SvdView()
    qtbot.addWidget(view)
    view.show()  # hidden views only record; on screen they draw and judge
    run = Run(load_preset("svd-tutorial"), Settings(problem="svd", svd_method="deflation"))
    view.start(run.snapshot())
    final = feed(view, run, 10_000, every=250)
    assert run.status.state == "converged"
    series = view.paths.series
    last = np.array([series.y(i)[-1] for i in range(series.width)])
    np.testing.assert_allclose(last, final.reference, rtol=1e-4, atol=1e-5)
    assert series.x()[-1] == run.iteration
    assert view.table.matches.all()
    assert view.verdict.text().startswith("✓ Same SVD as torch.linalg.svd")
    np.testing.assert_allclose(view.u_defect.values(), 0.0, atol=1e-4)
    np.testing.assert_allclose(view.v_defect.values(), 0.0, atol=1e-4)


def test_penalty_stalls_on_seed_317_where_deflation_converges(qtbot):
    matrix = load_preset("svd-seed317")
    penalty, deflation = SvdView(), SvdView()
    for view in (penalty, deflation):
        qtbot.addWidget(view)
        view.show()  # hidden views only record; on screen they draw and judge
    run = Run(matrix, Settings(problem="svd", svd_method="penalty"))
    penalty.start(run.snapshot())
    final = feed(penalty, run, 2500, every=100)
    # σ₃ ends visibly off its dashed line, held at 0.
    last = np.array([penalty.paths.series.y(i)[-1] for i in range(penalty.paths.series.width)])
    assert abs(last[2] - final.reference[2]) > 0.3 and last[2] == 0
    assert not penalty.table.matches[2] and penalty.table.matches[:2].all()
    assert penalty.stalled
    text = penalty.verdict.text()
    assert text.startswith("✗ Stalled at t = 2,500") and "σ₃ = 0 where torch has 0.3363" in text
    assert "σ₃ = d₃² is held at 0" in text and "u₃ᵀ(M − U·S·Vᵀ)v₃ = -0.274" in text
    assert np.abs(penalty.reconstruction.values()).max() > 1e-3

    run = Run(matrix, Settings(problem="svd", svd_method="deflation"))
    deflation.start(run.snapshot())
    feed(deflation, run, 5000, every=100)
    assert run.status.state == "converged"
    assert deflation.table.matches.all() and not deflation.stalled


def test_penalty_on_seed_316_is_slow_not_stalled(qtbot):
    """The README and this view used to say seed 316 stalls; it is right after ~100,000."""
    view = SvdView()
    qtbot.addWidget(view)
    view.show()
    run = Run(load_preset("svd-seed316"), Settings(problem="svd", svd_method="penalty"))
    view.start(run.snapshot())
    feed(view, run, 3000, every=100)
    assert not view.stalled and not view.table.matches[3]
    text = view.verdict.text()
    assert text.startswith("Slow, not stalled, at t = 3,000: at the pace of the last 1,500 "
                           "steps it needs about ")
    assert view.watch.verdict(run.snapshot()).steps_needed > 10_000


def test_window_shows_the_svd_tab_for_an_svd_run(qtbot):
    win = open_window(qtbot, "svd-seed317", Settings(problem="svd", svd_method="penalty"))
    dock = win.teaching
    assert dock.current_tab() == "svd"
    assert dock.tabs.isTabEnabled(dock.tabs.indexOf(dock.svd_view))
    assert not dock.tabs.isTabEnabled(dock.tabs.indexOf(dock.pinv_view))
    step(qtbot, win, 3)
    assert len(dock.svd_view.paths.series) == 4  # iterations 0..3
    assert dock.svd_view.table.rowCount() == 3
    assert not win.optimal_action.isEnabled()  # no theory optimum for the SVD


# --- pseudo-inverse ------------------------------------------------------------------------
@pytest.mark.parametrize("init", ["random", "zeros"])
def test_pinv_null_space_part_is_kept_from_random_and_zero_from_zeros(qtbot, init):
    view = PinvView()
    qtbot.addWidget(view)
    view.show()
    matrix = load_preset("indicator")
    settings = Settings(problem="pinv", init=init)
    run = Run(matrix, settings)
    view.start(context_of(matrix, settings))
    nulls = []
    view.show_snapshot(run.snapshot())
    shown_at = {0}
    while run.iteration < 1000 and not run.done:
        run.step(50)
        snap = run.snapshot()
        nulls.append(snap.extra["null_space_norm"])
        view.show_snapshot(snap)
        shown_at.add(snap.iteration)
    nulls = np.array(nulls)
    shown = 10.0 ** view.series.y(1)
    if init == "random":
        assert nulls.min() > 0.5
        np.testing.assert_allclose(nulls, nulls[0], rtol=1e-4)
        np.testing.assert_allclose(shown[-1], nulls[-1], rtol=1e-9)
        # The distance to pinv(M) levels off at exactly the null-space part.
        assert snap.distance == pytest.approx(nulls[-1], rel=1e-2)
        assert "never changes" in view.summary.text()
    else:
        assert nulls.max() < 1e-5
        assert snap.distance < 1e-2
        assert "zero" in view.summary.text()
    # One point per iteration shown (the last chunk may stop at once: converged there).
    assert len(view.series) == len(shown_at)


def test_window_opens_the_pinv_tab_for_indicator(qtbot):
    win = open_window(qtbot, "indicator", Settings(problem="pinv"))
    assert win.teaching.current_tab() == "pinv"
    step(qtbot, win, 2)
    assert len(win.teaching.pinv_view.series) == 3


# --- gradient ------------------------------------------------------------------------------
@pytest.mark.parametrize("preset, problem, side", [
    ("tutorial-random", "inverse", "left"),
    ("tutorial-random", "inverse", "right"),
    ("tutorial-random", "inverse", "both"),
    ("indicator", "pinv", "left"),
])
def test_autograd_equals_the_closed_form(preset, problem, side):
    matrix = load_preset(preset)
    settings = Settings(problem=problem, side=side)
    run = Run(matrix, settings)
    run.step(3)
    snap = run.snapshot()
    ctx = context_of(matrix, settings)
    check = check_gradient(ctx.matrix, snap.estimate, ctx.side, "float32")
    assert check.max_difference < 1e-6 * max(check.largest_entry, 1.0)
    # The run's own (autograd) gradient is the same matrix.
    np.testing.assert_allclose(snap.gradient, check.closed_form, atol=1e-6)


def test_pinv_of_a_wide_matrix_uses_the_right_residual():
    matrix = load_preset("indicator").T  # 3 x 17: M·X = I
    ctx = context_of(matrix, Settings(problem="pinv"))
    assert ctx.side == "right"
    x = np.random.default_rng(0).random((17, 3)).astype(np.float32)
    check = check_gradient(ctx.matrix, x, ctx.side, "float32")
    assert check.n_entries == 9
    assert check.max_difference < 1e-6 * check.largest_entry


def test_gradient_view_shows_the_check_in_the_window(qtbot):
    win = open_window(qtbot)
    win.teaching.show_tab("gradient")
    step(qtbot, win, 1)
    view = win.teaching.gradient_view
    assert view.check is not None and view.check.max_difference < 1e-6
    assert "largest |difference|" in view.check_label.text()
    assert "✓" in view.check_label.text()
    np.testing.assert_allclose(view.heatmap.values(), view.check.closed_form, atol=1e-6)


def test_gradient_view_at_the_end_of_a_converged_run_says_equal(qtbot):
    """It said "✗ different" for 2.65e-08 at the end and "✓ equal" for the same at t = 7."""
    matrix = load_preset("tutorial-random")
    run = Run(matrix, Settings())
    while not run.done:
        run.step(1000)
    assert run.status.state == "converged"
    view = GradientView()
    qtbot.addWidget(view)
    view.show()
    view.start(context_of(matrix, Settings()), run.snapshot())
    view.show_snapshot(run.snapshot())
    text = view.check_label.text()
    assert view.check.equal and "✓ equal up to rounding" in text
    assert f"t = {run.iteration:,}" in text and "float32 rounding allows" in text


# --- theory on the plot --------------------------------------------------------------------
def test_the_predicted_factor_shown_is_theorys(qtbot):
    win = open_window(qtbot, "tutorial-random", Settings(optimizer="gd", lr=0.5, momentum=0.0))
    with qtbot.waitSignal(win.frame_drawn, timeout=TIMEOUT_MS) as blocker:
        win.step_once()
    theory = blocker.args[0].theory
    overlay = win.teaching.overlay
    assert overlay.factor == theory.predicted_loss_factor
    assert f"× {theory.predicted_loss_factor:.4g} per step" in overlay.label.text()
    assert f"lr &lt; {limit_text(theory.max_stable_lr)}" in overlay.label.text()  # 3.79, not 3.8
    # The dashed line starts at the current point and falls by log10(factor) per step.
    xs, ys = overlay.line_points()
    assert xs[0] == 1 and ys[0] == pytest.approx(math.log10(blocker.args[0].snapshot.loss))
    slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
    assert slope == pytest.approx(math.log10(theory.predicted_loss_factor))
    # A new lr is a new prediction.
    with qtbot.waitSignal(win.frame_drawn, check_params_cb=lambda f: f.theory is not theory,
                          timeout=TIMEOUT_MS) as blocker:
        win.panel.lr_spin.setValue(0.25)
    new_factor = blocker.args[0].theory.predicted_loss_factor
    assert overlay.factor == new_factor != theory.predicted_loss_factor


@pytest.mark.parametrize("preset, lr", [("tutorial-diagonal", 0.4605170185988092),
                                        ("tutorial-random", 3.0)])
def test_predicted_rate_within_ten_percent_of_the_observed_one(preset, lr):
    run = Run(load_preset(preset), Settings(optimizer="gd", lr=lr, momentum=0.0,
                                            dtype="float64", max_steps=0, tol=0.0))
    losses = run.step(4000).losses
    # Measure where the slowest mode dominates and before float64's floor.
    window = np.flatnonzero((losses < losses[0] * 1e-4) & (losses > 1e-26))
    first, last = window[0], window[-1]
    observed = (losses[last] / losses[first]) ** (1.0 / (last - first))
    assert observed == pytest.approx(run.theory.predicted_loss_factor, rel=0.1)


def test_optimal_settings_puts_theorys_values_into_the_controls(qtbot):
    win = open_window(qtbot, "tutorial-random")  # heavy ball, the tutorial's optimizer
    dock = win.teaching
    action = win.optimal_action
    theory = win.model.theory
    assert action.isEnabled()
    # The same action is a button under the momentum control, in the Theory tab and in Run.
    panel_button = win.panel.findChild(QAbstractButton, "panelOptimalSettingsButton")
    assert panel_button.defaultAction() is action
    assert dock.theory_view.optimal_button.defaultAction() is action
    run_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Run")
    assert isinstance(run_menu, QMenu) and action in run_menu.actions()
    with qtbot.waitSignal(
            win.frame_drawn, timeout=TIMEOUT_MS,
            check_params_cb=lambda f: f.settings.momentum == theory.optimal_momentum):
        panel_button.click()
    assert win.panel.lr_spin.value() == theory.optimal_lr
    assert win.panel.momentum_spin.value() == theory.optimal_momentum  # every digit
    assert win.model.settings.lr == theory.optimal_lr  # and so does the run
    assert win.panel.lr_inside_stable_range


def test_optimal_settings_for_plain_descent_sets_the_lr_only(qtbot):
    win = open_window(qtbot, settings=Settings(optimizer="gd", momentum=0.0))
    theory = win.model.theory
    assert theory.optimal_momentum is None
    win.optimal_action.trigger()
    assert win.panel.lr_spin.value() == pytest.approx(2.0 / (theory.L + theory.mu))
    assert win.panel.momentum_spin.value() == 0.0


def test_the_stable_label_turns_red_above_the_stable_lr(qtbot):
    win = open_window(qtbot)
    panel = win.panel
    label = panel.stable_label

    def colour():
        return label.palette().color(QPalette.ColorRole.WindowText).name()

    assert panel.lr_inside_stable_range and colour() == "#1b5e20" and not label.font().bold()
    panel.lr_spin.setValue(win.model.theory.max_stable_lr * 1.5)
    assert panel.lr_inside_stable_range is False
    assert colour() == "#b00020" and label.font().bold()
    # Coloured, it still takes the window's font size (a style sheet would pin it).
    assert label.font().pointSize() == win.font().pointSize()


def test_error_split_sums_to_the_squared_error(qtbot):
    win = open_window(qtbot, "tutorial-random")
    step(qtbot, win, 3)
    plot = win.teaching.theory_view.directions
    with qtbot.waitSignal(win.frame_drawn, timeout=TIMEOUT_MS) as blocker:
        win.step_once()
    error = blocker.args[0].snapshot.error.astype(np.float64)
    assert plot.last_split.sum() == pytest.approx(np.sum(error**2), rel=1e-9)
    assert len(plot.series) == 5 and plot.series.width == 4
    legend = plot.legend.names()
    assert all("σ =" in text for text in legend)


def test_small_singular_values_converge_last(qtbot):
    plot = DirectionPlot()
    qtbot.addWidget(plot)
    matrix = np.diag([1.0, 2.0, 3.0, 4.0])
    settings = Settings(optimizer="gd", lr=0.46, momentum=0.0, dtype="float64")
    run = Run(matrix, settings)
    plot.start(context_of(matrix, settings))
    for _ in range(10):
        run.step(5)
        plot.record(run.iteration, run.snapshot().error)
    split = plot.last_split
    assert plot.sigma.tolist() == [4.0, 3.0, 2.0, 1.0]
    assert split[-1] == split.max()  # σ = 1 holds most of what is left


# --- series over the iterations ------------------------------------------------------------
def test_series_truncates_when_the_iteration_goes_back():
    series = Series(2)
    for t in range(6):
        series.append(t, [t, -t])
    series.append(3, [30, -30])
    assert series.x().tolist() == [0, 1, 2, 3]
    assert series.y(0).tolist() == [0, 1, 2, 30]
    series.clear(width=1)
    assert len(series) == 0 and series.width == 1


def test_a_reset_starts_the_series_again(qtbot):
    win = open_window(qtbot)
    step(qtbot, win, 4)
    plot = win.teaching.theory_view.directions
    assert len(plot.series) == 5
    with qtbot.waitSignal(win.frame_drawn, check_params_cb=new_run(win), timeout=TIMEOUT_MS):
        win.reset_run()
    assert len(plot.series) == 1 and plot.series.x()[0] == 0


def test_predicted_segment_is_clipped_to_the_view():
    (x0, x1), (y0, y1) = predicted_segment((10, 0.0), 0.1, (0.0, 100.0), (-5.0, 1.0))
    assert (x0, y0) == (10, 0.0)
    assert x1 == pytest.approx(15.0) and y1 == pytest.approx(-5.0)
    assert predicted_segment((10, 0.0), 0.1, (20.0, 100.0), (-5.0, 1.0)) is None
    assert predicted_segment((10, 0.0), float("nan"), (0.0, 100.0)) is None


def test_the_prediction_stays_in_view_after_ten_single_steps(qtbot, window):
    """At t = 10 the plot was framed on 0…10 and the dashed line a point on its edge."""
    for _ in range(10):
        with qtbot.waitSignal(window.frame_drawn, timeout=30_000):
            window.model.step()
    assert window.model.snapshot.iteration == 10
    xs, _ = window.teaching.overlay.line_points()
    x_low, x_high = window.loss_plot.getPlotItem().vb.viewRange()[0]
    assert xs and min(xs) == 10 and max(xs) >= 11 and x_high >= max(xs)
