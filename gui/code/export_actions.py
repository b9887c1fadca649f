"""File ▸ Export ▸ Program as script / notebook: the program of the document on screen.

The program is that of the document's matrix and settings, the run Reset starts; the
FileController asks where to save it and reports failures (gui/files/controller.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from solver.codegen.export import write_notebook, write_script
from solver.codegen.notebook import RunFacts
from solver.matrix_io import MatrixFileError
from solver.settings import SettingsError

PROGRAM_FILTERS = {"script": "Python script (*.py)", "notebook": "Jupyter notebook (*.ipynb)"}
SUFFIXES = {"script": ".py", "notebook": ".ipynb"}


def default_name(model, kind: str) -> str:
    """The file name offered: the document's name with the kind's extension."""
    return (Path(model.name).stem or "run") + SUFFIXES[kind]


def write_program(path: str | os.PathLike, model, kind: str) -> list[Path]:
    """Write the program of `model`'s matrix and settings as a "script" or a "notebook"
    (and a matrix larger than 12 x 12 beside it); return the files written.

    Raises MatrixFileError, one line naming the file, when it cannot be written or the
    settings have no program (they cannot run on the matrix).
    """
    try:
        if kind == "script":
            return write_script(path, model.matrix, model.settings, model.name)
        return write_notebook(path, model.matrix, model.settings, model.name, _facts(model))
    except SettingsError as err:
        raise MatrixFileError(path, f"no program for these settings: {err}") from None


def _facts(model) -> RunFacts | None:
    """Where the run on screen stands, for the notebook's text; None when lr or momentum
    were changed during the run (it is then not the program's run)."""
    if model.live_changes:
        return None
    state, snapshot = model.state, model.snapshot
    if snapshot is None:
        return RunFacts(state=state.state, reason=state.reason)
    return RunFacts(state=state.state, reason=state.reason, iteration=int(snapshot.iteration),
                    loss=float(snapshot.loss))
