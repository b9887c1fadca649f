"""Shared look of the teaching views: colours, pens, plot setup and a calm range follower."""

from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui.plots.axes import DecadeAxis, fix_log_axis_width, nice_ceiling, style_axes
from gui.plots.plot_widgets import DecadeLines

# Okabe & Ito's colour-blind-safe palette (black and yellow left out: poor on white).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000",
           "#999999")
PREDICTION_COLOUR = "#D55E00"
TITLE_SIZE = "13pt"
# Finer steps for a linear y axis, so the data fills most of the height.
LINEAR_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)


def colour(i: int) -> str:
    """The i-th series colour (cycles)."""
    return PALETTE[i % len(PALETTE)]


def solid_pen(i: int, width: float = 2.5):
    """A solid pen for the i-th series (thick enough for a projector)."""
    return pg.mkPen(colour(i), width=width)


def dashed_pen(i_or_colour, width: float = 2.0):
    """A dashed pen for a reference or prediction, in a series colour or a named colour."""
    name = colour(i_or_colour) if isinstance(i_or_colour, int) else i_or_colour
    return pg.mkPen(name, width=width, style=Qt.PenStyle.DashLine)


def setup_plot(widget: pg.PlotWidget, title: str, x_label: str, y_label: str,
               log_y: bool = False) -> pg.PlotItem:
    """White plot with readable axes; with log_y the data must be given as log10 values
    (taken once per point, not over the whole curve on every redraw, as LossPlot does)."""
    widget.setBackground("w")
    plot = widget.getPlotItem()
    if title:  # else the view writes its title in a note above the plot
        plot.setTitle(title, size=TITLE_SIZE, color="k")
    plot.setLabel("left", y_label)
    plot.setLabel("bottom", x_label)
    if log_y:
        # Decades only once a decade or more is in view: pyqtgraph's 0.9, 0.8, ... labels
        # overprinted each other on a short plot.
        plot.setAxisItems({"left": DecadeAxis("left")})
        plot.getAxis("left").setLogMode(True)
        plot.getAxis("left").enableAutoSIPrefix(False)
        widget.decade_lines = DecadeLines(plot)  # not showGrid: see DecadeLines
    else:
        plot.showGrid(x=False, y=True, alpha=0.3)
    # The plot's own "Log Y" would take log10 a second time: keep only the view menu.
    plot.setMenuEnabled(enableMenu=False, enableViewBoxMenu=True)
    plot.vb.disableAutoRange()
    style_axes(plot, 11)
    if log_y:
        fix_log_axis_width(plot.getAxis("left"))
    return plot


def title_html(text: str) -> str:
    """A plot's title as a PlotNote shows it: bold, centred, a little larger."""
    return f"<div align='center' style='font-size:large'><b>{html.escape(text)}</b></div>"


LARGEST_SHOWN = float(np.finfo(np.float64).max) / 8
"""Plot ranges stop here: nice 1-2-5 steps and padding stay finite above it."""


class RangeFollower:
    """Keeps a plot's data in view with limits that change rarely: x up to a 1-2-5 step,
    y in whole decades (log) or nice steps (linear). Each range change re-renders the axes;
    changing it only now and then keeps per-frame work small and the view still."""

    def __init__(self, plot: pg.PlotItem, log_y: bool) -> None:
        self._plot = plot
        self._log_y = log_y
        self._limits = None
        self.following = True
        plot.vb.sigRangeChangedManually.connect(self._stop)

    def reset(self) -> None:
        """Follow again from scratch (a new run)."""
        self.following = True
        self._limits = None

    def update(self, x_max: float, y_low: float, y_high: float) -> None:
        """Make sure x in [0, x_max] and y in [y_low, y_high] are visible."""
        if not self.following or not (math.isfinite(y_low) and math.isfinite(y_high)):
            return
        # Values near the float64 limit (an SVD of a matrix holding 1e308) would round the
        # limits, or pyqtgraph's padding, up to inf, and setRange refuses inf (issue 13).
        y_low, y_high = max(y_low, -LARGEST_SHOWN), min(y_high, LARGEST_SHOWN)
        x_limit = nice_ceiling(max(x_max, 10.0))
        if self._log_y:
            low = math.floor(y_low)
            y_limits = (low, max(math.ceil(y_high), low + 1))
        else:
            span = nice_ceiling(max(y_high, abs(y_low), 1e-12), LINEAR_STEPS)
            y_limits = (min(0.0, -span if y_low < 0 else 0.0), span)
        old_x, *old_y = self._limits or (None, None, None)
        self._limits = (x_limit, *y_limits)
        # One axis at a time: a range change re-renders only that axis (with the GIL held).
        if x_limit != old_x:
            self._plot.vb.setRange(xRange=(0.0, x_limit), padding=0.03)
        if list(y_limits) != old_y:
            self._plot.vb.setRange(yRange=y_limits, padding=0.03)

    def _stop(self, *_args) -> None:
        # The teacher zoomed or panned: leave the view where they put it.
        self.following = False


def finite_bounds(values: np.ndarray) -> tuple[float, float]:
    """(min, max) of the finite entries, or (nan, nan) when there are none."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return math.nan, math.nan
    return float(finite.min()), float(finite.max())
