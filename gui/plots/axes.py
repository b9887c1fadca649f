"""Axis styling shared by every plot: readable fonts, 1-2-5 range steps."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics

from gui.plots.pixmap_axis import PixmapAxis

# The tick labels a log axis of losses can show, of which the widest sets its width:
# pyqtgraph writes 1e-4 as "0.0001" (wider than "10⁻³⁰⁰" in every font measured), 1e-300
# as "10⁻³⁰⁰", and a minor tick of a zoomed-in decade as "5·10⁻³⁰⁰".
LOG_LABEL_SAMPLES = ("0.0001", "10⁻³⁰⁰", "5·10⁻³⁰⁰")
# Log axes show the 2 ... 9 ticks of each decade only up to this many decades in view.
MINOR_TICK_DECADES = 6
# Pixels between a vertical axis's title and its widest tick label.
TITLE_GAP = 4


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
    """Give a vertical log axis the width of its widest possible label and its title; a
    DecadeAxis keeps that width fitted to its fonts whenever its style changes (projector
    mode's larger fonts).

    pyqtgraph widens an axis to fit new labels but narrows it again only when they are 10 px
    narrower, so a run that once reached 10⁸ left the plots of the next run shifted by a few
    pixels; and an axis that changes width moves the whole plot under the class's eyes.
    Call it after the tick font is set (style_axes).
    """
    if isinstance(axis, DecadeAxis):
        axis.keep_width_fitted = True
    axis.setWidth(log_axis_width(axis))


def log_axis_width(axis: pg.AxisItem) -> int:
    """The width a vertical log axis needs for its widest possible tick label, the gap to
    its ticks and its (rotated) title beside them, in its current fonts."""
    metrics = QFontMetrics(axis.style.get("tickFont") or QFont())
    labels = max(metrics.horizontalAdvance(text) for text in LOG_LABEL_SAMPLES)
    title = QFontMetrics(axis.label.font()).height() if axis.label.isVisible() else 0
    offset = axis.style["tickTextOffset"][0] + max(0, axis.style["tickLength"])
    return math.ceil(labels + offset + title + TITLE_GAP)


class DecadeAxis(PixmapAxis):
    """A log-mode axis that labels only decades when a decade or more is in view:
    pyqtgraph also labels the minor ticks (0.2 ... 0.9) on a range of two decades or less,
    and 0.09, 0.08 then overprint 0.1. Zoomed into one decade, the minor labels stay."""

    keep_width_fitted = False  # set by fix_log_axis_width
    _titles: tuple[str, ...] = ()

    def set_titles(self, *titles: str) -> None:
        """Title the axis with the first of `titles` (longest first) that fits its height
        whole, the last one if none does: a short plot (a narrow window with a banner)
        cut "loss = mean(R²)  (no unit)" to "loss = mean(R²) (no u"."""
        self._titles = titles
        self._fit_title()

    def setStyle(self, **kwargs):  # noqa: N802 (pyqtgraph's API)
        """pyqtgraph's setStyle; a new tick font also refits the width (fix_log_axis_width),
        so larger fonts never put "0.0001" under the axis title, and the title its height."""
        super().setStyle(**kwargs)
        if self.keep_width_fitted:
            width = log_axis_width(self)
            if width != self.fixedWidth:
                self.setWidth(width)
        self._fit_title()

    def resizeEvent(self, ev=None):  # noqa: N802 (pyqtgraph's API)
        """pyqtgraph places the title; first the title is chosen for the new height."""
        self._fit_title()
        super().resizeEvent(ev)

    def _fit_title(self) -> None:
        if not self._titles or self.label is None:
            return
        metrics = QFontMetrics(self.label.font())
        room = self.size().height() - 2 * self.label.document().documentMargin()
        title = next((t for t in self._titles if metrics.horizontalAdvance(t) <= room),
                     self._titles[-1])
        if title != self.labelText:
            self.setLabel(title)

    def logTickStrings(self, values, scale, spacing):
        strings = super().logTickStrings(values, scale, spacing)
        # The minor level (log10 of 1 ... 9 in each decade) comes without a spacing. None,
        # not "": pyqtgraph measures "" as a line of text and then drops the whole level
        # (decades included) as too crowded once the font is large.
        if spacing is None and self.range[1] - self.range[0] >= 1.0:
            return [text if abs(value - round(value)) < 1e-9 else None
                    for value, text in zip(values, strings, strict=True)]
        return strings

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        # Over many decades the 2 ... 9 ticks of every decade are a grey smear, and each
        # re-render of the axis (after a range change, with the GIL held) drew them all.
        if maxVal - minVal > MINOR_TICK_DECADES:
            return [(spacing, ticks) for spacing, ticks in stdTicks if spacing >= 1.0]
        return super().logTickValues(minVal, maxVal, size, stdTicks)
