"""Axis styling shared by every plot: readable fonts, 1-2-5 range steps."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFont


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

