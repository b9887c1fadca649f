"""A banner above the plots for messages a teacher should not miss (divergence, errors)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QTextDocumentFragment
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QToolButton, QWidget

from gui.widgets.label_colour import set_text_colour

# kind: (background, border, text) colours.
_COLOURS = {
    "error": ("#fde7e9", "#d13438", "#5c0a0e"),
    "warning": ("#fff4ce", "#c19c00", "#4d3b00"),
    "info": ("#dff6dd", "#107c10", "#0b3d0b"),
}


class MessageBanner(QFrame):
    """A coloured message with an optional action button and a close button.

    Signals:
        action_clicked(): the action button (e.g. "Use lr = 0.5") was clicked.
    """

    action_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self._colours = _COLOURS["info"]
        self.label = QLabel(self)
        self.label.setObjectName("messageText")
        self.label.setWordWrap(True)
        self.action_button = QPushButton(self)
        self.action_button.setObjectName("messageAction")
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setToolTip("Hide this message.")
        self.close_button.setAutoRaise(True)
        # The text takes the whole width (beside it, the buttons squeezed it into a narrow
        # column in a narrow window); the action goes under it, the close button top right.
        layout = QGridLayout(self)
        layout.setContentsMargins(10, 6, 4, 6)
        layout.addWidget(self.label, 0, 0)
        layout.addWidget(self.close_button, 0, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.action_button, 1, 0, Qt.AlignmentFlag.AlignLeft)
        layout.setColumnStretch(0, 1)
        self.action_button.clicked.connect(self.action_clicked)
        self.action_button.clicked.connect(self.hide)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    def text(self) -> str:
        """The message shown, as plain text (empty when hidden)."""
        if self.isHidden():
            return ""
        return QTextDocumentFragment.fromHtml(self.label.text()).toPlainText()

    def show_message(self, text: str, kind: str = "info", action: str = "") -> None:
        """Show `text`; kind is error, warning or info; `action` labels the action button."""
        self._colours = _COLOURS[kind]
        set_text_colour(self.label, self._colours[2])
        self.label.setText(text)
        self.action_button.setText(action)
        self.action_button.setVisible(bool(action))
        self.show()

    def paintEvent(self, event) -> None:
        # Drawn here rather than by a style sheet, which would stop the text from taking
        # the window's font (gui/widgets/label_colour.py).
        background, border, _text = self._colours
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(border), 1))
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
