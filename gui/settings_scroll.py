"""A scroll area that scrolls its contents up and down only."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QScrollArea, QWidget


class VerticalScrollArea(QScrollArea):
    """Never narrower than its widget needs, so the settings scroll only vertically: a
    horizontal scroll bar would hide half of every control in a narrow window."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # QScrollArea watches its widget already; a new minimum width inside (a longer
        # "stable < ..." text) must reach the splitter, which asks this area, not the widget.
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        widget = self.widget()
        if widget is not None:
            needed = (widget.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
                      + 2 * self.frameWidth())
            hint.setWidth(max(hint.width(), needed))
        return hint
