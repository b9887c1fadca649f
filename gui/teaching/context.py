"""What the teaching views need to know about the run on screen."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver import Settings


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
    def of_run(cls, info) -> RunContext:
        """The context of a run the model started (a gui.run_state.RunInfo)."""
        settings = info.settings
        # A matrix beyond the precision's range (1e39 in float32) is a run that fails with a
        # reason; its context only has to exist.
        with np.errstate(over="ignore"):
            matrix = np.asarray(info.matrix).astype(settings.dtype)
        return cls(matrix, settings, info.kind, info.side)
