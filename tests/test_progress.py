"""Progress reports and Cancel for loads and saves (solver.progress): the same bytes with
or without a callback, and a cancelled save leaves the old file and no temporary file."""

from __future__ import annotations

import os

import numpy as np
import pytest

from solver.matrix_io import load_matrix, save_matrices, save_matrix
from solver.progress import Cancelled
from solver.session import Lesson, load_lesson, save_lesson
from solver.settings import Settings

MATRIX = np.random.default_rng(5).standard_normal((600, 700))


def _save(path, matrix, progress=None):
    if path.suffix == ".mdlesson":
        save_lesson(path, Lesson(matrix=matrix, settings=Settings(problem="pinv")),
                    progress)
    else:
        save_matrix(path, matrix, progress)


def _load(path, progress=None):
    if path.suffix == ".mdlesson":
        return load_lesson(path, progress).matrix
    return load_matrix(path, progress)


def _stop_at_a_third(done, total):
    if done > total // 3:
        raise Cancelled


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".npy", ".npz", ".mdlesson"])
def test_progress_reaches_the_end_and_the_numbers_are_the_same(tmp_path, suffix):
    plain, reported = tmp_path / f"plain{suffix}", tmp_path / f"reported{suffix}"
    _save(plain, MATRIX)
    saves, loads = [], []
    _save(reported, MATRIX, lambda done, total: saves.append((done, total)))
    if suffix != ".mdlesson":  # a zip entry's time stamp may differ by a second
        assert reported.read_bytes() == plain.read_bytes()
    assert len(saves) > 1 and saves[-1][0] == saves[-1][1]
    assert [done for done, _ in saves] == sorted(done for done, _ in saves)
    assert np.array_equal(_load(reported, lambda d, t: loads.append((d, t))), MATRIX)
    assert len(loads) > 1 and loads[-1][0] == loads[-1][1]


@pytest.mark.parametrize("suffix", [".csv", ".npy", ".npz", ".mdlesson"])
def test_a_cancelled_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path, suffix):
    target = tmp_path / f"m{suffix}"
    _save(target, np.eye(3))
    old = target.read_bytes()
    with pytest.raises(Cancelled):
        _save(target, MATRIX, _stop_at_a_third)
    assert target.read_bytes() == old and os.listdir(tmp_path) == [target.name]


@pytest.mark.parametrize("suffix", [".csv", ".npy", ".npz", ".mdlesson"])
def test_a_cancelled_load_returns_nothing(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    _save(path, MATRIX)
    with pytest.raises(Cancelled):
        _load(path, _stop_at_a_third)


def test_a_cancelled_set_of_files_replaces_none(tmp_path):
    paths = [tmp_path / f"{name}.csv" for name in "USV"]
    for path in paths:
        save_matrix(path, np.eye(2))
    old = [path.read_bytes() for path in paths]
    calls = []

    def stop_in_the_second_file(done, total):
        calls.append((done, total))
        if done > total // 2:
            raise Cancelled

    with pytest.raises(Cancelled):
        save_matrices({path: MATRIX for path in paths}, stop_in_the_second_file)
    assert [path.read_bytes() for path in paths] == old
    assert sorted(os.listdir(tmp_path)) == ["S.csv", "U.csv", "V.csv"]
    assert calls[-1][1] == 3000
