"""Views on hidden tabs only record; they draw what they missed when shown again."""

from __future__ import annotations


class DrawWhenShown:
    """Mixin for a QWidget view with a `_draw()` method (listed before the Qt base class).

    `request_draw()` draws at once when the view is on screen; otherwise it only marks the
    view stale, and the next showEvent draws. Hidden tabs then cost no painting, which
    matters because the GUI thread shares the GIL with the solver thread.
    """

    _stale = False

    def request_draw(self) -> None:
        """Draw now if visible, else when next shown."""
        if self.isVisible():
            self._draw()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._draw()
