"""The desktop app's entry point: `python main.py [FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path

from solver.matrix_io import MatrixFileError, load_matrix
from solver.session import SESSION_SUFFIX, load_lesson


def run_app(argv: list[str]) -> int:
    """Open the Matrix Descent window, with the matrix or lesson in argv[0] if given; return
    the exit status (0 after the window is closed, 2 if the file cannot be read, 128 + the
    signal's number after Ctrl+C or SIGTERM closed it)."""
    if len(argv) > 1:
        print("usage: python main.py [FILE]   (or: python main.py solve --help)",
              file=sys.stderr)
        return 2
    content = None
    if argv:
        # Read the file before any window exists, so a bad file costs no Qt start-up.
        lesson = Path(argv[0]).suffix.lower() == SESSION_SUFFIX
        try:
            content = load_lesson(argv[0]) if lesson else load_matrix(argv[0])
        except MatrixFileError as error:
            print(f"matrix-descent: cannot open {error}", file=sys.stderr)
            return 2

    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow
    from gui.quit_signals import QuitOnSignals

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Matrix Descent")
    # Dialogs, menus and tooltips too, not only the main window, readable on a projector.
    font = app.font()
    font.setPointSize(max(font.pointSize(), 11))
    app.setFont(font)
    window = MainWindow()
    if content is not None:
        window.files.adopt(argv[0], content)  # the File menu's document, recent files
    app.aboutToQuit.connect(window.stop_worker)
    # The preferred size (1440 x 900) on a big screen; on a 1024 x 768 projector, nearly
    # all of it, so nothing opens off-screen.
    screen = app.primaryScreen().availableGeometry()
    preferred = window.sizeHint()
    if not window.restore_geometry():  # else the size the user left it at
        window.fit_to(min(preferred.width(), int(screen.width() * 0.95)),
                      min(preferred.height(), int(screen.height() * 0.95)))
    window.show()
    signals = QuitOnSignals(window.close, app)
    # Leaving through exec() lets Qt close the plot widgets before Python tears down:
    # with PySide6 6.11 + pyqtgraph 0.14 exiting with open plots can segfault.
    status = app.exec()
    signals.restore()
    return 128 + signals.received if status == 0 and signals.received else status
