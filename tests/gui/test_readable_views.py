"""What a class reads on the plots and views stays whole: axis titles clear of the tick
labels, numbers that fit their cells, messages in plain words (the new-user trial)."""

import numpy as np
import pytest
from PySide6.QtGui import QFont, QPainter, QPixmap

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
    assert "Why:" in banner.text() and "Try lr <=" in banner.text()  # the whole message...
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
