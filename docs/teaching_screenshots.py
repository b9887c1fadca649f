"""Render the teaching views (issue 5) with real runs, offscreen, into docs/view_*.png.

`python docs/teaching_screenshots.py [NAME ...]` renders the named shots (all by default).
Each shot opens the real window on a tutorial matrix, steps and/or plays the run, brings
its view to the front and saves the window. Add a shot: a function taking the output folder,
registered in SHOTS.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QComboBox  # noqa: E402

from solver import Settings  # noqa: E402
from solver.presets import load_preset  # noqa: E402

SIZE = (1600, 1000)
PAINT_MS = 300  # let the last frame paint before grabbing it
DONE = ("converged", "diverged", "finished")
TUTORIAL_B_LR = 0.4605170185988092  # the notebook's ln(10)·0.2


def isolate() -> None:
    """Keep the user's stored preferences out of the shots (and the shots out of them), and
    let a shot's window close without the unsaved-changes question (it would wait for ever
    offscreen)."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      tempfile.mkdtemp(prefix="md-teaching-shots-"))
    from gui.files import dialogs

    dialogs.ask_unsaved = lambda *_args: dialogs.DISCARD


def shoot(out: Path, preset: str, settings: Settings, tab: str, steps: int = 0,
          play_to: int = 0, speed: str = "500 steps/s") -> bool:
    """Open `preset` with `settings`, step `steps` times one frame each, then play at `speed`
    until the run stops at `play_to` = settings.max_steps; show view `tab`; save `out`.
    (About 10 snapshots a second reach the views while playing: a slower speed draws
    smoother paths.)"""
    from gui.main_window import MainWindow

    window = MainWindow(load_preset(preset), settings, name=preset)
    window.resize(*SIZE)
    window.show()
    loop = QEventLoop()
    done = {"saved": False}

    def grab() -> None:
        window.teaching.show_tab(tab)
        QTimer.singleShot(PAINT_MS, save)

    def save() -> None:
        done["saved"] = window.grab().save(str(out))
        print(f"wrote {out}" if done["saved"] else f"could not write {out}")
        loop.quit()

    def on_frame(frame) -> None:
        snapshot = frame.snapshot
        if snapshot is None or frame.playing:
            return
        if snapshot.iteration < steps:
            window.step_once()
        elif play_to and snapshot.iteration < play_to and frame.status.state not in DONE:
            window.transport.findChild(QComboBox, "speedCombo").setCurrentText(speed)
            window.toggle_play()
        else:
            window.frame_drawn.disconnect(on_frame)
            grab()

    window.frame_drawn.connect(on_frame)
    loop.exec()
    window.close()
    return done["saved"]


def svd_penalty(folder: Path) -> bool:
    """The tutorial's penalty SVD stalls on its own seed-317 4x3 matrix: σ₃ stays at 0."""
    settings = Settings(problem="svd", svd_method="penalty", max_steps=3000)
    return shoot(folder / "view_svd.png", "svd-seed317", settings, "svd", play_to=3000,
                 speed="2,000 steps/s")


def svd_deflation(folder: Path) -> bool:
    """Rank-one deflation on the same matrix finds torch's SVD."""
    settings = Settings(problem="svd", svd_method="deflation", max_steps=3000)
    return shoot(folder / "view_svd_deflation.png", "svd-seed317", settings, "svd",
                 play_to=3000)


def pinv_random(folder: Path) -> bool:
    """The indicator matrix's pseudo-inverse from a random start: the null-space part stays."""
    settings = Settings(problem="pinv", max_steps=1500)
    return shoot(folder / "view_pinv.png", "indicator", settings, "pinv", play_to=1500,
                 speed="100 steps/s")


def gradient(folder: Path) -> bool:
    """Notebook run B's gradient after a few steps, checked against 2/N·(X·M − I)·Mᵀ."""
    settings = Settings(optimizer="gd", lr=TUTORIAL_B_LR, momentum=0.0, max_steps=100)
    return shoot(folder / "view_gradient.png", "tutorial-diagonal", settings, "gradient",
                 steps=5)


def theory(folder: Path) -> bool:
    """Run B with plain gradient descent: the dashed prediction from t = 20 against reality."""
    settings = Settings(optimizer="gd", lr=TUTORIAL_B_LR, momentum=0.0, max_steps=100)
    return shoot(folder / "view_theory.png", "tutorial-diagonal", settings, "theory",
                 steps=20, play_to=100)


SHOTS = {
    "svd": svd_penalty,
    "svd-deflation": svd_deflation,
    "pinv": pinv_random,
    "gradient": gradient,
    "theory": theory,
}
# Compare runs, history bar, lesson panel, projector mode (docs/compare_lesson_shots.py; its
# slow five-matrix SVD figure only from there: `python docs/compare_lesson_shots.py
# compare-svd`). docs/ is on sys.path when this script runs.
import compare_lesson_shots  # noqa: E402

SHOTS.update({name: shot for name, shot in compare_lesson_shots.SHOTS.items()
              if name != "compare-svd"})


def main(argv: list[str]) -> int:
    """Render the shots named in argv (all when empty) into docs/; 0 if all were written."""
    unknown = [name for name in argv if name not in SHOTS]
    if unknown:
        print(f"unknown shot(s) {', '.join(unknown)}; choose from {', '.join(SHOTS)}")
        return 2
    app = QApplication(sys.argv[:1])
    isolate()
    folder = ROOT / "docs"
    results = [SHOTS[name](folder) for name in (argv or SHOTS)]
    app.processEvents()
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
