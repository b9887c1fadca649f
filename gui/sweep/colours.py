"""The sweep's colours: steps to the tolerance on a log scale, and one colour per other
outcome, chosen to read on a projector and for colour-blind viewers."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from solver.sweep import CONVERGED, DIVERGED, FINISHED, PENDING

# Viridis reversed: the fewest steps glow yellow, slow runs sink into dark blue-violet.
# A reversed copy: pyqtgraph hands out its cached viridis, which others use the right way up.
_STOPS, _COLOURS = pg.colormap.get("viridis").getStops(mode="byte")
STEPS_MAP = pg.ColorMap(1.0 - _STOPS[::-1], _COLOURS[::-1])
DIVERGED_RGB = (213, 94, 0)         # Okabe & Ito's vermillion: not on the viridis scale
NOT_CONVERGED_RGB = (190, 190, 190)  # light grey: still above the tolerance at the limit
PENDING_RGB = (255, 255, 255)        # white: not computed (cancelled, or still running)
LUT_SIZE = 256
_LUT = STEPS_MAP.getLookupTable(0.0, 1.0, nPts=LUT_SIZE, alpha=False)


def step_levels(fewest: int, max_steps: int) -> tuple[float, float]:
    """log10 of the colour scale's ends: from the decade at or below the fewest steps any
    cell took to max_steps (at least one decade apart)."""
    low = math.floor(math.log10(max(fewest, 1)))
    high = math.log10(max(max_steps, 1))
    return float(low), max(high, low + 1.0)


def cell_colours(state: np.ndarray, steps: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """RGB (uint8) per cell for arrays of states and steps (any shape)."""
    rgb = np.empty((*state.shape, 3), dtype=np.uint8)
    low, high = levels
    with np.errstate(divide="ignore"):
        position = (np.log10(np.maximum(steps, 1)) - low) / (high - low)
    index = np.clip(np.rint(position * (LUT_SIZE - 1)), 0, LUT_SIZE - 1).astype(np.intp)
    rgb[...] = _LUT[index]
    rgb[state == DIVERGED] = DIVERGED_RGB
    rgb[state == FINISHED] = NOT_CONVERGED_RGB
    rgb[state == PENDING] = PENDING_RGB
    return rgb


def swatch(rgb: tuple[int, int, int]) -> str:
    """A coloured square for rich text (legends)."""
    return f"<span style='color: rgb{rgb}; font-size: 16pt'>■</span>"


__all__ = ["CONVERGED", "cell_colours", "step_levels", "swatch"]
