"""Plot axes that Qt draws from a pixmap, with no call into Python on a repaint.

On every repaint of a view, Qt asks each visible item that has contents for its bounding
rectangle, several times (drawing, the item cache, dirty regions). For pyqtgraph's AxisItem
that is a Python method, and each call first waits for the GIL, which the solver thread
holds between any two torch operations: over a 10,000-step run at Max the loss plot's two
axes alone were asked about 600 times (bench_gui, issue 3).

A PixmapAxis paints nothing itself (ItemHasNoContents, so Qt never asks it). pyqtgraph
renders its ticks and labels as before, but into the pixmap of a plain QGraphicsPixmapItem
child, and only after it invalidated them (new range, size or style), just before the next
repaint of the view.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem

# pyqtgraph shows every axis it is given, and by default only these two.
SHOWN_BY_DEFAULT = ("left", "bottom")


class PixmapAxis(pg.AxisItem):
    """pg.AxisItem, drawn by Qt from a pixmap that is re-rendered only when stale."""

    def __init__(self, orientation: str, **kwargs) -> None:
        self._sprite: QGraphicsPixmapItem | None = None  # pyqtgraph sets `picture` first
        self._picture = None
        self._stale = True
        self._scene = None
        super().__init__(orientation, **kwargs)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self._sprite = QGraphicsPixmapItem(self)
        self._sprite.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self._sprite.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph's API)
        """pyqtgraph's spacing, widened on a horizontal axis until the labels fit side by
        side: pyqtgraph keeps at least 2.25 intervals whatever the label width, so a
        narrow plot wrote "200400600800" (issue 14)."""
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or self.orientation not in ("bottom", "top") or self.logMode:
            return levels
        metrics = QFontMetrics(self.style.get("tickFont") or QFont())
        major = levels[0][0]
        widest = max(metrics.horizontalAdvance(text)
                     for text in self.tickStrings([minVal, maxVal], 1.0, major))
        room = widest + metrics.horizontalAdvance("M")
        span = abs(maxVal - minVal)
        wider = major
        while span / wider * room > size:
            wider = _next_nice(wider)
        if wider == major:
            return levels
        return [(wider, 0), *[(s, o) for s, o in levels[1:]
                              if s < wider and abs(wider / s - round(wider / s)) < 1e-9]]

    # pyqtgraph's AxisItem sets `self.picture = None` wherever its drawing goes stale.
    @property
    def picture(self):
        """pyqtgraph's recorded drawing of the axis; None once it is stale."""
        return self._picture

    @picture.setter
    def picture(self, value) -> None:
        self._picture = value
        if value is None:
            self._invalidate()

    @property
    def pixmap(self) -> QPixmap:
        """What the axis shows: its ticks and labels as last rendered."""
        return self._sprite.pixmap()

    def _invalidate(self) -> None:
        self._stale = True
        scene = self.scene()
        if self._sprite is None or scene is None:
            return
        if scene is not self._scene:
            if self._scene is not None:
                self._scene.sigPrepareForPaint.disconnect(self.render_if_stale)
            scene.sigPrepareForPaint.connect(self.render_if_stale)
            self._scene = scene
        # Qt ignores update() on an item without contents: ask for a repaint of the area.
        scene.update(self.mapRectToScene(self.boundingRect()))

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph's API)
        """pyqtgraph's ticks, or for a range wider than the float64 limit (a colour bar from
        -1e308 to +1e308) its two ends and zero: pyqtgraph 0.14 computes
        int((maxVal - start) / spacing), which raises OverflowError there on every repaint
        (issue 13). An infinite or NaN end gets no ticks."""
        low, high = sorted((minVal, maxVal))
        if not (math.isfinite(low) and math.isfinite(high)):
            return []
        if math.isfinite((high - low) * self.scale):
            return super().tickValues(minVal, maxVal, size)
        values = [v for v in (low, 0.0, high) if low <= v <= high]
        return [(high / 2 - low / 2, values)]

    def render_if_stale(self) -> None:
        """Render the ticks and labels again if pyqtgraph invalidated them (called by the
        scene just before a repaint)."""
        if not self._stale or self._sprite is None:
            return
        rect = self.boundingRect()
        if rect.width() < 1 or rect.height() < 1:
            return
        views = self.scene().views() if self.scene() is not None else []
        ratio = views[0].devicePixelRatioF() if views else 1.0
        pixmap = QPixmap(QSize(math.ceil(rect.width() * ratio), math.ceil(rect.height() * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.translate(-rect.topLeft())
        try:
            super().paint(painter, None, None)
        finally:
            painter.end()
        # Like pyqtgraph's own paint: an invalidation while rendering (the axis widening to
        # fit its labels) is covered by the layout change that follows it.
        self._stale = False
        self._sprite.setOffset(rect.topLeft())
        self._sprite.setPixmap(pixmap)


def default_axes(axis_items: dict | None) -> dict:
    """`axis_items` completed with a PixmapAxis for the left and bottom axes if it leaves
    them out (hidden axes are never painted and stay pyqtgraph's)."""
    items = dict(axis_items or {})
    for orientation in SHOWN_BY_DEFAULT:
        items.setdefault(orientation, PixmapAxis(orientation))
    return items


def _next_nice(step: float) -> float:
    """The next 1-2-5 step above `step` (0.5 -> 1, 1 -> 2, 2 -> 5, 5 -> 10)."""
    decade = 10.0 ** math.floor(math.log10(step) + 1e-9)
    for factor in (2.0, 5.0, 10.0):
        if factor * decade > step * (1 + 1e-9):
            return factor * decade
    return 20.0 * decade
