"""A seeded random session of the real window (issue 13): no exception may escape (the
conftest's guard fails the test), and after every action the window shows its model.

`python benchmarks/random_session.py --seconds 600 --seed S` runs longer sessions.
"""

from __future__ import annotations

from files_support import new_window
from random_actions import bad_files, run_session

SEED = 13
ACTIONS = 100  # 10 to 30 s on the project's shared 2-core machine, by its load


def test_a_random_session_keeps_the_window_consistent(qtbot, tmp_path):
    window, answers = new_window(qtbot)
    session = run_session(window, SEED, bad_files(tmp_path / "files"), actions=ACTIONS)
    assert session.index == ACTIONS
    # Every refused file was named in one line of its own.
    refused = {line.removeprefix("open ") for line in session.log if line.startswith("open ")}
    refused -= {"good.csv", "tall.tsv"}
    assert refused, "the session opened no bad file: choose another seed"
    for name in refused:
        assert any(name in error and "\n" not in error for error in answers.errors), name
