"""Pinned runs drawn on the loss plot, under the live curve, with a legend and a title."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, QTimer

from gui.compare.pinned import PinnedRuns
from gui.plots.loss_curve import log_losses
from gui.plots.loss_plot import LossPlot
from gui.projector import mark_managed

# Okabe & Ito's colour-blind-safe colours, without the live curve's dark blue and without
# yellow (unreadable on white).
PIN_COLOURS = ("#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#999999")
LIVE_NAME_PREFIX = "now: "
# Where the legend may go, as (x, y) fractions of the plot, in order of preference: top
# centre (left of the theory overlay's text), then a grid, upper rows first.
_LEGEND_SPOTS = ((0.45, 0.0),) + tuple((fx, fy) for fy in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
                                       for fx in (0.0, 0.25, 0.5, 0.75, 1.0))
_LEGEND_MARGIN = 8


def _shows_text(item) -> bool:
    """True for a visible label with text (e.g. the theory overlay's numbers)."""
    if not item.isVisible():
        return False
    if isinstance(item, pg.LabelItem):
        return bool(item.text)
    return isinstance(item, pg.TextItem) and bool(item.toPlainText())


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
        # Placed where it hides the fewest points of the curves (place_legend).
        self.legend = pg.LegendItem(offset=None, brush=pg.mkBrush(255, 255, 255, 215),
                                    pen=pg.mkPen("#808080"), labelTextColor="k",
                                    labelTextSize="11pt")
        self.legend.setParentItem(loss_plot.getPlotItem().vb)
        self.legend.setZValue(30)
        self.legend.hide()
        # This overlay sizes its legend and the plot's title itself (set_projector).
        mark_managed(self.legend)
        mark_managed(loss_plot.getPlotItem().titleLabel)
        pins.changed.connect(self.refresh)
        # The best place changes with the range; placing costs ~1 ms, ranges change rarely.
        self._place_timer = QTimer(self)
        self._place_timer.setSingleShot(True)
        self._place_timer.setInterval(100)
        self._place_timer.timeout.connect(self.place_legend)
        view = loss_plot.getPlotItem().vb
        view.sigRangeChanged.connect(self._schedule_placing)
        view.sigResized.connect(self._schedule_placing)

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
                self._curves[run.name] = self._make_curve(run)
        self._curves = {run.name: self._curves[run.name] for run in runs}
        self._colours = {name: self._colours[name] for name in self._curves}
        self._rebuild_legend()
        title = self._pins.title
        size = "17pt" if self._projector else "13pt"
        if title:
            plot.setTitle(title, color="k", size=size)
        else:
            plot.setTitle(None)
        extents = [(int(run.iterations[-1]), log_losses(run.losses)) for run in runs
                   if run.losses.size]
        self._plot.include_extent(
            (max(x for x, _ in extents), min(float(y.min()) for _, y in extents),
             max(float(y.max()) for _, y in extents)) if extents else None)

    def place_legend(self) -> None:
        """Anchor the legend at the spot (of a grid over the plot) that covers the fewest
        curve points and no label (the theory overlay's text)."""
        if not self.legend.isVisible():
            return
        view = self._plot.getPlotItem().vb
        width, height = view.width(), view.height()
        size = self.legend.boundingRect()
        (x0, x1), (y0, y1) = view.viewRange()
        xs, ys = [], []
        for item in self._plot.getPlotItem().listDataItems():
            x, y = item.getData()
            if x is None or not item.isVisible() or not len(x):
                continue
            stride = max(1, len(x) // 4000)  # enough points to judge, cheap to count
            xs.append((np.asarray(x[::stride]) - x0) / ((x1 - x0) or 1.0) * width)
            ys.append((y1 - np.asarray(y[::stride])) / ((y1 - y0) or 1.0) * height)
        px = np.concatenate(xs) if xs else np.empty(0)
        py = np.concatenate(ys) if ys else np.empty(0)
        labels = [child.mapRectToItem(view, child.boundingRect())
                  for child in view.childItems() if _shows_text(child)]
        best, best_score = None, None
        for fx, fy in _LEGEND_SPOTS:
            offset = ((0.5 - fx) * 2 * _LEGEND_MARGIN, (0.5 - fy) * 2 * _LEGEND_MARGIN)
            left = fx * (width - size.width()) + offset[0]
            top = fy * (height - size.height()) + offset[1]
            rect = QRectF(left, top, size.width(), size.height())
            inside = ((px >= rect.left()) & (px <= rect.right())
                      & (py >= rect.top()) & (py <= rect.bottom()))
            score = int(inside.sum()) + sum(10**9 for r in labels if r.intersects(rect))
            if best_score is None or score < best_score:
                best, best_score = (fx, fy, offset), score
        fx, fy, offset = best
        self.legend.anchor(itemPos=(fx, fy), parentPos=(fx, fy), offset=offset)

    def _schedule_placing(self, *_args) -> None:
        if self.legend.isVisible() and not self._place_timer.isActive():
            self._place_timer.start()

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
        self.legend.clear()
        if not self._curves:
            self.legend.hide()
            return
        if self._live_name and self._live_shown:
            self.legend.addItem(self._plot.curve, LIVE_NAME_PREFIX + self._live_name)
        for name, curve in self._curves.items():
            self.legend.addItem(curve, name)
        self.legend.show()
        self.place_legend()
