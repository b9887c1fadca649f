"""Compared loss histories as one CSV: an iteration column and one column per run.

Every run's history is indexed by iteration from 0, so row t holds each run's loss at
iteration t, and a cell is blank once that run has ended. Numbers are written with
Python's shortest round-trip form (``repr``), so reading the file back gives the same
float64 values bit for bit, NaN and infinities included. The file is replaced atomically.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence

import numpy as np

from solver.matrix_io import MatrixFileError, atomic_write

ITERATION_HEADER = "iteration"


def write_compare_csv(path: str | os.PathLike,
                      runs: Sequence[tuple[str, Iterable[float]]]) -> None:
    """Write `runs` ((name, losses) pairs, in column order) to `path` as one CSV.

    Names are quoted by the csv module as needed (they may hold commas). Raises
    MatrixFileError naming the file when it cannot be written; the old file stays intact.
    """
    names = [str(name) for name, _ in runs]
    columns = [np.asarray(losses, dtype=np.float64).ravel() for _, losses in runs]
    length = max((c.size for c in columns), default=0)
    # repr of each value once per column: the per-row loop below then only joins strings.
    cells = [[repr(v) for v in column.tolist()] + [""] * (length - column.size)
             for column in columns]

    def write(fh) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([ITERATION_HEADER, *names])
        writer.writerows(zip(range(length), *cells, strict=True))
        text.flush()
        text.detach()  # leave fh open: atomic_write still flushes and syncs it

    atomic_write(path, write)


def read_compare_csv(path: str | os.PathLike) -> list[tuple[str, np.ndarray]]:
    """Read a file written by write_compare_csv: (name, float64 losses) pairs in column
    order, each as long as its non-blank cells. Raises MatrixFileError on anything else."""
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
    values: list[list[float]] = [[] for _ in names]
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(names) + 1 or row[0] != str(line - 2):
            raise MatrixFileError(path, f"line {line}: expected iteration {line - 2} and "
                                        f"{len(names)} values")
        for column, cell in zip(values, row[1:], strict=True):
            if cell == "":
                continue
            if len(column) != line - 2:
                raise MatrixFileError(path, f"line {line}: a value after a run's blank end")
            try:
                column.append(float(cell))
            except ValueError:
                raise MatrixFileError(path, f"line {line}: '{cell}' is not a number") from None
    return [(name, np.asarray(column, dtype=np.float64))
            for name, column in zip(names, values, strict=True)]
