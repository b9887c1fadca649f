"""Compared loss histories as one CSV: an iteration column and one column per run.

Row by row, each run's loss at that row's iteration; a cell is blank where a run has no
value there (it has ended, or its older history was kept only at its peaks). Runs given as
plain loss lists are indexed by iteration from 0. Numbers are written with Python's
shortest round-trip form (``repr``), so reading the file back gives the same float64 values
bit for bit, NaN and infinities included. The file is replaced atomically.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence

import numpy as np

from solver.matrix_io import MatrixFileError, atomic_write

ITERATION_HEADER = "iteration"


def write_compare_csv(path: str | os.PathLike, runs: Sequence[tuple]) -> None:
    """Write `runs` to `path` as one CSV, in column order. Each run is (name, losses), the
    losses of iterations 0, 1, ..., or (name, losses, iterations).

    Names are quoted by the csv module as needed (they may hold commas). Raises
    MatrixFileError naming the file when it cannot be written; the old file stays intact.
    """
    names = [str(run[0]) for run in runs]
    columns = [_column(run) for run in runs]
    rows = np.unique(np.concatenate([x for x, _ in columns])) if columns else np.empty(0)
    cells = []
    for x, y in columns:
        # repr of each value once per column: the per-row loop below then only joins strings.
        cell = [""] * rows.size
        for index, value in zip(np.searchsorted(rows, x).tolist(), y.tolist(), strict=True):
            cell[index] = repr(value)
        cells.append(cell)

    def write(fh) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([ITERATION_HEADER, *names])
        writer.writerows(zip(rows.tolist(), *cells, strict=True))
        text.flush()
        text.detach()  # leave fh open: atomic_write still flushes and syncs it

    atomic_write(path, write)


def _column(run: tuple) -> tuple[np.ndarray, np.ndarray]:
    losses = np.asarray(run[1], dtype=np.float64).ravel()
    if len(run) > 2 and run[2] is not None:
        iterations = np.asarray(run[2], dtype=np.int64).ravel()
        if iterations.size != losses.size:
            raise ValueError(f"{run[0]}: {iterations.size} iterations for {losses.size} losses")
    else:
        iterations = np.arange(losses.size, dtype=np.int64)
    return iterations, losses


def read_compare_csv(path: str | os.PathLike) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Read a file written by write_compare_csv: (name, iterations, float64 losses) per
    run in column order, the rows where its cell is not blank. Raises MatrixFileError on
    anything else."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    except OSError as err:
        raise MatrixFileError(path, f"cannot read ({err.strerror or err})") from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise MatrixFileError(path, f"not a compared-runs CSV ({err})") from None
    if not rows or not rows[0] or rows[0][0] != ITERATION_HEADER:
        raise MatrixFileError(path, f"not a compared-runs CSV (no '{ITERATION_HEADER}' header)")
    names = rows[0][1:]
    iterations: list[list[int]] = [[] for _ in names]
    values: list[list[float]] = [[] for _ in names]
    previous = -1
    for line, row in enumerate(rows[1:], start=2):
        try:
            iteration = int(row[0]) if len(row) == len(names) + 1 else -1
        except ValueError:
            iteration = -1
        if iteration <= previous:
            raise MatrixFileError(path, f"line {line}: expected an iteration after {previous} "
                                        f"and {len(names)} values")
        previous = iteration
        for xs, ys, cell in zip(iterations, values, row[1:], strict=True):
            if cell == "":
                continue
            try:
                ys.append(float(cell))
            except ValueError:
                raise MatrixFileError(path, f"line {line}: '{cell}' is not a number") from None
            xs.append(iteration)
    return [(name, np.asarray(xs, dtype=np.int64), np.asarray(ys, dtype=np.float64))
            for name, xs, ys in zip(names, iterations, values, strict=True)]
