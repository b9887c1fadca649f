"""A banner above the plots for messages a teacher should not miss (divergence, errors)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QTextDocumentFragment
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QToolButton, QWidget

from gui.widgets.elided_label import first_lines
from gui.widgets.label_colour import set_text_colour

# Lines of text the banner shows at most: a longer message is cut with "…" and shown whole in
# the banner's tooltip, so that a five-line divergence message in a narrow window does not
# push the plots under it down to slivers.
MAX_LINES = 2

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
        self._html = ""
        self.label = QLabel(self)
        self.label.setObjectName("messageText")
        # Always rich text: the messages come HTML-escaped, and Qt's guess (AutoText) showed
        # a message without tags as plain text, entities and all ("&#x27;this is&#x27;").
        self.label.setTextFormat(Qt.TextFormat.RichText)
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
        """The whole message, as plain text (empty when hidden), even when the banner
        shows it cut to MAX_LINES lines."""
        if self.isHidden():
            return ""
        return QTextDocumentFragment.fromHtml(self._html).toPlainText()

    def is_cut(self) -> bool:
        """True while the banner shows its message cut short (whole in the tooltip)."""
        return self.label.textFormat() == Qt.TextFormat.PlainText

    def show_message(self, text: str, kind: str = "info", action: str = "") -> None:
        """Show `text` (Qt rich text) in at most MAX_LINES lines, whole in the tooltip if
        cut; kind is error, warning or info; `action` labels the action button."""
        self._colours = _COLOURS[kind]
        set_text_colour(self.label, self._colours[2])
        self._html = text
        self.action_button.setText(action)
        self.action_button.setVisible(bool(action))
        self.show()
        self._fit_text()
        # The frame's colours changed: repaint all of it, not only the label's new text
        # (a red error was drawn inside the green frame of the message before it).
        self.update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_text()

    def _fit_text(self) -> None:
        """The message in full if it fits in MAX_LINES lines at the label's width, else its
        plain text cut to MAX_LINES lines with "…", and the whole of it as a tooltip."""
        label = self.label
        width = label.width()
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setText(self._html)
        limit = MAX_LINES * label.fontMetrics().lineSpacing()
        if not self._html or width < 1 or label.heightForWidth(width) <= limit + 4:
            self.setToolTip("")
            return
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(first_lines(self.text(), label.font(), width, MAX_LINES)[0])
        self.setToolTip(f"<p>{self._html}</p>")

    def paintEvent(self, event) -> None:
        # Drawn here rather than by a style sheet, which would stop the text from taking
        # the window's font (gui/widgets/label_colour.py).
        background, border, _text = self._colours
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(border), 1))
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)

