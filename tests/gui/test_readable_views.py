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
