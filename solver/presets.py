"""The built-in example matrices, stored as plain CSV files in ``assets/presets/``.

Each file starts with a one-line ``# description`` comment; ``assets/make_presets.py``
regenerates them from the tutorial's own torch recipes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from solver.matrix_io import MatrixFileError, load_matrix
from solver.settings import Settings

PRESET_DIR = Path(__file__).resolve().parent.parent / "assets" / "presets"

PRESETS: dict[str, str] = {
    "tutorial-diagonal": "diag(1, 2, 3, 4): part 2, the inverse; notebook run B and run A",
    "tutorial-random": "torch.manual_seed(314); torch.rand(4, 4): part 2, the inverse (run A)",
    "indicator": "torch.manual_seed(123); (torch.rand(17, 3) < 0.2) as floats: part 2's "
                 "closing 17 documents x 3 words example, a pseudo-inverse",
    "svd-tutorial": "torch.manual_seed(314); torch.rand(5, 4): part 3, the SVD",
    "hilbert-6": "6 x 6 Hilbert matrix 1/(i+j+1): an ill-conditioned inverse (not in the "
                 "tutorial; κ = 1.5e7, so in float32 it is numerically of rank 5 and the "
                 "loss stops at a floor), gradient descent crawls",
    "singular-3": "[[1,2,3],[4,5,6],[7,8,9]], rank 2: no inverse exists (not in the "
                  "tutorial); lr 0.05, below its stable limit 0.06",
    "svd-seed315": "torch.manual_seed(315); torch.rand(4, 4): part 3, the SVD",
    "svd-seed316": "torch.manual_seed(316); torch.rand(7, 4): part 3, the SVD",
    "svd-seed317t": "torch.manual_seed(317); torch.rand(3, 4).T: part 3, the SVD",
    "svd-seed317": "torch.manual_seed(317); torch.rand(4, 3): part 3, the SVD",
}
"""Preset name -> one-line description (which part of the tutorial uses it), in menu order."""

_TUTORIAL_SVD = {"problem": "svd", "svd_method": "penalty", "max_steps": 20_000, "tol": 0.0}
PRESET_SETTINGS: dict[str, dict] = {
    "tutorial-diagonal": {"problem": "inverse"},
    "tutorial-random": {"problem": "inverse"},
    "indicator": {"problem": "pinv"},
    "svd-tutorial": _TUTORIAL_SVD,
    "hilbert-6": {"problem": "inverse"},
    # The tutorial's lr 0.9 is far above this matrix's stable limit (0.06 with beta 0.9).
    "singular-3": {"problem": "inverse", "lr": 0.05},
    "svd-seed315": _TUTORIAL_SVD,
    "svd-seed316": _TUTORIAL_SVD,
    "svd-seed317t": _TUTORIAL_SVD,
    "svd-seed317": _TUTORIAL_SVD,
}
"""Preset name -> the settings the tutorial runs it with (fields that differ from Settings()):
the inverse with heavy ball lr 0.9, momentum 0.9, 10,000 steps; part 3's SVD by the penalty
method for 20,000 iterations."""

PREFIX = "preset:"


def preset_path(name: str) -> Path:
    """The CSV file of preset ``name`` (found beside the package, never via the CWD)."""
    return PRESET_DIR / f"{name}.csv"


def load_preset(name: str) -> np.ndarray:
    """Return preset ``name`` as a float64 matrix, the recipe's exact values (a float32
    recipe's numbers as float64, like ``M1.double()``).

    An unknown name raises MatrixFileError ``preset:NAME: unknown preset (choose from ...)``.
    """
    if name not in PRESETS:
        raise MatrixFileError(PREFIX + name, f"unknown preset (choose from {', '.join(PRESETS)})")
    return load_matrix(preset_path(name)).astype(np.float64, copy=False)


def preset_settings(name: str) -> Settings:
    """The settings the tutorial uses for preset `name` (see PRESET_SETTINGS)."""
    if name not in PRESETS:
        raise MatrixFileError(PREFIX + name, f"unknown preset (choose from {', '.join(PRESETS)})")
    return Settings(**PRESET_SETTINGS[name])


def resolve_matrix(spec: str) -> np.ndarray:
    """Load ``preset:NAME`` or a matrix file path; any failure raises MatrixFileError."""
    if spec.startswith(PREFIX):
        return load_preset(spec[len(PREFIX):])
    return load_matrix(spec)
