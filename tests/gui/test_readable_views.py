"""What a class reads on the plots and views stays whole: axis titles clear of the tick
labels, numbers that fit their cells, messages in plain words (the new-user trial)."""

import numpy as np
import pytest
from PySide6.QtGui import QFont, QPainter, QPixmap
from PySide6.QtWidgets import QComboBox

from gui.loss_store import LossStore
from gui.plots.loss_plot import LossPlot


def tick_label_rects(axis):
    """The rectangles (axis coordinates) and texts of the tick labels the axis draws."""
    pixmap = QPixmap(10, 10)
    painter = QPainter(pixmap)
    try:
        _line, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(rect, text) for rect, _flags, text in texts]


def title_right_edge(axis) -> float:
    """Where the rotated axis title's glyphs end, in axis coordinates."""
    label = axis.label
    rect = label.mapRectToParent(label.boundingRect())
    return rect.right() - label.document().documentMargin()


@pytest.mark.parametrize("points", [12, 17, 20], ids=["window", "projector-720", "projector-1080"])
def test_loss_axis_title_clears_its_widest_tick_label(qtbot, points):
    store = LossStore()
    store.extend(0, np.logspace(0, -6, 300))
    plot = LossPlot(store)
    qtbot.addWidget(plot)
    plot.redraw_from_store()
    axis = plot.getPlotItem().getAxis("left")
    if points != 12:  # as projector mode scales the fonts: title first, then the ticks
        title, tick = QFont(axis.label.font()), QFont(axis.style["tickFont"])
        title.setPointSize(points)
        tick.setPointSize(points)
        axis.label.setFont(title)
        axis.setStyle(tickFont=tick)
    plot.resize(900, 600)
    plot.show()
    qtbot.waitExposed(plot)
    labels = tick_label_rects(axis)
    assert "0.0001" in [text for _rect, text in labels]
    edge = title_right_edge(axis)
    for rect, text in labels:
        assert rect.left() >= edge, f"{text!r} starts at {rect.left()}, title ends at {edge}"


def title_fits(axis) -> bool:
    """The rotated axis title is whole: its text no longer than the axis is high."""
    label = axis.label
    text_length = label.boundingRect().width() - 2 * label.document().documentMargin()
    return text_length <= axis.size().height() + 0.5


@pytest.mark.parametrize("size", [(1024, 768), (1280, 720)], ids=["1024x768", "1280x720"])
def test_a_divergence_banner_leaves_the_plots_their_room(qtbot, window, size):
    window.open_example("tutorial-random")
    window.model.update_settings(optimizer="gd", lr=50.0)
    window.model.play()
    qtbot.waitUntil(lambda: window.state == "diverged", timeout=10_000)
    window.fit_to(*size)
    qtbot.wait(200)
    banner = window.banner
    assert "Why:" in banner.text() and "Try lr < " in banner.text()  # the whole message...
    assert "Why:" in banner.toolTip()  # ...whole in the tooltip when cut on screen
    lines = banner.label.height() / banner.label.fontMetrics().lineSpacing()
    assert lines <= 2.5, f"the banner's text takes {lines:.1f} lines"
    assert banner.action_button.isVisible()
    axis = window.loss_plot.getPlotItem().getAxis("left")
    assert axis.labelText.startswith("loss")
    assert title_fits(axis), (axis.labelText, axis.size().height())


def test_the_loss_axis_title_shortens_on_a_short_plot(qtbot):
    store = LossStore()
    store.extend(0, np.logspace(0, -3, 50))
    plot = LossPlot(store)
    qtbot.addWidget(plot)
    plot.redraw_from_store()
    plot.show()
    axis = plot.getPlotItem().getAxis("left")
    for height in (600, 250, 150):
        plot.resize(500, height)
        qtbot.wait(20)
        assert title_fits(axis), (height, axis.labelText)
    assert axis.labelText != "loss = mean(R²)  (no unit)"  # shortened at 150 px
    plot.resize(500, 600)
    qtbot.wait(20)
    assert axis.labelText == "loss = mean(R²)  (no unit)"


