"""A seeded random session of the real window (issue 13): no exception may escape (the
conftest's guard fails the test), and after every action the window shows its model.

`python benchmarks/random_session.py --seconds 600 --seed S` runs longer sessions.
"""

from __future__ import annotations

from files_support import new_window
from random_actions import bad_files, run_session

SEED = 13
SECONDS = 30.0  # the session stops after this long, or after MAX_ACTIONS
MAX_ACTIONS = 300


def test_a_random_session_keeps_the_window_consistent(qtbot, tmp_path):
    window, answers = new_window(qtbot)
    session = run_session(window, SEED, bad_files(tmp_path / "files"), seconds=SECONDS,
                          actions=MAX_ACTIONS)
    assert session.index >= 10, "too few actions to mean anything"
    # Every refused file was named in one line of its own.
    opened = {line.removeprefix("open ") for line in session.log if line.startswith("open ")}
    for name in opened - {"good.csv", "tall.tsv"}:
        assert any(name in error and "\n" not in error for error in answers.errors), name
