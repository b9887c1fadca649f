"""Memory of a long run at Max speed through the window (offscreen).

    python benchmarks/bench_memory.py [--steps 1000000] [--warm-up 600000]

Plays the tutorial's diag(1, 2, 3, 4) at Max with no step limit and no tolerance, and reads
the process's resident memory (VmRSS) after a warm-up (by then the run's loss history has
filled its exact window and every buffer has its steady size) and again `--steps` steps
later. Prints the machine, both readings, and the growth in MB per million steps against
the target of 5 MB (issue 11: each loss stored once; older ones kept at their peaks).
Exits 1 if the target is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="bench-memory-")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_solver import machine_description  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from solver import Settings  # noqa: E402

TARGET_MB_PER_MILLION = 5.0


def resident_mb() -> float:
    """The process's resident memory now (Linux: /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS in /proc/self/status (this benchmark needs Linux)")


def wait_until(predicate, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the run did not get there in time")
        loop = QEventLoop()
        QTimer.singleShot(200, loop.quit)
        loop.exec()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--warm-up", type=int, default=600_000)
    args = parser.parse_args(argv)
    print(machine_description())
    app = QApplication.instance() or QApplication([])
    from gui.files import dialogs
    from gui.main_window import MainWindow

    window = MainWindow(settings=Settings(max_steps=0, tol=0.0))
    window.resize(1280, 800)
    window.show()
    window.model.set_speed(0.0)  # Max
    wait_until(lambda: window.model.snapshot is not None, 60)
    window.model.play()
    losses = window.model.losses
    start = time.perf_counter()
    wait_until(lambda: len(losses) >= args.warm_up, 3600)
    before, at = resident_mb(), len(losses)
    wait_until(lambda: len(losses) >= at + args.steps, 3600)
    after, end = resident_mb(), len(losses)
    elapsed = time.perf_counter() - start
    window.model.pause()
    per_million = (after - before) / ((end - at) / 1e6)
    print(f"resident memory after {at:,} steps: {before:.1f} MB; after {end:,}: {after:.1f} MB "
          f"({end / elapsed:,.0f} steps/s through the window)")
    print(f"growth: {per_million:.2f} MB per million steps (target <= "
          f"{TARGET_MB_PER_MILLION:g}); the loss history holds {losses.nbytes / 1e6:.1f} MB")
    dialogs.ask_unsaved = lambda *args: dialogs.DISCARD
    window.close()
    app.processEvents()
    return 0 if per_million <= TARGET_MB_PER_MILLION else 1


if __name__ == "__main__":
    sys.exit(main())
