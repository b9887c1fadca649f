"""The Sweep view: the map a class sees, a click that sets lr and β, Cancel that keeps the
finished cells, and refusals for what the sweep does not cover."""

import numpy as np
import pytest
from PySide6.QtCore import QObject, QPoint, QPointF, Qt, Signal

from gui.sweep.binding import connect_model
from gui.sweep.colours import DIVERGED_RGB, PENDING_RGB, cell_colours
from gui.sweep.view import LINE, MAP, SweepView
from solver import Settings
from solver.presets import load_preset
from solver.sweep import CONVERGED, DIVERGED, PENDING, SweepResult
from solver.sweep_grid import stability_limits

RANDOM = load_preset("tutorial-random")


@pytest.fixture
def view(qtbot):
    widget = SweepView()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    return widget


def compute(qtbot, view, timeout=60_000):
    """Press Compute and wait for the finished map."""
    qtbot.mouseClick(view.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.runner.busy, timeout=timeout)


def test_map_shows_steps_and_the_cliff_where_theory_puts_it(qtbot, view):
    view.set_document(RANDOM, Settings(), "tutorial-random")
    view.points_spin.setValue(12)
    compute(qtbot, view)
    result, grid = view.result, view.map_plot.grid
    assert grid.shape == (12, 12) and result.complete
    assert "144 runs of up to 2,000 steps" in view.status.text()
    assert view.progress.format().startswith("done in")
    # What is on screen is the result's colours, cell for cell.
    state, steps = grid.as_map(result.state), grid.as_map(result.stopped_at)
    expected = cell_colours(state, steps, view.map_plot.levels)
    assert np.array_equal(view.map_plot.image.rgb, expected)
    assert (state == CONVERGED).any() and (state == DIVERGED).any()
    # Right of theory's limit everything diverged, well left of it nothing did.
    theory = view._theory
    limits = stability_limits(theory, "momentum", grid.momenta)
    ratio = grid.lrs[None, :] / limits[:, None]
    assert (state[ratio > 1.03] == DIVERGED).all()
    assert not (state[ratio < 0.97] == DIVERGED).any()
    assert (view.map_plot.image.rgb[state == DIVERGED] == DIVERGED_RGB).all()
    # The optimum star and the current settings' cross are where theory and the document say.
    x, y = view.map_plot.optimum.getData()
    assert 10 ** x[0] == pytest.approx(theory.optimal_lr)
    assert y[0] == pytest.approx(theory.optimal_momentum)
    x, y = view.map_plot.current.getData()
    assert (10 ** x[0], y[0]) == pytest.approx((0.9, 0.9))


def click_cell(qtbot, view, row, col):
    """A left click in the middle of the cell (row, col) of the map on screen."""
    plot = view.map_plot
    x = np.log10(plot.grid.lrs[col])
    y = plot.grid.momenta[row]
    scene = plot.plot.vb.mapViewToScene(QPointF(x, y))
    point = plot.mapFromScene(scene)
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(point.x(), point.y()))


def test_a_click_on_a_cell_sets_lr_and_momentum_and_resets_the_run(qtbot, view):
    model = FakeModel(RANDOM, Settings(), "tutorial-random")
    connect_model(view, model)
    view.points_spin.setValue(8)
    compute(qtbot, view)
    click_cell(qtbot, view, 5, 6)
    grid = view.map_plot.grid
    assert model.updates == [{"lr": grid.lrs[6], "momentum": grid.momenta[5]}]
    assert model.resets == 1
    # Only lr and momentum changed: the map stays, the cross moves to the cell.
    assert view.result is not None
    x, y = view.map_plot.current.getData()
    assert (10 ** x[0], y[0]) == pytest.approx((grid.lrs[6], grid.momenta[5]))


def test_cancel_keeps_the_finished_cells(qtbot, view):
    view.set_document(RANDOM, Settings(), "tutorial-random")
    view.points_spin.setValue(16)
    view.steps_spin.setValue(200_000)  # long enough to be cancelled half way
    qtbot.mouseClick(view.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result is not None and view.result.done.any(), timeout=60_000)
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.runner.busy, timeout=60_000)
    result, grid = view.result, view.map_plot.grid
    assert result.done.any() and (result.state == PENDING).any()
    assert view.status.text().startswith(f"Cancelled at step {result.iteration:,}: ")
    rgb = view.map_plot.image.rgb
    pending = grid.as_map(result.state) == PENDING
    assert (rgb[pending] == PENDING_RGB).all()
    assert not (rgb[~pending] == PENDING_RGB).all(axis=-1).any()
    assert view.compute_button.isEnabled() and not view.cancel_button.isEnabled()


