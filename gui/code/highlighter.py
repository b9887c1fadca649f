"""Python syntax colouring for the Code view: keywords, built-ins, numbers, strings, comments.

The programs shown are the ones solver/codegen writes, so a small rule set is enough: strings
and comments are found in one left-to-right scan (a '#' inside a string is not a comment),
and triple-quoted docstrings carry over lines through the block state.
"""

from __future__ import annotations

import builtins
import keyword
import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat

# Colours that read on the editor's white background (and on the projector's).
COLOURS = {
    "keyword": ("#1F3F8F", True),
    "builtin": ("#7A3E9D", False),
    "number": ("#B35806", False),  # the lesson's highlight colour for numbers
    "string": ("#1B7A3A", False),
    "comment": ("#6B6B6B", False),
}
_WORDS = re.compile(r"\b[A-Za-z_]\w*\b")
_NUMBER = re.compile(r"(?<![\w.])(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\b")
# A string (with an optional prefix) or a comment, whichever starts first.
_STRING_OR_COMMENT = re.compile(
    r"""(?P<string>(?<!\w)[rbfRBF]{0,2}("[^"\\\n]*(\\.[^"\\\n]*)*"|'[^'\\\n]*(\\.[^'\\\n]*)*'))"""
    r"|(?P<comment>\#.*)"
)
_TRIPLE = '"""'
_IN_DOCSTRING = 1


def _format(colour: str, bold: bool, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class PythonHighlighter(QSyntaxHighlighter):
    """Colours the Python text of a QTextDocument as it changes."""

    def __init__(self, document) -> None:
        super().__init__(document)
        self.formats = {kind: _format(colour, bold, kind == "comment")
                        for kind, (colour, bold) in COLOURS.items()}
        self._keywords = set(keyword.kwlist)
        self._builtins = {name for name in dir(builtins) if not name.startswith("_")}

    def highlightBlock(self, text: str) -> None:  # Qt override
        start = 0
        if self.previousBlockState() == _IN_DOCSTRING:
            end = text.find(_TRIPLE)
            if end < 0:
                self.setFormat(0, len(text), self.formats["string"])
                self.setCurrentBlockState(_IN_DOCSTRING)
                return
            start = end + len(_TRIPLE)
            self.setFormat(0, start, self.formats["string"])
        self.setCurrentBlockState(0)
        opened = text.find(_TRIPLE, start)
        if opened >= 0:
            closed = text.find(_TRIPLE, opened + len(_TRIPLE))
            if closed < 0:
                self._code(text, start, opened)
                self.setFormat(opened, len(text) - opened, self.formats["string"])
                self.setCurrentBlockState(_IN_DOCSTRING)
                return
            self._code(text, start, opened)
            self.setFormat(opened, closed + len(_TRIPLE) - opened, self.formats["string"])
            start = closed + len(_TRIPLE)
        self._code(text, start, len(text))

    def _code(self, text: str, start: int, end: int) -> None:
        """Colour text[start:end], which holds no triple-quoted string."""
        part = text[start:end]
        for match in _WORDS.finditer(part):
            word = match.group()
            kind = "keyword" if word in self._keywords else \
                "builtin" if word in self._builtins else None
            if kind:
                self.setFormat(start + match.start(), len(word), self.formats[kind])
        for match in _NUMBER.finditer(part):
            self.setFormat(start + match.start(), match.end() - match.start(),
                           self.formats["number"])
        for match in _STRING_OR_COMMENT.finditer(part):
            kind = "string" if match.group("string") else "comment"
            self.setFormat(start + match.start(), match.end() - match.start(),
                           self.formats[kind])
