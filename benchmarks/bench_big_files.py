"""Saving and opening a big CSV through the window, against NumPy alone, same process.

    python benchmarks/bench_big_files.py [--size 4096]

The window (offscreen) opens and saves an N x N CSV of random numbers through its File
controller, which reads and writes it on a thread of its own. Measured:
1. Open: File > Open of the CSV until the window shows it, against numpy.loadtxt of the
   file (reported; then the time until the first frame of its run, the solver thread's).
2. Save: File > Save As of the matrix as CSV, once the run is set up, against
   numpy.savetxt of the same array with the same format ('%.17g'). Target: within 1.2x.
   Then the same save again with the stall meter of 3. running.
3. Responsiveness: a 10 ms timer runs on the GUI thread throughout; the longest gap between
   two of its ticks while the file is read (reported: showing the matrix is GUI work) or
   written (target: at most 250 ms).
Prints the machine and its load, then one line per measure; exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="bench-files-")  # not the user's
atexit.register(shutil.rmtree, os.environ["XDG_CONFIG_HOME"], ignore_errors=True)
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from bench_solver import machine_description  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SAVE_TARGET = 1.2
STALL_TARGET_S = 0.25


class StallMeter:
    """The longest gap between ticks of a 10 ms timer on the GUI thread."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.last = None
        self.longest = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last is not None:
            self.longest = max(self.longest, now - self.last)
        self.last = now
        self.ticks += 1

    def start(self) -> None:
        self.last, self.longest, self.ticks = None, 0.0, 0
        self.timer.start(10)

    def stop(self) -> None:
        self.timer.stop()


def through_window(window, action: str, start, metered: bool = True
                   ) -> tuple[float, bool, StallMeter]:
    """Seconds from start() to the end of the background `action`, whether it worked, and
    the GUI thread's stalls meanwhile (`metered`; the meter's 100 wake-ups a second each
    take the GIL from the worker, which on a busy machine may wait to get it back)."""
    meter = StallMeter()
    loop = QEventLoop()
    outcome = []

    def finished(done_action, _path, ok) -> None:
        if done_action == action:
            outcome.append(ok)
            loop.quit()

    window.files.task_finished.connect(finished)
    if metered:
        meter.start()
    began = time.perf_counter()
    result = start()
    if not outcome and not window.files.task.running:
        outcome.append(bool(result))  # a small file: done at once, on the GUI thread
    if not outcome:
        loop.exec()
    seconds = time.perf_counter() - began
    meter.stop()
    window.files.task_finished.disconnect(finished)
    return seconds, outcome[0], meter


def wait_for_frame(window, timeout_s: float = 1800.0) -> float:
    """Seconds until the window draws a frame of its current run (its solver thread has
    set the run up)."""
    loop = QEventLoop()
    run_id = window.model.run.run_id
    began = time.perf_counter()
    if window.model.snapshot is not None:
        return 0.0  # drawn already

    def drawn(frame) -> None:
        if frame.run_id == run_id:
            loop.quit()

    window.frame_drawn.connect(drawn)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    window.frame_drawn.disconnect(drawn)
    return time.perf_counter() - began


def settle(app, timeout_s: float = 600.0) -> float:
    """Seconds until the process is idle (under 0.1 s of CPU in a second of wall time): the
    solver thread may go on analysing a new matrix after its first frame."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout_s:
        used = time.process_time()
        loop = QEventLoop()  # not QTest.qWait, which keeps the GIL (random_actions.wait_ms)
        QTimer.singleShot(1000, loop.quit)
        loop.exec()
        if time.process_time() - used < 0.1:
            break
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4096, help="N of the N x N matrix")
    args = parser.parse_args()
    print(machine_description())
    folder = Path(tempfile.mkdtemp(prefix="bench-files-"))
    try:
        return measure(args.size, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def timed(work) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def measure(size: int, folder: Path) -> int:
    app = QApplication.instance() or QApplication([])
    from gui.main_window import MainWindow

    matrix = np.random.default_rng(1).standard_normal((size, size))
    print(f"matrix:  {size} x {size} float64, CSV with '%.17g'")
    source, target = folder / "numpy.csv", folder / "window.csv"
    # Each baseline right before its measure: the machine's load drifts.
    timed(lambda: np.savetxt(source, matrix, fmt="%.17g", delimiter=","))
    numpy_load = timed(lambda: np.loadtxt(source, delimiter=","))
    window = MainWindow()
    window.show()
    app.processEvents()
    open_s, opened, open_meter = through_window(
        window, "open", lambda: window.files.open_path(source, ask=False))
    same = opened and np.array_equal(window.model.matrix, matrix)
    ready_s = wait_for_frame(window)
    idle_s = settle(app)
    numpy_save = timed(lambda: np.savetxt(source, matrix, fmt="%.17g", delimiter=","))
    save_s, saved, _ = through_window(
        window, "save", lambda: window.files.save_to(target), metered=False)
    written = saved and np.array_equal(np.loadtxt(target, delimiter=","), matrix)
    metered_s, _, save_meter = through_window(
        window, "save", lambda: window.files.save_to(target))
    size_mb = target.stat().st_size / 1e6
    window.close()
    app.processEvents()

    print(f"file:    {size_mb:.0f} MB")
    print(f"numpy.loadtxt: {numpy_load:.1f} s   numpy.savetxt: {numpy_save:.1f} s")
    print(f"window open:   {open_s:.1f} s, GUI thread's longest stall "
          f"{open_meter.longest * 1000:.0f} ms ({open_meter.ticks} timer ticks), "
          f"numbers identical: {same}; first frame of its run {ready_s:.1f} s later, "
          f"idle {idle_s:.1f} s after that")
    print(f"window save:   {save_s:.1f} s, reads back identical: {written}; again with "
          f"the 10 ms timer: {metered_s:.1f} s, GUI thread's longest stall "
          f"{save_meter.longest * 1000:.0f} ms ({save_meter.ticks} timer ticks)")
    save_ratio = save_s / numpy_save
    print(f"ratio open/numpy.loadtxt: {open_s / numpy_load:.2f}")
    print(f"ratio save/numpy.savetxt: {save_ratio:.2f} (target <= {SAVE_TARGET})")
    print(f"load after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    missed = save_ratio > SAVE_TARGET or save_meter.longest > STALL_TARGET_S or not same \
        or not written
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
