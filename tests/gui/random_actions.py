"""A seeded random session of the real window: what a user may do, and what must then hold.

Shared by tests/gui/test_random_actions.py (a bounded session in the suite) and
benchmarks/random_session.py (longer ones). Every action goes through a widget (a click,
typed text, a combo box choice) or a DocumentModel command, as the user's input would;
after each one `Session.check` asserts what a user would notice: the estimate heatmap has
the current run's shape, the status bar and the Play button show the model's state, the
banner speaks of the current run, a playing run advances, the title names the matrix's
size. A failure names the seed and the action's index: `Session(window, seed)` followed
by that many actions replays it.
"""

from __future__ import annotations

import os
import random
import time
import zipfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QThread, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox

from gui.widgets.transport_bar import PAUSE_TEXT, PLAY_TEXT
from solver.presets import PRESET_DIR

JUNK = ["abc", "", "1e308", "-1e308", "nan", "inf", "-0", "1e-320", "1,5", " 2 ", "0x10",
        "1e999", "7", "-3.25", "½", "1e-30", "99999999999999999999"]
PRESETS = sorted(path.stem for path in PRESET_DIR.glob("*.csv"))
STALL_S = 8.0  # a playing run that shows no new step for this long (at >= 1 step/s) is stuck


def wait_ms(ms: int) -> None:
    """Run the event loop for `ms` milliseconds, letting other Python threads run.

    Not QTest.qWait: in PySide6 6.11.3 it keeps the GIL, so a Python thread (the solver's,
    a file load's) makes no progress meanwhile. Reproduction: start a threading.Thread that
    appends to a list every 10 ms, call QTest.qWait(1000): the list does not grow."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class SessionFailure(AssertionError):
    """An invariant broke; the message names the seed and the action to replay it."""


def bad_files(folder: Path) -> list[Path]:
    """Files the app must refuse with one line (and a few good small ones it must open)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "binary.csv": bytes(range(256)) * 4,
        "empty.csv": b"",
        "header.csv": b"a,b,c\n",
        "ragged.csv": b"1,2\n3\n",
        "nan.csv": b"1,nan\n2,3\n",
        "wide.csv": b",".join([b"1"] * 5000) + b"\n",
        "junk.npy": b"\x93NUMPY junk",
        "lesson.mdlesson": b"PK\x03\x04 not a zip",
        "noext": b"1,2\n",
        "good.csv": b"2,1\n1,3\n",
        "tall.tsv": b"1\t2\n3\t4\n5\t6\n",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    with zipfile.ZipFile(folder / "nomatrix.mdlesson", "w") as archive:
        archive.writestr("session.json", "{}")
    (folder / "folder.csv").mkdir(exist_ok=True)
    if hasattr(os, "mkfifo") and not (folder / "fifo.csv").exists():
        os.mkfifo(folder / "fifo.csv")
    return sorted(folder.iterdir())


