"""The exported program's contract (issue 15): `python run.py losses.csv` writes the same
`iteration,loss` CSV as `main.py solve --history`, byte for byte, over the whole grid of
settings: every optimizer, residual side, problem, dtype, initial guess, schedule, gradient
mode, step limit and tolerance, a divergence, and a matrix too big to write into the code.

The histories come from `solver.cli.main` (the `solve` command itself, in this process); the
scripts run in one separate Python process, one after another, because starting Python and
importing torch costs more than most of these runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from solver import cli

OPTIMIZERS = {"gd": "0.3", "momentum": "0.1", "nesterov": "0.1", "adam": "0.01",
              "rmsprop": "0.01"}
PROBLEMS = {
    "inverse": ("square", []),
    "pinv-tall": ("tall", []),
    "pinv-wide": ("wide", []),
    "svd-penalty": ("tall", ["--problem", "svd"]),
    "svd-penalty-wide": ("wide", ["--problem", "svd"]),
}
SHORT = ["--steps", "120", "--tol", "0"]


def _matrices() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(15)
    square = rng.random((3, 3)) + 2 * np.eye(3)
    tall = rng.random((4, 2))
    return {
        "square": square,
        "tall": tall,
        "wide": rng.random((2, 4)),
        "svd-small": rng.random((3, 2)),
        "svd-small-wide": rng.random((2, 3)),
        # Signs, and numbers whose shortest float32 text is in scientific notation.
        "signed-small": (rng.random((3, 3)) - 0.5) * 1e-3 + np.diag([1e-3, 2e-3, -3e-3]),
        # Larger than 12 x 12: saved beside the script as .npy and read from there.
        "big": rng.random((13, 13)) + 4 * np.eye(13),
        "big-tall": rng.random((14, 3)),
        # Rank 2 with 3 columns: X @ M = I has no solution, the loss stops at a floor of 1/9.
        "rank-deficient-tall": np.column_stack([tall, tall[:, 0] + tall[:, 1]]),
        # Scales the solver's theory analyses in a scaled form (float64 only).
        "tiny-singular": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [5.0, 7.0, 9.0]]) * 1e-120,
        "huge": np.diag([1.0, 2.0, 3.0]) * 1e120,
    }


def _grid() -> list[tuple[str, str, list[str]]]:
    grid = []
    for opt, lr in OPTIMIZERS.items():
        for name, (matrix, extra) in PROBLEMS.items():
            grid.append((f"{opt}-{name}", matrix, [*extra, "--optimizer", opt, "--lr", lr,
                                                   *SHORT]))
        # Rank-one deflation to the end: every triplet found, the optimizer restarted each time.
        # (gd crawls on svd-small's second triplet: 6,000 steps; 196 on tall.)
        grid.append((f"{opt}-svd-deflation", "tall" if opt == "gd" else "svd-small",
                     ["--problem", "svd", "--svd-method", "deflation", "--optimizer", opt,
                      "--lr", "0.9" if opt in ("gd", "momentum") else "0.5" if opt == "nesterov"
                      else "0.01", "--steps", "20000", "--tol", "0"]))
        grid.append((f"{opt}-closed-form", "square", ["--gradient", "closed-form",
                                                      "--optimizer", opt, "--lr", lr, *SHORT]))
    grid += [
        ("deflation-wide", "svd-small-wide", ["--problem", "svd", "--svd-method", "deflation",
                                              "--steps", "0", "--tol", "0"]),
        ("deflation-step-limit", "tall", ["--problem", "svd", "--svd-method", "deflation",
                                          "--steps", "300", "--tol", "0"]),
        ("deflation-float64", "svd-small", ["--problem", "svd", "--svd-method", "deflation",
                                            "--dtype", "float64", "--steps", "20000"]),
        ("svd-penalty-float64-adam", "tall", ["--problem", "svd", "--optimizer", "adam",
                                              "--lr", "0.01", "--dtype", "float64", *SHORT]),
        ("svd-penalty-tutorial", "preset:svd-tutorial", ["--problem", "svd", "--steps", "400"]),
    ]
    for side in ("right", "both"):
        for opt in ("momentum", "adam"):
            grid.append((f"side-{side}-{opt}", "square", ["--side", side, "--optimizer", opt,
                                                          "--lr", OPTIMIZERS[opt], *SHORT]))
        grid.append((f"side-{side}-closed-form", "square",
                     ["--side", side, "--gradient", "closed-form", *SHORT]))
    grid += [
        ("closed-form-pinv-tall", "tall", ["--gradient", "closed-form", *SHORT]),
        ("closed-form-pinv-wide", "wide", ["--gradient", "closed-form", "--optimizer", "gd",
                                           "--lr", "0.5", *SHORT]),
    ]
    for dtype in ("float32", "float64"):
        for init in ("zeros", "transpose"):
            for gradient in ("autograd", "closed-form"):
                grid.append((f"init-{init}-{dtype}-{gradient}", "tall",
                             ["--init", init, "--dtype", dtype, "--gradient", gradient,
                              *SHORT]))
        grid.append((f"random-{dtype}-seed7", "square", ["--dtype", dtype, "--seed", "7",
                                                         *SHORT]))
    grid += [
        ("float64-closed-form-adam", "wide", ["--dtype", "float64", "--gradient", "closed-form",
                                              "--optimizer", "adam", "--lr", "0.01", *SHORT]),
        ("schedule-gd", "square", ["--optimizer", "gd", "--lr", "0.3", "--schedule", "exp:0.97",
                                   *SHORT]),
        ("schedule-adam", "square", ["--optimizer", "adam", "--lr", "0.05",
                                     "--schedule", "exp:0.99", *SHORT]),
        ("schedule-closed-form", "square", ["--gradient", "closed-form",
                                            "--schedule", "exp:0.995", *SHORT]),
        ("schedule-deflation", "svd-small", ["--problem", "svd", "--svd-method", "deflation",
                                             "--schedule", "exp:0.9999", "--steps", "20000"]),
        ("schedule-penalty", "tall", ["--problem", "svd", "--schedule", "exp:0.99", *SHORT]),
        ("weight-decay-adam", "square", ["--optimizer", "adam", "--lr", "0.01",
                                         "--weight-decay", "0.001", *SHORT]),
        ("weight-decay-rmsprop", "tall", ["--optimizer", "rmsprop", "--lr", "0.01",
                                          "--weight-decay", "0.01", *SHORT]),
        ("weight-decay-adam-svd", "tall", ["--problem", "svd", "--optimizer", "adam", "--lr",
                                           "0.01", "--weight-decay", "1e-5", *SHORT]),
        ("rmsprop-no-momentum", "square", ["--optimizer", "rmsprop", "--lr", "0.01",
                                           "--momentum", "0", *SHORT]),
        ("momentum-zero", "square", ["--momentum", "0", *SHORT]),
        # Stops at the tolerance, with the default and with no step limit.
        ("tol-tutorial-random", "preset:tutorial-random", []),
        ("tol-unlimited", "preset:tutorial-diagonal", ["--steps", "0", "--tol", "1e-9"]),
        ("tol-closed-form", "preset:tutorial-diagonal", ["--gradient", "closed-form",
                                                         "--tol", "1e-6"]),
        ("tol-float64", "square", ["--dtype", "float64", "--tol", "1e-20", "--steps", "0"]),
        ("tol-adam", "square", ["--optimizer", "adam", "--lr", "0.05", "--tol", "1e-4"]),
        ("tol-svd", "tall", ["--problem", "svd", "--tol", "1e-6", "--steps", "5000"]),
        ("run-b", "preset:tutorial-diagonal", ["--optimizer", "gd", "--lr",
                                               "0.4605170185988092", "--steps", "100",
                                               "--tol", "0"]),
        ("auto", "preset:tutorial-random", ["--auto"]),
        # Divergences: the runaway rule and an overflow to infinity.
        ("diverge-gd", "preset:tutorial-diagonal", ["--optimizer", "gd", "--lr", "10"]),
        ("diverge-closed-form", "square", ["--gradient", "closed-form", "--lr", "50"]),
        ("diverge-svd", "tall", ["--problem", "svd", "--lr", "40", "--steps", "500"]),
        ("diverge-float64", "square", ["--dtype", "float64", "--optimizer", "nesterov",
                                       "--lr", "30"]),
        # Rank-deficient: the run converges at the loss floor (solver/floor.py).
        ("floor-singular", "preset:singular-3", ["--lr", "0.03", "--steps", "20000"]),
        ("floor-singular-both", "preset:singular-3", ["--side", "both", "--lr", "0.03",
                                                      "--tol", "1e-9", "--steps", "20000"]),
        ("floor-closed-form-float64", "preset:singular-3", ["--gradient", "closed-form",
                                                            "--dtype", "float64", "--lr",
                                                            "0.02", "--steps", "20000"]),
        ("floor-pinv-tall", "rank-deficient-tall", ["--lr", "0.2", "--steps", "20000"]),
        ("singular-diverges", "preset:singular-3", ["--lr", "0.9", "--steps", "3000"]),
        ("tiny-singular-both", "tiny-singular", ["--dtype", "float64", "--side", "both",
                                                 "--steps", "50"]),
        ("huge-diverges", "huge", ["--dtype", "float64", "--optimizer", "gd"]),
        ("signed-small", "signed-small", ["--optimizer", "adam", "--lr", "1", *SHORT]),
        ("big-autograd", "big", ["--steps", "60", "--lr", "0.01"]),
        ("big-closed-form", "big", ["--gradient", "closed-form", "--steps", "60",
                                    "--lr", "0.01"]),
        ("big-svd-deflation", "big-tall", ["--problem", "svd", "--svd-method", "deflation",
                                           "--steps", "400"]),
    ]
    return grid


GRID = _grid()
# `solve` on diag(1, 2, 3)·1e120 in float64 prints NumPy's "overflow encountered in matmul"
# (Run.null_space_norm on the diverged X, solver/run.py); pytest's settings would make that
# warning an error inside solve, which then writes no script. Reported; not this test's point.
WARNS = {"huge-diverges"}
IDS = [name for name, _, _ in GRID]
assert len(set(IDS)) == len(IDS)

DRIVER = """\
import contextlib, io, json, os, runpy, sys, traceback
failures = {}
for name in json.loads(sys.argv[1]):
    sys.argv = [name + ".py", name + ".csv"]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            runpy.run_path(name + ".py", run_name="__main__")
    except BaseException:
        failures[name] = traceback.format_exc()
