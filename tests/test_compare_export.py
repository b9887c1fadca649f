"""solver.compare_export: compared loss histories survive a CSV round trip bit for bit."""

import numpy as np
import pytest

from solver import Run, Settings
from solver.compare_export import read_compare_csv, write_compare_csv
from solver.matrix_io import MatrixFileError


def test_round_trip_keeps_every_value_names_and_lengths(tmp_path):
    rng = np.random.default_rng(5)
    awkward = rng.standard_normal(7) * 10.0 ** rng.integers(-300, 300, 7)
    awkward[:3] = [np.nan, np.inf, -0.0]
    runs = [
        ("Random Matrix, Momentum=0.9", awkward),
        ('tutorial-random · momentum lr 0.9 β 0.9 "quoted"', np.array([1.5, 2.5e-17])),
        ("empty", np.empty(0)),
    ]
    path = tmp_path / "compare.csv"
    write_compare_csv(path, runs)
    back = read_compare_csv(path)
    assert [name for name, _, _ in back] == [name for name, _ in runs]
    for (_, expected), (_, iterations, got) in zip(runs, back, strict=True):
        np.testing.assert_array_equal(iterations, np.arange(expected.size))
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, expected)
        assert np.array_equal(np.signbit(got), np.signbit(expected))


def test_layout_iteration_column_then_blank_cells_after_a_short_run(tmp_path):
    path = tmp_path / "compare.csv"
    write_compare_csv(path, [("a", [0.5, 0.25, 0.125]), ("b", [1.0])])
    assert path.read_text(encoding="utf-8").splitlines() == [
        "iteration,a,b", "0,0.5,1.0", "1,0.25,", "2,0.125,",
    ]


def test_a_run_kept_only_at_some_iterations_gets_rows_there_and_blanks_elsewhere(tmp_path):
    # A long run's older losses are kept only at their peaks (gui/loss_store.py).
    path = tmp_path / "compare.csv"
    write_compare_csv(path, [("long", [3.0, 1.0, 0.5], [0, 7, 8]), ("short", [2.0, 1.5])])
    assert path.read_text(encoding="utf-8").splitlines() == [
        "iteration,long,short", "0,3.0,2.0", "1,,1.5", "7,1.0,", "8,0.5,",
    ]
    (_, x_long, y_long), (_, x_short, y_short) = read_compare_csv(path)
    np.testing.assert_array_equal(x_long, [0, 7, 8])
    np.testing.assert_array_equal(y_long, [3.0, 1.0, 0.5])
    np.testing.assert_array_equal(x_short, [0, 1])


def test_real_run_histories_round_trip(tmp_path):
    settings = Settings(lr=0.9, momentum=0.9, max_steps=50, tol=0.0)
    a = Run(np.diag([1.0, 2.0, 3.0, 4.0]), settings)
    b = Run(np.diag([1.0, 2.0]), settings)
    a.step(50)
    b.step(20)
    path = tmp_path / "runs.csv"
    write_compare_csv(path, [("a", a.history.values()), ("b", b.history.values())])
    (_, _, got_a), (_, _, got_b) = read_compare_csv(path)
    np.testing.assert_array_equal(got_a, a.history.values())
    np.testing.assert_array_equal(got_b, b.history.values())


def test_failed_write_keeps_the_old_file_and_names_it(tmp_path):
    path = tmp_path / "missing-folder" / "x.csv"
    with pytest.raises(MatrixFileError, match="x.csv"):
        write_compare_csv(path, [("a", [1.0])])
    good = tmp_path / "good.csv"
    write_compare_csv(good, [("a", [1.0])])
    before = good.read_bytes()

    class Exploding:
        def __array__(self, *args, **kwargs):
            raise ValueError("boom")

    with pytest.raises((MatrixFileError, ValueError)):
        write_compare_csv(good, [("a", Exploding())])
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.csv"]


@pytest.mark.parametrize("text, problem", [
    ("", "header"),
    ("step,a\n0,1\n", "header"),
    ("iteration,a\n0,x\n", "not a number"),
    ("iteration,a\n0,1\n0,2\n", "expected an iteration after 0"),
    ("iteration,a\n0,1,2\n", "expected an iteration"),
])
def test_bad_files_raise_one_clear_error(tmp_path, text, problem):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MatrixFileError, match=problem):
        read_compare_csv(path)
