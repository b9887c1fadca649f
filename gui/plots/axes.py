"""Axis styling shared by every plot: readable fonts, 1-2-5 range steps."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

# The widest tick label a log axis of losses shows (pyqtgraph writes 1e-300 as "10⁻³⁰⁰").
WIDEST_LOG_LABEL = "10⁻³⁰⁰"


def style_axes(plot: pg.PlotItem, point_size: int) -> None:
    """Readable tick and label fonts for a projector, dark text on white."""
    font = QFont()
    font.setPointSize(point_size)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setStyle(tickFont=font)
        axis.label.setFont(font)
        axis.setPen("#404040")
        axis.setTextPen("k")


def nice_ceiling(value: float, steps=(1.0, 2.0, 5.0)) -> float:
    """The smallest step·10^k (default 1, 2, 5, 10, 20, 50, ...) that is >= value > 0."""
    decade = 10.0 ** math.floor(math.log10(value))
    for factor in (*steps, 10.0):
        if factor * decade >= value:
            return factor * decade
    return 10.0 * decade


def fix_log_axis_width(axis: pg.AxisItem) -> None:
    """Give a vertical log axis the width of its widest possible label and its title, once.

    pyqtgraph widens an axis to fit new labels but narrows it again only when they are 10 px
    narrower, so a run that once reached 10⁸ left the plots of the next run shifted by a few
    pixels; and an axis that changes width moves the whole plot under the class's eyes.
    Call it after the tick font is set (style_axes).
    """
    tick_font = axis.style.get("tickFont") or QFont()
    labels = QFontMetrics(tick_font).horizontalAdvance(WIDEST_LOG_LABEL)
    title = QFontMetrics(axis.label.font()).height() if axis.label.isVisible() else 0
    offset = axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"])
    axis.setWidth(math.ceil(labels + offset + title + 2))
