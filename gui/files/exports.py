"""Export results: the estimate as a matrix file (figures: gui/presentation/figure.py).

Every file is written through solver.matrix_io's atomic_write, so a failed export never
leaves a partial file, and every failure is a MatrixFileError naming the file.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from solver.matrix_io import (
    MatrixFileError,
    existing_files,
    save_matrices,
    save_npz,
)
from solver.progress import Progress

MATRIX_FILTERS = ["CSV (*.csv)", "TSV (*.tsv)", "NumPy array (*.npy)", "NumPy archive (*.npz)"]


def result_arrays(snapshot) -> dict[str, np.ndarray]:
    """The result a snapshot holds: {"X": X} for an inverse or pseudo-inverse, else
    {"U": U, "S": S, "V": V} for the SVD (S as one row, so every part is a 2-D matrix)."""
    if snapshot.u is not None:
        return {"U": snapshot.u, "S": np.asarray(snapshot.s).reshape(1, -1), "V": snapshot.v}
    return {"X": snapshot.estimate}


def result_files(snapshot, path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The files export_result writes for `snapshot` at `path`, each with its array.

    .npz: `path` alone (every part under its name). .csv/.tsv/.npy: X goes to `path`, an
    SVD to `STEM-U.csv`, `STEM-S.csv`, `STEM-V.csv` beside it. Ask about
    `existing_result_files` before overwriting them.
    """
    arrays = result_arrays(snapshot)
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".npz":
        return {os.fspath(target): arrays}
    if suffix not in (".csv", ".tsv", ".npy"):
        raise MatrixFileError(path, f"cannot export a result as '{suffix}' "
                                    "(use .csv, .tsv, .npy or .npz)")
    if len(arrays) == 1:
        return {os.fspath(target): arrays["X"]}
    return {os.fspath(target.with_name(f"{target.stem}-{name}{target.suffix}")): array
            for name, array in arrays.items()}


def existing_result_files(snapshot, path: str | os.PathLike) -> list[str]:
    """Those of the files export_result would write that exist already (an SVD as CSV is
    three files: a dialog should name them before they are replaced)."""
    return existing_files(result_files(snapshot, path))


def export_result(snapshot, path: str | os.PathLike, progress: Progress | None = None
                  ) -> list[str]:
    """Write the result in `snapshot` (see result_files); returns the files written.

    The files of an SVD are written all or nothing: if one cannot be written, none of the
    old ones is replaced (solver.matrix_io.save_matrices). `progress` as for save_matrices
    (a .npz is written without reports).
    """
    files = result_files(snapshot, path)
    if Path(path).suffix.lower() == ".npz":
        save_npz(path, **files[os.fspath(path)])
    else:
        save_matrices(files, progress)
    return list(files)
