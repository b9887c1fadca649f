"""Record the document's run from the window: `main.py record` in a child process.

The recording is drawn by the same code as the headless command (gui/presentation/
recorder.py: an unseen window, stepped frame by frame), in a process of its own: the window
on screen stays responsive, the solver thread keeps its share of the CPU, and the result
does not depend on how fast this machine draws while the class watches. The run is set up
from the document's matrix (written to a temporary .npy) and its settings, turned back into
`solve`'s options.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from gui.presentation.recorder import RecordingOptions
from solver import Settings
from solver.matrix_io import save_matrix

MAIN = Path(__file__).resolve().parents[2] / "main.py"
STOP_WAIT_MS = 5000


def run_arguments(settings: Settings, steps: int) -> list[str]:
    """`solve`'s options that set up a run with `settings` (problem resolved), ending at
    iteration `steps` at the latest."""
    s = settings
    arguments = ["--problem", s.problem]
    if s.problem == "svd":
        arguments += ["--svd-method", s.svd_method]
    else:
        arguments += ["--side", s.side]
    return arguments + [
        "--optimizer", s.optimizer, "--lr", repr(float(s.lr)),
        "--momentum", repr(float(s.momentum)), "--weight-decay", repr(float(s.weight_decay)),
        "--schedule", s.schedule, "--init", s.init, "--seed", str(s.seed),
        "--dtype", s.dtype, "--gradient", s.gradient, "--device", s.device,
        "--steps", str(int(steps)), "--tol", repr(float(s.tol)),
    ]


def record_arguments(matrix_file: str, name: str, settings: Settings, steps: int,
                     path: str, options: RecordingOptions) -> list[str]:
    """The arguments of `main.py record` for this recording."""
    width, height = options.size
    arguments = ["record", matrix_file, "--name", name, *run_arguments(settings, steps),
                 "--out", path, "--size", f"{width}x{height}", "--fps", repr(options.fps),
                 "--speed", repr(options.speed), "--hold", repr(options.hold)]
    if options.title:
        arguments += ["--title", options.title]
    return arguments


class RecordingProcess(QObject):
    """One recording at a time, in a child process.

    Signals:
        progress(str): e.g. "iteration 95" while it records.
        finished(bool, str): (written, one line saying what was written or what failed).
    """

    progress = Signal(str)
    finished = Signal(bool, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._process: QProcess | None = None
        self._folder: str | None = None
        self._stdout = ""
        self._cancelled = False

    @property
    def running(self) -> bool:
        """True while a recording is being made."""
        return self._process is not None

    def start(self, matrix, settings: Settings, name: str, steps: int, path: str,
              options: RecordingOptions) -> None:
        """Record the run of `matrix` with `settings` up to iteration `steps` into `path`."""
        if self.running:
            raise RuntimeError("a recording is already being made")
        self._folder = tempfile.mkdtemp(prefix="matrix-descent-record-")
        matrix_file = str(Path(self._folder) / "matrix.npy")
        save_matrix(matrix_file, matrix)
        process = QProcess(self)
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert("QT_QPA_PLATFORM", "offscreen")
        process.setProcessEnvironment(environment)
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._done)
        process.errorOccurred.connect(self._failed_to_start)
        self._process, self._stdout, self._cancelled = process, "", False
        process.start(sys.executable, [str(MAIN), *record_arguments(
            matrix_file, name, settings, steps, path, options)])

    def cancel(self) -> None:
        """Stop the recording (the child removes its partial file); waits for it."""
        process = self._process
        if process is None:
            return
        self._cancelled = True
        process.terminate()  # SIGTERM: the child cleans up (record_cli)
        if not process.waitForFinished(STOP_WAIT_MS):
            process.kill()
            process.waitForFinished(STOP_WAIT_MS)

    def _read(self) -> None:
        self._stdout += bytes(self._process.readAllStandardOutput().data()).decode(
            "utf-8", "replace")
        lines = [line for line in self._stdout.splitlines() if line.startswith("frame ")]
        if lines:
            self.progress.emit(lines[-1].split(": ", 1)[-1])

    def _failed_to_start(self, error) -> None:
        # Only a process that never started ends here without `finished`.
        if error != QProcess.ProcessError.FailedToStart or self._process is None:
            return
        process, self._process = self._process, None
        process.deleteLater()
        shutil.rmtree(self._folder, ignore_errors=True)
        self.finished.emit(False, f"Cannot record: {sys.executable} did not start "
                                  f"({process.errorString()})")

    def _done(self, exit_code: int, _status) -> None:
        process, self._process = self._process, None
        self._stdout += bytes(process.readAllStandardOutput().data()).decode("utf-8", "replace")
        errors = bytes(process.readAllStandardError().data()).decode("utf-8", "replace")
        process.deleteLater()
        shutil.rmtree(self._folder, ignore_errors=True)
        if self._cancelled:
            self.finished.emit(False, "Recording stopped: nothing was written.")
        elif exit_code == 0:
            self.finished.emit(True, "Recorded " + _last_line(self._stdout))
        else:
            problem = _last_line(errors).removeprefix("error: ") or f"exit status {exit_code}"
            self.finished.emit(False, f"Cannot record: {problem}")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