# --- numbers in heatmap cells and tables ------------------------------------------------------
def test_gradient_cell_numbers_never_run_into_each_other(qtbot):
    from PySide6.QtGui import QFontMetrics

    from gui.plots.heatmap import MatrixHeatmap
    from gui.teaching.cell_labels import CellLabels

    heatmap = MatrixHeatmap("∇loss", decades=True)
    qtbot.addWidget(heatmap)
    labels = CellLabels(heatmap)
    # The SVD's ∂loss/∂U of the new-user trial: "4.668.16e-06…" in a 260 px dock.
    gradient = np.array([[-3.04e-5, -4.66e-6, 8.16e-6, 4.26e-6],
                         [3.47e-5, -4.95e-6, 1.67e-5, 1.23e-5],
                         [2.82e-5, -6.28e-6, 6.47e-6, 5.76e-6],
                         [2.26e-5, 3.3e-7, 6.9e-6, 2.2e-5]])
    heatmap.set_matrix(gradient)
    heatmap.show()
    for width, some_text in ((260, False), (700, True)):
        heatmap.resize(width, width)
        qtbot.wait(50)
        labels.set_matrix(gradient)
        shown = labels.texts()
        cell = 1.0 / heatmap.plot.vb.viewPixelSize()[0]
        metrics = QFontMetrics(labels._font)
        assert all(metrics.horizontalAdvance(text) < cell for text in shown), (cell, shown)
        assert bool(shown) == some_text, (width, cell, shown)
    assert "8.16e-6" in shown or "8.2e-6" in shown


def label_is_whole(label) -> bool:
    """All the lines a label shows fit its height."""
    if label.wordWrap():
        return label.heightForWidth(label.width()) <= label.height() + 1
    lines = label.fontMetrics().lineSpacing() * (label.text().count("\n") + 1)
    return lines <= label.contentsRect().height() + 1


def test_svd_view_numbers_are_whole_at_the_first_iteration(qtbot):
    from gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.fit_to(1216, 684)
    with qtbot.waitSignal(window.frame_drawn, timeout=20_000):
        window.open_example("svd-tutorial")
    qtbot.wait(300)
    view = window.teaching.svd_view
    assert window.teaching.current_tab() == "svd" and view.isVisible()
    verdict = view.verdict
    assert verdict.text().startswith("Not there yet (t = 0)")
    assert label_is_whole(verdict), (verdict.height(), verdict.text())
    assert verdict.geometry().bottom() < view.paths.geometry().top()
    table = view.table
    assert table.geometry().bottom() <= view.height()
    metrics = table.fontMetrics()
    for row in range(table.rowCount()):
        for col in range(table.columnCount()):
            text = table.item(row, col).text()
            assert text and "…" not in text
            assert metrics.horizontalAdvance(text) <= table.columnWidth(col) - 4, (row, col, text)
        assert table.rowViewportPosition(row) + table.rowHeight(row) <= table.viewport().height()
    assert table.columnViewportPosition(3) + table.columnWidth(3) <= table.viewport().width()
    for heatmap in (view.reconstruction, view.u_defect, view.v_defect):
        # Index numbers of cells a few pixels high ran together: the compact heatmaps have none.
        assert not heatmap.plot.getAxis("left").style["showValues"]


# --- small cut-offs -----------------------------------------------------------------------------
def widest_line(label) -> float:
    """The widest line of a rich-text label laid out at its width (a line that cannot
    wrap sticks out beyond the width)."""
    from PySide6.QtGui import QTextDocument, QTextOption

    document = QTextDocument()
    option = document.defaultTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)  # as QLabel wraps: never inside a word
    document.setDefaultTextOption(option)
    document.setDefaultFont(label.font())
    document.setDocumentMargin(0)
    document.setHtml(label.text())
    document.setTextWidth(label.contentsRect().width())
    return document.idealWidth()


def test_pinv_legend_and_ticks_are_whole_at_1280(qtbot):
    from gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.fit_to(1216, 684)
    with qtbot.waitSignal(window.frame_drawn, timeout=20_000):
        window.open_example("indicator")
    window.teaching.show_tab("pinv")
    window.model.update_settings(max_steps=250)
    window.findChild(QComboBox, "speedCombo").setCurrentText("Max")
    window.model.play()
    qtbot.waitUntil(lambda: window.state in ("finished", "converged"), timeout=30_000)
    qtbot.wait(300)
    view = window.teaching.pinv_view
    legend = view.legend
    assert "rest of X − M⁺" in legend.plain_text()
    assert widest_line(legend) <= legend.contentsRect().width() + 1
    axis = view.plot.getAxis("left")
    low, high = view.plot.vb.viewRange()[1]
    assert low < -4 < high
    texts = [text for _rect, text in tick_label_rects(axis)]
    assert "0.0001" in texts, texts


def test_the_figure_progress_never_cuts_its_text(qtbot):
    from gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.fit_to(1024, 768)
    progress = window.compare.progress
    progress.start("Part 2: random vs diagonal matrix")
    progress.set_progress(10_050, 20_000, "random")
    qtbot.wait(200)
    label = progress.label
    assert label.text() == "Part 2: random vs diagonal matrix: random"
    assert label.width() >= label.sizeHint().width()
    assert progress.bar.isVisible() and progress.bar.width() >= 100


