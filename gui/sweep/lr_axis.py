"""A log axis for learning rates that reads like a ruler: 0.05, 0.1, 0.2, 0.5, 1, 2, 5."""

from __future__ import annotations

import math

from gui.plots.pixmap_axis import PixmapAxis

MANTISSAS = (1, 2, 5)


class LrAxis(PixmapAxis):
    """pyqtgraph's log-mode axis labels 2 ... 9 of every decade on a short range (0.06,
    0.07 and 0.08 then overprint each other) and writes 10 as "10¹"; this one labels 1, 2
    and 5 of each decade, as plain numbers, and leaves the other ticks unlabelled."""

    def __init__(self, orientation: str = "bottom", **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.setLogMode(True)
        self.enableAutoSIPrefix(False)

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        # None, not "": pyqtgraph measures "" as a line of text (see plots/loss_plot.py).
        return [_label(value) for value in values]


def _label(log_value: float) -> str | None:
    value = 10.0**log_value
    exponent = math.floor(log_value + 1e-9)
    mantissa = round(value / 10.0**exponent, 6)
    return f"{value:.6g}" if mantissa in MANTISSAS else None
