"""Make the README's slide and recording examples: docs/slide.png and docs/record.gif.

    python docs/presentation_pictures.py

Both come from the app's own code paths: the slide from the window's File ▸ Export ▸ Slide
(its dialogs answered here: 1280 × 720 and the file name), the GIF from `main.py record`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.presentation.figure import FigureOptions  # noqa: E402

STEPS = 120


def slide(out: Path) -> None:
    """The tutorial's random 4 x 4 after STEPS steps, exported as a 1280 x 720 slide."""
    from gui.files import dialogs
    from gui.main_window import MainWindow

    dialogs.ask_unsaved = lambda *_args: dialogs.DISCARD
    dialogs.ask_figure_options = lambda _parent, title, _natural: FigureOptions(
        size=(1280, 720), title=title)
    dialogs.ask_save_path = lambda *_args: (str(out), "")
    window = MainWindow()
    window.resize(1440, 900)
    window.show()
    window.open_example("tutorial-random")
    while window.model.snapshot is None or window.model.run.name != "tutorial-random":
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    for _ in range(STEPS):
        window.step_once()
    while window.model.snapshot.iteration < STEPS:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    QCoreApplication.processEvents()
    if not window.slides.export_slide():
        sys.exit(f"the slide was not exported: {window.banner.text()}")
    window.close()


def recording(out: Path) -> None:
    """The 300-step tutorial run, small enough for the README."""
    subprocess.run([sys.executable, str(ROOT / "main.py"), "record", "preset:tutorial-random",
                    "--steps", "300", "--size", "854x480", "--fps", "20", "--out", str(out)],
                   check=True)


def main() -> None:
    app = QApplication(sys.argv[:1])
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      tempfile.mkdtemp(prefix="md-presentation-pictures-"))
    slide(ROOT / "docs" / "slide.png")
    app.processEvents()
    recording(ROOT / "docs" / "record.gif")


if __name__ == "__main__":
    main()
