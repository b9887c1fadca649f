"""Lessons with absurd numbers (issue 13): one check, in solver.session.load_lesson, refuses
them before any window, with one line naming the file and the field."""

import json
import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from solver.matrix_io import MatrixFileError
from solver.session import SPEEDS, Lesson, load_lesson, save_lesson
from solver.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _write_lesson(path: Path, settings: dict | None = None, view: dict | None = None,
                  raw_json: str | None = None) -> Path:
    """A lesson whose session.json is changed as given (raw_json replaces it whole)."""
    save_lesson(path, Lesson(np.diag([2.0, 3.0]), Settings(), view={"speed": 100.0}))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(parts["session.json"])
    meta["settings"].update(settings or {})
    meta["view"].update(view or {})
    text = raw_json if raw_json is not None else json.dumps(meta)
    parts["session.json"] = text.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _raw_number(field: str, digits: int) -> str:
    """session.json with `field` set to an integer literal of `digits` digits."""
    meta = {"format": "matrix-descent-lesson", "format_version": 1,
            "settings": {**Settings().to_dict(), field: 0}, "view": {}, "has_history": False}
    return json.dumps(meta).replace(f'"{field}": 0', f'"{field}": 1{"0" * (digits - 1)}')


# name -> (settings changes, view changes, raw JSON, words the message must hold)
ABSURD = {
    "lr-309-digits": (None, None, _raw_number("lr", 309),
                      "lr: must be a number from 1e-12 to 1e+06, got an integer of 309 digits"),
    "momentum-309-digits": (None, None, _raw_number("momentum", 309), "momentum:"),
    "weight-decay-400-digits": (None, None, _raw_number("weight_decay", 400), "weight_decay:"),
    "tol-309-digits": (None, None, _raw_number("tol", 309), "tol:"),
    "lr-5000-digits": (None, None, _raw_number("lr", 5000), "lr: must be a number from 1e-12 "
                                                             "to 1e+06, got an integer of 5000 "
                                                             "digits"),
    "seed-5000-digits": (None, None, _raw_number("seed", 5000), "seed:"),
    "lr-tiny": ({"lr": 1e-13}, None, None, "lr: must be a number from 1e-12"),
    "lr-huge": ({"lr": 1e308}, None, None, "lr: must be a number from 1e-12 to 1e+06, got 1e+308"),
    "seed-2-31": ({"seed": 2**31}, None, None, "seed: must be a whole number from 0 to"),
    "steps-2-31": ({"max_steps": 2**31}, None, None, "max_steps:"),
    "momentum-beyond-the-control": ({"momentum": 0.9995}, None, None,
                                    "momentum: must be from 0 to 0.999 in a lesson"),
    "gamma-beyond-the-control": ({"schedule": "exp:0.3"}, None, None, "schedule GAMMA"),
    "tol-huge": ({"tol": 1e7}, None, None, "tol: must be a number from 0 to 1e+06"),
    "weight-decay-huge": ({"weight_decay": 1e4}, None, None, "weight_decay:"),
    "lr-as-text": ({"lr": "fast"}, None, None,
                   "lr: must be a number from 1e-12 to 1e+06, got 'fast'"),
    "seed-float": ({"seed": 3.5}, None, None, "seed: must be a whole number"),
    "unknown-speed": (None, {"speed": 3}, None, "bad speed 3"),
    "speed-as-text": (None, {"speed": "fast"}, None, "bad speed 'fast'"),
    "name-not-text": (None, {"name": 5}, None, "bad view choice name"),
    "deep-json": (None, None, "[" * 100_000 + "]" * 100_000, "session.json is not valid JSON"),
}


@pytest.mark.parametrize("case", list(ABSURD))
def test_an_absurd_lesson_gives_one_line_naming_the_field(tmp_path, case):
    settings, view, raw, words = ABSURD[case]
    path = _write_lesson(tmp_path / f"{case}.mdlesson", settings, view, raw)
    with pytest.raises(MatrixFileError) as caught:
        load_lesson(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert words in message, message
    assert len(message) < 300, message  # no 5000-digit number copied into it


def test_every_speed_of_the_window_is_accepted(tmp_path):
    for speed in SPEEDS:
        path = _write_lesson(tmp_path / "speed.mdlesson", view={"speed": speed})
        assert load_lesson(path).view["speed"] == speed


# Every case is checked in-process above; these also through main.py in a process (each
# imports torch, 2-8 s): the JSON reader's own limit and a window setting.
IN_A_PROCESS = ["lr-5000-digits", "unknown-speed"]


def test_main_py_refuses_them_before_any_window(tmp_path):
    paths = {case: _write_lesson(tmp_path / f"{case}.mdlesson", *ABSURD[case][:3])
             for case in IN_A_PROCESS}
    # Offscreen, so that a lesson wrongly let through opens no window here (and times out).
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    def run(path):
        return subprocess.run([sys.executable, "main.py", str(path)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(paths, pool.map(run, paths.values()), strict=True))
    for case, done in results.items():
        assert done.returncode == 2, (case, done.stderr)
        assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith(f"matrix-descent: cannot open {paths[case]}: ")
        assert ABSURD[case][3] in done.stderr, done.stderr
