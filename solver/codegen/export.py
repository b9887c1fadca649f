"""Write the program of a run to disk: a .py script or a Jupyter notebook, and beside either
the .npy file of a matrix too big to write into the code."""

from __future__ import annotations

import os
from pathlib import Path

from solver.codegen.notebook import RunFacts, notebook_json
from solver.codegen.program import Program, build_program
from solver.matrix_io import MatrixFileError, atomic_write
from solver.settings import Settings


def data_name_for(path: str | os.PathLike) -> str:
    """The name of the matrix file that goes beside `path` when M is too big for the code."""
    return f"{Path(path).stem}_matrix.npy"


def program_for(path: str | os.PathLike, matrix, settings: Settings, name: str) -> Program:
    """The program as it will be saved at `path` (its header and data file named after it;
    a notebook's header names the script it would be, NAME.py)."""
    return build_program(matrix, settings, name, script_name=Path(path).with_suffix(".py").name,
                         data_name=data_name_for(path))


def write_script(path: str | os.PathLike, matrix, settings: Settings,
                 name: str = "the matrix") -> list[Path]:
    """Save the run's program as a Python script; return every file written.

    Raises MatrixFileError (one line naming the file) when a file cannot be written.
    """
    program = program_for(path, matrix, settings, name)
    return _write(path, program.script.encode("utf-8"), program)


def write_notebook(path: str | os.PathLike, matrix, settings: Settings,
                   name: str = "the matrix", facts: RunFacts | None = None) -> list[Path]:
    """Save the run's program as a Jupyter notebook (nbformat 4); return every file written.

    `facts` (how the app's run ended) are quoted in the notebook's text when given.
    """
    program = program_for(path, matrix, settings, name)
    text = notebook_json(program, matrix, name, facts)
    return _write(path, text.encode("utf-8"), program)


def _write(path, data: bytes, program: Program) -> list[Path]:
    target = Path(path)
    if target.is_dir():
        raise MatrixFileError(path, "is a folder, not a file")
    written = []
    for name, content in program.data_files.items():
        beside = target.with_name(name)
        atomic_write(beside, lambda fh, content=content: fh.write(content))
        written.append(beside)
    atomic_write(target, lambda fh: fh.write(data))
    return [target, *written]
