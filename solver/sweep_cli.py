"""``python main.py sweep MATRIX --lr LO:HI:N [--log] --momentum LO:HI:N [solve options]``:
the learning-rate x momentum map of one matrix, computed as one batched run.

It takes solve's options (solver/cli.py's parser, with --lr and --momentum turned into
ranges) and follows solve's contract: bad input prints one line ``error: ...`` naming the
option or file and exits with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from solver import cli
from solver.matrix_io import MatrixFileError
from solver.settings import RANGES, SettingsError
from solver.sweep import NOT_SUPPORTED, BatchedRun
from solver.sweep_grid import Grid, best_cell, parse_axis, summary, write_csv
from solver.theory import analyse

DEFAULT_STEPS = 2000
PROGRESS_EVERY_S = 1.0
CHUNK_STEPS = 50
# SweepError fields that are not Settings fields -> the options they come from.
OPTION_OF = {**cli.OPTION_OF, "grid": "--lr/--momentum"}

EPILOG = f"""\
AXIS is LO:HI:N (N points from LO to HI) or a single value. --log spaces the learning
rates geometrically. MATRIX is as for solve: a preset or a lesson brings its own
settings (momentum, tol, precision, ...), options given override them. Every run starts
from the same seeded guess as `solve` with the same options, and stops as it does (below
--tol: converged; a runaway loss: diverged).
Not supported: --problem svd ({NOT_SUPPORTED["svd"]}); --history and --auto (a map has
no single history; theory's optimum is in the output).
Example: main.py sweep preset:tutorial-random --lr 0.04:10:48 --log --momentum 0:0.99:48
  --out grid.csv --json"""


def _parser() -> argparse.ArgumentParser:
    # solve's parser as a parent: the same options, checks and defaults; the options that
    # mean something else here are replaced ("resolve" drops the parent's version).
    p = cli._Parser(prog="main.py sweep", allow_abbrev=False, epilog=EPILOG,
                    parents=[cli._parser()], conflict_handler="resolve",
                    formatter_class=argparse.RawDescriptionHelpFormatter,
                    description="Map steps to the tolerance over a grid of learning rates "
                                "and momenta: every cell is a run, all computed at once.")
    p.add_argument("--lr", metavar="AXIS", required=True, help="learning rates, LO:HI:N")
    p.add_argument("--log", action="store_true", help="space the learning rates "
                   "geometrically (a log axis)")
    p.add_argument("--momentum", metavar="AXIS",
                   help="momenta (beta1 for adam), LO:HI:N; default one value, 0.9 (or a "
                   "lesson's or a preset's); gd has none")
    p.add_argument("--steps", type=cli._whole("max_steps"), default=DEFAULT_STEPS,
                   help=f"at most N steps per run (default {DEFAULT_STEPS}; must be >= 1)")
    p.add_argument("--out", metavar="FILE.csv", help="write one row per run: "
                   "lr, momentum, steps_to_tol, final_loss, diverged, rate")
    p.add_argument("--json", action="store_true", help="print one JSON line with the grid's "
                   "summary, the best cell and elapsed_s (the progress then goes to stderr)")
    p.add_argument("--history", help=argparse.SUPPRESS)
    p.add_argument("--auto", action="store_true", help=argparse.SUPPRESS)
    return p


def main(argv: list[str]) -> int:
    """Run ``sweep`` with arguments ``argv``; print results; return the exit status."""
    batch = None
    try:
        args = _parser().parse_args(argv)
        matrix, settings, grid = _prepare(args)
        batch = BatchedRun(matrix, settings, *grid.cells())
        return _sweep(batch, grid, args)
    except SystemExit as done:  # --help
        return done.code if isinstance(done.code, int) else cli.EXIT_OK
    except (cli.CliError, MatrixFileError) as err:
        return cli._fail(str(err))
    except SettingsError as err:
        return cli._fail(_option_message(str(err)))
    except KeyboardInterrupt:
        where = f" at iteration {batch.iteration}" if batch is not None else ""
        print(f"interrupted{where}; nothing written", file=sys.stderr)
        return cli.EXIT_INTERRUPTED
    except BrokenPipeError:
        return cli.reader_left()
    except Exception as err:  # noqa: BLE001 -- the contract: one line, never a traceback
        print(f"error: the sweep failed: {type(err).__name__}: {err}", file=sys.stderr)
        return cli.EXIT_RUN_FAILED


def _option_message(message: str) -> str:
    field, sep, rest = message.partition(": ")
    return f"{OPTION_OF[field]}: {rest}" if sep and field in OPTION_OF else message


def _prepare(args):
    """(matrix, validated settings, grid), refusing what a sweep cannot do before running."""
    if args.history:
        raise cli.CliError("--history: a sweep has one history per cell; use solve with "
                           "the cell's --lr and --momentum")
    if args.auto:
        raise cli.CliError("--auto: a sweep maps the learning rates and momenta you give; "
                           "theory's optimum is in its output")
    if args.steps == 0:
        raise cli.CliError("--steps: a sweep needs a step limit (1 or more)")
    lr_axis = parse_axis("--lr", args.lr, log=args.log)
    low, high = RANGES["lr"]
    _check_bounds("--lr", args.lr, lr_axis, lambda v: low <= v <= high,
                  f"a number from {low:g} to {high:g}", f"numbers from {low:g} to {high:g}")
    momentum_axis = None if args.momentum is None else parse_axis("--momentum", args.momentum)
    if momentum_axis is not None:
        _check_bounds("--momentum", args.momentum, momentum_axis, lambda v: 0 <= v < 1,
                      "in [0, 1)", "in [0, 1)")
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() != ".csv":
            raise cli.CliError(f"--out: {args.out}: a sweep is written as .csv")
        if out.is_dir():
            raise cli.CliError(f"--out: {args.out}: is a folder, not a file")
        if not out.resolve().parent.is_dir():
            raise cli.CliError(f"--out: {args.out}: folder {str(out.parent)!r} does not exist")
    lrs = lr_axis.values()
    momenta = None if momentum_axis is None else momentum_axis.values()
    # solve's checks and Settings, with the first cell's lr and momentum standing in.
    single = argparse.Namespace(**{**vars(args), "lr": float(lrs[0]), "out": None,
                                   "momentum": None if momenta is None else float(momenta[0]),
                                   "history": None, "auto": False})
    matrix, settings = cli.run_inputs(single)
    if momenta is None:
        momenta = np.array([settings.momentum])
    if settings.problem == "svd" and args.problem is None:  # a preset's or a lesson's
        tol = "" if settings.tol else " (and a --tol: its tol is 0)"
        raise cli.CliError(f"{args.matrix}: runs as an SVD (its own settings): "
                           f"{NOT_SUPPORTED['svd']}; add --problem pinv to map its "
                           f"pseudo-inverse{tol}")
    if settings.problem == "svd":
        raise cli.CliError(f"--problem svd: {NOT_SUPPORTED['svd']}")
    if settings.optimizer == "gd" and momenta.size > 1:
        raise cli.CliError("--momentum: gd has no momentum; give one value or use "
                           "--optimizer momentum")
    return matrix, settings, Grid(lrs, momenta)


def _check_bounds(option: str, text: str, axis, check, one: str, both: str) -> None:
    """CliError quoting the axis as typed (solve's words for one value) when LO or HI is
    out of the option's range."""
    if not (check(axis.lo) and check(axis.hi)):
        single = ":" not in text
        raise cli.CliError(f"{option}: {'' if single else 'LO and HI '}must be "
                           f"{one if single else both}, got {cli._shown(text)}")


def _sweep(batch: BatchedRun, grid: Grid, args) -> int:
    """Step the batch to the end with a progress line now and then; write the outputs."""
    s = batch.settings
    table = sys.stderr if args.json else sys.stdout
    rows, cols = batch.matrix.shape
    print(f"sweep of {args.matrix} ({rows} x {cols}, {s.problem}): optimizer {s.optimizer}, "
          f"{grid.lrs.size} learning rates x {grid.momenta.size} momenta = {grid.size:,} runs, "
          f"{s.dtype}, up to {s.max_steps} steps, tol {s.tol:g}", file=table)
    print(f"{'iteration':>9}  running", file=table)
    elapsed, last_print = 0.0, -PROGRESS_EVERY_S
    while not batch.done:
        start = time.perf_counter()
        batch.step(CHUNK_STEPS)
        elapsed += time.perf_counter() - start  # only the solver is timed, not printing
        if elapsed - last_print >= PROGRESS_EVERY_S or batch.done:
            last_print = elapsed
            print(f"{batch.iteration:>9}  {batch.running:,}", file=table, flush=True)
    result = batch.result()
    run_steps = int(result.stopped_at.sum())  # each run stepped until it stopped
    theory = analyse(batch.matrix, s)
    report = summary(result, grid, theory, s.optimizer)
    counts = report["counts"]
    print(f"converged {counts['converged']:,}, diverged {counts['diverged']:,}, "
          f"not converged within {s.max_steps} steps {counts['not_converged']:,}", file=table)
    best = best_cell(result)
    if best is None:
        print("no run reached the tolerance", file=table)
    else:
        print(f"fastest: lr {result.lrs[best]:.6g}, momentum {result.momenta[best]:.6g}: "
              f"{result.stopped_at[best]} steps{_optimum(theory, s.optimizer)}", file=table)
    print(f"{run_steps:,} run-steps in {elapsed:.3g} s "
          f"({run_steps / max(elapsed, 1e-9):,.0f} run-steps/s)", file=table)
    if args.out:
        write_csv(args.out, result)
        print(f"wrote {args.out} ({grid.size:,} rows)", file=table)
    if args.json:
        report.update({"matrix": args.matrix, "shape": [rows, cols], "problem": s.problem,
                       "optimizer": s.optimizer, "dtype": s.dtype, "tol": s.tol,
                       "run_steps": run_steps, "elapsed_s": elapsed, "out": args.out})
        print(json.dumps(report))
    return cli.EXIT_OK


def _optimum(theory, optimizer: str) -> str:
    if theory.optimal_lr is None:
        return ""
    beta = "" if optimizer == "gd" else f", momentum {theory.optimal_momentum:.3g}"
    return f" (theory's optimum: lr {theory.optimal_lr:.3g}{beta})"
