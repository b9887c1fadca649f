"""Render the Sweep view (issue 16) with real sweeps, offscreen, into docs/view_sweep*.png.

`python docs/sweep_screenshot.py` computes the 48 x 48 map and the line at β = 0.9 of the
tutorial's random 4 x 4 with the app's default settings, as a user would with Compute, and
saves the view.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from solver import Settings  # noqa: E402
from solver.presets import load_preset  # noqa: E402

SIZE = (1000, 720)


def shoot(view, app, mode: str, out: Path) -> None:
    """Compute the view in `mode` (map or line) and save it once the worker is done."""
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(mode))
    view.compute()
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if not view.runner.busy else None)
    timer.start(50)
    loop.exec()
    timer.stop()
    QTimer.singleShot(300, loop.quit)  # let the last map paint
    loop.exec()
    view.grab().save(str(out))
    print(f"{out.name}: {view.status.text()}")


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    from gui.sweep.view import LINE, MAP, SweepView

    view = SweepView()
    view.resize(*SIZE)
    view.show()
    view.set_document(load_preset("tutorial-random"), Settings(), "tutorial-random")
    shoot(view, app, MAP, ROOT / "docs" / "view_sweep.png")
    shoot(view, app, LINE, ROOT / "docs" / "view_sweep_line.png")
    view.close()
    view.deleteLater()
    return 0


if __name__ == "__main__":
    sys.exit(main())
