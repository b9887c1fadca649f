"""Pinned runs drawn on the loss plot, under the live curve, with a legend and a title."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject

from gui.compare.pinned import PinnedRuns
from gui.plots import LossPlot
from gui.projector import mark_managed

# Okabe & Ito's colour-blind-safe colours, without the live curve's dark blue and without
# yellow (unreadable on white).
PIN_COLOURS = ("#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999")
LIVE_NAME_PREFIX = "now: "
# The loss plot draws log10(loss); these bounds keep 0, inf and NaN drawable (as LossPlot).
_LOG_FLOOR, _LOG_CEILING = -300.0, 308.0


def log_losses(losses: np.ndarray) -> np.ndarray:
    """log10 of the losses, with 0 at the floor and NaN or inf at the ceiling."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(np.asarray(losses, dtype=np.float64))
    return np.nan_to_num(logs, nan=_LOG_CEILING, posinf=_LOG_CEILING, neginf=_LOG_FLOOR)


class PinnedOverlay(QObject):
    """Keeps one curve per pinned run on `loss_plot` and a legend naming them and the live
    run. Curves are made when a run is pinned and removed when it is unpinned, never per
    frame (re-creating plot items leaks with PySide: pyqtgraph #2348)."""

    def __init__(self, loss_plot: LossPlot, pins: PinnedRuns, parent: QObject | None = None):
        super().__init__(parent)
        self._plot = loss_plot
        self._pins = pins
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._colours: dict[str, str] = {}
        self._live_name = ""
        self._live_shown = False
        self._projector = False
        # Top centre: loss curves fall from the top left to the bottom, and the theory
        # overlay (issue 5) writes at the top right. It can be dragged elsewhere.
        self.legend = pg.LegendItem(offset=None, brush=pg.mkBrush(255, 255, 255, 215),
                                    pen=pg.mkPen("#808080"), labelTextColor="k",
                                    labelTextSize="11pt")
        self.legend.setParentItem(loss_plot.getPlotItem().vb)
        self.legend.anchor(itemPos=(0.5, 0), parentPos=(0.44, 0), offset=(0, 8))
        self.legend.setZValue(30)
        self.legend.hide()
        # This overlay sizes its legend and the plot's title itself (set_projector).
        mark_managed(self.legend)
        mark_managed(loss_plot.getPlotItem().titleLabel)
        pins.changed.connect(self.refresh)

    @property
    def curve_names(self) -> list[str]:
        """The names of the pinned curves drawn, in legend order."""
        return list(self._curves)

    def legend_names(self) -> list[str]:
        """The texts in the legend, top to bottom (empty while nothing is pinned)."""
        if not self.legend.isVisible():
            return []
        return [label.text for _sample, label in self.legend.items]

    def set_live(self, name: str, has_points: bool) -> None:
        """Name the live run in the legend; it is listed only while it has points."""
        if (name, has_points) != (self._live_name, self._live_shown):
            self._live_name, self._live_shown = name, has_points
            self._rebuild_legend()

    def set_projector(self, on: bool) -> None:
        """Thicker pinned curves and a larger legend for projector mode."""
        self._projector = on
        for name, curve in self._curves.items():
            curve.setPen(self._pen(name))
        self.legend.setLabelTextSize("16pt" if on else "11pt")
        self._rebuild_legend()

    def refresh(self) -> None:
        """Match the curves, legend, title and plot range to the pinned runs."""
        plot = self._plot.getPlotItem()
        runs = self._pins.runs
        wanted = {run.name for run in runs}
        for name in [n for n in self._curves if n not in wanted]:
            plot.removeItem(self._curves.pop(name))
        for run in runs:
            if run.name not in self._curves:
                self._colours[run.name] = self._free_colour()
                self._curves[run.name] = self._make_curve(run.name, run.losses)
        self._curves = {run.name: self._curves[run.name] for run in runs}
        self._colours = {name: self._colours[name] for name in self._curves}
        self._rebuild_legend()
        title = self._pins.title
        size = "17pt" if self._projector else "13pt"
        if title:
            plot.setTitle(title, color="k", size=size)
        else:
            plot.setTitle(None)
        extents = [(run.losses.size - 1, log_losses(run.losses)) for run in runs
                   if run.losses.size]
        self._plot.include_extent(
            (max(x for x, _ in extents), min(float(y.min()) for _, y in extents),
             max(float(y.max()) for _, y in extents)) if extents else None)

    def _make_curve(self, name: str, losses: np.ndarray) -> pg.PlotDataItem:
        curve = pg.PlotDataItem(np.arange(losses.size, dtype=np.float64), log_losses(losses),
                                pen=self._pen(name))
        curve.setZValue(-1)  # under the live curve
        mark_managed(curve)
        self._plot.getPlotItem().addItem(curve)
        # Only once in a view box: clip-to-view asks the view for its range.
        curve.setClipToView(True)
        curve.setDownsampling(auto=True, method="peak")
        return curve

    def _pen(self, name: str):
        return pg.mkPen(self._colours[name], width=4 if self._projector else 2)

    def _free_colour(self) -> str:
        used = set(self._colours.values())
        free = [c for c in PIN_COLOURS if c not in used]
        return free[0] if free else PIN_COLOURS[len(self._colours) % len(PIN_COLOURS)]

    def _rebuild_legend(self) -> None:
        self.legend.clear()
        if not self._curves:
            self.legend.hide()
            return
        if self._live_name and self._live_shown:
            self.legend.addItem(self._plot.curve, LIVE_NAME_PREFIX + self._live_name)
        for name, curve in self._curves.items():
            self.legend.addItem(curve, name)
        self.legend.show()
