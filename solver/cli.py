"""``python main.py solve MATRIX [options]``: one run, headless, for teachers' scripts.

A contract (issue 2): bad input of any kind prints one line ``error: ...`` naming the file or
option to stderr and exits with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np

from solver.codegen.export import write_notebook, write_script
from solver.codegen.notebook import RunFacts
from solver.matrix_io import (
    MatrixFileError,
    check_save_target,
    save_history,
    save_matrix,
    save_npz,
)
from solver.presets import PREFIX, PRESETS, preset_settings, resolve_matrix
from solver.reference import reference_inverse_name
from solver.run import Run, cast_matrix
from solver.session import SESSION_SUFFIX, load_lesson
from solver.settings import (
    DEVICES,
    DTYPES,
    GRADIENTS,
    INITS,
    OPTIMIZERS,
    RANGES,
    SIDES,
    SVD_METHODS,
    Settings,
    SettingsError,
    default_lr,
)
from solver.svd_verdict import SvdWatch
from solver.theory import analyse

EXIT_OK, EXIT_RUN_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143, as a shell reports a process ended by SIGTERM
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports `solve ... | head` (not on Windows)
# An SVD run is sampled for its verdict every this many steps.
SVD_SAMPLE_STEPS = 100
# Settings field -> argparse destination of the option that sets it.
SETTING_OPTIONS = {"side": "side", "svd_method": "svd_method", "optimizer": "optimizer",
                   "lr": "lr", "momentum": "momentum", "schedule": "schedule",
                   "weight_decay": "weight_decay", "init": "init", "seed": "seed",
                   "dtype": "dtype", "gradient": "gradient", "device": "device",
                   "max_steps": "steps", "tol": "tol"}
MATRIX_OUT = (".csv", ".tsv", ".txt", ".npy", ".npz")
# Settings field -> the option that sets it, so SettingsError messages name the option.
OPTION_OF = {"problem": "--problem", "side": "--side", "svd_method": "--svd-method",
             "optimizer": "--optimizer", "lr": "--lr", "momentum": "--momentum",
             "schedule": "--schedule", "weight_decay": "--weight-decay", "init": "--init",
             "seed": "--seed", "dtype": "--dtype", "gradient": "--gradient",
             "device": "--device", "max_steps": "--steps", "tol": "--tol"}

EPILOG = f"""\
MATRIX is a .csv, .tsv, .txt, .npy or .npz file, a lesson file (.mdlesson: its matrix
and settings, options given override them), or preset:NAME with NAME one of
{", ".join(PRESETS)}.
A preset starts from the settings the window's Examples give it, options given override
them: singular-3 runs with lr 0.05 (the tutorial's 0.9 diverges on it), the svd-* examples
as an SVD by the penalty method for 20000 steps with tol 0 (part 3's runs).
The last line names the answer the run is measured against: torch.linalg.inv's, or
torch.linalg.pinv's for a pseudo-inverse or a singular M (its best X), or torch.linalg.svd's
singular values.
Exit status: 0 the run converged or used all its steps, 1 it diverged, 2 bad input
(one line "error: ..." on stderr), 130 interrupted (Ctrl+C), 143 terminated (SIGTERM).
Example (the tutorial's notebook run): main.py solve preset:tutorial-diagonal --optimizer gd
  --lr 0.4605170185988092 --steps 100 --tol 0 --history losses.csv"""


class CliError(Exception):
    """Bad command-line input; the message is one line naming the option or file."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and call sys.exit(2)
        message = message.removeprefix("argument ")
        raise CliError(message)


def _number(check, requirement: str):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and check(value)):
            raise argparse.ArgumentTypeError(f"must be {requirement}, got {_shown(text)}")
        return value
    return parse


def _in_range(field: str):
    """A number within RANGES[field] (what the window's controls accept too)."""
    low, high = RANGES[field]
    return _number(lambda v: low <= v <= high, f"a number from {low:g} to {high:g}")


def _whole(field: str):
    """A whole number within RANGES[field]: digits only, so 1e30 or 2.0 are refused."""
    low, high = RANGES[field]

    def parse(text: str) -> int:
        digits = text.strip()
        if not (digits.isdigit() and len(digits) <= 20 and low <= int(digits) <= high):
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, "
                                             f"got {_shown(text)}")
        return int(digits)
    return parse


def _shown(text: str) -> str:
    """The text as typed, for a message (cut if it is very long)."""
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def run_parser(prog: str = "main.py solve", epilog: str = EPILOG,
               description: str = "Compute an inverse, pseudo-inverse or SVD by gradient "
                                  "descent.") -> argparse.ArgumentParser:
    """A parser with MATRIX and every option that sets up the run (not the outputs), for
    `solve` and the commands that run a matrix as it does (`record`). Its errors raise
    CliError (one line naming the option) instead of exiting."""
    p = _Parser(prog=prog, allow_abbrev=False, epilog=epilog,
                formatter_class=argparse.RawDescriptionHelpFormatter, description=description)
    p.add_argument("matrix", metavar="MATRIX", help="matrix file, preset:NAME (the "
                   "example's matrix and settings) or a lesson file "
                   f"(*{SESSION_SUFFIX}: its matrix and settings); options given override "
                   "the settings")
    p.add_argument("--problem", choices=("inverse", "pinv", "svd"),
                   help="default: inverse for a square matrix, pinv otherwise")
    p.add_argument("--side", choices=SIDES, help="residual X@M (left, default), M@X (right) "
                   "or their mean (both)")
    p.add_argument("--svd-method", choices=SVD_METHODS,
                   help="penalty (the tutorial's, default) or deflation")
    p.add_argument("--optimizer", choices=OPTIMIZERS,
                   help="default: momentum (the tutorial's heavy ball)")
    p.add_argument("--lr", type=_in_range("lr"),
                   help="learning rate (default 0.9; 1e-3 for adam and rmsprop, torch's default)")
    p.add_argument("--momentum", type=_number(lambda v: 0 <= v < 1, "in [0, 1)"),
                   help="momentum, beta1 for adam (default 0.9)")
    p.add_argument("--weight-decay", type=_in_range("weight_decay"),
                   help="for adam and rmsprop (the tutorial's adam uses 1e-5); default 0")
    p.add_argument("--auto", action="store_true",
                   help="use the learning rate (and momentum) that theory says is optimal")
    p.add_argument("--schedule", help="constant (default) or exp:GAMMA")
    p.add_argument("--steps", type=_whole("max_steps"),
                   help="at most N steps, 0 = no limit (default 10000)")
    p.add_argument("--tol", type=_in_range("tol"),
                   help="stop once the loss is below T, 0 = never (default 1e-12)")
    p.add_argument("--init", choices=INITS,
                   help="initial guess (default random, the tutorial's seeded torch.rand)")
    p.add_argument("--seed", type=_whole("seed"), help="default 314")
    p.add_argument("--dtype", choices=DTYPES, help="default float32")
    p.add_argument("--gradient", choices=GRADIENTS, help="default autograd")
    p.add_argument("--device", choices=DEVICES, help="default cpu")
    return p


def _parser() -> argparse.ArgumentParser:
    p = run_parser()
    p.add_argument("--history", metavar="FILE.csv", help="write iteration,loss: the loss before "
                   "each step, then that of the estimate returned")
    p.add_argument("--out", metavar="FILE", help="write the result: .csv/.npy for an inverse, "
                   ".npz with U, S (singular values), V for an SVD")
    p.add_argument("--script", metavar="FILE.py", help="write the run as a standalone PyTorch "
                   "program: `python FILE.py losses.csv` writes the same history, bit for bit")
    p.add_argument("--notebook", metavar="FILE.ipynb", help="the same program as a Jupyter "
                   "notebook, each step explained with this run's numbers")
    p.add_argument("--json", action="store_true", help="print one JSON line with the outcome "
                   "(the progress table then goes to stderr)")
    return p


def main(argv: list[str]) -> int:
    """Run ``solve`` with arguments ``argv``; print results; return the exit status."""
    run = None
    previous = _on_sigterm(_terminate)
    try:
        args = _parser().parse_args(argv)
        run, matrix_name = _prepare(args)
        return _solve(run, args, matrix_name)
    except SystemExit as done:  # --help
        return done.code if isinstance(done.code, int) else EXIT_OK
    except (CliError, MatrixFileError) as err:
        return _fail(str(err))
    except SettingsError as err:
        return _fail(settings_message(str(err)))
    except KeyboardInterrupt as stop:
        # SIGINT (Ctrl+C) or SIGTERM: a save in progress has removed its temporary file.
        terminated = isinstance(stop, Terminated)
        where = f" at iteration {run.iteration}" if run is not None else ""
        print(f"{'terminated' if terminated else 'interrupted'}{where}", file=sys.stderr)
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    except BrokenPipeError:
        return reader_left()
    except Exception as err:  # noqa: BLE001 -- the contract: one line, never a traceback
        print(f"error: the solver failed: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_RUN_FAILED
    finally:
        _on_sigterm(previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwound like Ctrl+C, so that saves clean up after themselves."""


def _terminate(signum, frame) -> None:
    raise Terminated


def _on_sigterm(handler):
    """Install `handler` for SIGTERM (main thread only); returns the one it replaces."""
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)


def reader_left() -> int:
    """stdout's reader has gone (`solve ... | head`): stop quietly, as Unix tools do.
    stdout is pointed at os.devnull so that Python's flush at exit does not fail again
    (https://docs.python.org/3/library/signal.html#note-on-sigpipe)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


def _fail(message: str) -> int:
    print("error: " + " ".join(message.split("\n")), file=sys.stderr)
    return EXIT_BAD_INPUT


def settings_message(message: str) -> str:
    """A SettingsError's message with the field named as the option that sets it."""
    field, sep, rest = message.partition(": ")
    return f"{OPTION_OF[field]}: {rest}" if sep and field in OPTION_OF else message


def _prepare(args) -> tuple[Run, str]:
    """Load the matrix and build a validated Run, refusing bad combinations before running."""
    for option, path, suffix in (("--script", args.script, ".py"),
                                 ("--notebook", args.notebook, ".ipynb")):
        if path and Path(path).suffix.lower() != suffix:
            raise CliError(f"{option}: {path}: expected a {suffix} file")
    for option, path in (("--out", args.out), ("--history", args.history),
                         ("--script", args.script), ("--notebook", args.notebook)):
        if path and Path(path).is_dir():
            raise CliError(f"{option}: {path}: is a folder, not a file")
        if path and not Path(os.path.abspath(path)).parent.is_dir():
            raise CliError(f"{option}: {path}: folder {str(Path(path).parent)!r} does not exist")
        if path:
            try:  # a FIFO, a device, a link loop: refused before the run, not after it
                check_save_target(path)
            except MatrixFileError as err:
                raise CliError(f"{option}: {err}") from None
    matrix, settings = run_inputs(args)
    if args.out:
        problem = settings.problem
        suffix = Path(args.out).suffix.lower()
        allowed = (".npz",) if problem == "svd" else MATRIX_OUT
        if suffix not in allowed:
            what = "an SVD result is saved as .npz with U, S and V" if problem == "svd" else \
                "use .csv, .tsv, .txt, .npy or .npz"
            raise CliError(f"--out: {args.out}: cannot write '{suffix}': {what}")
    return Run(matrix, settings), args.matrix


def run_inputs(args) -> tuple[np.ndarray, Settings]:
    """The matrix and validated settings that `args` (parsed by run_parser) describe;
    CliError, MatrixFileError or SettingsError for a bad combination, before any run."""
    matrix, base = _load(args.matrix)
    rows, cols = matrix.shape
    problem = args.problem or (base.problem if base.problem != "auto" else
                               "inverse" if rows == cols else "pinv")
    if problem == "inverse" and rows != cols:
        raise CliError(f"--problem inverse: {args.matrix} is {rows} x {cols}; an inverse needs "
                       "a square matrix (try --problem pinv)")
    if args.side and problem == "svd":
        raise CliError("--side: applies to an inverse or pseudo-inverse, not an SVD")
    if args.svd_method and problem != "svd":
        raise CliError(f"--svd-method: applies to --problem svd only, not {problem}")
    settings = _settings(args, base, problem).validated(matrix.shape)
    cast_matrix(matrix, settings.dtype)  # SettingsError naming dtype if M does not fit it
    if args.auto:
        settings = _auto_tuned(matrix, settings, args)
    return matrix, settings


def _load(spec: str) -> tuple[np.ndarray, Settings]:
    """The matrix, and the settings options start from: a lesson's own, a preset's (as the
    window's Examples give them), else the defaults."""
    if spec.startswith(PREFIX):
        matrix = resolve_matrix(spec)  # an unknown name: MatrixFileError naming it
        return matrix, preset_settings(spec.removeprefix(PREFIX))
    if spec.lower().endswith(SESSION_SUFFIX):
        lesson = load_lesson(spec)
        return np.asarray(lesson.matrix), lesson.settings
    return resolve_matrix(spec), Settings()


def _settings(args, base: Settings, problem: str) -> Settings:
    """`base` with every option given on the command line in its place."""
    given = {field: getattr(args, dest) for field, dest in SETTING_OPTIONS.items()
             if getattr(args, dest) is not None}
    fields = {**base.to_dict(), **given, "problem": problem}
    if args.lr is None and fields["optimizer"] != base.optimizer:
        fields["lr"] = default_lr(fields["optimizer"])  # a lesson's lr was for its optimizer
    return Settings(**fields)


def _auto_tuned(matrix: np.ndarray, settings: Settings, args) -> Settings:
    """Settings with theory's optimal lr (and momentum, for momentum-type optimizers)."""
    if settings.problem == "svd":
        raise CliError("--auto: no auto-tuned settings for an SVD (its loss is not quadratic)")
    if settings.optimizer in ("adam", "rmsprop"):
        raise CliError(f"--auto: no auto-tuned settings for --optimizer {settings.optimizer}; "
                       "use gd, momentum or nesterov")
    if args.lr is not None:
        raise CliError("--lr: cannot be combined with --auto, which chooses the learning rate")
    if args.momentum is not None and settings.optimizer != "gd":
        raise CliError("--momentum: cannot be combined with --auto, which chooses the momentum")
    theory = analyse(matrix.astype(settings.dtype), settings)
    if theory.optimal_lr is None:
        why = theory.warning or theory.note  # e.g. the curvature overflows float64
        raise CliError(f"--auto: no auto-tuned settings for this matrix. {why}".strip())
    low, high = RANGES["lr"]
    if not low <= theory.optimal_lr <= high:
        raise CliError(f"--auto: theory's optimal learning rate for this matrix, "
                       f"{theory.optimal_lr:.3g}, is outside the accepted range {low:g} to "
                       f"{high:g} (scale the matrix)")
    tuned = {"lr": float(theory.optimal_lr)}
    if settings.optimizer != "gd" and theory.optimal_momentum is not None:
        tuned["momentum"] = float(theory.optimal_momentum)
    return Settings(**{**settings.to_dict(), **tuned}).validated(matrix.shape)


def _solve(run: Run, args, matrix_name: str) -> int:
    """Step the run to the end printing a short table, then write the requested outputs."""
    s = run.settings
    table = sys.stderr if args.json else sys.stdout
    rows, cols = run.matrix.shape
    momentum = "" if s.optimizer == "gd" else f", momentum {s.momentum:.6g}"
    print(f"{s.problem} of {matrix_name} ({rows} x {cols}): optimizer {s.optimizer}, lr {s.lr:.6g}"
          f"{momentum}{' (auto)' if args.auto else ''}, {s.dtype}, "
          f"{s.max_steps or 'unlimited'} steps", file=table)
    theory = run.theory
    for line in (theory.warning, theory.tuning if args.auto else ""):
        if line:
            print(f"note: {line}", file=table)
    print(f"{'iteration':>9}  loss", file=table)
    every = max(1, s.max_steps // 5) if s.max_steps else 1000
    # An SVD is judged (slow or stalled) from samples of its singular values, as the GUI does.
    watch = SvdWatch() if s.problem == "svd" else None
    chunk = min(every, SVD_SAMPLE_STEPS) if watch else every
    elapsed = 0.0
    while not run.done:
        start = time.perf_counter()
        batch = run.step(chunk)
        elapsed += time.perf_counter() - start  # only the solver loop is timed, not printing
        for i, loss in zip(batch.iterations.tolist(), batch.losses.tolist(), strict=True):
            if i % every == 0:
                print(f"{i:>9}  {loss:.4e}", file=table, flush=True)
        if watch is not None:
            watch.record(run.snapshot())
    snap = run.snapshot()
    state = run.status.state
    # The last row is the estimate the run returns (X_N), the same loss as final_loss.
    print(f"{run.iteration:>9}  {snap.loss:.4e}", file=table)
    print(run.status.reason, file=table)
    verdict = watch.verdict(snap) if watch is not None else None
    reference = reference_name(run)
    if verdict is not None:
        print(verdict.text, file=table)
    print(f"{run.iteration} steps in {elapsed:.3g} s; final loss {snap.loss:.4g} at iteration "
          f"{run.iteration}; {_distance_text(reference)} {snap.distance:.4g}", file=table)
    if args.history:
        save_history(args.history, run.loss_rows())
    if args.out:
        _write_result(args.out, snap, s.problem, state)
    _write_program(run, args, matrix_name, snap)
    if args.json:
        print(json.dumps({**_summary(run, snap, args, elapsed, verdict),
                          "reference": reference}))
    return EXIT_RUN_FAILED if state == "diverged" else EXIT_OK


def reference_name(run: Run) -> str:
    """The torch.linalg function whose answer Run.reference() is: torch.linalg.inv, or
    torch.linalg.pinv for a pseudo-inverse or a singular M, or torch.linalg.svd."""
    if run.settings.problem == "svd":
        return "torch.linalg.svd"
    return "torch.linalg." + reference_inverse_name(run.matrix, run.settings.problem)


def _distance_text(reference: str) -> str:
    what = "singular values" if reference.endswith(".svd") else "answer"
    return f"distance to {reference}'s {what}"


def _write_program(run: Run, args, matrix_name: str, snap) -> None:
    """The --script and --notebook outputs: the program of this run, from its start."""
    if not (args.script or args.notebook):
        return
    name = matrix_name.removeprefix("preset:") if matrix_name.startswith("preset:") \
        else Path(matrix_name).name
    facts = RunFacts(state=run.status.state, reason=run.status.reason,
                     iteration=run.iteration, loss=float(snap.loss))
    if args.script:
        write_script(args.script, run.matrix, run.settings, name)
    if args.notebook:
        write_notebook(args.notebook, run.matrix, run.settings, name, facts)


def _write_result(path: str, snap, problem: str, state: str) -> None:
    if state == "diverged":
        print(f"note: {path} not written: the run diverged", file=sys.stderr)
    elif problem == "svd":
        save_npz(path, U=snap.u, S=snap.s, V=snap.v)
    else:
        save_matrix(path, snap.estimate)


def _finite(value) -> float | None:
    """JSON has no NaN or infinity: such values become null."""
    value = float(value)
    return value if math.isfinite(value) else None


def _summary(run: Run, snap, args, elapsed: float, verdict) -> dict:
    s = run.settings
    summary = {
        "matrix": args.matrix, "shape": list(run.matrix.shape), "problem": s.problem,
        "optimizer": s.optimizer, "lr": s.lr, "momentum": s.momentum, "auto": args.auto,
        "schedule": s.schedule, "dtype": s.dtype, "seed": s.seed, "steps": run.iteration,
        "state": run.status.state, "final_loss": _finite(snap.loss),
        "converged": run.status.state == "converged",
        "diverged": run.status.state == "diverged", "reason": run.status.reason,
        "elapsed_s": elapsed, "steps_per_s": _finite(run.iteration / elapsed) if elapsed else None,
        "distance_to_reference": _finite(snap.distance),
    }
    if s.problem == "svd":
        summary["singular_values"] = [_finite(v) for v in np.asarray(snap.s).tolist()]
        summary["verdict"] = verdict.kind
        summary["verdict_text"] = verdict.text
        summary["steps_needed"] = verdict.steps_needed
    return summary