def test_line_mode_shows_the_cliff_at_the_stable_limit(qtbot, view):
    view.set_document(load_preset("tutorial-diagonal"), Settings(momentum=0.5), "diag")
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(LINE))
    view.points_spin.setValue(40)
    compute(qtbot, view)
    result = view.result
    limit = 2 * (1 + 0.5) / 2.0  # 2(1+β)/L with L = 2 for diag(1, 2, 3, 4)
    assert view.line_plot.limit_line.isVisible()
    assert 10 ** view.line_plot.limit_line.value() == pytest.approx(limit)
    assert (result.momenta == 0.5).all()
    assert (result.state[result.lrs > 1.03 * limit] == DIVERGED).all()
    assert not (result.state[result.lrs < 0.97 * limit] == DIVERGED).any()
    x, y = view.line_plot.curve.getData()
    converged = result.state == CONVERGED
    assert np.allclose(10 ** y[converged], result.stopped_at[converged])


def test_a_line_with_nothing_converged_yet_draws_without_warnings(qtbot, view):
    # A partial line early on: every point still running or not below tol.
    view.set_document(RANDOM, Settings(), "tutorial-random")
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(LINE))
    lrs = np.geomspace(0.01, 0.1, 5)
    view.line_plot.set_axis(lrs, 100)
    pending = SweepResult(lrs, np.full(5, 0.9), np.array([0, 0, 3, 3, 0], np.int8),
                          np.array([-1, -1, 100, 100, -1]), np.full(5, np.nan),
                          np.full(5, np.nan), 100, 100)
    view.line_plot.show_result(pending)
    view.line_plot.grab()  # paints: a RuntimeWarning would fail the test (pyproject)
    assert view.line_plot.curve.getData()[0] is None or view.line_plot.curve.getData()[0].size == 0
    assert view.line_plot.not_converged.getData()[0].size == 2


def test_gd_has_no_momentum_axis(qtbot, view):
    view.set_document(RANDOM, Settings(optimizer="gd"), "tutorial-random")
    assert view.mode == LINE
    assert not view.mode_combo.model().item(0).isEnabled()
    view.set_document(RANDOM, Settings(optimizer="momentum"), "tutorial-random")
    assert view.mode_combo.model().item(0).isEnabled()
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(MAP))
    assert view.mode == MAP


def test_svd_is_refused_with_the_reason(qtbot, view):
    view.set_document(load_preset("svd-tutorial"), Settings(problem="svd"), "svd-tutorial")
    assert not view.compute_button.isEnabled()
    assert view.status.text().startswith("Not available for this problem: the sweep covers "
                                         "the inverse and the pseudo-inverse only")


def test_a_matrix_beyond_the_precision_is_refused_with_the_reason(qtbot, view):
    big = np.diag([1.0, 2.0, 1e39])
    view.set_document(big, Settings(dtype="float32"), "big")
    assert not view.compute_button.isEnabled()
    assert view.status.text() == ("Cannot map this matrix: its entries overflow float32 "
                                  "(largest 1e+39)")
    view.set_document(np.diag([1.0, 2.0, 3.0]) * 1e-200, Settings(dtype="float64"), "tiny")
    assert view.compute_button.isEnabled()  # float64 holds it; theory is scaled


def test_a_grid_too_big_says_so_and_starts_nothing(qtbot, view):
    view.set_document(np.eye(128) * 2, Settings(dtype="float64"), "big")
    view.points_spin.setValue(64)
    qtbot.mouseClick(view.compute_button, Qt.MouseButton.LeftButton)
    assert not view.runner.busy
    assert view.status.text() == ("grid: 4,096 runs of a 128 x 128 float64 problem need about "
                                  "6.0 GB of memory (limit 1.0 GB); use fewer grid points or a "
                                  "smaller matrix")


def test_a_new_matrix_clears_the_map_but_a_new_lr_only_moves_the_cross(qtbot, view):
    view.set_document(RANDOM, Settings(), "tutorial-random")
    view.points_spin.setValue(6)
    compute(qtbot, view)
    view.set_document(RANDOM, Settings(lr=2.0, momentum=0.5), "tutorial-random")
    assert view.result is not None and view.map_plot.grid is not None
    x, y = view.map_plot.current.getData()
    assert (10 ** x[0], y[0]) == pytest.approx((2.0, 0.5))
    view.set_document(load_preset("tutorial-diagonal"), Settings(lr=2.0, momentum=0.5), "d")
    assert view.result is None and view.map_plot.grid is None
    assert view.status.text().startswith("Press Compute to map d")


