"""`python main.py solve`: the tutorial's numbers, outputs, and one clean line for bad input."""

import json
import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_process import MAIN, main_process

from solver import cli
from solver.matrix_io import load_matrix

DIAG = "preset:tutorial-diagonal"
RUN_B = ["--optimizer", "gd", "--lr", "0.4605170185988092", "--steps", "100", "--tol", "0"]


def solve(*args, cwd):
    """Run `main.py solve ARGS` as a teacher would, from another folder, in a process."""
    return main_process("solve", *args, cwd=cwd)


def test_tutorial_run_b_reproduces_the_notebook(tmp_path):
    done = solve(DIAG, *RUN_B, "--history", "h.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "h.csv").read_text().splitlines()
    # Rows 0..99: the loss before each update; row 100: the estimate the run returns.
    assert lines[0] == "iteration,loss" and len(lines) == 102
    rows = [line.split(",") for line in lines[1:]]
    assert [int(r[0]) for r in rows] == list(range(101))
    losses = {int(i): float(loss) for i, loss in rows}
    # The notebook's printout, to the digits it printed.
    assert [f"{losses[i]:.4f}" for i in (0, 20, 40)] == ["1.6650", "0.0054", "0.0005"]
    assert [f"{losses[i]:.4e}" for i in (60, 80)] == ["4.7337e-05", "4.4184e-06"]
    # Full precision: the float32 loss survives as text exactly.
    assert all(float(np.float32(v)) == v for v in losses.values())
    table = done.stdout.splitlines()
    assert any(line.split() == ["20", "5.4389e-03"] for line in table), done.stdout


def test_json_is_the_only_line_on_stdout(tmp_path, main_here):
    done = main_here("solve", DIAG, *RUN_B, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1
    result = json.loads(done.stdout)
    for key in ("problem", "steps", "final_loss", "converged", "diverged", "reason", "lr",
                "momentum", "elapsed_s", "steps_per_s", "distance_to_reference"):
        assert key in result, key
    assert result["problem"] == "inverse" and result["steps"] == 100
    assert result["lr"] == 0.4605170185988092
    assert not result["converged"] and not result["diverged"] and result["reason"]
    assert 0 < result["final_loss"] < 4.4184e-06 and result["elapsed_s"] > 0
    assert "5.4389e-03" in done.stderr  # the progress table moved to stderr


def test_out_round_trip(tmp_path, main_here):
    done = main_here("solve", DIAG, "--out", "inv.npy", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["converged"]
    inverse = load_matrix(tmp_path / "inv.npy")
    assert inverse.dtype == np.float32
    assert np.allclose(inverse @ np.diag([1.0, 2, 3, 4]), np.eye(4), atol=1e-5)
    assert main_here("solve", DIAG, "--out", "inv.csv", cwd=tmp_path).returncode == 0
    assert load_matrix(tmp_path / "inv.csv").astype(np.float32).tobytes() == inverse.tobytes()
    # The result is itself a valid MATRIX: inverting it again gives diag(1, 2, 3, 4) back.
    again = main_here("solve", "inv.csv", "--dtype", "float64", "--out", "back.tsv", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert np.allclose(load_matrix(tmp_path / "back.tsv"), np.diag([1.0, 2, 3, 4]), atol=1e-4)


def test_svd_out_npz(tmp_path, main_here):
    done = main_here("solve", "preset:svd-tutorial", "--problem", "svd", "--steps", "20000",
                     "--json", "--out", "svd.npz", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    torch.manual_seed(314)
    m = torch.rand(5, 4).double().numpy()
    with np.load(tmp_path / "svd.npz", allow_pickle=False) as data:
        u, s, v = data["U"], data["S"], data["V"]
    assert u.shape == (5, 4) and s.shape == (4,) and v.shape == (4, 4)
    assert np.allclose(s, np.linalg.svd(m, compute_uv=False), atol=1e-3)
    assert np.allclose(result["singular_values"], s)
    assert np.allclose(u @ np.diag(s) @ v.T, m, atol=1e-3)


def test_auto_tuning_converges_faster(tmp_path, main_here):
    default = json.loads(main_here("solve", "preset:tutorial-random", "--json",
                                   cwd=tmp_path).stdout)
    tuned = json.loads(main_here("solve", "preset:tutorial-random", "--auto", "--json",
                                 cwd=tmp_path).stdout)
    assert tuned["converged"] and tuned["steps"] < default["steps"]
    assert (tuned["lr"], tuned["momentum"]) != (0.9, 0.9)


def test_divergence_exits_1_with_a_reason(tmp_path, main_here):
    done = main_here("solve", "preset:tutorial-random", "--lr", "50", "--json", "--out", "x.csv",
                 cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    result = json.loads(done.stdout)
    assert result["diverged"] and "learning rate 50" in result["reason"]
    assert not (tmp_path / "x.csv").exists()


def test_help(tmp_path):
    done = solve("--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "usage: main.py solve" in done.stdout and "--svd-method" in done.stdout


# --- bad input: exit status 2 and exactly one line "error: ..." ----------------------------

def _make_bad_files(folder: Path) -> None:
    (folder / "ragged.csv").write_text("1,2,3\n4,5\n")
    (folder / "text.csv").write_text("1,2\nabc,4\n")
    (folder / "nan.csv").write_text("1,nan\n3,4\n")
    (folder / "inf.txt").write_text("1 inf\n")
    (folder / "empty.csv").write_text("")
    (folder / "junk.csv").write_bytes(bytes(range(256)))
    (folder / "x.bin").write_text("1,2\n")
    (folder / "dir.csv").mkdir()
    np.save(folder / "cube.npy", np.zeros((2, 2, 2)))
    np.save(folder / "scalar.npy", np.float64(1))
    np.save(folder / "object.npy", np.array([[None]]), allow_pickle=True)
    np.save(folder / "complex.npy", np.eye(2) * 1j)
    with open(folder / "huge.npy", "wb") as fh:
        np.lib.format.write_array_header_1_0(
            fh, {"descr": "<f8", "fortran_order": False, "shape": (5000, 5000)})
    (folder / "beyond-float32.csv").write_text("1e300,2\n3,4\n")
    (folder / "beyond-curvature.csv").write_text("1e200,2\n3,4\n")
    os.mkfifo(folder / "pipe.csv")
    (folder / "zero.npy").symlink_to("/dev/zero")
    (folder / "null.csv").symlink_to("/dev/null")
    (folder / "loop-a.csv").symlink_to("loop-b.csv")
    (folder / "loop-b.csv").symlink_to("loop-a.csv")


SVD = ["preset:svd-tutorial", "--problem", "svd"]
BAD_INPUT = {
    "no-matrix": ([], "MATRIX"),
    "missing-file": (["missing.csv"], "missing.csv: no such file"),
    "ragged": (["ragged.csv"], "ragged.csv: row 2 has 2 values, expected 3"),
    "not-a-number": (["text.csv"], "text.csv: not a number at row 2, column 1: 'abc'"),
    "nan": (["nan.csv"], "nan.csv: contains NaN or infinite values"),
    "inf": (["inf.txt"], "inf.txt: contains NaN or infinite values"),
    "empty": (["empty.csv"], "empty.csv: file is empty"),
    "binary-junk": (["junk.csv"], "junk.csv: not a text matrix file"),
    "wrong-extension": (["x.bin"], "x.bin: unsupported file type '.bin'"),
    "folder": (["dir.csv"], "dir.csv: is a folder"),
    "3-d": (["cube.npy"], "cube.npy: 3-D array, expected a 2-D matrix"),
    "0-d": (["scalar.npy"], "scalar.npy: 0-D array"),
    "object": (["object.npy"], "object.npy: object arrays are not supported"),
    "complex": (["complex.npy"], "complex.npy: complex numbers are not supported"),
    "too-large": (["huge.npy"], "huge.npy: 5000 x 5000 is larger than the 4096 x 4096 limit"),
    "unknown-preset": (["preset:nope"], "preset:nope: unknown preset (choose from"),
    "inverse-of-non-square": (["preset:indicator", "--problem", "inverse"],
                              "--problem inverse: preset:indicator is 17 x 3"),
    "negative-lr": ([DIAG, "--lr", "-1"], "--lr: must be a number from 1e-12 to 1e+06, "
                                          "got '-1'"),
    "text-lr": ([DIAG, "--lr", "abc"], "--lr: must be a number from 1e-12 to 1e+06, got 'abc'"),
    "infinite-lr": ([DIAG, "--lr=inf"], "--lr: must be a number from"),
    "huge-lr": ([DIAG, "--lr", "1e308"], "--lr: must be a number from 1e-12 to 1e+06, "
                                         "got '1e308'"),
    "tiny-lr": ([DIAG, "--lr", "1e-13"], "--lr: must be a number from 1e-12"),
    "huge-seed": ([DIAG, "--seed", "18446744073709551616"],
                  "--seed: must be a whole number from 0 to 2147483647, "
                  "got '18446744073709551616'"),
    "float-seed": ([DIAG, "--seed", "1e30"], "--seed: must be a whole number from 0 to"),
    "huge-steps": ([DIAG, "--steps", "2147483648"], "--steps: must be a whole number from 0"),
    "huge-tol": ([DIAG, "--tol", "1e308"], "--tol: must be a number from 0 to 1e+06"),
    "huge-weight-decay": ([DIAG, "--optimizer", "adam", "--weight-decay", "1e308"],
                          "--weight-decay: must be a number from 0 to 1000"),
    "nan-gamma": ([DIAG, "--schedule", "exp:nan"], "--schedule: expected 'constant' or"),
    "zero-gamma": ([DIAG, "--schedule", "exp:0"], "--schedule: expected 'constant' or"),
    "beyond-float32": (["beyond-float32.csv"], "--dtype: M's entries (up to 1e+300) overflow "
                                               "float32"),
    "beyond-float32-auto": (["beyond-float32.csv", "--auto"],
                            "--dtype: M's entries (up to 1e+300) overflow float32"),
    "auto-curvature-overflow": (["beyond-curvature.csv", "--dtype", "float64", "--auto"],
                                "--auto: no auto-tuned settings for this matrix. The largest "
                                "curvature 2σ²/N, about 5e+399, overflows float64"),
    "matrix-fifo": (["pipe.csv"], "pipe.csv: is a FIFO (named pipe), not a regular file"),
    "matrix-device": (["zero.npy"], "zero.npy: is a device, not a regular file"),
    "matrix-link-loop": (["loop-a.csv"], "loop-a.csv: cannot read (symbolic link loop)"),
    "out-fifo": ([DIAG, "--out", "pipe.csv"], "--out: pipe.csv: cannot save: is a FIFO"),
    "out-device": ([DIAG, "--out", "null.csv"], "--out: null.csv: cannot save: is a device"),
    "history-link-loop": ([DIAG, "--history", "loop-a.csv"],
                          "--history: loop-a.csv: cannot save (symbolic link loop)"),
    "lr-without-value": ([DIAG, "--lr"], "--lr: expected one argument"),
    "momentum-1": ([DIAG, "--momentum", "1"], "--momentum: must be in [0, 1)"),
    "fractional-steps": ([DIAG, "--steps", "1.5"], "--steps: must be a whole number"),
    "negative-steps": ([DIAG, "--steps=-1"], "--steps: must be a whole number"),
    "text-seed": ([DIAG, "--seed", "x"], "--seed: must be a whole number"),
    "negative-tol": ([DIAG, "--tol=-1"], "--tol: must be a number from 0 to 1e+06"),
    "nan-tol": ([DIAG, "--tol", "nan"], "--tol: must be a number from 0"),
    "negative-weight-decay": ([DIAG, "--weight-decay=-1"], "--weight-decay: must be a number "
                                                          "from 0"),
    "unknown-option": ([DIAG, "--frobnicate"], "unrecognized arguments: --frobnicate"),
    "extra-argument": ([DIAG, "extra"], "unrecognized arguments: extra"),
    "unknown-problem": ([DIAG, "--problem", "qr"], "--problem: invalid choice: 'qr'"),
    "unknown-optimizer": ([DIAG, "--optimizer", "sgd"], "--optimizer: invalid choice: 'sgd'"),
    "unknown-init": ([DIAG, "--init", "ones"], "--init: invalid choice"),
    "unknown-dtype": ([DIAG, "--dtype", "float16"], "--dtype: invalid choice"),
    "unknown-side": ([DIAG, "--side", "top"], "--side: invalid choice"),
    "bad-schedule": ([DIAG, "--schedule", "linear"], "--schedule: expected 'constant' or"),
    "schedule-gamma": ([DIAG, "--schedule", "exp:2"], "--schedule: expected 'constant' or"),
    "cuda": ([DIAG, "--device", "cuda"], "--device: cuda is not available"),
    "closed-form-svd": ([*SVD, "--gradient", "closed-form"], "--gradient: closed-form"),
    "auto-svd": ([*SVD, "--auto"], "--auto: no auto-tuned settings for an SVD"),
    "auto-adam": ([DIAG, "--auto", "--optimizer", "adam"], "--auto: no auto-tuned settings"),
    "auto-and-lr": ([DIAG, "--auto", "--lr", "0.1"], "--lr: cannot be combined with --auto"),
    "zeros-svd": ([*SVD, "--init", "zeros"], "--init: zeros is a saddle point"),
    "side-both-pinv": (["preset:indicator", "--side", "both"], "--side: 'both'"),
    "side-svd": ([*SVD, "--side", "right"], "--side: applies to an inverse"),
    "svd-method-inverse": ([DIAG, "--svd-method", "deflation"], "--svd-method: applies to"),
    "out-extension": ([DIAG, "--out", "x.bin"], "--out: x.bin: cannot write '.bin'"),
    "svd-out-csv": ([*SVD, "--out", "x.csv"], "--out: x.csv: cannot write '.csv': an SVD"),
    "out-folder": ([DIAG, "--out", "nowhere/x.csv"], "--out: nowhere/x.csv: folder"),
    "history-folder": ([DIAG, "--history", "nowhere/h.csv"], "--history: nowhere/h.csv"),
    "history-is-a-folder": ([DIAG, "--history", "dir.csv"], "--history: dir.csv: is a folder"),
}


# Each process imports torch (2-8 s), and every case in BAD_INPUT runs in-process below, so
# only these also go through main.py in a process of their own: argparse's exit, an option
# value, --auto's message, a FIFO and devices as the matrix or as --out.
IN_A_PROCESS = ["no-matrix", "huge-seed", "beyond-float32-auto", "matrix-fifo",
                "matrix-device", "out-device"]


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    _make_bad_files(folder)
    return folder


@pytest.fixture(scope="module")
def bad_runs(bad_folder):
    """The IN_A_PROCESS cases, run as separate processes in parallel."""
    workers = max(2, os.cpu_count() or 2)
    with ThreadPoolExecutor(workers) as pool:
        futures = {name: pool.submit(solve, *BAD_INPUT[name][0], cwd=bad_folder)
                   for name in IN_A_PROCESS}
        return {name: future.result() for name, future in futures.items()}


def _check_one_error_line(case, returncode, stdout, stderr):
    if case == "cuda" and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert returncode == 2, (stdout, stderr)
    assert "Traceback" not in stderr and stdout == ""
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    assert stderr.startswith("error: ")
    assert BAD_INPUT[case][1] in stderr, stderr


@pytest.mark.parametrize("case", IN_A_PROCESS)
def test_bad_input_process_exits_2_with_one_error_line(bad_runs, case):
    done = bad_runs[case]
    _check_one_error_line(case, done.returncode, done.stdout, done.stderr)


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_gives_one_error_line_and_status_2(bad_folder, monkeypatch, capsys, case):
    monkeypatch.chdir(bad_folder)
    status = cli.main([str(arg) for arg in BAD_INPUT[case][0]])
    captured = capsys.readouterr()
    _check_one_error_line(case, status, captured.out, captured.err)


# --- signals and stderr (issue 13) ---------------------------------------------------------

def test_sigterm_ends_a_run_like_ctrl_c(tmp_path):
    """SIGTERM (a desktop's logout, `kill`, a CI timeout) ends the run with one line."""
    process = subprocess.Popen(
        [sys.executable, str(MAIN), "solve", "preset:tutorial-random", "--steps", "0",
         "--tol", "0", "--history", "h.csv"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert "iteration" in process.stdout.readline() + process.stdout.readline()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == cli.EXIT_TERMINATED == 143
    assert re.fullmatch(r"terminated at iteration \d+\n", stderr), stderr
    assert list(tmp_path.iterdir()) == []  # the history is only written after the run


def test_sigterm_during_a_save_leaves_no_temporary_file(tmp_path):
    script = (
        "import os, signal, sys\n"
        "import numpy as np\n"
        "from solver import cli\n"
        "real = np.savetxt\n"
        "def interrupted(fh, *args, **kwargs):\n"
        "    fh.write(b'0,1\\n' * 1000); fh.flush()\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    real(fh, *args, **kwargs)\n"
        "np.savetxt = interrupted\n"
        "sys.exit(cli.main(['preset:tutorial-diagonal', '--steps', '5', '--history', "
        "sys.argv[1]]))\n"
    )
    target = tmp_path / "h.csv"
    target.write_text("old\n")
    done = subprocess.run([sys.executable, "-c", script, str(target)], cwd=MAIN.parent,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 143, done.stderr
    assert done.stderr == "terminated at iteration 5\n"
    assert [p.name for p in tmp_path.iterdir()] == ["h.csv"] and target.read_text() == "old\n"


DIVERGING = {
    "inverse": ["preset:tutorial-random", "--lr", "1e6"],
    "pinv-right": ["preset:indicator", "--lr", "1e6"],
    "closed-form-float64": ["preset:hilbert-6", "--lr", "1e6", "--gradient", "closed-form",
                            "--dtype", "float64"],
    "svd-penalty": [*SVD, "--lr", "1e6"],
    "svd-deflation": [*SVD, "--svd-method", "deflation", "--lr", "1e6"],
    "svd-adam-float64": [*SVD, "--optimizer", "adam", "--lr", "1e5", "--dtype", "float64"],
    "entries-beyond-float64-squares": ["beyond-float32.csv", "--dtype", "float64"],
}


@pytest.mark.parametrize("case", list(DIVERGING))
def test_a_diverged_run_prints_no_warnings(bad_folder, main_here, case):
    """stderr holds the one line the CLI promises: no NumPy RuntimeWarning, no LAPACK
    (oneMKL "DLASCL") complaint about NaN."""
    done = main_here("solve", *DIVERGING[case], "--out", f"{case}.npz", cwd=bad_folder)
    assert done.returncode == 1, done.stderr
    assert done.stderr == f"note: {case}.npz not written: the run diverged\n", done.stderr
    assert "diverged at iteration" in done.stdout


def test_a_matrix_too_large_for_its_precision_is_named_as_such(bad_folder, main_here):
    reason = main_here("solve", *DIVERGING["entries-beyond-float64-squares"],
                       cwd=bad_folder).stdout
    assert "diverged at iteration 0: the loss became infinite or NaN: the squares of X·M − I " \
           "(up to 7.2e+299² = 5.2e+599) overflow float64" in reason


@pytest.mark.parametrize("command", [
    # Both keep printing progress for seconds after their first line, so the reader is
    # gone before the next one.
    ["solve", DIAG, "--optimizer", "gd", "--lr", "0.01", "--tol", "0", "--steps", "200000"],
    ["sweep", "preset:tutorial-random", "--lr", "0.1:5:40", "--momentum", "0:0.9:40",
     "--tol", "0", "--steps", "20000"],
])
def test_a_reader_that_leaves_early_ends_the_command_quietly(tmp_path, command):
    """`main.py solve ... | head -1`: no "solver failed" and no traceback on stderr."""
    child = subprocess.Popen([sys.executable, str(MAIN), *map(str, command)], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    child.stdout.readline()
    child.stdout.close()  # as `head -1` does after its line
    err = child.stderr.read()
    child.stderr.close()
    assert child.wait(timeout=300) == cli.EXIT_BROKEN_PIPE
    assert err == ""


def test_a_preset_starts_from_the_example_s_own_settings(tmp_path, main_here):
    """singular-3 comes with lr 0.05 (the tutorial's 0.9 diverges on it), as in the window:
    with no options it reaches its loss floor, measured against the pseudo-inverse."""
    done = main_here("solve", "preset:singular-3", "--json", "--out", "x.npy", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "optimizer momentum, lr 0.05, momentum 0.9," in done.stderr.splitlines()[0]
    report = json.loads(done.stdout)
    assert report["lr"] == 0.05 and report["state"] == "converged"
    assert report["final_loss"] == pytest.approx(1 / 9, rel=1e-5)
    # The distance is to pinv(M), the run's reference (inv(M) does not exist), and says so.
    assert report["reference"] == "torch.linalg.pinv"
    pinv = torch.linalg.pinv(torch.tensor(cli.resolve_matrix("preset:singular-3")))
    x = torch.tensor(np.load(tmp_path / "x.npy"), dtype=torch.float64)
    assert report["distance_to_reference"] == pytest.approx(float(torch.dist(x, pinv)))
    last = done.stderr.splitlines()[-1]
    assert last.endswith(f"distance to torch.linalg.pinv's answer "
                         f"{report['distance_to_reference']:.4g}"), last
    # Options given override the example's: its lr 0.9 diverges.
    done = main_here("solve", "preset:singular-3", "--lr", "0.9", "--json", cwd=tmp_path)
    assert done.returncode == 1 and json.loads(done.stdout)["state"] == "diverged"


@pytest.mark.parametrize("command", ["solve", "sweep", "record"])
def test_every_command_takes_a_preset_s_settings(command):
    from gui.presentation import record_cli
    from solver import sweep_cli

    parse = {"solve": cli._parser, "sweep": sweep_cli._parser,
             "record": record_cli.parser}[command]
    extra = {"solve": [], "sweep": ["--lr", "0.01:0.05:3"], "record": ["--out", "x.gif"]}
    args = parse().parse_args(["preset:singular-3", *extra[command]])
    _, settings = cli.run_inputs(args) if command != "sweep" else \
        sweep_cli._prepare(args)[:2]
    assert (settings.problem, settings.optimizer, settings.momentum) == \
        ("inverse", "momentum", 0.9)
    if command != "sweep":  # a sweep's lr is its axis
        assert settings.lr == 0.05
    args = parse().parse_args(["preset:svd-tutorial", *extra[command]])
    if command == "sweep":
        with pytest.raises(cli.CliError, match=r"^preset:svd-tutorial: runs as an SVD \(its "
                           r"own settings\): the sweep covers the inverse and the pseudo-inverse "
                           r"only: .*; add --problem pinv to map its pseudo-inverse \(and a "
                           r"--tol: its tol is 0\)$"):
            sweep_cli._prepare(args)
    else:
        _, settings = cli.run_inputs(args)
        assert (settings.problem, settings.max_steps, settings.tol) == ("svd", 20_000, 0.0)


@pytest.mark.parametrize(("matrix", "options", "reference"), [
    ("preset:tutorial-diagonal", [], "torch.linalg.inv's answer"),
    ("preset:indicator", [], "torch.linalg.pinv's answer"),
    ("preset:singular-3", ["--problem", "pinv"], "torch.linalg.pinv's answer"),
    ("preset:svd-seed315", ["--svd-method", "deflation"], "torch.linalg.svd's singular values"),
])
def test_the_last_line_names_the_answer_the_run_is_measured_against(matrix, options,
                                                                    reference, capsys):
    assert cli.main([matrix, *options, "--steps", "300"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert re.search(f"; distance to {re.escape(reference)} [0-9.e+-]+$", last), last