@pytest.mark.parametrize("width", [200, 260, 400])
def test_a_legend_entry_wider_than_the_legend_wraps_inside_itself(qtbot, width):
    from gui.plots.legend_label import LegendNote

    legend = LegendNote("legend")
    qtbot.addWidget(legend)
    legend.resize(width, 100)
    legend.set_entries([("#0072b2", "‖X − M⁺‖ distance", "solid"),
                        ("#d55e00", "‖X·(I − M·M⁺)‖ null-space part", "dashed"),
                        ("#009e73", "rest of X − M⁺ (descent removes it)", "solid")])
    legend.show()
    qtbot.wait(20)
    assert widest_line(legend) <= legend.contentsRect().width() + 1
    assert legend.names()[2] == "rest of X − M⁺ (descent removes it)"


# --- the matrix editor's messages ----------------------------------------------------------------
@pytest.mark.parametrize("size", [(1440, 900), (1024, 768)], ids=["1440x900", "1024x768"])
def test_a_refused_cell_says_why_beside_the_table_not_over_it(qtbot, window, size):
    window.fit_to(*size)
    qtbot.wait(200)
    editor = window.editor
    table = editor.table
    assert not table.model().setData(table.model().index(0, 0), "1e400")
    qtbot.wait(200)
    text = editor.message.text()
    assert text.startswith("Cell (0, 0) kept its value: 1e400 is beyond float64's range"), text
    assert "inf" not in text
    assert editor.message.isVisible()
    message = editor.message.geometry()
    assert not message.intersects(table.geometry()), (message, table.geometry())
    assert editor.message.heightForWidth(message.width()) <= message.height() + 1


def test_typed_infinity_is_still_refused_by_name():
    from gui.matrix_model import parse_number

    with pytest.raises(ValueError, match="^inf is not allowed"):
        parse_number("inf")
    with pytest.raises(ValueError, match=r"^-1e999 is beyond float64's range \(largest "
                                         r"magnitude 1.8e\+308\)"):
        parse_number(" -1e999 ")
    assert parse_number("1e308") == 1e308


# --- messages in plain words ---------------------------------------------------------------------
def shown_text(label) -> str:
    """What a label puts on screen, as Qt decides between rich and plain text."""
    from PySide6.QtGui import Qt, QTextDocumentFragment  # mightBeRichText is QtGui's

    text = label.text()
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(text))
    return QTextDocumentFragment.fromHtml(text).toPlainText() if rich else text


def test_a_junk_file_is_named_in_plain_words(qtbot, window, tmp_path):
    path = tmp_path / "junk.csv"
    path.write_text("1,2\nthis is,junk\n")
    assert not window.files.open_path(path)
    qtbot.wait(100)
    window.fit_to(1440, 900)
    qtbot.wait(200)
    assert "not a number at row 2, column 1: 'this is'" in window.banner.text()
    shown = shown_text(window.banner.label)
    assert "&#" not in shown and "&amp;" not in shown, shown


# --- recordings ----------------------------------------------------------------------------------
def test_a_recording_shows_the_prediction_line_across_the_plot(qtbot, tmp_path):
    from PIL import Image

    from gui.presentation.recorder import RecordingOptions, record
    from solver import Settings
    from solver.presets import load_preset

    path = tmp_path / "run.gif"
    result = record(load_preset("tutorial-random"), Settings(max_steps=50), "tutorial-random",
                    str(path), RecordingOptions(size=(960, 540), fps=10, speed=100, hold=0))
    assert result.iteration == 50
    with Image.open(path) as gif:
        gif.seek(gif.n_frames - 1)
        pixels = np.asarray(gif.convert("RGB"), dtype=np.int32)
    orange = np.array([0xD5, 0x5E, 0x00])  # PREDICTION_COLOUR
    near = np.abs(pixels - orange).sum(axis=2) < 60
    # The plot's part of the frame (the note above it writes "– – –" in orange too).
    rows, cols = np.nonzero(near[int(0.2 * len(pixels)):])
    assert len(cols) > 150, len(cols)  # a line, not only the anchor's ring
    assert np.ptp(cols) > 0.25 * pixels.shape[1], np.ptp(cols)  # across the plot


# --- texts --------------------------------------------------------------------------------------
def test_the_prediction_reads_unambiguously():
    from solver.views_math import shrink_text

    assert shrink_text(0.9684) == "loss × 0.9684"
    assert shrink_text(1 - 1.6e-10, "1/36") == "(loss − 1/36) × (1 − 1.6e-10)"
    assert shrink_text(0.9, "1/9") == "(loss − 1/9) × 0.9"


def test_the_plot_note_above_a_floor_brackets_the_excess(qtbot):
    from gui.main_window import MainWindow
    from solver import Settings
    from solver.presets import load_preset

    window = MainWindow(load_preset("singular-3"), Settings(lr=0.05), name="singular-3")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.frame_drawn, timeout=20_000):
        window.show()
    with qtbot.waitSignal(window.frame_drawn, timeout=20_000):
        window.step_once()
    note = window.teaching.overlay.label.plain_text()
    assert "predicted: (loss − 1/9) × 0.9 per step" in note, note
    assert "/ step" not in note


