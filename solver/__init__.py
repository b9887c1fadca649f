"""Matrix Descent's solver: matrix inverse, pseudo-inverse and SVD by gradient descent.

Qt-free by contract (see pyproject.toml's import-linter contract); the GUI and the command
line drive it through `Run` (see docs/solver-api.md).
"""

from solver.run import Run, Snapshot, Status, StepBatch
from solver.settings import Settings, SettingsError
from solver.theory import Theory, analyse

__all__ = [
    "Run",
    "Settings",
    "SettingsError",
    "Snapshot",
    "Status",
    "StepBatch",
    "Theory",
    "analyse",
]
