"""Long seeded random sessions of the window (offscreen), as tests/gui/test_random_actions.py
runs a short one.

    python benchmarks/random_session.py --seconds 600 --seed 1 [--verbose]

Clicks, junk typed into cells and settings, resizes from 1 x 1 to 200 x 200, problem,
optimizer, dtype and device switched while playing, docks, projector mode, history, pins,
opens of bad files (tests/gui/random_actions.py). After every action the window must show
its model; an exception escaping into Qt's event loop is a failure too. Prints actions per
second against a baseline measured in the same process (the same number of Step clicks
alone), and any failure with the seed and the action index that replay it; exits 1 then.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="random-session-")  # not the user's
atexit.register(shutil.rmtree, os.environ["XDG_CONFIG_HOME"], ignore_errors=True)
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "gui")]

from PySide6.QtCore import qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from random_actions import SessionFailure, bad_files, run_session, wait_ms  # noqa: E402

from gui.files import dialogs  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verbose", action="store_true", help="print every action")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    # The offscreen plugin's notices about window sizes say nothing about the app.
    qInstallMessageHandler(lambda _kind, _context, text: None if "does not support" in text
                           else print(text, file=sys.stderr))
    escaped: list[str] = []
    sys.excepthook = lambda *info: escaped.append("".join(traceback.format_exception(*info)))
    dialogs.ask_unsaved = lambda *_args: dialogs.DISCARD  # nothing may wait for a person
    from gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    wait_ms(200)
    print(f"load: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (1, 5, 15 min)")
    began = time.monotonic()
    for _ in range(50):
        window.transport.step_button.click()
        wait_ms(20)
    baseline = 50 / (time.monotonic() - began)

    folder = Path(tempfile.mkdtemp(prefix="random-files-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    files = bad_files(folder)
    errors: list[str] = []
    window.files.message.connect(lambda text, kind: errors.append(text))

    def after(session, description) -> None:
        if args.verbose:
            print(f"{session.index:6d} {description}")
        if escaped:
            raise SessionFailure(f"seed {args.seed}, action {session.index} ({description}): "
                                 f"an exception escaped into Qt's event loop:\n{escaped[0]}")

    began = time.monotonic()
    status, done = 0, 0
    try:
        session = run_session(window, args.seed, files, seconds=args.seconds, on_action=after)
        done = session.index
    except SessionFailure as failure:
        print(f"FAILED: {failure}")
        status = 1
    elapsed = time.monotonic() - began
    window.close()
    app.processEvents()
    rate = (done or 1) / elapsed
    print(f"seed {args.seed}: {done} actions in {elapsed:.0f} s, {rate:.1f} actions/s, "
          f"{len(errors)} file messages")
    print(f"baseline: {baseline:.1f} Step clicks/s; ratio actions/Step clicks: "
          f"{rate / baseline:.2f}")
    print(f"load after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return status


if __name__ == "__main__":
    sys.exit(main())
