"""Why a run is fast or slow: the error split along M's singular directions.

For X @ M = I the error X - X* evolves as (X - X*)(I - lr 2/N M M^T) under gradient descent,
so the residual E = X @ M - I shrinks along each right singular vector v_i of M at its own
rate, set by sigma_i: small singular values converge last. (For M @ X = I the same holds for
u_i^T E with the left singular vectors.)
"""

from __future__ import annotations

import numpy as np


def singular_directions(matrix: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(sigma, basis): the directions the residual of `side` splits into, largest sigma first.

    basis columns are right singular vectors for the left residual, left ones for the right
    residual; directions beyond the rank get sigma = 0.
    """
    m = np.asarray(matrix, dtype=np.float64)
    u, s, vt = np.linalg.svd(m, full_matrices=True)
    basis = u if side == "right" else vt.T
    sigma = np.zeros(basis.shape[1])
    sigma[: s.size] = s[: basis.shape[1]]
    return sigma, basis


def error_by_direction(basis: np.ndarray, error: np.ndarray, side: str) -> np.ndarray:
    """Squared size of the residual along each basis direction; sums to |E|_F^2. A diverged
    residual whose squares overflow float64 gives inf there (without a NumPy warning)."""
    e = np.asarray(error, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        parts = basis.T @ e if side == "right" else e @ basis
        axis = 1 if side == "right" else 0
        return np.sum(parts * parts, axis=axis)
