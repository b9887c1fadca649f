"""The live loss curve on a log scale.

Plot items are created once and then only fed with setData / setImage: re-creating items
on every update leaks memory with PySide (pyqtgraph #2348, #2672).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem, QWidget

from gui.loss_store import LossStore
from gui.plots.axes import DecadeAxis, fix_log_axis_width, nice_ceiling, style_axes
from gui.plots.chunked_path import ChunkedPath
from gui.plots.loss_curve import PeakDecimator, log_losses
from gui.plots.plot_widgets import DecadeLines, PlotWidget

LIVE_COLOUR = "#0b3d91"  # the live run's curve: dark blue, apart from the pinned runs' colours
# The loss axis's title, longest first: the longest that fits the plot's height is shown.
LOSS_TITLES = ("loss = mean(R²)  (no unit)", "loss = mean(R²)", "loss")
DENSE_CURVE_POINTS = 1000  # points on screen above which the loss curve is drawn 1 px wide


class LossPlot(PlotWidget):
    """The run's loss against the iteration on a log scale, for up to millions of points.

    It draws the run's one loss history (a LossStore, owned by the document model), as Qt
    path items peak-decimated to about one bin per two pixels as losses arrive
    (gui/plots/loss_curve.py): each update costs O(new points) plus the points on screen, a
    million points draw as fast as a thousand, Qt paints the line without holding the GIL,
    and a frame repaints only the end of the line that changed (gui/plots/chunked_path.py).
    It keeps no losses of its own.
    """

    def __init__(self, store: LossStore, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w", axisItems={"left": DecadeAxis("left")})
        self.setObjectName("lossPlot")
        self._store = store
        plot = self.getPlotItem()
        # Only the axis is logarithmic: the data is log10 already, taken once per point as
        # it is binned instead of over the whole curve on every redraw.
        plot.getAxis("left").setLogMode(True)
        # Otherwise a run that diverges to 1e9 gets "(x1e+09)" on the axis and ticks divided
        # by it: wrong numbers next to a log scale.
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.setLabel("left", LOSS_TITLES[0])
        plot.setLabel("bottom", "iteration t  (steps)")
        self.decade_lines = DecadeLines(plot)  # not showGrid: see DecadeLines
        # The plot's own "Log Y" menu would take log10 a second time: keep only the view menu.
        plot.setMenuEnabled(enableMenu=False, enableViewBoxMenu=True)
        # The end labels ("200" at the right edge, the top decade) sit half outside the
        # axis; pyqtgraph hides them unless allowed to overlap into this margin.
        plot.layout.setContentsMargins(4, 10, 24, 4)
        for name in ("left", "bottom"):
            plot.getAxis(name).setStyle(hideOverlappingLabels=12)
        style_axes(plot, 12)
        fix_log_axis_width(plot.getAxis("left"))
        plot.getAxis("left").set_titles(*LOSS_TITLES)
        self._follow = True
        self._x_limit = 0.0
        self._y_limits = (0.0, 0.0)
        self._y_low, self._y_high = np.inf, -np.inf
        plot.vb.disableAutoRange()
        plot.vb.sigRangeChangedManually.connect(self._stop_following)
        self._pen_width = 2
        self._line_scale = 1.0
        # Other curves drawn on this plot (pinned runs) that the automatic range includes.
        self._extent: tuple[float, float, float] | None = None
        self._path_item = ChunkedPath()
        self._path_item.set_line_pen(_curve_pen(self._pen_width))
        plot.addItem(self._path_item, ignoreBounds=True)
        # The last segment, to the estimate the run has now: the store holds the losses
        # before each update (rows 0 … N−1), the banner and status bar name loss(X_N).
        self._tail = QGraphicsPathItem()
        self._tail.setPen(_curve_pen(self._pen_width))
        plot.addItem(self._tail, ignoreBounds=True)
        self._tip = 0
        # Stands for the curve in legends (they read a PlotDataItem's pen); never drawn.
        self._legend_sample = pg.PlotDataItem(pen=_curve_pen(self._pen_width))
        self._decimator = PeakDecimator()
        plot.vb.sigXRangeChanged.connect(self._update_downsampling)
        plot.vb.sigResized.connect(self._update_downsampling)
        self._hover = pg.TextItem(color="k", anchor=(0, 1), fill=pg.mkBrush(255, 255, 255, 220))
        self._hover.setZValue(10)
        plot.addItem(self._hover, ignoreBounds=True)
        self._hover.hide()
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """A fixed preference: QGraphicsView's own is its scene rectangle, which pyqtgraph
        keeps at the view's last size, so the panel's height-for-width (the note above
        wraps) kept whatever height the plot once had: after projector mode the curve kept
        its larger share and the heatmaps under it were left 4 px."""
        return QSize(320, 200)

    @property
    def curve(self) -> pg.PlotDataItem:
        """A stand-in for the live run's curve in legends: it has the curve's pen."""
        return self._legend_sample

    @property
    def hover_text(self) -> str:
        """The read-out under the mouse ("t = 12, loss = ..."), empty when none is shown."""
        return self._hover.toPlainText() if self._hover.isVisible() else ""

    def include_extent(self, extent: tuple[float, float, float] | None) -> None:
        """Keep (x_max, log10 low, log10 high) in view as well, e.g. for pinned runs drawn
        on this plot; None forgets it. The view follows the curves again."""
        self._extent = extent
        self.follow()

    def set_live_visible(self, visible: bool) -> None:
        """Show or hide the live run's curve (a tutorial figure shows only its own runs)."""
        self._path_item.setVisible(visible)
        self._tail.setVisible(visible)

    @property
    def curve_end(self) -> tuple[float, float] | None:
        """(iteration, log10 loss) where the drawn curve ends, at the current estimate;
        None before the first step."""
        if self._tail.path().isEmpty():
            return None
        end = self._tail.path().currentPosition()
        return end.x(), end.y()

    def show_estimate(self, iteration: int, loss: float) -> None:
        """The run's current estimate X_iteration has `loss`: draw the curve on to it and
        keep it in view (a diverged run's last loss, a converged run's final one)."""
        previous = self._store.loss_at(iteration - 1) if iteration > 0 else None
        if previous is None:
            self._tail.setPath(QPainterPath())
        else:
            ys = log_losses([previous, loss])
            path = QPainterPath(QPointF(iteration - 1, ys[0]))
            path.lineTo(QPointF(iteration, ys[1]))
            self._tail.setPath(path)
        self._tip = iteration
        self._note_extent(np.array([loss]))
        self._update_range()

    @property
    def live_visible(self) -> bool:
        """True while the live run's curve is drawn."""
        return self._path_item.isVisible()

    def set_line_scale(self, scale: float) -> None:
        """Draw the curve `scale` times thicker (projector mode); 1 is the normal width."""
        self._line_scale = scale
        self._pen_width = 0  # forces _update_pen to set a new pen
        self._update_pen()

    @property
    def point_count(self) -> int:
        """Number of iterations on the curve."""
        return len(self._store)

    @property
    def drawn_point_count(self) -> int:
        """Points of the line drawn for the curve (about two per pixel of its width)."""
        return self._path_item.point_count

    def clear_curve(self) -> None:
        """A new run starts: forget the drawn curve and the hover read-out, and follow the
        new curve from the start."""
        self._decimator.reset(self._decimator.width)
        self._tail.setPath(QPainterPath())
        self._tip = 0
        self._hover.hide()
        self._follow = True
        self._x_limit = 0.0
        self._y_limits = (0.0, 0.0)
        self._y_low, self._y_high = np.inf, -np.inf
        self._update_range()
        self._redraw_curve()

    def redraw_from_store(self) -> None:
        """Draw whatever the store holds now (a run resumed from the past, a reopened
        lesson's history), framed around it."""
        self.clear_curve()
        _x, losses = self._store.points()
        self._note_extent(losses)
        self._update_range()
        self._redraw_curve()
        self._update_pen()

    def set_start(self, loss: float) -> None:
        """Frame a plot with no points yet around the loss the run starts from: ten steps,
        its decade and the one below (where a falling curve goes first), so that the axes
        are labelled before the first step."""
        if len(self._store) == 0 and math.isfinite(loss) and loss > 0:
            y = math.log10(loss)
            self._y_low, self._y_high = min(self._y_low, y - 1.0), max(self._y_high, y)
            self._update_range()

    def follow(self) -> None:
        """Show the whole curve again and keep it in view as it grows."""
        self._follow = True
        self._x_limit = 0.0
        self._y_limits = (0.0, 0.0)
        self._update_range()

    def append(self, iterations: np.ndarray, losses: np.ndarray) -> None:
        """Losses the store has just received: redraw the curve in place."""
        if len(losses) == 0:
            return
        self._note_extent(losses)
        self._update_range()  # may change the bin width, and then redraws
        self._redraw_curve()
        self._update_pen()

    def _note_extent(self, losses: np.ndarray) -> None:
        if len(losses):
            logs = log_losses(losses)
            self._y_low = min(self._y_low, float(logs.min()))
            self._y_high = max(self._y_high, float(logs.max()))

    def _redraw_curve(self) -> None:
        x_range = tuple(self.getPlotItem().vb.viewRange()[0])
        self._path_item.set_points(*self._decimator.points(self._store, x_range))

    def _update_pen(self) -> None:
        """2 pixels wide (readable on a projector) until the curve gets dense, then 1: Qt
        strokes a path with a wider pen ~10x slower (raster engine, measured 8 ms against
        0.7 ms for 450 points). That runs without the GIL, but still keeps a core busy."""
        width = 2 if len(self._store) < DENSE_CURVE_POINTS * self._decimator.width else 1
        if width != self._pen_width:
            self._pen_width = width
            pen = _curve_pen(width * self._line_scale)
            self._path_item.set_line_pen(pen)
            self._tail.setPen(pen)
            self._legend_sample.setPen(pen)

    def _update_range(self) -> None:
        """Keep the curve in view with limits that change rarely: the x range in 1-2-5 steps,
        the y range in whole decades, with a decade to spare below a falling curve. Each
        axis is re-rendered only when its own range changes (a few times per run), and the
        view does not jitter while the class watches."""
        n = len(self._store)
        nothing = n == 0 and self._extent is None and not math.isfinite(self._y_low)
        if not self._follow or nothing:
            return
        x_last = float(max(n - 1, self._tip)) if n else float(self._tip)
        low, high = self._y_low, self._y_high
        if self._extent is not None:
            x_last = max(x_last, self._extent[0])
            low, high = min(low, self._extent[1]), max(high, self._extent[2])
        view = self.getPlotItem().vb
        # A tenth of the width beyond the last iteration at least: the dashed prediction
        # starts there and would be a point on the right edge at t = 10, 20, 50, ...
        x_limit = nice_ceiling(max(x_last * 1.1, 10.0))
        if x_limit != self._x_limit:
            self._x_limit = x_limit
            view.setRange(xRange=(0.0, x_limit), padding=0.02, disableAutoRange=True)
        if not (math.isfinite(low) and math.isfinite(high)):
            return
        lower, upper = self._y_limits
        unset = self._y_limits == (0.0, 0.0)
        if unset or low < lower or high > upper:
            new_lower = float(np.floor(low))
            if not unset and low < lower:
                new_lower -= 1.0  # still falling: the next decade is already in view
            self._y_limits = (new_lower, max(float(np.ceil(high)), new_lower + 1.0))
            view.setRange(yRange=self._y_limits, padding=0.02, disableAutoRange=True)

    def _update_downsampling(self, *_args) -> None:
        """One bin (a min and a max) per two pixels of the visible x range; redraw the part
        of the curve in view."""
        view = self.getPlotItem().vb
        pixels = max(view.width(), 1.0)
        x_min, x_max = view.viewRange()[0]
        width = max(1, int(2.0 * (x_max - x_min) / pixels))
        if width != self._decimator.width:
            self._decimator.reset(width)
        self._redraw_curve()

    def _stop_following(self, *_args) -> None:
        # The user zoomed or panned: leave the view where they put it.
        self._follow = False

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # The plot moved under a still mouse (projector mode on or off): the read-out is no
        # longer for the point under it. (Qt resizes the plot once before it is built.)
        hover = getattr(self, "_hover", None)
        if hover is not None:
            hover.hide()
        super().resizeEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """The read-out is for the point under the mouse: it goes when the mouse does
        (it stayed over the plot while the history slider was dragged)."""
        self._hover.hide()
        super().leaveEvent(event)

    def _on_mouse_moved(self, position: QPointF) -> None:
        view = self.getPlotItem().vb
        n = len(self._store)
        if n == 0 or not view.sceneBoundingRect().contains(position):
            self._hover.hide()
            return
        point = view.mapSceneToView(position)
        x, losses = self._store.since(max(0, int(point.x()) - self._store.bin_width))
        if not x.size:
            x, losses = self._store.since(max(0, n - 1))
        i = int(np.clip(np.searchsorted(x, point.x()), 0, x.size - 1))
        self._hover.setText(f"t = {int(x[i])}\nloss = {losses[i]:.4g}")
        self._hover.setPos(float(x[i]), float(log_losses(losses[i: i + 1])[0]))
        self._hover.show()


def _curve_pen(width: float):
    return pg.mkPen(LIVE_COLOUR, width=width)
