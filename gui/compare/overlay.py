"""Pinned runs drawn on the loss plot, under the live curve, with a legend and a title."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject

from gui.compare.pinned import PinnedRuns
from gui.plots.legend_label import LegendNote
from gui.plots.loss_curve import log_losses
from gui.plots.loss_plot import LIVE_COLOUR, LossPlot
from gui.projector import mark_managed

# Okabe & Ito's colour-blind-safe colours, without the live curve's dark blue and without
# yellow (unreadable on white).
PIN_COLOURS = ("#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999")
LIVE_NAME_PREFIX = "now: "


class PinnedOverlay(QObject):
    """Keeps one curve per pinned run on `loss_plot`, and a legend below it (`legend`, a
    LegendNote) naming them and the live run. Curves are made when a run is pinned and
    removed when it is unpinned, never per frame (re-creating plot items leaks with PySide:
    pyqtgraph #2348). While a tutorial figure is on show, its curves are the only ones: the
    live run's curve steps aside until the figure is unpinned."""

    def __init__(self, loss_plot: LossPlot, pins: PinnedRuns, legend: LegendNote,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._plot = loss_plot
        self._pins = pins
        self.legend = legend
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._colours: dict[str, str] = {}
        self._live_name = ""
        self._live_shown = False
        self._projector = False
        pins.changed.connect(self.refresh)

    @property
    def curve_names(self) -> list[str]:
        """The names of the pinned curves drawn, in legend order."""
        return list(self._curves)

    def legend_names(self) -> list[str]:
        """The texts in the legend, in order (empty while nothing is pinned)."""
        return self.legend.names()

    def set_live(self, name: str, has_points: bool) -> None:
        """Name the live run in the legend; it is listed only while it has points."""
        if (name, has_points) != (self._live_name, self._live_shown):
            self._live_name, self._live_shown = name, has_points
            self._rebuild_legend()

    def set_projector(self, on: bool) -> None:
        """Thicker pinned curves for projector mode (the legend follows the window font)."""
        self._projector = on
        for name, curve in self._curves.items():
            curve.setPen(self._pen(name))

    def refresh(self) -> None:
        """Match the curves, legend and plot range to the pinned runs."""
        plot = self._plot.getPlotItem()
        runs = self._pins.runs
        wanted = {run.name for run in runs}
        for name in [n for n in self._curves if n not in wanted]:
            plot.removeItem(self._curves.pop(name))
        for run in runs:
            if run.name not in self._curves:
                self._colours[run.name] = self._free_colour()
                self._curves[run.name] = self._make_curve(run)
        self._curves = {run.name: self._curves[run.name] for run in runs}
        self._colours = {name: self._colours[name] for name in self._curves}
        self._plot.set_live_visible(self._pins.title is None)
        self._rebuild_legend()
        extents = [(int(run.iterations[-1]), log_losses(run.losses)) for run in runs
                   if run.losses.size]
        self._plot.include_extent(
            (max(x for x, _ in extents), min(float(y.min()) for _, y in extents),
             max(float(y.max()) for _, y in extents)) if extents else None)

    def _make_curve(self, run) -> pg.PlotDataItem:
        curve = pg.PlotDataItem(run.iterations.astype(np.float64), log_losses(run.losses),
                                pen=self._pen(run.name))
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
        if not self._curves:
            self.legend.set_entries([])
            return
        entries = []
        if self._live_name and self._live_shown and self._pins.title is None:
            entries.append((LIVE_COLOUR, LIVE_NAME_PREFIX + self._live_name, "solid"))
        entries += [(self._colours[name], name, "solid") for name in self._curves]
        self.legend.set_entries(entries, title=self._pins.title or "")
