"""The keys that drive the run (Space, R, N, P, Esc) act even right after typing a number.

A spin box with the focus takes every key typed into it: Space would replace the field's
text instead of playing. Here those keys first commit the number typed so far (as Enter
would), then go to the window's shortcuts. The matrix table's cell editor is not a spin
box, so typing a cell keeps every key.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox

RUN_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_R, Qt.Key.Key_N, Qt.Key.Key_P, Qt.Key.Key_Escape)


class RunKeysFirst(QObject):
    """An event filter for spin boxes: see the module docstring."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride
                and isinstance(watched, QAbstractSpinBox)
                and event.key() in RUN_KEYS
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            watched.interpretText()  # the value typed so far, as Enter would
            event.ignore()  # not the spin box's key: Qt tries the window's shortcuts
            return True
        return False


def give_run_keys_to_shortcuts(spin_boxes) -> RunKeysFirst:
    """Install the filter on each spin box; returns it (owned by the first box's parent)."""
    spin_boxes = list(spin_boxes)
    keys = RunKeysFirst(spin_boxes[0].parent() if spin_boxes else None)
    for spin in spin_boxes:
        spin.installEventFilter(keys)
    return keys
