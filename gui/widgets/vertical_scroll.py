"""A scroll area that scrolls its contents up and down only."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QScrollArea, QWidget


class VerticalScrollArea(QScrollArea):
    """Never narrower than its widget needs, so its contents (the settings, the theory
    numbers) scroll only vertically: a horizontal scroll bar would hide half of every
    control in a narrow window."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # QScrollArea watches its widget already; a new minimum width inside (a longer
        # "stable < ..." text) must reach the layout around, which asks this area.
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def sizeHint(self) -> QSize:
        # Tall enough to show everything at the width it has, when there is room for it.
        hint = super().sizeHint()
        widget = self.widget()
        if widget is not None:
            width = self.viewport().width()
            height = (widget.heightForWidth(width) if widget.hasHeightForWidth() and width > 0
                      else widget.sizeHint().height())
            hint.setHeight(height + 2 * self.frameWidth())
        return hint

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # wrapped text needs another height at another width

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        widget = self.widget()
        if widget is not None:
            needed = (widget.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
                      + 2 * self.frameWidth())
            hint.setWidth(max(hint.width(), needed))
        return hint
