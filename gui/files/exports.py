"""Export results: the estimate as a matrix file (figures: gui/presentation/figure.py).

Every file is written through solver.matrix_io's atomic_write, so a failed export never
leaves a partial file, and every failure is a MatrixFileError naming the file.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from solver.matrix_io import MatrixFileError, save_matrix, save_npz

MATRIX_FILTERS = ["CSV (*.csv)", "TSV (*.tsv)", "NumPy array (*.npy)", "NumPy archive (*.npz)"]


def result_arrays(snapshot) -> dict[str, np.ndarray]:
    """The result a snapshot holds: {"X": X} for an inverse or pseudo-inverse, else
    {"U": U, "S": S, "V": V} for the SVD (S as one row, so every part is a 2-D matrix)."""
    if snapshot.u is not None:
        return {"U": snapshot.u, "S": np.asarray(snapshot.s).reshape(1, -1), "V": snapshot.v}
    return {"X": snapshot.estimate}


def export_result(snapshot, path: str | os.PathLike) -> list[str]:
    """Write the result in `snapshot` (see result_arrays); returns the files written.

    .npz holds every part under its name (X, or U, S, V). .csv/.tsv/.npy hold one matrix
    each: X goes to `path`, an SVD to `STEM-U.csv`, `STEM-S.csv`, `STEM-V.csv` beside it.
    """
    arrays = result_arrays(snapshot)
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".npz":
        save_npz(target, **arrays)
        return [os.fspath(target)]
    if suffix not in (".csv", ".tsv", ".npy"):
        raise MatrixFileError(path, f"cannot export a result as '{suffix}' "
                                    "(use .csv, .tsv, .npy or .npz)")
    if len(arrays) == 1:
        save_matrix(target, arrays["X"])
        return [os.fspath(target)]
    written = []
    for name, array in arrays.items():
        part = target.with_name(f"{target.stem}-{name}{target.suffix}")
        save_matrix(part, array)
        written.append(os.fspath(part))
    return written
