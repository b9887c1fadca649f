"""Screenshots of compare runs, the history bar, the lesson panel and projector mode (issue 5).

Registered in docs/teaching_screenshots.py (`python docs/teaching_screenshots.py compare`),
or run alone: `python docs/compare_lesson_shots.py [NAME ...]`. Each shot drives the real
window offscreen the way a teacher would (menus, Step, Play, the history slider) and saves
docs/view_NAME.png. QSettings go to a temporary folder, so a stored projector choice neither
changes the shots nor is changed by them.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QComboBox  # noqa: E402

from solver import Settings  # noqa: E402
from solver.presets import load_preset  # noqa: E402

SIZE = (1600, 1000)
PAINT_MS = 400
DONE = ("converged", "diverged", "finished")
TUTORIAL_B_LR = 0.4605170185988092  # the notebook's ln(10)·0.2


def _isolate() -> None:
    """Temporary QSettings, and no unsaved-changes question when a shot's window closes."""
    folder = tempfile.mkdtemp(prefix="md-shots-")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
    from gui.files import dialogs

    dialogs.ask_unsaved = lambda *args: dialogs.DISCARD


def _wait(predicate, timeout_s: float = 600.0) -> bool:
    """Run the event loop until predicate() is true (polled every 50 ms) or time is up."""
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: (predicate() or time.monotonic() > deadline) and loop.quit())
    timer.start(50)
    if not predicate():
        loop.exec()
    timer.stop()
    return bool(predicate())


def _pause(ms: int) -> None:
    end = time.monotonic() + ms / 1000
    _wait(lambda: time.monotonic() >= end)


def _open(preset: str, settings: Settings):
    from gui.main_window import MainWindow

    window = MainWindow(load_preset(preset), settings, name=preset)
    window.resize(*SIZE)
    window.show()
    _wait(lambda: window.model.snapshot is not None, 30)  # the first frame is drawn
    return window


def _step(window, times: int) -> None:
    target = window.timeline.latest + times
    for _ in range(times):
        window.step_once()
    _wait(lambda: window.timeline.latest >= target)


def _play_to_end(window) -> None:
    window.transport.findChild(QComboBox, "speedCombo").setCurrentText("Max")
    window.toggle_play()
    _wait(lambda: window.state in DONE)


def _view(window, iteration: int) -> None:
    window.timeline.request_view(iteration)
    _wait(lambda: window.timeline.viewing == iteration, 60)


def _save(window, out: Path) -> bool:
    _pause(PAINT_MS)
    saved = window.grab().save(str(out))
    print(f"wrote {out}" if saved else f"could not write {out}")
    window.stop_worker()
    window.close()
    return saved


def _front(window, dock) -> None:
    dock.show()
    dock.raise_()


def compare(folder: Path) -> bool:
    """The tutorial's figure from the menu (2 x 10,000 steps, pinned), and a later run drawn
    over it: the random matrix again with momentum 0.5 instead of 0.9."""
    _isolate()
    window = _open("tutorial-random", Settings(momentum=0.5, tol=0.0))
    window.compare.figure_actions["inverse"].trigger()
    _wait(lambda: not window.compare.computing)
    _play_to_end(window)
    if getattr(window, "teaching", None) is not None:
        window.teaching.hide()  # the whole width for the figure
    window.lesson.hide()
    return _save(window, folder / "view_compare.png")


def compare_svd(folder: Path) -> bool:
    """The SVD figure: five tutorial matrices, penalty method, 20,000 steps each (slow)."""
    _isolate()
    window = _open("svd-seed317", Settings(problem="svd", max_steps=20_000, tol=0.0))
    window.compare.figure_actions["svd"].trigger()
    _wait(lambda: not window.compare.computing, 3600)
    if getattr(window, "teaching", None) is not None:
        window.teaching.hide()
    window.lesson.hide()
    return _save(window, folder / "view_compare_svd.png")


def lesson(folder: Path) -> bool:
    """Notebook run B (plain gradient descent), 20 steps, scrubbed back to t = 12: the
    lesson's update page, the heatmaps and the marker on the loss curve all show t = 12."""
    _isolate()
    window = _open("tutorial-diagonal",
                   Settings(optimizer="gd", lr=TUTORIAL_B_LR, momentum=0.0, max_steps=100))
    _front(window, window.lesson)
    window.lesson.show_page(4)
    _step(window, 20)
    _view(window, 12)
    _pause(400)  # the lesson re-renders at most 4 times a second
    return _save(window, folder / "view_lesson.png")


def lesson_autograd(folder: Path) -> bool:
    """The lesson's first page: the tutorial's part 1, computed live by autograd."""
    _isolate()
    window = _open("tutorial-diagonal", Settings())
    _front(window, window.lesson)
    window.lesson.show_page(0)
    return _save(window, folder / "view_lesson_autograd.png")


def lesson_code(folder: Path) -> bool:
    """The lesson's page "The code" (issue 15): notebook run B's program, at t = 20."""
    _isolate()
    window = _open("tutorial-diagonal",
                   Settings(optimizer="gd", lr=TUTORIAL_B_LR, momentum=0.0, max_steps=100))
    _front(window, window.lesson)
    window.lesson.show_page(9)
    _step(window, 20)
    _pause(400)
    return _save(window, folder / "view_lesson_code.png")


def code(folder: Path) -> bool:
    """The Code tab (issue 15) on the tutorial's momentum run, widened to show whole lines,
    just after momentum went from 0.9 to 0.5: the changed line is marked."""
    from PySide6.QtCore import Qt

    _isolate()
    window = _open("tutorial-random", Settings())
    _front(window, window.teaching)
    window.teaching.show_tab("code")
    window.resizeDocks([window.teaching], [760], Qt.Orientation.Horizontal)
    window.panel.momentum_spin.setValue(0.5)
    _step(window, 10)
    return _save(window, folder / "view_code.png")


def projector(folder: Path) -> bool:
    """Projector mode on the random matrix at t = 60, with the lesson's momentum page."""
    _isolate()
    window = _open("tutorial-random", Settings())
    window.projector.set_enabled(True, remember=False)
    _front(window, window.lesson)
    window.lesson.show_page(6)
    _step(window, 60)
    _pause(400)
    return _save(window, folder / "view_projector.png")


SHOTS = {
    "compare": compare,
    "compare-svd": compare_svd,
    "lesson": lesson,
    "lesson-autograd": lesson_autograd,
    "lesson-code": lesson_code,
    "code": code,
    "projector": projector,
}


def main(argv: list[str]) -> int:
    """Render the shots named in argv (all but the slow compare-svd when empty)."""
    unknown = [name for name in argv if name not in SHOTS]
    if unknown:
        print(f"unknown shot(s) {', '.join(unknown)}; choose from {', '.join(SHOTS)}")
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    names = argv or [name for name in SHOTS if name != "compare-svd"]
    results = [SHOTS[name](ROOT / "docs") for name in names]
    app.processEvents()
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