def test_a_document_change_while_computing_stops_the_old_map(qtbot, view):
    view.set_document(RANDOM, Settings(), "tutorial-random")
    view.points_spin.setValue(16)
    view.steps_spin.setValue(200_000)
    qtbot.mouseClick(view.compute_button, Qt.MouseButton.LeftButton)
    view.set_document(load_preset("tutorial-diagonal"), Settings(), "d")
    assert not view.runner.busy and view.result is None
    qtbot.wait(300)  # nothing of the old sweep may arrive afterwards
    assert view.result is None and view.map_plot.grid is None


class FakeModel(QObject):
    """The document model's interface as /work/TEAM.md plans it, for the binding."""

    document_changed = Signal()

    def __init__(self, matrix, settings, name):
        super().__init__()
        self.matrix, self.settings, self.name = matrix, settings, name
        self.updates, self.resets = [], 0

    def update_settings(self, **fields):
        import dataclasses

        self.updates.append(fields)
        self.settings = dataclasses.replace(self.settings, **fields)
        self.document_changed.emit()

    def reset(self):
        self.resets += 1


def test_the_window_s_sweep_map_sets_the_run_it_shows(qtbot, window):
    """View ▸ Sweep map, compute, click the fastest cell: the run in the window restarts
    with that lr and β and converges in the steps the map shows."""
    (view_menu,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&View"]
    (toggle,) = [a for a in view_menu.actions() if a.text() == "S&weep map (lr × β)"]
    assert toggle.shortcut().toString() == "Ctrl+Shift+M"
    dock = window.sweep
    assert not dock.isVisible()
    toggle.trigger()
    assert dock.isVisible()
    view = dock.view
    assert view.status.text().startswith("Press Compute to map tutorial-diagonal")
    view.points_spin.setValue(8)
    compute(qtbot, view)
    result, grid = view.result, view.map_plot.grid
    best = int(np.argmin(np.where(result.state == CONVERGED, result.stopped_at, 10**9)))
    row, col = divmod(best, grid.shape[1])
    before = window.model.run.run_id
    click_cell(qtbot, view, row, col)
    model = window.model
    assert (model.settings.lr, model.settings.momentum) == (grid.lrs[col], grid.momenta[row])
    assert model.run.run_id > before and model.state.state == "ready"
    model.set_speed(0.0)  # Max
    model.toggle_play()
    qtbot.waitUntil(lambda: model.state.state == "converged", timeout=60_000)
    assert f"converged at iteration {result.stopped_at[best]}:" in model.state.reason
    # Only lr and β changed; the map stays (the cross moved onto the cell).
    assert view.result is result


def test_a_map_first_shown_in_projector_mode_has_its_large_axes(qtbot, window):
    # The view is built when the dock is first shown: projector mode, switched on before,
    # styles it then, as it does the plots that were there when it was switched on.
    window.projector.action.trigger()
    window.sweep.view_action.trigger()
    axis = window.sweep.view.map_plot.plot.getAxis("left")
    projector_size = axis.style["tickFont"].pointSizeF()
    window.projector.action.trigger()
    assert projector_size > axis.style["tickFont"].pointSizeF()


def test_closing_the_window_stops_a_sweep(qtbot, window):
    window.sweep.view_action.trigger()
    view = window.sweep.view
    view.steps_spin.setValue(500_000)
    view.compute()
    assert view.runner.busy
    window.close()
    assert not view.runner.busy


def test_a_narrow_window_shows_the_map_as_a_window_of_its_own(qtbot, window):
    window.resize(1024, 768)
    window.sweep.view_action.trigger()
    qtbot.waitUntil(lambda: window.sweep.isFloating(), timeout=5000)
    assert window.sweep.width() >= 520 and window.sweep.isVisible()
    assert window.sweep.view.map_plot.width() >= 400


def test_the_summary_says_when_theory_s_line_does_not_apply():
    from gui.sweep.summary import status_html
    from solver import analyse
    from solver.sweep import BatchedRun
    from solver.sweep_grid import Grid

    settings = Settings(schedule="exp:0.99", max_steps=300)
    grid = Grid(np.array([1.0, 10.0]), np.array([0.5, 0.9]))
    batch = BatchedRun(RANDOM, settings, *grid.cells())
    batch.step(10**6)
    theory = analyse(RANDOM.astype(np.float32), settings.validated(RANDOM.shape))
    text = status_html(batch.result(), grid, theory, settings, 0.5, cancelled=False)
    assert text.startswith("4 runs of up to 300 steps in 0.5 s.")
    assert "the schedule exp:0.99 lowers it at every step" in text
    adam = Settings(optimizer="adam", lr=0.01)
    text = status_html(batch.result(), grid, analyse(RANDOM, adam.validated(RANDOM.shape)),
                       adam, 0.5, cancelled=False)
    assert "No stability theory for adam" in text


def layout_widths(window) -> dict[str, int]:
    """The widths a class sees: the editor and settings, the plots, the docks on screen."""
    widths = {"left": window._splitter.widget(0).width(),
              "middle": window._splitter.widget(1).width()}
    for dock in (window.teaching, window.lesson):
        if not dock.visibleRegion().isEmpty():  # empty: the tab behind
            widths[dock.objectName()] = dock.width()
    return widths


def test_closing_the_floating_map_gives_back_the_layout_it_had(qtbot, window):
    """On a 1280 x 720 screen the window is too narrow to dock the map: it floats, and once
    closed the window is laid out as before (the editor's Examples button whole)."""
    window.fit_to(1216, 684)  # as main.py opens it on a 1280 x 720 screen
    qtbot.wait(200)
    before = layout_widths(window)
    window.sweep.view_action.trigger()
    qtbot.waitUntil(lambda: window.sweep.isFloating(), timeout=5000)
    qtbot.wait(200)
    assert layout_widths(window) == before  # the floating map takes nothing from the window
    window.sweep.close()
    qtbot.wait(200)
    assert not window.sweep.isVisible()
    assert layout_widths(window) == before
    examples = window.editor.examples_button
    assert examples.width() + 1 >= examples.sizeHint().width()


def test_closing_the_docked_map_gives_back_the_layout_it_had(qtbot, window):
    window.fit_to(1440, 900)  # wide enough to dock the map at half the window
    qtbot.wait(200)
    before = layout_widths(window)
    window.sweep.view_action.trigger()
    qtbot.wait(200)
    assert not window.sweep.isFloating() and window.sweep.width() >= 520
    assert layout_widths(window)["middle"] < before["middle"]  # the map took its room
    window.sweep.view_action.trigger()  # Ctrl+Shift+M again: closed
    qtbot.wait(200)
    assert not window.sweep.isVisible()
    assert layout_widths(window) == before


def drawn(view) -> dict[str, bool]:
    """What of a map or a line is on screen."""
    plot, line = view.map_plot, view.line_plot

    def has_data(item) -> bool:
        x = item.getData()[0]
        return x is not None and len(x) > 0

    return {"cells": plot.image.isVisible(), "colour bar": plot.colour_bar.isVisible(),
            "limit": has_data(plot.boundary), "star": has_data(plot.optimum),
            "cross": has_data(plot.current), "line points": has_data(line.curve)
            or has_data(line.diverged) or has_data(line.not_converged),
            "line limit": line.limit_line.isVisible(), "line lr": line.current_line.isVisible()}


@pytest.mark.parametrize("problem", ["svd", "overflow"])
def test_a_document_it_cannot_map_leaves_nothing_of_the_previous_one(qtbot, view, problem):
    diagonal = load_preset("tutorial-diagonal")
    view.set_document(diagonal, Settings(), "tutorial-diagonal")
    view.points_spin.setValue(6)
    compute(qtbot, view)
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(LINE))
    view.points_spin.setValue(6)
    compute(qtbot, view)
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(MAP))
    assert all(drawn(view).values())
    if problem == "svd":  # the problem switched to SVD on the same matrix
        view.set_document(diagonal, Settings(problem="svd"), "tutorial-diagonal")
        assert view.status.text().startswith("Not available for this problem")
    else:
        view.set_document(np.diag([1.0, 2.0, 1e39]), Settings(), "big")
        assert view.status.text().startswith("Cannot map this matrix")
    assert not any(drawn(view).values()), drawn(view)
    view.set_document(diagonal, Settings(problem="svd", lr=0.5), "tutorial-diagonal")
    assert not any(drawn(view).values()), drawn(view)  # a new lr draws no cross either
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(LINE))
    assert not any(drawn(view).values()), drawn(view)
    # Back to a problem it maps: theory's lines and the cross, no cells until Compute.
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(MAP))
    view.set_document(diagonal, Settings(), "tutorial-diagonal")
    shown = drawn(view)
    assert shown["limit"] and shown["star"] and shown["cross"]
    assert not shown["cells"] and not shown["colour bar"] and not shown["line points"]


def test_a_hidden_map_does_not_analyse_each_matrix_opened(qtbot, window, monkeypatch):
    """Its theory needs M's whole spectrum on the GUI thread: 25 s for a 1000 x 1000 matrix
    opened on a busy machine, while the map was not even shown. Shown, it catches up."""
    import gui.sweep.view as sweep_view

    analysed = []
    real = sweep_view.analyse
    monkeypatch.setattr(sweep_view, "analyse", lambda *a: analysed.append(a) or real(*a))
    window.open_example("hilbert-6")
    assert not window.sweep.isVisible() and analysed == []
    window.sweep.view_action.trigger()
    assert len(analysed) == 1
    assert window.sweep.view.status.text().startswith("Press Compute to map hilbert-6")
