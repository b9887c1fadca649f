"""pyqtgraph views that Qt paints without holding Python's GIL.

pyqtgraph's GraphicsView overrides paintEvent in Python (to emit the scene's
sigPrepareForPaint first), so every repaint of a plot runs all of Qt's C++ painting
(rasterising curves, text, the axis caches) inside a Python call, with the GIL held. The
solver thread needs the GIL between any two torch operations, so it stood still for the
whole of every redraw: measured with a plot redrawn 190 times a second, the solver made
1,900 steps/s against 2,830 with the paint left to C++ (bench_gui: Max speed, issue 3).

These views restore Qt's own paintEvent and run pyqtgraph's preparation from an event
filter instead, just before each paint; Python is then only entered for the items that
paint in Python (pyqtgraph's curves and images), for as long as they take.

Every repaint also asks each visible item that has contents for its boundingRect, and for
pyqtgraph's items that is a Python call (a GIL hand-over with the solver thread each time).
Containers that paint nothing (plot items, view boxes without a border, layouts, labels,
item groups) are marked ItemHasNoContents when the view is shown, so Qt skips them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsScene, QGraphicsView

from gui.plots.pixmap_axis import default_axes

# pyqtgraph items whose paint() draws nothing (ViewBox only draws a border, if it has one).
_CONTAINERS = (pg.PlotItem, pg.GraphicsLayout, pg.LabelItem, pg.ItemGroup)


class _PaintPreparer(QObject):
    """Calls the scene's prepareForPaint (and one-shot callbacks) before each paint."""

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view)
        self._view = view
        self.before_next_paint: Callable[[], None] | None = None
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show:
            scene = self._view.scene()
            if scene is not None:
                skip_empty_items(scene)
        elif event.type() == QEvent.Type.Paint:
            scene = self._view.scene()
            if scene is not None:
                scene.prepareForPaint()  # pyqtgraph: apply pending view ranges, auto-range
            callback, self.before_next_paint = self.before_next_paint, None
            if callback is not None:
                callback()
        return False


def skip_empty_items(scene: QGraphicsScene) -> None:
    """Mark the scene's pyqtgraph containers that paint nothing as ItemHasNoContents."""
    for item in scene.items():
        if isinstance(item, _CONTAINERS) or (isinstance(item, pg.ViewBox) and _no_border(item)):
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)


def _no_border(view: pg.ViewBox) -> bool:
    return view.border is None or view.border.style() == Qt.PenStyle.NoPen


class CppPaintMixin:
    """List before a pyqtgraph GraphicsView subclass; call `_paint_in_cpp()` in __init__."""

    # Shiboken calls a Python override only if the attribute differs from the C++ method.
    paintEvent = QGraphicsView.paintEvent

    def _paint_in_cpp(self) -> None:
        self._preparer = _PaintPreparer(self)

    def call_before_paint(self, callback: Callable[[], None]) -> None:
        """Call `callback()` once, as the next repaint of the view starts."""
        self._preparer.before_next_paint = callback


class PlotWidget(CppPaintMixin, pg.PlotWidget):
    """pg.PlotWidget, painted by Qt without the GIL (see the module docstring); its axes
    are PixmapAxis unless given."""

    def __init__(self, *args, axisItems: dict | None = None, **kwargs) -> None:
        super().__init__(*args, axisItems=default_axes(axisItems), **kwargs)
        self._paint_in_cpp()


class GraphicsLayoutWidget(CppPaintMixin, pg.GraphicsLayoutWidget):
    """pg.GraphicsLayoutWidget, painted by Qt without the GIL (see the module docstring);
    plots added with addPlot get PixmapAxis axes unless given."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._paint_in_cpp()
        # pyqtgraph binds addPlot to its central layout on each instance, over any method.
        self.addPlot = self._add_plot

    def _add_plot(self, *args, axisItems: dict | None = None, **kwargs) -> pg.PlotItem:
        return self.ci.addPlot(*args, axisItems=default_axes(axisItems), **kwargs)


class DecadeLines:
    """Light horizontal lines at the whole decades of a plot whose y data are log10 values.

    Replaces pyqtgraph's axis grid (showGrid) on log plots: that grid is drawn by the axis
    item, in Python, with a line per minor tick across the whole view, and re-rendering it
    after a range change took ~15 ms with the GIL held (17 decades, 190 lines). These lines
    are one Qt path item, rebuilt when the view range changes and painted in C++.
    """

    MAX_LINES = 40  # beyond this many decades in view, only every k-th is drawn

    def __init__(self, plot: pg.PlotItem, colour=(64, 64, 64, 77)) -> None:
        self._view = plot.vb
        self.item = QGraphicsPathItem()
        self.item.setPen(pg.mkPen(colour, width=1))
        plot.addItem(self.item, ignoreBounds=True)
        self.item.setZValue(-1)  # behind the curves, above the view's background
        self._view.sigRangeChanged.connect(self.update)
        self.update()

    def update(self, *_args) -> None:
        """Redraw the lines for the current view range."""
        (x0, x1), (y0, y1) = self._view.viewRange()
        first, last = math.ceil(y0), math.floor(y1)
        step = max(1, math.ceil((last - first + 1) / self.MAX_LINES))
        path = QPainterPath()
        for y in range(first, last + 1):
            if y % step == 0:
                path.moveTo(x0, y)
                path.lineTo(x1, y)
        self.item.setPath(path)
