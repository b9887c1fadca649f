"""Helpers for the File menu tests: scripted dialog answers and window state snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtWidgets import QMenu

from gui.files import dialogs
from gui.main_window import MainWindow

TIMEOUT_MS = 20_000


@dataclass
class Answers:
    """Stands in for every file dialog (gui.files.dialogs, which the GUI conftest has
    already patched for the test, so the originals come back after it) and collects the
    window's file error messages.

    `errors` collects reported messages; `open_paths`, `save_paths` ((path, filter)) and
    `unsaved` (save/discard/cancel) are queues of answers; `asked` records the questions.
    An empty `unsaved` queue answers "discard", so windows close at the end of a test.
    """

    errors: list[str] = field(default_factory=list)
    open_paths: list[str] = field(default_factory=list)
    save_paths: list[tuple[str, str]] = field(default_factory=list)
    unsaved: list[str] = field(default_factory=list)
    asked: list[tuple] = field(default_factory=list)

    def install(self, window: MainWindow) -> Answers:
        dialogs.ask_open_path = self._open
        dialogs.ask_save_path = self._save
        dialogs.ask_unsaved = self._unsaved
        window.files.message.connect(
            lambda text, kind: self.errors.append(text) if kind == "error" else None)
        return self

    def _open(self, _parent, caption, folder, filters):
        self.asked.append(("open", caption, folder))
        return self.open_paths.pop(0) if self.open_paths else ""

    def _save(self, _parent, caption, suggested, filters, selected):
        self.asked.append(("save", caption, suggested, selected, filters))
        return self.save_paths.pop(0) if self.save_paths else ("", "")

    def _unsaved(self, _parent, name):
        self.asked.append(("unsaved", name))
        return self.unsaved.pop(0) if self.unsaved else "discard"


def new_window(qtbot, **kwargs) -> tuple[MainWindow, Answers]:
    """A shown window with its first frame drawn and scripted dialog answers."""
    window = MainWindow(**kwargs)
    qtbot.addWidget(window)
    answers = Answers().install(window)
    with qtbot.waitSignal(window.frame_drawn, timeout=TIMEOUT_MS):
        window.show()
    return window, answers


def step(qtbot, window: MainWindow, count: int) -> None:
    """Step `count` times from where the run is and wait until every loss is recorded."""
    target = len(window.model.losses) + count
    for _ in range(count):
        window.step_once()
    qtbot.waitUntil(lambda: len(window.model.losses) == target, timeout=TIMEOUT_MS)


def state(window: MainWindow) -> dict:
    """Everything a bad file must leave alone."""
    return {
        "matrix": window.editor.array(),
        "settings": window.panel.settings(),
        "speed": window.transport.speed(),
        "history": window.model.history()[1],
        "points": window.loss_plot.point_count,
        "title": window.windowTitle(),
        "document": (window.files.path, window.files.kind),
    }


def assert_same_state(before: dict, after: dict) -> None:
    for key, value in before.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, after[key]) and value.shape == after[key].shape, key
        else:
            assert value == after[key], key


def menu_action(window: MainWindow, *path: str):
    """The QAction reached through menu titles (ampersands ignored), e.g. ("File", "Save")."""
    menus = [a for a in window.menuBar().actions()]
    action = None
    for title in path:
        action = next(a for a in menus if a.text().replace("&", "").startswith(title))
        menu = action.menu()
        menus = menu.actions() if isinstance(menu, QMenu) else []
    return action


def new_run(window):
    """A check_params_cb for waitSignal(window.frame_drawn): true for the first frame of a
    run the model starts after this call (a new run id: restart, reset, resume, example)."""
    before = window.model.run.run_id
    return lambda frame: frame.run_id > before
