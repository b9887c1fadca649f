"""Parameter panel, plots, spin box, editor and app entry point, each on its own."""


import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QGraphicsPathItem,
    QGraphicsScene,
    QLabel,
)

from gui.app import run_app
from gui.loss_store import LossStore
from gui.matrix_model import MatrixModel
from gui.plots.chunked_path import ChunkedPath
from gui.plots.heatmap import ErrorHeatmap
from gui.plots.loss_plot import LossPlot
from gui.widgets.matrix_editor import MatrixEditor
from gui.widgets.parameter_panel import ParameterPanel
from gui.widgets.sci_spin_box import SciSpinBox
from solver import Settings


def test_panel_shows_settings_exactly_and_without_telling_of_a_change(qtbot):
    settings = Settings(optimizer="adam", lr=0.0123, momentum=0.5, schedule="exp:0.999",
                        weight_decay=1e-5, init="zeros", seed=7, dtype="float64",
                        max_steps=10_000_000, tol=1e-9, problem="inverse")
    panel = ParameterPanel()
    qtbot.addWidget(panel)
    told = []
    panel.field_changed.connect(lambda *args: told.append(args))
    panel.show_settings(settings, (4, 4))
    assert panel.settings() == settings
    assert told == []


def test_every_control_explains_itself(qtbot):
    panel = ParameterPanel()
    qtbot.addWidget(panel)
    controls = panel.findChildren(QComboBox) + panel.findChildren(QAbstractSpinBox)
    assert len(controls) >= 15
    for control in controls:
        tip = control.toolTip()
        assert tip.endswith(".") and len(tip) > 20, control.objectName()


def test_each_edit_names_its_field_and_value(qtbot):
    panel = ParameterPanel()
    qtbot.addWidget(panel)
    panel.show_settings(Settings(problem="inverse"), (4, 4))
    told = []
    panel.field_changed.connect(lambda *args: told.append(args))
    panel.lr_spin.setValue(0.3)
    panel.momentum_spin.setValue(0.5)
    panel.seed_spin.setValue(1)
    panel.decay_spin.setValue(0.99)
    panel.optimizer_combo.setCurrentIndex(panel.optimizer_combo.findData("adam"))
    assert told == [("lr", 0.3), ("momentum", 0.5), ("seed", 1), ("schedule", "exp:0.99"),
                    ("optimizer", "adam")]


def test_a_non_square_matrix_cannot_choose_the_inverse(qtbot):
    panel = ParameterPanel()
    qtbot.addWidget(panel)
    panel.show_settings(Settings(problem="pinv"), (17, 3))
    inverse = panel.problem_combo.model().item(panel.problem_combo.findData("inverse"))
    assert not inverse.isEnabled()
    panel.show_settings(Settings(problem="pinv"), (3, 3))
    assert inverse.isEnabled()


def test_stable_lr_is_shown(qtbot):
    from solver import analyse

    panel = ParameterPanel()
    qtbot.addWidget(panel)
    matrix = np.diag([1.0, 2.0, 3.0, 4.0])
    theory = analyse(matrix, Settings().validated(matrix.shape))
    panel.show_theory(theory)
    label = panel.findChild(QLabel, "stableLrLabel")
    assert f"{theory.max_stable_lr:.3g}" in label.text()
    svd = analyse(matrix, Settings(problem="svd").validated(matrix.shape))
    panel.show_theory(svd)
    assert "no simple limit" in label.text()


def test_sci_spin_box_keeps_full_precision_and_steps_by_factors(qtbot):
    spin = SciSpinBox(1e-12, 1e6)
    qtbot.addWidget(spin)
    spin.setValue(0.4605170185988092)
    assert spin.value() == 0.4605170185988092
    assert spin.text() == "0.460517"
    spin.setValue(1e-8)
    assert spin.text() == "1e-08"
    spin.setValue(1.0)
    spin.stepBy(1)
    assert spin.value() == 1.25