class Session:
    """Random actions on `window` (a shown MainWindow) drawn from `seed`."""

    def __init__(self, window, seed: int, files: list[Path]) -> None:
        self.window = window
        self.seed = seed
        self.rng = random.Random(seed)
        self.files = files
        self.index = 0
        self.last = ""
        self.log: list[str] = []
        self._progress = (None, 0, time.monotonic())  # run id, losses, when last advanced
        self.actions = [
            (6, self.play_button), (4, self.step), (2, self.reset), (6, self.edit_cell),
            (3, self.resize), (6, self.choose), (3, self.type_setting), (2, self.speed),
            (2, self.dock), (1, self.projector), (3, self.history), (1, self.pin),
            (3, self.open_file), (1, self.example), (2, self.undo_redo), (1, self.optimal),
        ]
        self._weights = [weight for weight, _ in self.actions]

    # --- driving -------------------------------------------------------------------------
    def act(self) -> str:
        """Do one random action, let the window process events, check; returns what it did."""
        _, action = self.rng.choices(self.actions, self._weights)[0]
        self.last = action()
        self.log.append(self.last)
        wait_ms(self.rng.choice((0, 5, 20, 60)))
        self.check()
        self.index += 1
        return self.last

    def fail(self, problem: str) -> None:
        raise SessionFailure(f"seed {self.seed}, action {self.index} ({self.last}): {problem}")

    # --- actions -------------------------------------------------------------------------
    def play_button(self) -> str:
        button = self.window.transport.play_button
        text = button.text()
        if not button.isEnabled():
            return f"click {text!r} (disabled)"
        button.click()
        return f"click {text!r}"

    def step(self) -> str:
        self.window.transport.step_button.click()
        return "click Step"

    def reset(self) -> str:
        self.window.transport.reset_button.click()
        return "click Reset"

    def edit_cell(self) -> str:
        model = self.window.editor.model
        row = self.rng.randrange(model.rowCount())
        col = self.rng.randrange(model.columnCount())
        text = self.rng.choice(JUNK) if self.rng.random() < 0.6 else \
            f"{self.rng.uniform(-5, 5):.6g}"
        model.setData(model.index(row, col), text)
        return f"type {text!r} into cell ({row}, {col})"

    def resize(self) -> str:
        editor = self.window.editor
        size = self.rng.choice((1, 1, 2, 3, 4, 7, 20, 64, 200))
        spin = self.rng.choice((editor.rows_spin, editor.cols_spin, None))
        for box in (editor.rows_spin, editor.cols_spin) if spin is None else (spin,):
            box.setValue(size)
        return f"resize {'both' if spin is None else spin.objectName() or 'one side'} to {size}"

    def choose(self) -> str:
        panel = self.window.panel
        combo = self.rng.choice([panel.problem_combo, panel.optimizer_combo, panel.dtype_combo,
                                 panel.device_combo, panel.side_combo, panel.gradient_combo,
                                 panel.init_combo, panel.svd_combo])
        enabled = [i for i in range(combo.count()) if _item_enabled(combo, i)]
        if not combo.isEnabled() or not enabled:
            return "choose nothing (disabled)"
        index = self.rng.choice(enabled)
        combo.setCurrentIndex(index)
        return f"choose {combo.itemText(index)!r}"

    def type_setting(self) -> str:
        panel = self.window.panel
        spin = self.rng.choice([panel.lr_spin, panel.momentum_spin, panel.tol_spin,
                                panel.max_steps_spin, panel.seed_spin, panel.weight_decay_spin])
        if not spin.isEnabled():
            return "type nothing (disabled)"
        if self.rng.random() < 0.4:
            steps = self.rng.choice((-1000, -1, 1, 1000))
            spin.stepBy(steps)
            return f"step a setting by {steps}"
        text = self.rng.choice(JUNK + ["0.5", "1e-3", "0.9", "3", "100"])
        spin.lineEdit().selectAll()
        QTest.keyClicks(spin.lineEdit(), text)
        spin.editingFinished.emit()  # as Enter or leaving the box does
        return f"type {text!r} into a setting"

    def speed(self) -> str:
        combo = self.window.transport.speed_combo
        index = self.rng.randrange(combo.count())
        combo.setCurrentIndex(index)
        return f"speed {combo.itemText(index)}"

    def dock(self) -> str:
        window = self.window
        choice = self.rng.randrange(4)
        if choice == 0:
            tabs = window.teaching.tabs
            tabs.setCurrentIndex(self.rng.randrange(tabs.count()))
            return f"show the {tabs.tabText(tabs.currentIndex())} view"
        dock = (window.teaching, window.lesson, window.sweep)[choice - 1]
        dock.setVisible(not dock.isVisible())
        return f"{'show' if dock.isVisible() else 'hide'} {dock.windowTitle()}"

    def projector(self) -> str:
        mode = self.window.projector
        mode.set_enabled(not mode.enabled, remember=False)
        return f"projector mode {'on' if mode.enabled else 'off'}"

    def history(self) -> str:
        bar = self.window.timeline
        slider = bar.slider
        if slider.maximum() > slider.minimum() and slider.isEnabled():
            slider.setValue(self.rng.randint(slider.minimum(), slider.maximum()))
            if self.rng.random() < 0.4 and bar.resume_button.isEnabled():
                bar.resume_button.click()
                return f"resume from {slider.value()}"
            return f"scrub to {slider.value()}"
        if bar.live_button.isEnabled():
            bar.live_button.click()
            return "click Back to now"
        return "scrub nothing (no history)"

    def pin(self) -> str:
        self.window.compare.pin_current()
        return "pin the run"

    def open_file(self) -> str:
        path = self.rng.choice(self.files)
        self.window.files.open_path(path)
        return f"open {path.name}"

    def example(self) -> str:
        name = self.rng.choice(PRESETS)
        self.window.open_example(name)
        return f"example {name}"

    def undo_redo(self) -> str:
        stack = self.window.model.matrix_model.undo_stack
        if self.rng.random() < 0.6:
            stack.undo()
            return "undo"
        stack.redo()
        return "redo"

    def optimal(self) -> str:
        action = self.window.optimal_action
        if action.isEnabled():
            action.trigger()
        return "optimal settings"

    # --- what must hold ------------------------------------------------------------------
    def check(self) -> None:
        """Raise SessionFailure if the window shows something other than its model."""
        window, model = self.window, self.window.model
        run, state = model.run, model.state
        rows, cols = model.matrix_model.shape
        if run.matrix.shape != (rows, cols) and state.state != "failed":
            self.fail(f"the run works on {run.matrix.shape}, the editor holds {(rows, cols)}")
        if f"({rows} × {cols})" not in window.windowTitle():
            self.fail(f"title {window.windowTitle()!r} for a {rows} × {cols} matrix")
        shown = window.estimate_heatmap.values().shape
        expected = run.matrix.shape if run.kind == "svd" else run.matrix.shape[::-1]
        if shown not in ((1, 1), expected):
            self.fail(f"estimate heatmap {shown}, the run's estimate is {expected}")
        if model.snapshot is not None and model.snapshot.estimate.shape != shown:
            self.fail(f"estimate heatmap {shown}, the model's snapshot "
                      f"{model.snapshot.estimate.shape}")
        viewing = (model.snapshot is not None
                   and model.snapshot.iteration != model.latest_iteration)
        expected_label = "viewing history" if viewing else state.state
        if window.state_label.text() != expected_label:
            self.fail(f"status bar says {window.state_label.text()!r}, the run is "
                      f"{state.state!r}")
        play = window.transport.play_button.text()
        if play != (PAUSE_TEXT if state.state == "running" else PLAY_TEXT):
            self.fail(f"the Play button reads {play!r} while the run is {state.state!r}")
        self._check_banner(window.banner.text(), state)
        self._check_advancing(model, state)

    def _check_banner(self, text: str, state) -> None:
        if text.startswith("Paused: the run") and state.state != "diverged":
            self.fail(f"the banner says {text[:60]!r} while the run is {state.state!r}")
        if text.startswith("Done: the run") and not state.done:
            self.fail(f"the banner says {text[:60]!r} while the run is {state.state!r}")
        if text.startswith(("Paused: the run", "Done: the run")) and \
                " ".join(state.reason.split()) not in " ".join(text.split()):
            self.fail(f"the banner {text[:80]!r} is not about this run ({state.reason!r})")

    def _check_advancing(self, model, state) -> None:
        now = time.monotonic()
        key = model.run.run_id, len(model.losses)
        run_id, count, since = self._progress
        if state.state != "running" or (run_id, count) != key:
            self._progress = (*key, now)
            return
        if model.speed >= 1.0 or model.speed == 0.0:
            worker = model.findChild(QThread, "solverThread")
            if worker is None or not worker.isRunning():
                self.fail("the run is 'running' but the solver thread is not")
            if now - since > STALL_S:
                self.fail(f"the run is 'running' but made no step for {now - since:.0f} s")


def _item_enabled(combo: QComboBox, index: int) -> bool:
    item = getattr(combo.model(), "item", None)
    return item is None or item(index) is None or item(index).isEnabled()


def run_session(window, seed: int, files: list[Path], seconds: float | None = None,
                actions: int | None = None, on_action=None) -> Session:
    """Act until `seconds` have passed or `actions` were done (whichever comes first);
    on_action(session, description) after each. Raises SessionFailure."""
    session = Session(window, seed, files)
    deadline = None if seconds is None else time.monotonic() + seconds
    while (actions is None or session.index < actions) and \
            (deadline is None or time.monotonic() < deadline):
        description = session.act()
        if on_action is not None:
            on_action(session, description)
    return session
