"""A label of at most a few lines: a longer text is cut with "…" and shown whole in its
tooltip. Its height is fixed by its font, so a new text never asks for a new layout."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextLayout
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """A plain-text QLabel of at most `max_lines` wrapped lines, always that high.

    `text()` is the whole text; the label shows its first lines, the last cut with "…"
    when it does not fit, and then the whole text as its tooltip.
    """

    def __init__(self, max_lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines = max_lines
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._fit_height()

    def text(self) -> str:  # noqa: D102 (QLabel's, the whole text)
        return self._full

    def shown_text(self) -> str:
        """What the label shows (cut with "…" if the text is longer than its lines)."""
        return super().text()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's API)
        """Show `text` (plain), cut to the label's lines."""
        self._full = text
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_height()
            self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _fit_height(self) -> None:
        margins = self.contentsMargins()
        self.setFixedHeight(self._lines * self.fontMetrics().lineSpacing()
                            + margins.top() + margins.bottom() + 2)

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown, cut = (first_lines(self._full, self.font(), width, self._lines) if width > 0
                      else (self._full, False))
        super().setText(shown)
        self.setToolTip(self._full if cut else "")


def first_lines(text: str, font: QFont, width: int, max_lines: int) -> tuple[str, bool]:
    """`text` wrapped at word boundaries into `width` pixels of `font`, one line per
    "\\n", cut after `max_lines` lines; and whether anything was cut (the last line then
    ends in "…")."""
    flat = " ".join(text.split())
    layout = QTextLayout(flat, font)
    layout.beginLayout()
    starts = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        starts.append(line.textStart())
    layout.endLayout()
    ends = [*starts[1:], len(flat)]
    lines = [flat[a:b].strip() for a, b in zip(starts, ends, strict=True)]
    if len(lines) <= max_lines:
        return "\n".join(lines), False
    last = flat[starts[max_lines - 1]:]
    cut = QFontMetrics(font).elidedText(last, Qt.TextElideMode.ElideRight, width)
    return "\n".join([*lines[:max_lines - 1], cut]), True
