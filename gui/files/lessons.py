"""A lesson file and the document model: what is saved, and putting one back.

"Exactly" is checked, not hoped for: a lesson whose settings the controls cannot show
(a seed beyond the spin box, a learning rate below its minimum) is refused with a message,
and the document is left as it was.
"""

from __future__ import annotations

import os

import numpy as np

from gui.widgets.parameter_panel import CONTROL_RANGES
from gui.widgets.transport_bar import SPEEDS
from solver.matrix_io import MatrixFileError
from solver.session import Lesson
from solver.settings import Settings

# A lesson's view entry saying that its history ends with the loss of the estimate the run
# stands at (rows 0..N); older lessons hold only the losses before each update.
FINAL_ROW = "history_final_row"


def lesson_of(model, name: str, with_history: bool) -> Lesson:
    """The document and (optionally) its run's history as a Lesson."""
    history = iterations = None
    if with_history:
        steps, losses = model.history()
        if losses.size:
            history = losses
            if not np.array_equal(steps, np.arange(steps.size)):
                iterations = steps  # an older part kept at its peaks only
    view = {
        "speed": model.speed,
        "speed_label": next((label for label, value in SPEEDS if value == model.speed), ""),
        "name": name,
        "history_has_live_changes": bool(model.live_changes),
        FINAL_ROW: True,
    }
    return Lesson(matrix=model.matrix, settings=model.settings, view=view, history=history,
                  history_iterations=iterations)


def open_lesson(model, lesson: Lesson, path: str | os.PathLike, name: str) -> None:
    """Show `lesson` in the document model: matrix, settings, speed and saved history.

    Raises MatrixFileError naming `path`, with the document untouched, when a view choice
    is bad or a setting is outside what the app's controls can show.
    """
    speed = _speed(lesson.view, path, model.speed)
    _check_ranges(lesson.settings, path)
    history = replayable = None
    if lesson.history is not None and lesson.history.size:
        losses = np.asarray(lesson.history, dtype=np.float64)
        iterations = lesson.history_iterations
        exact = iterations is None or np.array_equal(iterations, np.arange(losses.size))
        if iterations is None:
            iterations = np.arange(losses.size, dtype=np.int64)
        final = bool(lesson.view.get(FINAL_ROW, False))
        live = bool(lesson.view.get("history_has_live_changes", False))
        replayable = exact and not live
        # The replay checks the losses before each update; the last row of a lesson that has
        # one is the loss of the estimate the run stood at, which the replay recomputes.
        history = (iterations[:-1], losses[:-1]) if final and replayable else \
            (iterations, losses)
    model.open_lesson(lesson.matrix, lesson.settings, speed, name, os.fspath(path),
                      history[1] if replayable else history, bool(replayable))


def _check_ranges(settings: Settings, path) -> None:
    """Refuse numbers beyond the controls' ranges (a spin box would show a clamped value
    while the run used another)."""
    for name, (low, high) in CONTROL_RANGES.items():
        value = settings.schedule_gamma if name == "schedule" else getattr(settings, name)
        if not low <= value <= high:
            raise MatrixFileError(path, f"setting {name} = {value!r} is outside the app's range "
                                        f"({low:g} to {high:g})")


def _speed(view: dict, path, current: float) -> float:
    """The lesson's speed in steps per second (the current one if it names none)."""
    if "speed" not in view:
        return current
    speed = view["speed"]
    for _label, value in SPEEDS:
        if not isinstance(speed, bool) and speed == value:
            return value
    choices = ", ".join(f"{value:g}" for _label, value in SPEEDS)
    raise MatrixFileError(path, f"bad speed {speed!r} (expected one of {choices} steps/s)")
