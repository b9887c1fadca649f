"""Coloured and bold label text without style sheets.

A widget with a style sheet stops taking its parent's font: such labels showed at Qt's
9-point default instead of the window's 11 points, and did not grow in projector mode.
Palettes and fonts set this way keep following the window.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QWidget


def set_text_colour(widget: QWidget, colour: str | None, bold: bool = False) -> None:
    """Draw `widget`'s text in `colour` (None: the window's usual colour), bold or not; its
    font size keeps following the window's."""
    palette = QPalette()  # nothing set: inherits the parent's palette
    if colour is not None:
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        palette.setColor(QPalette.ColorRole.Text, QColor(colour))
    widget.setPalette(palette)
    font = QFont()  # only the weight is set; the size still comes from the parent
    font.setBold(bold)
    widget.setFont(font)
