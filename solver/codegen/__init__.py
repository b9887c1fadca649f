"""The exact PyTorch program behind a run, as a script or a notebook (issue 15).

`build_program(matrix, settings)` gives the program's cells; `python run.py losses.csv`
writes the same CSV as `main.py solve --history` for the same settings, bit for bit.
"""

from solver.codegen.program import Cell, Program, build_program

__all__ = ["Cell", "Program", "build_program"]
