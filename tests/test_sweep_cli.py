"""`python main.py sweep`: the grid as CSV and one JSON line, cells equal to `solve`, and one
clean line naming the option for bad input."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from solver import sweep_cli

MAIN = Path(__file__).resolve().parent.parent / "main.py"
RANDOM = "preset:tutorial-random"


def test_sweep_writes_the_grid_and_one_json_line(tmp_path):
    done = subprocess.run(
        [sys.executable, str(MAIN), "sweep", RANDOM, "--lr", "0.5:9:6", "--log",
         "--momentum", "0:0.9:4", "--steps", "1500", "--out", "grid.csv", "--json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1
    report = json.loads(done.stdout)
    assert report["grid"] == {"lr": [0.5, 9.0, 6], "momentum": [0.0, 0.9, 4], "runs": 24}
    assert sum(report["counts"].values()) == 24 and report["counts"]["not_computed"] == 0
    assert report["elapsed_s"] > 0 and report["optimizer"] == "momentum"
    with open(tmp_path / "grid.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["lr", "momentum", "steps_to_tol", "final_loss", "diverged", "rate"]
    assert len(rows) == 24
    lrs = sorted({float(r["lr"]) for r in rows})
    np.testing.assert_allclose(lrs, np.geomspace(0.5, 9, 6))
    best = report["best"]
    fastest = min((r for r in rows if r["steps_to_tol"]), key=lambda r: int(r["steps_to_tol"]))
    assert best["steps_to_tol"] == int(fastest["steps_to_tol"])
    assert (best["lr"], best["momentum"]) == (float(fastest["lr"]), float(fastest["momentum"]))
    for r in rows:  # a diverged cell has no steps to the tolerance
        assert not (r["diverged"] == "true" and r["steps_to_tol"])
    assert "run-steps in" in done.stderr  # the table went to stderr


def test_a_cell_equals_solve_with_its_lr_and_momentum(tmp_path, capsys):
    # Run A of the tutorial: 784 steps to a loss below 1e-12 (README).
    code = sweep_cli.main([RANDOM, "--lr", "0.9", "--momentum", "0.9", "--steps", "10000",
                           "--out", str(tmp_path / "a.csv")])
    assert code == 0
    with open(tmp_path / "a.csv", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["steps_to_tol"] == "784" and row["diverged"] == "false"
    assert float(row["final_loss"]) < 1e-12
    assert "fastest: lr 0.9, momentum 0.9: 784 steps" in capsys.readouterr().out


def test_a_lesson_file_sweeps_with_its_own_settings(tmp_path, capsys):
    from solver import Settings
    from solver.presets import load_preset
    from solver.session import Lesson, save_lesson

    lesson = tmp_path / "diag.mdlesson"
    settings = Settings(optimizer="nesterov", momentum=0.5, dtype="float64", tol=1e-10)
    save_lesson(lesson, Lesson(load_preset("tutorial-diagonal"), settings))
    assert sweep_cli.main([str(lesson), "--lr", "0.1:1:4", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["optimizer"], report["dtype"], report["tol"]) == ("nesterov", "float64", 1e-10)
    assert report["grid"]["momentum"] == [0.5, 0.5, 1]  # the lesson's momentum


@pytest.mark.parametrize(("args", "message"), [
    (["--lr", "abc"], "--lr: expected LO:HI:N (e.g. 0:0.99:48) or one value, got 'abc'"),
    (["--lr", "1:0.5:4"], "--lr: HI must not be below LO, got '1:0.5:4'"),
    (["--lr", "0:1:4", "--log"], "--lr: a log axis needs LO > 0, got '0:1:4'"),
    (["--lr", "0.1:1:5000"], "--lr: N must be 1 ... 1024, got 5000"),
    # Bounds out of range are quoted as typed (issue: "--lr 0:1:3" said "got 0.0").
    (["--lr", "0:1:3"], "--lr: LO and HI must be numbers from 1e-12 to 1e+06, got '0:1:3'"),
    (["--lr", "1e-3:2e6:3"], "--lr: LO and HI must be numbers from 1e-12 to 1e+06, "
                             "got '1e-3:2e6:3'"),
    (["--lr", "0"], "--lr: must be a number from 1e-12 to 1e+06, got '0'"),
    (["--lr", "0.1:1:3", "--momentum", "0:1:3"], "--momentum: LO and HI must be in [0, 1), "
                                                 "got '0:1:3'"),
    (["--lr", "0.1:1:3", "--momentum", "-0.5"], "--momentum: must be in [0, 1), got '-0.5'"),
    (["--lr", "0.1", "--steps", "0"], "--steps: a sweep needs a step limit (1 or more)"),
    (["--lr", "0.1", "--out", "g.txt"], "--out: g.txt: a sweep is written as .csv"),
    (["--lr", "0.1", "--history", "h.csv"], "--history: a sweep has one history per cell"),
    (["--lr", "0.1", "--auto"], "--auto: a sweep maps the learning rates and momenta"),
    (["--lr", "0.1", "--optimizer", "gd", "--momentum", "0:0.9:3"],
     "--momentum: gd has no momentum; give one value"),
    (["--lr", "0.1", "--problem", "svd"], "--problem svd: the sweep covers the inverse and "
                                          "the pseudo-inverse only"),
    (["--lr", "0.1", "--optimizer", "sgd"], "--optimizer: invalid choice: 'sgd'"),
    (["--lr", "0.1:1:1024", "--momentum", "0:0.9:300"],
     "--lr/--momentum: 307,200 runs; at most 262,144 at once"),
])
def test_bad_input_is_one_line_naming_the_option(args, message, capsys):
    assert sweep_cli.main([RANDOM, *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1, err
    assert err.startswith("error: " + message), err


def test_a_grid_too_big_for_memory_is_refused_before_running(tmp_path, capsys):
    np.savetxt(tmp_path / "big.csv", np.eye(128) * 2, delimiter=",")
    code = sweep_cli.main([str(tmp_path / "big.csv"), "--lr", "0.1:1:64", "--momentum",
                           "0:0.9:64", "--dtype", "float64"])
    assert code == 2
    err = capsys.readouterr().err
    assert err == ("error: --lr/--momentum: 4,096 runs of a 128 x 128 float64 problem need "
                   "about 6.0 GB of memory (limit 1.0 GB); use fewer grid points or a smaller "
                   "matrix\n")


def test_bad_matrix_file_and_missing_lr(tmp_path, capsys):
    assert sweep_cli.main([str(tmp_path / "nope.csv"), "--lr", "0.1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "nope.csv" in err and len(err.splitlines()) == 1
    assert sweep_cli.main([RANDOM]) == 2
    assert "the following arguments are required: --lr" in capsys.readouterr().err


def test_help_says_what_is_not_supported(capsys):
    assert sweep_cli.main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "--problem svd" in text and "LO:HI:N" in text and "--history" not in text.split(
        "Not supported")[0]


@pytest.mark.parametrize("steps, error", [
    ("0", "error: --steps: a sweep needs a step limit (1 or more)"),
    ("1e30", "error: --steps: must be a whole number from 0 to 2147483647, got '1e30'"),
])
def test_the_step_limit_is_checked_and_a_given_one_is_used(capsys, steps, error):
    grid = [RANDOM, "--lr", "0.5:1:2", "--momentum", "0.5:0.9:2"]
    assert sweep_cli.main([*grid, "--steps", steps]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == error
    assert sweep_cli.main([*grid, "--steps", "7", "--tol", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["run_steps"] == 4 * 7
