"""`python main.py` as a process: closing the window during a run exits 0 and quietly."""

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]

# Starts the app through main.main(), plays at Max, and closes the window mid-run.
_SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])

def close_during_run():
    window = next(w for w in app.topLevelWidgets() if w.objectName() == "mainWindow")
    from gui.files import dialogs
    dialogs.ask_unsaved = lambda *args: "discard"  # the settings below are not saved
    window.transport.speed_combo.setCurrentText("Max")
    window.panel.max_steps_spin.setValue(0)
    window.panel.tol_spin.setValue(0.0)
    window.toggle_play()
    QTimer.singleShot(700, window.close)

QTimer.singleShot(300, close_during_run)
import main
status = main.main(sys.argv[1:])
print("exit", status, flush=True)
sys.exit(status)
"""


def _run(args):
    with tempfile.TemporaryDirectory() as config:  # not the user's QSettings
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=config)
        return subprocess.run([sys.executable, "-c", _SCRIPT, *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)


def test_closing_mid_run_exits_zero_without_thread_warnings():
    result = _run([])
    assert result.returncode == 0, result.stderr
    assert "exit 0" in result.stdout
    for bad in ("QThread", "Destroyed", "Timers cannot", "Traceback", "different thread"):
        assert bad not in result.stderr, result.stderr


def test_a_matrix_file_opens(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("2,0\n0,3\n")
    result = _run([str(path)])
    assert result.returncode == 0, result.stderr


def test_a_lesson_file_opens_and_a_damaged_one_exits_2(tmp_path):
    from solver import Settings
    from solver.session import Lesson, save_lesson

    lesson = tmp_path / "class.mdlesson"
    save_lesson(lesson, Lesson(np.diag([2.0, 3.0]), Settings(seed=5)))
    result = _run([str(lesson)])
    assert result.returncode == 0, result.stderr
    lesson.write_bytes(lesson.read_bytes()[:100])
    result = _run([str(lesson)])
    assert result.returncode == 2
    assert result.stderr.startswith("matrix-descent: cannot open ") and "class.mdlesson" in \
        result.stderr and result.stderr.count("\n") == 1


# Plays at Max, then waits; the test sends signals. `ask` answers the unsaved question
# ("discard"), or leaves it open as a teacher away from the screen would ("wait").
_PLAY_THEN_WAIT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
answer = sys.argv.pop(1)

def play():
    window = next(w for w in app.topLevelWidgets() if w.objectName() == "mainWindow")
    from gui.files import dialogs
    if answer == "discard":
        dialogs.ask_unsaved = lambda *args: "discard"
    else:
        def ask(*args):
            print("asked", flush=True)
            app.exec()  # a question left open: its own event loop, never answered
        dialogs.ask_unsaved = ask
    window.transport.speed_combo.setCurrentText("Max")  # unsaved: the speed changed
    window.toggle_play()
    print("playing", flush=True)

QTimer.singleShot(300, play)
import main
status = main.main(sys.argv[1:])
print("exit", status, flush=True)
sys.exit(status)
"""


def _start(answer: str, config: str) -> subprocess.Popen:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=config)
    return subprocess.Popen([sys.executable, "-c", _PLAY_THEN_WAIT, answer], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for(process: subprocess.Popen, line: str) -> None:
    while (got := process.stdout.readline()) and got.strip() != line:
        pass
    assert got.strip() == line, process.stderr.read()


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_close_the_window_like_its_close_button(tmp_path, number):
    """Ctrl+C in the terminal did nothing, SIGTERM killed the app mid-save: both now close
    the window as its close button does, and the exit status names the signal."""
    process = _start("discard", str(tmp_path))
    _wait_for(process, "playing")
    process.send_signal(number)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 128 + number, err
    assert f"exit {128 + number}" in out
    assert "Traceback" not in err and "QThread" not in err, err


def test_a_second_signal_ends_the_app_at_once(tmp_path):
    """The first SIGTERM asks about the unsaved change; nobody answers; the second ends it."""
    process = _start("wait", str(tmp_path))
    _wait_for(process, "playing")
    process.send_signal(signal.SIGTERM)
    _wait_for(process, "asked")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGTERM, err
    assert "Traceback" not in err, err
