"""Fixtures for the GUI tests: offscreen Qt, no QThread may outlive its test, and no
exception may escape into Qt's event loop."""

import os
import sys

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
    the app, so the GUI tests ignore them and fail on all others.

    An exception that escapes a slot, a paint or any other Python override called by Qt is
    only printed by PySide6, and the app goes on half-updated; PySide6 hands it to
    sys.excepthook, where pytest-qt 4.5 collects it and fails the test (its default
    exception capture). That capture is made strict here: it cannot be switched off (the
    ini option or the qt_no_exception_capture marker), exceptions in other Python threads
    and unraisable ones (in __del__, weakref callbacks) fail the test too, and a test may
    not replace sys.excepthook (see keep_exception_capture)."""
    if config.getini("qt_no_exception_capture"):
        raise pytest.UsageError("qt_no_exception_capture is not allowed: an exception in a "
                                "slot or a paint must fail its test (issue 13)")
    for item in items:
        if str(item.path).startswith(_HERE):
            if item.get_closest_marker("qt_no_exception_capture"):
                raise pytest.UsageError(f"{item.nodeid}: qt_no_exception_capture is not "
                                        "allowed (issue 13)")
            item.add_marker(pytest.mark.qt_log_ignore(
                "does not support propagateSizeHints", "does not support raise"))
            item.add_marker(pytest.mark.filterwarnings(
                "error::pytest.PytestUnraisableExceptionWarning"))
            item.add_marker(pytest.mark.filterwarnings(
                "error::pytest.PytestUnhandledThreadExceptionWarning"))


@pytest.fixture(autouse=True)
def keep_exception_capture(request):
    """Fail a test that replaced sys.excepthook, where pytest-qt collects the exceptions
    that escape into Qt's event loop: with another hook they would pass unseen."""
    hook = sys.excepthook
    yield
    manager = getattr(request.node, "qt_exception_capture_manager", None)
    if manager is not None and manager.old_hook is None:
        return  # pytest-qt already failed the test and put the original hook back
    replaced = sys.excepthook is not hook
    sys.excepthook = hook
    if replaced:
        pytest.fail("the test replaced sys.excepthook: exceptions escaping into Qt's event "
                    "loop would no longer fail it")


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
