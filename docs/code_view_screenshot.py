"""Render the Code view (issue 15) offscreen into docs/view_code.png.

`python docs/code_view_screenshot.py` shows the program of the tutorial's momentum run on
tutorial-random, then the same with momentum 0.5, so the changed line is marked.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from solver import Settings  # noqa: E402
from solver.presets import load_preset  # noqa: E402


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    from gui.code.view import CodeView

    view = CodeView()
    view.resize(900, 700)
    view.show()
    matrix = load_preset("tutorial-random")
    view.show_program(matrix, Settings(), "tutorial-random")
    view.show_program(matrix, Settings(momentum=0.5), "tutorial-random")
    app.processEvents()
    out = ROOT / "docs" / "view_code.png"
    ok = view.grab().save(str(out))
    view.close()
    view.deleteLater()
    app.processEvents()
    print(out if ok else f"could not write {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