def test_loss_plot_handles_zero_inf_nan_and_a_million_points(qtbot):
    store = LossStore()
    plot = LossPlot(store)
    qtbot.addWidget(plot)
    plot.show()

    def append(iterations, losses):
        store.extend(int(iterations[0]), losses)
        plot.append(iterations, losses)

    append(np.arange(4), np.array([1.0, 0.0, np.inf, np.nan]))
    assert plot.point_count == 4
    store.clear()
    plot.clear_curve()
    for chunk in range(100):
        iterations = np.arange(chunk * 10_000, (chunk + 1) * 10_000)
        append(iterations, np.exp(-iterations / 1e5))
    assert plot.point_count == 1_000_000
    plot.repaint()
    # What is drawn stays about two strokes per pixel, not a million points (the time per
    # update is measured in benchmarks/bench_gui.py, frames per second).
    drawn = plot.drawn_point_count
    assert 0 < drawn <= 4 * plot.width(), drawn
    # Every peak of the older, thinned part is still on the curve: its first point is.
    np.testing.assert_allclose(store.points()[1][:1], [1.0])


def _render(item, size=(240, 120)) -> np.ndarray:
    scene = QGraphicsScene()
    scene.addItem(item)
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, *size), QRectF(0, 0, *size))
    painter.end()
    scene.removeItem(item)
    return np.array([[image.pixel(x, y) for x in range(size[0])] for y in range(size[1])])


def test_the_loss_curve_drawn_in_pieces_is_the_line_one_path_draws(qtbot):
    # The loss curve is drawn in pieces so that a frame repaints only its end; grown in
    # frames, cut back (a run resumed from the past) and grown again, it must show the
    # pixels of one path through the same points, joins and ends included. Where two pieces
    # meet, a pixel centred on the stroke's edge may round the other way.
    rng = np.random.default_rng(3)
    x = np.arange(70) * 3.0 + 5.0
    y = 60 + np.cumsum(rng.normal(scale=9.0, size=x.size)).clip(-50, 50)
    pen = pg.mkPen("#0b3d91", width=2)
    step = 8
    pieces = ChunkedPath(points=step)
    pieces.set_line_pen(pen)
    for end in (1, 2, 9, 16, 17, 40, 70, 33, 70):
        pieces.set_points(x[:end], y[:end])
        whole = QGraphicsPathItem(pg.arrayToQPath(x[:end], y[:end]))
        whole.setPen(pen)
        joints = (x[step - 1: end - 1: step] + x[step: end: step]) / 2
        rows, columns = np.nonzero(_render(pieces) != _render(whole))
        assert columns.size <= joints.size, f"{end} points: {columns.size} pixels differ"
        for column in columns:
            assert np.abs(joints - (column + 0.5)).min() <= 2, f"{end} points: x = {column}"
    assert pieces.point_count == 70
    assert (_render(pieces) != 0xFFFFFFFF).sum() > 2 * 3 * 69  # it drew a 2-px line


def test_heatmap_levels_are_symmetric_and_follow_decades(qtbot):
    heatmap = ErrorHeatmap()
    qtbot.addWidget(heatmap)
    heatmap.set_limit(2.0)
    heatmap.set_matrix(np.array([[1.5, -0.5], [0.0, 0.25]]))
    assert heatmap.limit == 2.0
    heatmap.set_matrix(np.array([[3e-4, -1e-4], [0.0, 0.0]]))
    assert heatmap.limit == pytest.approx(1e-3)
    low, high = heatmap.colour_bar.levels()
    assert low == -high == pytest.approx(-1e-3)
    heatmap.set_matrix(np.array([[np.inf, np.nan], [-np.inf, 0.0]]))  # no warning, no crash
    np.testing.assert_array_equal(heatmap.values()[1, 1], 0.0)


def test_editor_copy_paste_through_the_clipboard(qtbot):
    editor = MatrixEditor(MatrixModel(np.zeros((2, 2))))
    qtbot.addWidget(editor)
    QGuiApplication.clipboard().setText("1\t2\n3\t4\n")
    editor.table.setCurrentIndex(editor.model.index(0, 0))
    editor.paste()
    np.testing.assert_array_equal(editor.array(), [[1, 2], [3, 4]])
    editor.table.selectAll()
    editor.copy_selection()
    assert QGuiApplication.clipboard().text() == "1.0\t2.0\n3.0\t4.0\n"
    editor.rows_spin.setValue(3)
    assert editor.array().shape == (3, 2)


def test_run_app_refuses_a_bad_file_in_one_line(tmp_path, capsys):
    bad = tmp_path / "m.csv"
    bad.write_text("1,2\n3,x\n")
    assert run_app([str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("matrix-descent: cannot open") and "\n" not in err
