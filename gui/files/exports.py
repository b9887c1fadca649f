"""Export figures and results: plots as PNG or SVG, the estimate as a matrix file.

Every file is written through solver.matrix_io's atomic_write, so a failed export never
leaves a partial file, and every failure is a MatrixFileError naming the file.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401 -- registers pg.exporters.ImageExporter / SVGExporter
from PySide6.QtCore import QBuffer, QByteArray, QIODevice

from solver.matrix_io import (
    MatrixFileError,
    atomic_write,
    existing_files,
    save_matrices,
    save_npz,
)

# The exporter's module (pyqtgraph.exporters.SVGExporter as an attribute is the class).
_svg_module = importlib.import_module("pyqtgraph.exporters.SVGExporter")

PLOT_FILTERS = ["PNG image (*.png)", "SVG drawing (*.svg)"]
MATRIX_FILTERS = ["CSV (*.csv)", "TSV (*.tsv)", "NumPy array (*.npy)", "NumPy archive (*.npz)"]


def export_plot(widget: pg.GraphicsView, path: str | os.PathLike) -> None:
    """Write the whole plot widget (axes, title, colour bar) as .png or .svg, atomically."""
    suffix = Path(path).suffix.lower()
    scene = widget.scene()
    if suffix == ".png":
        exporter = pg.exporters.ImageExporter(scene)
        if exporter.parameters()["width"] <= 0 or exporter.parameters()["height"] <= 0:
            raise MatrixFileError(path, "cannot export: the plot has no size on screen")
        data = _png_bytes(exporter.export(toBytes=True))
    elif suffix == ".svg":
        data = _svg_bytes(scene)
    else:
        raise MatrixFileError(path, f"cannot export a plot as '{suffix}' (use .png or .svg)")
    atomic_write(path, lambda fh: fh.write(data))


def _svg_bytes(scene) -> bytes:
    """pyqtgraph's SVG export of the scene, with closed paths made parseable for it."""
    original = _svg_module.correctCoordinates

    def correct_closed_paths(node, *args, **kwargs):
        # Qt 6 writes closed paths (clip rectangles of every ViewBox, their borders) as
        # "M.. L.. Z", and pyqtgraph 0.14's coordinate fix-up reads only "x,y" pairs, so the
        # "Z" stops every export (pyqtgraph #3495). Hide the "Z" while it transforms the
        # coordinates, then close the same paths again.
        closed = []
        for path in node.getElementsByTagName("path"):
            data = path.getAttribute("d").strip()
            if data.endswith("Z"):
                path.setAttribute("d", data[:-1].strip())
                closed.append(path)
        try:
            return original(node, *args, **kwargs)
        finally:
            for path in closed:
                path.setAttribute("d", path.getAttribute("d").strip() + " Z")

    _svg_module.correctCoordinates = correct_closed_paths
    try:
        return pg.exporters.SVGExporter(scene).export(toBytes=True)
    finally:
        _svg_module.correctCoordinates = original


def _png_bytes(image) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = image.save(buffer, "PNG")
    buffer.close()
    if not ok:
        raise ValueError("Qt could not encode the image as PNG")
    return bytes(data.data())


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


def export_result(snapshot, path: str | os.PathLike) -> list[str]:
    """Write the result in `snapshot` (see result_files); returns the files written.

    The files of an SVD are written all or nothing: if one cannot be written, none of the
    old ones is replaced (solver.matrix_io.save_matrices).
    """
    files = result_files(snapshot, path)
    if Path(path).suffix.lower() == ".npz":
        save_npz(path, **files[os.fspath(path)])
    else:
        save_matrices(files)
    return list(files)
