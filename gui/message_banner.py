"""A banner above the plots for messages a teacher should not miss (divergence, errors)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

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
        self.label = QLabel(self)
        self.label.setObjectName("messageText")
        self.label.setWordWrap(True)
        self.action_button = QPushButton(self)
        self.action_button.setObjectName("messageAction")
        self.close_button = QPushButton("✕", self)
        self.close_button.setToolTip("Hide this message.")
        self.close_button.setFlat(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
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
        background, border, text_colour = _COLOURS[kind]
        self.setStyleSheet(
            f"#messageBanner {{background: {background}; border: 1px solid {border};"
            f" border-radius: 4px;}} #messageText {{color: {text_colour};}}"
        )
        self.label.setText(text)
        self.action_button.setText(action)
        self.action_button.setVisible(bool(action))
        self.show()
