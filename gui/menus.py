"""Menu-bar helpers shared by the add-ons that install themselves into the main window."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu


def menu_named(window: QMainWindow, title: str, before: str = "&Help") -> QMenu:
    """The menu bar's menu titled `title` (e.g. "&View"); if there is none yet, a new one
    placed before the menu titled `before` (or last), so add-ons share one View menu."""
    bar = window.menuBar()
    anchor = None
    for action in bar.actions():
        if action.menu() is not None and action.text() == title:
            return action.menu()
        if action.text() == before:
            anchor = action
    menu = QMenu(title, bar)
    if anchor is not None:
        bar.insertMenu(anchor, menu)
    else:
        bar.addMenu(menu)
    return menu
