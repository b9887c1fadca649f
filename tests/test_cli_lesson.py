"""`python main.py solve LESSON.mdlesson` runs the lesson's matrix and settings (issue 12,
point 11); options given on the command line override them."""

import json

import numpy as np

from solver import Run, Settings
from solver.presets import load_preset
from solver.session import Lesson, save_lesson

RUN_B = Settings(problem="inverse", optimizer="gd", lr=0.4605170185988092, tol=0, max_steps=100)


def test_a_lesson_runs_with_its_own_matrix_and_settings(tmp_path, main_here):
    matrix = load_preset("tutorial-diagonal")
    save_lesson(tmp_path / "run-b.mdlesson", Lesson(matrix=matrix, settings=RUN_B))
    done = main_here("solve", "run-b.mdlesson", "--json", "--history", "h.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["optimizer"], result["lr"], result["steps"]) == ("gd", RUN_B.lr, 100)
    expected = Run(matrix, RUN_B)
    expected.step(100)
    rows = np.loadtxt(tmp_path / "h.csv", delimiter=",", skiprows=1)
    assert np.array_equal(rows[:, 1], expected.loss_rows())


def test_options_override_the_lessons_settings(tmp_path, main_here):
    save_lesson(tmp_path / "l.mdlesson", Lesson(matrix=load_preset("tutorial-random"),
                                                settings=RUN_B))
    done = main_here("solve", "l.mdlesson", "--steps", "7", "--optimizer", "adam", "--json",
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    # A new optimizer without --lr starts from its own default, not the lesson's lr.
    assert (result["optimizer"], result["lr"], result["steps"]) == ("adam", 1e-3, 7)
    assert result["shape"] == [4, 4] and result["problem"] == "inverse"


def test_a_damaged_lesson_gives_one_line(tmp_path, main_here):
    (tmp_path / "bad.mdlesson").write_bytes(b"not a zip")
    done = main_here("solve", "bad.mdlesson", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: bad.mdlesson: not a lesson file")
    assert len(done.stderr.splitlines()) == 1
