"""The program of (matrix, settings, name), built once per document state.

Building a program asks for M's singular values (the loss floor of a rank-deficient M), a
second or more for a 1000 x 1000 matrix; the Code view and the lesson page ask again at
every refresh and every change of a setting, so the last program and M's theory are kept
and reused while nothing they depend on changed. Above solver.spectrum's
FULL_ANALYSIS_MAX_DIM they are never computed here, on the window's thread: the program
waits for the run's complete theory from the solver thread (`waits_for_theory`).
"""

from __future__ import annotations

import numpy as np

from gui.matrix_model import matrix_digest
from solver.codegen import Program, build_program
from solver.run import _cast as cast_matrix
from solver.settings import Settings
from solver.spectrum import FULL_ANALYSIS_MAX_DIM
from solver.theory import Theory, analyse

_last: tuple[tuple, Program] | None = None
_theory: tuple[tuple, Theory] | None = None


def waits_for_theory(shape: tuple[int, ...], settings: Settings, run_theory) -> bool:
    """True when the program of an M of this shape needs `run_theory` (the document model's
    theory of the current run) and it is not complete yet: an inverse or pseudo-inverse of
    an M too large to analyse on the window's thread."""
    return (settings.problem != "svd" and max(shape) > FULL_ANALYSIS_MAX_DIM
            and not getattr(run_theory, "complete", False))


def program_for(matrix: np.ndarray, settings: Settings, name: str,
                run_theory: Theory | None = None) -> Program:
    """build_program(matrix, settings, name), reused while its inputs stay equal.

    `run_theory`: the current run's complete theory, used for an M above
    FULL_ANALYSIS_MAX_DIM (check `waits_for_theory` first); a smaller M is analysed here.
    Raises SettingsError as build_program does.
    """
    global _last
    matrix = np.ascontiguousarray(matrix)
    digest = matrix_digest(matrix)
    key = (digest, str(matrix.dtype), settings, name)
    if _last is not None and _last[0] == key:
        return _last[1]
    global _theory
    theory = None
    if settings.problem != "svd":
        # The program uses the theory's loss floor and singular values only, which depend on
        # M, its precision, the problem and the side: a new lr or optimizer needs no SVD.
        valid = settings.validated(matrix.shape)
        theory_key = (digest, str(matrix.dtype), valid.dtype, valid.problem, valid.side)
        if _theory is None or _theory[0] != theory_key:
            if waits_for_theory(matrix.shape, valid, run_theory):
                raise ValueError("a large M's program needs the run's complete theory")
            large = max(matrix.shape) > FULL_ANALYSIS_MAX_DIM
            _theory = (theory_key, run_theory if large else
                       analyse(cast_matrix(matrix, valid.dtype), valid))
        theory = _theory[1]
    program = build_program(matrix, settings, name, theory=theory)
    _last = (key, program)
    return program