print(json.dumps(failures))
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every grid run through `solve --history --script`, then every script run; the folder."""
    folder = tmp_path_factory.mktemp("contract")
    files = {}
    for name, matrix in _matrices().items():
        files[name] = str(folder / f"{name}.npy")
        np.save(files[name], matrix)
    codes = {}
    for name, matrix, args in GRID:
        source = matrix if matrix.startswith("preset:") else files[matrix]
        with warnings.catch_warnings():
            if name in WARNS:
                warnings.simplefilter("ignore", RuntimeWarning)
            codes[name] = cli.main([source, *args, "--history", str(folder / f"{name}.solve.csv"),
                                    "--script", str(folder / f"{name}.py")])
    done = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(IDS)], cwd=folder,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    failures = json.loads(done.stdout.splitlines()[-1])
    return folder, codes, failures


@pytest.mark.parametrize("name", IDS)
def test_script_writes_the_same_history_as_solve(exported, name):
    folder, codes, failures = exported
    assert codes[name] in (cli.EXIT_OK, cli.EXIT_RUN_FAILED)
    assert name not in failures, failures.get(name)
    expected = (folder / f"{name}.solve.csv").read_bytes()
    assert (folder / f"{name}.csv").read_bytes() == expected


def test_the_grid_covers_every_setting(exported):
    """Each value of every setting occurs in the grid, and the grid's runs end each way."""
    folder, codes, _ = exported
    text = " ".join(" ".join(args) for _, _, args in GRID)
    for option, values in {"--optimizer": OPTIMIZERS, "--side": ("right", "both"),
                           "--svd-method": ("deflation",), "--dtype": ("float64",),
                           "--init": ("zeros", "transpose"), "--gradient": ("closed-form",),
                           "--schedule": ("exp:",), "--weight-decay": ("",)}.items():
        for value in values:
            assert f"{option} {value}" in text, (option, value)
    assert cli.EXIT_RUN_FAILED in codes.values()  # some runs diverge
    lengths = {name: len((folder / f"{name}.solve.csv").read_text().splitlines())
               for name in IDS}
    # Header, rows 0..N-1 (the loss before each update), row N (the estimate returned).
    assert lengths["tol-tutorial-random"] == 786  # converged at 784, the README's count
    assert lengths["run-b"] == 102
    floors = [name for name in IDS if name.startswith("floor-")]
    for name in floors:
        last = float((folder / f"{name}.csv").read_text().splitlines()[-1].split(",")[1])
        assert abs(last - 1 / 9) < 1e-6, name
    # Big matrices went beside their scripts, not into them.
    assert (folder / "big-autograd_matrix.npy").is_file()
    assert "load_npy(" in (folder / "big-autograd.py").read_text()
    assert not (folder / "run-b_matrix.npy").exists()


def test_autograd_scripts_need_only_torch_and_the_standard_library(exported, tmp_path):
    """With NumPy made unimportable, a script (here one reading its matrix from .npy and one
    SVD) still runs and writes the same history."""
    folder, _, _ = exported
    for name in ("big-autograd", "momentum-svd-deflation"):
        code = ("import sys, runpy; sys.modules['numpy'] = None; "
                f"sys.argv = ['{name}.py', '{tmp_path / name}.csv']; "
                f"runpy.run_path('{name}.py', run_name='__main__')")
        done = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "import numpy" not in (folder / f"{name}.py").read_text()
        expected = (folder / f"{name}.solve.csv").read_bytes()
        assert Path(f"{tmp_path / name}.csv").read_bytes() == expected


def test_exported_programs_are_clean_python(exported):
    """pyflakes, pycodestyle and bugbear find nothing in any of them (I for the identity is
    the tutorial's name; long lines are allowed)."""
    folder, _, _ = exported
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated",
                           "--select", "E,F,W,B", "--ignore", "E501,E741", "."], cwd=folder,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout
