"""Render docs/screenshot.png: the real window, offscreen, after some steps of the default
example. Run it again after changing the GUI: `python docs/screenshot.py [OUT.png]`."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A fresh config folder: a window size or recent files saved by the user's own sessions
# must not change the picture.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="screenshot-")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

STEPS = 120
SIZE = (1440, 900)


def main(argv: list[str]) -> int:
    """Step the default example STEPS times, one frame per step, then save the window."""
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshot.png"
    app = QApplication(sys.argv[:1])
    from gui.main_window import MainWindow

    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    result = {"status": 1}

    def on_frame(frame) -> None:
        if frame.snapshot.iteration < STEPS:
            window.step_once()
        else:
            # Let the last frame paint before grabbing it.
            window.frame_drawn.disconnect(on_frame)
            QTimer.singleShot(200, grab)

    def grab() -> None:
        if window.grab().save(str(out)):
            print(f"wrote {out}")
            result["status"] = 0
        window.close()
        app.quit()

    window.frame_drawn.connect(on_frame)
    app.exec()
    return result["status"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
