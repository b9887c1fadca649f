"""Legends and notes beside a plot, never on it: plain Qt labels above or below the plot.

A legend inside the plot covers data wherever it goes (the converging tails, the start of
a curve); as a label outside the data area it covers nothing, wraps when the plot is
narrow, takes the window's font in projector mode and is painted by Qt without Python.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

# How each line style is drawn in a legend entry.
SAMPLES = {"solid": "━━", "dashed": "╍╍", "dotted": "┅┅"}


def entry_html(colour: str, text: str, style: str = "solid", breakable: bool = False) -> str:
    """One legend entry: a coloured line sample, then the name (escaped). Unless
    `breakable`, it is kept on one line."""
    sample = SAMPLES.get(style, SAMPLES["solid"])
    # Non-breaking spaces: a narrow legend wraps between entries, not inside one.
    name = html.escape(text) if breakable else html.escape(text).replace(" ", "&nbsp;")
    return f"<span style='color:{colour}'><b>{sample}</b></span>&nbsp;{name}"


class PlotNote(QLabel):
    """A rich-text line (or a few, wrapped) above or below a plot. It changes height only
    when its number of lines changes, and its width never asks for room."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setContentsMargins(6, 1, 6, 1)
        # Ignored width: a longer text wraps instead of widening the window.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.hide()

    def show_html(self, text: str) -> None:
        """Show `text` (Qt rich text); an empty text hides the note."""
        if text != self.text():
            self.setText(text)
        self.setVisible(bool(text))

    def plain_text(self) -> str:
        """What the note says, as plain text ("" when hidden)."""
        if self.isHidden():
            return ""
        return QTextDocumentFragment.fromHtml(self.text()).toPlainText()


class LegendNote(PlotNote):
    """A legend as a PlotNote: entries side by side, wrapping onto more lines."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(object_name, parent)
        self._entries: list[tuple[str, str, str]] = []
        self._title = ""

    def set_entries(self, entries: list[tuple[str, str, str]], title: str = "") -> None:
        """Show (colour, text, style) entries, after an optional bold title. An entry wider
        than the legend wraps inside itself instead of being cut at the right."""
        self._entries = list(entries)
        self._title = title
        self._render()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._render()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._render()

    def _render(self) -> None:
        width = self.contentsRect().width()
        metrics = self.fontMetrics()

        def too_wide(text: str, style: str) -> bool:
            sample = SAMPLES.get(style, SAMPLES["solid"])
            return width > 0 and metrics.horizontalAdvance(f"{sample} {text}") > width

        parts = " &nbsp;&nbsp;&nbsp; ".join(
            entry_html(colour, text, style, breakable=too_wide(text, style))
            for colour, text, style in self._entries)
        head = f"<b>{html.escape(self._title)}</b><br>" if self._title else ""
        self.show_html(head + parts if self._entries else head.removesuffix("<br>"))

    def names(self) -> list[str]:
        """The entries' texts, in order (empty while hidden)."""
        return [text for _colour, text, _style in self._entries] if not self.isHidden() else []


def with_notes(plot: QWidget, title: PlotNote, legend: LegendNote,
               parent: QWidget | None = None) -> QWidget:
    """A widget holding `title` above `plot` and `legend` below it (see the module
    docstring: nothing written on the data)."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(title)
    layout.addWidget(plot, 1)
    layout.addWidget(legend)
    return box
