"""What the teaching views need to know about the run on screen, taken when it (re)starts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver import Settings
from solver.views_math import residual, residual_side


@dataclass(frozen=True)
class RunContext:
    """The matrix as the run sees it (cast to its precision), its settings and the residual.

    `kind` is "svd", "pinv" or "inverse"; `side` the residual actually used (left, right,
    both), which for the pseudo-inverse follows from the shape.
    """

    matrix: np.ndarray
    settings: Settings
    kind: str
    side: str

    @classmethod
    def from_window(cls, window, snapshot) -> RunContext | None:
        """The context of the run the window just (re)started, or None if it has none.

        The window configures the worker with the editor's matrix and the panel's settings,
        so both still describe the run when its first frame is drawn.
        """
        matrix = np.asarray(window.editor.array())
        try:
            settings = window.panel.settings().validated(matrix.shape)
        except ValueError:
            return None
        kind = "svd" if snapshot is not None and snapshot.u is not None else settings.problem
        side = residual_side(matrix.shape, settings.problem, settings.side)
        context = cls(matrix.astype(settings.dtype), settings, kind, side)
        # The editor may already hold the next matrix while a frame of the previous run is
        # still on its way (a restart queued behind another): such a frame is not this run's.
        return context if snapshot is None or context.fits(snapshot) else None

    def fits(self, snapshot) -> bool:
        """True if `snapshot` comes from a run on this matrix (shape and residual agree)."""
        m = self.matrix.astype(np.float64)
        if (snapshot.u is not None) != (self.kind == "svd"):
            return False
        if self.kind == "svd":
            target = snapshot.estimate.astype(np.float64) - snapshot.error
            return target.shape == m.shape and np.allclose(target, m, rtol=1e-3, atol=1e-4)
        x = snapshot.estimate.astype(np.float64)
        if x.shape != m.T.shape:
            return False
        error = residual(m, x, self.side)
        scale = max(float(np.abs(snapshot.error).max(initial=0.0)), 1.0)
        return error.shape == snapshot.error.shape and bool(
            np.abs(error - snapshot.error).max(initial=0.0) <= 1e-3 * scale)
