"""Regenerate the built-in example matrices in ``assets/presets/``.

Run ``python assets/make_presets.py`` from anywhere. Each preset is rebuilt from the
tutorial's own torch recipe and written as CSV: a ``# description`` line (from
``solver.presets.PRESETS``), then the numbers, each the shortest decimal that reads back as
the exact float64 value: a float32 entry is written as its exact value (0.7196354866027832,
not the 9-digit 0.719635487), so a float64 run uses the tutorial's own float32 numbers, as
``M1.double()`` does, and a float32 run casts them back to the same bits.
"""

import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so this script runs without installing the package

from solver.presets import PRESETS, preset_path  # noqa: E402


def _rand(seed: int, *shape: int) -> torch.Tensor:
    torch.manual_seed(seed)
    return torch.rand(*shape)


RECIPES = {
    "tutorial-diagonal": lambda: torch.diag(torch.tensor([1.0, 2.0, 3.0, 4.0])),
    "tutorial-random": lambda: _rand(314, 4, 4),
    "indicator": lambda: (_rand(123, 17, 3) < 0.2).float(),
    "svd-tutorial": lambda: _rand(314, 5, 4),
    "hilbert-6": lambda: 1.0 / (torch.arange(6.0, dtype=torch.float64)[:, None]
                                + torch.arange(6.0, dtype=torch.float64) + 1.0),
    "singular-3": lambda: torch.arange(1.0, 10.0).reshape(3, 3),
    "svd-seed315": lambda: _rand(315, 4, 4),
    "svd-seed316": lambda: _rand(316, 7, 4),
    "svd-seed317t": lambda: _rand(317, 3, 4).T,
    "svd-seed317": lambda: _rand(317, 4, 3),
}


def _text(value: float) -> str:
    """Whole numbers as integers, others by repr(): the shortest text with the same bits."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def main() -> None:
    """Write every preset file; the recipes must cover exactly the names in PRESETS."""
    assert list(RECIPES) == list(PRESETS), "RECIPES and solver.presets.PRESETS disagree"
    for name, recipe in RECIPES.items():
        matrix = recipe().numpy().astype(np.float64)  # exact: every float32 is a float64
        path = preset_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"# {PRESETS[name]}"] + [",".join(map(_text, row)) for row in matrix]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {matrix.shape[0]} x {matrix.shape[1]}")


if __name__ == "__main__":
    main()
