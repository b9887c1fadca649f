"""The loss floor of a rank-deficient inverse or pseudo-inverse, and when it counts as reached.

For X·M = I with M of rank r, the residual X·M − I lives in an r-dimensional row space, so
at best n − r of its n singular directions stay at 1: the least mean((X·M − I)²) over all X
is (n − r)/n² (singular-3, rank 2: 1/9; an n × n zero matrix: 1/n). The same holds for
M·X = I with n the number of rows. For the two-sided residual (X·M + M·X)/2 − I the floor
is what the operator X -> (X·M + M·X)/2 cannot reach of I, a projection.

The rank is counted at the run's precision: singular values at or below
σ_max · max(rows, cols) · eps(dtype) are zero, the rule of torch.linalg.matrix_rank for a
matrix in that dtype (float32 cannot tell apart a singular value 1e-8 times the largest
from zero; gradient descent in float32 cannot either).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

# Loss values near a floor f > 0 are computed in the run's dtype: they scatter by a few
# units of eps(dtype)·f around it (singular-3 in float32: from −4.4 to +0.06 eps·f). A loss
# within FLOOR_EPS · eps(dtype) · f above the floor (plus the tolerance) has reached it.
FLOOR_EPS = 4.0
# The two-sided operator is n² x n²: its floor is computed for n up to this only.
MAX_BOTH_SIDES_N = 24
EPS = {"float32": float(np.finfo(np.float32).eps), "float64": float(np.finfo(np.float64).eps)}


@dataclass(frozen=True)
class LossFloor:
    """The least loss any X can reach, and the sentence that says why (None: no floor)."""

    rank: int
    value: float
    text: str  # e.g. "1/9"
    why: str   # e.g. "M has rank 2: no X makes X·M = I"

    def slack(self, dtype: str) -> float:
        """How far above the floor a loss computed in `dtype` may be and still be at it."""
        return FLOOR_EPS * EPS[dtype] * self.value

    def limit(self, tol: float, dtype: str) -> float:
        """The stop rule's bound: a loss below floor + (tol + slack(dtype)) has reached the
        floor; -inf when tol is 0 (which disables every convergence stop)."""
        return self.value + (tol + self.slack(dtype)) if tol > 0 else -math.inf

    def reached(self, loss: float, tol: float, dtype: str) -> bool:
        """The stop rule: loss < floor + (tol + slack(dtype)), with tol > 0."""
        return loss < self.limit(tol, dtype)


def numerical_rank(singular_values: np.ndarray, shape: tuple[int, int], dtype: str) -> int:
    """Singular values above σ_max · max(rows, cols) · eps(dtype), counted."""
    sv = np.asarray(singular_values, dtype=np.float64)
    if not sv.size or not sv[0] > 0:
        return 0
    return int(np.count_nonzero(sv > sv[0] * max(shape) * EPS[dtype]))


def loss_floor(matrix: np.ndarray, singular_values: np.ndarray, side: str,
               dtype: str) -> LossFloor | None:
    """The floor of mean(R²) for the residual R of `side` ("left": X·M − I, "right":
    M·X − I, "both": (X·M + M·X)/2 − I), or None when every X·M = I is reachable (full
    rank) or the two-sided operator is too large to analyse."""
    rows, cols = matrix.shape
    rank = numerical_rank(singular_values, matrix.shape, dtype)
    if side == "both":
        return _both_sides_floor(matrix, rank, dtype)
    size = cols if side == "left" else rows
    if rank >= size:
        return None
    fraction = Fraction(size - rank, size * size)
    equation = "X·M = I" if side == "left" else "M·X = I"
    if numerical_rank(singular_values, matrix.shape, "float64") > rank:
        # Invertible in float64, not at this precision (hilbert-6 in float32).
        why = f"M has rank {rank} at {dtype}'s precision: no {dtype} X makes {equation}"
    else:
        why = f"M has rank {rank}: no X makes {equation}"
    return LossFloor(rank, float(fraction), str(fraction), why)


def _both_sides_floor(matrix: np.ndarray, rank: int, dtype: str) -> LossFloor | None:
    n = matrix.shape[0]
    if n > MAX_BOTH_SIDES_N:
        return None
    m = np.asarray(matrix, dtype=np.float64)
    eye = np.eye(n)
    # Row-major vec: vec(X M) = (I kron M^T) vec(X), vec(M X) = (M kron I) vec(X).
    op = (np.kron(eye, m.T) + np.kron(m, eye)) / 2
    u, s, _ = np.linalg.svd(op)
    kept = numerical_rank(s, op.shape, dtype)
    if kept == n * n:
        return None
    target = eye.reshape(-1)
    reached = u[:, :kept].T @ target
    value = max(0.0, float(target @ target - reached @ reached)) / (n * n)
    if value <= EPS["float64"]:  # I is in the operator's range, up to rounding
        return None
    return LossFloor(rank, value, f"{value:.4g}",
                     f"M has rank {rank} and X -> (X·M + M·X)/2 rank {kept} of {n * n}: "
                     "no X makes (X·M + M·X)/2 = I")
