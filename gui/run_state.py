"""What identifies the run on screen and where it stands: plain values the model hands out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver import Settings
from solver.views_math import residual_side

STATES = ("ready", "running", "paused", "converged", "diverged", "finished", "failed",
          "restoring")
DONE_STATES = ("converged", "diverged", "finished")


@dataclass(frozen=True)
class RunInfo:
    """One run: a new `run_id` on every start, restart, reset, resume and problem change.

    `matrix` is the document's matrix the run works on and `settings` its settings with the
    problem resolved (as the run uses them, lr and momentum as at the start). `start` is
    the iteration it starts from: 0, or the iteration a run was resumed from (the history
    before it belongs to this run too). `kind` is "svd", "pinv" or "inverse".
    """

    run_id: int
    matrix: np.ndarray
    settings: Settings
    name: str
    start: int = 0

    @property
    def kind(self) -> str:
        """The problem this run solves: "inverse", "pinv" or "svd"."""
        return self.settings.problem

    @property
    def side(self) -> str:
        """The residual actually used: left (X·M), right (M·X) or both; a pseudo-inverse
        takes the side its shape allows (X·M = I for a tall M, M·X = I for a wide one)."""
        return residual_side(self.matrix.shape, self.kind, self.settings.side)


@dataclass(frozen=True)
class RunState:
    """Where the run stands: one of STATES, with a sentence saying why (may be empty).

    `failed` means the run could not start or stopped with an error: Play stays off until
    the matrix or the settings change.
    """

    state: str = "ready"
    reason: str = ""

    @property
    def done(self) -> bool:
        """True once the run converged, diverged or used its steps."""
        return self.state in DONE_STATES

    @property
    def can_step(self) -> bool:
        """True if Play and Step can move the run."""
        return self.state in ("ready", "running", "paused")