def test_help_names_the_heatmap_colours_of_both_modes():
    from gui.plots.heatmap import DIVERGING
    from gui.projector import PROJECTOR_COLOURS
    from gui.widgets.help_text import HELP_HTML

    error = HELP_HTML.split("<b>Error heatmap</b>", 1)[1].split("</li>", 1)[0]
    assert "blue negative" in error and "positive red" in error
    assert "orange in\nprojector mode" in error

    def rgb(colour_map, x):
        return colour_map.mapToQColor(x).getRgb()[:3]

    red, green, blue = rgb(DIVERGING, 1.0)
    assert red > 2 * green and red > 2 * blue  # red
    red, green, blue = rgb(PROJECTOR_COLOURS, 1.0)
    assert red > green > 2 * blue and green > 0.4 * red  # orange
    for colour_map in (DIVERGING, PROJECTOR_COLOURS):
        red, green, blue = rgb(colour_map, 0.0)
        assert blue > red and blue > green  # blue
        assert rgb(colour_map, 0.5) == (255, 255, 255)


def test_lesson_pages_give_an_svd_run_its_own_quantities(qtbot):
    from gui.main_window import MainWindow
    from solver import Settings
    from solver.presets import load_preset

    window = MainWindow(load_preset("svd-tutorial"), Settings(problem="svd"), name="svd-tutorial")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.frame_drawn, timeout=20_000):
        window.show()
    for _ in range(3):
        with qtbot.waitSignal(window.frame_drawn, timeout=20_000):
            window.step_once()
    snapshot = window.model.snapshot
    lesson = window.lesson
    lesson.show_page(1)  # 2. Guess
    guess = lesson.text_shown()
    assert "X[0,0]" not in guess
    assert f"U[0,0] = {snapshot.u[0, 0]:.4g}".replace("-", "−") in guess
    assert f"σ₁ = d₁² = {max(snapshot.s):.4g}" in guess
    lesson.show_page(4)  # 5. Update
    update = lesson.text_shown()
    assert not update.rstrip().endswith(":"), update[-80:]
    assert "U[0,0] − lr·∇U[0,0] = " in update, update


# --- the estimate's colour scale ------------------------------------------------------------------
def test_hilbert_estimate_is_drawn_on_its_own_scale(qtbot):
    from gui.main_window import MainWindow
    from solver import Settings
    from solver.presets import load_preset

    window = MainWindow(load_preset("hilbert-6"), Settings(), name="hilbert-6")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.frame_drawn, timeout=20_000):
        window.show()
    heatmap = window.estimate_heatmap
    x = window.model.snapshot.estimate
    assert np.abs(window.model.snapshot.reference).max() > 1e6  # the answer's entries
    assert heatmap.limit == 1.0 and np.abs(x).max() <= 1.0  # X's own range: 0 .. 1
    assert heatmap.hover_label.text == "colours: ± largest entry"  # under the image


def test_the_estimate_scale_follows_its_values_by_steps():
    from gui.plots.heatmap import EstimateHeatmap
    from gui.plots.heatmap_items import quantise

    heatmap = EstimateHeatmap()
    heatmap.set_limit(4e6)  # what the window sets from the answer at the start
    heatmap.set_matrix(np.array([[0.9, 0.1], [0.3, 0.05]]))
    assert heatmap.limit == 1.0
    heatmap.set_matrix(np.array([[0.5, 0.1], [0.3, 0.05]]))
    assert heatmap.limit == 1.0  # not for every small change
    heatmap.set_matrix(np.array([[0.15, 0.1], [0.2, 0.05]]))
    assert heatmap.limit == 0.2  # below a quarter: narrowed to the next 1-2-5 step
    diverged = np.array([[-4.2e4, -1.3e4], [np.inf, -2.5e3]])
    heatmap.set_matrix(diverged)
    assert heatmap.limit == 5e4
    levels = quantise(diverged, heatmap.limit)
    assert len(np.unique(levels[np.isfinite(diverged)])) == 3  # not one solid colour


def test_help_states_the_estimate_scale_the_heatmap_uses():
    from gui.plots.heatmap import FOLLOW_SHRINK
    from gui.widgets.help_text import HELP_HTML

    estimate = HELP_HTML.split("<b>Estimate heatmap</b>", 1)[1].split("</li>", 1)[0]
    assert "largest entry" in estimate and "1, 2 or 5" in estimate
    assert FOLLOW_SHRINK == 0.25 and "below a quarter" in estimate


def test_a_numpy_limit_is_written_like_a_float():
    from solver.theory import limit_text

    assert limit_text(np.float64(6.9987)) == limit_text(6.9987) == "6.998"
