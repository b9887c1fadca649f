"""Lesson files: a matrix, every setting and optionally the loss history, reopened exactly.

A lesson file (`.mdlesson`) is a plain zip archive, readable without this app:
`session.json` (format name and version, settings, view choices such as speed),
`matrix.npy`, and optionally `history.npy`. No pickle anywhere: arrays are read with
allow_pickle=False and JSON holds only strings, numbers and booleans.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass, field

import numpy as np

from solver.matrix_io import (
    ZIP_ERRORS,
    MatrixFileError,
    atomic_write,
    read_npy_stream,
    read_problem,
)
from solver.progress import CountingWriter, Progress
from solver.safe_io import open_regular
from solver.settings import CONTROL_RANGES, Settings, SettingsError, shown

SESSION_SUFFIX = ".mdlesson"
FORMAT_NAME = "matrix-descent-lesson"
FORMAT_VERSION = 1
# A lesson's JSON is a few hundred bytes; anything far larger is not one of ours.
MAX_JSON_BYTES = 1_000_000
# A history longer than this (8 bytes a step) is refused rather than read into memory.
MAX_HISTORY = 100_000_000
SPEEDS = (1.0, 5.0, 20.0, 100.0, 500.0, 2000.0, 0.0)
"""The speeds (steps per second, 0 = as fast as possible) a lesson may ask for: the window's
speed choices."""


@dataclass
class Lesson:
    """What a lesson file holds. `view` carries GUI-only choices (e.g. {"speed": "Max"})."""

    matrix: np.ndarray
    settings: Settings
    view: dict = field(default_factory=dict)
    history: np.ndarray | None = None
    # The iterations of `history` when it is not 0, 1, 2, ... (a long run's older losses
    # kept only at their peaks); None otherwise.
    history_iterations: np.ndarray | None = None


def save_lesson(path: str | os.PathLike, lesson: Lesson,
                progress: Progress | None = None) -> None:
    """Write a lesson file atomically (the old file survives any failure).

    Raises MatrixFileError naming the file when it cannot be written. `progress(done,
    total)` follows the matrix's bytes as they are compressed; Cancelled raised by it
    propagates and leaves the old file as it was.
    """
    meta = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "settings": lesson.settings.to_dict(),
        "view": lesson.view,
        "has_history": lesson.history is not None,
    }
    try:
        text = json.dumps(meta, indent=2, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise MatrixFileError(path, f"cannot save: settings are not plain values ({err})") from None

    def write(fh) -> None:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("session.json", text)
            matrix = np.ascontiguousarray(lesson.matrix)
            with archive.open("matrix.npy", "w") as entry:
                stream = entry if progress is None else \
                    CountingWriter(entry, progress, matrix.nbytes)
                np.lib.format.write_array(stream, matrix, allow_pickle=False)
            if lesson.history is not None:
                history = np.asarray(lesson.history, dtype=np.float64).reshape(-1)
                archive.writestr("history.npy", _npy_bytes(history))
                if lesson.history_iterations is not None:
                    steps = np.asarray(lesson.history_iterations, dtype=np.int64).reshape(-1)
                    archive.writestr("history_iterations.npy", _npy_bytes(steps))

    atomic_write(path, write)


def load_lesson(path: str | os.PathLike, progress: Progress | None = None) -> Lesson:
    """Read a lesson file and check everything in it before anything is shown.

    Every setting must be valid for the matrix and within what the window's controls can
    show (CONTROL_RANGES), the speed one of SPEEDS. Any problem raises MatrixFileError with
    a one-line message naming the file and the field; a folder, FIFO or device is refused
    before it is read. `python main.py LESSON` and the window's File > Open both call this.
    `progress(done, total)` follows the matrix's bytes; Cancelled raised by it propagates.
    """
    try:
        with open_regular(path) as fh, zipfile.ZipFile(fh) as archive:
            names = set(archive.namelist())
            for needed in ("session.json", "matrix.npy"):
                if needed not in names:
                    raise MatrixFileError(path, f"not a lesson file ({needed} is missing)")
            meta = _read_meta(path, archive)
            matrix = read_npy_stream(f"{os.fspath(path)}[matrix]",
                                      lambda: archive.open("matrix.npy"), progress)
            history = iterations = None
            if "history.npy" in names:
                history = _read_history(path, archive)
                if "history_iterations.npy" in names:
                    iterations = _read_iterations(path, archive, history.size)
    except ZIP_ERRORS as err:
        raise MatrixFileError(path, f"not a lesson file ({err})") from None
    except FileNotFoundError:
        raise MatrixFileError(path, "no such file") from None
    except OSError as err:
        raise MatrixFileError(path, read_problem(err)) from None
    try:
        settings = Settings.from_dict(meta["settings"])
        settings.validated(matrix.shape)
        check_control_ranges(settings)
    except (SettingsError, TypeError) as err:
        raise MatrixFileError(path, f"bad setting: {err}") from None
    return Lesson(matrix=matrix, settings=settings, view=_checked_view(path, meta),
                  history=history, history_iterations=iterations)


def check_control_ranges(settings: Settings) -> None:
    """Raise SettingsError naming the field if a number is beyond what the window's controls
    can show (CONTROL_RANGES): such a lesson could not be reopened exactly."""
    for name, (low, high) in CONTROL_RANGES.items():
        value = settings.schedule_gamma if name == "schedule" else getattr(settings, name)
        if not low <= value <= high:
            shown_name = "schedule GAMMA" if name == "schedule" else name
            raise SettingsError(f"{shown_name}: must be from {low:g} to {high:g} in a lesson, "
                                f"got {shown(value)}")


def _checked_view(path, meta: dict) -> dict:
    view = meta.get("view", {})
    if not isinstance(view, dict):
        raise MatrixFileError(path, "bad view choices (expected a JSON object)")
    if "speed" in view:
        speed = view["speed"]
        if isinstance(speed, bool) or speed not in SPEEDS:
            choices = ", ".join(f"{value:g}" for value in SPEEDS)
            raise MatrixFileError(path, f"bad speed {shown(speed)} (expected one of {choices} "
                                        "steps/s, 0 = Max)")
    for key, kind in (("name", str), ("speed_label", str), ("history_has_live_changes", bool)):
        if key in view and not isinstance(view[key], kind):
            raise MatrixFileError(path, f"bad view choice {key}: {shown(view[key])}")
    return view


class HugeNumber:
    """An integer in session.json too long to be any setting (Python refuses to convert
    more than 4,300 digits); validation names the field it was found in."""

    def __init__(self, digits: str) -> None:
        self.digits = len(digits.lstrip("-"))

    def __repr__(self) -> str:
        return f"an integer of {self.digits} digits"


def _json_int(text: str):
    return int(text) if len(text) <= 100 else HugeNumber(text)


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _read_meta(path, archive: zipfile.ZipFile) -> dict:
    if archive.getinfo("session.json").file_size > MAX_JSON_BYTES:
        raise MatrixFileError(path, "session.json is too large to be a lesson")
    try:
        meta = json.loads(archive.read("session.json").decode("utf-8"), parse_int=_json_int)
    except (UnicodeDecodeError, ValueError) as err:  # JSONDecodeError is a ValueError
        raise MatrixFileError(path, f"session.json is not valid JSON ({err})") from None
    except RecursionError:
        raise MatrixFileError(path, "session.json is not valid JSON (nested too deeply)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise MatrixFileError(path, "not a Matrix Descent lesson (format name missing)")
    version = meta.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise MatrixFileError(path, f"bad format version {version!r}")
    if version > FORMAT_VERSION:
        raise MatrixFileError(path, f"written by a newer Matrix Descent (format {version}, "
                                    f"this version reads up to {FORMAT_VERSION})")
    if not isinstance(meta.get("settings"), dict):
        raise MatrixFileError(path, "settings are missing")
    return meta


def _read_history(path, archive: zipfile.ZipFile) -> np.ndarray:
    def expected(shape, dtype) -> str | None:
        if dtype == np.float64 and len(shape) == 1 and shape[0] <= MAX_HISTORY:
            return None
        return (f"bad loss history (expected up to {MAX_HISTORY} float64 values, "
                f"got {dtype} {shape})")

    return _read_member(path, archive, "history.npy", "loss history", expected)


def _read_iterations(path, archive: zipfile.ZipFile, count: int) -> np.ndarray:
    """The iterations of a history kept only at some iterations: `count` increasing whole
    numbers from 0."""
    def expected(shape, dtype) -> str | None:
        if dtype == np.int64 and shape == (count,):
            return None
        return (f"bad history iterations (expected {count} int64 values, "
                f"got {dtype} {shape})")

    steps = _read_member(path, archive, "history_iterations.npy", "history iterations",
                         expected)
    if count and (steps[0] < 0 or np.any(np.diff(steps) <= 0)):
        raise MatrixFileError(path, "bad history iterations (not increasing from 0)")
    return steps


def _read_member(path, archive: zipfile.ZipFile, member: str, what: str,
                 problem_with) -> np.ndarray:
    """The .npy `member` of the lesson archive, its header checked before its data is read
    (`problem_with(shape, dtype)` returns the message for a wrong one, or None), so a
    header announcing a huge array costs nothing."""
    with archive.open(member) as fh:
        try:
            version = np.lib.format.read_magic(fh)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, _, dtype = read_header(fh)
        except Exception as err:  # noqa: BLE001 -- numpy's header parser raises many types
            raise MatrixFileError(path, f"damaged {what} ({err})") from None
    problem = problem_with(shape, dtype)
    if problem:
        raise MatrixFileError(path, problem)
    with archive.open(member) as fh:
        try:
            return np.lib.format.read_array(fh, allow_pickle=False)
        except ValueError as err:
            raise MatrixFileError(path, f"damaged {what} ({err})") from None
