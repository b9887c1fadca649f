"""Read the window's document state (matrix, settings, speed) and put a lesson back into it.

"Exactly" is checked, not hoped for: a lesson whose settings the controls cannot show
(a seed beyond the spin box, a learning rate below its minimum) is refused with a message,
and the window is left as it was.
"""

from __future__ import annotations

import hashlib
import os

import numpy as np

from gui.widgets.transport_bar import SPEEDS
from solver.matrix_io import MatrixFileError
from solver.session import Lesson
from solver.settings import Settings


def matrix_digest(matrix: np.ndarray) -> tuple:
    """A cheap identity of a matrix (shape and bytes), to tell whether it was edited."""
    data = np.ascontiguousarray(matrix, dtype=np.float64)
    return data.shape, hashlib.blake2b(data.data, digest_size=16).digest()


def settings_key(settings: Settings) -> tuple:
    """Settings as comparable values; "exp:0.99" and "exp:0.990" are the same schedule."""
    values = settings.to_dict()
    values["schedule"] = settings.schedule_gamma
    return tuple(sorted(values.items()))


def session_key(window) -> tuple:
    """Everything a lesson stores besides the matrix: the settings and the speed."""
    return settings_key(window.panel.settings()), window.transport.speed()


def lesson_view(window, name: str, live_changes: bool) -> dict:
    """The GUI-only choices a lesson keeps (JSON values only)."""
    return {
        "speed": window.transport.speed(),
        "speed_label": window.transport.speed_combo.currentText(),
        "name": name,
        "history_has_live_changes": bool(live_changes),
    }


def apply_lesson(window, lesson: Lesson, path: str | os.PathLike, name: str) -> None:
    """Show `lesson` in the window (controls, speed, matrix) and start its run at 0.

    Raises MatrixFileError naming `path`, with the window untouched, when a view choice is
    bad or a setting cannot be shown exactly by the controls.
    """
    speed_index = _speed_index(window.transport, lesson.view, path)
    expected = settings_key(lesson.settings.validated(lesson.matrix.shape))
    panel = window.panel
    _check_ranges(panel, lesson.settings, path)
    old_settings, old_shape = panel.settings(), window.editor.model.shape
    panel.set_settings(lesson.settings)
    panel.set_shape(*lesson.matrix.shape)
    shown = settings_key(panel.settings())
    if shown != expected:
        panel.set_settings(old_settings)
        panel.set_shape(*old_shape)
        wanted, got = dict(expected), dict(shown)
        field = next(key for key in wanted if wanted[key] != got[key])
        raise MatrixFileError(path, f"setting {field} = {wanted[field]!r} is outside what the "
                                    f"app's controls can show (they would show {got[field]!r})")
    window.transport.speed_combo.setCurrentIndex(speed_index)
    window.set_matrix_name(name)
    # Replacing the matrix restarts the run with the settings now shown (matrix_changed).
    if not window.editor.set_array(lesson.matrix, f"open {name}"):
        raise MatrixFileError(path, "the editor refused the matrix")


def _check_ranges(panel, settings: Settings, path) -> None:
    """Refuse numbers beyond the spin boxes' ranges before any control is touched (a spin
    box would clamp them, or raise OverflowError for an int beyond 32 bits)."""
    spins = {
        "lr": panel.lr_spin, "momentum": panel.momentum_spin, "weight_decay":
        panel.weight_decay_spin, "seed": panel.seed_spin, "max_steps": panel.max_steps_spin,
        "tol": panel.tol_spin, "schedule": panel.decay_spin,
    }
    for name, spin in spins.items():
        value = settings.schedule_gamma if name == "schedule" else getattr(settings, name)
        if not spin.minimum() <= value <= spin.maximum():
            raise MatrixFileError(path, f"setting {name} = {value!r} is outside the app's range "
                                        f"({spin.minimum():g} to {spin.maximum():g})")


def _speed_index(transport, view: dict, path) -> int:
    """The speed combo index of the lesson's speed (the current one if it names none)."""
    if "speed" not in view:
        return transport.speed_combo.currentIndex()
    speed = view["speed"]
    for index, (_label, value) in enumerate(SPEEDS):
        if not isinstance(speed, bool) and speed == value:
            return index
    choices = ", ".join(f"{value:g}" for _label, value in SPEEDS)
    raise MatrixFileError(path, f"bad speed {speed!r} (expected one of {choices} steps/s)")
