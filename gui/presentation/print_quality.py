"""Draw live widgets for a figure: laid out at the figure's size, sharp at its pixel ratio.

A figure is not a screenshot scaled up. Each widget is laid out at the size it takes in the
figure (`laid_out_at`: resized for the moment it is painted, then put back, with no event
loop turn in between, so the window never shows it), then painted into an image whose
device pixel ratio is the figure's scale: Qt draws text, curves and axes anew at that
resolution. Two things would still come out as on a 1x screen, and `print_quality` fixes
them while the figure is painted:

- the plots' axes (gui/plots/pixmap_axis.py) show a pixmap rendered at the screen's ratio:
  they are painted from pyqtgraph's vector drawing instead;
- cosmetic pens (pyqtgraph's default: widths in device pixels, whatever the transform) would
  draw a 2-pixel curve 2 pixels wide in a 2x image: they are widened by the scale.
"""

from __future__ import annotations

import contextlib

import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtGui import QPen
from PySide6.QtWidgets import (
    QAbstractGraphicsShapeItem,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsView,
    QWidget,
)

from gui.plots.pixmap_axis import PixmapAxis

_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


@contextlib.contextmanager
def laid_out_at(widget: QWidget, size: QSize):
    """Give `widget` the size `size` (its children laid out for it) inside the block, and
    its own size back after it."""
    old = widget.size()
    widget.resize(size)
    if widget.layout() is not None:
        widget.layout().activate()
    try:
        yield
    finally:
        widget.resize(old)
        if widget.layout() is not None:
            widget.layout().activate()


@contextlib.contextmanager
def print_quality(widgets: list[QWidget], scale: float):
    """Inside the block, the plots in `widgets` (and their children) paint their axes as
    vectors and, for a scale above 1, their cosmetic pens `scale` times wider; everything
    is restored after it."""
    undo: list = []
    try:
        for view in _graphics_views(widgets):
            scene = view.scene()
            if scene is None:
                continue
            for item in scene.items():
                _prepare(item, scale, undo)
        yield
    finally:
        for restore in reversed(undo):
            restore()


def _graphics_views(widgets: list[QWidget]) -> list[QGraphicsView]:
    views: list[QGraphicsView] = []
    for widget in widgets:
        if isinstance(widget, QGraphicsView):
            views.append(widget)
        views.extend(widget.findChildren(QGraphicsView))
    return views


def _prepare(item: QGraphicsItem, scale: float, undo: list) -> None:
    if isinstance(item, PixmapAxis):
        # pyqtgraph's own paint() replays the axis as recorded vector drawing (a QPicture).
        item.setFlag(_NO_CONTENTS, False)
        undo.append(lambda i=item: i.setFlag(_NO_CONTENTS, True))
        for child in item.childItems():
            if isinstance(child, QGraphicsPixmapItem) and child.isVisible():
                child.setVisible(False)
                undo.append(lambda c=child: c.setVisible(True))
        return
    if scale <= 1.0:  # thinner than on screen, a 1-pixel line would fade out
        return
    if isinstance(item, pg.PlotCurveItem):
        pen = item.opts.get("pen")
        wider = _wider(pen, scale)
        if wider is not None:
            item.setPen(wider)
            undo.append(lambda i=item, p=pen: i.setPen(p))
    elif isinstance(item, pg.InfiniteLine):
        pen = item.pen
        wider = _wider(pen, scale)
        if wider is not None:
            item.setPen(wider)
            undo.append(lambda i=item, p=pen: i.setPen(p))
    elif isinstance(item, QAbstractGraphicsShapeItem):
        pen = item.pen()
        wider = _wider(pen, scale)
        if wider is not None:
            item.setPen(wider)
            undo.append(lambda i=item, p=pen: i.setPen(p))


def _wider(pen, scale: float) -> QPen | None:
    """A copy of a cosmetic `pen` `scale` times wider (a width of 0 means 1 pixel); None
    for no pen or a pen the painter's transform already scales."""
    if not isinstance(pen, QPen) or not pen.isCosmetic():
        return None
    wider = QPen(pen)
    wider.setWidthF(max(pen.widthF(), 1.0) * scale)
    return wider
