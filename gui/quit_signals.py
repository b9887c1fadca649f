"""Ctrl+C in the terminal (SIGINT) and SIGTERM (a logout, `kill`) close the window as its
close button does: a question about unsaved changes, a save being written finished first.
A second signal ends the process at once, as the signal's default would (a save then
leaves the old file intact; its next save removes the temporary file).

Python runs its signal handlers only between bytecodes, and Qt's event loop runs none while
idle: the signal's number is written to a socket (signal.set_wakeup_fd) that a
QSocketNotifier watches, so the loop wakes and handles it at once (the pattern of napari's
`_maybe_allow_interrupt`).
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class QuitOnSignals(QObject):
    """While it lives, SIGINT and SIGTERM call `close()` (once); `received` is the first
    signal's number, or None. `restore()` puts back the handlers it replaced."""

    def __init__(self, close: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._close = close
        self.received: int | None = None
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        # A Python handler must be set for the wakeup byte to be written; the work is done
        # when the notifier wakes the event loop.
        self._previous = {number: signal.signal(number, _note) for number in SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read,
                                         self)
        self._notifier.activated.connect(self._on_wakeup)

    def _on_wakeup(self) -> None:
        try:
            numbers = self._reader.recv(64)
        except BlockingIOError:
            return
        for number in numbers:
            if number not in SIGNALS:
                continue
            if self.received is not None:
                # A second signal: now, as the signal's default action would.
                self.restore()
                signal.signal(number, signal.SIG_DFL)
                os.kill(os.getpid(), number)
                return
            self.received = number
            self._close()

    def restore(self) -> None:
        """Put back the handlers and the wakeup fd that were there before."""
        if self._previous is None:
            return
        self._notifier.setEnabled(False)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._previous = None
        self._reader.close()
        self._writer.close()


def _note(signum, frame) -> None:
    """Nothing here: the wakeup byte tells the window (QuitOnSignals._on_wakeup)."""
