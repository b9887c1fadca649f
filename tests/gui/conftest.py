"""Fixtures for the GUI tests: offscreen Qt, and no QThread may outlive its test."""

import os

# Before any Qt import: the tests run without a display (CI, ssh sessions).
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402
import shiboken6  # noqa: E402
from PySide6.QtCore import QThread  # noqa: E402

_HERE = os.path.dirname(os.path.abspath(__file__))
_ORIGINAL_START = QThread.start


def pytest_collection_modifyitems(config, items):
    """The offscreen platform plugin warns on every size-constraint change of a shown window
    ("This plugin does not support propagateSizeHints()", QPlatformWindow's default), and
    on raising a window ("... does not support raise()"): those warnings say nothing about
    the app, so the GUI tests ignore them and fail on all others."""
    for item in items:
        if str(item.path).startswith(_HERE):
            item.add_marker(pytest.mark.qt_log_ignore(
                "does not support propagateSizeHints", "does not support raise"))


@pytest.fixture(autouse=True)
def no_thread_left_running(monkeypatch):
    """Fail a test that leaves a QThread running (as napari's conftest does).

    Set up before qtbot, so it is torn down after qtbot has closed the test's widgets:
    a window must stop its thread when it is closed.
    """
    started: list[QThread] = []

    def tracking_start(self, *args, **kwargs):
        started.append(self)
        return _ORIGINAL_START(self, *args, **kwargs)

    monkeypatch.setattr(QThread, "start", tracking_start)
    yield
    running = [t for t in started if shiboken6.isValid(t) and t.isRunning()]
    for thread in running:
        thread.quit()
        thread.wait(5000)
    if running:
        pytest.fail(f"{len(running)} QThread(s) still running after the test")


@pytest.fixture(autouse=True)
def isolated_files(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's real QSettings (recent files, geometry), and no
    file dialog or question opens: unsaved changes are discarded on close unless a test
    sets its own answers (in gui.files.dialogs, the one place dialogs are stubbed: see
    files_support.Answers); any other dialog fails it."""
    from PySide6.QtCore import QSettings

    from gui.files import dialogs

    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))

    def unexpected(*args):
        raise AssertionError(f"a real dialog would have opened: {args[1:]}")

    monkeypatch.setattr(dialogs, "ask_unsaved", lambda *args: dialogs.DISCARD)
    for name in ("ask_open_path", "ask_save_path", "ask_figure_options",
                 "ask_recording_options"):
        monkeypatch.setattr(dialogs, name, unexpected)


@pytest.fixture
def window(qtbot):
    """The window as `python main.py` opens it, shown, with its first frame drawn."""
    from gui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.frame_drawn, timeout=30_000):
        win.show()
    return win
